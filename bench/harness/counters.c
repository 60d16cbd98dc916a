/* Performance counters through libpfm4 and perf_event_open; see counters.h. */
#define _GNU_SOURCE
#include "counters.h"

#include "tvp_err.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <perfmon/pfmlib_perf_event.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const tvp_counters_default[] = {
    "cycles",     "instructions",     "cache-misses",   "branch-misses",
    "task-clock", "context-switches", "cpu-migrations", "page-faults",
};
const size_t tvp_counters_default_len =
    sizeof tvp_counters_default / sizeof tvp_counters_default[0];

#define COLUMN_LEN 64
#define REASON_LEN 224

/* One value as read() returns it with TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING. */
struct reading {
    uint64_t value, enabled, running;
};

struct event {
    char *name;
    char column[COLUMN_LEN];
    char reason[REASON_LEN]; /* "" when available */
    int fd;                  /* -1 when unavailable */
    int user_only;           /* opened with exclude_kernel after the kernel refused kernel mode */
    /* Values at the last start: RESET clears the count but not the enabled and running times,
     * which keep growing over every start/stop cycle, so each read subtracts these. */
    struct reading base;
};

struct tvp_counter_set {
    size_t n;
    char error[REASON_LEN]; /* last start/stop/read failure */
    struct event ev[];
};

/* ---- names ---------------------------------------------------------------------------- */

/* perf's generic events that libpfm4 knows: libpfm4's name (after "perf::"), perf's name,
 * perf's other spellings. Every spelling of one event gets the same column. */
static const struct {
    const char *pfm, *perf, *alias1, *alias2;
} generic[] = {
    {"PERF_COUNT_HW_CPU_CYCLES", "cycles", "cpu-cycles", NULL},
    {"PERF_COUNT_HW_INSTRUCTIONS", "instructions", NULL, NULL},
    {"PERF_COUNT_HW_CACHE_REFERENCES", "cache-references", NULL, NULL},
    {"PERF_COUNT_HW_CACHE_MISSES", "cache-misses", NULL, NULL},
    {"PERF_COUNT_HW_BRANCH_INSTRUCTIONS", "branch-instructions", "branches", NULL},
    {"PERF_COUNT_HW_BRANCH_MISSES", "branch-misses", NULL, NULL},
    {"PERF_COUNT_HW_BUS_CYCLES", "bus-cycles", NULL, NULL},
    {"PERF_COUNT_HW_STALLED_CYCLES_FRONTEND", "stalled-cycles-frontend", "idle-cycles-frontend",
     NULL},
    {"PERF_COUNT_HW_STALLED_CYCLES_BACKEND", "stalled-cycles-backend", "idle-cycles-backend", NULL},
    {"PERF_COUNT_HW_REF_CPU_CYCLES", "ref-cycles", NULL, NULL},
    {"PERF_COUNT_SW_CPU_CLOCK", "cpu-clock", NULL, NULL},
    {"PERF_COUNT_SW_TASK_CLOCK", "task-clock", NULL, NULL},
    {"PERF_COUNT_SW_PAGE_FAULTS", "page-faults", "faults", NULL},
    {"PERF_COUNT_SW_CONTEXT_SWITCHES", "context-switches", "cs", NULL},
    {"PERF_COUNT_SW_CPU_MIGRATIONS", "cpu-migrations", "migrations", NULL},
    {"PERF_COUNT_SW_PAGE_FAULTS_MIN", "minor-faults", NULL, NULL},
    {"PERF_COUNT_SW_PAGE_FAULTS_MAJ", "major-faults", NULL, NULL},
};

