/* The event implementations by name (tvp_event.h). */
#include "tvp_event.h"

#include <string.h>

const struct tvp_event_impl *const tvp_event_impls[] = {
    &tvp_event_condvar,
    &tvp_event_futex,
    &tvp_event_eventfd,
};

const size_t tvp_event_impls_len = sizeof tvp_event_impls / sizeof tvp_event_impls[0];

const struct tvp_event_impl *tvp_event_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < tvp_event_impls_len; i++) {
        if (strcmp(tvp_event_impls[i]->name, name) == 0)
            return tvp_event_impls[i];
    }
    return NULL;
}
