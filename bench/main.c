/* tvpbench: the benchmark binary that run.sh drives.
 *
 *   tvpbench run [options] GROUP...|all   run benchmarks into a results folder
 *   tvpbench list [GROUP...]              groups and their benchmarks
 *   tvpbench list --cases [options] [GROUP...|all]
 *                                         the cases a run would execute, by name, with estimates
 *   tvpbench help [GROUP]                 usage, or one group's benchmarks
 *   tvpbench --version                    the version
 *   tvpbench chart-data DIR               write charts/<name>.dat for gnuplot from a results folder
 *   tvpbench report DIR                   write report.md and report.html from a results folder
 *   tvpbench placements                   the placements planned for this machine
 *   tvpbench compare DIR_A DIR_B...       runs side by side: compare.md and compare.html
 *
 * Exit status of run: 0 when every case was ok; 3 when the run completed and wrote everything
 * but some cases failed, timed out or crashed (their status and note say which); 1 when the
 * results could not be written; 2 for a bad command line or nothing to run; 128 + the signal
 * when a signal stopped it (130 for Ctrl-C), the finished cases kept. chart-data and report exit
 * 4 when they wrote what they could but parts of the folder could not be read (each named on
 * stderr), 1 when the folder cannot be read at all. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <libgen.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "case_name.h"
#include "clock.h"
#include "compare.h"
#include "estimate.h"
#include "sampling.h"
#include "group.h"
#include "meta.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "run_ctx.h"
#include "run_tally.h"
#include "supervisor.h"
#include "tvp_err.h"

#define TVP_EXIT_CASES_FAILED 3

#ifndef TVP_VERSION
#error "TVP_VERSION is set by CMakeLists.txt (project VERSION, with git describe where available)"
#endif

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tvpbench COMMAND ...\n"
        "  run [options] GROUP...|all   run benchmark groups into a results folder\n"
        "  list [GROUP...]              list groups and their benchmarks\n"
        "  list --cases [options] [GROUP...|all]\n"
        "                               every case the run would execute (default: all\n"
        "                               groups), one per line by the name --only matches,\n"
        "                               with an estimate of its time, its floor of samples and\n"
        "                               its time cap, and the total; nothing is run. The\n"
        "                               estimate is (samples + %g batches) x --min-time per\n"
        "                               case, plus %g s for its process and set-up, plus %g of\n"
        "                               its cap beyond the floor: a case whose single\n"
        "                               operation outlasts --min-time takes longer\n"
        "  placements                   show the placements planned for this machine\n"
        "  chart-data DIR               write chart data (charts/<name>.dat) from a results "
        "folder\n"
        "  report DIR                   write report.md and report.html from a results "
        "folder\n"
        "  compare [--out DIR] DIR_A DIR_B...\n"
        "                               runs side by side (ratios, U tests, verdicts)\n"
        "  help [GROUP]                 this text, or GROUP's benchmarks\n"
        "  --version                    the version\n",
        TVP_ESTIMATE_EXTRA_BATCHES, TVP_ESTIMATE_CASE_SETUP_S, TVP_ESTIMATE_CAP_SHARE);
    tvp_options_help(f);
    fputs("groups:", f);
    for (size_t i = 0; i < tvp_groups_len; i++)
        fprintf(f, " %s", tvp_groups[i]->name);
    fputs("\n", f);
}

static void print_group(const struct tvp_group *gr)
{
    printf("%-10s %s\n", gr->name, gr->description);
    int width = 12; /* the group's longest benchmark name sets the column */
    for (size_t b = 0; b < gr->n_benches; b++)
        if ((int)strlen(gr->benches[b].name) > width)
            width = (int)strlen(gr->benches[b].name);
    for (size_t b = 0; b < gr->n_benches; b++)
        printf("  %-*s %s\n", width, gr->benches[b].name, gr->benches[b].description);
}

/* The groups named by words ("all": every one, in run order), each once. Prints one line and
 * returns 2 for a word that is no group. */
