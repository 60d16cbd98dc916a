/* C1's judge (the memory group's) on results folders written here, through every outcome its
 * rule gives: anonymous PSS added by N idle processes over N idle threads at the largest N,
 * ratio of medians with its bootstrap CI, with page tables and descriptors as the kernel
 * objects a process adds. Each scenario writes meta.json, memory.csv and memory.samples.csv
 * and reads the verdict back through the record's reader and the judge. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "results_fixture.h"

static char dir[64];

#define HAS(field, text)                                                                           \
    CHECK_MSG(strstr(v.field, text) != NULL, "no \"%s\" in " #field ": %s", text, v.field)

/* Per extra task, threads then processes: anonymous PSS and page tables in bytes, descriptors. */
struct c1 {
    double pss[2], pt[2], fds[2];
    int n;         /* samples per figure (0: 15) */
    int footprint; /* 0: only a checked fact ran, no footprint */
};

static enum tvp_verdict_kind c1(const struct c1 *s, struct tvp_verdict *vp)
{
    struct rf_out out;
    CHECK(rf_start(dir, "") == 0);
    CHECK(rf_group(dir, "memory", &out) == 0);
    rf_fig(&out, &(struct rf_fig){.group = "memory",
                                  .bench = "facts",
                                  .variant = "thread-write-seen",
                                  .model = "thread",
                                  .placement = "same-pu",
                                  .metric = "holds",
                                  .unit = "bool",
                                  .median = 1});
    static const char *const variants[] = {"threads", "processes"};
    for (int p = 0; s->footprint && p < 2; p++)
        for (long long tasks = 1; tasks <= 64; tasks *= 64) {
            /* The process variant's RSS is the sum of its children's: its own metric name. */
            const struct {
                const char *metric;
                double per_task;
            } m[] = {{"pss-anon-added", s->pss[p]},
                     {"pss-added", s->pss[p] * 1.5},
                     {p ? "rss-sum" : "rss-added", s->pss[p] * 2},
                     {"page-tables-added", s->pt[p]},
                     {"kernel-stack-added", 16384},
                     {"fds-added", s->fds[p]}};
            for (size_t k = 0; k < sizeof m / sizeof m[0]; k++)
                rf_fig(&out, &(struct rf_fig){.group = "memory",
                                              .bench = "footprint",
                                              .variant = variants[p],
                                              .model = p ? "process" : "thread",
                                              .placement = "same-pu",
                                              .param = "tasks",
                                              .pv = tasks,
                                              .metric = m[k].metric,
                                              .unit = "bytes",
                                              .median = m[k].per_task * (double)tasks,
                                              .n = s->n});
        }
    rf_close(&out);
    return rf_judge(dir, "C1", vp);
}

int main(void)
{
    CHECK(rf_mkdir(dir, sizeof dir, "c1-") == 0);
    struct tvp_verdict v;

    /* 25x the anonymous memory, 80x the page tables, 2 more descriptors each: confirmed. */
    struct c1 s = {{8192, 204800}, {100, 8192}, {0, 2}, 0, 1};
    CHECK_INT(c1(&s, &v), TVP_V_CONFIRMED);
    HAS(summary, "each extra idle process adds 200 KiB anonymous PSS against 8 KiB for a thread "
                 "(25× at N=64, CI 2");
    HAS(summary, "plus its own page tables (8 KiB) and 2 descriptors");
    HAS(figures, "anonymous PSS added at N=64: 512 KiB threads, 12.5 MiB processes = 25× [95% CI");
    HAS(figures, "page tables at N=64: 81.9× [");
    HAS(figures, "descriptors: thread 0, process 2");
    HAS(rule, "confirmed when the CI lies above 2×");

    /* Still more memory, but no more descriptors: the kernel-object half is not shown. */
    s.fds[1] = 0;
    CHECK_INT(c1(&s, &v), TVP_V_NUANCED);
    HAS(summary, "(anonymous PSS 200 KiB vs 8 KiB, 25×, CI 2");
    HAS(summary, "its extra kernel objects were not clearly more");
    s.fds[1] = 2;
    /* 1.5x: more, with every kernel object, but not clearly beyond 2x. */
    s.pss[1] = 12288;
    CHECK_INT(c1(&s, &v), TVP_V_NUANCED);
    HAS(summary, "1.5×, CI 1.");
    HAS(summary, "but not clearly beyond 2×");

    s.pss[1] = 8192; /* the same: the CI contains 1 */
    CHECK_INT(c1(&s, &v), TVP_V_TOO_CLOSE);
    HAS(summary, "anonymous PSS per process 8 KiB vs per thread 8 KiB: the CI 0.");
    HAS(summary, "contains 1");

    s.pss[1] = 4096; /* processes added less */
    CHECK_INT(c1(&s, &v), TVP_V_REFUTED);
    HAS(summary, "idle processes added less anonymous PSS than idle threads (0.5×, CI 0.4");

    /* The same clear-cut figures from 5 samples each decide nothing. */
    s.pss[1] = 204800, s.n = 5;
    CHECK_INT(c1(&s, &v), TVP_V_TOO_FEW);
    HAS(summary, "5 sample(s)");
    HAS(summary, "would say confirmed");
    s.n = 0;

    /* Threads that added no anonymous memory give no ratio. */
    s.pss[0] = 0;
    CHECK_INT(c1(&s, &v), TVP_V_NOT_MEASURED);
    HAS(summary, "no ratio: the threads' anonymous PSS at N=64 has a median of 0");
    s.pss[0] = 8192;

    s.footprint = 0; /* the memory group ran, its footprint did not */
    CHECK_INT(c1(&s, &v), TVP_V_NOT_MEASURED);
    HAS(summary, "no N at which both the idle-threads and idle-processes footprint succeeded");

    CHECK_INT(rf_rmdir(dir), 0);
    return CHECK_DONE();
}
