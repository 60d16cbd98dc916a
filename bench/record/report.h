/* The derived outputs of a results folder: chart data for gnuplot (charts/<name>.dat) and the
 * report (report.md and report.html) with the machine, the claims table with computed verdicts, the
 * charts that exist, and every figure. Needs nothing but the folder. */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

/* Writes charts/<group>-<chart>.dat for every group present. Returns 0 or an error number. */
int tvp_write_chart_data(const char *dir);

/* Writes report.md and report.html. Returns 0 or an error number. */
int tvp_write_report(const char *dir);

#endif
