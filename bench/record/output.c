#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "atomic_file.h"
#include "csv.h"
#include "json.h"
#include "stats.h"
#include "tvp_err.h"

/* The columns of <group>.csv before the counters', in the order csv_row writes them. */
static const char summary_header[] =
    "group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,median,ci_low,"
    "ci_high,mean,min,max,p5,p95,p99,mad,stddev,cv,noisy,outliers,stop,iterations,cpu_ns_per_op,"
    "status,note,ctr_running_min";

/* Per-figure facts shared by the CSV and JSON writers. */
struct figure {
    const struct tvp_case *c;
    const struct tvp_case_result *r;
    int m;
    struct tvp_stats st;
    int have_stats;
    char pus[TVP_CPUS_LEN];
    char note[640];
};

static void describe(struct figure *f, const struct tvp_run_ctx *ctx, const struct tvp_case *c,
                     const struct tvp_case_result *r, int m)
{
    memset(f, 0, sizeof *f);
    f->c = c;
    f->r = r;
    f->m = m;
    f->have_stats = r->status == TVP_OK && r->n_samples[m] > 0 &&
                    tvp_stats_compute(r->samples[m], r->n_samples[m], &f->st) == 0;
    snprintf(f->pus, sizeof f->pus, "%s", r->cpus);
    snprintf(f->note, sizeof f->note, "%s%s%s", c->note, c->note[0] && r->note[0] ? "; " : "",
             r->note);
    /* Pinned work must not move: a migration on a same-PU case means the binding did not hold. */
    for (int i = 0; i < ctx->n_ctr; i++)
        if (c->placement == TVP_PL_SAME_PU && r->ctr_valid[i] && r->ctr_per_op[i] > 0 &&
            strcmp(ctx->ctr_column[i], "cpu_migrations") == 0) {
            size_t used = strlen(f->note);
            snprintf(f->note + used, sizeof f->note - used,
                     "%s%.3g cpu-migrations per operation although pinned to one PU",
                     used ? "; " : "", r->ctr_per_op[i]);
        }
    if (f->have_stats && f->st.noisy) {
        size_t used = strlen(f->note);
        snprintf(f->note + used, sizeof f->note - used,
                 "%snoisy: the %.3g%% CI of the median spans %.1f%% of it", used ? "; " : "",
                 100.0 * f->st.ci_level, 100.0 * (f->st.ci_high - f->st.ci_low) / f->st.median);
    }
}

static void csv_row(FILE *out, const struct tvp_run_ctx *ctx, const struct figure *f)
{
    const struct tvp_case *c = f->c;
    const struct tvp_stats *s = &f->st;
    const char *text[] = {
        c->group->name, c->benchmark, c->variant, c->model, tvp_placement_name(c->placement),
        f->pus,         c->param};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        tvp_csv_field(out, text[i]);
        fputc(',', out);
    }
    if (c->param[0])
        fprintf(out, "%lld", c->param_value);
    fputc(',', out);
    tvp_csv_field(out, c->metric[f->m]);
    fputc(',', out);
    tvp_csv_field(out, c->unit[f->m]);
    fprintf(out, ",%zu", f->have_stats ? s->n : 0);
    double nums[] = {s->median, s->ci_low, s->ci_high, s->mean, s->min,    s->max,
                     s->p5,     s->p95,    s->p99,     s->mad,  s->stddev, s->cv};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        fputc(',', out);
        if (f->have_stats)
            tvp_csv_number(out, nums[i]);
    }
    fputc(',', out);
    if (f->have_stats)
        fprintf(out, "%d,%zu", s->noisy, s->outliers);
    else
        fputc(',', out);
    fprintf(out, ",%s,%llu,", tvp_stop_name(f->r->stop), f->r->iters);
    tvp_csv_number(out, f->r->cpu_ns_per_op);
    fputc(',', out);
    tvp_csv_field(out, tvp_case_status_name(f->r->status));
    fputc(',', out);
    tvp_csv_field(out, f->note);
    fputc(',', out);
    if (ctx->n_ctr > 0 && f->r->status == TVP_OK)
        tvp_csv_number(out, f->r->ctr_fraction_min);
    for (int i = 0; i < ctx->n_ctr; i++) {
        fputc(',', out);
        /* An event this machine cannot count stays empty: never 0 for "unknown". */
        if (f->r->ctr_valid[i])
            tvp_csv_number(out, f->r->ctr_per_op[i]);
    }
    fputc('\n', out);
}

