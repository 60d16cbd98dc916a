/* The counters panel of every group: charts/counters-<group>.dat, drawn by plots/counters.gp. */
#ifndef TVP_COUNTERS_CHART_H
#define TVP_COUNTERS_CHART_H

#include "resultset.h"

/* Writes charts/counters-<group>.dat into dir for every group of rs. Returns 0 or an error. */
int tvp_write_counters_charts(const struct tvp_resultset *rs, const char *dir);

#endif
