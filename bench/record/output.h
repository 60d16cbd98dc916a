/* The record of one group: <group>.csv (one row per figure), <group>.samples.csv (every sample)
 * and <group>.json (Google Benchmark's shape: a context object and a benchmarks array, with
 * iteration entries per repetition and aggregate entries per figure, extended with placement,
 * confidence interval, counters and status). All three are written atomically. */
#ifndef TVP_OUTPUT_H
#define TVP_OUTPUT_H

#include "case_name.h"
#include "group.h"
#include "run_ctx.h"
#include "supervisor.h"

#define TVP_SCHEMA_VERSION 1

/* Writes the three files for cases[0..n) and their results. Returns 0 or an error number. */
int tvp_output_group(const struct tvp_run_ctx *ctx, const struct tvp_group *g,
                     const struct tvp_case *cases, const struct tvp_case_result *results, size_t n);

#endif