static int write_csv(const struct tvp_run_ctx *ctx, const struct tvp_group *g,
                     const struct tvp_case *cases, const struct tvp_case_result *results, size_t n)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.csv", ctx->dir, g->name);
    struct tvp_afile a;
    int rc = tvp_afile_open(&a, path);
    if (rc)
        return rc;
    fputs(summary_header, a.f);
    for (int i = 0; i < ctx->n_ctr; i++)
        fprintf(a.f, ",ctr_%s", ctx->ctr_column[i]);
    fputc('\n', a.f);
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < cases[i].n_metrics; m++) {
            struct figure f;
            describe(&f, ctx, &cases[i], &results[i], m);
            csv_row(a.f, ctx, &f);
        }
    return tvp_afile_commit(&a);
}

static int write_samples(const struct tvp_run_ctx *ctx, const struct tvp_group *g,
                         const struct tvp_case *cases, const struct tvp_case_result *results,
                         size_t n)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.samples.csv", ctx->dir, g->name);
    struct tvp_afile a;
    int rc = tvp_afile_open(&a, path);
    if (rc)
        return rc;
    fputs("figure_id,group,benchmark,variant,model,placement,param,param_value,metric,unit,"
          "repetition,value\n",
          a.f);
    for (size_t i = 0; i < n; i++) {
        const struct tvp_case *c = &cases[i];
        for (int m = 0; m < c->n_metrics; m++) {
            char name[256];
            tvp_figure_name(name, sizeof name, c, m);
            /* Only a finished case's samples are measurements; a killed one's are not. */
            size_t n_kept = results[i].status == TVP_OK ? results[i].n_samples[m] : 0;
            for (size_t k = 0; k < n_kept; k++) {
                const char *text[] = {name,       c->group->name, c->benchmark,
                                      c->variant, c->model,       tvp_placement_name(c->placement),
                                      c->param};
                for (size_t t = 0; t < sizeof text / sizeof text[0]; t++) {
                    tvp_csv_field(a.f, text[t]);
                    fputc(',', a.f);
                }
                if (c->param[0])
                    fprintf(a.f, "%lld", c->param_value);
                fputc(',', a.f);
                tvp_csv_field(a.f, c->metric[m]);
                fputc(',', a.f);
                tvp_csv_field(a.f, c->unit[m]);
                fprintf(a.f, ",%zu,%.10g\n", k, results[i].samples[m][k]);
            }
        }
    }
    return tvp_afile_commit(&a);
}

