/* `tvpbench compare DIR_A DIR_B [DIR_C ...]`: results folders from different machines, kernels,
 * settings or versions side by side. Run A is the baseline: every figure that A and another run
 * both measured gets that run's median over A's, with a bootstrap CI from the two sample sets,
 * and a two-sided Mann–Whitney U test on them (p < 0.05 is significant, as Google Benchmark's
 * compare.py decides). Each run's claims are judged as its report judges them, and those whose
 * verdict differs are listed. compare.c works all of it out once; compare_md.c, compare_html.c
 * and compare_svg.c only lay it out, so the two files cannot disagree. */
#ifndef TVP_COMPARE_H
#define TVP_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "claims.h"
#include "report_parts.h"
#include "resultset.h"

#define TVP_CMP_MAX_RUNS 8
/* Below this many samples on either side the U test is not run (as compare.py requires). */
#define TVP_CMP_MIN_SAMPLES 2
#define TVP_CMP_ALPHA       0.05
/* Figures charted per group: the ones whose medians differ most between the runs. */
#define TVP_CMP_CHART_FIGS 6

struct tvp_cmp_run {
    struct tvp_resultset rs;
    struct tvp_report *rpt; /* its verdicts and meta.json facts, as its report has them */
    char letter;            /* 'A', 'B', ... */
    char label[200];        /* "A: host, date" */
};

enum tvp_cmp_sig {
    TVP_CMP_NOT_IN_RUN, /* this run has no ok figure of that name */
    TVP_CMP_NO_BASE,    /* run A has none: nothing to compare against */
    TVP_CMP_UNTESTED,   /* fewer than TVP_CMP_MIN_SAMPLES samples on a side */
    TVP_CMP_SAME,       /* p >= TVP_CMP_ALPHA */
    TVP_CMP_HIGHER,     /* significantly higher than A */
    TVP_CMP_LOWER,      /* significantly lower than A */
};

/* One run's figure of a row, against run A's. */
struct tvp_cmp_cell {
    const struct tvp_fig *f; /* NULL when this run has no ok figure of that name */
    int has_ratio;           /* r holds median / A's median with its CI */
    struct tvp_ratio r;
    double u, p; /* Mann–Whitney U of this run's samples against A's, and its p */
    enum tvp_cmp_sig sig;
};

/* A figure present (status ok) in at least two runs. */
struct tvp_cmp_row {
    const struct tvp_fig *id; /* the first run's figure of that name: its identity and unit */
    struct tvp_cmp_cell cell[TVP_CMP_MAX_RUNS];
    int group_index; /* for ordering: its group's place in tvp_groups */
    size_t order;    /* for ordering: the place of its first appearance */
};

/* What one run says against A, counted over the rows. */
struct tvp_cmp_tally {
    size_t compared; /* rows where both have the figure */
    size_t faster, slower, higher, lower, same, untested;
    size_t only_a, only_this; /* figures ok in one of the two alone */
};

struct tvp_cmp_claim {
    int differs;    /* the verdict words are not all the same */
    int measured;   /* ... and differ among the runs that measured it */
    int unmeasured; /* some runs did not measure it (and others did) */
};

struct tvp_compare {
    int n_runs;
    struct tvp_cmp_run run[TVP_CMP_MAX_RUNS];
    struct tvp_cmp_row *rows;
    size_t n_rows;
    struct tvp_cmp_tally tally[TVP_CMP_MAX_RUNS]; /* [0] unused */
    struct tvp_cmp_claim claim[TVP_MAX_CLAIMS];
    int n_differ;
    char date[40]; /* when the comparison was made, UTC */
};

/* The command: parses its arguments (the words after "compare"), loads the runs, writes
 * compare.md, compare.html and charts/compare-<group>.svg into --out DIR (default
 * results/compare-<UTC time>) and prints the summary. Returns the exit status: 0, 2 for a usage
 * error, a folder that is not a results folder or runs that share no figure, 1 when the output
 * could not be written, 4 when it was written but parts of a folder could not be read (as
 * report and plot exit). */
int tvp_compare_main(int argc, char **argv);

