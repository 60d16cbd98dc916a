/* report.md: the verdict table and the warnings first, so a reader sees the outcome and how far
 * to trust it before scrolling; then one section per claim with its rule, figures and charts;
 * then the machine; the full figures table last, folded. */
#include <string.h>

#include "report_parts.h"

void tvp_rpt_md_cell(FILE *f, const char *s)
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

static void items(FILE *f, const char *list)
{
    char item[6000];
    for (const char *p = list; (p = tvp_rpt_next_item(p, item, sizeof item));) {
        fputs("- ", f);
        tvp_rpt_md_cell(f, item);
        fputc('\n', f);
    }
}

static void charts_for(FILE *f, const struct tvp_report *r, const char *where)
{
    for (size_t i = 0; i < r->n_charts; i++) {
        const struct tvp_rpt_chart *c = &r->charts[i];
        if (strcmp(c->where, where) != 0)
            continue;
        fprintf(f, "![%s](charts/%s.png)\n\n", c->name, c->name);
        if (c->caption)
            fprintf(f, "*%s* — %s\n\n", c->name, c->caption);
    }
}

static void summary(FILE *f, const struct tvp_report *r)
{
    fputs("| id | claim | verdict | decided by | |\n|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < tvp_claims_len; i++) {
        char a[16];
        tvp_rpt_anchor(tvp_claims[i].id, a, sizeof a);
        fprintf(f, "| %s | %s | **%s** | ", tvp_claims[i].id, tvp_claims[i].brief,
                tvp_verdict_name(r->v[i].kind));
        tvp_rpt_md_cell(f, r->headline[i]);
        fprintf(f, " | [details](#%s) |\n", a);
    }
    fputc('\n', f);
    if (!r->n_warn) {
        fputs("No warnings: a complete, full-length run on a quiet machine.\n\n", f);
        return;
    }
    fputs("**Warnings**\n\n", f);
    for (int i = 0; i < r->n_warn; i++)
        fprintf(f, "- **%s**: %s\n", r->warn[i].what, r->warn[i].text);
    fputc('\n', f);
}

static void claim(FILE *f, const struct tvp_report *r, size_t i)
{
    const struct tvp_verdict *v = &r->v[i];
    char a[16];
    tvp_rpt_anchor(tvp_claims[i].id, a, sizeof a);
    fprintf(f, "<a id=\"%s\"></a>\n\n## %s — %s\n\n", a, tvp_claims[i].id, tvp_claims[i].text);
    fprintf(f, "**%s** — ", tvp_verdict_name(v->kind));
    tvp_rpt_md_cell(f, v->summary);
    fputs("\n\n", f);
    if (v->rule[0]) {
        fputs("Rule: ", f);
        tvp_rpt_md_cell(f, v->rule);
        fputs("\n\n", f);
    }
    static char c[6000], py[6000];
    char label[200];
    tvp_rpt_split_figures(v->figures, c, sizeof c, py, sizeof py, label, sizeof label);
    if (c[0]) {
        fputs("Figures, C:\n\n", f);
        items(f, c);
        fputc('\n', f);
    }
    if (label[0]) {
        fprintf(f, "Figures, %s:\n\n", label);
        items(f, py[0] ? py : "none");
        fputc('\n', f);
    }
    charts_for(f, r, tvp_claims[i].id);
}

static void machine(FILE *f, const struct tvp_report *r)
{
    const struct tvp_resultset *rs = r->rs;
    const struct tvp_rpt_env *e = &r->env;
    fputs("## Machine\n\n", f);
    fprintf(f, "- CPU: %s (%s)\n", rs->cpu_model, e->arch);
    fprintf(f,
            "- Topology: %d package(s), %d NUMA node(s), %d core(s), %d PU(s), %d PU(s) per "
            "core; L1d %lld KiB, L2 %lld KiB, L3 %lld MiB\n",
            e->packages, e->numa, e->cores, e->pus, e->smt, e->l1d / 1024, e->l2 / 1024,
            e->l3 / 1048576);
    fprintf(f, "- Placements: %s\n", e->placements[0] ? e->placements : "not recorded");
    fprintf(f, "- Kernel: %s; virtualisation: %s\n", rs->kernel, rs->virt);
    fprintf(f, "- Frequency: governor %s, driver %s, turbo %s; SMT active: %s; THP: %s\n",
            e->governor, e->driver[0] ? e->driver : "not recorded",
            e->turbo[0] ? e->turbo : "not recorded", e->smt_active, e->thp);
    fprintf(f, "- Counters counted: %s\n", e->ctr_ok[0] ? e->ctr_ok : "none");
    fprintf(f, "- Counters not available: %s (perf_event_paranoid %s)\n",
            e->ctr_bad[0] ? e->ctr_bad : "none", e->paranoid);
    fprintf(f, "- Timer: CLOCK_MONOTONIC, %.1f ns per reading, resolution %g ns\n",
            rs->timer_cost_ns, e->timer_res_ns);
    if (e->load_samples)
        fprintf(f,
                "- Load: 1-minute average at most %.2f (at %.0f s, %s); at most %d other "
                "task(s) runnable at a case's start; %d samples\n",
                e->load_max, e->load_at, e->load_during, e->others_max, e->load_samples);
    if (e->adaptive) {
        char outcome[300];
        tvp_rpt_sampling_outcome(r, outcome, sizeof outcome);
        fprintf(f, "- Run: %s; groups %s; %s, %s\n", e->quick ? "--quick" : "full",
                rs->groups[0] ? rs->groups : "none", e->compiler, e->build);
        fprintf(f, "- Sampling: %s\n", e->sampling_rule);
        if (outcome[0])
            fprintf(f, "- Sampling outcome: %s\n", outcome);
    } else {
        fprintf(f, "- Run: %s, %d samples per figure, batches of %g s; groups %s; %s, %s\n",
                e->quick ? "--quick" : "full", e->repetitions, e->min_time_s,
                rs->groups[0] ? rs->groups : "none", e->compiler, e->build);
    }
    fputs("- Everything else (placement PUs, counter reasons, options) is in `meta.json`; every "
          "sample is in `<group>.samples.csv`.\n\n",
          f);
}

