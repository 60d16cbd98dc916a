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
};

/* Reads a whole file. Returns 0, or an error number with "path: what: why" in err. Rows with a
 * different number of fields than the header are an error (EPROTO). */
int tvp_csv_read(const char *path, struct tvp_csv *out, char *err, size_t errlen);
void tvp_csv_free(struct tvp_csv *c);
/* Column index of name, or -1. */
int tvp_csv_col(const struct tvp_csv *c, const char *name);

#endif