static int find_groups(char **words, int n_words, const struct tvp_group **groups, size_t *n_groups)
{
    *n_groups = 0;
    for (int i = 0; i < n_words; i++) {
        if (strcmp(words[i], "all") == 0) {
            *n_groups = 0;
            for (size_t g = 0; g < tvp_groups_len; g++)
                groups[(*n_groups)++] = tvp_groups[g];
            break;
        }
        const struct tvp_group *g = tvp_group_find(words[i]);
        if (!g) {
            fprintf(stderr, "tvpbench: unknown group '%s'; accepted: all", words[i]);
            for (size_t k = 0; k < tvp_groups_len; k++)
                fprintf(stderr, ", %s", tvp_groups[k]->name);
            fputc('\n', stderr);
            return 2;
        }
        int seen = 0;
        for (size_t k = 0; k < *n_groups; k++)
            seen |= groups[k] == g;
        if (!seen && *n_groups < tvp_groups_len)
            groups[(*n_groups)++] = g;
    }
    return 0;
}

/* The machine to plan for: this one, or --topology's (an hwloc XML file, or
 * "synthetic:DESCRIPTION"). Returns 0; 2 after one line when --topology cannot be loaded; 1
 * after one line when this machine's cannot. */
static int load_machine(struct tvp_run_ctx *ctx)
{
    char err[768];
    const char *spec = ctx->opt ? ctx->opt->topology : "";
    static const char synth[] = "synthetic:";
    int rc;
    if (!spec[0])
        rc = tvp_topo_load_system(&ctx->topo, err, sizeof err);
    else if (strncmp(spec, synth, sizeof synth - 1) == 0)
        rc = tvp_topo_load_synthetic(spec + sizeof synth - 1, &ctx->topo, err, sizeof err);
    else
        rc = tvp_topo_load_xml(spec, &ctx->topo, err, sizeof err);
    if (rc) {
        if (spec[0])
            fprintf(stderr,
                    "tvpbench: --topology: %s; accepted: an hwloc XML file (lstopo FILE.xml) or "
                    "synthetic:DESCRIPTION\n",
                    err);
        else
            fprintf(stderr, "tvpbench: %s\n", err);
        return spec[0] ? 2 : 1;
    }
    tvp_topo_summarize(ctx->topo, &ctx->topo_sum);
    return tvp_plan_placements(ctx->topo, ctx->placements) ? 1 : 0;
}

/* "this machine" or the --topology argument, and what hwloc made of it: the plan's header. */
static void print_planned_machine(const struct tvp_run_ctx *ctx)
{
    const struct tvp_topo_summary *t = &ctx->topo_sum;
    const struct tvp_options *o = ctx->opt;
    char rule[120];
    if (o->repetitions > 0)
        snprintf(rule, sizeof rule, "%d repetitions", o->repetitions);
    else
        snprintf(rule, sizeof rule, "CI target ±%g%%, %d+ samples, cap %g s per case",
                 100.0 * o->ci_target, o->min_samples, o->max_time_s);
    printf("plan for %s%s: %d package(s), %d NUMA node(s), %d core(s), %d PU(s), SMT %d; %s run: "
           "%s, --min-time %g s\n",
           o->topology[0] ? "--topology " : "this machine", o->topology, t->packages, t->numa_nodes,
           t->cores, t->pus, t->smt, o->quick ? "quick" : "full", rule, o->min_time_s);
}
static void print_placements(const struct tvp_placement *p, int to_log)
{
    for (int k = 0; k < TVP_PL_COUNT; k++) {
        char line[300];
        if (p[k].available)
            snprintf(line, sizeof line, "placement %-12s PU %d + PU %d: %s",
                     tvp_placement_name(p[k].kind), p[k].pu_a, p[k].pu_b, p[k].detail);
        else
            snprintf(line, sizeof line, "placement %-12s unavailable: %s",
                     tvp_placement_name(p[k].kind), p[k].reason);
        if (to_log)
            tvp_log("%s", line);
        else
            printf("%s\n", line);
    }
}

static int cmd_placements(void)
{
    struct tvp_run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (load_machine(&ctx) != 0)
        return 1;
    print_placements(ctx.placements, 0);
    tvp_topo_free(ctx.topo);
    return 0;
}

