/* CSV as RFC 4180 has it: fields with a comma, quote or newline are quoted, quotes doubled.
 * The reader is used to redraw charts and the report from a results folder alone. */
#ifndef TVP_CSV_H
#define TVP_CSV_H

#include <stddef.h>
#include <stdio.h>

void tvp_csv_field(FILE *f, const char *s); /* writes one field, quoted when needed */
void tvp_csv_number(FILE *f, double v);     /* empty for a non-finite value */

struct tvp_csv {
    char **header;
    size_t ncols;
    char ***rows; /* rows[r][c] */
    size_t nrows;
    size_t *line; /* line[r]: the line of the file where row r starts (the header is line 1) */
};

/* Reads a whole file. Returns 0, or an error number with "path: what: why" in err. */
int tvp_csv_read(const char *path, struct tvp_csv *out, char *err, size_t errlen);
/* Parses text[0..len) as tvp_csv_read does; name (the path) starts every message. A file that is
 * not a whole CSV table is refused (EPROTO) with the line named: no header, a NUL byte (binary),
 * a quoted field left open (truncated), text after a closing quote, or a row with a different
 * number of fields than the header. */
int tvp_csv_parse(const char *name, const char *text, size_t len, struct tvp_csv *out, char *err,
                  size_t errlen);

/* Reads a whole file into a NUL-terminated heap buffer (*len without the NUL). Returns 0 or an
 * error number. */
int tvp_file_read(const char *path, char **buf, size_t *len);
void tvp_csv_free(struct tvp_csv *c);
/* Column index of name, or -1. */
int tvp_csv_col(const struct tvp_csv *c, const char *name);

#endif