/* Case-insensitive comparison of the first len characters of s with the whole of word. */
static int word_is(const char *s, size_t len, const char *word)
{
    return word && strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* The generic event that base[0..len) names in any spelling, or -1. */
static int find_generic(const char *base, size_t len)
{
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (word_is(base, len, generic[i].pfm) || word_is(base, len, generic[i].perf) ||
            word_is(base, len, generic[i].alias1) || word_is(base, len, generic[i].alias2))
            return (int)i;
    return -1;
}

/* Splits an event name into the part after any "pmu::" prefix, the length of its base name
 * (before the first ':' modifier) and its modifiers (":u", ":period=..." or ""). */
static const char *split_name(const char *event, size_t *base_len, const char **mods)
{
    const char *p = strstr(event, "::");
    const char *s = p ? p + 2 : event;
    const char *colon = strchr(s, ':');
    *base_len = colon ? (size_t)(colon - s) : strlen(s);
    *mods = colon ? colon : "";
    return s;
}

void tvp_counter_column_name(const char *event, char *buf, size_t len)
{
    if (len == 0)
        return;
    size_t base_len;
    const char *mods;
    const char *s = split_name(event ? event : "", &base_len, &mods);
    int g = find_generic(s, base_len);
    char tmp[256];
    if (g >= 0)
        snprintf(tmp, sizeof tmp, "%s%s", generic[g].perf, mods);
    else
        snprintf(tmp, sizeof tmp, "%s", s);

    /* Lowercase alphanumerics; a run of anything else becomes one '_', none at either end. */
    size_t out = 0;
    int pending_sep = 0;
    for (const char *c = tmp; *c; c++) {
        if (!isalnum((unsigned char)*c)) {
            pending_sep = 1;
            continue;
        }
        size_t need = pending_sep && out > 0 ? 2 : 1;
        if (out + need >= len)
            break;
        if (need == 2)
            buf[out++] = '_';
        pending_sep = 0;
        buf[out++] = (char)tolower((unsigned char)*c);
    }
    if (out == 0)
        snprintf(buf, len, "event");
    else
        buf[out] = '\0';
}

/* ---- parsing -------------------------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int tvp_counters_parse_list(char *list, const char **names, int max, char *err, size_t errlen)
{
    int n = 0, pos = 1;
    char *p = list;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *name = trim(p);
        if (name[0] == '\0') {
            set_err(err, errlen, "event %d of the list is empty (expected name,name,...)", pos);
            return -1;
        }
        if (n >= max) {
            set_err(err, errlen, "more than %d events in the list", max);
            return -1;
        }
        names[n++] = name;
        if (!comma)
            break;
        p = comma + 1;
        pos++;
    }
    return n;
}

/* ---- opening -------------------------------------------------------------------------- */

static int pfm_status = PFM_ERR_NOINIT;
static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;

static void pfm_init_once(void)
{
    pfm_status = pfm_initialize();
}

static long sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group,
                                unsigned long flags)
{
    return syscall(SYS_perf_event_open, attr, pid, cpu, group, flags);
}

/* Whether the kernel registered a CPU PMU: one with the raw type, or named as x86 and Arm
 * name theirs. Without one, hardware events answer ENOENT. */
static int cpu_pmu_present(void)
{
    DIR *d = opendir("/sys/bus/event_source/devices");
    if (!d)
        return 0;
    int found = 0;
    struct dirent *de;
    while (!found && (de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strcmp(n, "cpu") == 0 || strncmp(n, "cpu_", 4) == 0 || strncmp(n, "armv", 4) == 0) {
            found = 1;
            break;
        }
        char path[320];
        snprintf(path, sizeof path, "/sys/bus/event_source/devices/%s/type", n);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        unsigned type;
        if (fscanf(f, "%u", &type) == 1 && type == PERF_TYPE_RAW)
            found = 1;
        fclose(f);
    }
    closedir(d);
    return found;
}

static void paranoid_hint(char *buf, size_t len)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int v;
    if (f && fscanf(f, "%d", &v) == 1)
        snprintf(buf, len, "perf_event_paranoid=%d", v);
    else
        snprintf(buf, len, "perf_event_paranoid unreadable");
    if (f)
        fclose(f);
}

static void refusal_reason(struct event *e, int err, const struct perf_event_attr *attr)
{
    char hint[96] = "";
    int hardware = attr->type == PERF_TYPE_HARDWARE || attr->type == PERF_TYPE_HW_CACHE ||
                   attr->type == PERF_TYPE_RAW;
    if ((err == ENOENT || err == EOPNOTSUPP) && hardware)
        snprintf(hint, sizeof hint, "%s",
                 cpu_pmu_present() ? "the CPU's PMU does not support this event"
                                   : "no hardware PMU exposed: virtual machine?");
    else if (err == ENOENT || err == EOPNOTSUPP)
        snprintf(hint, sizeof hint, "event not supported by this kernel or its PMU");
    else if (err == EACCES || err == EPERM)
        paranoid_hint(hint, sizeof hint);
    if (hint[0])
        snprintf(e->reason, sizeof e->reason, "perf_event_open: %s (%s)", strerror(err), hint);
    else
        tvp_errfmt(e->reason, sizeof e->reason, err, "perf_event_open");
}

