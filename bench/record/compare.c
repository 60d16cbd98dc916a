#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "stats.h"

/* Figures are matched by what they measure, never by a formatted name, so a change in how names
 * are written cannot make two runs' figures miss each other. */
static int same_figure(const struct tvp_fig *a, const struct tvp_fig *b)
{
    return !strcmp(a->group, b->group) && !strcmp(a->benchmark, b->benchmark) &&
           !strcmp(a->variant, b->variant) && !strcmp(a->model, b->model) &&
           !strcmp(a->placement, b->placement) && !strcmp(a->param, b->param) &&
           (!a->param[0] || a->param_value == b->param_value) && !strcmp(a->metric, b->metric);
}

static int usable(const struct tvp_fig *f)
{
    return strcmp(f->status, "ok") == 0 && f->n > 0;
}

const struct tvp_cmp_row *tvp_cmp_find(const struct tvp_compare *c, const struct tvp_fig *f)
{
    for (size_t i = 0; i < c->n_rows; i++)
        if (same_figure(c->rows[i].id, f))
            return &c->rows[i];
    return NULL;
}

static int is_time(const char *unit)
{
    return !strcmp(unit, "ns") || !strcmp(unit, "us") || !strcmp(unit, "ms") || !strcmp(unit, "s");
}

static int is_rate(const char *unit)
{
    size_t n = strlen(unit);
    return n > 2 && strcmp(unit + n - 2, "/s") == 0;
}

void tvp_cmp_fmt_value(const struct tvp_fig *f, double v, char *buf, size_t len)
{
    if (!strcmp(f->unit, "ns"))
        tvp_fmt_ns(buf, len, v);
    else if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.4g %s", v, f->unit);
}

void tvp_cmp_fmt_ratio(const struct tvp_cmp_cell *x, char *buf, size_t len)
{
    if (!x->has_ratio)
        snprintf(buf, len, "%s", "");
    else if (isfinite(x->r.lo) && isfinite(x->r.hi))
        snprintf(buf, len, "%.3g× [%.3g, %.3g]", x->r.ratio, x->r.lo, x->r.hi);
    else
        snprintf(buf, len, "%.3g× [no CI]", x->r.ratio);
}

void tvp_cmp_fmt_p(const struct tvp_cmp_cell *x, char *buf, size_t len)
{
    if (x->sig == TVP_CMP_SAME || x->sig == TVP_CMP_HIGHER || x->sig == TVP_CMP_LOWER)
        snprintf(buf, len, x->p < 0.0001 ? "p < 0.0001" : "p = %.2g", x->p);
    else
        snprintf(buf, len, "%s", "");
}

const char *tvp_cmp_sig_word(const struct tvp_cmp_row *row, const struct tvp_cmp_cell *x)
{
    const char *unit = row->id->unit;
    switch (x->sig) {
    case TVP_CMP_NOT_IN_RUN:
        return "not in this run";
    case TVP_CMP_NO_BASE:
        return "not in A";
    case TVP_CMP_UNTESTED:
        return "not tested (fewer than 2 samples)";
    case TVP_CMP_SAME:
        return "not significant";
    case TVP_CMP_HIGHER:
        return is_time(unit) ? "slower" : is_rate(unit) ? "faster" : "higher";
    case TVP_CMP_LOWER:
        return is_time(unit) ? "faster" : is_rate(unit) ? "slower" : "lower";
    }
    return "";
}

/* Ratio and U test of run k's figure against A's. */
static void judge_cell(struct tvp_cmp_cell *x, const struct tvp_fig *a)
{
    if (!x->f) {
        x->sig = TVP_CMP_NOT_IN_RUN;
        return;
    }
    if (!a) {
        x->sig = TVP_CMP_NO_BASE;
        return;
    }
    x->has_ratio = tvp_ratio_shown(x->f, a, &x->r) == 0;
    x->sig = TVP_CMP_UNTESTED;
    if (x->f->n_samples < TVP_CMP_MIN_SAMPLES || a->n_samples < TVP_CMP_MIN_SAMPLES)
        return;
    if (tvp_mann_whitney_u(x->f->samples, x->f->n_samples, a->samples, a->n_samples, &x->u,
                           &x->p) != 0)
        return;
    if (!(x->p < TVP_CMP_ALPHA))
        x->sig = TVP_CMP_SAME;
    else /* U above its mean: this run's samples tend to be the larger */
        x->sig = x->u > (double)x->f->n_samples * (double)a->n_samples / 2.0 ? TVP_CMP_HIGHER
                                                                             : TVP_CMP_LOWER;
}

