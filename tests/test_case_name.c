/* The one name of a case and of a figure (harness/case_name.h): its form with and without a
 * parameter, a cut name, the older "param:N" figure_id read as the same figure, --only's regular
 * expression over the name, and a results folder whose samples.csv mixes both forms read back
 * with every figure's samples. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_name.h"
#include "check.h"
#include "options.h"
#include "results_fixture.h"

static const struct tvp_group test_group = {.name = "ipc"};

static void check_names(void)
{
    char buf[TVP_CASE_NAME_LEN];
    struct tvp_name_parts p = {.group = "ipc",
                               .benchmark = "pingpong",
                               .variant = "pipe",
                               .model = "process",
                               .placement = "same-cache",
                               .param = "bytes",
                               .param_value = 64};
    tvp_name_write(buf, sizeof buf, &p);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache/bytes=64");
    p.metric = "round-trip";
    tvp_name_write(buf, sizeof buf, &p);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache/bytes=64/round-trip");
    p.param = "";
    tvp_name_write(buf, sizeof buf, &p);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache/round-trip");
    p.param = NULL;
    p.metric = NULL;
    tvp_name_write(buf, sizeof buf, &p);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache");
    /* A cut name is still terminated, and the length says it was cut. */
    char small[8];
    int full = tvp_name_write(small, sizeof small, &p);
    CHECK_STR(small, "ipc/pin");
    CHECK_INT(full, (long long)strlen("ipc/pingpong/pipe/process/same-cache"));

    /* The same from a planned case, which names its placement by kind. */
    struct tvp_case c;
    struct tvp_placement pl = {.kind = TVP_PL_SAME_CACHE, .pu_a = 0, .pu_b = 1};
    tvp_case_init(&c, &test_group, "pingpong", "pipe", "process", &pl);
    c.n_metrics = 2;
    c.metric[0] = "round-trip";
    c.metric[1] = "one-way";
    tvp_case_name(buf, sizeof buf, &c);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache");
    tvp_figure_name(buf, sizeof buf, &c, 1);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache/one-way");
    snprintf(c.param, sizeof c.param, "bytes");
    c.param_value = 65536;
    tvp_case_name(buf, sizeof buf, &c);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache/bytes=65536");
    tvp_figure_name(buf, sizeof buf, &c, 0);
    CHECK_STR(buf, "ipc/pingpong/pipe/process/same-cache/bytes=65536/round-trip");

    /* The older figure_id form, and names that are not it. */
    char id[TVP_CASE_NAME_LEN];
    snprintf(id, sizeof id, "ipc/pingpong/pipe/process/same-cache/bytes:64/round-trip");
    tvp_figure_id_canonical(id);
    CHECK_STR(id, "ipc/pingpong/pipe/process/same-cache/bytes=64/round-trip");
    snprintf(id, sizeof id, "ipc/pingpong/pipe/process/same-cache/bytes=64/round-trip");
    tvp_figure_id_canonical(id);
    CHECK_STR(id, "ipc/pingpong/pipe/process/same-cache/bytes=64/round-trip");
    snprintf(id, sizeof id, "spawn/start/fork/process/same-pu/start-to-running");
    tvp_figure_id_canonical(id);
    CHECK_STR(id, "spawn/start/fork/process/same-pu/start-to-running");
    snprintf(id, sizeof id, "a:b/c");
    tvp_figure_id_canonical(id);
    CHECK_STR(id, "a:b/c");
}

