#include "resultset.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_name.h"
#include "csv.h"
#include "group.h"
#include "meta_read.h"
#include "tvp_err.h"

/* Whether a comma-separated list holds name. */
static int tvp_list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* One thing the folder held that could not be read: printed now, as one line naming the file
 * (and line), and counted so the command exits non-zero. */
static void problem(struct tvp_resultset *rs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(struct tvp_resultset *rs, const char *fmt, ...)
{
    char msg[sizeof rs->first_problem];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tvpbench: %s\n", msg);
    if (rs->n_problems++ == 0)
        snprintf(rs->first_problem, sizeof rs->first_problem, "%s", msg);
}

/* The figure_id its samples carry in <group>.samples.csv as schema 1 first wrote it
 * ("/param:N"); the canonical name (tvp_fig_name, "/param=N") is accepted as well, so folders
 * written before and after names were unified both read. */
static void sample_id(const struct tvp_fig *f, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s/%s/%s/%s", f->group, f->benchmark, f->variant, f->model,
                     f->placement);
    if (f->param[0] && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "/%s:%lld", f->param, f->param_value);
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "/%s", f->metric);
}

/* A figure row being read: the file and line for messages, and why it is refused ("" while
 * nothing is wrong; only the first reason is kept). */
struct row {
    const struct tvp_csv *c;
    size_t r;
    char why[300];
};

