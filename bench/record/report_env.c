/* The run's conditions, read from meta.json, and the warnings they call for: a reader must know
 * before any figure when the run was weak (short, on a VM, noisy, sharing the machine) and what
 * would make it stronger, as Google Benchmark's "CPU scaling is enabled" line and pyperf check
 * say it. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "meta_read.h"
#include "options.h"
#include "report_parts.h"
#include "sampling.h"
#include "stats.h"

static void str(const json_t *root, const char *path, char *buf, size_t len)
{
    const char *v = tvp_meta_str(root, path);
    snprintf(buf, len, "%s", v ? v : "");
}

/* cycles and the like count the CPU's own events; a VM without a virtual PMU refuses them while
 * the kernel's software counters (context switches, page faults) still count. */
static int is_hw_counter(const char *name)
{
    static const char *const sw[] = {"task-clock",  "context-switches", "cpu-migrations",
                                     "page-faults", "cpu-clock",        "minor-faults",
                                     "major-faults"};
    for (size_t i = 0; i < sizeof sw / sizeof sw[0]; i++)
        if (!strcmp(name, sw[i]))
            return 0;
    return 1;
}

static void counters(const json_t *root, struct tvp_rpt_env *e)
{
    const json_t *list = json_object_get(json_object_get(root, "counters"), "available"), *v;
    size_t i;
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v))
            continue;
        const char *name = json_string_value(v);
        tvp_appendf(e->ctr_ok, sizeof e->ctr_ok, "%s%s", e->n_ctr_ok++ ? ", " : "", name);
        e->hw_ctr_ok |= is_hw_counter(name);
    }
    /* Counters refused for one reason (every hardware event on a VM without a PMU) are named
     * together, the reason once. */
    char names[16][300], reasons[16][320];
    int n = 0;
    list = json_object_get(json_object_get(root, "counters"), "unavailable");
    json_array_foreach(list, i, v)
    {
        const char *name = tvp_meta_str(v, "name"), *reason = tvp_meta_str(v, "reason");
        if (!name || !reason)
            continue;
        if (is_hw_counter(name) && !e->ctr_bad_reason[0])
            snprintf(e->ctr_bad_reason, sizeof e->ctr_bad_reason, "%s", reason);
        e->n_ctr_bad++;
        int k = 0;
        while (k < n && strcmp(reasons[k], reason) != 0)
            k++;
        if (k == n && n < 16) {
            names[n][0] = '\0';
            snprintf(reasons[n++], sizeof reasons[0], "%s", reason);
        }
        if (k < n)
            tvp_appendf(names[k], sizeof names[k], "%s%s", names[k][0] ? ", " : "", name);
    }
    for (int k = 0; k < n; k++)
        tvp_appendf(e->ctr_bad, sizeof e->ctr_bad, "%s%s (%s)", k ? "; " : "", names[k],
                    reasons[k]);
}

static void placements(const json_t *root, struct tvp_rpt_env *e)
{
    const json_t *list = json_object_get(root, "placements"), *v;
    size_t i;
    json_array_foreach(list, i, v)
    {
        /* An unavailable placement has a reason where an available one has a detail. */
        const char *name = tvp_meta_str(v, "name"), *detail = tvp_meta_str(v, "detail");
        if (name && detail)
            tvp_appendf(e->placements, sizeof e->placements, "%s%s: %s",
                        e->placements[0] ? "; " : "", name, detail);
    }
}

