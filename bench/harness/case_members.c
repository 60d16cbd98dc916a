#include "case_members.h"

#include <stdio.h>

/* Puts which member failed in front of its own error. */
static void name_member(const struct tvp_case *mc, const char *owner, char *err, size_t errlen)
{
    char why[400];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, errlen, "%s: %s %s (%s model): %s", owner, mc->benchmark, mc->variant, mc->model,
             why);
}

void tvp_members_teardown(struct tvp_members *m)
{
    for (int i = m->n - 1; i >= 0; i--)
        if (m->ready[i]) {
            m->c[i].teardown(&m->c[i], m->state[i]);
            m->ready[i] = 0;
        }
}

int tvp_members_setup(struct tvp_members *m, const char *owner, char *err, size_t errlen)
{
    for (int i = 0; i < m->n; i++) {
        if (m->c[i].setup(&m->c[i], &m->state[i], err, errlen) != 0) {
            name_member(&m->c[i], owner, err, errlen);
            tvp_members_teardown(m);
            return -1;
        }
        m->ready[i] = 1;
    }
    return 0;
}

int tvp_members_run(struct tvp_members *m, const char *owner, uint64_t iters,
                    uint64_t totals[][TVP_MAX_METRICS], char *err, size_t errlen)
{
    int backwards = (int)(m->batch++ & 1);
    for (int k = 0; k < m->n; k++) {
        int i = backwards ? m->n - 1 - k : k;
        if (m->c[i].run(&m->c[i], m->state[i], iters, totals[i], err, errlen) != 0) {
            name_member(&m->c[i], owner, err, errlen);
            return -1;
        }
    }
    return 0;
}