static void figures(FILE *f, const struct tvp_report *r)
{
    const struct tvp_resultset *rs = r->rs;
    fputs("## Figures\n\nMedian [95% CI of the median], n samples; each sample is the mean of a "
          "calibrated batch of operations. With fewer than 9 samples (as under --quick) the "
          "distribution-free interval is [min, max] or the ranks next to it, its real coverage "
          "is printed beside it (98.4% for 7 samples, 93.8% for 5), and such figures are often "
          "flagged noisy. Notes are given once per group and referred to by number; a noisy "
          "figure's interval is in its value.",
          f);
    char cap_note[200];
    fputs(tvp_rpt_cap_mark_note(r, cap_note, sizeof cap_note), f);
    fputs("\n\n", f);
    for (size_t g = 0; g < tvp_groups_len; g++) {
        const char *name = tvp_groups[g]->name;
        size_t total, noisy, bad;
        if (!tvp_rpt_group_counts(rs, name, &total, &noisy, &bad))
            continue;
        fprintf(f, "<details><summary>%s: %zu figures, %zu noisy, %zu not ok</summary>\n\n", name,
                total, noisy, bad);
        static struct tvp_rpt_note notes[1024];
        size_t n_notes = tvp_rpt_group_notes(rs, name, notes, 1024);
        for (size_t k = 0; k < n_notes; k++) {
            fprintf(f, "%zu. %.*s\n", k + 1, (int)notes[k].len, notes[k].text);
        }
        fputs("\n| benchmark | figure | value | placement | note |\n|---|---|---|---|---|\n", f);
        const char *last = "";
        for (size_t i = 0; i < rs->n; i++) {
            const struct tvp_fig *x = &rs->figs[i];
            if (strcmp(x->group, name) != 0)
                continue;
            char value[160], where[TVP_CPUS_LEN + 64], fig[256];
            tvp_rpt_fig_cells(&r->env, x, value, sizeof value, where, sizeof where);
            tvp_fig_name(x, fig, sizeof fig);
            char refs[256];
            tvp_rpt_note_refs(notes, n_notes, x->note, refs, sizeof refs);
            fprintf(f, "| %s | %s | %s | %s | ", strcmp(last, x->benchmark) ? x->benchmark : "",
                    fig, value, where);
            fprintf(f, "%s |\n", refs);
            last = x->benchmark;
        }
        fputs("\n</details>\n\n", f);
    }
}

void tvp_rpt_write_md(FILE *f, const struct tvp_report *r)
{
    const struct tvp_resultset *rs = r->rs;
    fprintf(f, "# tvpbench report — %s, %s\n\n", rs->host, rs->date);
    summary(f, r);
    for (size_t i = 0; i < tvp_claims_len; i++)
        claim(f, r, i);
    for (int s = 0; s < r->n_sections; s++) {
        fprintf(f, "## %s\n\n", r->sections[s].title);
        char lines[sizeof r->sections[s].lines];
        memcpy(lines, r->sections[s].lines, sizeof lines);
        for (char *save = NULL, *l = strtok_r(lines, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
            fputs("- ", f);
            tvp_rpt_md_cell(f, l);
            fputc('\n', f);
        }
        fputc('\n', f);
        charts_for(f, r, r->sections[s].group);
    }
    int other = 0;
    for (size_t i = 0; i < r->n_charts; i++)
        other |= !r->charts[i].where[0];
    if (other) {
        fputs("## Other charts\n\n", f);
        charts_for(f, r, "");
    }
    machine(f, r);
    figures(f, r);
}
