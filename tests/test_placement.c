/* Topology loaders and the placement planner, checked on hwloc synthetic topologies whose
 * PU numbering is known, plus XML round trip and binding on the real machine.
 *
 * Synthetic PUs are numbered in depth-first order: PU os index == PU logical index, and
 * core c (logical) holds PUs c*smt .. c*smt + smt - 1. Every expected pair below follows
 * from that numbering. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "placement.h"
#include "topology.h"

/* This machine's shape (1 package, 1 L3, 2 cores with private L2/L1d, 1 PU each). */
#define SHAPE_2CORE "pack:1 l3:1 l2:2 l1d:1 core:1 pu:1"
/* The same with this machine's cache sizes, for the exact detail text. */
#define SHAPE_2CORE_SIZED "pack:1 l3:1(size=32MiB) l2:2(size=1MiB) l1d:1(size=32KiB) core:1 pu:1"
/* 1 socket, 8 cores, SMT-2. */
#define SHAPE_8CORE_SMT "pack:1 l3:1 l2:8 l1d:1 core:1 pu:2"
/* 2 sockets x 2 NUMA nodes x 2 L3 x 8 cores, SMT-2: 4 NUMA nodes, 64 cores, 128 PUs. In
 * hwloc 2.9 "numa:2" makes a Group level, each Group carrying one NUMA node. */
#define SHAPE_2S_4NUMA "pack:2 numa:2 l3:2 l2:8 core:1 pu:2"

static struct tvp_topo *load_syn(const char *desc)
{
    struct tvp_topo *t = NULL;
    char err[512] = "";
    int e = tvp_topo_load_synthetic(desc, &t, err, sizeof err);
    CHECK_MSG(e == 0 && t != NULL, "loading \"%s\": %s", desc, err);
    return t;
}

static void check_avail(const struct tvp_placement *p, enum tvp_placement_kind k, int a, int b,
                        const char *detail)
{
    CHECK_INT(p->kind, k);
    CHECK_MSG(p->available, "%s unavailable: %s", tvp_placement_name(k), p->reason);
    CHECK_INT(p->pu_a, a);
    CHECK_INT(p->pu_b, b);
    CHECK_STR(p->reason, "");
    if (detail != NULL)
        CHECK_STR(p->detail, detail);
}

static void check_unavail(const struct tvp_placement *p, enum tvp_placement_kind k,
                          const char *reason)
{
    CHECK_INT(p->kind, k);
    CHECK_MSG(!p->available, "%s available: %d,%d", tvp_placement_name(k), p->pu_a, p->pu_b);
    CHECK_INT(p->pu_a, -1);
    CHECK_INT(p->pu_b, -1);
    CHECK_STR(p->reason, reason);
}

/* Checks tvp_plan_spread(t, n) against expect[0..n-1]. */
static void check_spread(const struct tvp_topo *t, int n, const int *expect)
{
    int *got = malloc((size_t)n * sizeof *got);
    CHECK(got != NULL);
    if (got == NULL)
        return;
    CHECK_INT(tvp_plan_spread(t, n, got), 0);
    for (int i = 0; i < n; i++)
        CHECK_MSG(got[i] == expect[i], "n=%d: spread[%d] = %d, expected %d", n, i, got[i],
                  expect[i]);
    free(got);
}

static void test_names(void)
{
    static const char *const want[TVP_PL_COUNT] = {"same-pu",     "smt-siblings", "same-cache",
                                                   "cross-cache", "cross-numa",   "spread"};
    for (int k = 0; k < TVP_PL_COUNT; k++) {
        CHECK_STR(tvp_placement_name((enum tvp_placement_kind)k), want[k]);
        enum tvp_placement_kind got = TVP_PL_COUNT;
        CHECK_INT(tvp_placement_parse(want[k], &got), 0);
        CHECK_INT(got, k);
        CHECK_INT(tvp_placement_parse(tvp_placement_name((enum tvp_placement_kind)k), &got), 0);
        CHECK_INT(got, k);
    }
    enum tvp_placement_kind k = TVP_PL_SAME_PU;
    CHECK_INT(tvp_placement_parse("bogus", &k), -1);
    CHECK_INT(tvp_placement_parse("", &k), -1);
    CHECK_INT(tvp_placement_parse("Same-PU", &k), -1);
    CHECK_INT(tvp_placement_parse(NULL, &k), -1);
    CHECK_INT(k, TVP_PL_SAME_PU); /* untouched on failure */
    CHECK_STR(tvp_placement_name(TVP_PL_COUNT), "unknown");
}

