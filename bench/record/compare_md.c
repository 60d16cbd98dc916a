/* compare.md: the runs, what differs between them (the counts, the claims whose verdict differs,
 * the largest significant differences), the charts, then every shared figure by group. */
#include <string.h>

#include "compare.h"
#include "report_parts.h"
#include "group.h"

static void cell(FILE *f, const char *s)
{
    fputs("| ", f);
    tvp_rpt_md_cell(f, s);
    fputc(' ', f);
}

static void runs(FILE *f, const struct tvp_compare *c)
{
    fputs("## Runs\n\n|", f);
    for (int i = 0; i < TVP_CMP_RUN_COLUMNS; i++)
        fprintf(f, " %s |", tvp_cmp_run_columns[i]);
    fputs("\n|", f);
    for (int i = 0; i < TVP_CMP_RUN_COLUMNS; i++)
        fputs("---|", f);
    fputc('\n', f);
    for (int k = 0; k < c->n_runs; k++) {
        struct tvp_cmp_run_row row;
        tvp_cmp_run_row(&c->run[k], &row);
        for (int i = 0; i < TVP_CMP_RUN_COLUMNS; i++)
            cell(f, row.cell[i]);
        fputs("|\n", f);
    }
    fputc('\n', f);
}

static void claims(FILE *f, const struct tvp_compare *c)
{
    fprintf(f,
            "## Verdicts\n\n%d of %zu claims judged differently. Each run's verdicts are "
            "computed from its own figures, as its report computes them.\n\n| id | claim |",
            c->n_differ, tvp_claims_len);
    for (int k = 0; k < c->n_runs; k++)
        fprintf(f, " %c |", c->run[k].letter);
    fputs(" differs |\n|---|---|", f);
    for (int k = 0; k < c->n_runs; k++)
        fputs("---|", f);
    fputs("---|\n", f);
    for (size_t i = 0; i < tvp_claims_len; i++) {
        cell(f, tvp_claims[i].id);
        cell(f, tvp_claims[i].brief);
        for (int k = 0; k < c->n_runs; k++) {
            const struct tvp_report *r = c->run[k].rpt;
            char v[400];
            snprintf(v, sizeof v, "**%s** — %s", tvp_verdict_name(r->v[i].kind), r->headline[i]);
            cell(f, v);
        }
        char mark[64], bold[80] = "";
        tvp_cmp_claim_mark(c, i, mark, sizeof mark);
        if (mark[0])
            snprintf(bold, sizeof bold, "**%s**", mark);
        cell(f, bold);
        fputs("|\n", f);
    }
    fputc('\n', f);
}

static void value(FILE *f, const struct tvp_fig *x)
{
    char v[64];
    if (x)
        tvp_cmp_fmt_value(x, x->median, v, sizeof v);
    cell(f, x ? v : "—");
}

/* The columns of one row after its name: A's median, then each run's median, ratio and word. */
static void row_cells(FILE *f, const struct tvp_compare *c, const struct tvp_cmp_row *row)
{
    value(f, row->cell[0].f);
    for (int k = 1; k < c->n_runs; k++) {
        const struct tvp_cmp_cell *x = &row->cell[k];
        char r[96], p[32], w[160];
        value(f, x->f);
        tvp_cmp_fmt_ratio(x, r, sizeof r);
        cell(f, r[0] ? r : "—");
        tvp_cmp_fmt_p(x, p, sizeof p);
        int sig = x->sig == TVP_CMP_HIGHER || x->sig == TVP_CMP_LOWER;
        snprintf(w, sizeof w, "%s%s%s%s%s%s", sig ? "**" : "", tvp_cmp_sig_word(row, x),
                 sig ? "**" : "", p[0] ? " (" : "", p, p[0] ? ")" : "");
        cell(f, w);
    }
    fputs("|\n", f);
}

static void header(FILE *f, const struct tvp_compare *c)
{
    fputs("| figure | A |", f);
    for (int k = 1; k < c->n_runs; k++)
        fprintf(f, " %c | %c/A [95%% CI] | %c vs A |", c->run[k].letter, c->run[k].letter,
                c->run[k].letter);
    fputs("\n|---|---|", f);
    for (int k = 1; k < c->n_runs; k++)
        fputs("---|---|---|", f);
    fputc('\n', f);
}

static void largest(FILE *f, const struct tvp_compare *c, size_t max)
{
    const struct tvp_cmp_row *top[64];
    size_t n = tvp_cmp_top_rows(c, NULL, 1, top, max);
    fputs("## Largest significant differences\n\n", f);
    if (!n) {
        fputs("None: no shared figure differs significantly.\n\n", f);
        return;
    }
    header(f, c);
    for (size_t i = 0; i < n; i++) {
        char name[300];
        tvp_fig_name(top[i]->id, name, sizeof name);
        cell(f, name);
        row_cells(f, c, top[i]);
    }
    fputc('\n', f);
}

static void charts(FILE *f, const struct tvp_compare *c)
{
    const char *groups[64];
    size_t n = tvp_cmp_groups(c, groups, 64);
    fputs("## Charts\n\nPer group, the figures whose medians differ most between the runs: a bar "
          "per run at its median, the whisker its CI, over each later run its ratio to A (* "
          "marks a significant difference). Each panel has its own scale, from 0.\n\n",
          f);
    for (size_t g = 0; g < n; g++) {
        const struct tvp_cmp_row *rows[TVP_CMP_CHART_FIGS];
        if (tvp_cmp_top_rows(c, groups[g], 0, rows, TVP_CMP_CHART_FIGS))
            fprintf(f, "![%s](charts/compare-%s.svg)\n\n", groups[g], groups[g]);
    }
}

static void figures(FILE *f, const struct tvp_compare *c)
{
    const char *groups[64];
    size_t n = tvp_cmp_groups(c, groups, 64);
    fputs("## Figures\n\nEvery figure measured (status ok) in more than one run. A value is the "
          "median of its samples; a ratio is the run's median over A's with a 95% bootstrap CI "
          "from both runs' samples (from the two medians' CIs where a run has fewer than 3); the "
          "word is a two-sided Mann–Whitney U test of the two sample "
          "sets (significant below p = 0.05), said as slower or faster for times and rates.\n\n",
          f);
    for (size_t g = 0; g < n; g++) {
        fprintf(f, "### %s\n\n", groups[g]);
        header(f, c);
        for (size_t i = 0; i < c->n_rows; i++) {
            const struct tvp_cmp_row *row = &c->rows[i];
            if (strcmp(row->id->group, groups[g]) != 0)
                continue;
            char name[300];
            tvp_fig_name(row->id, name, sizeof name);
            cell(f, name);
            row_cells(f, c, row);
        }
        fputc('\n', f);
    }
}

void tvp_cmp_write_md(FILE *f, const struct tvp_compare *c)
{
    fputs("# tvpbench compare —", f);
    for (int k = 0; k < c->n_runs; k++)
        fprintf(f, "%s %s", k ? " vs" : "", c->run[k].label);
    fprintf(f, "\n\nMade %s by `tvpbench compare`. Run A is the baseline.\n\n", c->date);
    for (int k = 1; k < c->n_runs; k++) {
        char line[600];
        tvp_cmp_tally_line(c, k, line, sizeof line);
        fprintf(f, "- **%c vs A:** %s\n", c->run[k].letter, line);
    }
    char line[2000];
    tvp_cmp_verdicts_line(c, line, sizeof line);
    fprintf(f, "- **Verdicts:** %s\n", line);
    fputc('\n', f);
    runs(f, c);
    claims(f, c);
    largest(f, c, 10);
    charts(f, c);
    figures(f, c);
}