static int group_index(const char *group)
{
    for (size_t g = 0; g < tvp_groups_len; g++)
        if (!strcmp(tvp_groups[g]->name, group))
            return (int)g;
    return (int)tvp_groups_len;
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct tvp_cmp_row *a = pa, *b = pb;
    if (a->group_index != b->group_index)
        return a->group_index - b->group_index;
    return (a->order > b->order) - (a->order < b->order);
}

/* Every ok figure of every run in a row of its own name; rows seen in one run alone are kept
 * until the tallies have counted them. */
static int collect_rows(struct tvp_compare *c)
{
    size_t cap = 0;
    for (int k = 0; k < c->n_runs; k++)
        cap += c->run[k].rs.n;
    c->rows = calloc(cap ? cap : 1, sizeof *c->rows);
    if (!c->rows)
        return ENOMEM;
    for (int k = 0; k < c->n_runs; k++) {
        const struct tvp_resultset *rs = &c->run[k].rs;
        for (size_t i = 0; i < rs->n; i++) {
            const struct tvp_fig *f = &rs->figs[i];
            if (!usable(f))
                continue;
            struct tvp_cmp_row *row = (struct tvp_cmp_row *)tvp_cmp_find(c, f);
            if (!row) {
                row = &c->rows[c->n_rows];
                row->id = f;
                row->group_index = group_index(f->group);
                row->order = c->n_rows++;
            }
            if (!row->cell[k].f) /* a name written twice: the first counts */
                row->cell[k].f = f;
        }
    }
    return 0;
}

static void tally(struct tvp_compare *c)
{
    for (size_t i = 0; i < c->n_rows; i++) {
        const struct tvp_cmp_row *row = &c->rows[i];
        for (int k = 1; k < c->n_runs; k++) {
            struct tvp_cmp_tally *t = &c->tally[k];
            const struct tvp_cmp_cell *x = &row->cell[k];
            if (!row->cell[0].f) {
                t->only_this += x->f != NULL;
                continue;
            }
            if (!x->f) {
                t->only_a++;
                continue;
            }
            t->compared++;
            const char *w = tvp_cmp_sig_word(row, x);
            if (x->sig == TVP_CMP_UNTESTED)
                t->untested++;
            else if (x->sig == TVP_CMP_SAME)
                t->same++;
            else if (!strcmp(w, "faster"))
                t->faster++;
            else if (!strcmp(w, "slower"))
                t->slower++;
            else if (x->sig == TVP_CMP_HIGHER)
                t->higher++;
            else
                t->lower++;
        }
    }
}

/* Keeps the rows present in at least two runs, ordered by group, then as first seen. */
static void keep_shared(struct tvp_compare *c)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n_rows; i++) {
        int present = 0;
        for (int k = 0; k < c->n_runs; k++)
            present += c->rows[i].cell[k].f != NULL;
        if (present >= 2)
            c->rows[kept++] = c->rows[i];
    }
    c->n_rows = kept;
    qsort(c->rows, c->n_rows, sizeof *c->rows, cmp_rows);
}

static void judge_claims(struct tvp_compare *c)
{
    c->n_differ = 0;
    for (size_t i = 0; i < tvp_claims_len; i++) {
        struct tvp_cmp_claim *x = &c->claim[i];
        x->differs = x->measured = x->unmeasured = 0;
        const struct tvp_verdict *first = NULL; /* of the first run that measured it */
        for (int k = 0; k < c->n_runs; k++) {
            const struct tvp_verdict *v = &c->run[k].rpt->v[i];
            x->differs |= v->kind != c->run[0].rpt->v[i].kind;
            if (v->kind == TVP_V_NOT_MEASURED) {
                x->unmeasured = 1;
                continue;
            }
            if (!first)
                first = v;
            x->measured |= v->kind != first->kind;
        }
        x->unmeasured &= x->differs;
        c->n_differ += x->differs;
    }
}

