#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "claims.h"
#include "group.h"
#include "resultset.h"
#include "stats.h"
#include "tvp_err.h"

int tvp_write_chart_data(const char *dir)
{
    struct tvp_resultset rs;
    char err[512];
    int rc = tvp_resultset_load(dir, &rs, err, sizeof err);
    if (rc) {
        fprintf(stderr, "tvpbench: %s\n", err);
        return rc;
    }
    char charts[PATH_MAX + 16];
    snprintf(charts, sizeof charts, "%s/charts", dir);
    if (mkdir(charts, 0755) != 0 && errno != EEXIST) {
        rc = errno;
        tvp_warn(rc, "creating %s", charts);
    }
    for (size_t g = 0; !rc && g < tvp_groups_len; g++)
        if (tvp_groups[g]->chart_data && tvp_rs_has_group(&rs, tvp_groups[g]->name))
            rc = tvp_groups[g]->chart_data(&rs, charts);
    tvp_resultset_free(&rs);
    return rc;
}

static int file_exists(const char *dir, const char *name)
{
    char path[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Markdown table cells cannot hold a bare '|'. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

struct chart_ref {
    char file[96]; /* charts/<name>.png */
    char svg[96];
};

static int cmp_chart(const void *a, const void *b)
{
    return strcmp(((const struct chart_ref *)a)->file, ((const struct chart_ref *)b)->file);
}

/* Every charts/<name>.png in the folder, in name order (so a group's charts stay together). */
static size_t find_charts(const struct tvp_resultset *rs, struct chart_ref *out, size_t max)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/charts", rs->dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len < 5 || len > 80 || strcmp(e->d_name + len - 4, ".png") != 0)
            continue;
        snprintf(out[n].file, sizeof out[n].file, "charts/%s", e->d_name);
        snprintf(out[n].svg, sizeof out[n].svg, "charts/%.*s.svg", (int)(len - 4), e->d_name);
        if (file_exists(rs->dir, out[n].file))
            n++;
    }
    closedir(d);
    qsort(out, n, sizeof *out, cmp_chart);
    return n;
}

static void figure_cells(const struct tvp_fig *f, char *value, size_t vlen, char *where,
                         size_t wlen)
{
    char med[32], lo[32], hi[32];
    if (strcmp(f->unit, "ns") == 0) {
        tvp_fmt_ns(med, sizeof med, f->median);
        tvp_fmt_ns(lo, sizeof lo, f->ci_low);
        tvp_fmt_ns(hi, sizeof hi, f->ci_high);
    } else {
        snprintf(med, sizeof med, "%.4g %s", f->median, f->unit);
        snprintf(lo, sizeof lo, "%.4g", f->ci_low);
        snprintf(hi, sizeof hi, "%.4g", f->ci_high);
    }
    char level[48] = "";
    /* Below 9 samples the interval is [min, max] or the ranks next to it, and its coverage is not
     * 95%: say what it is. */
    if (f->n > 1 && f->n < 9)
        snprintf(level, sizeof level, " (%.3g%% CI)", 100 * tvp_median_ci_coverage(f->n, 0.95));
    if (strcmp(f->status, "ok") == 0)
        snprintf(value, vlen, "%s [%s, %s]%s n=%zu%s", med, lo, hi, level, f->n,
                 f->noisy ? " (noisy)" : "");
    else
        snprintf(value, vlen, "%s", f->status);
    snprintf(where, wlen, "%s (PU %s)", f->placement, f->cpus[0] ? f->cpus : "?");
}

