/* The lock descriptor table (tvp_lock.h), one entry per line of lock_kinds.h. */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP */

#include "tvp_lock.h"
#include "tvp_lock_all.h"

#include <string.h>

const struct tvp_lock_desc tvp_lock_descs[] = {
#define TVP_LOCK_KIND(id, name, type, pshared_ok)                                                  \
    {name,                                                                                         \
     sizeof(type),                                                                                 \
     _Alignof(type),                                                                               \
     tvp_lock_init_##id,                                                                           \
     tvp_lock_destroy_##id,                                                                        \
     pshared_ok,                                                                                   \
     TVP_LOCK_UNAVAILABLE_##id},
#include "lock_kinds.h"
#undef TVP_LOCK_KIND
};

const size_t tvp_lock_descs_len = sizeof tvp_lock_descs / sizeof tvp_lock_descs[0];

const struct tvp_lock_desc *tvp_lock_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < tvp_lock_descs_len; i++) {
        if (strcmp(tvp_lock_descs[i].name, name) == 0)
            return &tvp_lock_descs[i];
    }
    return NULL;
}