/* 2 cores, 1 PU each, sharing only the L3. */
static void test_two_core(void)
{
    struct tvp_topo *t = load_syn(SHAPE_2CORE);
    if (t == NULL)
        return;
    struct tvp_topo_summary s;
    tvp_topo_summarize(t, &s);
    CHECK_INT(s.packages, 1);
    CHECK_INT(s.numa_nodes, 1);
    CHECK_INT(s.cores, 2);
    CHECK_INT(s.pus, 2);
    CHECK_INT(s.smt, 1);
    CHECK_INT(s.l3_caches, 1);
    CHECK_INT(s.l2_caches, 2);
    CHECK_STR(s.cpu_model, "");
    CHECK_INT(tvp_topo_is_system(t), 0);

    int pus[4] = {-1, -1, -1, -1};
    CHECK_INT(tvp_topo_pus(t, pus, 4), 2);
    CHECK_INT(pus[0], 0);
    CHECK_INT(pus[1], 1);
    CHECK_INT(pus[2], -1);
    CHECK_INT(tvp_topo_pus(t, pus, 1), 1);

    struct tvp_placement p[TVP_PL_COUNT];
    CHECK_INT(tvp_plan_placements(t, p), 0);
    check_avail(&p[TVP_PL_SAME_PU], TVP_PL_SAME_PU, 0, 0, "both tasks on PU 0");
    check_unavail(&p[TVP_PL_SMT_SIBLINGS], TVP_PL_SMT_SIBLINGS, "no SMT: 1 PU per core");
    check_avail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, 0, 1, NULL);
    CHECK(strncmp(p[TVP_PL_SAME_CACHE].detail, "PU 0 and PU 1 share L3 (", 24) == 0);
    check_unavail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE, "every pair of cores shares a cache");
    check_unavail(&p[TVP_PL_CROSS_NUMA], TVP_PL_CROSS_NUMA, "one NUMA node");
    check_avail(&p[TVP_PL_SPREAD], TVP_PL_SPREAD, 0, 1, NULL);
    CHECK(tvp_placement_cross_core(p) == &p[TVP_PL_SAME_CACHE]);

    /* Cores 0,1 then wrap. */
    check_spread(t, 1, (const int[]){0});
    check_spread(t, 2, (const int[]){0, 1});
    check_spread(t, 4, (const int[]){0, 1, 0, 1});

    /* Synthetic topologies are planned, never bound. */
    CHECK_INT(tvp_bind_self(t, 0), ENOTSUP);
    CHECK_INT(tvp_bind_self(t, 2), EINVAL);
    CHECK_INT(tvp_bind_self(t, -1), EINVAL);
    tvp_topo_free(t);

    /* With this machine's cache sizes the detail is exact. */
    t = load_syn(SHAPE_2CORE_SIZED);
    if (t == NULL)
        return;
    tvp_topo_summarize(t, &s);
    CHECK_INT(s.l1d_bytes, 32ULL << 10);
    CHECK_INT(s.l2_bytes, 1ULL << 20);
    CHECK_INT(s.l3_bytes, 32ULL << 20);
    CHECK_INT(tvp_plan_placements(t, p), 0);
    check_avail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, 0, 1, "PU 0 and PU 1 share L3 (32 MiB)");
    tvp_topo_free(t);
}

/* 8 cores x 2 PUs under one L3: core c holds PUs 2c, 2c+1. */
static void test_eight_core_smt(void)
{
    struct tvp_topo *t = load_syn(SHAPE_8CORE_SMT);
    if (t == NULL)
        return;
    struct tvp_topo_summary s;
    tvp_topo_summarize(t, &s);
    CHECK_INT(s.packages, 1);
    CHECK_INT(s.numa_nodes, 1);
    CHECK_INT(s.cores, 8);
    CHECK_INT(s.pus, 16);
    CHECK_INT(s.smt, 2);
    CHECK_INT(s.l3_caches, 1);
    CHECK_INT(s.l2_caches, 8);
    CHECK(s.l1d_bytes > 0);
    CHECK(s.l2_bytes > 0);
    CHECK(s.l3_bytes > s.l2_bytes);

    struct tvp_placement p[TVP_PL_COUNT];
    CHECK_INT(tvp_plan_placements(t, p), 0);
    check_avail(&p[TVP_PL_SAME_PU], TVP_PL_SAME_PU, 0, 0, "both tasks on PU 0");
    check_avail(&p[TVP_PL_SMT_SIBLINGS], TVP_PL_SMT_SIBLINGS, 0, 1,
                "PU 0 and PU 1 are SMT siblings of one core");
    /* L2 and L1d are per core, so the L3 is the smallest shared cache: cores 0 and 1. */
    check_avail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, 0, 2, NULL);
    CHECK(strncmp(p[TVP_PL_SAME_CACHE].detail, "PU 0 and PU 2 share L3 (", 24) == 0);
    check_unavail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE, "every pair of cores shares a cache");
    check_unavail(&p[TVP_PL_CROSS_NUMA], TVP_PL_CROSS_NUMA, "one NUMA node");
    CHECK(tvp_placement_cross_core(p) == &p[TVP_PL_SAME_CACHE]);

    /* One PU per core (even PUs), then the siblings (odd PUs), then wrap. */
    int expect[32];
    for (int i = 0; i < 8; i++) {
        expect[i] = 2 * i;
        expect[8 + i] = 2 * i + 1;
    }
    for (int i = 0; i < 16; i++)
        expect[16 + i] = expect[i];
    check_spread(t, 1, (const int[]){0});
    check_spread(t, 8, expect);
    check_spread(t, 16, expect);
    check_spread(t, 32, expect);
    tvp_topo_free(t);
}