static void json_context(struct tvp_json *j, const struct tvp_run_ctx *ctx,
                         const struct tvp_group *g)
{
    const struct tvp_topo_summary *t = &ctx->topo_sum;
    tvp_json_begin_object(j, "context");
    tvp_json_string(j, "date", ctx->date);
    tvp_json_string(j, "host_name", ctx->host);
    tvp_json_string(j, "executable", "tvpbench");
    tvp_json_int(j, "num_cpus", t->pus);
    tvp_json_int(j, "mhz_per_cpu", 0);
    tvp_json_begin_array(j, "caches");
    struct {
        const char *type;
        int level;
        unsigned long long size;
    } caches[] = {
        {"Data", 1, t->l1d_bytes}, {"Unified", 2, t->l2_bytes}, {"Unified", 3, t->l3_bytes}};
    for (size_t i = 0; i < 3; i++) {
        if (!caches[i].size)
            continue;
        tvp_json_begin_object(j, NULL);
        tvp_json_string(j, "type", caches[i].type);
        tvp_json_int(j, "level", caches[i].level);
        tvp_json_int(j, "size", (long long)caches[i].size);
        tvp_json_end_object(j);
    }
    tvp_json_end_array(j);
#ifdef NDEBUG
    tvp_json_string(j, "library_build_type", "release");
#else
    tvp_json_string(j, "library_build_type", "debug");
#endif
    tvp_json_int(j, "tvpbench_schema", TVP_SCHEMA_VERSION);
    tvp_json_string(j, "group", g->name);
    tvp_json_number(j, "timer_cost_ns", ctx->timer_cost_ns);
    tvp_json_int(j, "timer_resolution_ns", (long long)ctx->timer_resolution_ns);
    tvp_json_begin_object(j, "options");
    tvp_json_bool(j, "quick", ctx->opt->quick);
    tvp_json_int(j, "repetitions", ctx->opt->repetitions);
    tvp_json_int(j, "min_samples", ctx->opt->min_samples);
    tvp_json_number(j, "ci_target", ctx->opt->ci_target);
    tvp_json_number(j, "max_time_s", ctx->opt->max_time_s);
    tvp_json_number(j, "min_time_s", ctx->opt->min_time_s);
    tvp_json_number(j, "timeout_s", ctx->opt->timeout_s);
    tvp_json_string(j, "placement", ctx->opt->placements_arg);
    tvp_json_end_object(j);
    tvp_json_begin_object(j, "topology");
    tvp_json_int(j, "packages", t->packages);
    tvp_json_int(j, "numa_nodes", t->numa_nodes);
    tvp_json_int(j, "cores", t->cores);
    tvp_json_int(j, "pus", t->pus);
    tvp_json_int(j, "smt", t->smt);
    tvp_json_end_object(j);
    tvp_json_begin_array(j, "counters_available");
    for (int i = 0; i < ctx->n_ctr; i++)
        if (ctx->ctr_available[i])
            tvp_json_string(j, NULL, ctx->ctr_name[i]);
    tvp_json_end_array(j);
    tvp_json_begin_array(j, "counters_unavailable");
    for (int i = 0; i < ctx->n_ctr; i++) {
        if (ctx->ctr_available[i])
            continue;
        tvp_json_begin_object(j, NULL);
        tvp_json_string(j, "name", ctx->ctr_name[i]);
        tvp_json_string(j, "reason", ctx->ctr_reason[i]);
        tvp_json_end_object(j);
    }
    tvp_json_end_array(j);
    tvp_json_end_object(j);
}

static void json_common(struct tvp_json *j, const struct figure *f, const char *name,
                        long long family)
{
    const struct tvp_case *c = f->c;
    tvp_json_string(j, "name", name);
    tvp_json_int(j, "family_index", family);
    tvp_json_int(j, "per_family_instance_index", 0);
    tvp_json_string(j, "run_name", name);
    tvp_json_int(j, "repetitions", (long long)f->r->n_samples[f->m]);
    tvp_json_int(j, "threads", 1);
    tvp_json_int(j, "iterations", (long long)f->r->iters);
    tvp_json_string(j, "group", c->group->name);
    tvp_json_string(j, "benchmark", c->benchmark);
    tvp_json_string(j, "variant", c->variant);
    tvp_json_string(j, "model", c->model);
    tvp_json_string(j, "placement", tvp_placement_name(c->placement));
    tvp_json_string(j, "cpus", f->pus);
    if (c->param[0]) {
        tvp_json_string(j, "param", c->param);
        tvp_json_int(j, "param_value", c->param_value);
    }
    tvp_json_string(j, "metric", c->metric[f->m]);
    tvp_json_string(j, "unit", c->unit[f->m]);
    tvp_json_string(j, "status", tvp_case_status_name(f->r->status));
    tvp_json_string(j, "note", f->note);
}

static void json_value(struct tvp_json *j, const struct figure *f, double v)
{
    /* Google Benchmark's real_time/cpu_time are per iteration in time_unit. */
    tvp_json_number(j, "real_time", v);
    tvp_json_number(j, "cpu_time", f->r->cpu_ns_per_op);
    tvp_json_string(j, "time_unit", "ns");
}

