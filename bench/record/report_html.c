/* report.html: the same content as report.md in one self-contained file — charts inlined as SVG
 * (a PNG as a data: URI where only that was drawn), the style in the page, no script, font or
 * address outside it — so it can be mailed or attached to an issue alone. */
#include <stdlib.h>
#include <string.h>

#include "report_parts.h"

static void text(FILE *f, const char *s)
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

/* The first screen must hold the title, 13 one-line rows and the warnings at 1400×900. */
static const char style[] =
    "body{font:14px/1.35 sans-serif;max-width:1360px;margin:0 auto;padding:8px 16px;color:#222}"
    "h1{font-size:20px;margin:4px 0 8px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px "
    "solid #ccc}h3{font-size:14px;margin:8px 0 4px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:"
    "top;text-align:left}th{background:#eee}"
    "table.verdicts td{white-space:nowrap}table.verdicts td:nth-child(4){white-space:normal}"
    ".badge{display:inline-block;padding:0 7px;border-radius:9px;font-weight:bold;font-size:"
    "12px;color:#fff;white-space:nowrap}"
    ".confirmed{background:#2e7d32}.refuted{background:#c62828}.nuanced{background:#b26a00}"
    ".too-close-to-call{background:#546e7a}.too-few-samples{background:#6a1b9a}.not-measured{"
    "background:#9e9e9e}"
    ".warnings{background:#fff8e1;border:1px solid #f0c36d;padding:4px 10px;margin-top:8px;"
    "font-size:13px}.warnings h2{font-size:14px;margin:2px 0;border:0}.warnings ul{margin:2px 0;"
    "padding-left:18px}.ok{background:#e8f5e9;border-color:#a5d6a7}"
    ".figs{display:grid;grid-template-columns:1fr "
    "1fr;gap:16px}.figs.one{grid-template-columns:1fr}.figs ul{padding-left:18px;"
    "margin:0}.figs li{margin:2px 0}.rule{color:#444}"
    "figure{margin:12px 0}figure svg,figure img{width:100%;max-width:960px;height:auto;"
    "border:1px solid #eee}figcaption{font-size:13px;color:#333;max-width:960px}"
    "details{margin:6px 0}summary{cursor:pointer;font-weight:bold}"
    "table.figures td{font-size:12px}tr.bench th{background:#f6f6f6}ol.notes{font-size:12px}";

static void badge(FILE *f, enum tvp_verdict_kind k)
{
    const char *name = tvp_verdict_name(k);
    fputs("<span class=\"badge ", f);
    for (const char *p = name; *p; p++)
        fputc(*p == ' ' ? '-' : *p, f);
    fprintf(f, "\">%s</span>", name);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
            *len = fread(buf, 1, (size_t)n, f);
            buf[*len] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* gnuplot gives every SVG the same ids (gpPt0, gnuplot_plot_1…): inlined side by side they
 * would collide, so each chart's ids and the references to them get its own prefix. */
static void svg_inline(FILE *f, const char *svg, size_t n, const char *prefix, const char *label)
{
    const char *p = strstr(svg, "<svg");
    if (!p)
        return;
    fputs("<svg role=\"img\" aria-label=\"", f);
    text(f, label);
    fputc('"', f);
    p += 4;
    const char *end = svg + n;
    static const char gp_title[] = "<title>Gnuplot</title>";
    while (p < end) {
        /* gnuplot's title would show "Gnuplot" as the chart's tooltip; aria-label names it. */
        if ((size_t)(end - p) >= sizeof gp_title - 1 && !memcmp(p, gp_title, sizeof gp_title - 1)) {
            p += sizeof gp_title - 1;
            continue;
        }
        static const char *const pats[] = {" id='", " id=\"", "href='#", "href=\"#", "url(#"};
        size_t k = 0, len = 0;
        for (; k < sizeof pats / sizeof pats[0]; k++) {
            len = strlen(pats[k]);
            if ((size_t)(end - p) >= len && !memcmp(p, pats[k], len))
                break;
        }
        if (k < sizeof pats / sizeof pats[0]) {
            fwrite(p, 1, len, f);
            fputs(prefix, f);
            p += len;
        } else {
            fputc(*p++, f);
        }
    }
    fputc('\n', f);
}

static void base64(FILE *f, const unsigned char *s, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? s[i + 2] : 0);
        fputc(t[v >> 18 & 63], f);
        fputc(t[v >> 12 & 63], f);
        fputc(i + 1 < n ? t[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? t[v & 63] : '=', f);
    }
}

