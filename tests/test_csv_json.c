/* The writers and readers of the record: CSV quoting round-trips through the reader, a damaged
 * CSV is refused with its line named, and the JSON writer nests and escapes so that jansson reads
 * back every string it was given (quotes, backslashes, control characters, UTF-8). */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csv.h"
#include "json.h"
#include <jansson.h>

#include "resultset.h"

int main(void)
{
    char path[] = "/tmp/tvp-test-csvXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("a,b,c\n", f);
    tvp_csv_field(f, "plain");
    fputc(',', f);
    tvp_csv_field(f, "with, comma and \"quotes\"");
    fputc(',', f);
    tvp_csv_number(f, NAN);
    fputc('\n', f);
    tvp_csv_field(f, "x");
    fputc(',', f);
    tvp_csv_field(f, "multi\nline");
    fputc(',', f);
    tvp_csv_number(f, 1.5);
    fputc('\n', f);
    fclose(f);

    struct tvp_csv c;
    char err[256];
    CHECK_INT(tvp_csv_read(path, &c, err, sizeof err), 0);
    CHECK_INT(c.ncols, 3);
    CHECK_INT(c.nrows, 2);
    CHECK_INT(tvp_csv_col(&c, "b"), 1);
    CHECK_INT(tvp_csv_col(&c, "zzz"), -1);
    if (c.nrows == 2) {
        CHECK_STR(c.rows[0][1], "with, comma and \"quotes\"");
        CHECK_STR(c.rows[0][2], "");
        CHECK_STR(c.rows[1][1], "multi\nline");
        CHECK_STR(c.rows[1][2], "1.5");
    }
    tvp_csv_free(&c);

    /* A ragged row is refused with the row named. */
    f = fopen(path, "w");
    fputs("a,b\n1,2\n3\n", f);
    fclose(f);
    CHECK(tvp_csv_read(path, &c, err, sizeof err) != 0);
    CHECK_MSG(strstr(err, ": line 3: 1 field, the header has 2") != NULL, "err: %s", err);
    unlink(path);

    /* Damage is refused with the file's line, where a multi-line field counts its lines. */
    static const struct {
        const char *text;
        size_t len;
        const char *want;
    } damaged[] = {
        {"a,b\n1,2\n3,\"open", 0, "line 3: a quoted field is not closed"},
        {"a,b\n\"x\ny\",2\n3,\"4\"z\n", 0, "line 4: text after a field's closing quote"},
        {"a,b\n1,2\0\n", 9, "line 2: a NUL byte"},
        {"a,b\n1,x\"y\n", 0, "line 2: a quote inside an unquoted field"},
        {"", 0, "line 1: empty: no header line"},
    };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        size_t len = damaged[i].len ? damaged[i].len : strlen(damaged[i].text);
        int rc = tvp_csv_parse("x.csv", damaged[i].text, len, &c, err, sizeof err);
        CHECK_MSG(rc != 0 && strstr(err, damaged[i].want) != NULL, "case %zu: rc %d, err: %s", i,
                  rc, err);
        if (rc == 0)
            tvp_csv_free(&c);
    }
    /* A row's line is where it starts, after a field that spans two lines. */
    CHECK_INT(tvp_csv_parse("x.csv", "a,b\n\"x\ny\",2\n\n3,4\n", 17, &c, err, sizeof err), 0);
    CHECK_INT(c.nrows, 2);
    if (c.nrows == 2) {
        CHECK_INT(c.line[0], 2);
        CHECK_INT(c.line[1], 5);
    }
    tvp_csv_free(&c);
    CHECK(tvp_csv_read("/nonexistent/x.csv", &c, err, sizeof err) != 0);
    CHECK_MSG(strstr(err, "No such file") != NULL, "err: %s", err);

    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    struct tvp_json j;
    tvp_json_init(&j, m);
    tvp_json_begin_object(&j, NULL);
    tvp_json_string(&j, "host_name", "a \"quoted\"\\ name\n");
    tvp_json_number(&j, "nan", NAN);
    tvp_json_int(&j, "n", -3);
    tvp_json_begin_array(&j, "empty");
    tvp_json_end_array(&j);
    tvp_json_begin_array(&j, "list");
    tvp_json_number(&j, NULL, 1.25);
    tvp_json_bool(&j, NULL, 1);
    tvp_json_begin_object(&j, NULL);
    tvp_json_null(&j, "x");
    tvp_json_end_object(&j);
    tvp_json_end_array(&j);
    tvp_json_end_object(&j);
    tvp_json_finish(&j);
    fclose(m);
    const char *want = "{\n"
                       "  \"host_name\": \"a \\\"quoted\\\"\\\\ name\\n\",\n"
                       "  \"nan\": null,\n"
                       "  \"n\": -3,\n"
                       "  \"empty\": [],\n"
                       "  \"list\": [\n"
                       "    1.25,\n"
                       "    true,\n"
                       "    {\n"
                       "      \"x\": null\n"
                       "    }\n"
                       "  ]\n"
                       "}\n";
    CHECK_STR(buf, want);
    free(buf);

    /* A note with everything a note can hold, through the JSON writer and jansson, and through
     * the CSV writer and reader: each gives back the same bytes. Bytes that are not UTF-8 come
     * back from JSON as U+FFFD (JSON text must be UTF-8), and the file stays readable. */
    const char *odd = "say \"hi\", C:\\path\\ tab\tcr\rnl\nbell\x07 esc\x1b "
                      "del\x7f caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end";
    const char *broken = "bad \xff byte, cut \xe2\x82 short, surrogate \xed\xa0\x80.";
    const char *broken_read = "bad \xef\xbf\xbd byte, cut \xef\xbf\xbd\xef\xbf\xbd short, "
                              "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.";
    buf = NULL;
    m = open_memstream(&buf, &len);
    tvp_json_init(&j, m);
    tvp_json_begin_object(&j, NULL);
    tvp_json_string(&j, "odd", odd);
    tvp_json_string(&j, "broken", broken);
    tvp_json_end_object(&j);
    tvp_json_finish(&j);
    fclose(m);
    json_error_t je;
    json_t *doc = json_loads(buf, 0, &je);
    CHECK_MSG(doc != NULL, "jansson refused the writer's JSON: %s", je.text);
    if (doc) {
        const char *got = json_string_value(json_object_get(doc, "odd"));
        CHECK_STR(got ? got : "(none)", odd);
        got = json_string_value(json_object_get(doc, "broken"));
        CHECK_STR(got ? got : "(none)", broken_read);
        json_decref(doc);
    }
    free(buf);

    f = fopen(path, "w");
    fputs("id,note\n", f);
    tvp_csv_field(f, "1");
    fputc(',', f);
    tvp_csv_field(f, odd);
    fputs("\r\n", f); /* a line end as a Windows editor leaves it */
    fclose(f);
    CHECK_INT(tvp_csv_read(path, &c, err, sizeof err), 0);
    CHECK_INT(c.nrows, 1);
    if (c.nrows == 1)
        CHECK_STR(c.rows[0][1], odd);
    tvp_csv_free(&c);
    unlink(path);
    return CHECK_DONE();
}
