/* The derived outputs of a results folder: chart data for gnuplot (charts/<name>.dat) and the
 * report (report.md and report.html): the verdict table and the run's warnings first, then each
 * claim with its rule, figures and charts, the machine, and every figure. Needs nothing but the
 * folder (report_parts.h has the pieces). */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

/* Returned when everything readable was written but parts of the folder could not be read (each
 * named on stderr as it was found); the command exits with TVP_EXIT_READ_SKIPPED. */
#define TVP_READ_SKIPPED      (-4)
#define TVP_EXIT_READ_SKIPPED 4

/* Writes charts/<group>-<chart>.dat for every group present. Returns 0, TVP_READ_SKIPPED or an
 * error number. */
int tvp_write_chart_data(const char *dir);

/* Writes report.md, report.html and run.json. Returns 0, TVP_READ_SKIPPED or an error number. */
int tvp_write_report(const char *dir);

/* Writes run.json alone (at the end of a run). Returns as tvp_write_report does. */
int tvp_write_run_json(const char *dir);

#endif
