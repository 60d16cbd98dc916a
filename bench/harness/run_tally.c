#include "run_tally.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "case_name.h"
#include "progress.h"

struct slow {
    char name[TVP_CASE_NAME_LEN];
    double seconds;
    enum tvp_stop stop;
    size_t samples;
    double sampling_s, widest;
};

static struct slow slowest[TVP_TALLY_SLOWEST];
static size_t n_slowest, by_stop[TVP_STOP_FIXED + 1];
static double total_s, capped_s;

void tvp_tally_add(const char *name, double seconds, enum tvp_stop stop, size_t samples,
                   double sampling_s, double widest)
{
    if ((unsigned)stop <= TVP_STOP_FIXED)
        by_stop[stop]++;
    total_s += seconds;
    if (stop == TVP_STOP_CAP)
        capped_s += seconds;
    /* Insertion into a short list kept slowest first. */
    size_t at = n_slowest;
    while (at > 0 && slowest[at - 1].seconds < seconds)
        at--;
    if (at >= TVP_TALLY_SLOWEST)
        return;
    size_t keep = n_slowest < TVP_TALLY_SLOWEST ? n_slowest : TVP_TALLY_SLOWEST - 1;
    memmove(&slowest[at + 1], &slowest[at], (keep - at) * sizeof slowest[0]);
    snprintf(slowest[at].name, sizeof slowest[at].name, "%s", name);
    slowest[at].seconds = seconds;
    slowest[at].stop = stop;
    slowest[at].samples = samples;
    slowest[at].sampling_s = sampling_s;
    slowest[at].widest = widest;
    if (n_slowest < TVP_TALLY_SLOWEST)
        n_slowest++;
}

void tvp_tally_log(void)
{
    size_t cases = 0;
    for (int s = 0; s <= TVP_STOP_FIXED; s++)
        cases += by_stop[s];
    if (cases == 0)
        return;
    tvp_log("sampling: of %zu cases, %zu met the CI target, %zu stopped at their time cap (%.0f s "
            "of %.0f s), %zu at %d samples, %zu took a fixed count, %zu did not finish",
            cases, by_stop[TVP_STOP_TARGET], by_stop[TVP_STOP_CAP], capped_s, total_s,
            by_stop[TVP_STOP_MAX], TVP_SAMPLES_MAX, by_stop[TVP_STOP_FIXED],
            by_stop[TVP_STOP_NONE]);
    for (size_t i = 0; i < n_slowest; i++) {
        const struct slow *w = &slowest[i];
        char widest[48] = "";
        if (isfinite(w->widest))
            snprintf(widest, sizeof widest, ", widest CI ±%.1f%%", 100.0 * w->widest);
        else if (isinf(w->widest))
            snprintf(widest, sizeof widest, ", no 95%% CI");
        if (w->stop == TVP_STOP_NONE)
            tvp_log("slowest %zu: %s %.2f s (%zu samples)", i + 1, w->name, w->seconds, w->samples);
        else
            tvp_log("slowest %zu: %s %.2f s (%s, %zu samples in %.2f s%s)", i + 1, w->name,
                    w->seconds, tvp_stop_name(w->stop), w->samples, w->sampling_s, widest);
    }
    memset(by_stop, 0, sizeof by_stop);
    n_slowest = 0;
    total_s = capped_s = 0;
}
