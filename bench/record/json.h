/* A small streaming JSON writer: it tracks nesting and commas so callers only name keys and
 * values. Non-finite numbers are written as null (JSON has no NaN). */
#ifndef TVP_JSON_H
#define TVP_JSON_H

#include <stdio.h>

struct tvp_json {
    FILE *f;
    int depth;
    int first[32]; /* per depth: nothing written yet at this level */
};

void tvp_json_init(struct tvp_json *j, FILE *f);
void tvp_json_begin_object(struct tvp_json *j, const char *key); /* key NULL inside arrays */
void tvp_json_end_object(struct tvp_json *j);
void tvp_json_begin_array(struct tvp_json *j, const char *key);
void tvp_json_end_array(struct tvp_json *j);
void tvp_json_string(struct tvp_json *j, const char *key, const char *value); /* NULL -> null */
void tvp_json_number(struct tvp_json *j, const char *key, double value);
void tvp_json_int(struct tvp_json *j, const char *key, long long value);
void tvp_json_bool(struct tvp_json *j, const char *key, int value);
void tvp_json_null(struct tvp_json *j, const char *key);
/* Ends the document with a newline. */
void tvp_json_finish(struct tvp_json *j);

/* Writes s as a JSON string literal (with quotes) to f; a byte that is not part of well-formed
 * UTF-8 is written as U+FFFD, so the file stays valid JSON whatever a note holds. */
void tvp_json_write_escaped(FILE *f, const char *s);

#endif