/* Encodes a name with libpfm4 (4.13 accepts perf's spellings, "cycles", "page-faults",
 * "perf::PAGE-FAULTS", "cs", as well as its own "perf::PERF_COUNT_SW_PAGE_FAULTS"). Returns a
 * PFM_* code. */
static int encode(const char *name, struct perf_event_attr *attr)
{
    pfm_perf_encode_arg_t arg;
    memset(attr, 0, sizeof *attr);
    memset(&arg, 0, sizeof arg);
    arg.size = sizeof arg;
    arg.attr = attr;
    return pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
}

static void open_event(struct event *e, int inherit)
{
    struct perf_event_attr attr;
    int rc = encode(e->name, &attr);
    if (rc != PFM_SUCCESS) {
        snprintf(e->reason, sizeof e->reason, "libpfm4: %s", pfm_strerror(rc));
        return;
    }
    attr.size = sizeof attr;
    attr.disabled = 1;
    attr.inherit = inherit ? 1 : 0;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    /* libpfm4 leaves exclude_kernel clear for PFM_PLM0 unless the name carries a ":u"
     * modifier; a modifier the user wrote is kept. */
    long fd = sys_perf_event_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    if (fd < 0 && (err == EACCES || err == EPERM) && !attr.exclude_kernel) {
        /* perf_event_paranoid >= 2 refuses kernel-mode counting to the unprivileged, but
         * allows the user-mode part of one's own tasks. */
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        fd = sys_perf_event_open(&attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
        err = fd < 0 ? errno : 0;
        if (fd >= 0)
            e->user_only = 1;
    }
    if (fd < 0) {
        refusal_reason(e, err, &attr);
        return;
    }
    e->fd = (int)fd;
}

int tvp_counter_name_known(const char *name, char *err, size_t errlen)
{
    int rc = pthread_once(&pfm_once, pfm_init_once);
    if (rc != 0 || pfm_status != PFM_SUCCESS) {
        set_err(err, errlen, "libpfm4 could not be initialised");
        return -1;
    }
    struct perf_event_attr attr;
    rc = encode(name, &attr);
    if (rc != PFM_SUCCESS) {
        set_err(err, errlen, "libpfm4: %s", pfm_strerror(rc));
        return 0;
    }
    return 1;
}

int tvp_counters_open(const char *const *names, size_t n, int inherit, struct tvp_counter_set **out,
                      char *err, size_t errlen)
{
    *out = NULL;
    if (n > TVP_MAX_COUNTERS) {
        set_err(err, errlen, "%zu counters requested, at most %d supported", n, TVP_MAX_COUNTERS);
        return EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        if (!names[i]) {
            set_err(err, errlen, "counter %zu has no name", i);
            return EINVAL;
        }
    int rc = pthread_once(&pfm_once, pfm_init_once);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "libpfm4: pthread_once");
        return rc;
    }
    if (pfm_status != PFM_SUCCESS) {
        set_err(err, errlen, "libpfm4: pfm_initialize: %s", pfm_strerror(pfm_status));
        return ENOSYS;
    }
    struct tvp_counter_set *s = calloc(1, sizeof *s + n * sizeof s->ev[0]);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating the counter set");
        return ENOMEM;
    }
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        struct event *e = &s->ev[i];
        e->fd = -1;
        e->name = strdup(names[i]);
        if (!e->name) {
            tvp_counters_close(s);
            tvp_errfmt(err, errlen, ENOMEM, "allocating the counter set");
            return ENOMEM;
        }
        tvp_counter_column_name(e->name, e->column, sizeof e->column);
        open_event(e, inherit);
    }
    *out = s;
    return 0;
}

/* ---- accessors ------------------------------------------------------------------------ */

size_t tvp_counters_len(const struct tvp_counter_set *s)
{
    return s ? s->n : 0;
}

const char *tvp_counter_name(const struct tvp_counter_set *s, size_t i)
{
    return i < s->n ? s->ev[i].name : NULL;
}

