/* compare on two results folders written here: one figure twice as slow in B with samples that do
 * not overlap (it must be flagged significant, its ratio's CI holding 2 and not 1), one the same
 * in both (not significant, its CI holding 1), one only in A; C3's verdict confirmed in A and
 * refuted in B. Then the command's files, and its refusals (exit 2): runs that share no figure, a
 * folder that is not a results folder, fewer than two folders. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "compare.h"
#include "results_fixture.h"

static char root[64], dir_a[128], dir_b[128], dir_c[128], dir_d[128], out[128];

static void start(const char *group, const char *bench, const char *variant, const char *model,
                  const char *metric, double median, struct rf_out *o)
{
    rf_fig(o, &(struct rf_fig){.group = group,
                               .bench = bench,
                               .variant = variant,
                               .model = model,
                               .placement = "same-pu",
                               .metric = metric,
                               .median = median});
}

/* spawn.csv of one run: the four start-to-joined figures C3 is judged on, pthread_create's
 * start-to-running, and vfork's start-to-joined when vfork_ns > 0. */
static void write_spawn(const char *dir, double thread_ns, double fork_ns, double spawn_ns,
                        double exec_ns, double running_ns, double vfork_ns)
{
    struct rf_out o;
    CHECK(rf_start(dir, "") == 0);
    if (rf_group(dir, "spawn", &o) != 0) {
        CHECK(!"spawn.csv opened");
        return;
    }
    start("spawn", "start", "pthread_create", "thread", "start-to-joined", thread_ns, &o);
    start("spawn", "start", "fork", "process", "start-to-joined", fork_ns, &o);
    start("spawn", "start", "posix_spawn", "process", "start-to-joined", spawn_ns, &o);
    start("spawn", "start", "fork-exec", "process", "start-to-joined", exec_ns, &o);
    start("spawn", "start", "pthread_create", "thread", "start-to-running", running_ns, &o);
    if (vfork_ns > 0)
        start("spawn", "start", "vfork", "process", "start-to-joined", vfork_ns, &o);
    rf_close(&o);
}

static const struct tvp_cmp_row *row_of(const struct tvp_compare *c, const char *variant,
                                        const char *metric)
{
    struct tvp_fig f = {.group = "spawn", .benchmark = "start", .placement = "same-pu"};
    snprintf(f.variant, sizeof f.variant, "%s", variant);
    snprintf(f.model, sizeof f.model, "%s", strstr(variant, "pthread") ? "thread" : "process");
    snprintf(f.metric, sizeof f.metric, "%s", metric);
    return tvp_cmp_find(c, &f);
}

static size_t claim_index(const char *id)
{
    for (size_t i = 0; i < tvp_claims_len; i++)
        if (!strcmp(tvp_claims[i].id, id))
            return i;
    return 0;
}

