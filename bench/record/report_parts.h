/* What report.md and report.html both show, worked out once from a results folder so the two
 * cannot disagree: the verdicts with the one figure that decided each, the warnings that apply
 * to this run, the machine facts of meta.json, which chart goes under which claim, and the
 * groups' own sections. The writers (report_md.c, report_html.c) only lay it out. */
#ifndef TVP_REPORT_PARTS_H
#define TVP_REPORT_PARTS_H

#include <stddef.h>
#include <stdio.h>

#include "claims.h"
#include "resultset.h"

#define TVP_RPT_MAX_CHARTS   64
#define TVP_RPT_MAX_WARN     12
#define TVP_RPT_MAX_SECTIONS 8

struct tvp_rpt_chart {
    char name[80];  /* "spawn-start": charts/<name>.svg and .png */
    char where[32]; /* a claim id, or the group whose section shows it; "" for neither */
    const char *caption;
    int has_svg, has_png;
};

struct tvp_rpt_warning {
    char what[64];
    char text[900]; /* what was seen, then what to do */
};

/* meta.json's facts that the resultset does not keep. */
struct tvp_rpt_env {
    int quick, repetitions, counters_on;
    double min_time_s;
    /* The sampling rule (harness/sampling.h): adaptive when options.repetitions is 0 and
     * ci_target is recorded; runs from before it had a fixed count. */
    int adaptive, min_samples, max_samples;
    double ci_target, max_time_s; /* a fraction (0.03) and seconds; NaN when not recorded */
    char sampling_rule[640];      /* meta.json's sentence; "" when not recorded */
    int has_options;              /* meta.json has an options object */
    double switch_interval_s;     /* options.switch_interval_s; NaN when not recorded */
    char placement_opt[120];      /* options.placement: the --placement list, "" for every one */
    int packages, numa, cores, pus, smt;
    long long l1d, l2, l3;
    char governor[120], driver[64], turbo[120], smt_active[16], thp[80], paranoid[16];
    char compiler[120], build[40], arch[32];
    char ctr_ok[600];   /* counters counted, comma-separated */
    char ctr_bad[2400]; /* "name: reason; ..." */
    int n_ctr_ok, n_ctr_bad, hw_ctr_ok;
    char ctr_bad_reason[320]; /* the first hardware counter's reason */
    double timer_res_ns;
    int load_samples, others_max;
    int busy_starts; /* -1: not recorded (a run from before it was) */
    double load_max, load_at, others_at;
    char load_during[200], others_during[200];
    char placements[1600]; /* "name: detail" per available placement, "; "-separated */
};

struct tvp_rpt_section {
    char group[32], title[160], lines[4096];
};

struct tvp_report {
    const struct tvp_resultset *rs;
    struct tvp_verdict v[TVP_MAX_CLAIMS];
    char headline[TVP_MAX_CLAIMS][200]; /* the figure that decided it, or the fact */
    struct tvp_rpt_env env;
    struct tvp_rpt_warning warn[TVP_RPT_MAX_WARN];
    int n_warn;
    struct tvp_rpt_chart charts[TVP_RPT_MAX_CHARTS];
    size_t n_charts;
    struct tvp_rpt_section sections[TVP_RPT_MAX_SECTIONS];
    int n_sections;
    size_t n_ok, n_noisy, n_not_ok;
    /* The ok time figures an adaptive run's rule governed, by how each ended (tvp_rpt_sampled);
     * all 0 for a fixed or older run. */
    size_t n_governed, n_met, n_capped, n_at_max;
};

/* How a figure's sampling ended under an adaptive rule, judged on its own interval: a figure
 * whose case went on for another, wider figure may have met the target though the case then
 * stopped at its cap. */
