#include "claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "group.h"
#include "stats.h"

const struct tvp_claim tvp_claims[] = {
    {"C1",
     "A process is a bundle of resources and does not run by itself; a thread is a stream "
     "of instructions inside it.",
     "memory", "A process holds resources; a thread runs inside it"},
    {"C2", "Threads share one memory; processes each have their own.", "memory",
     "Threads share memory; processes each have their own"},
    {"C3", "Starting a process is slow; starting a thread is fast.", "spawn",
     "Starting a process is slow, a thread fast"},
    {"C4", "Threads exchange data freely; processes cannot share data without help.", "ipc",
     "Processes need help to share data; threads do not"},
    {"C5",
     "`join` makes the caller wait for the thread; a daemon (detached) thread does not hold "
     "the program open and must be marked before it starts.",
     "spawn", "join waits; a daemon thread does not hold exit"},
    {"C6",
     "In CPython only one thread runs at a time (the GIL), so CPU-bound threads do not speed "
     "up; processes do.",
     "sched", "GIL: CPU-bound threads do not speed up, processes do"},
    {"C7", "A mutex (Lock) serialises a critical section: acquire, work, release.", "locks",
     "A mutex serialises a critical section"},
    {"C8",
     "A recursive lock (RLock) may be taken again by the thread that holds it; a plain lock "
     "would deadlock.",
     "locks", "A recursive lock may be re-taken by its holder"},
    {"C9",
     "A semaphore, and a bounded one such as `BoundedSemaphore(5)`, caps how many threads "
     "run at once; releasing too often is an error.",
     "locks", "A semaphore caps holders; over-release is an error"},
    {"C10", "An Event lets threads wait for a signal that another sets and clears.", "locks",
     "An Event wakes the threads waiting for it"},
    {"C11",
     "A queue decouples producers from consumers efficiently; FIFO, LIFO and priority "
     "queues differ only in order.",
     "queues", "Queues decouple efficiently; kinds differ only in order"},
    {"C12",
     "multiprocessing gives processes the same tools: Process, Pool (close before join), "
     "Queue, Pipe, Manager.",
     "spawn", "multiprocessing gives processes the same tools"},
    {"C13",
     "Processes can share memory explicitly, and then exchange data nearly as cheaply as "
     "threads.",
     "ipc", "Shared memory makes processes nearly as cheap as threads"},
};
const size_t tvp_claims_len = sizeof tvp_claims / sizeof tvp_claims[0];
_Static_assert(sizeof tvp_claims / sizeof tvp_claims[0] <= TVP_MAX_CLAIMS, "raise TVP_MAX_CLAIMS");

const char *tvp_verdict_name(enum tvp_verdict_kind k)
{
    static const char *const names[] = {"not measured", "confirmed",         "refuted",
                                        "nuanced",      "too close to call", "too few samples"};
    return names[k];
}

