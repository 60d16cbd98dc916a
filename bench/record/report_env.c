/* The run's conditions, read from meta.json, and the warnings they call for: a reader must know
 * before any figure when the run was weak (short, on a VM, noisy, sharing the machine) and what
 * would make it stronger, as Google Benchmark's "CPU scaling is enabled" line and pyperf check
 * say it. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report_parts.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *more = realloc(buf, cap * 2);
        if (!more) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = more;
        cap *= 2;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* meta.json's keys are unique where these are used, so the first occurrence is the one. */
static double num(const char *json, const char *key, double absent)
{
    char pat[80];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(json, pat);
    if (!p)
        return absent;
    p += strlen(pat);
    if (!strncmp(p, "true", 4))
        return 1;
    if (!strncmp(p, "false", 5))
        return 0;
    char *end;
    double v = strtod(p, &end);
    return end == p ? absent : v;
}

static void str(const char *json, const char *key, char *buf, size_t len)
{
    if (tvp_json_lookup_string(json, key, buf, len) != 0)
        buf[0] = '\0';
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

static void counters(const char *json, struct tvp_rpt_env *e)
{
    const char *p = strstr(json, "\"available\": [");
    const char *end = p ? strchr(p, ']') : NULL;
    for (const char *q = p ? strchr(p, '[') : NULL; q && end && (q = strchr(q, '"')) && q < end;) {
        const char *close = strchr(q + 1, '"');
        if (!close || close > end)
            break;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(close - q - 1), q + 1);
        tvp_appendf(e->ctr_ok, sizeof e->ctr_ok, "%s%s", e->n_ctr_ok++ ? ", " : "", name);
        e->hw_ctr_ok |= is_hw_counter(name);
        q = close + 1;
    }
    /* The list of refused counters is the last thing in meta.json. Counters refused for one
     * reason (every hardware event on a VM without a PMU) are named together, the reason once. */
    char names[16][300], reasons[16][320];
    int n = 0;
    p = strstr(json, "\"unavailable\": [");
    for (const char *q = p; q && (q = strstr(q, "\"name\": \"")); q++) {
        char name[64], reason[320];
        if (tvp_json_lookup_string(q, "name", name, sizeof name) ||
            tvp_json_lookup_string(q, "reason", reason, sizeof reason))
            break;
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

static void placements(const char *json, struct tvp_rpt_env *e)
{
    const char *p = strstr(json, "\"placements\": [");
    const char *end = p ? strstr(p, "\n  ]") : NULL;
    for (const char *q = p; q && end && (q = strstr(q, "\"name\": \"")) && q < end; q++) {
        char name[32], detail[200];
        const char *next = strstr(q + 1, "\"name\": \"");
        tvp_json_lookup_string(q, "name", name, sizeof name);
        /* An unavailable placement has a reason where an available one has a detail. */
        const char *d = strstr(q, "\"detail\": \"");
        if (d && (!next || d < next) && d < end &&
            tvp_json_lookup_string(q, "detail", detail, sizeof detail) == 0)
            tvp_appendf(e->placements, sizeof e->placements, "%s%s: %s",
                        e->placements[0] ? "; " : "", name, detail);
    }
}

void tvp_rpt_read_env(const char *dir, struct tvp_rpt_env *e)
{
    memset(e, 0, sizeof *e);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    char *json = read_all(path);
    if (!json)
        return;
    e->quick = (int)num(json, "quick", 0);
    e->repetitions = (int)num(json, "repetitions", 0);
    e->min_time_s = num(json, "min_time_s", NAN);
    e->counters_on = (int)num(json, "counters", 1);
    e->packages = (int)num(json, "packages", 0);
    e->numa = (int)num(json, "numa_nodes", 0);
    e->cores = (int)num(json, "cores", 0);
    e->pus = (int)num(json, "pus", 0);
    e->smt = (int)num(json, "smt", 0);
    e->l1d = (long long)num(json, "l1d_bytes", 0);
    e->l2 = (long long)num(json, "l2_bytes", 0);
    e->l3 = (long long)num(json, "l3_bytes", 0);
    e->timer_res_ns = num(json, "resolution_ns", NAN);
    str(json, "governor", e->governor, sizeof e->governor);
    str(json, "scaling_driver", e->driver, sizeof e->driver);
    str(json, "turbo", e->turbo, sizeof e->turbo);
    str(json, "smt_active", e->smt_active, sizeof e->smt_active);
    str(json, "transparent_hugepages", e->thp, sizeof e->thp);
    str(json, "perf_event_paranoid", e->paranoid, sizeof e->paranoid);
    str(json, "compiler", e->compiler, sizeof e->compiler);
    str(json, "build_type", e->build, sizeof e->build);
    str(json, "arch", e->arch, sizeof e->arch);
    /* "samples" is a common word: read it inside the load object only. */
    const char *load = strstr(json, "\"load\": {");
    e->load_samples = load ? (int)num(load, "samples", 0) : 0;
    e->load_max = num(json, "max_1min", NAN);
    e->load_at = num(json, "max_at_s", NAN);
    str(json, "max_during", e->load_during, sizeof e->load_during);
    e->others_max = (int)num(json, "max_others_runnable", 0);
    e->others_at = num(json, "others_at_s", NAN);
    str(json, "others_during", e->others_during, sizeof e->others_during);
    counters(json, e);
    placements(json, e);
    free(json);
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

void tvp_rpt_warnings(struct tvp_report *r)
{
    const struct tvp_rpt_env *e = &r->env;
    const struct tvp_resultset *rs = r->rs;
    if (strcmp(rs->status, "complete") != 0)
        warn(r, "Incomplete run",
             "the run is %s: only the cases that finished are judged. Run it again to the end.",
             rs->status[0] ? rs->status : "of unknown status");
    if (e->quick)
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
    if (r->n_ok && r->n_noisy * 10 > r->n_ok)
        warn(r, "Noisy figures",
             "%zu of %zu figures (%.0f%%) are flagged noisy (95%% CI wider than ±5%% of the "
             "median). Close other programs, run without --quick, or raise --repetitions.",
             r->n_noisy, r->n_ok, 100.0 * (double)r->n_noisy / (double)r->n_ok);
    if (e->pus && e->load_samples && e->load_max > e->pus)
        warn(r, "Machine busy",
             "the 1-minute load average reached %.2f on %d PUs (at %.0f s, starting %s); at a "
             "case's start up to %d other task(s) were runnable (at %.0f s). The suite runs at "
             "most 2×PUs tasks itself, in its oversubscribed cases; other work competed for "
             "the PUs. Rerun on an idle machine.",
             e->load_max, e->pus, e->load_at, e->load_during, e->others_max, e->others_at);
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
    if (few[0])
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
