#include "run_json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "json.h"
#include "meta_read.h"
#include "output.h"
#include "stats.h"
#include "tvp_err.h"

/* Whether a unit is a time that Google Benchmark's time_unit can name. */
static int is_time_unit(const char *unit)
{
    return !strcmp(unit, "ns") || !strcmp(unit, "us") || !strcmp(unit, "ms") || !strcmp(unit, "s");
}

/* The figures that are the CPU time of another figure of their case, sample for sample: ipc's
 * "cpu" is the user+system time per round trip (pingpong) or message (stream) of the same batch,
 * python's "worker-cpu" the workers' CPU time per job. Their samples become that figure's
 * cpu_time; every other time figure has no CPU time of its own per sample. */
static const struct {
    const char *cpu, *of;
} cpu_pairs[] = {
    {"cpu", "rtt"}, {"cpu", "per-msg"}, {"worker-cpu", "per-job"}, {"worker-cpu-1", "per-job-1"}};

static int same_case(const struct tvp_fig *a, const struct tvp_fig *b)
{
    return !strcmp(a->group, b->group) && !strcmp(a->benchmark, b->benchmark) &&
           !strcmp(a->variant, b->variant) && !strcmp(a->model, b->model) &&
           !strcmp(a->placement, b->placement) && !strcmp(a->param, b->param) &&
           a->param_value == b->param_value;
}

static int usable(const struct tvp_fig *f)
{
    return !strcmp(f->status, "ok") && f->n_samples > 0;
}

/* The CPU-time figure of f's case, or NULL. */
static const struct tvp_fig *cpu_of(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    for (size_t p = 0; p < sizeof cpu_pairs / sizeof cpu_pairs[0]; p++) {
        if (strcmp(f->metric, cpu_pairs[p].of) != 0)
            continue;
        for (size_t i = 0; i < rs->n; i++) {
            const struct tvp_fig *c = &rs->figs[i];
            if (same_case(c, f) && !strcmp(c->metric, cpu_pairs[p].cpu) && usable(c) &&
                c->n_samples == f->n_samples && !strcmp(c->unit, f->unit))
                return c;
        }
    }
    return NULL;
}

/* Whether f is some figure's CPU time (then it is that figure's cpu_time, not an entry). */
static int is_cpu_of_other(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    for (size_t i = 0; i < rs->n; i++)
        if (same_case(&rs->figs[i], f) && cpu_of(rs, &rs->figs[i]) == f)
            return 1;
    return 0;
}

static double agg(const struct tvp_stats *s, int a)
{
    const double v[] = {s->mean, s->median, s->stddev, s->cv};
    return v[a];
}

static const char *const agg_names[] = {"mean", "median", "stddev", "cv"};

/* The user counters of time figure f: every non-time figure of its case, per sample (k >= 0)
 * when it has as many samples as f, else on the aggregates only (k < 0, aggregate a); and the
 * case's performance counters per operation on the aggregates. */
static void counters(struct tvp_json *j, const struct tvp_resultset *rs, const struct tvp_fig *f,
                     long k, int a)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *o = &rs->figs[i];
        if (o == f || !same_case(o, f) || is_time_unit(o->unit) || !usable(o))
            continue;
        if (k >= 0) {
            if (o->n_samples == f->n_samples)
                tvp_json_number(j, o->metric, o->samples[k]);
            continue;
        }
        struct tvp_stats s;
        if (tvp_stats_compute(o->samples, o->n_samples, &s) == 0)
            tvp_json_number(j, o->metric, agg(&s, a));
    }
    if (k < 0 && a <= 1)
        for (int c = 0; c < f->n_ctr; c++)
            if (f->ctr_valid[c]) {
                char key[80];
                snprintf(key, sizeof key, "%s_per_op", f->ctr_column[c]);
                tvp_json_number(j, key, f->ctr_value[c]);
            }
}

