#include "resultset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_name.h"
#include "csv.h"
#include "group.h"
#include "tvp_err.h"

int tvp_json_lookup_string(const char *json, const char *key, char *buf, size_t len)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(json, pat);
    if (!p || len == 0)
        return -1;
    p += strlen(pat);
    size_t n = 0;
    /* Decodes what tvp_json_write_escaped writes: \" \\ \/ \n \t \r \b \f, and \u00XX for the
     * other control characters (the writer emits no other \u). */
    while (*p && *p != '"' && n + 1 < len) {
        char ch = *p++;
        if (ch == '\\' && *p) {
            char e = *p++;
            switch (e) {
            case 'n':
                ch = '\n';
                break;
            case 't':
                ch = '\t';
                break;
            case 'r':
                ch = '\r';
                break;
            case 'b':
                ch = '\b';
                break;
            case 'f':
                ch = '\f';
                break;
            case 'u': {
                unsigned v;
                int used = 0;
                if (sscanf(p, "%4x%n", &v, &used) == 1 && used == 4 && v < 0x80) {
                    ch = (char)v;
                    p += 4;
                } else {
                    ch = '?'; /* outside what the writer emits */
                }
                break;
            }
            default:
                ch = e; /* \" \\ \/ */
            }
        }
        buf[n++] = ch;
    }
    buf[n] = '\0';
    return 0;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static void copy_field(char *dst, size_t len, const struct tvp_csv *c, size_t row, const char *col)
{
    int i = tvp_csv_col(c, col);
    snprintf(dst, len, "%s", i >= 0 ? c->rows[row][i] : "");
}

static double num_field(const struct tvp_csv *c, size_t row, const char *col)
{
    int i = tvp_csv_col(c, col);
    if (i < 0 || c->rows[row][i][0] == '\0')
        return 0.0 / 0.0;
    return strtod(c->rows[row][i], NULL);
}

static int load_group(struct tvp_resultset *rs, const char *group, char *err, size_t errlen)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.csv", rs->dir, group);
    struct tvp_csv c;
    int rc = tvp_csv_read(path, &c, err, errlen);
    if (rc)
        return rc;
    const char *required[] = {"group",  "benchmark", "variant", "placement", "metric",
                              "median", "ci_low",    "ci_high", "status"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (tvp_csv_col(&c, required[i]) < 0) {
            snprintf(err, errlen, "%s: no column '%s'", path, required[i]);
            tvp_csv_free(&c);
            return EPROTO;
        }
    struct tvp_fig *figs = realloc(rs->figs, (rs->n + c.nrows) * sizeof *figs);
    if (!figs) {
        tvp_csv_free(&c);
        return ENOMEM;
    }
    rs->figs = figs;
    size_t first = rs->n;
    for (size_t r = 0; r < c.nrows; r++) {
        struct tvp_fig *f = &rs->figs[rs->n++];
        memset(f, 0, sizeof *f);
        copy_field(f->group, sizeof f->group, &c, r, "group");
        copy_field(f->benchmark, sizeof f->benchmark, &c, r, "benchmark");
        copy_field(f->variant, sizeof f->variant, &c, r, "variant");
        copy_field(f->model, sizeof f->model, &c, r, "model");
        copy_field(f->placement, sizeof f->placement, &c, r, "placement");
        copy_field(f->cpus, sizeof f->cpus, &c, r, "cpus");
        copy_field(f->param, sizeof f->param, &c, r, "param");
        double pv = num_field(&c, r, "param_value");
        f->param_value = isfinite(pv) ? (long long)pv : 0;
        copy_field(f->metric, sizeof f->metric, &c, r, "metric");
        copy_field(f->unit, sizeof f->unit, &c, r, "unit");
        copy_field(f->status, sizeof f->status, &c, r, "status");
        copy_field(f->note, sizeof f->note, &c, r, "note");
        double n = num_field(&c, r, "n");
        f->n = isfinite(n) && n >= 0 ? (size_t)n : 0;
        f->median = num_field(&c, r, "median");
        f->ci_low = num_field(&c, r, "ci_low");
        f->ci_high = num_field(&c, r, "ci_high");
        f->mean = num_field(&c, r, "mean");
        f->min = num_field(&c, r, "min");
        f->max = num_field(&c, r, "max");
        f->p5 = num_field(&c, r, "p5");
        f->p95 = num_field(&c, r, "p95");
        f->p99 = num_field(&c, r, "p99");
        f->mad = num_field(&c, r, "mad");
        f->cv = num_field(&c, r, "cv");
        f->noisy = num_field(&c, r, "noisy") == 1.0;
        for (size_t col = 0; col < c.ncols && f->n_ctr < TVP_MAX_COUNTERS; col++) {
            const char *h = c.header[col];
            if (strncmp(h, "ctr_", 4) != 0 || strcmp(h, "ctr_running_min") == 0)
                continue;
            snprintf(f->ctr_column[f->n_ctr], sizeof f->ctr_column[0], "%s", h + 4);
            f->ctr_valid[f->n_ctr] = c.rows[r][col][0] != '\0';
            f->ctr_value[f->n_ctr] = f->ctr_valid[f->n_ctr] ? strtod(c.rows[r][col], NULL) : 0;
            f->n_ctr++;
        }
    }
    tvp_csv_free(&c);

    snprintf(path, sizeof path, "%s/%s.samples.csv", rs->dir, group);
    if (tvp_csv_read(path, &c, err, errlen) != 0)
        return 0; /* Figures without samples still chart; verdicts then fall back to the CIs. */
    int id = tvp_csv_col(&c, "figure_id"), val = tvp_csv_col(&c, "value");
    if (id < 0 || val < 0) {
        tvp_csv_free(&c);
        return 0;
    }
    for (size_t r = 0; r < c.nrows; r++)
        tvp_figure_id_canonical(c.rows[r][id]); /* a folder of an older version */
    for (size_t k = first; k < rs->n; k++) {
        struct tvp_fig *f = &rs->figs[k];
        char name[TVP_CASE_NAME_LEN];
        tvp_fig_name(f, name, sizeof name);
        for (size_t r = 0; r < c.nrows; r++) {
            if (strcmp(c.rows[r][id], name) != 0)
                continue;
            double *s = realloc(f->samples, (f->n_samples + 1) * sizeof *s);
            if (!s) {
                tvp_csv_free(&c);
                return ENOMEM;
            }
            f->samples = s;
            f->samples[f->n_samples++] = strtod(c.rows[r][val], NULL);
        }
    }
    tvp_csv_free(&c);
    return 0;
}

