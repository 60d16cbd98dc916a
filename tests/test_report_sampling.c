/* The report and compare under the adaptive sampling rule (harness/sampling.h), on results
 * folders written here: time figures whose case stopped at its time cap wider than the CI target
 * are counted, the widest named in one warning and each marked (cap) in the figures tables;
 * figures the rule does not govern (a p99 tail, a CPU time), figures not ok and figures within
 * the target though their case was capped are not. The run's settings state the rule and its
 * outcome; the quick-run, noisy and too-few-samples warnings say what to change under the rule.
 * A run from before the rule (no stop column, options.repetitions 7) and a fixed run
 * (--repetitions) read as they did. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compare.h"
#include "results_fixture.h"

static char dir[64];

/* meta.json's options as each kind of run writes them. */
#define ADAPTIVE_FULL                                                                              \
    "\"options\": {\"quick\": false, \"repetitions\": 0, \"min_samples\": 9, \"ci_target\": "      \
    "0.03, \"max_time_s\": 1, \"max_samples\": 1000, \"min_time_s\": 0.01, \"placement\": "        \
    "\"\"},\n  \"sampling_rule\": \"adaptive: the planted sentence\""
#define ADAPTIVE_QUICK_MIN5                                                                        \
    "\"options\": {\"quick\": true, \"repetitions\": 0, \"min_samples\": 5, \"ci_target\": 0.1, "  \
    "\"max_time_s\": 0.1, \"max_samples\": 1000, \"min_time_s\": 0.003, \"placement\": \"\"},\n "  \
    " \"sampling_rule\": \"adaptive: the planted sentence\""
#define OLD_QUICK                                                                                  \
    "\"options\": {\"quick\": true, \"repetitions\": 7, \"min_time_s\": 0.01, \"placement\": "     \
    "\"all\"}"
#define FIXED_FULL                                                                                 \
    "\"options\": {\"quick\": false, \"repetitions\": 7, \"min_samples\": 9, \"ci_target\": "      \
    "0.03, \"max_time_s\": 1, \"max_samples\": 1000, \"min_time_s\": 0.01, \"placement\": "        \
    "\"\"},\n  \"sampling_rule\": \"fixed: 7 samples per figure\""

static struct tvp_resultset rs;
static struct tvp_report *rpt;
static char *md, *html;

static void fig(struct rf_out *o, const char *variant, const char *metric, double median,
                double spread, const char *stop, int n, int noisy, const char *status)
{
    rf_fig(o, &(struct rf_fig){.group = "spawn",
                               .bench = "start",
                               .variant = variant,
                               .model = strstr(variant, "pthread") ? "thread" : "process",
                               .placement = "same-pu",
                               .metric = metric,
                               .median = median,
                               .spread = spread,
                               .n = n,
                               .noisy = noisy,
                               .stop = stop,
                               .status = status});
}

static void unload(void)
{
    if (rpt)
        tvp_resultset_free(&rs);
    free(rpt);
    free(md);
    free(html);
    rpt = NULL;
    md = html = NULL;
}

/* Loads the folder and builds its report, report.md and report.html into md and html. */
static int build(void)
{
    unload();
    char err[256];
    if (tvp_resultset_load(dir, &rs, err, sizeof err) != 0) {
        fprintf(stderr, "load: %s\n", err);
        CHECK(!"the folder loads");
        return -1;
    }
    rpt = calloc(1, sizeof *rpt);
    CHECK(rpt != NULL);
    if (!rpt) {
        tvp_resultset_free(&rs);
        return -1;
    }
    tvp_rpt_build(rpt, &rs);
    size_t len;
    FILE *f = open_memstream(&md, &len);
    tvp_rpt_write_md(f, rpt);
    fclose(f);
    f = open_memstream(&html, &len);
    tvp_rpt_write_html(f, rpt);
    fclose(f);
    return 0;
}

static const char *warning(const char *what)
{
    for (int i = 0; rpt && i < rpt->n_warn; i++)
        if (!strcmp(rpt->warn[i].what, what))
            return rpt->warn[i].text;
    return NULL;
}

