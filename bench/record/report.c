#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "counters_chart.h"
#include "group.h"
#include "report_parts.h"
#include "resultset.h"
#include "run_json.h"
#include "tvp_err.h"

/* After writing what could be read: a folder with damaged parts says how much was left out. */
static int skipped(const struct tvp_resultset *rs, const char *what)
{
    if (rs->n_problems == 0)
        return 0;
    fprintf(stderr,
            "tvpbench: %s: %s written without %zu unreadable part%s of the folder (named "
            "above)\n",
            rs->dir, what, rs->n_problems, rs->n_problems == 1 ? "" : "s");
    return TVP_READ_SKIPPED;
}

int tvp_write_chart_data(const char *dir)
{
    struct tvp_resultset rs;
    char err[512];
    int rc = tvp_resultset_load(dir, &rs, err, sizeof err);
    if (rc) {
        fprintf(stderr, "tvpbench: %s\n", err);
        return rc;
    }
    char charts[PATH_MAX + 16];
    snprintf(charts, sizeof charts, "%s/charts", dir);
    if (mkdir(charts, 0755) != 0 && errno != EEXIST) {
        rc = errno;
        tvp_warn(rc, "creating %s", charts);
    }
    for (size_t g = 0; !rc && g < tvp_groups_len; g++)
        if (tvp_groups[g]->chart_data && tvp_rs_has_group(&rs, tvp_groups[g]->name))
            rc = tvp_groups[g]->chart_data(&rs, charts);
    if (!rc)
        rc = tvp_write_counters_charts(&rs, charts);
    if (!rc)
        rc = skipped(&rs, "chart data");
    tvp_resultset_free(&rs);
    return rc;
}

int tvp_write_run_json(const char *dir)
{
    struct tvp_resultset rs;
    char err[512];
    int rc = tvp_resultset_load(dir, &rs, err, sizeof err);
    if (!rc && (rc = tvp_run_json_write(&rs, err, sizeof err)) == 0)
        rc = skipped(&rs, "run.json");
    else if (rc)
        fprintf(stderr, "tvpbench: %s\n", err);
    tvp_resultset_free(&rs); /* zeroed by a load that failed */
    return rc;
}

int tvp_write_report(const char *dir)
{
    struct tvp_resultset rs;
    char err[512];
    int rc = tvp_resultset_load(dir, &rs, err, sizeof err);
    if (rc) {
        fprintf(stderr, "tvpbench: %s\n", err);
        return rc;
    }
    struct tvp_report *r = malloc(sizeof *r);
    if (!r) {
        tvp_resultset_free(&rs);
        return ENOMEM;
    }
    tvp_rpt_build(r, &rs);
    char path[PATH_MAX + 32];
    struct tvp_afile a;
    snprintf(path, sizeof path, "%s/report.md", dir);
    if ((rc = tvp_afile_open(&a, path)) == 0) {
        tvp_rpt_write_md(a.f, r);
        rc = tvp_afile_commit(&a);
    }
    snprintf(path, sizeof path, "%s/report.html", dir);
    if (!rc && (rc = tvp_afile_open(&a, path)) == 0) {
        tvp_rpt_write_html(a.f, r);
        rc = tvp_afile_commit(&a);
    }
    for (size_t i = 0; !rc && i < tvp_claims_len; i++)
        printf("%-4s %-18s %s\n", tvp_claims[i].id, tvp_verdict_name(r->v[i].kind),
               r->v[i].summary);
    free(r);
    if (!rc && (rc = tvp_run_json_write(&rs, err, sizeof err)) != 0)
        fprintf(stderr, "tvpbench: %s\n", err);
    if (!rc)
        rc = skipped(&rs, "report.md, report.html and run.json");
    tvp_resultset_free(&rs);
    return rc;
}