/* Spread position i (0 <= i < 128) on SHAPE_2S_4NUMA: the interleave alternates packages
 * first, then the two NUMA groups of a package, then the two L3s of a group, then the cores
 * of an L3. Core c = pkg*32 + group*16 + l3*8 + k holds PUs 2c (first) and 2c+1 (sibling). */
static int spread_2s(int i)
{
    int sib = i / 64;
    int j = i % 64;
    int pkg = j & 1, group = (j >> 1) & 1, l3 = (j >> 2) & 1, k = j >> 3;
    int core = pkg * 32 + group * 16 + l3 * 8 + k;
    return 2 * core + sib;
}

static void test_two_socket(void)
{
    struct tvp_topo *t = load_syn(SHAPE_2S_4NUMA);
    if (t == NULL)
        return;
    struct tvp_topo_summary s;
    tvp_topo_summarize(t, &s);
    CHECK_INT(s.packages, 2);
    CHECK_INT(s.numa_nodes, 4);
    CHECK_INT(s.cores, 64);
    CHECK_INT(s.pus, 128);
    CHECK_INT(s.smt, 2);
    CHECK_INT(s.l3_caches, 8);
    CHECK_INT(s.l2_caches, 64);

    /* PUs: package p = 0..63 / 64..127; NUMA node n = PUs 32n..32n+31; L3 m = PUs
     * 16m..16m+15; core c = PUs 2c, 2c+1. */
    struct tvp_placement p[TVP_PL_COUNT];
    CHECK_INT(tvp_plan_placements(t, p), 0);
    check_avail(&p[TVP_PL_SAME_PU], TVP_PL_SAME_PU, 0, 0, "both tasks on PU 0");
    check_avail(&p[TVP_PL_SMT_SIBLINGS], TVP_PL_SMT_SIBLINGS, 0, 1, NULL);
    /* Cores 0 and 1 share L3 0 (L2 is per core). */
    check_avail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, 0, 2, NULL);
    CHECK(strncmp(p[TVP_PL_SAME_CACHE].detail, "PU 0 and PU 2 share L3 (", 24) == 0);
    /* Core 0 (L3 0) and core 8, the first core of L3 1, both in NUMA node 0. */
    check_avail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE, 0, 16,
                "PU 0 and PU 16 share no cache (NUMA node 0)");
    /* First cores of NUMA nodes 0 and 1 (both in package 0). */
    check_avail(&p[TVP_PL_CROSS_NUMA], TVP_PL_CROSS_NUMA, 0, 32,
                "PU 0 (NUMA node 0) and PU 32 (NUMA node 1)");
    /* Spread starts on the other package: its second worker is the first PU of package 1. */
    check_avail(&p[TVP_PL_SPREAD], TVP_PL_SPREAD, 0, 64, NULL);
    CHECK(tvp_placement_cross_core(p) == &p[TVP_PL_SAME_CACHE]);

    int expect[256];
    for (int i = 0; i < 256; i++)
        expect[i] = spread_2s(i % 128);
    /* Spelled out: package 0/1 alternate, then NUMA groups, then L3s, then next core. */
    static const int head[] = {0, 64, 32, 96, 16, 80, 48, 112, 2, 66};
    for (int i = 0; i < 10; i++)
        CHECK_INT(expect[i], head[i]);
    CHECK_INT(expect[63], 127 - 1);
    CHECK_INT(expect[64], 1);
    CHECK_INT(expect[65], 65);
    check_spread(t, 1, expect);
    check_spread(t, 64, expect);
    check_spread(t, 128, expect);
    check_spread(t, 256, expect);
    tvp_topo_free(t);
}