static void chart(FILE *f, const struct tvp_report *r, const struct tvp_rpt_chart *c, int index)
{
    char path[PATH_MAX + 128], prefix[32];
    snprintf(prefix, sizeof prefix, "c%d-", index);
    snprintf(path, sizeof path, "%s/charts/%s.%s", r->rs->dir, c->name, c->has_svg ? "svg" : "png");
    size_t n = 0;
    char *data = slurp(path, &n);
    if (!data)
        return;
    fprintf(f, "<figure class=\"chart\" id=\"chart-%s\" data-chart=\"%s\">\n", c->name, c->name);
    if (c->has_svg) {
        svg_inline(f, data, n, prefix, c->caption ? c->caption : c->name);
    } else {
        fprintf(f, "<img alt=\"%s\" src=\"data:image/png;base64,", c->name);
        base64(f, (const unsigned char *)data, n);
        fputs("\">\n", f);
    }
    free(data);
    fprintf(f, "<figcaption><b>%s</b>", c->name);
    if (c->caption) {
        fputs(" — ", f);
        text(f, c->caption);
    }
    fputs("</figcaption></figure>\n", f);
}

static void charts_for(FILE *f, const struct tvp_report *r, const char *where)
{
    for (size_t i = 0; i < r->n_charts; i++)
        if (!strcmp(r->charts[i].where, where))
            chart(f, r, &r->charts[i], (int)i);
}

static void first_screen(FILE *f, const struct tvp_report *r)
{
    const struct tvp_resultset *rs = r->rs;
    fputs("<h1>tvpbench report — ", f);
    text(f, rs->host);
    fputs(", ", f);
    text(f, rs->date);
    fputs("</h1>\n<table class=\"verdicts\" id=\"verdicts\"><tr><th>id</th><th>claim</th>"
          "<th>verdict</th><th>decided by</th><th></th></tr>\n",
          f);
    for (size_t i = 0; i < tvp_claims_len; i++) {
        char a[16];
        tvp_rpt_anchor(tvp_claims[i].id, a, sizeof a);
        fprintf(f, "<tr><td>%s</td><td>", tvp_claims[i].id);
        text(f, tvp_claims[i].brief);
        fputs("</td><td>", f);
        badge(f, r->v[i].kind);
        fputs("</td><td>", f);
        text(f, r->headline[i]);
        fprintf(f, "</td><td><a href=\"#%s\">details</a></td></tr>\n", a);
    }
    fputs("</table>\n", f);
    if (!r->n_warn) {
        fputs("<div class=\"warnings ok\" id=\"warnings\">No warnings: a complete, full-length run "
              "on a quiet machine.</div>\n",
              f);
        return;
    }
    fputs("<div class=\"warnings\" id=\"warnings\"><h2>Warnings</h2><ul>\n", f);
    for (int i = 0; i < r->n_warn; i++) {
        fputs("<li><b>", f);
        text(f, r->warn[i].what);
        fputs(":</b> ", f);
        text(f, r->warn[i].text);
        fputs("</li>\n", f);
    }
    fputs("</ul></div>\n", f);
}