static int make_out_dir(struct tvp_run_ctx *ctx, const struct tvp_options *o)
{
    if (o->out_given) {
        snprintf(ctx->dir, sizeof ctx->dir, "%s", o->out_dir);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        if (mkdir("results", 0755) != 0 && errno != EEXIST) {
            tvp_warn(errno, "creating the results folder");
            return 1;
        }
        snprintf(ctx->dir, sizeof ctx->dir, "results/%s-%s", ctx->host, stamp);
    }
    if (mkdir(ctx->dir, 0755) != 0) {
        if (errno != EEXIST) {
            tvp_warn(errno, "creating the run folder %s", ctx->dir);
            return 1;
        }
        DIR *d = opendir(ctx->dir);
        if (!d) {
            tvp_warn(errno, "opening the run folder %s", ctx->dir);
            return 1;
        }
        struct dirent *e;
        int empty = 1;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                empty = 0;
        closedir(d);
        if (!empty) {
            fprintf(stderr, "tvpbench: %s is not empty; --out takes a new or empty folder\n",
                    ctx->dir);
            return 2;
        }
    }
    return 0;
}

static void probe_counters(struct tvp_run_ctx *ctx, const struct tvp_options *o)
{
    ctx->n_ctr = o->n_counters;
    for (int i = 0; i < o->n_counters; i++) {
        snprintf(ctx->ctr_name[i], sizeof ctx->ctr_name[i], "%s", o->counter_names[i]);
        tvp_counter_column_name(o->counter_names[i], ctx->ctr_column[i], sizeof ctx->ctr_column[i]);
    }
    if (o->n_counters == 0) {
        tvp_log("counters: off (--no-counters)");
        return;
    }
    struct tvp_counter_set *s = NULL;
    char err[256];
    if (tvp_counters_open(o->counter_names, (size_t)o->n_counters, 1, &s, err, sizeof err) != 0) {
        tvp_log("counters: none available: %s", err);
        for (int i = 0; i < ctx->n_ctr; i++)
            snprintf(ctx->ctr_reason[i], sizeof ctx->ctr_reason[i], "%s", err);
        return;
    }
    for (int i = 0; i < ctx->n_ctr; i++) {
        ctx->ctr_available[i] = tvp_counter_available(s, (size_t)i);
        snprintf(ctx->ctr_reason[i], sizeof ctx->ctr_reason[i], "%s",
                 tvp_counter_reason(s, (size_t)i));
        if (ctx->ctr_available[i])
            tvp_log("counter %-16s available", ctx->ctr_name[i]);
        else
            tvp_log("counter %-16s unavailable: %s", ctx->ctr_name[i], ctx->ctr_reason[i]);
    }
    tvp_counters_close(s);
}

/* Where the helper programs are (built beside this binary), for the planners and the cases. */
static void find_helpers(struct tvp_run_ctx *ctx)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return;
    self[len] = '\0';
    const char *dir = dirname(self);
    snprintf(ctx->helper_path, sizeof ctx->helper_path, "%s/tvp-spawn-helper", dir);
    if (!getenv("TVP_SPAWN_HELPER") && setenv("TVP_SPAWN_HELPER", ctx->helper_path, 1) != 0)
        tvp_warn(errno, "setting TVP_SPAWN_HELPER");
    char demo[PATH_MAX + 16];
    snprintf(demo, sizeof demo, "%s/tvp-exit-demo", dir);
    if (!getenv("TVP_EXIT_DEMO") && setenv("TVP_EXIT_DEMO", demo, 1) != 0)
        tvp_warn(errno, "setting TVP_EXIT_DEMO");
}

/* Plans every group into plans[] and keeps the cases --only selects, in plan order; *total is
 * how many are kept. Runs nothing. Returns 0, or 1 with one line on stderr when a planner
 * failed. */