static void write_md(FILE *f, const struct tvp_resultset *rs, const struct tvp_verdict *v,
                     const struct chart_ref *charts, size_t n_charts)
{
    fprintf(f, "# tvpbench report — %s, %s\n\n", rs->host, rs->date);
    if (strcmp(rs->status, "complete") != 0)
        fprintf(f, "**This run is %s: figures below cover only what finished.**\n\n",
                rs->status[0] ? rs->status : "of unknown status");
    fprintf(f,
            "## Machine\n\n- CPU: %s\n- Kernel: %s\n- Virtualisation: %s\n- Timer cost: "
            "%.1f ns per reading (CLOCK_MONOTONIC)\n- Groups in this run: %s\n\n",
            rs->cpu_model, rs->kernel, rs->virt, rs->timer_cost_ns,
            rs->groups[0] ? rs->groups : "none");
    fputs("Placements, counters available and unavailable (with reasons) are in `meta.json`; "
          "every sample is in `<group>.samples.csv`.\n\n",
          f);
    fputs("## Claims\n\nEach verdict is computed from this run's figures by the rule beside it; "
          "ratios are of medians with a 95% confidence interval (a bootstrap over the samples; "
          "with fewer than 9 samples per figure its real coverage is lower than its name). No "
          "verdict rests on a figure with fewer than 6 samples: it reads `too few samples`.\n\n"
          "| id | claim | verdict | figures | rule |\n|---|---|---|---|---|\n",
          f);
    for (size_t i = 0; i < tvp_claims_len; i++) {
        fprintf(f, "| %s | ", tvp_claims[i].id);
        md_cell(f, tvp_claims[i].text);
        fprintf(f, " | **%s** — ", tvp_verdict_name(v[i].kind));
        md_cell(f, v[i].summary);
        fputs(" | ", f);
        md_cell(f, v[i].figures);
        fputs(" | ", f);
        md_cell(f, v[i].rule);
        fputs(" |\n", f);
    }
    for (size_t g = 0; g < tvp_groups_len; g++) {
        char title[160], lines[4096];
        if (!tvp_groups[g]->report_section ||
            !tvp_groups[g]->report_section(rs, title, sizeof title, lines, sizeof lines))
            continue;
        fprintf(f, "\n## %s\n\n", title);
        for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            fputs("- ", f);
            md_cell(f, l);
            fputc('\n', f);
        }
    }
    if (n_charts) {
        fputs("\n## Charts\n\n", f);
        for (size_t i = 0; i < n_charts; i++)
            fprintf(f, "![%s](%s)\n\n", charts[i].file + 7, charts[i].file);
    }
    fputs("## Figures\n\nMedian [95% CI of the median], n samples; each sample is the mean of a "
          "calibrated batch of operations. With fewer than 9 samples (as under --quick) the "
          "distribution-free interval is [min, max] or the ranks next to it, its real coverage "
          "is printed beside it (98.4% for 7 samples, 93.8% for 5), and such figures are often "
          "flagged noisy.\n\n"
          "| figure | value | placement | note |\n|---|---|---|---|\n",
          f);
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *x = &rs->figs[i];
        char value[160], where[TVP_CPUS_LEN + 64];
        figure_cells(x, value, sizeof value, where, sizeof where);
        fprintf(f, "| %s/%s/%s", x->group, x->benchmark, x->variant);
        if (x->param[0])
            fprintf(f, "/%s=%lld", x->param, x->param_value);
        fprintf(f, "/%s | %s | %s | ", x->metric, value, where);
        md_cell(f, x->note);
        fputs(" |\n", f);
    }
}

