/* The compare command: its arguments, its output folder and files, and the summary it prints. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "atomic_file.h"
#include "compare.h"
#include "tvp_err.h"

#define USAGE "usage: tvpbench compare [--out DIR] DIR_A DIR_B [DIR_C ...] (A is the baseline)"

static int make_dir(const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        tvp_warn(errno, "compare: creating %s", dir);
        return 1;
    }
    return 0;
}

static int write_svgs(const struct tvp_compare *c, const char *out)
{
    char charts[PATH_MAX], path[PATH_MAX + 96];
    snprintf(charts, sizeof charts, "%s/charts", out);
    const char *groups[64];
    size_t n_groups = tvp_cmp_groups(c, groups, 64);
    int made = 0;
    for (size_t g = 0; g < n_groups; g++) {
        const struct tvp_cmp_row *rows[TVP_CMP_CHART_FIGS];
        size_t n = tvp_cmp_top_rows(c, groups[g], 0, rows, TVP_CMP_CHART_FIGS);
        if (!n)
            continue;
        if (!made && make_dir(charts) != 0)
            return 1;
        made = 1;
        snprintf(path, sizeof path, "%s/compare-%s.svg", charts, groups[g]);
        struct tvp_afile a;
        if (tvp_afile_open(&a, path) != 0)
            return 1;
        tvp_cmp_write_svg(a.f, c, groups[g], rows, n);
        if (tvp_afile_commit(&a) != 0)
            return 1;
    }
    return 0;
}

static int write_file(const struct tvp_compare *c, const char *out, const char *name,
                      void (*write)(FILE *, const struct tvp_compare *))
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", out, name);
    struct tvp_afile a;
    if (tvp_afile_open(&a, path) != 0)
        return 1;
    write(a.f, c);
    return tvp_afile_commit(&a) != 0;
}

static void summary(const struct tvp_compare *c, const char *out)
{
    for (int k = 0; k < c->n_runs; k++) {
        const struct tvp_cmp_run *r = &c->run[k];
        printf("%s %s (%s)%s\n", k ? "        " : "compare:", r->label, r->rs.dir,
               r->rpt->env.quick ? ", --quick" : "");
    }
    for (int k = 1; k < c->n_runs; k++) {
        char line[600];
        tvp_cmp_tally_line(c, k, line, sizeof line);
        printf("%c vs A: %s\n", c->run[k].letter, line);
    }
    char line[2000];
    tvp_cmp_verdicts_line(c, line, sizeof line);
    printf("verdicts: %s\n", line);
    printf("written: %s/compare.md and %s/compare.html\n", out, out);
}

int tvp_compare_main(int argc, char **argv)
{
    const char *out = NULL;
    char *dirs[TVP_CMP_MAX_RUNS + 1];
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            puts(USAGE);
            return 0;
        }
        if (!strcmp(a, "--out") || !strncmp(a, "--out=", 6)) {
            out = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : "";
            if (!out[0]) {
                fputs("tvpbench: compare: --out needs a folder; " USAGE "\n", stderr);
                return 2;
            }
            continue;
        }
        if (a[0] == '-') {
            fprintf(stderr, "tvpbench: compare: unknown option '%s'; accepted: --out DIR\n", a);
            return 2;
        }
        if (n == TVP_CMP_MAX_RUNS) {
            fprintf(stderr, "tvpbench: compare: at most %d results folders; " USAGE "\n",
                    TVP_CMP_MAX_RUNS);
            return 2;
        }
        dirs[n++] = argv[i];
    }
    if (n < 2) {
        fputs("tvpbench: compare: name at least two results folders; " USAGE "\n", stderr);
        return 2;
    }
    struct tvp_compare *c = malloc(sizeof *c);
    if (!c) {
        tvp_warn(ENOMEM, "compare");
        return 1;
    }
    char err[1024];
    int rc = tvp_compare_build(c, dirs, n, err, sizeof err);
    if (rc) {
        if (rc == 2)
            fprintf(stderr, "tvpbench: %s\n", err);
        else
            tvp_warn(rc, "compare");
        tvp_compare_free(c);
        free(c);
        return rc == 2 ? 2 : 1;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(c->date, sizeof c->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char dflt[64];
    if (!out) {
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(dflt, sizeof dflt, "results/compare-%s", stamp);
        out = dflt;
        rc = make_dir("results");
    }
    rc = rc || make_dir(out) || write_svgs(c, out) ||
         write_file(c, out, "compare.md", tvp_cmp_write_md) ||
         write_file(c, out, "compare.html", tvp_cmp_write_html);
    if (!rc)
        summary(c, out);
    /* As report and plot do: what could be read is compared, and the exit status says that
     * parts of a folder were left out (each named on stderr as it was read). */
    int skipped = 0;
    for (int k = 0; !rc && k < c->n_runs; k++) {
        size_t n = c->run[k].rs.n_problems;
        if (!n)
            continue;
        fprintf(stderr,
                "tvpbench: %s: compared without %zu unreadable part%s of the folder (named "
                "above)\n",
                c->run[k].rs.dir, n, n == 1 ? "" : "s");
        skipped = 1;
    }
    tvp_compare_free(c);
    free(c);
    return rc ? 1 : skipped ? 4 : 0;
}
