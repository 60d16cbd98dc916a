/* The helpers every group's planner uses to build its list of cases. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

void tvp_case_init(struct tvp_case *c, const struct tvp_group *g, const char *benchmark,
                   const char *variant, const char *model, const struct tvp_placement *pl)
{
    memset(c, 0, sizeof *c);
    c->group = g;
    snprintf(c->benchmark, sizeof c->benchmark, "%s", benchmark);
    snprintf(c->variant, sizeof c->variant, "%s", variant);
    snprintf(c->model, sizeof c->model, "%s", model);
    c->placement = pl->kind;
    c->pu_a = pl->pu_a;
    c->pu_b = pl->pu_b;
}

int tvp_plan_add(struct tvp_plan *p, const struct tvp_case *c)
{
    if (p->len == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct tvp_case *n = realloc(p->cases, cap * sizeof *n);
        if (!n)
            return ENOMEM;
        p->cases = n;
        p->cap = cap;
    }
    p->cases[p->len++] = *c;
    return 0;
}

void tvp_plan_free(struct tvp_plan *p)
{
    free(p->cases);
    memset(p, 0, sizeof *p);
}

void tvp_plan_skip(struct tvp_plan *p, const char *fmt, ...)
{
    if (p->n_skipped >= (int)(sizeof p->skipped / sizeof p->skipped[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->skipped[p->n_skipped++], sizeof p->skipped[0], fmt, ap);
    va_end(ap);
}

int tvp_plan_placement_ok(struct tvp_plan *p, const struct tvp_plan_ctx *ctx,
                          enum tvp_placement_kind k)
{
    const struct tvp_placement *pl = &ctx->placements[k];
    const char *why = NULL;
    if (!(ctx->opt->placement_mask & (1u << k)))
        why = "not selected by --placement";
    else if (!pl->available)
        why = pl->reason;
    if (!why)
        return 1;
    char line[160];
    snprintf(line, sizeof line, "%s: %s", tvp_placement_name(k), why);
    for (int i = 0; i < p->n_skipped; i++)
        if (strcmp(p->skipped[i], line) == 0)
            return 0;
    tvp_plan_skip(p, "%s", line);
    return 0;
}

int tvp_plan_sweep_max(const struct tvp_topo *t)
{
    struct tvp_topo_summary sum;
    tvp_topo_summarize(t, &sum);
    int max = 2 * sum.pus;
    return max > TVP_MAX_CASE_PUS ? TVP_MAX_CASE_PUS : max < 1 ? 1 : max;
}

int tvp_plan_worker_sweep(const struct tvp_topo *t, int *out, int max)
{
    struct tvp_topo_summary sum;
    tvp_topo_summarize(t, &sum);
    int top = tvp_plan_sweep_max(t), n = 0;
    int pus = sum.pus < 1 ? 1 : sum.pus > top ? top : sum.pus;
    for (int w = 1; w < pus && n < max; w *= 2)
        out[n++] = w;
    if (n < max)
        out[n++] = pus;
    if (top > pus && n < max)
        out[n++] = top;
    return n;
}

int tvp_plan_sweep_is_end(const struct tvp_topo *t, int w)
{
    struct tvp_topo_summary sum;
    tvp_topo_summarize(t, &sum);
    return w == 1 || w == 2 || w == sum.pus || w == tvp_plan_sweep_max(t);
}
