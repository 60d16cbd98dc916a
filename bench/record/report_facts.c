/* The report's content, worked out once for both writers: the verdicts, the one figure behind
 * each (read back from the verdict's own text, so the judges stay the only source), the charts
 * placed under the claim they bear on with the question each answers, and the helpers that cut
 * a verdict's figures into items and name a figure. */
#include "report_parts.h"

#include <dirent.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "group.h"
#include "sampling.h"
#include "stats.h"

/* Where each chart is shown and the question it answers, with what to look at. A chart not
 * listed still appears, under "Other charts". */
static const struct {
    const char *name, *where, *caption;
} chart_map[] = {
    {"memory-footprint", "C1",
     "How much memory does each idle thread or process add? The gap between the process and "
     "thread lines as N grows is what a process carries of its own."},
    {"memory-cow", "C2",
     "What does the first write to a page cost after fork, against a thread's write? The gap "
     "between the fork and thread lines is copy-on-write."},
    {"spawn-start-lean", "C3",
     "How long until a new task runs, and until it is joined? Compare fork, posix_spawn and "
     "fork+exec with pthread_create (log scale); the starter is a small libc-only program."},
    {"spawn-rss-lean", "C3",
     "Does a start get dearer as the parent's memory grows? fork's line climbs; "
     "pthread_create's and posix_spawn's stay flat."},
    {"spawn-start", "C3",
     "The same starts from the suite's own, larger process: how much the parent's size adds "
     "to fork."},
    {"spawn-rss", "C3",
     "The same memory sweep with the suite's process as the parent: fork's climb and its page "
     "faults per start."},
    {"python-start", "C3",
     "Do threading.Thread and multiprocessing.Process keep C's order? Each Python bar stands "
     "beside its C counterpart."},
    {"ipc-latency", "C4",
     "How long is a round trip through each transport, by message size? Left threads, right "
     "processes; the dashed line is the cache-line floor."},
    {"ipc-bandwidth", "C4",
     "How many MiB/s does each transport carry, by size? Compare with memcpy in cache (dashed) "
     "and from memory (dotted)."},
    {"spawn-lifecycle", "C5",
     "Does join wait, and does a daemon worker let the program exit? The joinable exit should "
     "reach the worker's work time, the daemon exit stay below it."},
    {"sched-scaling", "C6",
     "Does a CPU-bound job speed up with more workers? Free threads and processes follow the "
     "ideal to the PU count; threads under the emulated GIL stay near 1×."},
    {"python-scaling", "C6",
     "The same in CPython: do its threads stay near 1× while its Pool climbs?"},
    {"locks-uncontended", "C7",
     "What does one lock+unlock cost with no contention, per kind? Compare the private "
     "(thread) and process-shared bars."},
    {"locks-contended", "C7",
     "How do acquisitions per second fall as workers contend? Look past the PU count, where "
     "workers are oversubscribed."},
    {"locks-fairness", "C7",
     "Does every worker get its share? Jain's index near 1 is fair; a falling line means some "
     "workers starve."},
    {"python-locks", "C7",
     "Python's Lock, RLock, Semaphore and Event beside C's: what the interpreter adds."},
    {"locks-recursion", "C8",
     "What does each nesting level of a recursive lock cost? Compare the recursive line with "
     "the flat plain-lock line."},
    {"locks-semaphore", "C9",
     "Bounded semaphore throughput against workers, one panel per permit count: do workers past "
     "the cap buy anything?"},
    {"locks-event", "C10",
     "How long from set() to the waiter running? Compare implementations, threads and "
     "processes, same PU and cross-core."},
    {"queues-owncost", "C11",
     "What does each queue cost itself, with no wake-up? FIFO, LIFO and rings stay flat; the "
     "priority queue climbs with depth."},
    {"queues-throughput", "C11",
     "Messages per second through each queue as producers and consumers are added; the dashed "
     "line is one cache-line round trip per message."},
    {"queues-latency", "C11",
     "How long does a message wait between put and get? Compare the idle-queue handoff with "
     "p50 and p99 inside a stream."},
    {"python-queues", "C11",
     "Python's Queue, LifoQueue, PriorityQueue and SimpleQueue beside C's: ns per message."},
    {"spawn-pool", "C12",
     "Is a pool cheaper per task than a task started for each? Pool lines above per-task lines "
     "say yes; one panel per task size."},
    {"python-ipc", "C12",
     "Pipe, Queue, Manager and SharedMemory between Python processes beside C's: round trip "
     "by message size."},
    {"ipc-rtt64", "C13",
     "64-byte round trip per transport, threads and processes: does the shared-memory ring "
     "between processes come close to threads?"},
    {"sched-switch", "sched",
     "What does a hand-off between two tasks cost, thread against process? The third bar is the "
     "wake-up alone, so the switch's own share shows."},
    {"sched-working-set", "sched",
     "Does switching address spaces cost more as the tasks touch more memory? A gap between the "
     "thread and process lines is the TLB and cache effect."},
};