/* The line of text that holds needle ("" when none does). */
static void line_of(const char *text, const char *needle, char *out, size_t len)
{
    const char *p = text ? strstr(text, needle) : NULL;
    out[0] = '\0';
    if (!p)
        return;
    const char *start = p, *end = strchr(p, '\n');
    while (start > text && start[-1] != '\n')
        start--;
    snprintf(out, len, "%.*s", (int)((end ? end : p + strlen(p)) - start), start);
}

static void settings(char *buf, size_t len)
{
    struct tvp_cmp_run run = {.rpt = rpt};
    tvp_cmp_run_settings(&run, buf, len);
}

static int has(const char *text, const char *needle)
{
    return text && strstr(text, needle);
}

static const char *shown(const char *text)
{
    return text ? text : "(none)";
}

#define HAS(text, needle)                                                                          \
    CHECK_MSG(has((text), (needle)), "%s lacks \"%s\": %s", #text, needle, shown(text))
#define STARTS(text, prefix)                                                                       \
    CHECK_MSG(!strncmp((text), (prefix), strlen(prefix)), "%s does not start \"%s\": %s", #text,   \
              prefix, (text))
#define LACKS(text, needle)                                                                        \
    CHECK_MSG(!has((text), (needle)), "%s has \"%s\": %s", #text, needle, shown(text))

/* Two time figures wider than the ±3% target at their cap, and around them what must not count:
 * a capped case's figure within the target, a p99 tail and a CPU time wider still, a failed
 * figure. With wide 0 those two are within the target too and nothing is capped. */
static void write_capped(int wide)
{
    struct rf_out o;
    CHECK(rf_start(dir, ADAPTIVE_FULL) == 0);
    CHECK(rf_group_sampled(dir, "spawn", &o) == 0);
    if (!o.csv)
        return;
    fig(&o, "pthread_create", "start-to-joined", 20000, 0.01, "target", 0, 0, NULL);
    fig(&o, "fork", "start-to-joined", 200000, wide ? 0.40 : 0.01, wide ? "cap" : "target", 0, wide,
        NULL);
    fig(&o, "fork", "start-to-running", 100000, 0.02, wide ? "cap" : "target", 0, 0, NULL);
    fig(&o, "fork", "rtt-p99", 900000, 0.8, "cap", 0, 0, NULL);
    fig(&o, "fork", "cpu", 50000, 0.6, "cap", 0, 0, NULL);
    fig(&o, "posix_spawn", "start-to-joined", 300000, wide ? 0.10 : 0.01, wide ? "cap" : "target",
        0, wide, NULL);
    fig(&o, "fork-exec", "start-to-joined", 300000, 0.01, "target", 0, 0, NULL);
    fig(&o, "vfork", "start-to-joined", 150000, 0.9, "cap", 0, 0, "failed");
    rf_close(&o);
}

static void test_capped(void)
{
    char line[1024], buf[600];
    write_capped(1);
    if (build() != 0)
        return;
    CHECK_INT(rpt->env.adaptive, 1);
    CHECK_INT(rpt->n_governed, 5);
    CHECK_INT(rpt->n_met, 3);
    CHECK_INT(rpt->n_capped, 2);
    const char *w = warning("Figures at their time cap");
    HAS(w, "2 of 5 time figures (40%) reached their case's time cap before their 95% CI came "
           "within ±3% of the median, and keep their wider interval.");
    /* Widest first, each with its own width. */
    HAS(w, "Widest: spawn/start/fork/process/same-pu/start-to-joined (±20%), "
           "spawn/start/posix_spawn/process/same-pu/start-to-joined (±5.0%) (marked (cap)");
    HAS(w, "raise --max-time (1 s here)");
    LACKS(w, "rtt-p99");
    LACKS(w, "/cpu");
    LACKS(w, "vfork");
    LACKS(w, "start-to-running");
    LACKS(w, "--quick");

    /* The run's settings: the rule's sentence and its outcome. */
    line_of(md, "- Run:", line, sizeof line);
    STARTS(line, "- Run: full; groups spawn;");
    line_of(md, "- Sampling:", line, sizeof line);
    CHECK_STR(line, "- Sampling: adaptive: the planted sentence");
    line_of(md, "- Sampling outcome:", line, sizeof line);
    CHECK_STR(line, "- Sampling outcome: 3 of 5 time figures (60%) met the ±3% CI target; 2 "
                    "stopped wider at their case's time cap");
    HAS(html, "<li><b>Sampling outcome:</b> 3 of 5 time figures (60%) met the ±3% CI target");
    HAS(html, "<li><b>Sampling:</b> adaptive: the planted sentence</li>");

    /* (cap) beside the capped figures' values, and nowhere else. */
    line_of(md, "| spawn/start/fork/process/same-pu/start-to-joined |", line, sizeof line);
    HAS(line, "n=15 (noisy) (cap) |");
    line_of(md, "| spawn/start/posix_spawn/process/same-pu/start-to-joined |", line, sizeof line);
    HAS(line, "n=15 (noisy) (cap) |");
    line_of(md, "/fork/process/same-pu/start-to-running |", line, sizeof line);
    CHECK_MSG(line[0] && !strstr(line, "(cap)"), "md: %s", line);
    line_of(md, "/fork/process/same-pu/rtt-p99 |", line, sizeof line);
    CHECK_MSG(line[0] && !strstr(line, "(cap)"), "md: %s", line);
    line_of(md, "/fork/process/same-pu/cpu |", line, sizeof line);
    CHECK_MSG(line[0] && !strstr(line, "(cap)"), "md: %s", line);
    HAS(md, "A figure marked (cap) reached its case's time cap before its CI came within the "
            "run's ±3% target.");
    line_of(html, "<td>spawn/start/fork/process/same-pu/start-to-joined</td>", line, sizeof line);
    HAS(line, "(noisy) (cap)</td>");

    /* 2 of 7 ok figures noisy: under the rule, a longer cap, not more repetitions. */
    w = warning("Noisy figures");
    HAS(w, "2 of 7 figures (29%) are flagged noisy");
    HAS(w, "Close other programs, or raise --max-time so that each case may sample longer.");
    LACKS(w, "--repetitions");
    CHECK(warning("Quick run") == NULL);

    settings(buf, sizeof buf);
    STARTS(buf, "full, CI target ±3% (at least 9 samples, cap 1 s per case), batches "
                "of 0.01 s, placements: all");

    /* The same figures within the target: no warning, no mark. */
    write_capped(0);
    if (build() != 0)
        return;
    CHECK_INT(rpt->n_governed, 5);
    CHECK_INT(rpt->n_capped, 0);
    CHECK(warning("Figures at their time cap") == NULL);
    line_of(md, "- Sampling outcome:", line, sizeof line);
    CHECK_STR(line, "- Sampling outcome: 5 of 5 time figures (100%) met the ±3% CI target; 0 "
                    "stopped wider at their case's time cap");
    LACKS(md, "(cap)");
    LACKS(html, "(cap)");
}

/* A quick run with --min-samples 5: C3's four start figures at 5 samples each, noisy, at their
 * cap with no 95% CI, and three more figures at their cap. */
static void test_quick(void)
{
    struct rf_out o;
    CHECK(rf_start(dir, ADAPTIVE_QUICK_MIN5) == 0);
    CHECK(rf_group_sampled(dir, "spawn", &o) == 0);
    if (!o.csv)
        return;
    fig(&o, "pthread_create", "start-to-joined", 20000, 0.3, "cap", 5, 1, NULL);
    fig(&o, "fork", "start-to-joined", 200000, 0.3, "cap", 5, 1, NULL);
    fig(&o, "posix_spawn", "start-to-joined", 300000, 0.3, "cap", 5, 1, NULL);
    fig(&o, "fork-exec", "start-to-joined", 300000, 0.3, "cap", 5, 1, NULL);
    /* Three more at their cap, the widest last: it must displace a narrower one from the five
     * named. */
    fig(&o, "vfork", "start-to-joined", 150000, 0.3, "cap", 0, 1, NULL);
    fig(&o, "clone-vm", "start-to-joined", 150000, 0.4, "cap", 0, 1, NULL);
    fig(&o, "vfork", "start-to-running", 150000, 0.6, "cap", 0, 1, NULL);
    rf_close(&o);
    if (build() != 0)
        return;
    const char *w = warning("Quick run");
    HAS(w, "--quick sampled each case to a ±10% CI target (a full run: ±3%), with at least 5 "
           "samples and a cap of 0.1 s per case (a full run: 9 and 1 s), in batches of 0.003 s "
           "(a full run: 0.005 s)");
    LACKS(w, "samples per figure");
    /* Its target is wider than the noisy mark: a longer cap would not help. */
    w = warning("Noisy figures");
    HAS(w, "The run's ±10% CI target lets a figure stop wider than that: run without --quick, or "
           "with --ci-target 3.");
    LACKS(w, "--repetitions");
    w = warning("Too few samples");
    HAS(w, "C3 rest on figures with fewer than 6 samples");
    HAS(w, "Run without --quick, or with --min-samples 9.");
    LACKS(w, "--repetitions");
    w = warning("Figures at their time cap");
    HAS(w, "7 of 7 time figures (100%)");
    HAS(w, "Widest: spawn/start/pthread_create/thread/same-pu/start-to-joined (no 95% CI), "
           "spawn/start/fork/process/same-pu/start-to-joined (no 95% CI), "
           "spawn/start/posix_spawn/process/same-pu/start-to-joined (no 95% CI), "
           "spawn/start/fork-exec/process/same-pu/start-to-joined (no 95% CI), "
           "spawn/start/vfork/process/same-pu/start-to-running (±30%); the other 2 are marked "
           "(cap) in the Figures tables.");
    HAS(w, "run without --quick or raise --max-time (0.1 s here)");
    char buf[600];
    settings(buf, sizeof buf);
    STARTS(buf, "--quick, CI target ±10% (at least 5 samples, cap 0.1 s per case), "
                "batches of 0.003 s");
}

/* Runs without the rule: one from before it (no stop column) and a fixed one (--repetitions),
 * with figures as wide as the capped ones above. */
static void test_not_adaptive(void)
{
    char line[1024], buf[600];
    struct rf_out o;
    CHECK(rf_start(dir, OLD_QUICK) == 0);
    CHECK(rf_group(dir, "spawn", &o) == 0);
    if (!o.csv)
        return;
    fig(&o, "pthread_create", "start-to-joined", 20000, 0.4, NULL, 7, 0, NULL);
    fig(&o, "fork", "start-to-joined", 200000, 0.4, NULL, 7, 0, NULL);
    rf_close(&o);
    if (build() != 0)
        return;
    CHECK_INT(rs.n, 2);
    CHECK_INT(rs.n ? (int)rs.figs[0].stop : -1, TVP_STOP_NONE);
    CHECK_INT(rpt->env.adaptive, 0);
    CHECK_INT(rpt->n_governed, 0);
    CHECK(warning("Figures at their time cap") == NULL);
    HAS(warning("Quick run"), "--quick took 7 samples per figure in batches of 0.01 s (a full "
                              "run: 15 and 0.05 s)");
    line_of(md, "- Run:", line, sizeof line);
    STARTS(line, "- Run: --quick, 7 samples per figure, batches of 0.01 s; groups "
                 "spawn;");
    LACKS(md, "- Sampling");
    LACKS(md, "(cap)");
    HAS(html, "<li><b>Run:</b> --quick, 7 samples per figure, batches of 0.01 s; groups spawn;");
    settings(buf, sizeof buf);
    STARTS(buf, "--quick, 7 samples per figure, batches of 0.01 s, placements: all");

    CHECK(rf_start(dir, FIXED_FULL) == 0);
    CHECK(rf_group_sampled(dir, "spawn", &o) == 0);
    if (!o.csv)
        return;
    fig(&o, "pthread_create", "start-to-joined", 20000, 0.4, "fixed", 7, 1, NULL);
    fig(&o, "fork", "start-to-joined", 200000, 0.4, "fixed", 7, 1, NULL);
    rf_close(&o);
    if (build() != 0)
        return;
    CHECK_INT(rs.n ? (int)rs.figs[0].stop : -1, TVP_STOP_FIXED);
    CHECK_INT(rpt->env.adaptive, 0);
    CHECK(warning("Figures at their time cap") == NULL);
    HAS(warning("Noisy figures"), "or raise --repetitions.");
    line_of(md, "- Run:", line, sizeof line);
    STARTS(line, "- Run: full, 7 samples per figure, batches of 0.01 s;");
    LACKS(md, "- Sampling");
    settings(buf, sizeof buf);
    STARTS(buf, "full, 7 samples per figure, batches of 0.01 s");
}

/* "Machine busy": the suite's own oversubscribed cases lift the load average past the PU count
 * on an idle machine, so only tasks found runnable at most case starts (or a load the suite alone
 * cannot reach) make it busy; a folder from before the per-start count keeps its old rule. */
static void busy_case(const char *load, int want, const char *text)
{
    char meta[1024];
    snprintf(meta, sizeof meta,
             "%s,\n  \"topology\": {\"cores\": 2, \"pus\": 2},\n  \"load\": {%s}",
             strstr(load, "busy_starts") ? ADAPTIVE_FULL : OLD_QUICK, load);
    struct rf_out o;
    CHECK(rf_start(dir, meta) == 0);
    CHECK(rf_group_sampled(dir, "spawn", &o) == 0);
    if (!o.csv)
        return;
    fig(&o, "fork", "start-to-joined", 200000, 0.01, "target", 0, 0, NULL);
    rf_close(&o);
    if (build() != 0)
        return;
    const char *w = warning("Machine busy");
    CHECK_MSG((w != NULL) == want, "load {%s}: warning %s", load, w ? w : "(none)");
    if (w && text)
        HAS(w, text);
}

static void test_machine_busy(void)
{
    /* A quiet full run here: load 3.03 from its own 2x2 streams, 4 stray starts of 100. */
    busy_case("\"samples\": 100, \"max_1min\": 3.03, \"max_at_s\": 156, \"max_during\": "
              "\"queues/stream-2x2\", \"max_others_runnable\": 4, \"others_at_s\": 13, "
              "\"others_during\": \"spawn/pool-empty\", \"busy_starts\": 4",
              0, NULL);
    /* Beside stress-ng: every start saw others, though the load average stayed at 2.36. */
    busy_case("\"samples\": 100, \"max_1min\": 2.36, \"max_at_s\": 10, \"max_during\": "
              "\"locks/uncontended\", \"max_others_runnable\": 3, \"others_at_s\": 2, "
              "\"others_during\": \"spawn/start\", \"busy_starts\": 100",
              1, "at 100 of 100 case starts (100%) another task was runnable");
    /* More than the suite alone can run. */
    busy_case("\"samples\": 100, \"max_1min\": 4.5, \"max_at_s\": 10, \"max_during\": "
              "\"x\", \"max_others_runnable\": 0, \"others_at_s\": 0, \"others_during\": "
              "\"x\", \"busy_starts\": 0",
              1, "the 1-minute load average reached 4.50 on 2 PUs");
    /* An older folder: no busy_starts, the old rule and text. */
    busy_case("\"samples\": 100, \"max_1min\": 2.5, \"max_at_s\": 10, \"max_during\": "
              "\"x\", \"max_others_runnable\": 1, \"others_at_s\": 0, \"others_during\": "
              "\"x\"",
              1, "The suite runs at most 2×PUs tasks itself");
}

int main(void)
{
    if (rf_mkdir(dir, sizeof dir, "report-sampling") != 0) {
        perror("mkdtemp");
        return 1;
    }
    test_capped();
    test_quick();
    test_not_adaptive();
    test_machine_busy();
    unload();
    rf_rmdir(dir);
    return CHECK_DONE();
}
