/* The writers and readers of the record: CSV quoting round-trips through the reader, the JSON
 * writer nests and escapes correctly, and meta.json's flat look-up finds values. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csv.h"
#include "json.h"
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
    CHECK_MSG(strstr(err, "row 3") != NULL, "err: %s", err);
    unlink(path);
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
    char v[64];
    CHECK_INT(tvp_json_lookup_string(buf, "host_name", v, sizeof v), 0);
    CHECK_STR(v, "a \"quoted\"\\ name\n");
    CHECK(tvp_json_lookup_string(buf, "absent", v, sizeof v) != 0);
    free(buf);

    /* Every escape the writer emits reads back as the character it stands for. */
    const char *odd = "tab\tcr\rnl\nctl\x01q\"bs\\end";
    buf = NULL;
    m = open_memstream(&buf, &len);
    tvp_json_init(&j, m);
    tvp_json_begin_object(&j, NULL);
    tvp_json_string(&j, "odd", odd);
    tvp_json_end_object(&j);
    tvp_json_finish(&j);
    fclose(m);
    CHECK_INT(tvp_json_lookup_string(buf, "odd", v, sizeof v), 0);
    CHECK_STR(v, odd);
    free(buf);
    return CHECK_DONE();
}