int tvp_resultset_load(const char *dir, struct tvp_resultset *rs, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    snprintf(rs->dir, sizeof rs->dir, "%s", dir);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    char *meta = read_text(path);
    if (!meta) {
        tvp_errfmt(err, errlen, errno, "%s: not a results folder (reading meta.json)", dir);
        return ENOENT;
    }
    tvp_json_lookup_string(meta, "host_name", rs->host, sizeof rs->host);
    tvp_json_lookup_string(meta, "date", rs->date, sizeof rs->date);
    tvp_json_lookup_string(meta, "status", rs->status, sizeof rs->status);
    tvp_json_lookup_string(meta, "cpu_model", rs->cpu_model, sizeof rs->cpu_model);
    tvp_json_lookup_string(meta, "kernel", rs->kernel, sizeof rs->kernel);
    tvp_json_lookup_string(meta, "virtualisation", rs->virt, sizeof rs->virt);
    tvp_json_lookup_string(meta, "python_facts", rs->python_facts, sizeof rs->python_facts);
    tvp_json_lookup_string(meta, "python_missing", rs->python_missing, sizeof rs->python_missing);
    const char *t = strstr(meta, "\"cost_ns\": ");
    rs->timer_cost_ns = t ? strtod(t + 11, NULL) : 0.0 / 0.0;
    const char *cores = strstr(meta, "\"cores\": ");
    rs->cores = cores ? atoi(cores + 9) : 0;
    free(meta);
    for (size_t g = 0; g < tvp_groups_len; g++) {
        const char *name = tvp_groups[g]->name;
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        fclose(f);
        /* One damaged group file costs that group only: the others still chart and judge. */
        if (load_group(rs, name, err, errlen) != 0) {
            fprintf(stderr, "tvpbench: skipping group %s: %s\n", name, err);
            continue;
        }
        size_t used = strlen(rs->groups);
        snprintf(rs->groups + used, sizeof rs->groups - used, "%s%s", used ? "," : "", name);
    }
    return 0;
}

void tvp_resultset_free(struct tvp_resultset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->figs[i].samples);
    free(rs->figs);
    rs->figs = NULL;
    rs->n = 0;
}

int tvp_rs_has_group(const struct tvp_resultset *rs, const char *group)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->figs[i].group, group) == 0)
            return 1;
    return 0;
}