static int plan_groups(struct tvp_run_ctx *ctx, const struct tvp_group **groups, size_t n_groups,
                       struct tvp_plan *plans, size_t *total)
{
    struct tvp_plan_ctx pctx = {ctx->opt, ctx->placements, ctx->topo, ctx->helper_path};
    *total = 0;
    for (size_t g = 0; g < n_groups; g++) {
        int rc = groups[g]->plan(&plans[g], &pctx);
        if (rc) {
            fprintf(stderr, "tvpbench: %s: planning failed: %s\n", groups[g]->name, strerror(rc));
            return 1;
        }
        size_t kept = 0;
        for (size_t i = 0; i < plans[g].len; i++) {
            char name[TVP_CASE_NAME_LEN];
            tvp_case_name(name, sizeof name, &plans[g].cases[i]);
            if (tvp_options_only_match(ctx->opt, name))
                plans[g].cases[kept++] = plans[g].cases[i];
        }
        plans[g].len = kept;
        *total += kept;
    }
    return 0;
}

static void free_plans(struct tvp_plan *plans, size_t n_groups)
{
    for (size_t g = 0; g < n_groups; g++)
        tvp_plan_free(&plans[g]);
}

/* The line that says --only selected nothing; 2 (a usage error). */
static int refuse_no_match(const struct tvp_options *o)
{
    fprintf(stderr,
            "tvpbench: nothing to run: no planned case matches --only '%s' (the names are "
            "listed by: tvpbench list --cases)\n",
            o->only);
    return 2;
}

/* The planners' reasons and findings, into run.log and meta.json's environment. */
static void log_plans(struct tvp_run_ctx *ctx, const struct tvp_group **groups, size_t n_groups,
                      const struct tvp_plan *plans)
{
    for (size_t g = 0; g < n_groups; g++) {
        for (int s = 0; s < plans[g].n_skipped; s++)
            tvp_log("%s: skipped %s", groups[g]->name, plans[g].skipped[s]);
        if ((plans[g].facts[0] || plans[g].missing[0]) && ctx->n_env < 16) {
            int e = ctx->n_env++;
            snprintf(ctx->env_group[e], sizeof ctx->env_group[e], "%s", groups[g]->name);
            snprintf(ctx->env_facts[e], sizeof ctx->env_facts[e], "%s", plans[g].facts);
            snprintf(ctx->env_missing[e], sizeof ctx->env_missing[e], "%s", plans[g].missing);
            if (plans[g].facts[0])
                tvp_log("%s: %s", groups[g]->name, plans[g].facts);
        }
    }
}