static void json_figure(struct tvp_json *j, const struct tvp_run_ctx *ctx, const struct figure *f,
                        long long family)
{
    char name[256], agg_name[300];
    tvp_figure_name(name, sizeof name, f->c, f->m);
    const struct tvp_case_result *r = f->r;
    size_t n_kept = r->status == TVP_OK ? r->n_samples[f->m] : 0;
    for (size_t k = 0; k < n_kept; k++) {
        tvp_json_begin_object(j, NULL);
        json_common(j, f, name, family);
        tvp_json_string(j, "run_type", "iteration");
        tvp_json_int(j, "repetition_index", (long long)k);
        json_value(j, f, r->samples[f->m][k]);
        tvp_json_end_object(j);
    }
    if (!f->have_stats || f->st.n < 2) {
        if (r->status != TVP_OK) {
            /* A failed or killed case still gets one record, so tools see what happened. */
            tvp_json_begin_object(j, NULL);
            json_common(j, f, name, family);
            tvp_json_string(j, "run_type", "aggregate");
            tvp_json_string(j, "aggregate_name", "median");
            tvp_json_string(j, "time_unit", "ns");
            tvp_json_bool(j, "error_occurred", 1);
            tvp_json_string(j, "error_message", f->note);
            tvp_json_end_object(j);
        }
        return;
    }
    const struct tvp_stats *s = &f->st;
    const char *aggs[] = {"mean", "median", "stddev", "cv"};
    double vals[] = {s->mean, s->median, s->stddev, s->cv};
    for (size_t a = 0; a < 4; a++) {
        snprintf(agg_name, sizeof agg_name, "%s_%s", name, aggs[a]);
        tvp_json_begin_object(j, NULL);
        json_common(j, f, agg_name, family);
        tvp_json_string(j, "run_name", name);
        tvp_json_string(j, "run_type", "aggregate");
        tvp_json_string(j, "aggregate_name", aggs[a]);
        if (a == 3)
            tvp_json_string(j, "aggregate_unit", "percentage");
        json_value(j, f, vals[a]);
        if (a == 1) {
            tvp_json_number(j, "ci_low", s->ci_low);
            tvp_json_number(j, "ci_high", s->ci_high);
            tvp_json_number(j, "ci_level", s->ci_level);
            tvp_json_number(j, "min", s->min);
            tvp_json_number(j, "max", s->max);
            tvp_json_number(j, "p5", s->p5);
            tvp_json_number(j, "p95", s->p95);
            tvp_json_number(j, "p99", s->p99);
            tvp_json_number(j, "mad", s->mad);
            tvp_json_bool(j, "noisy", s->noisy);
            tvp_json_int(j, "outliers", (long long)s->outliers);
            tvp_json_string(j, "stop", tvp_stop_name(r->stop));
            /* A rate only where the metric is the cost of one unit of work, not a latency. */
            if (strcmp(f->c->unit[f->m], "ns") == 0 &&
                strncmp(f->c->metric[f->m], "per-", 4) == 0 && s->median > 0)
                tvp_json_number(j, "items_per_second", 1e9 / s->median);
            tvp_json_begin_object(j, "counters");
            for (int i = 0; i < ctx->n_ctr; i++) {
                if (r->ctr_valid[i])
                    tvp_json_number(j, ctx->ctr_column[i], r->ctr_per_op[i]);
                else
                    tvp_json_null(j, ctx->ctr_column[i]);
            }
            if (ctx->n_ctr > 0)
                tvp_json_number(j, "running_fraction_min", r->ctr_fraction_min);
            tvp_json_end_object(j);
        }
        tvp_json_end_object(j);
    }
}

static int write_json(const struct tvp_run_ctx *ctx, const struct tvp_group *g,
                      const struct tvp_case *cases, const struct tvp_case_result *results, size_t n)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s.json", ctx->dir, g->name);
    struct tvp_afile a;
    int rc = tvp_afile_open(&a, path);
    if (rc)
        return rc;
    struct tvp_json j;
    tvp_json_init(&j, a.f);
    tvp_json_begin_object(&j, NULL);
    json_context(&j, ctx, g);
    tvp_json_begin_array(&j, "benchmarks");
    long long family = 0;
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < cases[i].n_metrics; m++) {
            struct figure f;
            describe(&f, ctx, &cases[i], &results[i], m);
            json_figure(&j, ctx, &f, family++);
        }
    tvp_json_end_array(&j);
    tvp_json_end_object(&j);
    tvp_json_finish(&j);
    return tvp_afile_commit(&a);
}

int tvp_output_group(const struct tvp_run_ctx *ctx, const struct tvp_group *g,
                     const struct tvp_case *cases, const struct tvp_case_result *results, size_t n)
{
    int rc = write_csv(ctx, g, cases, results, n);
    if (!rc)
        rc = write_samples(ctx, g, cases, results, n);
    if (!rc)
        rc = write_json(ctx, g, cases, results, n);
    return rc;
}
