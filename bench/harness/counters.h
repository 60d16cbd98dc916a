/* Performance counters through libpfm4 and perf_event_open.
 *
 * Events are named as perf and libpfm4 name them ("cycles", "instructions", "task-clock",
 * "perf::PAGE-FAULTS", "context-switches"). Each event is opened on its own (not as a group:
 * the kernel refuses inherit with group reads on older kernels), counting the calling thread
 * and, with inherit, every thread and process it creates afterwards. An event the library cannot
 * encode, or the kernel refuses (a VM without a PMU answers ENOENT), is kept in the set as
 * unavailable with the reason; it is never read as 0. Multiplexed counts are scaled by
 * time_enabled / time_running and the running fraction is reported. */
#ifndef TVP_COUNTERS_H
#define TVP_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#define TVP_MAX_COUNTERS 16

struct tvp_counter_value {
    int valid;               /* 0 when the event is unavailable, the read failed, or the event
                                was enabled but never ran on the PMU */
    double value;            /* scaled count; NAN when !valid (never a made-up 0) */
    double running_fraction; /* time_running / time_enabled, 1.0 when never multiplexed;
                                0 when !valid */
};

struct tvp_counter_set; /* opaque */

/* The default list: hardware events where the PMU allows, software events always. */
extern const char *const tvp_counters_default[];
extern const size_t tvp_counters_default_len;

/* Splits a comma-separated list into names (pointers into a copy kept by the caller's buffer).
 * Returns the count, or -1 with a message in err for an empty name or more than max names. */
int tvp_counters_parse_list(char *list, const char **names, int max, char *err, size_t errlen);

/* Opens every event for the calling thread (inherit != 0: also children created later). Events
 * that fail are recorded as unavailable, so this only fails (returns an error number, *out
 * NULL, message in err) when libpfm4 cannot be initialised (ENOSYS), memory runs out, or the
 * arguments are wrong (EINVAL: more than TVP_MAX_COUNTERS names, a NULL name). */
int tvp_counters_open(const char *const *names, size_t n, int inherit, struct tvp_counter_set **out,
                      char *err, size_t errlen);

size_t tvp_counters_len(const struct tvp_counter_set *s);
const char *tvp_counter_name(const struct tvp_counter_set *s, size_t i);
/* Column-friendly name: "perf::PAGE-FAULTS" -> "page_faults", "task-clock" -> "task_clock". */
const char *tvp_counter_column(const struct tvp_counter_set *s, size_t i);
int tvp_counter_available(const struct tvp_counter_set *s, size_t i);
/* Why the event is unavailable ("" when available): "libpfm4: event not found" when the name
 * cannot be encoded; "perf_event_open: <strerror> (<hint>)" when the kernel refuses it, e.g.
 * "perf_event_open: No such file or directory (no hardware PMU exposed: virtual machine?)" or
 * "perf_event_open: Permission denied (perf_event_paranoid=3)". */
const char *tvp_counter_reason(const struct tvp_counter_set *s, size_t i);
/* 1 when the kernel refused kernel-mode counting (EACCES/EPERM under perf_event_paranoid) and
 * the event was opened again with exclude_kernel, so it counts user mode only. */
int tvp_counter_user_only(const struct tvp_counter_set *s, size_t i);

/* Reset and enable all available events; disable them. Return 0 or an error number. A set can
 * be started and stopped repeatedly: each read covers the time since the last start (the kernel
 * does not reset enabled/running times, so start records a baseline that read subtracts). */
int tvp_counters_start(struct tvp_counter_set *s);
int tvp_counters_stop(struct tvp_counter_set *s);
/* Reads every event into vals[0..len), which may be done while counting. Returns 0 or an
 * error number (the first failure; the other events are still read). */
int tvp_counters_read(struct tvp_counter_set *s, struct tvp_counter_value *vals);
/* The first failure of the last start, stop or read call, with the event and the step, e.g.
 * "reading counter task-clock: Bad file descriptor"; "" after a call that succeeded. */
const char *tvp_counters_error(const struct tvp_counter_set *s);

void tvp_counters_close(struct tvp_counter_set *s);

/* 1 when libpfm4 can encode the name (whether or not the kernel will count it), 0 when it cannot
 * (the reason in err), -1 when libpfm4 itself is unusable. Lets a misspelt --counters name be
 * refused before a run starts. */
int tvp_counter_name_known(const char *name, char *err, size_t errlen);

/* Canonical column name for an event name, written to buf (same rule as tvp_counter_column):
 * drop a "pmu::" prefix, spell perf's generic events as perf does ("PERF_COUNT_SW_PAGE_FAULTS",
 * "faults" -> "page_faults"; "cpu-cycles" -> "cycles"; "cs" -> "context_switches"), lowercase,
 * every run of other characters -> one '_' (none leading or trailing): "cycles:u" ->
 * "cycles_u". Truncated to fit len; "event" if nothing is left. */
void tvp_counter_column_name(const char *event, char *buf, size_t len);

#endif
