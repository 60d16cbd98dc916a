/* The python group read next to the C groups: for each claim with a Python figure, the Python
 * figures and their ratio to the matching C figure (Python/C) in the claim's section of the report;
 * the side-by-side charts; and the report's Python section (which interpreter, or why none). */
#ifndef TVP_PYTHON_COMPARE_H
#define TVP_PYTHON_COMPARE_H

#include <stddef.h>

#include "claims.h"
#include "resultset.h"

/* Appends "Python (...): ..." figures to v->figures for claim_id, or the reason Python was not
 * measured. Claims without a Python counterpart are left alone. */
void tvp_python_addendum(const struct tvp_resultset *rs, const char *claim_id,
                         struct tvp_verdict *v);

/* charts/python-{start,scaling,locks,queues,ipc}.dat, when the python group ran. */
int tvp_python_chart_data(const struct tvp_resultset *rs, const char *charts_dir);

int tvp_python_report_section(const struct tvp_resultset *rs, char *title, size_t tlen, char *lines,
                              size_t llen);

#endif
