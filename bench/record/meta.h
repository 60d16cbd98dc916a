/* meta.json: the machine (CPU model, kernel, governor, virtualisation, SMT, transparent huge
 * pages, compiler), the resolved options, the topology summary and placements, the timer, and
 * which counters were available (and why not). Written at the start with status "running" and
 * again at the end with "complete" or "incomplete", atomically each time. */
#ifndef TVP_META_H
#define TVP_META_H

#include "run_ctx.h"

int tvp_meta_write(const struct tvp_run_ctx *ctx, const char *status);

/* Reads the first line of a small file into buf, trimmed; "" when unreadable. */
void tvp_read_first_line(const char *path, char *buf, size_t len);

#endif
