/* run.json: the whole run in Google Benchmark's JSON schema, so that its tools (compare.py) read
 * it as they read a benchmark binary's --benchmark_out. Written from the results folder alone (the
 * same record the charts and the report read), at the end of a run and again by `report`.
 *
 * What it holds, as Google Benchmark's own reporter does: a "context" object, and a "benchmarks"
 * array with one "iteration" entry per sample and "mean", "median", "stddev", "cv" aggregates per
 * figure. Only times go into real_time/cpu_time (time_unit "ns"); a figure counted in bytes,
 * events, ratios or rates is a user counter (an extra number) on the time figures of its case. */
#ifndef TVP_RUN_JSON_H
#define TVP_RUN_JSON_H

#include <stddef.h>

#include "resultset.h"

/* Writes <rs->dir>/run.json atomically. Returns 0 or an error number with a message in err. */
int tvp_run_json_write(const struct tvp_resultset *rs, char *err, size_t errlen);

#endif
