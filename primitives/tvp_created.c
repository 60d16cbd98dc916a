#include "tvp_created.h"

#include <stdio.h>

void (*tvp_created_hook)(const char *kind, const char *what);

void tvp_created(const char *kind, const char *what)
{
    if (tvp_created_hook)
        tvp_created_hook(kind, what);
}

void tvp_created_id(const char *kind, long id)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", id);
    tvp_created(kind, buf);
}
