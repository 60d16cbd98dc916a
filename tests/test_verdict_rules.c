/* Rules of the verdicts that test_verdicts does not drive: C2, decided by its checked facts
 * (CLAIMS.md: confirmed when the three hold, refuted when a thread's write is not seen or a
 * child's private write is, not measured when a fact did not run or the MAP_SHARED sanity check
 * failed); and the rule every ratio-based verdict shares, no verdict from fewer than
 * TVP_MIN_VERDICT_SAMPLES samples per figure. Each scenario writes a small results folder and
 * reads the verdict back through the claim's judge. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "results_fixture.h"
#include "stats.h"

static char dir[64];

struct fact {
    const char *variant;
    const char *status; /* "ok", "failed", "timeout", or NULL: not in the run */
    int held;
};

static void write_facts(const struct fact *facts, int n)
{
    FILE *csv, *smp;
    CHECK(rf_meta(dir, "") == 0);
    CHECK(rf_open(dir, "memory", RF_COLUMNS, &csv, &smp) == 0);
    if (!csv)
        return;
    fclose(smp);
    for (int i = 0; i < n; i++) {
        if (!facts[i].status)
            continue;
        int ok = strcmp(facts[i].status, "ok") == 0;
        fprintf(csv, "memory,facts,%s,process,same-pu,0,,,holds,bool,%d,%d,%d,%d,%s,%s\n",
                facts[i].variant, ok ? 1 : 0, facts[i].held, facts[i].held, facts[i].held,
                facts[i].status, facts[i].held ? "" : "fact does not hold: planted");
    }
    fclose(csv);
}

/* C3's start figures, a thread and the three process starts, with n samples each (+-1% around
 * the median). */
static void write_starts(int n, double thread_ns, double process_ns)
{
    char path[128];
    snprintf(path, sizeof path, "%s/memory.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/memory.samples.csv", dir);
    unlink(path);
    FILE *csv, *smp;
    CHECK(rf_open(dir, "spawn", RF_COLUMNS, &csv, &smp) == 0);
    if (!csv)
        return;
    const char *variant[] = {"pthread_create", "fork", "posix_spawn", "fork-exec"};
    double median[] = {thread_ns, process_ns, process_ns, process_ns};
    for (int k = 0; k < 4; k++) {
        fprintf(csv, "spawn,start,%s,thread,same-pu,0,,,start-to-joined,ns,%d,%g,%g,%g,ok,\n",
                variant[k], n, median[k], median[k] * 0.99, median[k] * 1.01);
        for (int i = 0; i < n; i++)
            fprintf(smp, "spawn/start/%s/thread/same-pu/start-to-joined,%d,%g\n", variant[k], i,
                    median[k] * (0.99 + 0.02 * i / (n - 1)));
    }
    fclose(csv);
    fclose(smp);
}

static enum tvp_verdict_kind judge_claim(const char *id, struct tvp_verdict *v)
{
    return rf_judge(dir, id, v);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tvp-test-c2-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    struct tvp_verdict v;

    struct fact all[] = {{"thread-write-seen", "ok", 1},
                         {"fork-private-unseen", "ok", 1},
                         {"fork-shared-seen", "ok", 1}};
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_CONFIRMED);
    CHECK_MSG(strstr(v.figures, "not seen by the parent: held") != NULL, "figures: %s", v.figures);
    CHECK_MSG(strstr(v.rule, "confirmed when all three hold") != NULL, "rule: %s", v.rule);

    /* A sibling thread did not see the write: threads do not share, refuted. */
    all[0].held = 0;
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_REFUTED);
    CHECK_MSG(strstr(v.summary, "planted") != NULL, "summary: %s", v.summary);
    all[0].held = 1;

    /* The parent saw the child's private write: refuted. */
    all[1].held = 0;
    all[1].status = "failed";
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_REFUTED);
    all[1].held = 1;
    all[1].status = "ok";

    /* MAP_SHARED not seen: the isolation cannot be told from a broken set-up. */
    all[2].held = 0;
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_NOT_MEASURED);
    CHECK_MSG(strstr(v.summary, "sanity check") != NULL, "summary: %s", v.summary);
    all[2].held = 1;

    /* A fact that did not run (timed out, or missing) is not measured, named. */
    all[1].status = "timeout";
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_NOT_MEASURED);
    CHECK_MSG(strstr(v.summary, "fork-private-unseen") != NULL, "summary: %s", v.summary);
    all[1].status = NULL;
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_NOT_MEASURED);

    /* Too few samples: the same clear-cut figures decide at 6 samples and not at 5. */
    write_starts(6, 20000, 200000);
    CHECK_INT(judge_claim("C3", &v), TVP_V_CONFIRMED);
    write_starts(5, 20000, 200000);
    CHECK_INT(judge_claim("C3", &v), TVP_V_TOO_FEW);
    CHECK_MSG(strstr(v.summary, "5 sample(s)") && strstr(v.summary, "would say confirmed"),
              "summary: %s", v.summary);
    CHECK_STR(tvp_verdict_name(v.kind), "too few samples");
    /* A claim decided by checks, not ratios, is not held back by the count. */
    all[1].status = "ok";
    write_facts(all, 3);
    CHECK_INT(judge_claim("C2", &v), TVP_V_CONFIRMED);

    /* The interval of a median from n samples: [min, max] for 5..8, whose coverage is printed
     * instead of calling it 95%. */
    CHECK_NEAR(tvp_median_ci_coverage(7, 0.95), 1 - 2.0 / 128, 1e-9);
    CHECK_NEAR(tvp_median_ci_coverage(5, 0.95), 1 - 2.0 / 32, 1e-9);
    CHECK(tvp_median_ci_coverage(30, 0.95) >= 0.95);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
    return CHECK_DONE();
}