static void items(FILE *f, const char *list)
{
    char item[6000];
    fputs("<ul>", f);
    for (const char *p = list; (p = tvp_rpt_next_item(p, item, sizeof item));) {
        fputs("<li>", f);
        text(f, item);
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
}

static void claim(FILE *f, const struct tvp_report *r, size_t i)
{
    const struct tvp_verdict *v = &r->v[i];
    char a[16];
    tvp_rpt_anchor(tvp_claims[i].id, a, sizeof a);
    fprintf(f, "<section class=\"claim\" id=\"%s\"><h2>%s — ", a, tvp_claims[i].id);
    text(f, tvp_claims[i].text);
    fputs("</h2>\n<p>", f);
    badge(f, v->kind);
    fputc(' ', f);
    text(f, v->summary);
    fputs("</p>\n", f);
    if (v->rule[0]) {
        fputs("<p class=\"rule\"><b>Rule:</b> ", f);
        text(f, v->rule);
        fputs("</p>\n", f);
    }
    static char c[6000], py[6000];
    char label[200];
    tvp_rpt_split_figures(v->figures, c, sizeof c, py, sizeof py, label, sizeof label);
    if (c[0] || label[0]) {
        fprintf(f, "<div class=\"figs%s\"><div><h3>Figures, C</h3>", label[0] ? "" : " one");
        items(f, c);
        fputs("</div>", f);
        if (label[0]) {
            fputs("<div><h3>Figures, ", f);
            text(f, label);
            fputs("</h3>", f);
            items(f, py[0] ? py : "none");
            fputs("</div>", f);
        }
        fputs("</div>\n", f);
    }
    charts_for(f, r, tvp_claims[i].id);
    fputs("</section>\n", f);
}

static void li(FILE *f, const char *what, const char *value)
{
    fprintf(f, "<li><b>%s:</b> ", what);
    text(f, value);
    fputs("</li>\n", f);
}

static void machine(FILE *f, const struct tvp_report *r)
{
    const struct tvp_resultset *rs = r->rs;
    const struct tvp_rpt_env *e = &r->env;
    char b[2600];
    fputs("<h2 id=\"machine\">Machine</h2>\n<ul>\n", f);
    snprintf(b, sizeof b, "%s (%s)", rs->cpu_model, e->arch);
    li(f, "CPU", b);
    snprintf(b, sizeof b,
             "%d package(s), %d NUMA node(s), %d core(s), %d PU(s), %d PU(s) per core; L1d %lld "
             "KiB, L2 %lld KiB, L3 %lld MiB",
             e->packages, e->numa, e->cores, e->pus, e->smt, e->l1d / 1024, e->l2 / 1024,
             e->l3 / 1048576);
    li(f, "Topology", b);
    li(f, "Placements", e->placements[0] ? e->placements : "not recorded");
    snprintf(b, sizeof b, "%s; virtualisation: %s", rs->kernel, rs->virt);
    li(f, "Kernel", b);
    snprintf(b, sizeof b, "governor %s, driver %s, turbo %s; SMT active: %s; THP: %s", e->governor,
             e->driver[0] ? e->driver : "not recorded", e->turbo[0] ? e->turbo : "not recorded",
             e->smt_active, e->thp);
    li(f, "Frequency", b);
    li(f, "Counters counted", e->ctr_ok[0] ? e->ctr_ok : "none");
    snprintf(b, sizeof b, "%s (perf_event_paranoid %s)", e->ctr_bad[0] ? e->ctr_bad : "none",
             e->paranoid);
    li(f, "Counters not available", b);
    snprintf(b, sizeof b, "CLOCK_MONOTONIC, %.1f ns per reading, resolution %g ns",
             rs->timer_cost_ns, e->timer_res_ns);
    li(f, "Timer", b);
    if (e->load_samples) {
        snprintf(b, sizeof b,
                 "1-minute average at most %.2f (at %.0f s, %s); at most %d other task(s) "
                 "runnable at a case's start; %d samples",
                 e->load_max, e->load_at, e->load_during, e->others_max, e->load_samples);
        li(f, "Load", b);
    }
    if (e->adaptive) {
        snprintf(b, sizeof b, "%s; groups %s; %s, %s", e->quick ? "--quick" : "full",
                 rs->groups[0] ? rs->groups : "none", e->compiler, e->build);
        li(f, "Run", b);
        li(f, "Sampling", e->sampling_rule);
        tvp_rpt_sampling_outcome(r, b, sizeof b);
        if (b[0])
            li(f, "Sampling outcome", b);
    } else {
        snprintf(b, sizeof b, "%s, %d samples per figure, batches of %g s; groups %s; %s, %s",
                 e->quick ? "--quick" : "full", e->repetitions, e->min_time_s,
                 rs->groups[0] ? rs->groups : "none", e->compiler, e->build);
        li(f, "Run", b);
    }
    fputs("</ul>\n<p>Everything else (placement PUs, counter reasons, options) is in meta.json; "
          "every sample is in &lt;group&gt;.samples.csv.</p>\n",
          f);
}

static void figures(FILE *f, const struct tvp_report *r)
{
    const struct tvp_resultset *rs = r->rs;
    fputs("<h2 id=\"figures\">Figures</h2>\n<p>Median [CI of the median: 95%, or the coverage "
          "stated], n samples; each sample is the mean of a calibrated batch of operations. Notes "
          "are given once per group and referred to by number; a noisy figure's interval is in "
          "its value.",
          f);
    char cap_note[200];
    fputs(tvp_rpt_cap_mark_note(r, cap_note, sizeof cap_note), f);
    fputs("</p>\n", f);
    for (size_t g = 0; g < tvp_groups_len; g++) {
        const char *name = tvp_groups[g]->name;
        size_t total, noisy, bad;
        if (!tvp_rpt_group_counts(rs, name, &total, &noisy, &bad))
            continue;
        fprintf(f, "<details><summary>%s: %zu figures, %zu noisy, %zu not ok</summary>\n", name,
                total, noisy, bad);
        static struct tvp_rpt_note notes[1024];
        size_t n_notes = tvp_rpt_group_notes(rs, name, notes, 1024);
        if (n_notes) {
            fputs("<ol class=\"notes\">", f);
            for (size_t k = 0; k < n_notes; k++) {
                char part[700];
                snprintf(part, sizeof part, "%.*s", (int)notes[k].len, notes[k].text);
                fputs("<li>", f);
                text(f, part);
                fputs("</li>", f);
            }
            fputs("</ol>\n", f);
        }
        fputs("<table class=\"figures\"><tr><th>figure</th><th>value</th><th>placement</th>"
              "<th>note</th></tr>\n",
              f);
        const char *last = "";
        for (size_t i = 0; i < rs->n; i++) {
            const struct tvp_fig *x = &rs->figs[i];
            if (strcmp(x->group, name) != 0)
                continue;
            if (strcmp(last, x->benchmark) != 0) {
                fprintf(f, "<tr class=\"bench\"><th colspan=\"4\">%s/%s</th></tr>\n", x->group,
                        x->benchmark);
                last = x->benchmark;
            }
            char value[160], where[TVP_CPUS_LEN + 64], fig[256];
            tvp_rpt_fig_cells(&r->env, x, value, sizeof value, where, sizeof where);
            tvp_fig_name(x, fig, sizeof fig);
            fputs("<tr><td>", f);
            text(f, fig);
            fputs("</td><td>", f);
            text(f, value);
            fputs("</td><td>", f);
            text(f, where);
            fputs("</td><td>", f);
            char refs[256];
            tvp_rpt_note_refs(notes, n_notes, x->note, refs, sizeof refs);
            fprintf(f, "%s</td></tr>\n", refs);
        }
        fputs("</table></details>\n", f);
    }
}

void tvp_rpt_write_html(FILE *f, const struct tvp_report *r)
{
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width\">\n<title>tvpbench report"
            "</title>\n<style>%s</style>\n</head><body>\n",
            style);
    first_screen(f, r);
    for (size_t i = 0; i < tvp_claims_len; i++)
        claim(f, r, i);
    for (int s = 0; s < r->n_sections; s++) {
        fprintf(f, "<section id=\"section-%s\"><h2>", r->sections[s].group);
        text(f, r->sections[s].title);
        fputs("</h2>\n", f);
        if (r->sections[s].lines[0])
            fputs("<ul>\n", f);
        char lines[sizeof r->sections[s].lines];
        memcpy(lines, r->sections[s].lines, sizeof lines);
        for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            fputs("<li>", f);
            text(f, l);
            fputs("</li>\n", f);
        }
        if (r->sections[s].lines[0])
            fputs("</ul>\n", f);
        charts_for(f, r, r->sections[s].group);
        fputs("</section>\n", f);
    }
    int other = 0;
    for (size_t i = 0; i < r->n_charts; i++)
        other |= !r->charts[i].where[0];
    if (other) {
        fputs("<h2>Other charts</h2>\n", f);
        charts_for(f, r, "");
    }
    machine(f, r);
    figures(f, r);
    fputs("</body></html>\n", f);
}

/* For compare.html, which is laid out in the same style. */
void tvp_rpt_html_text(FILE *f, const char *s)
{
    text(f, s);
}

void tvp_rpt_html_badge(FILE *f, enum tvp_verdict_kind k)
{
    badge(f, k);
}

const char *tvp_rpt_html_style(void)
{
    return style;
}