static int run_groups(struct tvp_run_ctx *ctx, const struct tvp_group **groups, size_t n_groups,
                      struct tvp_plan *plans, size_t total)
{
    /* Every case process is forked from this one: drop the topology (and give its heap back) so
     * the measured parent is small, as a fork benchmark's parent should be. */
    tvp_topo_free(ctx->topo);
    ctx->topo = NULL;
    malloc_trim(0);
    if (total == 0) {
        tvp_log("nothing to run: every case was skipped (see the reasons above)");
        return 2;
    }
    double *est = malloc(total * sizeof *est);
    size_t k = 0;
    for (size_t g = 0; est != NULL && g < n_groups; g++)
        for (size_t i = 0; i < plans[g].len; i++)
            est[k++] = tvp_case_estimate_s(&plans[g].cases[i], ctx->opt);
    tvp_progress_begin(total, est); /* without the estimates (no memory): by the case count */
    free(est);
    size_t index = 0;
    int failures = 0;
    uint64_t t0 = tvp_now_ns();
    for (size_t g = 0; g < n_groups && !ctx->interrupted; g++) {
        struct tvp_plan *p = &plans[g];
        struct tvp_case_result *res = calloc(p->len ? p->len : 1, sizeof *res);
        if (!res)
            tvp_die(ENOMEM, "allocating results");
        size_t done = 0;
        for (; done < p->len; done++, index++) {
            char label[TVP_CASE_NAME_LEN];
            tvp_case_name(label, sizeof label, &p->cases[done]);
            tvp_progress_case(index, label);
            int rc = tvp_supervise_case(&p->cases[done], ctx->opt, ctx->timer_cost_ns, &res[done]);
            if (rc == EINTR) {
                /* Recorded without its partial samples, so the record shows where it stopped. */
                double seconds = res[done].seconds;
                tvp_case_result_free(&res[done]);
                res[done].status = TVP_INTERRUPTED;
                res[done].seconds = seconds;
                snprintf(res[done].note, sizeof res[done].note, "interrupted by %s",
                         strsignal(tvp_supervisor_signal()));
                char status[sizeof res[done].note + 16];
                snprintf(status, sizeof status, "interrupted: %s", res[done].note);
                tvp_progress_done(index, label, status, seconds);
                done++;
                ctx->interrupted = 1;
                break;
            }
            if (rc) {
                tvp_log("%s: could not start the benchmark process: %s", label, strerror(rc));
                res[done].status = TVP_FAILED;
                snprintf(res[done].note, sizeof res[done].note, "could not start: %s",
                         strerror(rc));
            }
            if (res[done].status != TVP_OK)
                failures++;
            char status[400];
            snprintf(status, sizeof status, "%s%s%s", tvp_case_status_name(res[done].status),
                     res[done].note[0] && res[done].status != TVP_OK ? ": " : "",
                     res[done].status != TVP_OK ? res[done].note : "");
            tvp_progress_done(index, label, status, res[done].seconds);
            tvp_tally_add(label, res[done].seconds, res[done].stop, res[done].n_samples[0],
                          res[done].sampling_s, res[done].worst_rel_halfwidth);
        }
        if (done > 0) {
            if (tvp_output_group(ctx, groups[g], p->cases, res, done) != 0) {
                ctx->write_failed = 1;
            } else {
                size_t used = strlen(ctx->groups_run);
                snprintf(ctx->groups_run + used, sizeof ctx->groups_run - used, "%s%s",
                         used ? "," : "", groups[g]->name);
            }
        }
        for (size_t i = 0; i < done; i++)
            tvp_case_result_free(&res[i]);
        free(res);
    }
    ctx->estimated_s = tvp_progress_estimated_s();
    tvp_progress_end();
    tvp_tally_log();
    ctx->seconds = (double)(tvp_now_ns() - t0) / 1e9;
    if (failures)
        tvp_log("%d benchmark case(s) did not finish ok; see the status and note columns",
                failures);
    return failures ? TVP_EXIT_CASES_FAILED : 0;
}

/* The longest planned case's estimate, for the watchdog warning. */
static double longest_estimate_s(const struct tvp_plan *plans, size_t n_groups,
                                 const struct tvp_options *o)
{
    double longest = 0;
    for (size_t g = 0; g < n_groups; g++)
        for (size_t i = 0; i < plans[g].len; i++) {
            double s = tvp_case_longest_s(&plans[g].cases[i], o);
            if (s > longest)
                longest = s;
        }
    return longest;
}

/* Parses argv[first..) as run options and group words into o and groups (no word: every group,
 * unless need_groups, which refuses that), then resolves the defaults. Returns 0, or 2 after one
 * line on stderr. */
static int parse_run_args(int argc, char **argv, int first, struct tvp_options *o,
                          const struct tvp_group **groups, size_t *n_groups, int need_groups)
{
    char *words[32];
    int n_words;
    int rc = tvp_options_parse(o, argc, argv, first, words, 32, &n_words);
    if (rc)
        return rc;
    if (n_words == 0 && need_groups) {
        fprintf(stderr, "tvpbench: run: name groups or 'all'; groups: see 'tvpbench list'\n");
        return 2;
    }
    char all[] = "all";
    char *every[] = {all};
    if ((rc = n_words ? find_groups(words, n_words, groups, n_groups)
                      : find_groups(every, 1, groups, n_groups)) != 0)
        return rc;
    tvp_options_resolve(o);
    return 0;
}

/* The planned cases by name, each with its estimate, and the total, under options o (parsed and
 * resolved) for groups; with a header naming the machine planned for when header. Runs and
 * creates nothing. list --cases and run --dry-run. */