static void test_figures_and_claims(void)
{
    static struct tvp_compare c;
    char err[512] = "", *dirs[] = {dir_a, dir_b};
    CHECK_INT(tvp_compare_build(&c, dirs, 2, err, sizeof err), 0);
    if (err[0])
        fprintf(stderr, "build: %s\n", err);

    const struct tvp_cmp_row *slow = row_of(&c, "pthread_create", "start-to-joined");
    CHECK(slow != NULL);
    if (slow) {
        const struct tvp_cmp_cell *x = &slow->cell[1];
        CHECK_INT(x->sig, TVP_CMP_HIGHER);
        CHECK_STR(tvp_cmp_sig_word(slow, x), "slower");
        CHECK_MSG(x->p < 0.001, "p = %g", x->p);
        CHECK(x->has_ratio);
        CHECK_NEAR(x->r.ratio, 2.0, 1e-9);
        CHECK_MSG(x->r.lo <= 2.0 && x->r.hi >= 2.0 && x->r.lo > 1.5, "CI [%g, %g]", x->r.lo,
                  x->r.hi);
    }
    const struct tvp_cmp_row *same = row_of(&c, "pthread_create", "start-to-running");
    CHECK(same != NULL);
    if (same) {
        const struct tvp_cmp_cell *x = &same->cell[1];
        CHECK_INT(x->sig, TVP_CMP_SAME);
        CHECK_STR(tvp_cmp_sig_word(same, x), "not significant");
        CHECK_MSG(x->p > 0.5, "p = %g", x->p);
        CHECK_NEAR(x->r.ratio, 1.0, 1e-9);
        CHECK_MSG(x->r.lo <= 1.0 && x->r.hi >= 1.0, "CI [%g, %g]", x->r.lo, x->r.hi);
    }
    /* Only in A: counted, not a row. */
    CHECK(row_of(&c, "vfork", "start-to-joined") == NULL);
    const struct tvp_cmp_tally *t = &c.tally[1];
    CHECK_INT(t->compared, 5);
    CHECK_INT(t->only_a, 1);
    CHECK_INT(t->only_this, 0);
    CHECK_INT(t->slower, 1);
    CHECK_INT(t->faster, 3); /* fork, posix_spawn and fork-exec, 20, 50 and 53 times faster */
    CHECK_INT(t->same, 1);
    CHECK_INT(c.n_rows, 5);

    size_t c3 = claim_index("C3"), c1 = claim_index("C1");
    CHECK_INT(c.run[0].rpt->v[c3].kind, TVP_V_CONFIRMED);
    CHECK_INT(c.run[1].rpt->v[c3].kind, TVP_V_REFUTED);
    CHECK(c.claim[c3].differs);
    CHECK(!c.claim[c1].differs); /* not measured in both */
    CHECK_INT(c.n_differ, 1);

    /* The chart shows the figures that differ most: the significant ones first. */
    const struct tvp_cmp_row *top[TVP_CMP_CHART_FIGS];
    size_t n = tvp_cmp_top_rows(&c, "spawn", 0, top, TVP_CMP_CHART_FIGS);
    CHECK_INT(n, 5);
    CHECK(n == 5 && top[4] == same);
    tvp_compare_free(&c);
}

/* Three runs, the third without C3's figures: C3 still differs between A and B, and the mark
 * says where it was not measured. */
static void test_three_runs(void)
{
    static struct tvp_compare c;
    char err[512] = "", *dirs[] = {dir_a, dir_b, dir_d}, mark[64];
    CHECK_INT(tvp_compare_build(&c, dirs, 3, err, sizeof err), 0);
    size_t c3 = claim_index("C3");
    CHECK_INT(c.run[2].rpt->v[c3].kind, TVP_V_NOT_MEASURED);
    CHECK(c.claim[c3].measured && c.claim[c3].unmeasured);
    tvp_cmp_claim_mark(&c, c3, mark, sizeof mark);
    CHECK_STR(mark, "differs; not measured in C");
    const struct tvp_cmp_row *same = row_of(&c, "pthread_create", "start-to-running");
    CHECK(same && same->cell[2].f && same->cell[2].sig == TVP_CMP_SAME);
    const struct tvp_cmp_row *slow = row_of(&c, "pthread_create", "start-to-joined");
    CHECK(slow && !slow->cell[2].f && slow->cell[2].sig == TVP_CMP_NOT_IN_RUN);
    CHECK_INT(c.tally[2].compared, 1);
    CHECK_INT(c.tally[2].only_a, 5);
    tvp_compare_free(&c);
}

static int file_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, text) != NULL;
}

