#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tvp_err.h"

void tvp_csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void tvp_csv_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
}

struct growing {
    void **items;
    size_t len, cap;
};

static int push(struct growing *g, void *item)
{
    if (g->len == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        void **n = realloc(g->items, cap * sizeof *n);
        if (!n)
            return ENOMEM;
        g->items = n;
        g->cap = cap;
    }
    g->items[g->len++] = item;
    return 0;
}

/* Parses one record starting at *p; advances *p past its line end. */
static int parse_record(const char **p, struct growing *fields)
{
    const char *s = *p;
    for (;;) {
        size_t cap = 64, len = 0;
        char *field = malloc(cap);
        if (!field)
            return ENOMEM;
        int quoted = (*s == '"');
        if (quoted)
            s++;
        for (;;) {
            char ch = *s;
            if (ch == '\0')
                break;
            if (quoted) {
                if (ch == '"' && s[1] == '"') {
                    s += 2;
                } else if (ch == '"') {
                    s++;
                    quoted = 0;
                    continue;
                } else {
                    s++;
                }
            } else {
                if (ch == ',' || ch == '\n' || ch == '\r')
                    break;
                s++;
            }
            if (len + 2 > cap) {
                char *n = realloc(field, cap *= 2);
                if (!n) {
                    free(field);
                    return ENOMEM;
                }
                field = n;
            }
            field[len++] = ch;
        }
        field[len] = '\0';
        if (push(fields, field) != 0) {
            free(field);
            return ENOMEM;
        }
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\r')
            s++;
        if (*s == '\n')
            s++;
        break;
    }
    *p = s;
    return 0;
}

static char *slurp(const char *path, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len + 1 < cap)
            break;
        char *n = realloc(buf, cap *= 2);
        if (!n) {
            free(buf);
            buf = NULL;
        } else {
            buf = n;
        }
    }
    *err = buf ? (ferror(f) ? EIO : 0) : ENOMEM;
    fclose(f);
    if (buf && *err) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

int tvp_csv_read(const char *path, struct tvp_csv *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int e;
    char *text = slurp(path, &e);
    if (!text) {
        tvp_errfmt(err, errlen, e, "%s: reading", path);
        return e;
    }
    const char *p = text;
    struct growing header = {0}, rows = {0};
    int rc = parse_record(&p, &header);
    while (rc == 0 && *p) {
        if (*p == '\n' || (*p == '\r' && p[1] == '\n')) { /* a blank line, as editors leave */
            p += *p == '\r' ? 2 : 1;
            continue;
        }
        struct growing fields = {0};
        rc = parse_record(&p, &fields);
        if (rc == 0 && fields.len != header.len) {
            snprintf(err, errlen, "%s: row %zu has %zu fields, the header %zu", path, rows.len + 2,
                     fields.len, header.len);
            rc = EPROTO;
        }
        if (rc == 0)
            rc = push(&rows, fields.items);
        if (rc != 0) {
            for (size_t i = 0; i < fields.len; i++)
                free(fields.items[i]);
            free(fields.items);
        }
    }
    free(text);
    out->header = (char **)header.items;
    out->ncols = header.len;
    out->rows = (char ***)rows.items;
    out->nrows = rows.len;
    if (rc != 0) {
        if (rc == ENOMEM)
            tvp_errfmt(err, errlen, rc, "%s: parsing", path);
        tvp_csv_free(out);
    }
    return rc;
}

void tvp_csv_free(struct tvp_csv *c)
{
    for (size_t r = 0; r < c->nrows; r++) {
        for (size_t i = 0; i < c->ncols; i++)
            free(c->rows[r][i]);
        free(c->rows[r]);
    }
    for (size_t i = 0; i < c->ncols; i++)
        free(c->header[i]);
    free(c->rows);
    free(c->header);
    memset(c, 0, sizeof *c);
}

int tvp_csv_col(const struct tvp_csv *c, const char *name)
{
    for (size_t i = 0; i < c->ncols; i++)
        if (strcmp(c->header[i], name) == 0)
            return (int)i;
    return -1;
}