/* The figure that decided a verdict, read from the verdict's own words: the first pattern that
 * matches gives the headline, \N being its N-th group. Patterns follow the judges' wording; when
 * it changes and none matches, the summary's first clause is shown instead. */
static const struct {
    const char *id;
    int from_summary;
    const char *re, *fmt;
} headline_map[] = {
    {"C1", 0, "anonymous PSS added at N=([0-9]+): [^=]*= ([^ ]+) \\[95% CI ([^]]+)\\]",
     "anonymous PSS, processes/threads at N=\\1: \\2 [\\3]"},
    {"C2", 0,
     "first write per page after fork ([^ ]+ [^ ]+) vs ([^ ]+ [^ ]+) from a thread \\(([^ ]+) "
     "\\[95% CI ([^]]+)\\]",
     "facts checked; first write after fork \\3 [\\4] a thread's"},
    {"C3", 0, "; fork\\+wait [^=;]+ = ([^ ]+) \\[([^]]+)\\]", "fork / pthread_create: \\1 [\\2]"},
    {"C4", 0, "64 B: threads [^,]+, processes ([^ ]+) [^(]+\\(([^ ]+) \\[([^]]+)\\]\\)",
     "64 B round trip, \\1 / a thread's pointer: \\2 [\\3]"},
    {"C5", 0, "joinable worker ([^,]+), daemon worker ([^ ]+ [^ ]+)",
     "exit with work left: joinable \\1, daemon \\2"},
    {"C6", 1, "threads ([^ ]+) \\[([^]]+)\\][^;]*Pool ([^ ]+) \\[([^]]+)\\]",
     "CPython speed-up: threads \\1 [\\2], Pool \\3 [\\4]"},
    {"C6", 0, "C gil-threads ([0-9]+) workers: ([^ ]+) \\[([^]]+)\\]",
     "emulated GIL, \\1 workers: \\2 [\\3]"},
    {"C7", 0, "mutual-exclusion checks passed: ([0-9]+) figures[^,]*, failed: ([0-9]+)",
     "no lost update: \\1 figures passed, \\2 failed"},
    {"C8", 0, "self-deadlock facts held: ([0-9]+) figures, failed: ([0-9]+)",
     "self-deadlock facts held in \\1 figures, failed in \\2"},
    {"C9", 1, "simultaneous holders was ([^ ]+ [0-9]+) in every batch",
     "most holders seen: \\1 of 5 permits"},
    {"C10", 1, "fastest wake-up of one thread on one PU: ([^,]+)",
     "every waiter woke; fastest: \\1"},
    {"C11", 1, "priority queue costs ([^ ]+) \\[([^]]+)\\] the FIFO",
     "order checks passed; priority/FIFO own cost \\1 [\\2]"},
    {"C11", 0, "order/loss/checksum checks passed: ([0-9]+) figures, failed: ([0-9]+)",
     "order checks passed in \\1 figures, failed in \\2"},
    {"C12", 0, "one process per task ([^ ]+ [^ ]+) \\(([^ ]+) \\[([^]]+)\\] the pool\\)",
     "process per task / process pool: \\2 [\\3]"},
    {"C13", 0, "64 B: shm-arena between processes [^,]+, Z ([^ ]+) \\[([^]]+)\\]",
     "64 B round trip, shm-arena processes / spsc-pointer threads: \\1 [\\2]"},
    {"C13", 0, "64 B: ([^ ]+) between processes [^,]+, A ([^ ]+) \\[([^]]+)\\]",
     "64 B, \\1 processes/threads: \\2 [\\3]"},
};

static void substitute(char *out, size_t len, const char *fmt, const char *text,
                       const regmatch_t *m)
{
    out[0] = '\0';
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '\\' && p[1] >= '1' && p[1] <= '9') {
            const regmatch_t *g = &m[p[1] - '0'];
            if (g->rm_so >= 0)
                tvp_appendf(out, len, "%.*s", (int)(g->rm_eo - g->rm_so), text + g->rm_so);
            p++;
        } else {
            tvp_appendf(out, len, "%c", *p);
        }
    }
}