void tvp_rpt_read_env(const char *dir, struct tvp_rpt_env *e)
{
    memset(e, 0, sizeof *e);
    struct tvp_meta_facts facts;
    char err[512];
    int why;
    /* tvp_resultset_load has read and checked it already; it only fails here if it changed. */
    json_t *root = tvp_meta_load(dir, &facts, err, sizeof err, &why);
    if (!root)
        return;
    e->quick = (int)tvp_meta_num(root, "options.quick", 0);
    e->repetitions = (int)tvp_meta_num(root, "options.repetitions", 0);
    e->min_time_s = tvp_meta_num(root, "options.min_time_s", NAN);
    e->has_options = json_is_object(json_object_get(root, "options"));
    e->min_samples = (int)tvp_meta_num(root, "options.min_samples", 0);
    e->ci_target = tvp_meta_num(root, "options.ci_target", NAN);
    e->max_time_s = tvp_meta_num(root, "options.max_time_s", NAN);
    e->max_samples = (int)tvp_meta_num(root, "options.max_samples", TVP_SAMPLES_MAX);
    e->adaptive = e->repetitions == 0 && isfinite(e->ci_target) && e->ci_target > 0;
    str(root, "sampling_rule", e->sampling_rule, sizeof e->sampling_rule);
    if (e->adaptive && !e->sampling_rule[0]) {
        /* A folder whose meta.json lost the sentence: said again from its settings. */
        struct tvp_options o = {.min_samples = e->min_samples,
                                .ci_target = e->ci_target,
                                .max_time_s = e->max_time_s,
                                .min_time_s = e->min_time_s};
        tvp_sampling_describe(&o, e->sampling_rule, sizeof e->sampling_rule);
    }
    e->switch_interval_s = tvp_meta_num(root, "options.switch_interval_s", NAN);
    str(root, "options.placement", e->placement_opt, sizeof e->placement_opt);
    e->counters_on = (int)tvp_meta_num(root, "options.counters", 1);
    e->packages = (int)tvp_meta_num(root, "topology.packages", 0);
    e->numa = (int)tvp_meta_num(root, "topology.numa_nodes", 0);
    e->cores = facts.cores;
    e->pus = facts.pus;
    e->smt = (int)tvp_meta_num(root, "topology.smt", 0);
    e->l1d = facts.l1d_bytes;
    e->l2 = facts.l2_bytes;
    e->l3 = facts.l3_bytes;
    e->timer_res_ns = tvp_meta_num(root, "timer.resolution_ns", NAN);
    str(root, "machine.governor", e->governor, sizeof e->governor);
    str(root, "machine.scaling_driver", e->driver, sizeof e->driver);
    str(root, "machine.turbo", e->turbo, sizeof e->turbo);
    str(root, "machine.smt_active", e->smt_active, sizeof e->smt_active);
    str(root, "machine.transparent_hugepages", e->thp, sizeof e->thp);
    str(root, "machine.perf_event_paranoid", e->paranoid, sizeof e->paranoid);
    str(root, "machine.compiler", e->compiler, sizeof e->compiler);
    str(root, "machine.build_type", e->build, sizeof e->build);
    str(root, "machine.arch", e->arch, sizeof e->arch);
    e->load_samples = (int)tvp_meta_num(root, "load.samples", 0);
    e->load_max = tvp_meta_num(root, "load.max_1min", NAN);
    e->load_at = tvp_meta_num(root, "load.max_at_s", NAN);
    str(root, "load.max_during", e->load_during, sizeof e->load_during);
    e->others_max = (int)tvp_meta_num(root, "load.max_others_runnable", 0);
    e->busy_starts = (int)tvp_meta_num(root, "load.busy_starts", -1);
    e->others_at = tvp_meta_num(root, "load.others_at_s", NAN);
    str(root, "load.others_during", e->others_during, sizeof e->others_during);
    counters(root, e);
    placements(root, e);
    json_decref(root);
}

static void warn(struct tvp_report *r, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct tvp_report *r, const char *what, const char *fmt, ...)
{
    if (r->n_warn >= TVP_RPT_MAX_WARN)
        return;
    struct tvp_rpt_warning *w = &r->warn[r->n_warn++];
    snprintf(w->what, sizeof w->what, "%s", what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->text, sizeof w->text, fmt, ap);
    va_end(ap);
}