/* --only over the names: a regular expression; plain text still matches where it occurs. */
static void check_only(void)
{
    const char *name = "ipc/pingpong/pipe/process/same-cache/bytes=64";
    struct {
        const char *pattern;
        int match;
    } t[] = {{"pingpong/pipe/process", 1},
             {"bytes=6", 1},
             {"^ipc/pingpong/pipe/process/same-cache/bytes=64$", 1},
             {"^ipc/pingpong/pipe/process/same-cache/bytes=6$", 0},
             {"pipe|fifo", 1},
             {"(fifo|mq)/process", 0},
             {"^pingpong", 0},
             {"same-(pu|cache)/bytes=[0-9]+$", 1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct tvp_options o;
        memset(&o, 0, sizeof o);
        char arg[100];
        snprintf(arg, sizeof arg, "--only=%s", t[i].pattern);
        char *argv[] = {"tvpbench", "run", arg, NULL};
        char *words[4];
        int n_words;
        CHECK_INT(tvp_options_parse(&o, 3, argv, 2, words, 4, &n_words), 0);
        CHECK_MSG(tvp_options_only_match(&o, name) == t[i].match, "'%s' over %s", t[i].pattern,
                  name);
        tvp_options_free(&o);
    }
    struct tvp_options o;
    memset(&o, 0, sizeof o);
    CHECK_MSG(tvp_options_only_match(&o, name), "no --only selects every case");
    char *bad[] = {"tvpbench", "run", "--only", "pipe(", NULL};
    char *words[4];
    int n_words;
    CHECK_INT(tvp_options_parse(&o, 4, bad, 2, words, 4, &n_words), 2);
    tvp_options_free(&o);
}

/* A folder whose samples.csv names one figure the older way and one the current way: both
 * figures get their samples, none gets the other's. */
static void check_reader(void)
{
    char dir[] = "/tmp/tvp-test-case-nameXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT(rf_meta(dir, ""), 0);
    FILE *csv, *smp;
    CHECK_INT(rf_open(dir, "ipc", RF_COLUMNS, &csv, &smp), 0);
    if (!csv)
        return;
    fputs("ipc,pingpong,pipe,process,same-cache,0;1,bytes,64,round-trip,ns,3,10,9,11,ok,\n"
          "ipc,pingpong,pipe,process,same-cache,0;1,bytes,4096,round-trip,ns,2,20,19,21,ok,\n"
          "ipc,pingpong,fifo,process,same-cache,0;1,,,round-trip,ns,1,30,30,30,ok,\n",
          csv);
    fputs("ipc/pingpong/pipe/process/same-cache/bytes:64/round-trip,0,9\n"
          "ipc/pingpong/pipe/process/same-cache/bytes:64/round-trip,1,10\n"
          "ipc/pingpong/pipe/process/same-cache/bytes:64/round-trip,2,11\n"
          "ipc/pingpong/pipe/process/same-cache/bytes=4096/round-trip,0,19\n"
          "ipc/pingpong/pipe/process/same-cache/bytes=4096/round-trip,1,21\n"
          "ipc/pingpong/fifo/process/same-cache/round-trip,0,30\n",
          smp);
    fclose(csv);
    fclose(smp);
    struct tvp_resultset rs;
    char err[256];
    CHECK_INT(tvp_resultset_load(dir, &rs, err, sizeof err), 0);
    CHECK_INT(rs.n, 3);
    const struct tvp_fig *old =
        tvp_rs_find(&rs, "ipc", "pingpong", "pipe", "same-cache", "bytes", 64, "round-trip");
    const struct tvp_fig *cur =
        tvp_rs_find(&rs, "ipc", "pingpong", "pipe", "same-cache", "bytes", 4096, "round-trip");
    const struct tvp_fig *none =
        tvp_rs_find(&rs, "ipc", "pingpong", "fifo", "same-cache", NULL, 0, "round-trip");
    CHECK(old && cur && none);
    if (old && cur && none) {
        CHECK_INT(old->n_samples, 3);
        CHECK_INT(cur->n_samples, 2);
        CHECK_INT(none->n_samples, 1);
        if (old->n_samples == 3)
            CHECK_NEAR(old->samples[0] + old->samples[1] + old->samples[2], 30, 1e-9);
        if (cur->n_samples == 2)
            CHECK_NEAR(cur->samples[0] + cur->samples[1], 40, 1e-9);
        char name[TVP_CASE_NAME_LEN];
        tvp_fig_name(old, name, sizeof name);
        CHECK_STR(name, "ipc/pingpong/pipe/process/same-cache/bytes=64/round-trip");
    }
    tvp_resultset_free(&rs);
    char path[512];
    const char *files[] = {"meta.json", "ipc.csv", "ipc.samples.csv"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    CHECK_INT(rmdir(dir), 0);
}

int main(void)
{
    check_names();
    check_only();
    check_reader();
    return CHECK_DONE();
}