static void common(struct tvp_json *j, const char *name, const char *run_name, long long family,
                   const struct tvp_fig *f, const char *run_type)
{
    tvp_json_string(j, "name", name);
    tvp_json_int(j, "family_index", family);
    tvp_json_int(j, "per_family_instance_index", 0);
    tvp_json_string(j, "run_name", run_name);
    tvp_json_string(j, "run_type", run_type);
    tvp_json_int(j, "repetitions", (long long)f->n_samples);
}

static void figure(struct tvp_json *j, const struct tvp_resultset *rs, const struct tvp_fig *f,
                   long long family)
{
    char name[320], agg_name[340];
    tvp_fig_name(f, name, sizeof name);
    const struct tvp_fig *cpu = cpu_of(rs, f);
    for (size_t k = 0; k < f->n_samples; k++) {
        tvp_json_begin_object(j, NULL);
        common(j, name, name, family, f, "iteration");
        tvp_json_int(j, "repetition_index", (long long)k);
        tvp_json_int(j, "threads", 1);
        tvp_json_number(j, "real_time", f->samples[k]);
        tvp_json_number(j, "cpu_time", cpu ? cpu->samples[k] : f->samples[k]);
        tvp_json_string(j, "time_unit", f->unit);
        counters(j, rs, f, (long)k, 0);
        tvp_json_end_object(j);
    }
    struct tvp_stats s, cs;
    /* Google Benchmark writes aggregates only from two repetitions on. */
    if (f->n_samples < 2 || tvp_stats_compute(f->samples, f->n_samples, &s) != 0 ||
        (cpu && tvp_stats_compute(cpu->samples, cpu->n_samples, &cs) != 0))
        return;
    for (int a = 0; a < 4; a++) {
        snprintf(agg_name, sizeof agg_name, "%s_%s", name, agg_names[a]);
        tvp_json_begin_object(j, NULL);
        common(j, agg_name, name, family, f, "aggregate");
        tvp_json_int(j, "threads", 1);
        tvp_json_string(j, "aggregate_name", agg_names[a]);
        if (a == 3)
            tvp_json_string(j, "aggregate_unit", "percentage");
        tvp_json_number(j, "real_time", agg(&s, a));
        tvp_json_number(j, "cpu_time", agg(cpu ? &cs : &s, a));
        tvp_json_string(j, "time_unit", f->unit);
        if (a == 1) {
            tvp_json_number(j, "ci_low", f->ci_low);
            tvp_json_number(j, "ci_high", f->ci_high);
            if (f->stop != TVP_STOP_NONE)
                tvp_json_string(j, "stop", tvp_stop_name(f->stop));
        }
        counters(j, rs, f, -1, a);
        tvp_json_end_object(j);
    }
}

/* Whether f has an entry of its own: an ok time figure with samples, not another's CPU time. */
static int has_entry(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    return usable(f) && is_time_unit(f->unit) && !is_cpu_of_other(rs, f);
}

/* Whether a non-time figure rides as a counter on some time figure of its case. */
static int is_counter_of_entry(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    for (size_t i = 0; i < rs->n; i++)
        if (same_case(&rs->figs[i], f) && has_entry(rs, &rs->figs[i]))
            return 1;
    return 0;
}