static int print_plan(struct tvp_options *o, const struct tvp_group **groups, size_t n_groups,
                      int header)
{
    int rc = 0;
    struct tvp_run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.opt = o;
    struct tvp_plan *plans = calloc(tvp_groups_len, sizeof *plans);
    size_t total = 0;
    if (!rc && !plans)
        rc = 1, tvp_warn(ENOMEM, "planning");
    if (!rc)
        rc = load_machine(&ctx);
    if (!rc) {
        find_helpers(&ctx);
        rc = plan_groups(&ctx, groups, n_groups, plans, &total);
    }
    if (!rc && header)
        print_planned_machine(&ctx);
    if (!rc && total == 0)
        rc = o->only[0] ? refuse_no_match(o) : 0;
    if (!rc) {
        for (size_t g = 0; g < n_groups; g++)
            for (int s = 0; s < plans[g].n_skipped; s++)
                fprintf(stderr, "tvpbench: %s: skipped %s\n", groups[g]->name, plans[g].skipped[s]);
        size_t width = 0;
        for (size_t g = 0; g < n_groups; g++)
            for (size_t i = 0; i < plans[g].len; i++) {
                char name[TVP_CASE_NAME_LEN];
                tvp_case_name(name, sizeof name, &plans[g].cases[i]);
                if (strlen(name) > width)
                    width = strlen(name);
            }
        double sum = 0;
        for (size_t g = 0; g < n_groups; g++)
            for (size_t i = 0; i < plans[g].len; i++) {
                char name[TVP_CASE_NAME_LEN];
                tvp_case_name(name, sizeof name, &plans[g].cases[i]);
                double est = tvp_case_estimate_s(&plans[g].cases[i], o);
                struct tvp_sampling rule;
                tvp_sampling_for_case(&plans[g].cases[i], o, &rule);
                sum += est;
                if (rule.fixed)
                    printf("%-*s  %8.2f s  %d samples\n", (int)width, name, est, rule.n_min);
                else
                    printf("%-*s  %8.2f s  %d+ samples, cap %g s%s\n", (int)width, name, est,
                           rule.n_min, rule.cap_s, rule.cap_is_case ? " (its own)" : "");
            }
        printf("total: %zu cases, about %.2f s estimated", total, sum);
        long whole = lround(sum);
        if (whole >= 60)
            printf(" (%ld min %ld s)", whole / 60, whole % 60);
        putchar('\n');
        if (fflush(stdout) != 0 || ferror(stdout)) {
            tvp_warn(errno, "writing the list");
            rc = 1;
        }
    }
    if (plans)
        free_plans(plans, n_groups);
    free(plans);
    tvp_topo_free(ctx.topo);
    return rc;
}

/* list --cases: argv holds "list" and the run's options and groups (--cases taken out). */
static int cmd_list_cases(int argc, char **argv)
{
    struct tvp_options o;
    memset(&o, 0, sizeof o);
    const struct tvp_group *groups[64];
    size_t n_groups = 0;
    int rc = parse_run_args(argc, argv, 2, &o, groups, &n_groups, 0);
    if (!rc)
        rc = print_plan(&o, groups, n_groups, o.dry_run);
    tvp_options_free(&o);
    return rc;
}