int tvp_compare_build(struct tvp_compare *c, char *const *dirs, int n, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (n < 2 || n > TVP_CMP_MAX_RUNS) {
        snprintf(err, errlen, "compare takes 2 to %d results folders, not %d", TVP_CMP_MAX_RUNS, n);
        return 2;
    }
    for (int k = 0; k < n; k++) {
        struct tvp_cmp_run *r = &c->run[k];
        char why[512];
        if (tvp_resultset_load(dirs[k], &r->rs, why, sizeof why) != 0) {
            snprintf(err, errlen, "compare: %s", why);
            tvp_resultset_free(&r->rs);
            return 2;
        }
        c->n_runs = k + 1;
        r->letter = (char)('A' + k);
        r->rpt = malloc(sizeof *r->rpt);
        if (!r->rpt)
            return ENOMEM;
        tvp_rpt_build(r->rpt, &r->rs);
        snprintf(r->label, sizeof r->label, "%c: %s, %s", r->letter,
                 r->rs.host[0] ? r->rs.host : "unknown host",
                 r->rs.date[0] ? r->rs.date : "undated");
    }
    int rc = collect_rows(c);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->n_rows; i++)
        for (int k = 1; k < n; k++)
            judge_cell(&c->rows[i].cell[k], c->rows[i].cell[0].f);
    tally(c);
    for (int k = 1; k < n; k++)
        if (c->tally[k].compared == 0) {
            snprintf(err, errlen,
                     "compare: run A (%s) and run %c (%s) share no figure: nothing to compare",
                     dirs[0], c->run[k].letter, dirs[k]);
            return 2;
        }
    keep_shared(c);
    judge_claims(c);
    return 0;
}

void tvp_compare_free(struct tvp_compare *c)
{
    for (int k = 0; k < c->n_runs; k++) {
        free(c->run[k].rpt);
        tvp_resultset_free(&c->run[k].rs);
    }
    free(c->rows);
    memset(c, 0, sizeof *c);
}

size_t tvp_cmp_groups(const struct tvp_compare *c, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_rows; i++) {
        const char *g = c->rows[i].id->group;
        if (n == 0 || strcmp(out[n - 1], g) != 0) { /* the rows are ordered by group */
            if (n == max)
                break;
            out[n++] = g;
        }
    }
    return n;
}

/* How far a row's runs are from A: the largest |log ratio|, significant ones ranked above, and
 * among those times and rates first: a count near zero (context switches per operation) can
 * change a thousandfold and say less about speed than a 10% change in a time. */
static double spread_score(const struct tvp_cmp_row *row, int n_runs)
{
    double best = -1.0;
    double speed = is_time(row->id->unit) || is_rate(row->id->unit) ? 100.0 : 0.0;
    for (int k = 1; k < n_runs; k++) {
        const struct tvp_cmp_cell *x = &row->cell[k];
        if (!x->has_ratio || !(x->r.ratio > 0))
            continue;
        double s = fabs(log(x->r.ratio));
        if (x->sig == TVP_CMP_HIGHER || x->sig == TVP_CMP_LOWER)
            s += 1000.0 + speed;
        if (s > best)
            best = s;
    }
    return best;
}

size_t tvp_cmp_top_rows(const struct tvp_compare *c, const char *group, int significant_only,
                        const struct tvp_cmp_row **out, size_t max)
{
    size_t n = 0;
    double score[64];
    if (max > 64)
        max = 64;
    for (size_t i = 0; i < c->n_rows && max > 0; i++) {
        const struct tvp_cmp_row *row = &c->rows[i];
        if ((group && strcmp(row->id->group, group) != 0) || !row->cell[0].f)
            continue;
        double s = spread_score(row, c->n_runs);
        if (s < 0 || (significant_only && s < 1000.0))
            continue;
        /* Insertion into the best so far, highest score first; ties keep the table's order. */
        size_t k;
        if (n < max)
            k = n++;
        else if (s > score[max - 1])
            k = max - 1;
        else
            continue;
        while (k > 0 && s > score[k - 1]) {
            score[k] = score[k - 1];
            out[k] = out[k - 1];
            k--;
        }
        score[k] = s;
        out[k] = row;
    }
    return n;
}

const char *const tvp_cmp_run_columns[TVP_CMP_RUN_COLUMNS] = {
    "run",    "host",           "date",     "folder", "CPU",
    "kernel", "virtualisation", "settings", "groups", "status"};

void tvp_cmp_run_row(const struct tvp_cmp_run *r, struct tvp_cmp_run_row *row)
{
    row->letter[0] = r->letter;
    row->letter[1] = 0;
    tvp_cmp_run_settings(r, row->settings, sizeof row->settings);
    /* ", " so that a narrow cell can wrap the list */
    row->groups[0] = 0;
    for (const char *g = r->rs.groups; *g; g++)
        tvp_appendf(row->groups, sizeof row->groups, *g == ',' ? ", " : "%c", *g);
    if (!row->groups[0])
        snprintf(row->groups, sizeof row->groups, "none");
    const char *cells[TVP_CMP_RUN_COLUMNS] = {
        row->letter,  r->rs.host, r->rs.date,    r->rs.dir,   r->rs.cpu_model,
        r->rs.kernel, r->rs.virt, row->settings, row->groups, r->rs.status};
    memcpy(row->cell, cells, sizeof cells);
}

