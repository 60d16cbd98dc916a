/* The run options: one table (name, argument, default, range, help) from which parsing, the
 * --help text and the record in meta.json are all derived. */
#ifndef TVP_OPTIONS_H
#define TVP_OPTIONS_H

#include <limits.h>
#include <regex.h>
#include <stdio.h>

#include "counters.h"
#include "placement.h"

/* The sampling defaults of a full and a quick run (harness/sampling.h). */
#define TVP_FULL_CI_TARGET    0.03
#define TVP_QUICK_CI_TARGET   0.10
#define TVP_FULL_MIN_SAMPLES  9
#define TVP_QUICK_MIN_SAMPLES 6
#define TVP_FULL_MAX_TIME_S   1.0
#define TVP_QUICK_MAX_TIME_S  0.1
#define TVP_FULL_MIN_TIME_S   0.005
#define TVP_QUICK_MIN_TIME_S  0.001

struct tvp_options {
    int quick;
    int repetitions;          /* fixed samples per figure; 0: the adaptive rule (sampling.h) */
    int min_samples;          /* the adaptive rule's floor */
    double ci_target;         /* its relative CI half-width, e.g. 0.03 */
    double max_time_s;        /* its time cap per case */
    double min_time_s;        /* minimum duration of one repetition */
    double timeout_s;         /* watchdog limit per benchmark case */
    double switch_interval_s; /* the emulated GIL's (sched group) */
    int counters_enabled;
    char counters_arg[512];
    const char *counter_names[TVP_MAX_COUNTERS];
    int n_counters;
    char placements_arg[256];
    unsigned placement_mask; /* bit per enum tvp_placement_kind */
    char out_dir[PATH_MAX];  /* "" = results/<host>-<UTC time> */
    char python[PATH_MAX];   /* the python group's interpreter; "" = python3 on PATH */
    char only[4096];         /* --only's pattern; "" = every case */
    regex_t only_re;         /* compiled from it (REG_EXTENDED | REG_NOSUB) when only[0] */
    int out_given;
    /* "" = this machine; else an hwloc XML file or "synthetic:DESCRIPTION" to plan for (only
     * for list --cases and --dry-run: a run cannot happen on a machine it is not). */
    char topology[PATH_MAX];
    int dry_run; /* print the plan and its estimate; run nothing, create nothing */
};

/* Parses argv[first..argc) options into o (positional words are collected into words, at most
 * max_words). On a bad option or value prints one line to stderr saying what would be accepted and
 * returns 2; returns 0 on success. */
int tvp_options_parse(struct tvp_options *o, int argc, char **argv, int first, char **words,
                      int max_words, int *n_words);

/* 1 when case_name (harness/case_name.h) is selected by --only (every name is without it). */
int tvp_options_only_match(const struct tvp_options *o, const char *case_name);

/* Releases what parsing allocated (the compiled --only pattern). */
void tvp_options_free(struct tvp_options *o);

/* Fills the defaults that depend on --quick. */
void tvp_options_resolve(struct tvp_options *o);

void tvp_options_help(FILE *f);

#endif
