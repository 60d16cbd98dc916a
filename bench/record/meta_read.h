/* meta.json read back, with jansson: a results folder is only read when its meta.json is valid
 * JSON, has the fields every run writes, and a tvpbench_schema version this build knows. A
 * binary, truncated or hand-broken meta.json is refused with one line naming the file and the
 * problem, never read as empty facts. */
#ifndef TVP_META_READ_H
#define TVP_META_READ_H

#include <jansson.h>
#include <stddef.h>

/* The facts the resultset and run.json keep from meta.json ("" or NAN/0 where absent). */
struct tvp_meta_facts {
    int schema;
    char status[24], date[40], groups[256];
    char host[128], cpu_model[160], kernel[128], virt[200], build_type[40];
    double timer_cost_ns;
    int cores, pus;
    long long l1d_bytes, l2_bytes, l3_bytes;
    char python_facts[600], python_missing[300];
};

/* Parses and checks text[0..len) as meta.json; name (the path) starts every message. Returns
 * the parsed document (json_decref it) and fills facts, or NULL with "name: problem" in err. */
json_t *tvp_meta_parse(const char *name, const char *text, size_t len, struct tvp_meta_facts *facts,
                       char *err, size_t errlen);

/* Reads and checks <dir>/meta.json as tvp_meta_parse does; NULL with the message in err (and
 * errno-style *why: ENOENT when there is none, EPROTO when it is not a valid meta.json). */
json_t *tvp_meta_load(const char *dir, struct tvp_meta_facts *facts, char *err, size_t errlen,
                      int *why);

/* The value at a dotted path ("machine.governor") when it is a string, else NULL. */
const char *tvp_meta_str(const json_t *root, const char *path);
/* The value at a dotted path when it is a number (true/false count as 1/0), else absent. */
double tvp_meta_num(const json_t *root, const char *path, double absent);

#endif
