#include "json.h"

#include <math.h>

void tvp_json_init(struct tvp_json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = 1;
}

void tvp_json_write_escaped(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void item(struct tvp_json *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = 0;
    if (j->depth > 0) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    if (key) {
        tvp_json_write_escaped(j->f, key);
        fputs(": ", j->f);
    }
}

static void open_level(struct tvp_json *j, const char *key, char c)
{
    item(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < (int)(sizeof j->first / sizeof j->first[0]))
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_level(struct tvp_json *j, char c)
{
    int empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    fputc(c, j->f);
}

void tvp_json_begin_object(struct tvp_json *j, const char *key)
{
    open_level(j, key, '{');
}

void tvp_json_end_object(struct tvp_json *j)
{
    close_level(j, '}');
}

void tvp_json_begin_array(struct tvp_json *j, const char *key)
{
    open_level(j, key, '[');
}

void tvp_json_end_array(struct tvp_json *j)
{
    close_level(j, ']');
}

void tvp_json_string(struct tvp_json *j, const char *key, const char *value)
{
    item(j, key);
    if (value)
        tvp_json_write_escaped(j->f, value);
    else
        fputs("null", j->f);
}

void tvp_json_number(struct tvp_json *j, const char *key, double value)
{
    item(j, key);
    if (isfinite(value))
        fprintf(j->f, "%.10g", value);
    else
        fputs("null", j->f);
}

void tvp_json_int(struct tvp_json *j, const char *key, long long value)
{
    item(j, key);
    fprintf(j->f, "%lld", value);
}

void tvp_json_bool(struct tvp_json *j, const char *key, int value)
{
    item(j, key);
    fputs(value ? "true" : "false", j->f);
}

void tvp_json_null(struct tvp_json *j, const char *key)
{
    item(j, key);
    fputs("null", j->f);
}

void tvp_json_finish(struct tvp_json *j)
{
    fputc('\n', j->f);
}
