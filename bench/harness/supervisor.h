/* Runs every case in a child process of its own, under a watchdog.
 *
 * The child gets its own process group, dies with the supervisor (PR_SET_PDEATHSIG) and reports
 * through a pipe. A case still running at --timeout is killed with its whole process group and
 * reported `timeout`; the supervisor is a child subreaper, so tasks a killed case left behind are
 * reparented to it and reaped. SIGINT, SIGTERM and SIGHUP stop the current case the same way and
 * make tvp_supervise_case return EINTR, so the caller can write what finished and stop. */
#ifndef TVP_SUPERVISOR_H
#define TVP_SUPERVISOR_H

#include "counters.h"
#include "group.h"
#include "sampling.h"

enum tvp_case_status { TVP_OK, TVP_FAILED, TVP_TIMEOUT, TVP_CRASHED, TVP_INTERRUPTED };

struct tvp_case_result {
    enum tvp_case_status status;
    char note[320];
    unsigned long long iters;
    double *samples[TVP_MAX_METRICS];
    size_t n_samples[TVP_MAX_METRICS];
    int ctr_valid[TVP_MAX_COUNTERS];
    double ctr_per_op[TVP_MAX_COUNTERS];
    double ctr_fraction_min;
    double cpu_ns_per_op; /* NAN when not reported */
    enum tvp_stop stop;   /* why sampling stopped (sampling.h) */
    double sampling_s;    /* the samples' wall time */
    /* The widest relative CI half-width among the figures the rule governs (NAN: none). */
    double worst_rel_halfwidth;
    char cpus[TVP_CPUS_LEN];
    double seconds; /* wall time of the whole case, set-up and calibration included */
    /* What the case reported creating ("KIND WHAT\n" lines, tvp_created.h), for removal after
     * a kill; NULL when nothing. */
    char *created;
    size_t created_len, created_cap;
};

const char *tvp_case_status_name(enum tvp_case_status s);

/* Installs the signal handlers and makes this process a child subreaper. Returns 0 or an error
 * number. */
int tvp_supervisor_init(void);
/* Non-zero once SIGINT/SIGTERM/SIGHUP arrived. */
int tvp_supervisor_interrupted(void);
/* The signal that interrupted the run (SIGINT, SIGTERM or SIGHUP), 0 when none came. */
int tvp_supervisor_signal(void);

/* Runs c in a child. Returns 0 when a result was recorded (whatever its status), EINTR when the
 * run was interrupted, or another error number when the child could not be started. */
int tvp_supervise_case(const struct tvp_case *c, const struct tvp_options *o, double timer_cost_ns,
                       struct tvp_case_result *r);
void tvp_case_result_free(struct tvp_case_result *r);

#endif