const char *tvp_counter_column(const struct tvp_counter_set *s, size_t i)
{
    return i < s->n ? s->ev[i].column : NULL;
}

int tvp_counter_available(const struct tvp_counter_set *s, size_t i)
{
    return i < s->n && s->ev[i].fd >= 0;
}

const char *tvp_counter_reason(const struct tvp_counter_set *s, size_t i)
{
    return i < s->n ? s->ev[i].reason : "no such counter";
}

int tvp_counter_user_only(const struct tvp_counter_set *s, size_t i)
{
    return i < s->n && s->ev[i].user_only;
}

const char *tvp_counters_error(const struct tvp_counter_set *s)
{
    return s->error;
}

/* ---- counting ------------------------------------------------------------------------- */

/* Reads one event; on failure returns the error number and, if no earlier failure of this
 * call is recorded, describes it in s->error. */
static int read_event(struct tvp_counter_set *s, struct event *e, struct reading *r)
{
    uint64_t buf[3];
    ssize_t got = read(e->fd, buf, sizeof buf);
    if (got == (ssize_t)sizeof buf) {
        r->value = buf[0];
        r->enabled = buf[1];
        r->running = buf[2];
        return 0;
    }
    int err = got < 0 ? errno : EIO;
    if (s->error[0] != '\0')
        return err;
    if (got >= 0)
        snprintf(s->error, sizeof s->error, "reading counter %s: got %zd of %zu bytes", e->name,
                 got, sizeof buf);
    else
        tvp_errfmt(s->error, sizeof s->error, err, "reading counter %s", e->name);
    return err;
}

/* An ioctl on one event, reporting like read_event. */
static int ctl(struct tvp_counter_set *s, struct event *e, unsigned long req, const char *what)
{
    if (ioctl(e->fd, req, 0) == 0)
        return 0;
    int err = errno;
    if (s->error[0] == '\0')
        tvp_errfmt(s->error, sizeof s->error, err, "%s counter %s", what, e->name);
    return err;
}

int tvp_counters_start(struct tvp_counter_set *s)
{
    int rc;
    s->error[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        struct event *e = &s->ev[i];
        if (e->fd < 0)
            continue;
        if ((rc = ctl(s, e, PERF_EVENT_IOC_RESET, "resetting")) != 0 ||
            (rc = read_event(s, e, &e->base)) != 0 ||
            (rc = ctl(s, e, PERF_EVENT_IOC_ENABLE, "enabling")) != 0)
            return rc;
    }
    return 0;
}

int tvp_counters_stop(struct tvp_counter_set *s)
{
    int first = 0;
    s->error[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        struct event *e = &s->ev[i];
        if (e->fd < 0)
            continue;
        int rc = ctl(s, e, PERF_EVENT_IOC_DISABLE, "disabling");
        if (rc != 0 && first == 0)
            first = rc; /* keep disabling the others */
    }
    return first;
}

int tvp_counters_read(struct tvp_counter_set *s, struct tvp_counter_value *vals)
{
    int first = 0;
    s->error[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        struct event *e = &s->ev[i];
        struct tvp_counter_value *v = &vals[i];
        v->valid = 0;
        v->value = NAN;
        v->running_fraction = 0.0;
        if (e->fd < 0)
            continue;
        struct reading now = {0, 0, 0};
        int rc = read_event(s, e, &now);
        if (rc != 0) {
            if (first == 0)
                first = rc;
            continue;
        }
        uint64_t raw = now.value - e->base.value;
        uint64_t enabled = now.enabled - e->base.enabled;
        uint64_t running = now.running - e->base.running;
        if (enabled == 0) {
            v->valid = 1;
            v->value = (double)raw;
            v->running_fraction = 1.0;
        } else if (running == 0) {
            continue; /* enabled but never scheduled on the PMU: no estimate possible */
        } else {
            v->valid = 1;
            v->running_fraction = running < enabled ? (double)running / (double)enabled : 1.0;
            v->value =
                running < enabled ? (double)raw * ((double)enabled / (double)running) : (double)raw;
        }
    }
    return first;
}

void tvp_counters_close(struct tvp_counter_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->ev[i].fd >= 0 && close(s->ev[i].fd) != 0)
            tvp_warn(errno, "closing counter %s", s->ev[i].name);
        free(s->ev[i].name);
    }
    free(s);
}
