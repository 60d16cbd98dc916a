/* Small results folders written by a test and read back through the record's own reader, so a
 * claim's judge can be driven through each of its outcomes with figures chosen for it. */
#ifndef TVP_RESULTS_FIXTURE_H
#define TVP_RESULTS_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_name.h"
#include "claims.h"
#include "resultset.h"

/* The columns most tests write: the schema's identity columns, the median with its CI, status. */
#define RF_COLUMNS                                                                                 \
    "group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,median,ci_low,"  \
    "ci_high,status,note"

/* meta.json of a complete run: what every run writes (schema version, status, date, host, timer
 * cost) and extra: more members, as meta.json nests them ("\"topology\": {\"cores\": 2}") or "". */
static inline int rf_meta(const char *dir, const char *extra)
{
    char path[256];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\n  \"tvpbench_schema\": 1,\n  \"status\": \"complete\",\n  \"date\": "
            "\"2026-01-01T00:00:00Z\",\n  \"machine\": {\"host_name\": \"test\"},\n  "
            "\"timer\": {\"cost_ns\": 20}%s%s\n}\n",
            extra[0] ? ",\n  " : "", extra);
    return fclose(f);
}

/* Creates <group>.csv with the given header line (the schema's columns the test writes) and
 * <group>.samples.csv with its header. Returns 0, or -1 with both closed. */
static inline int rf_open(const char *dir, const char *group, const char *columns, FILE **csv,
                          FILE **smp)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.csv", dir, group);
    *csv = fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s.samples.csv", dir, group);
    *smp = fopen(path, "w");
    if (!*csv || !*smp) {
        if (*csv)
            fclose(*csv);
        if (*smp)
            fclose(*smp);
        *csv = *smp = NULL;
        return -1;
    }
    fprintf(*csv, "%s\n", columns);
    fputs("figure_id,repetition,value\n", *smp);
    return 0;
}

/* The columns rf_fig writes: RF_COLUMNS with mean, min and max, which some rules read (a
 * semaphore's most holders seen is a figure's max over its batches). */
#define RF_FIG_COLUMNS                                                                             \
    "group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,median,ci_low,"  \
    "ci_high,mean,min,max,status,note"

/* One figure as the record writes it. Unset fields take the defaults a clear-cut figure has: 15
 * samples spread +-1% around the median (so a ratio's bootstrap CI is tight), min and max the
 * samples' ends, status ok, no parameter, unit ns. */
struct rf_fig {
    const char *group, *bench, *variant, *model, *placement;
    const char *param; /* NULL: none */
    long long pv;
    const char *metric, *unit;
    double median;
    int n;                     /* samples and the n column; 0: 15 */
    double spread;             /* relative half-width of the samples; 0: 0.01 */
    double min, max;           /* both 0: the samples' ends */
    const char *status, *note; /* NULL: "ok", "" */
    /* Written only to a group opened by rf_group_sampled (a run under the sampling rule). */
    int noisy;
    const char *stop; /* NULL: "" */
};

/* Both files of one group, opened with RF_FIG_COLUMNS by rf_group (or with the noisy and stop
 * columns too by rf_group_sampled). */
struct rf_out {
    FILE *csv, *smp;
    int sampled;
};

/* Starts a scenario: every CSV of the last one removed (a group left over would still be read)
 * and meta.json written as rf_meta does. */
static inline int rf_start(const char *dir, const char *meta_extra)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char path[512];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".csv") == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    return rf_meta(dir, meta_extra);
}

static inline int rf_group(const char *dir, const char *group, struct rf_out *o)
{
    o->sampled = 0;
    return rf_open(dir, group, RF_FIG_COLUMNS, &o->csv, &o->smp);
}

/* As rf_group, with the noisy column and the stop column a run under the adaptive sampling rule
 * writes (rf_group's files have no stop column, as runs from before the rule had none). */
static inline int rf_group_sampled(const char *dir, const char *group, struct rf_out *o)
{
    o->sampled = 1;
    return rf_open(dir, group, RF_FIG_COLUMNS ",noisy,stop", &o->csv, &o->smp);
}

static inline void rf_close(struct rf_out *o)
{
    if (o->csv)
        fclose(o->csv);
    if (o->smp)
        fclose(o->smp);
    o->csv = o->smp = NULL;
}