enum tvp_rpt_sampled {
    TVP_RPT_NOT_GOVERNED, /* not ok, not a governed time, or not an adaptive run */
    TVP_RPT_MET,          /* its 95% CI within the target */
    TVP_RPT_CAPPED,       /* wider, its case stopped at its time cap */
    TVP_RPT_AT_MAX,       /* wider, its case stopped at TVP_SAMPLES_MAX */
    TVP_RPT_UNSTOPPED,    /* wider, with no stop recorded */
};
enum tvp_rpt_sampled tvp_rpt_sampled(const struct tvp_rpt_env *e, const struct tvp_fig *f);
/* The relative half-width of a figure's CI, (ci_high - ci_low) / 2 / |median|; INFINITY when its
 * interval has no 95% coverage or its median is 0 with a spread. */
double tvp_rpt_rel_halfwidth(const struct tvp_fig *f);

/* Judges every claim and works out the rest. r is large: allocate it. */
void tvp_rpt_build(struct tvp_report *r, const struct tvp_resultset *rs);

/* For tvp_rpt_build (report_env.c): meta.json's facts, and the warnings once r is judged. */
void tvp_rpt_read_env(const char *dir, struct tvp_rpt_env *e);
void tvp_rpt_warnings(struct tvp_report *r);
/* Whether other work competed for the PUs during the run (the "Machine busy" warning). */
int tvp_rpt_machine_busy(const struct tvp_rpt_env *e);
/* An adaptive run's outcome in one line ("812 of 900 time figures (90%) met the ±3% CI target;
 * 88 stopped wider at their case's time cap"); "" for a fixed or older run. */
void tvp_rpt_sampling_outcome(const struct tvp_report *r, char *buf, size_t len);
/* What the (cap) mark in the figure tables means, as a sentence with a leading space; "" when no
 * figure carries it. */
const char *tvp_rpt_cap_mark_note(const struct tvp_report *r, char *buf, size_t len);

/* A verdict's figures, "; "-separated, cut in two: the C figures, then the Python ones that the
 * python group appended (label: "Python (CPython 3.11.7)", or "" when there are none). */
void tvp_rpt_split_figures(const char *figures, char *c, size_t clen, char *py, size_t pylen,
                           char *label, size_t llen);
/* The next "; "-separated item of s (not split inside brackets) into out; returns where the one
 * after it starts, or NULL when s has no item left. */
const char *tvp_rpt_next_item(const char *s, char *out, size_t len);

/* A figure's value cell ("25.1 µs [25, 25.1] n=7 (noisy)", "(cap)" after it when it stopped
 * wide at its time cap, or its status) and where it ran. */
void tvp_rpt_fig_cells(const struct tvp_rpt_env *e, const struct tvp_fig *f, char *value,
                       size_t vlen, char *where, size_t wlen);

/* The distinct parts of a group's notes ("; "-separated, the noisy part left to the value cell),
 * in order of first appearance (at most max); returns how many. tvp_rpt_note_refs writes the
 * 1-based numbers of a figure's note parts among them ("1, 4"). */
struct tvp_rpt_note {
    const char *text;
    size_t len;
};
/* How many figures group has, how many of them are flagged noisy and how many are not ok.
 * Returns the total. */
size_t tvp_rpt_group_counts(const struct tvp_resultset *rs, const char *group, size_t *total,
                            size_t *noisy, size_t *bad);

size_t tvp_rpt_group_notes(const struct tvp_resultset *rs, const char *group,
                           struct tvp_rpt_note *notes, size_t max);
void tvp_rpt_note_refs(const struct tvp_rpt_note *notes, size_t n, const char *note, char *buf,
                       size_t len);

/* The section anchor of a claim ("c3"). */
void tvp_rpt_anchor(const char *id, char *buf, size_t len);

void tvp_rpt_write_md(FILE *f, const struct tvp_report *r);
void tvp_rpt_write_html(FILE *f, const struct tvp_report *r);

/* report.html's pieces that compare.html shares: text escaped for HTML (and SVG), a verdict's
 * coloured badge, the page's style sheet. */
void tvp_rpt_html_text(FILE *f, const char *s);
void tvp_rpt_html_badge(FILE *f, enum tvp_verdict_kind k);
const char *tvp_rpt_html_style(void);

/* Writes s as the text of a Markdown table cell: a bare '|' or a line break would end it. */
void tvp_rpt_md_cell(FILE *f, const char *s);

#endif
