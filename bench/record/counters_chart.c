/* charts/counters-<group>.dat: the counters per operation of every kind a group compares, for
 * plots/counters.gp. One row per benchmark x variant x model, read at that kind's first ok figure
 * with a counted value (the CSV's order: its smallest size, same PU first), so a kind is one row
 * however many sizes and placements it ran at. Software counters (context switches, migrations,
 * page faults) and hardware ones (cycles, instructions, their ratio IPC, cache misses); a counter
 * the machine refused gets a "# note" line with meta.json's reason, which the chart prints in
 * place of its panel. */
#include "counters_chart.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "group.h"
#include "report_parts.h"

/* CSV column (ctr_<column>) and meta.json name of each counter, in the chart's panel order. */
static const struct {
    const char *column, *name;
    int hardware;
} counters[] = {
    {"context_switches", "context-switches", 0}, {"cpu_migrations", "cpu-migrations", 0},
    {"page_faults", "page-faults", 0},           {"cycles", "cycles", 1},
    {"instructions", "instructions", 1},         {"cache_misses", "cache-misses", 1},
};
#define N_COUNTERS (sizeof counters / sizeof counters[0])

/* meta.json's reason for a refused counter, out of the report's "a, b (reason); c (reason)"
 * list; 0 when found. */
static int refused_reason(const struct tvp_rpt_env *e, const char *name, char *buf, size_t len)
{
    for (const char *p = e->ctr_bad; (p = strstr(p, name)) != NULL; p++) {
        int starts = p == e->ctr_bad || p[-1] == ' ';
        char after = p[strlen(name)];
        if (!starts || (after != ',' && after != ' '))
            continue;
        const char *open = strchr(p, '(');
        if (!open)
            return -1;
        int depth = 0;
        const char *q = open;
        for (; *q; q++) {
            depth += *q == '(';
            depth -= *q == ')';
            if (!depth)
                break;
        }
        snprintf(buf, len, "%.*s", (int)(q - open - 1), open + 1);
        return 0;
    }
    return -1;
}

static int same_kind(const struct tvp_fig *a, const struct tvp_fig *b)
{
    return !strcmp(a->benchmark, b->benchmark) && !strcmp(a->variant, b->variant) &&
           !strcmp(a->model, b->model);
}

static int has_counted(const struct tvp_fig *f)
{
    for (size_t c = 0; c < N_COUNTERS; c++) {
        double v;
        if (tvp_fig_counter(f, counters[c].column, &v) == 0)
            return 1;
    }
    return 0;
}

static int write_group(const struct tvp_resultset *rs, const struct tvp_rpt_env *env,
                       const char *group, const char *dir)
{
    char name[80];
    snprintf(name, sizeof name, "counters-%s", group);
    struct tvp_afile a;
    int rc = tvp_chart_open(&a, dir, name);
    if (rc)
        return rc;
    /* The kinds, each at its first figure with a counted value. */
    size_t rows = 0, figures = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, group))
            continue;
        figures++;
        if (strcmp(f->status, "ok") || !has_counted(f))
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(rs->figs[j].group, group) && !strcmp(rs->figs[j].status, "ok") &&
                   same_kind(&rs->figs[j], f) && has_counted(&rs->figs[j]);
        rows += !seen;
    }
    fprintf(a.f, "# group: %s\n# rows: %zu\n", group, rows);
    if (!rows)
        fprintf(a.f,
                "# not measured: none of the %zu %s figures has a counted value (its CSV's ctr_ "
                "columns are empty)\n",
                figures, group);
    for (size_t c = 0; c < N_COUNTERS; c++) {
        char why[400];
        if (refused_reason(env, counters[c].name, why, sizeof why) == 0)
            fprintf(a.f, "# note %zu: not available on this machine: %s\n", c + 1, why);
        else if (!strstr(env->ctr_ok, counters[c].name))
            fprintf(a.f, "# note %zu: not counted in this run (not asked for with --counters)\n",
                    c + 1);
    }
    fputs("# per operation: kind, context switches, migrations, page faults, cycles, "
          "instructions, IPC, cache misses (NaN: not counted)\n",
          a.f);
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, group) || strcmp(f->status, "ok") || !has_counted(f))
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(rs->figs[j].group, group) && !strcmp(rs->figs[j].status, "ok") &&
                   same_kind(&rs->figs[j], f) && has_counted(&rs->figs[j]);
        if (seen)
            continue;
        fprintf(a.f, "\"%s %s", f->benchmark, f->variant);
        if (!strstr(f->variant, f->model))
            fprintf(a.f, " (%s)", f->model);
        if (f->param[0] && !strcmp(f->param, "bytes") && f->param_value >= 1024 &&
            f->param_value % 1024 == 0)
            fprintf(a.f, " %lld %s",
                    f->param_value % 1048576 ? f->param_value / 1024 : f->param_value / 1048576,
                    f->param_value % 1048576 ? "KiB" : "MiB");
        else if (f->param[0])
            fprintf(a.f, " %s=%lld", f->param, f->param_value);
        fputc('"', a.f);
        double v[N_COUNTERS];
        for (size_t c = 0; c < N_COUNTERS; c++) {
            if (tvp_fig_counter(f, counters[c].column, &v[c]) != 0)
                v[c] = NAN;
            if (c == 5) /* IPC before cache misses: instructions per cycle */
                tvp_dat_num(a.f, v[3] > 0 ? v[4] / v[3] : NAN);
            tvp_dat_num(a.f, v[c]);
        }
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

int tvp_write_counters_charts(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_rpt_env *env = calloc(1, sizeof *env);
    if (!env)
        return ENOMEM;
    tvp_rpt_read_env(rs->dir, env);
    int rc = 0;
    for (size_t g = 0; !rc && g < tvp_groups_len; g++)
        if (tvp_rs_has_group(rs, tvp_groups[g]->name))
            rc = write_group(rs, env, tvp_groups[g]->name, dir);
    free(env);
    return rc;
}
