#include "meta_read.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "output.h"
#include "tvp_err.h"

static const json_t *at(const json_t *root, const char *path)
{
    char key[64];
    const json_t *v = root;
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = json_is_object(v) ? json_object_get(v, key) : NULL;
        path += n + (path[n] == '.');
    }
    return v;
}

const char *tvp_meta_str(const json_t *root, const char *path)
{
    const json_t *v = at(root, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

double tvp_meta_num(const json_t *root, const char *path, double absent)
{
    const json_t *v = at(root, path);
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_boolean(v))
        return json_is_true(v) ? 1.0 : 0.0;
    return absent;
}

static void fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    int n = snprintf(err, errlen, "%s: ", name);
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    /* jansson quotes the bytes near a syntax error: from a binary file they are not text. */
    for (char *p = err; *p; p++)
        if (!isprint((unsigned char)*p))
            *p = '?';
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

/* Copies the string at path into buf. required: absent is an error; present, it must be a
 * string (null too where optional: the writer writes null for a string it does not have). */
static int get_str(const json_t *root, const char *path, int required, char *buf, size_t len,
                   const char *name, char *err, size_t errlen)
{
    const json_t *v = at(root, path);
    buf[0] = '\0';
    if (!v || (!required && json_is_null(v))) {
        if (!required)
            return 0;
        fail(err, errlen, name, "no \"%s\" (every tvpbench run writes it)", path);
        return -1;
    }
    if (!json_is_string(v)) {
        fail(err, errlen, name, "\"%s\" is %s, not a string", path, type_name(v));
        return -1;
    }
    snprintf(buf, len, "%s", json_string_value(v));
    return 0;
}

/* The number at path, or absent when it is missing or null; anything else is an error. */
static int get_num(const json_t *root, const char *path, double absent, double *out,
                   const char *name, char *err, size_t errlen)
{
    const json_t *v = at(root, path);
    *out = absent;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v)) {
        fail(err, errlen, name, "\"%s\" is %s, not a number", path, type_name(v));
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

json_t *tvp_meta_parse(const char *name, const char *text, size_t len, struct tvp_meta_facts *m,
                       char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->timer_cost_ns = NAN;
    json_error_t je;
    /* Duplicate keys would let a hand edit hide a value behind another. */
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        fail(err, errlen, name, "not valid JSON: line %d, column %d: %s", je.line, je.column,
             je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        fail(err, errlen, name, "the document is %s, not an object", type_name(root));
        goto bad;
    }
    const json_t *schema = json_object_get(root, "tvpbench_schema");
    if (!schema) {
        fail(err, errlen, name, "no \"tvpbench_schema\": not written by tvpbench");
        goto bad;
    }
    if (!json_is_integer(schema) || json_integer_value(schema) < 1 ||
        json_integer_value(schema) > TVP_SCHEMA_VERSION) {
        char v[64];
        if (json_is_integer(schema))
            snprintf(v, sizeof v, "%lld", (long long)json_integer_value(schema));
        else
            snprintf(v, sizeof v, "%s", type_name(schema));
        fail(err, errlen, name,
             "unknown tvpbench_schema version %s; this tvpbench reads version %d%s", v,
             TVP_SCHEMA_VERSION,
             json_is_integer(schema) && json_integer_value(schema) > TVP_SCHEMA_VERSION
                 ? " (the folder is from a later tvpbench: read it with that one)"
                 : "");
        goto bad;
    }
    m->schema = (int)json_integer_value(schema);
    double cores = 0, pus = 0, l1 = 0, l2 = 0, l3 = 0;
    if (get_str(root, "status", 1, m->status, sizeof m->status, name, err, errlen) ||
        get_str(root, "date", 1, m->date, sizeof m->date, name, err, errlen) ||
        get_str(root, "groups", 0, m->groups, sizeof m->groups, name, err, errlen) ||
        get_str(root, "machine.host_name", 1, m->host, sizeof m->host, name, err, errlen) ||
        get_str(root, "machine.cpu_model", 0, m->cpu_model, sizeof m->cpu_model, name, err,
                errlen) ||
        get_str(root, "machine.kernel", 0, m->kernel, sizeof m->kernel, name, err, errlen) ||
        get_str(root, "machine.virtualisation", 0, m->virt, sizeof m->virt, name, err, errlen) ||
        get_str(root, "machine.build_type", 0, m->build_type, sizeof m->build_type, name, err,
                errlen) ||
        get_str(root, "environment.python_facts", 0, m->python_facts, sizeof m->python_facts, name,
                err, errlen) ||
        get_str(root, "environment.python_missing", 0, m->python_missing, sizeof m->python_missing,
                name, err, errlen) ||
        get_num(root, "timer.cost_ns", NAN, &m->timer_cost_ns, name, err, errlen) ||
        get_num(root, "topology.cores", 0, &cores, name, err, errlen) ||
        get_num(root, "topology.pus", 0, &pus, name, err, errlen) ||
        get_num(root, "topology.l1d_bytes", 0, &l1, name, err, errlen) ||
        get_num(root, "topology.l2_bytes", 0, &l2, name, err, errlen) ||
        get_num(root, "topology.l3_bytes", 0, &l3, name, err, errlen))
        goto bad;
    /* The report quotes it, and every run measures it: anything but a cost is damage. */
    if (!at(root, "timer.cost_ns")) {
        fail(err, errlen, name, "no \"timer.cost_ns\" (every tvpbench run writes it)");
        goto bad;
    }
    if (!isfinite(m->timer_cost_ns) || m->timer_cost_ns < 0) {
        fail(err, errlen, name, "\"timer.cost_ns\" is %s, not a cost in ns",
             isnan(m->timer_cost_ns) ? "null" : "negative");
        goto bad;
    }
    const double counts[] = {cores, pus, l1, l2, l3};
    const char *const count_names[] = {"topology.cores", "topology.pus", "topology.l1d_bytes",
                                       "topology.l2_bytes", "topology.l3_bytes"};
    for (size_t i = 0; i < 5; i++)
        if (!(counts[i] >= 0 && counts[i] <= 1e15 && counts[i] == floor(counts[i]))) {
            fail(err, errlen, name, "\"%s\" is %g: not a count", count_names[i], counts[i]);
            goto bad;
        }
    if (cores > 1e6 || pus > 1e6) {
        fail(err, errlen, name, "topology: %g cores, %g PUs: not a machine", cores, pus);
        goto bad;
    }
    m->cores = (int)cores;
    m->pus = (int)pus;
    m->l1d_bytes = (long long)l1;
    m->l2_bytes = (long long)l2;
    m->l3_bytes = (long long)l3;
    return root;
bad:
    json_decref(root);
    return NULL;
}

json_t *tvp_meta_load(const char *dir, struct tvp_meta_facts *facts, char *err, size_t errlen,
                      int *why)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    char *text;
    size_t len;
    int e = tvp_file_read(path, &text, &len);
    if (e) {
        tvp_errfmt(err, errlen, e, "%s: not a results folder (reading %s)", dir, path);
        *why = e;
        return NULL;
    }
    json_t *root = tvp_meta_parse(path, text, len, facts, err, errlen);
    free(text);
    *why = root ? 0 : EPROTO;
    return root;
}
