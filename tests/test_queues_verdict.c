/* C11's judge (bench/groups/queues/queues.c) on results folders written here: the verdict rests on
 * the queues' own cost (one task, fill then drain) and the order check's negative control, not on
 * the wake-up-bound stream. Each scenario writes meta.json, queues.csv and queues.samples.csv and
 * reads the verdict back: equal own costs confirm, a costlier heap is named with its O(log n), a
 * CI straddling the band's edge is too close to call and names nobody, a control that was not
 * caught (or is missing) makes the order check unproven, a failed figure refutes, and stream
 * ratios that reverse between runs leave the verdict as it was. Where the run has the own-cost
 * pair (the three queues in alternating batches of one case), its per-batch ratios decide over
 * the separate cases, which a host's slow spell can bias; its failure refutes, its uncaught
 * control leaves the check unproven, and a pair with unequal sample counts is not read. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "results_fixture.h"

static char dir[64];
static FILE *csv, *smp;

static int fig_n = 15;
static double fig_drift; /* > 0: every third sample times this (a slow spell every third batch) */

/* One figure with fig_n samples spread +-spread around median. */
static void figure(const char *bench, const char *variant, const char *placement, const char *param,
                   long long pv, const char *metric, const char *unit, double median, double spread,
                   const char *status)
{
    const int n = fig_n;
    fprintf(csv, "queues,%s,%s,thread,%s,0,%s,%lld,%s,%s,%d,%g,%g,%g,%g,%s,\n", bench, variant,
            placement, param, pv, metric, unit, n, median, median * (1 - spread / 2),
            median * (1 + spread / 2), median * (1 - spread), status);
    if (strcmp(status, "ok") != 0)
        return;
    for (int i = 0; i < n; i++)
        fprintf(smp, "queues/%s/%s/thread/%s/%s:%lld/%s,%d,%g\n", bench, variant, placement, param,
                pv, metric, i,
                median * (1 - spread + 2 * spread * i / (n - 1)) *
                    (fig_drift > 0 && i % 3 == 0 ? fig_drift : 1));
}

struct scenario {
    double own[3][3];   /* [fifo, lifo, priority][depth 1, 32, 1024] ns per pair */
    double lifo_spread; /* of the LIFO's own-cost samples (0.01 when 0) */
    double stream[3];   /* fifo, lifo, priority ns per message, 1:1 cross-core */
    int control;        /* 1: every control caught; 0: one not caught; -1: no control figure */
    int fail_one;       /* 1: the priority own cost at depth 32 failed its check */
    double pair[3];     /* own-cost pair at depth 1024: fifo, lifo, priority ns; 0: none */
    int pair_fault;     /* 1: its fifo failed; 2: its control not caught; 3: lifo 14 samples */
    int separate_1024;  /* the separate cases at depth 1024: 0 as given, 1 none, 2 FIFO's 3 samples
                         */
};