static void refuse(struct row *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void refuse(struct row *w, const char *fmt, ...)
{
    if (w->why[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
}

static const char *cell(const struct row *w, const char *col)
{
    int i = tvp_csv_col(w->c, col);
    return i >= 0 ? w->c->rows[w->r][i] : "";
}

/* A text column into a fixed field: one that does not fit would be read as another name. */
static void text_field(struct row *w, char *dst, size_t len, const char *col, int required)
{
    const char *v = cell(w, col);
    if (required && !v[0])
        refuse(w, "%s is empty", col);
    else if (strlen(v) >= len)
        refuse(w, "%s is %zu characters long (at most %zu)", col, strlen(v), len - 1);
    snprintf(dst, len, "%s", v);
}

/* A number column: empty is "not available" (NAN), as the writer writes a non-finite value;
 * anything else must be a finite number and nothing more. */
static double parse_num(const char *v, int *ok)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    *ok =
        end != v && *end == '\0' && isfinite(d) && errno != ERANGE && !isspace((unsigned char)v[0]);
    return d;
}

static double num_field(struct row *w, const char *col)
{
    const char *v = cell(w, col);
    if (!v[0])
        return NAN;
    int ok;
    double d = parse_num(v, &ok);
    if (!ok) {
        refuse(w, "%s '%.40s' is not a finite number", col, v);
        return NAN;
    }
    return d;
}

/* A whole number 0..max written as digits only ("1e20", "-5" and "3.5" are refused). */
static long long count_field(struct row *w, const char *col, long long min, long long max)
{
    const char *v = cell(w, col);
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!v[0] || *end != '\0' || errno == ERANGE || isspace((unsigned char)v[0]) || v[0] == '+' ||
        n < min || n > max) {
        refuse(w, "%s '%.40s' is not a whole number %lld..%lld", col, v, min, max);
        return 0;
    }
    return n;
}

/* More samples than any run takes per figure: a larger n is damage, not a measurement. */
#define TVP_MAX_FIGURE_SAMPLES 100000000LL

static void read_fig(struct row *w, struct tvp_fig *f, const char *group)
{
    memset(f, 0, sizeof *f);
    text_field(w, f->group, sizeof f->group, "group", 1);
    text_field(w, f->benchmark, sizeof f->benchmark, "benchmark", 1);
    text_field(w, f->variant, sizeof f->variant, "variant", 1);
    text_field(w, f->model, sizeof f->model, "model", 0);
    text_field(w, f->placement, sizeof f->placement, "placement", 1);
    text_field(w, f->cpus, sizeof f->cpus, "cpus", 0);
    text_field(w, f->param, sizeof f->param, "param", 0);
    text_field(w, f->metric, sizeof f->metric, "metric", 1);
    text_field(w, f->unit, sizeof f->unit, "unit", 0);
    text_field(w, f->status, sizeof f->status, "status", 1);
    snprintf(f->note, sizeof f->note, "%s", cell(w, "note"));
    if (f->group[0] && strcmp(f->group, group) != 0)
        refuse(w, "group '%s' in the file of group %s", f->group, group);
    static const char *const statuses[] = {"ok", "failed", "timeout", "crashed", "interrupted"};
    int known = 0;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        known |= strcmp(f->status, statuses[i]) == 0;
    if (f->status[0] && !known)
        refuse(w, "unknown status '%s' (accepted: ok, failed, timeout, crashed, interrupted)",
               f->status);
    if (f->param[0])
        f->param_value = count_field(w, "param_value", LLONG_MIN + 1, LLONG_MAX);
    else if (cell(w, "param_value")[0])
        refuse(w, "param_value '%.40s' without a param", cell(w, "param_value"));
    f->n = (size_t)count_field(w, "n", 0, TVP_MAX_FIGURE_SAMPLES);
    struct {
        double *dst;
        const char *col;
    } nums[] = {{&f->median, "median"}, {&f->ci_low, "ci_low"}, {&f->ci_high, "ci_high"},
                {&f->mean, "mean"},     {&f->min, "min"},       {&f->max, "max"},
                {&f->p5, "p5"},         {&f->p95, "p95"},       {&f->p99, "p99"},
                {&f->mad, "mad"},       {&f->cv, "cv"}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        *nums[i].dst = num_field(w, nums[i].col);
    const char *noisy = cell(w, "noisy");
    if (noisy[0] && strcmp(noisy, "0") != 0 && strcmp(noisy, "1") != 0)
        refuse(w, "noisy '%.40s' is neither 0 nor 1", noisy);
    f->noisy = strcmp(noisy, "1") == 0;
    /* Absent in runs from before the sampling rule: then unknown, as an empty cell says. */
    const char *stop = cell(w, "stop");
    if (tvp_stop_parse(stop, &f->stop) != 0)
        refuse(w, "stop '%.40s' is none of target, cap, max-samples, fixed", stop);
    /* What a chart and a verdict read of an ok figure must be there. */
    if (strcmp(f->status, "ok") == 0 && f->n > 0)
        for (size_t i = 0; i < 3; i++)
            if (isnan(*nums[i].dst) && !w->why[0])
                refuse(w, "%s is empty in an ok figure with n = %zu", nums[i].col, f->n);
    for (size_t col = 0; col < w->c->ncols && f->n_ctr < TVP_MAX_COUNTERS; col++) {
        const char *h = w->c->header[col];
        if (strncmp(h, "ctr_", 4) != 0 || strcmp(h, "ctr_running_min") == 0)
            continue;
        snprintf(f->ctr_column[f->n_ctr], sizeof f->ctr_column[0], "%s", h + 4);
        f->ctr_value[f->n_ctr] = num_field(w, h);
        f->ctr_valid[f->n_ctr] = !isnan(f->ctr_value[f->n_ctr]);
        if (!f->ctr_valid[f->n_ctr])
            f->ctr_value[f->n_ctr] = 0;
        f->n_ctr++;
    }
}

static void drop_fig(struct tvp_resultset *rs, size_t k)
{
    free(rs->figs[k].samples);
    memmove(&rs->figs[k], &rs->figs[k + 1], (rs->n - k - 1) * sizeof rs->figs[0]);
    rs->n--;
}

/* <group>.samples.csv: every sample of the group's figures from first on. A figure whose
 * samples are damaged, or some but not its n, is left out: a verdict would be judged on what is
 * not the run's record. */
static int load_samples(struct tvp_resultset *rs, const char *group, size_t first)
{
    char path[PATH_MAX + 64], err[512];
    snprintf(path, sizeof path, "%s/%s.samples.csv", rs->dir, group);
    struct tvp_csv c;
    int rc = tvp_csv_read(path, &c, err, sizeof err);
    if (rc == ENOMEM)
        return rc;
    if (rc) {
        problem(rs, "%s; the figures of group %s are read without their samples", err, group);
        return 0;
    }
    int id = tvp_csv_col(&c, "figure_id"), val = tvp_csv_col(&c, "value");
    if (id < 0 || val < 0) {
        problem(rs, "%s: no column '%s'; the figures of group %s are read without their samples",
                path, id < 0 ? "figure_id" : "value", group);
        tvp_csv_free(&c);
        return 0;
    }
    size_t nf = rs->n - first;
    char(*names)[256] = malloc((nf ? nf : 1) * sizeof *names);
    char(*canon)[256] = malloc((nf ? nf : 1) * sizeof *canon);
    char *bad = calloc(nf ? nf : 1, 1);
    if (!names || !canon || !bad) {
        free(names);
        free(canon);
        free(bad);
        tvp_csv_free(&c);
        return ENOMEM;
    }
    for (size_t k = 0; k < nf; k++) {
        sample_id(&rs->figs[first + k], names[k], sizeof names[k]);
        tvp_fig_name(&rs->figs[first + k], canon[k], sizeof canon[k]);
    }
    for (size_t r = 0; r < c.nrows && rc == 0; r++) {
        size_t k = 0;
        while (k < nf && strcmp(c.rows[r][id], names[k]) != 0 &&
               strcmp(c.rows[r][id], canon[k]) != 0)
            k++;
        if (k == nf)
            continue; /* a figure this reader left out, or does not know */
        struct tvp_fig *f = &rs->figs[first + k];
        int ok;
        double v = parse_num(c.rows[r][val], &ok);
        if (!ok) {
            if (!bad[k])
                problem(rs,
                        "%s: line %zu: value '%.40s' is not a finite number; figure %s "
                        "skipped",
                        path, c.line[r], c.rows[r][val], canon[k]);
            bad[k] = 1;
            continue;
        }
        double *s = realloc(f->samples, (f->n_samples + 1) * sizeof *s);
        if (!s) {
            rc = ENOMEM;
            break;
        }
        f->samples = s;
        f->samples[f->n_samples++] = v;
    }
    for (size_t k = nf; rc == 0 && k-- > 0;) {
        struct tvp_fig *f = &rs->figs[first + k];
        /* The writer keeps the samples of ok figures only, all n of them. A figure with none is
         * read from its row alone (verdicts then fall back to its CI); some but not n means the
         * file was cut or edited. */
        size_t want = strcmp(f->status, "ok") == 0 ? f->n : 0;
        if (!bad[k] && f->n_samples && f->n_samples != want) {
            problem(rs,
                    "%s: %zu sample%s of figure %s, its row in %s.csv says n = %zu, status %s; "
                    "figure skipped",
                    path, f->n_samples, f->n_samples == 1 ? "" : "s", canon[k], group, f->n,
                    f->status);
            bad[k] = 1;
        }
        if (bad[k])
            drop_fig(rs, first + k);
    }
    free(names);
    free(canon);
    free(bad);
    tvp_csv_free(&c);
    return rc;
}

static int load_group(struct tvp_resultset *rs, const char *group)
{
    char path[PATH_MAX + 64], err[512];
    snprintf(path, sizeof path, "%s/%s.csv", rs->dir, group);
    struct tvp_csv c;
    int rc = tvp_csv_read(path, &c, err, sizeof err);
    if (rc == ENOMEM)
        return rc;
    if (rc) {
        problem(rs, "%s; group %s skipped", err, group);
        return 0;
    }
    const char *required[] = {"group", "benchmark", "variant", "placement", "metric",
                              "n",     "median",    "ci_low",  "ci_high",   "status"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (tvp_csv_col(&c, required[i]) < 0) {
            problem(rs, "%s: no column '%s'; group %s skipped", path, required[i], group);
            tvp_csv_free(&c);
            return 0;
        }
    if (c.nrows == 0) {
        problem(rs, "%s: no figure rows (truncated?); group %s skipped", path, group);
        tvp_csv_free(&c);
        return 0;
    }
    struct tvp_fig *figs = realloc(rs->figs, (rs->n + c.nrows) * sizeof *figs);
    if (!figs) {
        tvp_csv_free(&c);
        return ENOMEM;
    }
    rs->figs = figs;
    size_t first = rs->n;
    for (size_t r = 0; r < c.nrows; r++) {
        struct row w = {&c, r, ""};
        read_fig(&w, &rs->figs[rs->n], group);
        if (w.why[0])
            problem(rs, "%s: line %zu: %s; figure skipped", path, c.line[r], w.why);
        else
            rs->n++;
    }
    tvp_csv_free(&c);
    return load_samples(rs, group, first);
}

int tvp_resultset_load(const char *dir, struct tvp_resultset *rs, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    snprintf(rs->dir, sizeof rs->dir, "%s", dir);
    struct tvp_meta_facts m;
    int why;
    json_t *meta = tvp_meta_load(dir, &m, err, errlen, &why);
    if (!meta)
        return why;
    json_decref(meta);
    snprintf(rs->host, sizeof rs->host, "%s", m.host);
    snprintf(rs->date, sizeof rs->date, "%s", m.date);
    snprintf(rs->status, sizeof rs->status, "%s", m.status);
    snprintf(rs->cpu_model, sizeof rs->cpu_model, "%s", m.cpu_model);
    snprintf(rs->kernel, sizeof rs->kernel, "%s", m.kernel);
    snprintf(rs->virt, sizeof rs->virt, "%s", m.virt);
    snprintf(rs->python_facts, sizeof rs->python_facts, "%s", m.python_facts);
    snprintf(rs->python_missing, sizeof rs->python_missing, "%s", m.python_missing);
    rs->timer_cost_ns = m.timer_cost_ns;
    rs->cores = m.cores;
    char path[PATH_MAX + 32];
    for (size_t g = 0; g < tvp_groups_len; g++) {
        const char *name = tvp_groups[g]->name;
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        if (access(path, F_OK) != 0) {
            /* meta.json names the groups whose record was written. */
            if (errno != ENOENT || tvp_list_has(m.groups, name))
                problem(rs, "%s: %s, though meta.json lists group %s as written; group %s skipped",
                        path, strerror(errno), name, name);
            continue;
        }
        size_t before = rs->n;
        int rc = load_group(rs, name);
        if (rc) {
            tvp_errfmt(err, errlen, rc, "%s: reading group %s", dir, name);
            tvp_resultset_free(rs);
            return rc;
        }
        if (rs->n == before)
            continue;
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
