#include "case_name.h"

#include <stdio.h>
#include <string.h>

int tvp_name_write(char *buf, size_t len, const struct tvp_name_parts *p)
{
    char param[TVP_NAME_LEN + 24] = "";
    if (p->param && p->param[0])
        snprintf(param, sizeof param, "/%s=%lld", p->param, p->param_value);
    return snprintf(buf, len, "%s/%s/%s/%s/%s%s%s%s", p->group, p->benchmark, p->variant, p->model,
                    p->placement, param, p->metric ? "/" : "", p->metric ? p->metric : "");
}

static void name_of(char *buf, size_t len, const struct tvp_case *c, const char *metric)
{
    struct tvp_name_parts p = {.group = c->group->name,
                               .benchmark = c->benchmark,
                               .variant = c->variant,
                               .model = c->model,
                               .placement = tvp_placement_name(c->placement),
                               .param = c->param,
                               .param_value = c->param_value,
                               .metric = metric};
    tvp_name_write(buf, len, &p);
}

void tvp_case_name(char *buf, size_t len, const struct tvp_case *c)
{
    name_of(buf, len, c, NULL);
}

void tvp_figure_name(char *buf, size_t len, const struct tvp_case *c, int metric)
{
    name_of(buf, len, c, c->metric[metric]);
}

void tvp_figure_id_canonical(char *id)
{
    /* The older form differs in one place: the parameter, the sixth of seven parts, was
     * "param:N". No other part of a name holds a ':'. */
    char *part = id;
    for (int k = 0; k < 5 && part; k++) {
        part = strchr(part, '/');
        if (part)
            part++;
    }
    if (!part)
        return;
    char *end = strchr(part, '/');
    if (!end || strchr(end + 1, '/'))
        return; /* not seven parts: no parameter */
    char *colon = memchr(part, ':', (size_t)(end - part));
    if (colon && !memchr(part, '=', (size_t)(end - part)))
        *colon = '=';
}