/* Other shapes: an L2 shared by core pairs, two L3s in one NUMA node, no caches at all,
 * a single core. */
static void test_other_shapes(void)
{
    struct tvp_placement p[TVP_PL_COUNT];

    /* L2 clusters of 2 cores: the L2 is smaller than the L3, so it wins. */
    struct tvp_topo *t = load_syn("pack:1 l3:1(size=16MiB) l2:4(size=2MiB) core:2 pu:1");
    if (t != NULL) {
        CHECK_INT(tvp_plan_placements(t, p), 0);
        check_avail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, 0, 1,
                    "PU 0 and PU 1 share L2 (2 MiB)");
        check_unavail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE,
                      "every pair of cores shares a cache");
        /* Interleave the 4 L2s, then their second cores. */
        check_spread(t, 8, (const int[]){0, 2, 4, 6, 1, 3, 5, 7});
        tvp_topo_free(t);
    }

    /* Two L3s (CCX-like) in one NUMA node: core 4 (PUs 8, 9) starts L3 1. */
    t = load_syn("pack:1 l3:2 l2:4 core:1 pu:2");
    if (t != NULL) {
        CHECK_INT(tvp_plan_placements(t, p), 0);
        check_avail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, 0, 2, NULL);
        check_avail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE, 0, 8,
                    "PU 0 and PU 8 share no cache (NUMA node 0)");
        check_unavail(&p[TVP_PL_CROSS_NUMA], TVP_PL_CROSS_NUMA, "one NUMA node");
        check_spread(t, 16, (const int[]){0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15});
        tvp_topo_free(t);
    }

    /* No caches: cross-cache is the nearest cross-core placement. */
    t = load_syn("pack:2 core:2 pu:1");
    if (t != NULL) {
        CHECK_INT(tvp_plan_placements(t, p), 0);
        check_unavail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, "no cache is shared by two cores");
        check_avail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE, 0, 1,
                    "PU 0 and PU 1 share no cache (NUMA node 0)");
        CHECK(tvp_placement_cross_core(p) == &p[TVP_PL_CROSS_CACHE]);
        check_spread(t, 4, (const int[]){0, 2, 1, 3});
        tvp_topo_free(t);
    }

    /* One core, two PUs: no cross-core placement at all. */
    t = load_syn("pack:1 core:1 pu:2");
    if (t != NULL) {
        CHECK_INT(tvp_plan_placements(t, p), 0);
        check_avail(&p[TVP_PL_SMT_SIBLINGS], TVP_PL_SMT_SIBLINGS, 0, 1, NULL);
        check_unavail(&p[TVP_PL_SAME_CACHE], TVP_PL_SAME_CACHE, "one core");
        check_unavail(&p[TVP_PL_CROSS_CACHE], TVP_PL_CROSS_CACHE, "one core");
        check_unavail(&p[TVP_PL_CROSS_NUMA], TVP_PL_CROSS_NUMA, "one NUMA node");
        CHECK(tvp_placement_cross_core(p) == NULL);
        check_spread(t, 3, (const int[]){0, 1, 0});
        CHECK_INT(tvp_plan_spread(t, 0, NULL), 0);
        CHECK_INT(tvp_plan_spread(t, -1, NULL), EINVAL);
        tvp_topo_free(t);
    }
}

static void test_load_errors(void)
{
    struct tvp_topo *t = (struct tvp_topo *)&t;
    char err[512] = "";
    CHECK(tvp_topo_load_synthetic("pack:2 bogus:3", &t, err, sizeof err) != 0);
    CHECK(t == NULL);
    CHECK_MSG(strstr(err, "synthetic topology \"pack:2 bogus:3\"") != NULL, "err: %s", err);

    err[0] = '\0';
    const char *missing = "/tmp/tvp-no-such-dir/topology.xml";
    CHECK_INT(tvp_topo_load_xml(missing, &t, err, sizeof err), ENOENT);
    CHECK(t == NULL);
    CHECK_MSG(strstr(err, missing) != NULL && strstr(err, strerror(ENOENT)) != NULL, "err: %s",
              err);

    t = load_syn(SHAPE_2CORE);
    if (t != NULL) {
        err[0] = '\0';
        CHECK(tvp_topo_export_xml(t, "/tmp/tvp-no-such-dir/out.xml", err, sizeof err) != 0);
        CHECK_MSG(strstr(err, "/tmp/tvp-no-such-dir/out.xml") != NULL, "err: %s", err);
        tvp_topo_free(t);
    }
}

