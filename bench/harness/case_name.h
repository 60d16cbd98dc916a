/* The one name of a case and of a figure, used everywhere a case is named: progress lines,
 * run.log, --only, `list --cases`, samples.csv's figure_id, the JSON name fields and the
 * report's figures table.
 *
 *   case    group/benchmark/variant/model/placement[/param=N]
 *   figure  the case name + "/" + metric
 *
 * Results folders written before this name was settled spell a parameter "param:N" in
 * samples.csv's figure_id; tvp_figure_id_canonical reads that form too. */
#ifndef TVP_CASE_NAME_H
#define TVP_CASE_NAME_H

#include <stddef.h>

#include "group.h"

/* Long enough for every name the groups plan (each part is at most TVP_NAME_LEN). */
#define TVP_CASE_NAME_LEN 256

struct tvp_name_parts {
    const char *group, *benchmark, *variant, *model, *placement;
    const char *param; /* NULL or "": the case has no parameter */
    long long param_value;
    const char *metric; /* NULL: the case's name; otherwise the figure's */
};

/* Writes the name of p into buf (cut to len - 1 characters). Returns the full length, as snprintf
 * does, so that a caller can tell a cut name. */
int tvp_name_write(char *buf, size_t len, const struct tvp_name_parts *p);

/* The name of case c: "group/benchmark/variant/model/placement[/param=N]". */
void tvp_case_name(char *buf, size_t len, const struct tvp_case *c);
/* The name of c's figure for its metric c->metric[metric]: the case name + "/" + the metric. */
void tvp_figure_name(char *buf, size_t len, const struct tvp_case *c, int metric);

/* Rewrites a figure_id of the older form ".../placement/param:N/metric" in place to the name
 * above (".../param=N/..."); a name already in that form is left as it is. */
void tvp_figure_id_canonical(char *id);

#endif