/* list [GROUP...]: the groups and their benchmarks; help GROUP: one group's. */
static int cmd_list(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--cases") == 0) {
            /* The rest are the run's own options and groups, in any order around --cases. */
            char **rest = malloc((size_t)argc * sizeof *rest);
            if (!rest) {
                tvp_warn(ENOMEM, "reading the command line");
                return 1;
            }
            int n = 0;
            for (int k = 0; k < argc; k++)
                if (k != i)
                    rest[n++] = argv[k];
            int rc = cmd_list_cases(n, rest);
            free(rest);
            return rc;
        }
    for (int i = 2; i < argc; i++)
        if (argv[i][0] == '-') {
            fprintf(stderr,
                    "tvpbench: list: '%s' is an option of a run; accepted here: GROUP names, "
                    "or --cases [run options] [GROUP...]\n",
                    argv[i]);
            return 2;
        }
    const struct tvp_group *groups[64];
    size_t n_groups = 0;
    char all[] = "all";
    char *every[] = {all};
    int rc = argc > 2 ? find_groups(argv + 2, argc - 2, groups, &n_groups)
                      : find_groups(every, 1, groups, &n_groups);
    if (rc)
        return rc;
    for (size_t g = 0; g < n_groups; g++)
        print_group(groups[g]);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    struct tvp_options o;
    memset(&o, 0, sizeof o);
    const struct tvp_group *groups[64];
    size_t n_groups = 0;
    int rc = parse_run_args(argc, argv, 2, &o, groups, &n_groups, 1);
    if (!rc && o.dry_run)
        rc = print_plan(&o, groups, n_groups, 1);
    else if (!rc && o.topology[0]) {
        fprintf(stderr,
                "tvpbench: --topology %s: a run measures this machine only; use --dry-run (or "
                "list --cases) to see the plan for another\n",
                o.topology);
        rc = 2;
    }
    if (rc || o.dry_run) {
        tvp_options_free(&o);
        return rc;
    }
    for (int i = 0; i < o.n_counters; i++) {
        char why[160];
        if (tvp_counter_name_known(o.counter_names[i], why, sizeof why) == 0) {
            fprintf(stderr,
                    "tvpbench: --counters: unknown event '%s' (%s); accepted: perf and "
                    "libpfm4 event names, e.g. cycles,task-clock,page-faults\n",
                    o.counter_names[i], why);
            tvp_options_free(&o);
            return 2;
        }
    }
    struct tvp_run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.opt = &o;
    ctx.estimated_s = -1;
    struct tvp_plan *plans = calloc(tvp_groups_len, sizeof *plans);
    if (!plans) {
        tvp_warn(ENOMEM, "planning");
        tvp_options_free(&o);
        return 1;
    }
    size_t total = 0;
    /* Before anything else, so a Ctrl-C at any moment leaves a folder marked incomplete. */
    if ((rc = tvp_supervisor_init()) != 0) {
        tvp_warn(rc, "installing signal handlers");
        rc = 1;
        goto out;
    }
    /* The plan before the run folder: a --only that selects nothing is refused without
     * leaving a folder behind. */
    if (load_machine(&ctx) != 0) {
        rc = 1;
        goto out;
    }
    find_helpers(&ctx);
    if ((rc = plan_groups(&ctx, groups, n_groups, plans, &total)) != 0)
        goto out;
    if (total == 0 && o.only[0]) {
        rc = refuse_no_match(&o);
        goto out;
    }

    if (gethostname(ctx.host, sizeof ctx.host) != 0)
        snprintf(ctx.host, sizeof ctx.host, "unknown-host");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ctx.date, sizeof ctx.date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((rc = make_out_dir(&ctx, &o)) != 0)
        goto out;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/run.log", ctx.dir);
    if ((rc = tvp_log_open(path)) != 0) {
        tvp_warn(rc, "opening %s", path);
        rc = 1;
        goto out;
    }
    tvp_log("tvpbench %s: run folder %s", TVP_VERSION, ctx.dir);
    double need_s = longest_estimate_s(plans, n_groups, &o);
    if (o.timeout_s < 2 * need_s)
        tvp_log("warning: --timeout %g s is less than twice what the longest planned case may "
                "take with its whole time cap spent (about %.1f s, see tvpbench list --cases): "
                "cases may be killed by the watchdog",
                o.timeout_s, need_s);
    snprintf(path, sizeof path, "%s/topology.xml", ctx.dir);
    char tmp[PATH_MAX + 48], err[256];
    snprintf(tmp, sizeof tmp, "%s/.topology.xml.tmp", ctx.dir);
    if (tvp_topo_export_xml(ctx.topo, tmp, err, sizeof err) != 0 || rename(tmp, path) != 0) {
        tvp_log("tvpbench: saving topology.xml: %s", err[0] ? err : strerror(errno));
        unlink(tmp);
    }
    const struct tvp_topo_summary *t = &ctx.topo_sum;
    tvp_log("machine: %d package(s), %d NUMA node(s), %d core(s), %d PU(s), SMT %d", t->packages,
            t->numa_nodes, t->cores, t->pus, t->smt);
    print_placements(ctx.placements, 1);
    probe_counters(&ctx, &o);
    ctx.timer_cost_ns = tvp_timer_cost_ns();
    ctx.timer_resolution_ns = tvp_timer_resolution_ns();
    tvp_log("timer: CLOCK_MONOTONIC, %.1f ns per reading, resolution %llu ns", ctx.timer_cost_ns,
            (unsigned long long)ctx.timer_resolution_ns);
    log_plans(&ctx, groups, n_groups, plans);

    if (tvp_meta_write(&ctx, "running") != 0)
        ctx.write_failed = 1;
    rc = ctx.write_failed ? 1 : run_groups(&ctx, groups, n_groups, plans, total);
    ctx.interrupted |= tvp_supervisor_interrupted();
    const char *status = "complete";
    if (ctx.write_failed)
        status = "failed";
    else if (ctx.interrupted)
        status = "incomplete";
    else if (rc == 2)
        status = "nothing to run";
    if (tvp_meta_write(&ctx, status) != 0)
        ctx.write_failed = 1;
    /* The merged record for Google Benchmark's tools, read back from what was just written. */
    if (!ctx.write_failed && ctx.groups_run[0] && tvp_write_run_json(ctx.dir) != 0)
        ctx.write_failed = 1;
    char estimated[64] = "";
    if (ctx.estimated_s >= 0)
        snprintf(estimated, sizeof estimated, " (estimated %.1f s)", ctx.estimated_s);
    tvp_log("total time %.1f s%s%s; results in %s", ctx.seconds, estimated,
            ctx.interrupted ? " (interrupted: finished cases kept, run marked incomplete)" : "",
            ctx.dir);
    tvp_log_close();
    if (ctx.write_failed) {
        fprintf(stderr, "tvpbench: the results could not be written completely (see above)\n");
        rc = 1;
    } else if (ctx.interrupted) {
        rc = 128 + (tvp_supervisor_signal() ? tvp_supervisor_signal() : SIGINT);
    }