static inline void rf_fig(struct rf_out *o, const struct rf_fig *f)
{
    int n = f->n ? f->n : 15;
    double sp = f->spread > 0 ? f->spread : 0.01, m = f->median;
    double lo = f->min || f->max ? f->min : m * (1 - sp),
           hi = f->min || f->max ? f->max : m * (1 + sp);
    const char *status = f->status ? f->status : "ok";
    char pv[32] = "", id[320];
    if (f->param)
        snprintf(pv, sizeof pv, "%lld", f->pv);
    /* The note quoted, as the record writes any field: a failed check's reason has commas. */
    fprintf(o->csv, "%s,%s,%s,%s,%s,0,%s,%s,%s,%s,%d,%g,%g,%g,%g,%g,%g,%s,\"", f->group, f->bench,
            f->variant, f->model, f->placement, f->param ? f->param : "", pv, f->metric,
            f->unit ? f->unit : "ns", n, m, m * (1 - sp / 2), m * (1 + sp / 2), m, lo, hi, status);
    for (const char *c = f->note ? f->note : ""; *c; c++)
        fputs(*c == '"' ? "\"\"" : (char[]){*c, 0}, o->csv);
    fputc('"', o->csv);
    if (o->sampled)
        fprintf(o->csv, ",%d,%s", f->noisy, f->stop ? f->stop : "");
    fputc('\n', o->csv);
    if (strcmp(status, "ok") != 0)
        return;
    struct tvp_name_parts name = {.group = f->group,
                                  .benchmark = f->bench,
                                  .variant = f->variant,
                                  .model = f->model,
                                  .placement = f->placement,
                                  .param = f->param,
                                  .param_value = f->pv,
                                  .metric = f->metric};
    tvp_name_write(id, sizeof id, &name);
    for (int i = 0; i < n; i++)
        fprintf(o->smp, "%s,%d,%g\n", id, i, n > 1 ? m * (1 - sp + 2 * sp * i / (n - 1)) : m);
}

/* C12's pool half as the spawn group writes it (pool-empty, spread, workers = 2 = the cores
 * meta.json gives): ns per task through a process pool, one process per task and a thread pool
 * (0 leaves one out), n samples each. Both the spawn and the ipc tests need it: the spawn group
 * judges C12, the ipc group adds its part. */
static inline void rf_c12_pool(struct rf_out *o, double pool, double per_task, double thread_pool,
                               int n)
{
    const struct {
        const char *variant, *model;
        double ns;
    } v[] = {{"process-pool", "process", pool},
             {"process-per-task", "process", per_task},
             {"thread-pool", "thread", thread_pool}};
    for (int i = 0; i < 3; i++)
        if (v[i].ns > 0)
            rf_fig(o, &(struct rf_fig){.group = "spawn",
                                       .bench = "pool-empty",
                                       .variant = v[i].variant,
                                       .model = v[i].model,
                                       .placement = "spread",
                                       .param = "workers",
                                       .pv = 2,
                                       .metric = "per-task",
                                       .median = v[i].ns,
                                       .n = n});
}

/* A scratch folder for a test's results folders ("/tmp/tvp-test-<name>XXXXXX"). */
static inline int rf_mkdir(char *dir, size_t len, const char *name)
{
    snprintf(dir, len, "/tmp/tvp-test-%sXXXXXX", name);
    return mkdtemp(dir) ? 0 : -1;
}

static inline int rf_rmdir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Loads the folder and judges claim id into v; returns the verdict, or -1 when it cannot load. */
static inline enum tvp_verdict_kind rf_judge(const char *dir, const char *id, struct tvp_verdict *v)
{
    struct tvp_resultset rs;
    char err[256];
    memset(v, 0, sizeof *v);
    if (tvp_resultset_load(dir, &rs, err, sizeof err) != 0) {
        fprintf(stderr, "load: %s\n", err);
        return (enum tvp_verdict_kind) - 1;
    }
    for (size_t i = 0; i < tvp_claims_len; i++)
        if (strcmp(tvp_claims[i].id, id) == 0)
            tvp_judge_claim(&rs, &tvp_claims[i], v);
    tvp_resultset_free(&rs);
    return v->kind;
}

#endif
