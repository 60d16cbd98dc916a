/* compare.html: compare.md's content in one self-contained file in report.html's style — the
 * charts inlined as SVG, the style in the page, nothing loaded from anywhere — so it can be
 * mailed or attached to an issue alone. */
#include <string.h>

#include "compare.h"

static const char extra_style[] =
    "table.cmp td{font-size:12px;white-space:nowrap}table.cmp td:first-child{white-space:normal}"
    "td.faster{background:#e8f5e9}td.slower{background:#ffebee}td.higher,td.lower{background:"
    "#e3f2fd}tr.differs td{background:#fff3e0}.mark{font-weight:bold;color:#b26a00}"
    "ul.tally{margin:4px 0 8px;padding-left:18px}table.runs "
    "td{font-size:12px}table.claims{table-layout:fixed;width:100%}"
    "table.claims td{font-size:13px}table.claims th:first-child{width:36px}"
    "table.claims th:nth-child(2){width:22%}table.claims th:last-child{width:64px}";

static void esc(FILE *f, const char *s)
{
    tvp_rpt_html_text(f, s);
}

static void td(FILE *f, const char *cls, const char *s)
{
    if (cls && cls[0])
        fprintf(f, "<td class=\"%s\">", cls);
    else
        fputs("<td>", f);
    esc(f, s);
    fputs("</td>", f);
}