out:
    free_plans(plans, n_groups);
    free(plans);
    tvp_topo_free(ctx.topo);
    tvp_options_free(&o);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 && argc == 2) {
        printf("tvpbench %s\n", TVP_VERSION);
        return 0;
    }
    if ((strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) &&
        argc == 2) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 && argc == 3) {
        const struct tvp_group *g = tvp_group_find(argv[2]);
        if (!g) {
            fprintf(stderr, "tvpbench: help: unknown group '%s'; groups:", argv[2]);
            for (size_t k = 0; k < tvp_groups_len; k++)
                fprintf(stderr, "%s %s", k ? "," : "", tvp_groups[k]->name);
            fputc('\n', stderr);
            return 2;
        }
        print_group(g);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) {
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                usage(stdout);
                return 0;
            }
        return cmd_run(argc, argv);
    }
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc, argv);
    if (strcmp(cmd, "placements") == 0 && argc == 2)
        return cmd_placements();
    if (strcmp(cmd, "compare") == 0)
        return tvp_compare_main(argc - 2, argv + 2);
    if ((strcmp(cmd, "report") == 0 || strcmp(cmd, "chart-data") == 0) && argc == 3) {
        int rc = cmd[0] == 'r' ? tvp_write_report(argv[2]) : tvp_write_chart_data(argv[2]);
        return rc == TVP_READ_SKIPPED ? TVP_EXIT_READ_SKIPPED : rc ? 1 : 0;
    }
    if (cmd[0] == '-')
        fprintf(stderr,
                "tvpbench: %s needs a command first: tvpbench run %s GROUP...|all, or tvpbench "
                "list --cases %s\n",
                cmd, cmd, cmd);
    else
        fprintf(stderr,
                "tvpbench: unknown command or wrong arguments '%s'; accepted: run, list, "
                "placements, chart-data DIR, report DIR, compare DIR..., help [GROUP], --version\n",
                cmd);
    return 2;
}