/* "±12%", "±4.5%", or "no 95% CI" for a figure with too few samples or a median of 0. */
static void fmt_width(double rel, char *buf, size_t len)
{
    if (!isfinite(rel))
        snprintf(buf, len, "no 95%% CI");
    else
        snprintf(buf, len, 100.0 * rel >= 9.95 ? "±%.0f%%" : "±%.1f%%", 100.0 * rel);
}

/* The figures an adaptive run left wider than its target at their cap, the widest named: the
 * first screen holds one item, the rest are marked in the Figures tables. */
#define CAPPED_NAMED 5
static void capped_warning(struct tvp_report *r)
{
    const struct tvp_rpt_env *e = &r->env;
    const struct tvp_resultset *rs = r->rs;
    if (!r->n_capped)
        return;
    size_t top[CAPPED_NAMED], n_top = 0;
    double width[CAPPED_NAMED];
    for (size_t i = 0; i < rs->n; i++) {
        if (tvp_rpt_sampled(e, &rs->figs[i]) != TVP_RPT_CAPPED)
            continue;
        double w = tvp_rpt_rel_halfwidth(&rs->figs[i]);
        if (n_top == CAPPED_NAMED && !(w > width[n_top - 1]))
            continue;
        size_t k = n_top < CAPPED_NAMED ? n_top++ : n_top - 1;
        /* Widest first; ties keep the files' order. */
        for (; k > 0 && w > width[k - 1]; k--) {
            top[k] = top[k - 1];
            width[k] = width[k - 1];
        }
        top[k] = i;
        width[k] = w;
    }
    char names[480] = "", name[256], w[32];
    size_t named = 0;
    for (size_t k = 0; k < n_top; k++) {
        tvp_fig_name(&rs->figs[top[k]], name, sizeof name);
        fmt_width(width[k], w, sizeof w);
        if (strlen(names) + strlen(name) + strlen(w) + 6 >= sizeof names)
            break; /* names in full or not at all */
        tvp_appendf(names, sizeof names, "%s%s (%s)", k ? ", " : "", name, w);
        named++;
    }
    char rest[120];
    if (named + 1 == r->n_capped)
        snprintf(rest, sizeof rest, "; one more is marked (cap) in the Figures tables");
    else if (named < r->n_capped)
        snprintf(rest, sizeof rest, "; the other %zu are marked (cap) in the Figures tables",
                 r->n_capped - named);
    else
        snprintf(rest, sizeof rest, " (marked (cap) in the Figures tables)");
    warn(r, "Figures at their time cap",
         "%zu of %zu time figures (%.0f%%) reached their case's time cap before their 95%% CI "
         "came within ±%g%% of the median, and keep their wider interval. Widest: %s%s. For "
         "narrower ones, %sraise --max-time (%g s here).",
         r->n_capped, r->n_governed, 100.0 * (double)r->n_capped / (double)r->n_governed,
         100.0 * e->ci_target, names, rest, e->quick ? "run without --quick or " : "",
         e->max_time_s);
}

