/* Small results folders written by a test and read back through the record's own reader, so a
 * claim's judge can be driven through each of its outcomes with figures chosen for it. */
#ifndef TVP_RESULTS_FIXTURE_H
#define TVP_RESULTS_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "resultset.h"

/* The columns most tests write: the schema's identity columns, the median with its CI, status. */
#define RF_COLUMNS                                                                                 \
    "group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,median,ci_low,"  \
    "ci_high,status,note"

/* meta.json of a complete run; extra: more JSON members ("\"cores\": 2,\n  ...") or "". */
static inline int rf_meta(const char *dir, const char *extra)
{
    char path[256];
    snprintf(path, sizeof path, "%s/meta.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\n  %s%s\"status\": \"complete\",\n  \"host_name\": \"test\"\n}\n", extra,
            extra[0] ? ",\n  " : "");
    return fclose(f);
}

/* Creates <group>.csv with the given header line (the schema's columns the test writes) and
 * <group>.samples.csv with its header. Returns 0, or -1 with both closed. */
static inline int rf_open(const char *dir, const char *group, const char *columns, FILE **csv,
                          FILE **smp)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.csv", dir, group);
    *csv = fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s.samples.csv", dir, group);
    *smp = fopen(path, "w");
    if (!*csv || !*smp) {
        if (*csv)
            fclose(*csv);
        if (*smp)
            fclose(*smp);
        *csv = *smp = NULL;
        return -1;
    }
    fprintf(*csv, "%s\n", columns);
    fputs("figure_id,repetition,value\n", *smp);
    return 0;
}

/* Loads the folder and judges claim id into v; returns the verdict, or -1 when it cannot load. */
static inline enum tvp_verdict_kind rf_judge(const char *dir, const char *id, struct tvp_verdict *v)
{
    struct tvp_resultset rs;
    char err[256];
    memset(v, 0, sizeof *v);
    if (tvp_resultset_load(dir, &rs, err, sizeof err) != 0) {
        fprintf(stderr, "load: %s\n", err);
        return (enum tvp_verdict_kind) - 1;
    }
    for (size_t i = 0; i < tvp_claims_len; i++)
        if (strcmp(tvp_claims[i].id, id) == 0)
            tvp_judge_claim(&rs, &tvp_claims[i], v);
    tvp_resultset_free(&rs);
    return v->kind;
}

#endif