/* Loads dirs[0..n) (2 <= n <= TVP_CMP_MAX_RUNS) and works everything out. Returns 0, or 2 with
 * one line in err (a folder that cannot be read, a run that shares no figure with A), or an
 * error number. */
int tvp_compare_build(struct tvp_compare *c, char *const *dirs, int n, char *err, size_t errlen);
void tvp_compare_free(struct tvp_compare *c);

/* The row of the figure that matches f by its identity fields (group, benchmark, variant,
 * model, placement, param, param_value, metric), or NULL. */
const struct tvp_cmp_row *tvp_cmp_find(const struct tvp_compare *c, const struct tvp_fig *f);

/* A value in the figure's unit ("14.2 µs", "3.1e+04 msg/s"). */
void tvp_cmp_fmt_value(const struct tvp_fig *f, double v, char *buf, size_t len);
/* "1.52× [1.48, 1.57]", or "" when there is no ratio. */
void tvp_cmp_fmt_ratio(const struct tvp_cmp_cell *x, char *buf, size_t len);
/* The word for a cell against A: "slower", "faster", "higher", "lower", "not significant",
 * "not tested (n < 2)", "not in A", "not in this run". */
const char *tvp_cmp_sig_word(const struct tvp_cmp_row *row, const struct tvp_cmp_cell *x);
/* "p = 0.0012", or "" when untested. */
void tvp_cmp_fmt_p(const struct tvp_cmp_cell *x, char *buf, size_t len);

/* A run's settings as its meta.json gives them ("--quick, 7 samples per figure, batches of
 * 0.01 s, switch interval 0.005 s, placements: all; built by gcc-compatible 12.2.0 (release)";
 * an adaptive run: "--quick, CI target ±10% (at least 6 samples, cap 0.1 s per case), ..."). */
void tvp_cmp_run_settings(const struct tvp_cmp_run *r, char *buf, size_t len);
/* One run's row of the runs table, for the Markdown and the HTML writer alike: cell[i] is the
 * text under tvp_cmp_run_columns[i]. */
#define TVP_CMP_RUN_COLUMNS 10
extern const char *const tvp_cmp_run_columns[TVP_CMP_RUN_COLUMNS];
struct tvp_cmp_run_row {
    char letter[2], settings[400], groups[400];
    const char *cell[TVP_CMP_RUN_COLUMNS];
};
void tvp_cmp_run_row(const struct tvp_cmp_run *r, struct tvp_cmp_run_row *row);
/* What run k says against A: "12 figures compared (Mann–Whitney U, p < 0.05): 3 significantly
 * faster, ..." */
void tvp_cmp_tally_line(const struct tvp_compare *c, int k, char *buf, size_t len);

/* The claims whose verdict differs: "1 differ: C3 (A confirmed, B refuted); 2 measured in some
 * runs only: C1, C2", or "all 13 claims judged alike". */
void tvp_cmp_verdicts_line(const struct tvp_compare *c, char *buf, size_t len);
/* A claim's mark in the verdict tables: "differs", "differs; not measured in C", "not measured
 * in B, C", or "". */
void tvp_cmp_claim_mark(const struct tvp_compare *c, size_t i, char *buf, size_t len);

/* The rows of group (any group when NULL) whose medians differ most from A's, at most max (up
 * to 64), largest first: significant differences above the others (times and rates above other
 * units), then by the largest |log ratio| of any run to A; significant_only: those alone. The
 * charts show these. Returns how many. */
size_t tvp_cmp_top_rows(const struct tvp_compare *c, const char *group, int significant_only,
                        const struct tvp_cmp_row **out, size_t max);
/* The groups with a row, in tvp_groups order, into out (at most max); returns how many. */
size_t tvp_cmp_groups(const struct tvp_compare *c, const char **out, size_t max);

void tvp_cmp_write_md(FILE *f, const struct tvp_compare *c);
void tvp_cmp_write_html(FILE *f, const struct tvp_compare *c);
/* One group's chart: a panel per row, a bar per run (its median with its CI), one colour per
 * run with its label in the legend. */
void tvp_cmp_write_svg(FILE *f, const struct tvp_compare *c, const char *group,
                       const struct tvp_cmp_row *const *rows, size_t n);

#endif