void tvp_cmp_run_settings(const struct tvp_cmp_run *r, char *buf, size_t len)
{
    const struct tvp_rpt_env *e = &r->rpt->env;
    buf[0] = '\0';
    tvp_appendf(buf, len, "%s", e->quick ? "--quick" : "full");
    if (e->adaptive)
        tvp_appendf(buf, len, ", CI target ±%g%% (at least %d samples, cap %g s per case)",
                    100.0 * e->ci_target, e->min_samples, e->max_time_s);
    else if (e->repetitions > 0)
        tvp_appendf(buf, len, ", %d samples per figure", e->repetitions);
    if (e->min_time_s > 0)
        tvp_appendf(buf, len, ", batches of %g s", e->min_time_s);
    if (e->switch_interval_s > 0)
        tvp_appendf(buf, len, ", switch interval %g s", e->switch_interval_s);
    if (e->has_options)
        tvp_appendf(buf, len, ", placements: %s", e->placement_opt[0] ? e->placement_opt : "all");
    if (e->compiler[0])
        tvp_appendf(buf, len, "; built by %s (%s)", e->compiler, e->build);
}

void tvp_cmp_tally_line(const struct tvp_compare *c, int k, char *buf, size_t len)
{
    const struct tvp_cmp_tally *t = &c->tally[k];
    buf[0] = '\0';
    tvp_appendf(buf, len,
                "%zu figures compared (Mann–Whitney U, p < %.2g): %zu significantly faster, %zu "
                "significantly slower",
                t->compared, TVP_CMP_ALPHA, t->faster, t->slower);
    if (t->higher || t->lower)
        tvp_appendf(buf, len, ", %zu significantly higher and %zu lower (not times or rates)",
                    t->higher, t->lower);
    tvp_appendf(buf, len, ", %zu not significant", t->same);
    if (t->untested)
        tvp_appendf(buf, len, ", %zu not tested (fewer than %d samples)", t->untested,
                    TVP_CMP_MIN_SAMPLES);
    if (t->only_a || t->only_this)
        tvp_appendf(buf, len, "; %zu only in A, %zu only in %c", t->only_a, t->only_this,
                    c->run[k].letter);
}

void tvp_cmp_verdicts_line(const struct tvp_compare *c, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!c->n_differ) {
        tvp_appendf(buf, len, "all %zu claims judged alike", tvp_claims_len);
        return;
    }
    int measured = 0, partly = 0;
    for (size_t i = 0; i < tvp_claims_len; i++) {
        measured += c->claim[i].measured;
        partly += c->claim[i].unmeasured && !c->claim[i].measured;
    }
    tvp_appendf(buf, len, "%d differ", measured);
    const char *sep = ": ";
    for (size_t i = 0; i < tvp_claims_len; i++) {
        if (!c->claim[i].measured)
            continue;
        tvp_appendf(buf, len, "%s%s (", sep, tvp_claims[i].id);
        for (int k = 0; k < c->n_runs; k++)
            tvp_appendf(buf, len, "%s%c %s", k ? ", " : "", c->run[k].letter,
                        tvp_verdict_name(c->run[k].rpt->v[i].kind));
        tvp_appendf(buf, len, ")");
        sep = "; ";
    }
    if (partly)
        tvp_appendf(buf, len, "; %d measured in some runs only", partly);
    sep = ": ";
    for (size_t i = 0; i < tvp_claims_len; i++)
        if (c->claim[i].unmeasured && !c->claim[i].measured) {
            tvp_appendf(buf, len, "%s%s", sep, tvp_claims[i].id);
            sep = ", ";
        }
}

void tvp_cmp_claim_mark(const struct tvp_compare *c, size_t i, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!c->claim[i].differs)
        return;
    if (c->claim[i].measured)
        tvp_appendf(buf, len, "differs");
    if (!c->claim[i].unmeasured)
        return;
    const char *sep = c->claim[i].measured ? "; not measured in " : "not measured in ";
    for (int k = 0; k < c->n_runs; k++)
        if (c->run[k].rpt->v[i].kind == TVP_V_NOT_MEASURED) {
            tvp_appendf(buf, len, "%s%c", sep, c->run[k].letter);
            sep = ", ";
        }
}