static void runs(FILE *f, const struct tvp_compare *c)
{
    fputs("<h2 id=\"runs\">Runs</h2>\n<table class=\"runs\"><tr>", f);
    for (int i = 0; i < TVP_CMP_RUN_COLUMNS; i++)
        fprintf(f, "<th>%s</th>", tvp_cmp_run_columns[i]);
    fputs("</tr>\n", f);
    for (int k = 0; k < c->n_runs; k++) {
        struct tvp_cmp_run_row row;
        tvp_cmp_run_row(&c->run[k], &row);
        fputs("<tr>", f);
        for (int i = 0; i < TVP_CMP_RUN_COLUMNS; i++)
            td(f, NULL, row.cell[i]);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void claims(FILE *f, const struct tvp_compare *c)
{
    fprintf(f,
            "<h2 id=\"verdicts\">Verdicts</h2>\n<p>%d of %zu claims judged differently. Each run's "
            "verdicts are computed from its own figures, as its report computes them.</p>\n"
            "<table class=\"claims\"><tr><th>id</th><th>claim</th>",
            c->n_differ, tvp_claims_len);
    for (int k = 0; k < c->n_runs; k++)
        fprintf(f, "<th>%c</th>", c->run[k].letter);
    fputs("<th>differs</th></tr>\n", f);
    for (size_t i = 0; i < tvp_claims_len; i++) {
        fprintf(f, "<tr%s><td>%s</td>", c->claim[i].differs ? " class=\"differs\"" : "",
                tvp_claims[i].id);
        td(f, NULL, tvp_claims[i].brief);
        for (int k = 0; k < c->n_runs; k++) {
            const struct tvp_report *r = c->run[k].rpt;
            fputs("<td>", f);
            tvp_rpt_html_badge(f, r->v[i].kind);
            fputc(' ', f);
            esc(f, r->headline[i]);
            fputs("</td>", f);
        }
        char mark[64];
        tvp_cmp_claim_mark(c, i, mark, sizeof mark);
        fprintf(f, "<td><span class=\"mark\">%s</span></td></tr>\n", mark);
    }
    fputs("</table>\n", f);
}

static void value(FILE *f, const struct tvp_fig *x)
{
    char v[64];
    if (x)
        tvp_cmp_fmt_value(x, x->median, v, sizeof v);
    td(f, NULL, x ? v : "—");
}

static void header(FILE *f, const struct tvp_compare *c)
{
    fputs("<table class=\"cmp\"><tr><th>figure</th><th>A</th>", f);
    for (int k = 1; k < c->n_runs; k++) {
        char l = c->run[k].letter;
        fprintf(f, "<th>%c</th><th>%c/A [95%% CI]</th><th>%c vs A</th>", l, l, l);
    }
    fputs("</tr>\n", f);
}

static void row(FILE *f, const struct tvp_compare *c, const struct tvp_cmp_row *row)
{
    char name[300];
    tvp_fig_name(row->id, name, sizeof name);
    fputs("<tr>", f);
    td(f, NULL, name);
    value(f, row->cell[0].f);
    for (int k = 1; k < c->n_runs; k++) {
        const struct tvp_cmp_cell *x = &row->cell[k];
        char r[96], p[32], w[160];
        value(f, x->f);
        tvp_cmp_fmt_ratio(x, r, sizeof r);
        td(f, NULL, r[0] ? r : "—");
        tvp_cmp_fmt_p(x, p, sizeof p);
        const char *word = tvp_cmp_sig_word(row, x);
        int sig = x->sig == TVP_CMP_HIGHER || x->sig == TVP_CMP_LOWER;
        snprintf(w, sizeof w, "%s%s%s%s", word, p[0] ? " (" : "", p, p[0] ? ")" : "");
        td(f, sig ? word : NULL, w);
    }
    fputs("</tr>\n", f);
}

static void largest(FILE *f, const struct tvp_compare *c)
{
    const struct tvp_cmp_row *top[10];
    size_t n = tvp_cmp_top_rows(c, NULL, 1, top, 10);
    fputs("<h2 id=\"largest\">Largest significant differences</h2>\n", f);
    if (!n) {
        fputs("<p>None: no shared figure differs significantly.</p>\n", f);
        return;
    }
    header(f, c);
    for (size_t i = 0; i < n; i++)
        row(f, c, top[i]);
    fputs("</table>\n", f);
}

static void charts(FILE *f, const struct tvp_compare *c)
{
    const char *groups[64];
    size_t n = tvp_cmp_groups(c, groups, 64);
    fputs("<h2 id=\"charts\">Charts</h2>\n", f);
    for (size_t g = 0; g < n; g++) {
        const struct tvp_cmp_row *rows[TVP_CMP_CHART_FIGS];
        size_t k = tvp_cmp_top_rows(c, groups[g], 0, rows, TVP_CMP_CHART_FIGS);
        if (!k)
            continue;
        fprintf(f, "<figure class=\"chart\" id=\"chart-%s\" data-chart=\"compare-%s\">\n",
                groups[g], groups[g]);
        tvp_cmp_write_svg(f, c, groups[g], rows, k);
        fprintf(f,
                "<figcaption><b>%s</b> — Did these figures change between the runs? A bar per "
                "run at its median, the whisker its CI; over each later run its ratio to A, with "
                "* where the Mann–Whitney U test finds the difference significant. Each panel "
                "has its own scale, from 0.</figcaption></figure>\n",
                groups[g]);
    }
}

static void figures(FILE *f, const struct tvp_compare *c)
{
    const char *groups[64];
    size_t n = tvp_cmp_groups(c, groups, 64);
    fputs(
        "<h2 id=\"figures\">Figures</h2>\n<p>Every figure measured (status ok) in more than one "
        "run. A value is the median of its samples; a ratio is the run's median over A's with a "
        "95% bootstrap CI from both runs' samples (from the two medians' CIs where a run has fewer "
        "than 3); the word is a two-sided Mann–Whitney U test "
        "of the two sample sets (significant below p = 0.05), said as slower or faster for "
        "times and rates.</p>\n",
        f);
    for (size_t g = 0; g < n; g++) {
        size_t total = 0, sig = 0;
        for (size_t i = 0; i < c->n_rows; i++) {
            if (strcmp(c->rows[i].id->group, groups[g]) != 0)
                continue;
            total++;
            for (int k = 1; k < c->n_runs; k++)
                if (c->rows[i].cell[k].sig == TVP_CMP_HIGHER ||
                    c->rows[i].cell[k].sig == TVP_CMP_LOWER) {
                    sig++;
                    break;
                }
        }
        fprintf(f,
                "<details><summary>%s: %zu shared figures, %zu differing significantly"
                "</summary>\n",
                groups[g], total, sig);
        header(f, c);
        for (size_t i = 0; i < c->n_rows; i++)
            if (!strcmp(c->rows[i].id->group, groups[g]))
                row(f, c, &c->rows[i]);
        fputs("</table></details>\n", f);
    }
}

void tvp_cmp_write_html(FILE *f, const struct tvp_compare *c)
{
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width\">\n<title>tvpbench compare"
            "</title>\n<style>%s%s</style>\n</head><body>\n<h1>tvpbench compare — ",
            tvp_rpt_html_style(), extra_style);
    for (int k = 0; k < c->n_runs; k++) {
        if (k)
            fputs(" vs ", f);
        esc(f, c->run[k].label);
    }
    fputs("</h1>\n<p>Made ", f);
    esc(f, c->date);
    fputs(" by <code>tvpbench compare</code>. Run A is the baseline.</p>\n<ul class=\"tally\" "
          "id=\"summary\">\n",
          f);
    for (int k = 1; k < c->n_runs; k++) {
        char line[600];
        tvp_cmp_tally_line(c, k, line, sizeof line);
        fprintf(f, "<li><b>%c vs A:</b> ", c->run[k].letter);
        esc(f, line);
        fputs("</li>\n", f);
    }
    char line[2000];
    tvp_cmp_verdicts_line(c, line, sizeof line);
    fputs("<li><b>Verdicts:</b> ", f);
    esc(f, line);
    fputs("</li>\n</ul>\n", f);
    runs(f, c);
    claims(f, c);
    largest(f, c);
    charts(f, c);
    figures(f, c);
    fputs("</body></html>\n", f);
}