const struct tvp_fig *tvp_rs_find(const struct tvp_resultset *rs, const char *group,
                                  const char *benchmark, const char *variant, const char *placement,
                                  const char *param, long long param_value, const char *metric)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->status, "ok") != 0 || f->n == 0)
            continue;
        if (strcmp(f->group, group) || strcmp(f->benchmark, benchmark) ||
            strcmp(f->variant, variant) || strcmp(f->placement, placement) ||
            strcmp(f->metric, metric))
            continue;
        if (param ? (strcmp(f->param, param) || f->param_value != param_value) : f->param[0])
            continue;
        return f;
    }
    return NULL;
}

const struct tvp_fig *tvp_rs_pick(const struct tvp_resultset *rs, const char *group,
                                  const char *benchmark, const char *variant, const char *model,
                                  const char *placement, long long param_value, const char *metric)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (!strcmp(f->group, group) && !strcmp(f->benchmark, benchmark) &&
            (!variant || !strcmp(f->variant, variant)) && (!model || !strcmp(f->model, model)) &&
            (!placement || !strcmp(f->placement, placement)) &&
            (param_value < 0 || f->param_value == param_value) &&
            (!metric || !strcmp(f->metric, metric)) && !strcmp(f->status, "ok"))
            return f;
    }
    return NULL;
}

static const char *const cross_order[] = {"same-cache", "cross-cache", "cross-numa"};

const char *tvp_rs_cross_core_any(const struct tvp_resultset *rs, const char *group,
                                  const char *benchmark)
{
    for (size_t k = 0; k < sizeof cross_order / sizeof cross_order[0]; k++)
        if (tvp_rs_pick(rs, group, benchmark, NULL, NULL, cross_order[k], -1, NULL))
            return cross_order[k];
    return NULL;
}

const char *tvp_rs_cross_core(const struct tvp_resultset *rs, const char *group,
                              const char *benchmark, const char *variant, const char *metric)
{
    for (size_t k = 0; k < sizeof cross_order / sizeof cross_order[0]; k++)
        if (tvp_rs_find(rs, group, benchmark, variant, cross_order[k], NULL, 0, metric))
            return cross_order[k];
    return NULL;
}

int tvp_rs_param_values(const struct tvp_resultset *rs, const char *group, const char *benchmark,
                        const char *variant, const char *model, const char *metric, int only_ok,
                        long long *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, group) || strcmp(f->benchmark, benchmark) ||
            (variant && strcmp(f->variant, variant)) || (model && strcmp(f->model, model)) ||
            (metric && strcmp(f->metric, metric)) || (only_ok && strcmp(f->status, "ok")))
            continue;
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen |= out[k] == f->param_value;
        if (seen || n >= max)
            continue;
        int k = n++;
        while (k > 0 && out[k - 1] > f->param_value) {
            out[k] = out[k - 1];
            k--;
        }
        out[k] = f->param_value;
    }
    return n;
}

void tvp_fig_name(const struct tvp_fig *f, char *buf, size_t len)
{
    struct tvp_name_parts p = {.group = f->group,
                               .benchmark = f->benchmark,
                               .variant = f->variant,
                               .model = f->model,
                               .placement = f->placement,
                               .param = f->param,
                               .param_value = f->param_value,
                               .metric = f->metric};
    tvp_name_write(buf, len, &p);
}

int tvp_fig_counter(const struct tvp_fig *f, const char *column, double *v)
{
    for (int i = 0; i < f->n_ctr; i++)
        if (strcmp(f->ctr_column[i], column) == 0 && f->ctr_valid[i]) {
            *v = f->ctr_value[i];
            return 0;
        }
    return -1;
}

void tvp_dat_fig(FILE *f, const struct tvp_fig *x, double unit)
{
    if (x)
        fprintf(f, " %.6g %.6g %.6g", x->median / unit, x->ci_low / unit, x->ci_high / unit);
    else
        fprintf(f, " NaN NaN NaN");
}

void tvp_dat_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.6g", v);
    else
        fprintf(f, " NaN");
}

void tvp_dat_rate(FILE *f, const struct tvp_fig *x)
{
    if (x && x->median > 0 && x->ci_low > 0)
        fprintf(f, " %.6g %.6g %.6g", 1e9 / x->median, 1e9 / x->ci_high, 1e9 / x->ci_low);
    else
        fprintf(f, " NaN NaN NaN");
}