void tvp_rpt_warnings(struct tvp_report *r)
{
    const struct tvp_rpt_env *e = &r->env;
    const struct tvp_resultset *rs = r->rs;
    if (strcmp(rs->status, "complete") != 0)
        warn(r, "Incomplete run",
             "the run is %s: only the cases that finished are judged. Run it again to the end.",
             rs->status[0] ? rs->status : "of unknown status");
    if (rs->n_problems)
        warn(r, "Unreadable parts",
             "%zu part(s) of the results folder could not be read and are left out of this "
             "report (the first: %s). The command that wrote it named each and exited with "
             "status 4.",
             rs->n_problems, rs->first_problem);
    if (e->quick && e->adaptive)
        warn(r, "Quick run",
             "--quick sampled each case to a ±%g%% CI target (a full run: ±%g%%), with at least "
             "%d samples and a cap of %g s per case (a full run: %d and %g s), in batches of %g s "
             "(a full run: %g s), and drops the largest sizes, worker counts and N of every "
             "sweep, so intervals are wide and some verdicts undecided. For figures to quote, "
             "run ./run.sh all.",
             100.0 * e->ci_target, 100.0 * TVP_FULL_CI_TARGET, e->min_samples, e->max_time_s,
             TVP_FULL_MIN_SAMPLES, TVP_FULL_MAX_TIME_S, e->min_time_s, TVP_FULL_MIN_TIME_S);
    else if (e->quick)
        warn(r, "Quick run",
             "--quick took %d samples per figure in batches of %g s (a full run: 15 and 0.05 s) "
             "and drops the largest sizes, worker counts and N of every sweep, so intervals are "
             "wide and some verdicts undecided. For figures to quote, run ./run.sh all.",
             e->repetitions, e->min_time_s);
    if (!strncmp(rs->virt, "virtual machine", 15))
        warn(r, "Virtual machine",
             "detected %s; vCPUs may share physical cores with other guests and wake-ups cross the "
             "hypervisor, so cross-core and wake-up figures are slower and noisier than on bare "
             "metal. Compare with a bare-metal run before generalising.",
             rs->virt + 16);
    if (!e->counters_on)
        warn(r, "No counters",
             "the run had --no-counters: context switches, page faults and cycles per operation "
             "are missing. Run without --no-counters.");
    else if (!e->hw_ctr_ok && e->n_ctr_bad)
        warn(r, "No hardware counters",
             "cycles, instructions and cache misses were not counted (%s; perf_event_paranoid "
             "%s)%s. Run on bare metal or a VM with a virtual PMU, with "
             "kernel.perf_event_paranoid at 2 or lower.",
             e->ctr_bad_reason[0] ? e->ctr_bad_reason : "refused", e->paranoid,
             e->n_ctr_ok ? "; the software counters were" : "");
    if (r->n_ok && r->n_noisy * 10 > r->n_ok) {
        char todo[240];
        if (!e->adaptive)
            snprintf(todo, sizeof todo,
                     "Close other programs, run without --quick, or raise --repetitions.");
        else if (e->ci_target > TVP_NOISY_REL_HALFWIDTH)
            /* Such figures stopped at their target: a longer cap would not narrow them. */
            snprintf(todo, sizeof todo,
                     "The run's ±%g%% CI target lets a figure stop wider than that: %s with "
                     "--ci-target %g.",
                     100.0 * e->ci_target, e->quick ? "run without --quick, or" : "run",
                     100.0 * TVP_FULL_CI_TARGET);
        else
            snprintf(todo, sizeof todo,
                     "Close other programs, %sor raise --max-time so that each case may sample "
                     "longer.",
                     e->quick ? "run without --quick, " : "");
        warn(r, "Noisy figures",
             "%zu of %zu figures (%.0f%%) are flagged noisy (95%% CI wider than ±%g%% of the "
             "median). %s",
             r->n_noisy, r->n_ok, 100.0 * (double)r->n_noisy / (double)r->n_ok,
             100.0 * TVP_NOISY_REL_HALFWIDTH, todo);
    }
    capped_warning(r);
    if (tvp_rpt_machine_busy(e)) {
        if (e->busy_starts >= 0)
            warn(r, "Machine busy",
                 "at %d of %d case starts (%.0f%%) another task was runnable besides the suite's "
                 "runner (up to %d, at %.0f s); the 1-minute load average reached %.2f on %d PUs "
                 "(at %.0f s, starting %s). Other work competed for the PUs. Rerun on an idle "
                 "machine.",
                 e->busy_starts, e->load_samples, 100.0 * e->busy_starts / e->load_samples,
                 e->others_max, e->others_at, e->load_max, e->pus, e->load_at, e->load_during);
        else
            warn(r, "Machine busy",
                 "the 1-minute load average reached %.2f on %d PUs (at %.0f s, starting %s); at "
                 "a case's start up to %d other task(s) were runnable (at %.0f s). The suite "
                 "runs at most 2×PUs tasks itself, in its oversubscribed cases; other work "
                 "competed for the PUs. Rerun on an idle machine.",
                 e->load_max, e->pus, e->load_at, e->load_during, e->others_max, e->others_at);
    }
    if (e->governor[0] && strncmp(e->governor, "unavailable", 11) != 0 &&
        strcmp(e->governor, "performance") != 0)
        warn(r, "CPU frequency scaling",
             "the cpufreq governor is %s (driver %s): the clock changes with load, so short "
             "figures vary. Before running: sudo cpupower frequency-set -g performance.",
             e->governor, e->driver);
    if (!strncmp(e->turbo, "on", 2))
        warn(r, "Turbo on",
             "turbo/boost is %s: the clock rises and falls with temperature and the number of "
             "busy cores, so one-core and all-core figures run at different speeds. Turn it off "
             "for the run (write 1 to intel_pstate/no_turbo, or 0 to cpufreq/boost).",
             e->turbo);
    if (!strcmp(e->smt_active, "1") || e->smt > 1)
        warn(r, "SMT on",
             "%d PUs per core: the spread cases put a second worker on a core's sibling once "
             "every core has one, where it shares that core's pipeline and caches. For per-core "
             "figures: echo off | sudo tee /sys/devices/system/cpu/smt/control.",
             e->smt > 1 ? e->smt : 2);
    char few[200] = "";
    for (size_t i = 0; i < tvp_claims_len; i++)
        if (r->v[i].kind == TVP_V_TOO_FEW)
            tvp_appendf(few, sizeof few, "%s%s", few[0] ? ", " : "", tvp_claims[i].id);
    if (few[0] && e->adaptive)
        warn(r, "Too few samples",
             "%s rest on figures with fewer than %d samples, so no verdict is given. Run "
             "without --quick, or with --min-samples %d.",
             few, TVP_MIN_VERDICT_SAMPLES, TVP_FULL_MIN_SAMPLES);
    else if (few[0])
        warn(r, "Too few samples",
             "%s rest on figures with fewer than %d samples, so no verdict is given. Run "
             "without --quick, or with --repetitions 15.",
             few, TVP_MIN_VERDICT_SAMPLES);
    if (r->n_not_ok)
        warn(r, "Cases not ok",
             "%zu figures failed, timed out or crashed; their claims are judged without them. "
             "See the status and note columns of the figures below.",
             r->n_not_ok);
}

