#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
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

static void free_fields(struct growing *g)
{
    for (size_t i = 0; i < g->len; i++)
        free(g->items[i]);
    free(g->items);
    memset(g, 0, sizeof *g);
}

struct cursor {
    const char *p, *end;
    size_t line; /* of *p */
    const char *name;
    char *err;
    size_t errlen;
};

static int bad(struct cursor *c, size_t line, const char *what)
{
    snprintf(c->err, c->errlen, "%s: line %zu: %s", c->name, line, what);
    return EPROTO;
}

static int add_char(char **field, size_t *len, size_t *cap, char ch)
{
    if (*len + 2 > *cap) {
        char *n = realloc(*field, *cap * 2);
        if (!n)
            return ENOMEM;
        *field = n;
        *cap *= 2;
    }
    (*field)[(*len)++] = ch;
    return 0;
}

/* Parses one record at c->p into fields; advances past its line end. */
static int parse_record(struct cursor *c, struct growing *fields)
{
    for (;;) {
        size_t cap = 64, len = 0, start_line = c->line;
        char *field = malloc(cap);
        if (!field)
            return ENOMEM;
        int rc = 0, quoted = c->p < c->end && *c->p == '"';
        if (quoted)
            c->p++;
        while (rc == 0 && c->p < c->end) {
            char ch = *c->p;
            if (ch == '\0') {
                rc = bad(c, c->line, "a NUL byte: not a CSV text file");
                break;
            }
            if (!quoted && (ch == ',' || ch == '\n' || ch == '\r'))
                break;
            if (!quoted && ch == '"') {
                rc = bad(c, c->line, "a quote inside an unquoted field");
                break;
            }
            if (quoted && ch == '"') {
                if (c->p + 1 < c->end && c->p[1] == '"') {
                    c->p += 2;
                    rc = add_char(&field, &len, &cap, '"');
                    continue;
                }
                c->p++;
                quoted = 0;
                if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
                    rc = bad(c, c->line, "text after a field's closing quote");
                break;
            }
            if (ch == '\n')
                c->line++;
            c->p++;
            rc = add_char(&field, &len, &cap, ch);
        }
        if (rc == 0 && quoted)
            rc = bad(c, start_line,
                     "a quoted field is not closed at the end of the file "
                     "(truncated?)");
        field[len] = '\0';
        if (rc == 0)
            rc = push(fields, field);
        if (rc != 0) {
            free(field);
            return rc;
        }
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        c->line++;
        return 0;
    }
}

int tvp_file_read(const char *path, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    int e = 0;
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
    if (!buf)
        e = ENOMEM;
    else if (ferror(f))
        e = EIO;
    fclose(f);
    if (e) {
        free(buf);
        return e;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

int tvp_csv_parse(const char *name, const char *text, size_t len, struct tvp_csv *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct cursor c = {text, text + len, 1, name, err, errlen};
    struct growing header = {0}, rows = {0}, lines = {0};
    int rc = 0;
    if (len == 0)
        rc = bad(&c, 1, "empty: no header line");
    if (rc == 0)
        rc = parse_record(&c, &header);
    while (rc == 0 && c.p < c.end) {
        if (*c.p == '\n' || (*c.p == '\r' && c.p + 1 < c.end && c.p[1] == '\n')) {
            c.p += *c.p == '\r' ? 2 : 1; /* a blank line, as editors leave */
            c.line++;
            continue;
        }
        struct growing fields = {0};
        size_t line = c.line;
        rc = parse_record(&c, &fields);
        if (rc == 0 && fields.len != header.len) {
            snprintf(err, errlen, "%s: line %zu: %zu field%s, the header has %zu", name, line,
                     fields.len, fields.len == 1 ? "" : "s", header.len);
            rc = EPROTO;
        }
        if (rc == 0)
            rc = push(&rows, fields.items);
        /* The line number rides in a pointer-sized slot of the same growing array. */
        if (rc == 0 && (rc = push(&lines, (void *)(uintptr_t)line)) != 0)
            rows.len--;
        if (rc != 0)
            free_fields(&fields);
    }
    out->header = (char **)header.items;
    out->ncols = header.len;
    out->rows = (char ***)rows.items;
    out->nrows = rows.len;
    if (rc == 0 && rows.len) {
        out->line = malloc(rows.len * sizeof *out->line);
        if (!out->line)
            rc = ENOMEM;
        for (size_t r = 0; out->line && r < rows.len; r++)
            out->line[r] = (size_t)(uintptr_t)lines.items[r];
    }
    free(lines.items);
    if (rc != 0) {
        if (rc == ENOMEM)
            tvp_errfmt(err, errlen, rc, "%s: parsing", name);
        tvp_csv_free(out);
    }
    return rc;
}

int tvp_csv_read(const char *path, struct tvp_csv *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    int e = tvp_file_read(path, &text, &len);
    if (e) {
        tvp_errfmt(err, errlen, e, "%s: reading", path);
        return e;
    }
    e = tvp_csv_parse(path, text, len, out, err, errlen);
    free(text);
    return e;
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
    free(c->line);
    memset(c, 0, sizeof *c);
}

int tvp_csv_col(const struct tvp_csv *c, const char *name)
{
    for (size_t i = 0; i < c->ncols; i++)
        if (strcmp(c->header[i], name) == 0)
            return (int)i;
    return -1;
}
