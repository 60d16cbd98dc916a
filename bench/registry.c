/* The registry: the table of groups, built from the one list in groups.h. It sits at the top of
 * bench/ with main.c because it is the one place that names every group; the harness and the
 * record reach a group only through this table. */
#include <string.h>

#include "group.h"

#define TVP_GROUP(name) extern const struct tvp_group tvp_group_##name;
#include "groups.h"
#undef TVP_GROUP

const struct tvp_group *const tvp_groups[] = {
#define TVP_GROUP(name) &tvp_group_##name,
#include "groups.h"
#undef TVP_GROUP
};
const size_t tvp_groups_len = sizeof tvp_groups / sizeof tvp_groups[0];

const struct tvp_group *tvp_group_find(const char *name)
{
    for (size_t i = 0; i < tvp_groups_len; i++)
        if (strcmp(tvp_groups[i]->name, name) == 0)
            return tvp_groups[i];
    return NULL;
}
