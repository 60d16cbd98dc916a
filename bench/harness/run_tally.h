/* Where a run's time went: how each case stopped sampling and the slowest cases, logged at the
 * end of the run (run.log), so a user sees what to --only away or what the caps cost. */
#ifndef TVP_RUN_TALLY_H
#define TVP_RUN_TALLY_H

#include <stddef.h>

#include "sampling.h"

#define TVP_TALLY_SLOWEST 10

/* After each case: its name, wall seconds, why it stopped sampling, how many samples over how
 * long, and its widest governed relative CI half-width (NAN: none governed). */
void tvp_tally_add(const char *name, double seconds, enum tvp_stop stop, size_t samples,
                   double sampling_s, double widest);
/* Logs the tally (tvp_log) and forgets it. */
void tvp_tally_log(void);

#endif