/* Cut at a word boundary: the first screen gives each row one line. */
static void shorten(char *s, size_t max)
{
    if (strlen(s) <= max)
        return;
    size_t cut = max;
    while (cut > max / 2 && s[cut] != ' ')
        cut--;
    snprintf(s + cut, 4 + 1, "%s", " …");
}

static void headline(const struct tvp_claim *c, const struct tvp_verdict *v, char *out, size_t len)
{
    out[0] = '\0';
    if (v->kind != TVP_V_NOT_MEASURED)
        for (size_t i = 0; i < sizeof headline_map / sizeof headline_map[0] && !out[0]; i++) {
            if (strcmp(headline_map[i].id, c->id) != 0)
                continue;
            regex_t re;
            regmatch_t m[10];
            if (regcomp(&re, headline_map[i].re, REG_EXTENDED) != 0)
                continue;
            const char *text = headline_map[i].from_summary ? v->summary : v->figures;
            if (regexec(&re, text, 10, m, 0) == 0)
                substitute(out, len, headline_map[i].fmt, text, m);
            regfree(&re);
        }
    if (!out[0]) {
        snprintf(out, len, "%.*s", (int)strcspn(v->summary, ";("), v->summary);
        size_t n = strlen(out);
        while (n && out[n - 1] == ' ')
            out[--n] = '\0';
    }
    shorten(out, 96);
}

static const char counters_caption[] =
    "Context switches, CPU migrations and page faults per operation of each kind (cycles, "
    "instructions, IPC and cache misses where the PMU allows); compare a benchmark's thread and "
    "process rows.";

static int file_ok(const char *dir, const char *name, const char *ext)
{
    char path[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/charts/%s.%s", dir, name, ext);
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static int chart_rank(const char *name)
{
    for (size_t i = 0; i < sizeof chart_map / sizeof chart_map[0]; i++)
        if (!strcmp(chart_map[i].name, name))
            return (int)i;
    return (int)(sizeof chart_map / sizeof chart_map[0]);
}

static int cmp_chart(const void *a, const void *b)
{
    const struct tvp_rpt_chart *x = a, *y = b;
    int d = chart_rank(x->name) - chart_rank(y->name);
    return d ? d : strcmp(x->name, y->name);
}

/* Every chart drawn (an SVG or a PNG in charts/), in the order of chart_map. */
static void find_charts(struct tvp_report *r)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/charts", r->rs->dir);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && r->n_charts < TVP_RPT_MAX_CHARTS) {
        size_t len = strlen(e->d_name);
        if (len < 5 || len > 78 || strcmp(e->d_name + len - 4, ".png") != 0)
            continue;
        struct tvp_rpt_chart *c = &r->charts[r->n_charts];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%.*s", (int)(len - 4), e->d_name);
        c->has_png = file_ok(r->rs->dir, c->name, "png");
        c->has_svg = file_ok(r->rs->dir, c->name, "svg");
        if (!c->has_png)
            continue;
        int k = chart_rank(c->name);
        if (!strncmp(c->name, "counters-", 9)) {
            /* Every group's counters panel, in that group's section. */
            snprintf(c->where, sizeof c->where, "%s", c->name + 9);
            c->caption = counters_caption;
        } else if (k < (int)(sizeof chart_map / sizeof chart_map[0])) {
            snprintf(c->where, sizeof c->where, "%s", chart_map[k].where);
            c->caption = chart_map[k].caption;
        }
        r->n_charts++;
    }
    closedir(d);
    qsort(r->charts, r->n_charts, sizeof r->charts[0], cmp_chart);
}