static void write_html(FILE *f, const struct tvp_resultset *rs, const struct tvp_verdict *v,
                       const struct chart_ref *charts, size_t n_charts)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tvpbench "
          "report</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:auto;"
          "padding:1em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;"
          "padding:4px;vertical-align:top;font-size:90%}th{background:#eee}.confirmed{color:"
          "#060}.refuted{color:#a00}.nuanced{color:#850}img{max-width:100%}</style>\n"
          "</head><body>\n<h1>tvpbench report — ",
          f);
    html_text(f, rs->host);
    fputs(", ", f);
    html_text(f, rs->date);
    fputs("</h1>\n", f);
    if (strcmp(rs->status, "complete") != 0) {
        fputs("<p><strong>This run is ", f);
        html_text(f, rs->status[0] ? rs->status : "of unknown status");
        fputs(": figures below cover only what finished.</strong></p>\n", f);
    }
    fputs("<h2>Machine</h2>\n<ul><li>CPU: ", f);
    html_text(f, rs->cpu_model);
    fputs("</li><li>Kernel: ", f);
    html_text(f, rs->kernel);
    fputs("</li><li>Virtualisation: ", f);
    html_text(f, rs->virt);
    fprintf(f, "</li><li>Timer cost: %.1f ns per reading</li><li>Groups: ", rs->timer_cost_ns);
    html_text(f, rs->groups);
    fputs("</li></ul>\n<h2>Claims</h2>\n<table><tr><th>id</th><th>claim</th><th>verdict</th>"
          "<th>figures</th><th>rule</th></tr>\n",
          f);
    for (size_t i = 0; i < tvp_claims_len; i++) {
        const char *k = tvp_verdict_name(v[i].kind);
        fprintf(f, "<tr><td>%s</td><td>", tvp_claims[i].id);
        html_text(f, tvp_claims[i].text);
        fprintf(f, "</td><td class=\"%s\"><b>%s</b> — ", k, k);
        html_text(f, v[i].summary);
        fputs("</td><td>", f);
        html_text(f, v[i].figures);
        fputs("</td><td>", f);
        html_text(f, v[i].rule);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    for (size_t g = 0; g < tvp_groups_len; g++) {
        char title[160], lines[4096];
        if (!tvp_groups[g]->report_section ||
            !tvp_groups[g]->report_section(rs, title, sizeof title, lines, sizeof lines))
            continue;
        fputs("<h2>", f);
        html_text(f, title);
        fputs("</h2>\n<ul>\n", f);
        for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            fputs("<li>", f);
            html_text(f, l);
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
    if (n_charts) {
        fputs("<h2>Charts</h2>\n", f);
        for (size_t i = 0; i < n_charts; i++)
            fprintf(f, "<p><a href=\"%s\"><img src=\"%s\" alt=\"%s\"></a></p>\n", charts[i].svg,
                    charts[i].file, charts[i].file + 7);
    }
    fputs("<h2>Figures</h2>\n<table><tr><th>figure</th><th>median [CI of the median: 95%, or the "
          "coverage stated], n</th>"
          "<th>placement</th><th>note</th></tr>\n",
          f);
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *x = &rs->figs[i];
        char value[160], where[TVP_CPUS_LEN + 64];
        figure_cells(x, value, sizeof value, where, sizeof where);
        char name[256];
        int n = snprintf(name, sizeof name, "%s/%s/%s", x->group, x->benchmark, x->variant);
        if (x->param[0] && n >= 0 && (size_t)n < sizeof name)
            n += snprintf(name + n, sizeof name - (size_t)n, "/%s=%lld", x->param, x->param_value);
        if (n >= 0 && (size_t)n < sizeof name)
            snprintf(name + n, sizeof name - (size_t)n, "/%s", x->metric);
        fputs("<tr><td>", f);
        html_text(f, name);
        fputs("</td><td>", f);
        html_text(f, value);
        fputs("</td><td>", f);
        html_text(f, where);
        fputs("</td><td>", f);
        html_text(f, x->note);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</body></html>\n", f);
}

int tvp_write_report(const char *dir)
{
    struct tvp_resultset rs;
    char err[512];
    int rc = tvp_resultset_load(dir, &rs, err, sizeof err);
    if (rc) {
        fprintf(stderr, "tvpbench: %s\n", err);
        return rc;
    }
    struct tvp_verdict v[TVP_MAX_CLAIMS];
    for (size_t i = 0; i < tvp_claims_len; i++)
        tvp_judge_claim(&rs, &tvp_claims[i], &v[i]);
    struct chart_ref charts[64];
    size_t n_charts = find_charts(&rs, charts, 64);

    char path[PATH_MAX + 32];
    struct tvp_afile a;
    snprintf(path, sizeof path, "%s/report.md", dir);
    if ((rc = tvp_afile_open(&a, path)) == 0) {
        write_md(a.f, &rs, v, charts, n_charts);
        rc = tvp_afile_commit(&a);
    }
    snprintf(path, sizeof path, "%s/report.html", dir);
    if (!rc && (rc = tvp_afile_open(&a, path)) == 0) {
        write_html(a.f, &rs, v, charts, n_charts);
        rc = tvp_afile_commit(&a);
    }
    for (size_t i = 0; !rc && i < tvp_claims_len; i++)
        printf("%-4s %-18s %s\n", tvp_claims[i].id, tvp_verdict_name(v[i].kind), v[i].summary);
    tvp_resultset_free(&rs);
    return rc;
}