void tvp_appendf(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

void tvp_fmt_ns(char *buf, size_t len, double ns)
{
    if (!isfinite(ns))
        snprintf(buf, len, "n/a");
    else if (fabs(ns) >= 1e9)
        snprintf(buf, len, "%.3g s", ns / 1e9);
    else if (fabs(ns) >= 1e6)
        snprintf(buf, len, "%.3g ms", ns / 1e6);
    else if (fabs(ns) >= 1e3)
        snprintf(buf, len, "%.3g µs", ns / 1e3);
    else
        snprintf(buf, len, "%.3g ns", ns);
}

/* The fewest samples of any figure the judge now running decided on (SIZE_MAX: none yet). The
 * judges run one at a time in one thread (report and chart-data commands). */
static size_t judged_min_n = SIZE_MAX;

void tvp_judge_uses(const struct tvp_fig *f)
{
    if (f && f->n < judged_min_n)
        judged_min_n = f->n;
}

int tvp_ratio_of(const struct tvp_fig *a, const struct tvp_fig *b, struct tvp_ratio *r)
{
    if (!a || !b || !(b->median > 0)) {
        memset(r, 0, sizeof *r);
        return -1;
    }
    tvp_judge_uses(a);
    tvp_judge_uses(b);
    return tvp_ratio_shown(a, b, r);
}

int tvp_ratio_shown(const struct tvp_fig *a, const struct tvp_fig *b, struct tvp_ratio *r)
{
    memset(r, 0, sizeof *r);
    if (!a || !b || !(b->median > 0))
        return -1;
    if (a->n_samples >= 3 && b->n_samples >= 3 &&
        tvp_ratio_of_medians_ci(a->samples, a->n_samples, b->samples, b->n_samples, 0.95, 2000,
                                0x7470626e63ull, &r->ratio, &r->lo, &r->hi) == 0) {
        r->bootstrap = 1;
        return 0;
    }
    r->ratio = a->median / b->median;
    r->lo = b->ci_high > 0 ? a->ci_low / b->ci_high : NAN;
    r->hi = b->ci_low > 0 ? a->ci_high / b->ci_low : NAN;
    return 0;
}

int tvp_paired_ratio_of(const struct tvp_fig *a, const struct tvp_fig *b, struct tvp_ratio *r)
{
    memset(r, 0, sizeof *r);
    if (!a || !b || a->n_samples != b->n_samples || a->n_samples == 0 ||
        tvp_paired_ratio_median_ci(a->samples, b->samples, a->n_samples, 0.95, &r->ratio, &r->lo,
                                   &r->hi) != 0)
        return -1; /* it writes nothing when it fails */
    tvp_judge_uses(a);
    tvp_judge_uses(b);
    return 0;
}

int tvp_scaling_speedup(const struct tvp_resultset *rs, const char *group, const char *variant,
                        long long w, struct tvp_ratio *r)
{
    memset(r, 0, sizeof *r);
    const struct tvp_fig *many =
        tvp_rs_pick(rs, group, "scaling", variant, NULL, NULL, w, "per-job");
    const struct tvp_fig *one_paired =
        tvp_rs_pick(rs, group, "scaling", variant, NULL, NULL, w, "per-job-1");
    if (many && one_paired) /* two metrics of one case: as many samples each */
        return tvp_paired_ratio_of(one_paired, many, r);
    const struct tvp_fig *one =
        tvp_rs_pick(rs, group, "scaling", variant, NULL, NULL, 1, "per-job");
    return tvp_ratio_of(one, many, r);
}

static void judge_c(const struct tvp_resultset *rs, const struct tvp_claim *c,
                    struct tvp_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->kind = TVP_V_NOT_MEASURED;
    if (!c->group) {
        snprintf(v->summary, sizeof v->summary,
                 "no benchmark group in this version measures it yet");
        return;
    }
    const struct tvp_group *g = tvp_group_find(c->group);
    if (!g || !tvp_rs_has_group(rs, c->group)) {
        snprintf(v->summary, sizeof v->summary,
                 "the %s group did not run (or has no successful figure) in this "
                 "run",
                 c->group);
        return;
    }
    for (size_t i = 0; i < g->n_judges; i++)
        if (strcmp(g->judges[i].claim_id, c->id) == 0) {
            g->judges[i].judge(rs, v);
            return;
        }
    snprintf(v->summary, sizeof v->summary, "the %s group has no judge for %s", c->group, c->id);
}

int tvp_claim_parts(const struct tvp_resultset *rs, const char *claim_id, char *figs, size_t len)
{
    int parts = 0, measured = 0, failed = 0;
    for (size_t i = 0; i < tvp_groups_len; i++)
        for (size_t k = 0; k < tvp_groups[i]->n_claim_parts; k++) {
            const struct tvp_claim_part *p = &tvp_groups[i]->claim_parts[k];
            if (strcmp(p->claim_id, claim_id))
                continue;
            int rc = p->part(rs, figs, len);
            parts++;
            measured += rc > 0;
            failed += rc < 0;
        }
    return failed ? -1 : parts && measured == parts ? 1 : 0;
}

void tvp_judge_claim(const struct tvp_resultset *rs, const struct tvp_claim *c,
                     struct tvp_verdict *v)
{
    judged_min_n = SIZE_MAX;
    judge_c(rs, c, v);
    if (judged_min_n < TVP_MIN_VERDICT_SAMPLES && v->kind != TVP_V_NOT_MEASURED) {
        char was[sizeof v->summary];
        snprintf(was, sizeof was, "%s", v->summary);
        snprintf(v->summary, sizeof v->summary,
                 "a deciding figure has %zu sample(s), fewer than the %d a verdict needs "
                 "(the rule alone would say %s: %.400s)",
                 judged_min_n, TVP_MIN_VERDICT_SAMPLES, tvp_verdict_name(v->kind), was);
        tvp_appendf(v->rule, sizeof v->rule,
                    "; no verdict from fewer than %d samples per figure (too few samples)",
                    TVP_MIN_VERDICT_SAMPLES);
        v->kind = TVP_V_TOO_FEW;
    }
    /* The verdict rests on the judging group's figures; other groups' (Python's, with their
     * ratio to C) are shown beside. */
    for (size_t i = 0; i < tvp_groups_len; i++)
        if (tvp_groups[i]->claim_addendum)
            tvp_groups[i]->claim_addendum(rs, c->id, v);
}