void tvp_rpt_build(struct tvp_report *r, const struct tvp_resultset *rs)
{
    memset(r, 0, sizeof *r);
    r->rs = rs;
    for (size_t i = 0; i < tvp_claims_len; i++) {
        tvp_judge_claim(rs, &tvp_claims[i], &r->v[i]);
        headline(&tvp_claims[i], &r->v[i], r->headline[i], sizeof r->headline[i]);
    }
    find_charts(r);
    for (size_t g = 0; g < tvp_groups_len && r->n_sections < TVP_RPT_MAX_SECTIONS; g++) {
        struct tvp_rpt_section *s = &r->sections[r->n_sections];
        if (tvp_groups[g]->report_section &&
            tvp_groups[g]->report_section(rs, s->title, sizeof s->title, s->lines,
                                          sizeof s->lines)) {
            snprintf(s->group, sizeof s->group, "%s", tvp_groups[g]->name);
            r->n_sections++;
            continue;
        }
        /* A group with no section of its own still gets one for its counters panel. */
        char counters[80];
        snprintf(counters, sizeof counters, "counters-%s", tvp_groups[g]->name);
        for (size_t i = 0; i < r->n_charts; i++)
            if (!strcmp(r->charts[i].name, counters)) {
                snprintf(s->group, sizeof s->group, "%s", tvp_groups[g]->name);
                snprintf(s->title, sizeof s->title, "%s group: counters per operation",
                         tvp_groups[g]->name);
                s->lines[0] = '\0';
                r->n_sections++;
                break;
            }
    }
    for (size_t i = 0; i < rs->n; i++) {
        if (strcmp(rs->figs[i].status, "ok") != 0) {
            r->n_not_ok++;
            continue;
        }
        r->n_ok++;
        r->n_noisy += rs->figs[i].noisy != 0;
    }
    /* A chart meant for a group's section that the run did not produce goes to the others. */
    for (size_t i = 0; i < r->n_charts; i++) {
        int shown = r->charts[i].where[0] == 'C';
        for (int s = 0; s < r->n_sections && !shown; s++)
            shown = !strcmp(r->sections[s].group, r->charts[i].where);
        if (!shown)
            r->charts[i].where[0] = '\0';
    }
    tvp_rpt_read_env(rs->dir, &r->env);
    for (size_t i = 0; i < rs->n; i++) {
        enum tvp_rpt_sampled how = tvp_rpt_sampled(&r->env, &rs->figs[i]);
        if (how == TVP_RPT_NOT_GOVERNED)
            continue;
        r->n_governed++;
        r->n_met += how == TVP_RPT_MET;
        r->n_capped += how == TVP_RPT_CAPPED;
        r->n_at_max += how == TVP_RPT_AT_MAX;
    }
    tvp_rpt_warnings(r);
}

double tvp_rpt_rel_halfwidth(const struct tvp_fig *f)
{
    return tvp_rel_halfwidth(f->n, f->ci_low, f->ci_high, f->median);
}

enum tvp_rpt_sampled tvp_rpt_sampled(const struct tvp_rpt_env *e, const struct tvp_fig *f)
{
    if (!e->adaptive || strcmp(f->status, "ok") != 0 ||
        !tvp_sampling_governs_metric(f->metric, f->unit))
        return TVP_RPT_NOT_GOVERNED;
    if (f->stop == TVP_STOP_TARGET || tvp_rpt_rel_halfwidth(f) <= e->ci_target)
        return TVP_RPT_MET;
    return f->stop == TVP_STOP_CAP   ? TVP_RPT_CAPPED
           : f->stop == TVP_STOP_MAX ? TVP_RPT_AT_MAX
                                     : TVP_RPT_UNSTOPPED;
}

const char *tvp_rpt_next_item(const char *s, char *out, size_t len)
{
    while (*s == ' ' || *s == ';')
        s++;
    if (!*s)
        return NULL;
    int depth = 0;
    const char *p = s;
    for (; *p; p++) {
        if (*p == '(' || *p == '[')
            depth++;
        else if ((*p == ')' || *p == ']') && depth > 0)
            depth--;
        else if (!depth && p[0] == ';' && p[1] == ' ')
            break;
    }
    snprintf(out, len, "%.*s", (int)(p - s), s);
    return p;
}

void tvp_rpt_split_figures(const char *figures, char *c, size_t clen, char *py, size_t pylen,
                           char *label, size_t llen)
{
    c[0] = py[0] = label[0] = '\0';
    char item[6000];
    int in_py = 0;
    for (const char *p = figures; (p = tvp_rpt_next_item(p, item, sizeof item));) {
        /* The python group's addendum opens with "Python (<interpreter>): " or "Python: ". */
        if (!in_py && (!strncmp(item, "Python (", 8) || !strncmp(item, "Python: ", 8))) {
            in_py = 1;
            const char *colon = item[6] == ':' ? item + 6 : strstr(item, "): ");
            size_t head = colon ? (size_t)(colon - item) + (item[6] == ':' ? 0 : 1) : 6;
            snprintf(label, llen, "%.*s", (int)head, item);
            const char *rest = colon ? colon + (item[6] == ':' ? 2 : 3) : item + 6;
            tvp_appendf(py, pylen, "%s", rest);
            continue;
        }
        if (in_py)
            tvp_appendf(py, pylen, "%s%s", py[0] ? "; " : "", item);
        else
            tvp_appendf(c, clen, "%s%s", c[0] ? "; " : "", item);
    }
}