static void test_xml_round_trip(void)
{
    struct tvp_topo *t = load_syn(SHAPE_2S_4NUMA);
    if (t == NULL)
        return;
    char path[] = "/tmp/tvp-topo-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) {
        tvp_topo_free(t);
        return;
    }
    close(fd);
    char err[512] = "";
    CHECK_MSG(tvp_topo_export_xml(t, path, err, sizeof err) == 0, "%s", err);

    struct tvp_topo *x = NULL;
    CHECK_MSG(tvp_topo_load_xml(path, &x, err, sizeof err) == 0, "%s", err);
    unlink(path);
    if (x != NULL) {
        struct tvp_topo_summary a, b;
        tvp_topo_summarize(t, &a);
        tvp_topo_summarize(x, &b);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        CHECK_INT(b.numa_nodes, 4);
        CHECK_INT(b.pus, 128);
        CHECK_INT(tvp_topo_is_system(x), 0);
        CHECK_INT(tvp_bind_self(x, 0), ENOTSUP);

        struct tvp_placement pa[TVP_PL_COUNT], pb[TVP_PL_COUNT];
        CHECK_INT(tvp_plan_placements(t, pa), 0);
        CHECK_INT(tvp_plan_placements(x, pb), 0);
        for (int k = 0; k < TVP_PL_COUNT; k++) {
            CHECK_INT(pb[k].available, pa[k].available);
            CHECK_INT(pb[k].pu_a, pa[k].pu_a);
            CHECK_INT(pb[k].pu_b, pa[k].pu_b);
            CHECK_STR(pb[k].detail, pa[k].detail);
            CHECK_STR(pb[k].reason, pa[k].reason);
        }
        int expect[128];
        for (int i = 0; i < 128; i++)
            expect[i] = spread_2s(i);
        check_spread(x, 128, expect);
        tvp_topo_free(x);
    }
    tvp_topo_free(t);
}

static void *report_cpu(void *arg)
{
    *(int *)arg = sched_getcpu();
    return NULL;
}

static void test_system(void)
{
    struct tvp_topo *t = NULL;
    char err[512] = "";
    int e = tvp_topo_load_system(&t, err, sizeof err);
    CHECK_MSG(e == 0 && t != NULL, "%s", err);
    if (t == NULL)
        return;
    CHECK_INT(tvp_topo_is_system(t), 1);
    struct tvp_topo_summary s;
    tvp_topo_summarize(t, &s);
    CHECK(s.pus >= 1);
    CHECK(s.cores >= 1 && s.cores <= s.pus);
    CHECK(s.smt >= 1);
    CHECK(s.packages >= 1);
    CHECK(s.numa_nodes >= 1);

    int pus[4096];
    int n = tvp_topo_pus(t, pus, 4096);
    CHECK_INT(n, s.pus);
    struct tvp_placement p[TVP_PL_COUNT];
    CHECK_INT(tvp_plan_placements(t, p), 0);
    CHECK(p[TVP_PL_SAME_PU].available);
    CHECK_INT(p[TVP_PL_SAME_PU].pu_a, pus[0]);
    if (s.cores >= 2)
        CHECK(tvp_placement_cross_core(p) != NULL);

    int last = pus[n - 1];

    /* A thread created with a bound attribute runs on that PU from the start. */
    pthread_attr_t attr;
    CHECK_INT(pthread_attr_init(&attr), 0);
    CHECK_INT(tvp_bind_attr(&attr, last), 0);
    CHECK_INT(tvp_bind_attr(&attr, -1), EINVAL);
    pthread_t th;
    int cpu = -1;
    CHECK_INT(pthread_create(&th, &attr, report_cpu, &cpu), 0);
    CHECK_INT(pthread_join(th, NULL), 0);
    CHECK_INT(cpu, last);
    pthread_attr_destroy(&attr);

    CHECK_INT(tvp_bind_self_os(last), 0);
    CHECK_INT(sched_getcpu(), last);
    CHECK_INT(tvp_bind_self_os(-1), EINVAL);

    CHECK_INT(tvp_bind_self(t, 1 << 20), EINVAL); /* no such PU */
    CHECK_INT(tvp_bind_self(t, pus[0]), 0);
    CHECK_INT(sched_getcpu(), pus[0]);
    tvp_topo_free(t);
}

int main(void)
{
    test_names();
    test_two_core();
    test_eight_core_smt();
    test_two_socket();
    test_other_shapes();
    test_load_errors();
    test_xml_round_trip();
    test_system();
    return CHECK_DONE();
}