static void context(struct tvp_json *j, const struct tvp_resultset *rs, const json_t *meta,
                    const struct tvp_meta_facts *m)
{
    tvp_json_begin_object(j, "context");
    tvp_json_string(j, "date", m->date);
    tvp_json_string(j, "host_name", m->host);
    tvp_json_string(j, "executable", "tvpbench");
    if (m->pus > 0)
        tvp_json_int(j, "num_cpus", m->pus);
    /* mhz_per_cpu is left out: the record keeps no clock rate it could honestly give. */
    const char *gov = tvp_meta_str(meta, "machine.governor");
    if (gov && strncmp(gov, "unavailable", 11) != 0)
        tvp_json_bool(j, "cpu_scaling_enabled", strcmp(gov, "performance") != 0);
    tvp_json_begin_array(j, "caches");
    const struct {
        const char *type;
        int level;
        long long size;
    } caches[] = {
        {"Data", 1, m->l1d_bytes}, {"Unified", 2, m->l2_bytes}, {"Unified", 3, m->l3_bytes}};
    for (size_t i = 0; i < 3; i++) {
        if (caches[i].size <= 0)
            continue;
        tvp_json_begin_object(j, NULL);
        tvp_json_string(j, "type", caches[i].type);
        tvp_json_int(j, "level", caches[i].level);
        tvp_json_int(j, "size", caches[i].size);
        tvp_json_end_object(j);
    }
    tvp_json_end_array(j);
    tvp_json_string(j, "library_build_type",
                    !strncmp(m->build_type, "release", 7) ? "release"
                    : m->build_type[0]                    ? "debug"
                                                          : "unknown");
    tvp_json_int(j, "tvpbench_schema", m->schema);
    tvp_json_string(j, "status", m->status);
    tvp_json_string(j, "figure_names", "group/benchmark/variant/model/placement[/param=N]/metric");
    tvp_json_string(j, "cpu_time",
                    "per sample where the record has the CPU time of the same batch: ipc's rtt "
                    "and per-msg (the cpu figure: user+system of both sides), python's per-job "
                    "and per-job-1 (worker-cpu, worker-cpu-1). Every other figure records no CPU "
                    "time per sample, so its cpu_time is its real_time; the run's average CPU "
                    "time per operation is the cpu_ns_per_op column of <group>.csv");
    tvp_json_string(j, "counters",
                    "a figure not counted in time (bytes, events, ratios, rates) is a number "
                    "named by its metric on the time figures of its case, per repetition when "
                    "it has one sample per repetition; <event>_per_op are the case's perf "
                    "counters per operation (aggregates only)");
    /* What compare.py cannot be shown, named so that nothing disappears silently. */
    tvp_json_begin_array(j, "not_in_benchmarks");
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        const char *why = NULL;
        if (strcmp(f->status, "ok") != 0)
            why = f->status;
        else if (!f->n_samples)
            why = "no samples";
        else if (!is_time_unit(f->unit) && !is_counter_of_entry(rs, f))
            why = "not a time, and its case has no time figure to carry it as a counter";
        if (!why)
            continue;
        char name[320];
        tvp_fig_name(f, name, sizeof name);
        tvp_json_begin_object(j, NULL);
        tvp_json_string(j, "name", name);
        tvp_json_string(j, "unit", f->unit);
        tvp_json_string(j, "why", why);
        tvp_json_end_object(j);
    }
    tvp_json_end_array(j);
    tvp_json_end_object(j);
}

int tvp_run_json_write(const struct tvp_resultset *rs, char *err, size_t errlen)
{
    struct tvp_meta_facts m;
    int why;
    json_t *meta = tvp_meta_load(rs->dir, &m, err, errlen, &why);
    if (!meta)
        return why;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/run.json", rs->dir);
    struct tvp_afile a;
    int rc = tvp_afile_open(&a, path);
    if (rc) {
        tvp_errfmt(err, errlen, rc, "%s: creating", path);
        json_decref(meta);
        return rc;
    }
    struct tvp_json j;
    tvp_json_init(&j, a.f);
    tvp_json_begin_object(&j, NULL);
    context(&j, rs, meta, &m);
    json_decref(meta);
    tvp_json_begin_array(&j, "benchmarks");
    long long family = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (has_entry(rs, &rs->figs[i]))
            figure(&j, rs, &rs->figs[i], family++);
    tvp_json_end_array(&j);
    tvp_json_end_object(&j);
    tvp_json_finish(&j);
    rc = tvp_afile_commit(&a);
    if (rc)
        tvp_errfmt(err, errlen, rc, "%s: writing", path);
    return rc;
}
