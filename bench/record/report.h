/* The derived outputs of a results folder: chart data for gnuplot (charts/<name>.dat) and the
 * report (report.md and report.html): the verdict table and the run's warnings first, then each
 * claim with its rule, figures and charts, the machine, and every figure. Needs nothing but the
 * folder (report_parts.h has the pieces). */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

/* Writes charts/<group>-<chart>.dat for every group present. Returns 0 or an error number. */
int tvp_write_chart_data(const char *dir);

/* Writes report.md and report.html. Returns 0 or an error number. */
int tvp_write_report(const char *dir);

#endif