static void write_run(const struct scenario *s)
{
    CHECK(rf_meta(dir, "") == 0);
    if (rf_open(dir, "queues",
                "group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,"
                "median,ci_low,ci_high,min,status,note",
                &csv, &smp) != 0)
        return;
    static const char *const kinds[] = {"fifo", "lifo", "priority"};
    static const int depths[] = {1, 32, 1024};
    for (int k = 0; k < 3; k++) {
        for (int d = 0; d < 3; d++) {
            double sp = k == 1 && s->lifo_spread > 0 ? s->lifo_spread : 0.01;
            if (d == 2 && s->separate_1024 == 1)
                continue;
            fig_n = d == 2 && k == 0 && s->separate_1024 == 2 ? 3 : 15;
            figure("own-cost", kinds[k], "same-pu", "depth", depths[d], "per-pair", "ns",
                   s->own[k][d], sp, s->fail_one && k == 2 && d == 1 ? "failed" : "ok");
            if (s->control >= 0)
                figure("own-cost", kinds[k], "same-pu", "depth", depths[d], "order-control", "bool",
                       s->control == 0 && k == 1 && d == 2 ? 0 : 1, 0, "ok");
            fig_n = 15;
        }
        figure("stream-1x1", kinds[k], "same-cache", "bytes", 8, "per-msg", "ns", s->stream[k],
               0.02, "ok");
        figure("stream-1x1", kinds[k], "same-cache", "bytes", 8, "get-sleeps-per-msg", "sleeps",
               0.01, 0.01, "ok");
        figure("stream-1x1", kinds[k], "same-cache", "bytes", 8, "put-sleeps-per-msg", "sleeps",
               0.002, 0.01, "ok");
        figure("stream-1x1", kinds[k], "same-cache", "bytes", 8, "blocks-per-msg", "switches", 0.01,
               0.01, "ok");
        figure("stream-1x1", kinds[k], "same-cache", "bytes", 8, "preempted-per-msg", "switches",
               0.03, 0.01, "ok");
        if (s->control >= 0)
            figure("stream-1x1", kinds[k], "same-cache", "bytes", 8, "order-control", "bool", 1, 0,
                   "ok");
    }
    if (s->pair[0] > 0) {
        static const char *const pm[] = {"fifo-per-pair", "lifo-per-pair", "priority-per-pair"};
        for (int k = 0; k < 3; k++) {
            fig_n = s->pair_fault == 3 && k == 1 ? 14 : 21;
            fig_drift = 3;
            figure("own-cost-pair", "fifo-lifo-priority", "same-pu", "depth", 1024, pm[k], "ns",
                   s->pair[k], 0.02, s->pair_fault == 1 && k == 0 ? "failed" : "ok");
            fig_drift = 0;
        }
        fig_n = 21;
        figure("own-cost-pair", "fifo-lifo-priority", "same-pu", "depth", 1024, "order-control",
               "bool", s->pair_fault == 2 ? 0 : 1, 0, "ok");
        fig_n = 15;
    }
    fclose(csv);
    fclose(smp);
}

static enum tvp_verdict_kind judge(const struct scenario *s, struct tvp_verdict *v)
{
    write_run(s);
    return rf_judge(dir, "C11", v);
}

