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