/* The line of the markdown table that names the figure, in line (empty when none). */
static void md_line(const char *path, const char *figure, char *line, size_t len)
{
    line[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[4096];
    while (fgets(buf, sizeof buf, f))
        if (!strncmp(buf, "| ", 2) && strstr(buf, figure)) {
            snprintf(line, len, "%s", buf);
            break;
        }
    fclose(f);
}

static int run_cmd(int argc, char **argv)
{
    /* The command prints its summary; keep the test's output to the checks. */
    fflush(stdout);
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");
    int rc = tvp_compare_main(argc, argv);
    fclose(stdout);
    stdout = saved;
    return rc;
}

static void test_command(void)
{
    char md[192], html[192], svg[192], line[4096];
    snprintf(md, sizeof md, "%s/compare.md", out);
    snprintf(html, sizeof html, "%s/compare.html", out);
    snprintf(svg, sizeof svg, "%s/charts/compare-spawn.svg", out);
    char *argv[] = {"--out", out, dir_a, dir_b};
    CHECK_INT(run_cmd(4, argv), 0);
    CHECK(file_has(md, dir_a) && file_has(md, dir_b));
    CHECK(file_has(html, dir_a) && file_has(html, dir_b));
    md_line(md, "spawn/start/pthread_create/thread/same-pu/start-to-joined", line, sizeof line);
    CHECK_MSG(strstr(line, "2× [") && strstr(line, "**slower** (p "), "line: %s", line);
    md_line(md, "spawn/start/pthread_create/thread/same-pu/start-to-running", line, sizeof line);
    CHECK_MSG(strstr(line, "1× [") && strstr(line, "not significant (p = 1)"), "line: %s", line);
    md_line(md, "| C3 |", line, sizeof line);
    CHECK_MSG(strstr(line, "**confirmed**") && strstr(line, "**refuted**") &&
                  strstr(line, "**differs**"),
              "line: %s", line);
    md_line(md, "| C1 |", line, sizeof line);
    CHECK_MSG(line[0] && !strstr(line, "differs"), "line: %s", line);
    CHECK(file_has(html, "<svg") && file_has(html, "class=\"differs\""));
    CHECK(file_has(html, "<td class=\"slower\">slower (p "));
    CHECK(!file_has(html, "src=") && !file_has(html, "<link") && !file_has(html, "<script"));
    CHECK(file_has(svg, "<svg") && file_has(md, "charts/compare-spawn.svg"));

    /* A damaged group file in B: compared without it, and the exit status says so. */
    char damaged[192];
    snprintf(damaged, sizeof damaged, "%s/memory.csv", dir_b);
    FILE *f = fopen(damaged, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("not,a,results,table\n1,2,3,4\n", f);
        fclose(f);
    }
    CHECK_INT(run_cmd(4, argv), 4);
    CHECK(file_has(md, dir_b));
    unlink(damaged);
    CHECK_INT(run_cmd(4, argv), 0);

    /* Refusals, each with exit status 2. */
    char *nothing_shared[] = {"--out", out, dir_a, dir_c};
    CHECK_INT(run_cmd(4, nothing_shared), 2);
    char not_results[160];
    snprintf(not_results, sizeof not_results, "%s/charts", out);
    char *not_a_folder[] = {"--out", out, dir_a, not_results};
    CHECK_INT(run_cmd(4, not_a_folder), 2);
    static struct tvp_compare c;
    char err[512] = "", *dirs[] = {dir_a, not_results};
    CHECK_INT(tvp_compare_build(&c, dirs, 2, err, sizeof err), 2);
    CHECK_MSG(strstr(err, not_results) && !strstr(err, "share no figure"), "err: %s", err);
    tvp_compare_free(&c);
    char *one[] = {"--out", out, dir_a};
    CHECK_INT(run_cmd(3, one), 2);
    char *bad_option[] = {"--bogus", dir_a, dir_b};
    CHECK_INT(run_cmd(3, bad_option), 2);
}

int main(void)
{
    if (rf_mkdir(root, sizeof root, "compare") != 0) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(dir_a, sizeof dir_a, "%s/a", root);
    snprintf(dir_b, sizeof dir_b, "%s/b", root);
    snprintf(dir_c, sizeof dir_c, "%s/c", root);
    snprintf(dir_d, sizeof dir_d, "%s/d", root);
    snprintf(out, sizeof out, "%s/out", root);
    CHECK(mkdir(dir_a, 0755) == 0 && mkdir(dir_b, 0755) == 0 && mkdir(dir_c, 0755) == 0 &&
          mkdir(dir_d, 0755) == 0);
    /* A: every process start 10 to 40 times a thread's (C3 confirmed). */
    write_spawn(dir_a, 20000, 200000, 600000, 800000, 15000, 90000);
    /* B: the thread start twice as slow, every process start faster than it (C3 refuted). */
    write_spawn(dir_b, 40000, 10000, 12000, 15000, 15000, 0);
    /* C: nothing A has (another group's figure). */
    struct rf_out o;
    CHECK(rf_start(dir_c, "") == 0);
    if (rf_group(dir_c, "memory", &o) == 0) {
        start("memory", "cow", "fork", "process", "per-page", 900, &o);
        rf_close(&o);
    }
    /* D: pthread_create's start-to-running alone, as in A. */
    CHECK(rf_start(dir_d, "") == 0);
    if (rf_group(dir_d, "spawn", &o) == 0) {
        start("spawn", "start", "pthread_create", "thread", "start-to-running", 15000, &o);
        rf_close(&o);
    }
    test_figures_and_claims();
    test_three_runs();
    test_command();
    rf_rmdir(root);
    return CHECK_DONE();
}