#define HAS(text, what) CHECK_MSG(strstr(text, what) != NULL, "no \"%s\" in: %s", what, text)
#define HASNT(text, what)                                                                          \
    CHECK_MSG(strstr(text, what) == NULL, "\"%s\" should not be in: %s", what, text)

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tvp-test-c11XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    struct tvp_verdict v;
    char first[sizeof v.summary];

    /* Equal own costs; the stream says LIFO 0.34×, priority 0.68× (wake-ups): confirmed. */
    struct scenario s = {
        {{60, 60, 60}, {61, 60, 59}, {62, 61, 60}}, 0, {475, 162, 323}, 1, 0, {0}, 0, 0};
    CHECK_INT(judge(&s, &v), TVP_V_CONFIRMED);
    HAS(v.summary, "the LIFO costs what the FIFO costs");
    HAS(v.figures, "fifo 475 ns (0.012 sleeps, 0.01 blocks, 0.03 preempted)");
    HAS(v.rule, "[0.80, 1.25]");
    snprintf(first, sizeof first, "%s", v.summary);
    /* The stream ratios reversed (1.22×, 2.2×): the same word for the same reason. */
    s.stream[1] = 1.22 * 475, s.stream[2] = 2.2 * 475;
    CHECK_INT(judge(&s, &v), TVP_V_CONFIRMED);
    CHECK_STR(v.summary, first);

    /* The heap grows with log n: 1.03× at depth 1, 1.5× at 32, 2.5× at 1024: nuanced, the
     * priority queue named with its O(log n), the LIFO not. */
    s.own[2][1] = 90, s.own[2][2] = 150;
    CHECK_INT(judge(&s, &v), TVP_V_NUANCED);
    HAS(v.summary, "the priority queue costs 2.5×");
    HAS(v.summary, "O(log n)");
    HAS(v.summary, "1.5× at depth 32");
    HAS(v.summary, "the LIFO costs what the FIFO costs");

    /* LIFO at 0.87× with a CI across 0.8: too close to call, and not called cheaper or
     * costlier. */
    struct scenario t = {
        {{60, 60, 60}, {52, 52, 52.2}, {60, 60, 60}}, 0.2, {475, 162, 323}, 1, 0, {0}, 0, 0};
    CHECK_INT(judge(&t, &v), TVP_V_TOO_CLOSE);
    HAS(v.summary, "the LIFO is too close to call");
    HASNT(v.summary, "the LIFO costs");

    /* The order check's negative control not caught in one figure: the check is unproven. */
    s.control = 0;
    CHECK_INT(judge(&s, &v), TVP_V_NOT_MEASURED);
    HAS(v.summary, "could not be shown to work");
    HAS(v.summary, "own-cost lifo");
    s.control = -1;
    CHECK_INT(judge(&s, &v), TVP_V_NOT_MEASURED);
    HAS(v.summary, "could not be shown to work");

    /* A figure that failed its own check refutes, whatever the costs. */
    s.control = 1, s.fail_one = 1;
    CHECK_INT(judge(&s, &v), TVP_V_REFUTED);
    HAS(v.summary, "own-cost priority");

    /* The separate cases all read 150 ns at depth 1024 (each in a slow spell of its own), the
     * pair case reads priority 3.5× the FIFO batch by batch, with every third batch of all three
     * three times slower (a spell the pair spans): the pair decides, nuanced, with the interval
     * of its per-batch ratios, which the spell does not widen (a ratio of the pair's medians
     * would: its bootstrap draws the slow and fast batches apart). */
    struct scenario u = {{{60, 60, 150}, {61, 60, 150}, {62, 61, 150}},
                         0,
                         {475, 162, 323},
                         1,
                         0,
                         {33, 33.5, 115.5},
                         0,
                         0};
    CHECK_INT(judge(&u, &v), TVP_V_NUANCED);
    HAS(v.summary, "the priority queue costs 3.5× [3.5, 3.5]");
    HAS(v.summary, "alternating batches");
    HAS(v.summary, "the LIFO costs what the FIFO costs (1.02×");
    HAS(v.figures, "own-cost-pair, which decides");
    HAS(v.rule, "own-cost-pair");
    /* Without the pair, the same separate figures confirm: the pair is what changed the word. */
    u.pair[0] = 0;
    CHECK_INT(judge(&u, &v), TVP_V_CONFIRMED);
    HASNT(v.summary, "alternating batches");
    /* A pair whose sides have different sample counts is not paired: the separate cases decide. */
    u.pair[0] = 33, u.pair_fault = 3;
    CHECK_INT(judge(&u, &v), TVP_V_CONFIRMED);
    HASNT(v.figures, "which decides");
    /* The pair decides even where the separate cases do not reach its depth (one timed out,
     * or a run of the pair alone) ... */
    u.pair_fault = 0, u.separate_1024 = 1;
    CHECK_INT(judge(&u, &v), TVP_V_NUANCED);
    HAS(v.summary, "at depth 1024 (the three in alternating batches)");
    /* ... and a separate figure it overrides does not count toward the too-few-samples rule,
     * which it does where it decides. */
    u.separate_1024 = 2;
    CHECK_INT(judge(&u, &v), TVP_V_NUANCED);
    u.pair[0] = 0;
    CHECK_INT(judge(&u, &v), TVP_V_TOO_FEW);
    u.pair[0] = 33, u.separate_1024 = 0;
    /* The pair's own failure refutes; its control not caught leaves the check unproven. */
    u.pair_fault = 1;
    CHECK_INT(judge(&u, &v), TVP_V_REFUTED);
    HAS(v.summary, "own-cost-pair fifo-lifo-priority");
    u.pair_fault = 2;
    CHECK_INT(judge(&u, &v), TVP_V_NOT_MEASURED);
    HAS(v.summary, "own-cost-pair fifo-lifo-priority");

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
    return CHECK_DONE();
}