void tvp_rpt_sampling_outcome(const struct tvp_report *r, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!r->env.adaptive || !r->n_governed)
        return;
    snprintf(buf, len,
             "%zu of %zu time figures (%.0f%%) met the ±%g%% CI target; %zu stopped wider at "
             "their case's time cap",
             r->n_met, r->n_governed, 100.0 * (double)r->n_met / (double)r->n_governed,
             100.0 * r->env.ci_target, r->n_capped);
    if (r->n_at_max)
        tvp_appendf(buf, len, ", %zu at %d samples", r->n_at_max, r->env.max_samples);
}

const char *tvp_rpt_cap_mark_note(const struct tvp_report *r, char *buf, size_t len)
{
    buf[0] = '\0';
    if (r->n_capped)
        snprintf(buf, len,
                 " A figure marked (cap) reached its case's time cap before its CI came within "
                 "the run's ±%g%% target.",
                 100.0 * r->env.ci_target);
    return buf;
}

int tvp_rpt_machine_busy(const struct tvp_rpt_env *e)
{
    if (!e->pus || !e->load_samples)
        return 0;
    /* The suite alone never has more than 2 x PUs tasks runnable. */
    if (e->load_max > 2.0 * e->pus)
        return 1;
    /* Older runs recorded no per-start count: their rule. */
    if (e->busy_starts < 0)
        return e->load_max > e->pus;
    /* A stray kernel worker at a few starts is not a busy machine; another program running
     * throughout is there at most of them. */
    return e->busy_starts * 4 > e->load_samples;
}
