#include "json.h"

#include <math.h>

void tvp_json_init(struct tvp_json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = 1;
}

/* The length of the well-formed UTF-8 sequence at p (1..4), or 0 when it is not one: JSON text
 * must be UTF-8, and a reader (jansson, Python's json) refuses the whole file over one bad byte. */
static int utf8_len(const unsigned char *p)
{
    int n = p[0] < 0x80                    ? 1
            : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
            : p[0] >= 0xe0 && p[0] <= 0xef ? 3
            : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
                                           : 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong forms, UTF-16 surrogates and code points above U+10FFFF. */
    if ((n == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (n == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (n == 4 && p[0] == 0xf0 && p[1] < 0x90) || (n == 4 && p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return n;
}

void tvp_json_write_escaped(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
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
            if (*p < 0x20) {
                fprintf(f, "\\u%04x", *p);
            } else {
                int n = utf8_len(p);
                if (n == 0) {
                    fputs("\\ufffd", f); /* a byte that is not UTF-8: the replacement character */
                } else {
                    fwrite(p, 1, (size_t)n, f);
                    p += n;
                    continue;
                }
            }
        }
        p++;
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