void tvp_rpt_fig_cells(const struct tvp_rpt_env *e, const struct tvp_fig *f, char *value,
                       size_t vlen, char *where, size_t wlen)
{
    char med[32], lo[32], hi[32];
    if (strcmp(f->unit, "ns") == 0) {
        tvp_fmt_ns(med, sizeof med, f->median);
        tvp_fmt_ns(lo, sizeof lo, f->ci_low);
        tvp_fmt_ns(hi, sizeof hi, f->ci_high);
    } else {
        snprintf(med, sizeof med, "%.4g %s", f->median, f->unit);
        snprintf(lo, sizeof lo, "%.4g", f->ci_low);
        snprintf(hi, sizeof hi, "%.4g", f->ci_high);
    }
    char level[48] = "";
    /* Below 9 samples the interval is [min, max] or the ranks next to it, and its coverage is not
     * 95%: say what it is. */
    if (f->n > 1 && f->n < 9)
        snprintf(level, sizeof level, " (%.3g%% CI)", 100 * tvp_median_ci_coverage(f->n, 0.95));
    if (strcmp(f->status, "ok") == 0)
        snprintf(value, vlen, "%s [%s, %s]%s n=%zu%s%s", med, lo, hi, level, f->n,
                 f->noisy ? " (noisy)" : "",
                 tvp_rpt_sampled(e, f) == TVP_RPT_CAPPED ? " (cap)" : "");
    else
        snprintf(value, vlen, "%s", f->status);
    snprintf(where, wlen, "%s (PU %s)", f->placement, f->cpus[0] ? f->cpus : "?");
}

/* A note is "; "-separated parts shared by many figures of a group (how the figure was taken)
 * and a noisy part of its own, which the value cell already says with its interval. */
static int note_part(const char *p, size_t *len)
{
    int depth = 0;
    const char *q = p;
    for (; *q; q++) {
        if (*q == '(' || *q == '[')
            depth++;
        else if ((*q == ')' || *q == ']') && depth > 0)
            depth--;
        else if (!depth && q[0] == ';' && q[1] == ' ')
            break;
    }
    *len = (size_t)(q - p);
    return strncmp(p, "noisy: ", 7) != 0;
}

static size_t find_part(const struct tvp_rpt_note *notes, size_t n, const char *p, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (notes[i].len == len && !memcmp(notes[i].text, p, len))
            return i + 1;
    return 0;
}

static const char *next_part(const char *p, size_t len)
{
    p += len;
    while (*p == ';' || *p == ' ')
        p++;
    return p;
}

size_t tvp_rpt_group_counts(const struct tvp_resultset *rs, const char *group, size_t *total,
                            size_t *noisy, size_t *bad)
{
    *total = *noisy = *bad = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->figs[i].group, group)) {
            ++*total;
            *noisy += rs->figs[i].noisy != 0;
            *bad += strcmp(rs->figs[i].status, "ok") != 0;
        }
    return *total;
}

size_t tvp_rpt_group_notes(const struct tvp_resultset *rs, const char *group,
                           struct tvp_rpt_note *notes, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        if (strcmp(rs->figs[i].group, group) != 0)
            continue;
        size_t len;
        for (const char *p = rs->figs[i].note; *p; p = next_part(p, len))
            if (note_part(p, &len) && len && !find_part(notes, n, p, len) && n < max) {
                notes[n].text = p;
                notes[n++].len = len;
            }
    }
    return n;
}

void tvp_rpt_note_refs(const struct tvp_rpt_note *notes, size_t n, const char *note, char *buf,
                       size_t len)
{
    buf[0] = '\0';
    size_t plen;
    for (const char *p = note; *p; p = next_part(p, plen)) {
        size_t k = note_part(p, &plen) ? find_part(notes, n, p, plen) : 0;
        if (k)
            tvp_appendf(buf, len, "%s%zu", buf[0] ? ", " : "", k);
    }
}

void tvp_rpt_anchor(const char *id, char *buf, size_t len)
{
    size_t i = 0;
    for (; id[i] && i + 1 < len; i++)
        buf[i] = (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] - 'A' + 'a' : id[i]);
    buf[i] = '\0';
}
