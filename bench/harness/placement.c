/* Placement planning: named PU pairs and spread orders derived from the hwloc tree.
 *
 * The planner works on "cores": hwloc Core objects, plus any PU that has no Core above it
 * (then the PU is its own core). Cores are numbered in topology order (the order of their
 * PUs' logical indexes), and a core is represented by its first PU. Caches are the data or
 * unified caches (hwloc_obj_type_is_dcache); instruction caches are ignored. */
#define _GNU_SOURCE
#include "placement.h"

#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit {
    hwloc_obj_t obj; /* the Core, or a PU without a Core */
    int first;       /* index of its first PU in plan.pus */
    int npu;         /* its PUs are plan.pus[first .. first + npu - 1] */
};

struct plan {
    hwloc_topology_t topo;
    hwloc_obj_t *pus; /* all PUs in logical (topology) order */
    int npus;
    struct unit *units; /* cores in topology order */
    int nunits;
};

static void plan_free(struct plan *p)
{
    free(p->pus);
    free(p->units);
}

static int plan_init(struct plan *p, const struct tvp_topo *t)
{
    memset(p, 0, sizeof *p);
    p->topo = tvp_topo_hwloc(t);
    int n = hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_PU);
    if (n <= 0)
        return EINVAL;
    p->pus = calloc((size_t)n, sizeof *p->pus);
    p->units = calloc((size_t)n, sizeof *p->units);
    if (p->pus == NULL || p->units == NULL) {
        plan_free(p);
        return ENOMEM;
    }
    /* A core's PUs are consecutive in logical order, so one pass groups them. */
    for (hwloc_obj_t pu = NULL; (pu = hwloc_get_next_obj_by_type(p->topo, HWLOC_OBJ_PU, pu));) {
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(p->topo, HWLOC_OBJ_CORE, pu);
        hwloc_obj_t u = core != NULL ? core : pu;
        if (p->nunits == 0 || p->units[p->nunits - 1].obj != u)
            p->units[p->nunits++] = (struct unit){.obj = u, .first = p->npus, .npu = 0};
        p->units[p->nunits - 1].npu++;
        p->pus[p->npus++] = pu;
    }
    return 0;
}

/* OS index of the k-th PU of core u. */
static int unit_pu(const struct plan *p, int u, int k)
{
    return (int)p->pus[p->units[u].first + k]->os_index;
}

/* The lowest data/unified cache containing obj (obj itself included), or NULL. */
static hwloc_obj_t cache_at_or_above(hwloc_obj_t obj)
{
    while (obj != NULL && !hwloc_obj_type_is_dcache(obj->type))
        obj = obj->parent;
    return obj;
}

/* First NUMA node (logical order) whose cpuset holds both cores, or NULL. */
static hwloc_obj_t shared_numa(const struct plan *p, int a, int b)
{
    for (hwloc_obj_t n = NULL;
         (n = hwloc_get_next_obj_by_type(p->topo, HWLOC_OBJ_NUMANODE, n)) != NULL;) {
        if (hwloc_bitmap_isincluded(p->units[a].obj->cpuset, n->cpuset) &&
            hwloc_bitmap_isincluded(p->units[b].obj->cpuset, n->cpuset))
            return n;
    }
    return NULL;
}

/* First core (topology order) inside a NUMA node's cpuset, or -1. */
static int first_unit_in(const struct plan *p, hwloc_obj_t numa)
{
    for (int u = 0; u < p->nunits; u++) {
        if (hwloc_bitmap_isincluded(p->units[u].obj->cpuset, numa->cpuset))
            return u;
    }
    return -1;
}

/* "32 MiB", "512 KiB", "1536 KiB", "100 B". */
static void format_bytes(char *buf, size_t len, unsigned long long b)
{
    if (b != 0 && b % (1ULL << 30) == 0)
        snprintf(buf, len, "%llu GiB", b >> 30);
    else if (b != 0 && b % (1ULL << 20) == 0)
        snprintf(buf, len, "%llu MiB", b >> 20);
    else if (b != 0 && b % (1ULL << 10) == 0)
        snprintf(buf, len, "%llu KiB", b >> 10);
    else
        snprintf(buf, len, "%llu B", b);
}

static void set_pair(struct tvp_placement *pl, int a, int b)
{
    pl->available = 1;
    pl->pu_a = a;
    pl->pu_b = b;
    pl->reason[0] = '\0';
}

static void plan_same_pu(const struct plan *p, struct tvp_placement *pl)
{
    int pu = (int)p->pus[0]->os_index;
    set_pair(pl, pu, pu);
    snprintf(pl->detail, sizeof pl->detail, "both tasks on PU %d", pu);
}

static void plan_smt(const struct plan *p, struct tvp_placement *pl)
{
    for (int u = 0; u < p->nunits; u++) {
        if (p->units[u].npu >= 2) {
            set_pair(pl, unit_pu(p, u, 0), unit_pu(p, u, 1));
            snprintf(pl->detail, sizeof pl->detail, "PU %d and PU %d are SMT siblings of one core",
                     pl->pu_a, pl->pu_b);
            return;
        }
    }
    snprintf(pl->reason, sizeof pl->reason, "no SMT: 1 PU per core");
}

/* Two different cores sharing the smallest cache any two cores share: the lowest cache
 * level, then the smallest size; the first such pair in topology order. */
static void plan_same_cache(const struct plan *p, struct tvp_placement *pl)
{
    if (p->nunits < 2) {
        snprintf(pl->reason, sizeof pl->reason, "one core");
        return;
    }
    hwloc_obj_t best = NULL;
    int best_a = -1, best_b = -1;
    for (int a = 0; a < p->nunits; a++) {
        for (int b = a + 1; b < p->nunits; b++) {
            hwloc_obj_t anc =
                hwloc_get_common_ancestor_obj(p->topo, p->units[a].obj, p->units[b].obj);
            hwloc_obj_t c = cache_at_or_above(anc);
            if (c == NULL)
                continue;
            if (best == NULL || c->attr->cache.depth < best->attr->cache.depth ||
                (c->attr->cache.depth == best->attr->cache.depth &&
                 c->attr->cache.size < best->attr->cache.size)) {
                best = c;
                best_a = a;
                best_b = b;
            }
        }
    }
    if (best == NULL) {
        snprintf(pl->reason, sizeof pl->reason, "no cache is shared by two cores");
        return;
    }
    set_pair(pl, unit_pu(p, best_a, 0), unit_pu(p, best_b, 0));
    char type[32], size[32];
    hwloc_obj_type_snprintf(type, sizeof type, best, 0);
    if (best->attr->cache.size == 0) {
        snprintf(pl->detail, sizeof pl->detail, "PU %d and PU %d share %s", pl->pu_a, pl->pu_b,
                 type);
    } else {
        format_bytes(size, sizeof size, best->attr->cache.size);
        snprintf(pl->detail, sizeof pl->detail, "PU %d and PU %d share %s (%s)", pl->pu_a, pl->pu_b,
                 type, size);
    }
}

/* Two cores of one NUMA node with no cache in common: their common ancestor and everything
 * above it are not caches. The first such pair in topology order. */
static void plan_cross_cache(const struct plan *p, struct tvp_placement *pl)
{
    if (p->nunits < 2) {
        snprintf(pl->reason, sizeof pl->reason, "one core");
        return;
    }
    int same_node_pairs = 0;
    for (int a = 0; a < p->nunits; a++) {
        for (int b = a + 1; b < p->nunits; b++) {
            hwloc_obj_t numa = shared_numa(p, a, b);
            if (numa == NULL)
                continue;
            same_node_pairs++;
            hwloc_obj_t anc =
                hwloc_get_common_ancestor_obj(p->topo, p->units[a].obj, p->units[b].obj);
            if (cache_at_or_above(anc) != NULL)
                continue;
            set_pair(pl, unit_pu(p, a, 0), unit_pu(p, b, 0));
            snprintf(pl->detail, sizeof pl->detail, "PU %d and PU %d share no cache (NUMA node %u)",
                     pl->pu_a, pl->pu_b, numa->os_index);
            return;
        }
    }
    if (same_node_pairs == 0)
        snprintf(pl->reason, sizeof pl->reason, "no NUMA node holds two cores");
    else if (hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_NUMANODE) <= 1)
        snprintf(pl->reason, sizeof pl->reason, "every pair of cores shares a cache");
    else
        snprintf(pl->reason, sizeof pl->reason,
                 "every pair of cores in a NUMA node shares a cache");
}

/* The first cores of the first two NUMA nodes (logical order) whose cpusets are disjoint
 * and hold at least one core each. */
static void plan_cross_numa(const struct plan *p, struct tvp_placement *pl)
{
    int nodes = hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_NUMANODE);
    if (nodes <= 1) {
        snprintf(pl->reason, sizeof pl->reason, "one NUMA node");
        return;
    }
    int with_cores = 0;
    for (hwloc_obj_t a = NULL;
         (a = hwloc_get_next_obj_by_type(p->topo, HWLOC_OBJ_NUMANODE, a)) != NULL;) {
        int ua = first_unit_in(p, a);
        if (ua < 0)
            continue;
        with_cores++;
        for (hwloc_obj_t b = a;
             (b = hwloc_get_next_obj_by_type(p->topo, HWLOC_OBJ_NUMANODE, b)) != NULL;) {
            if (hwloc_bitmap_intersects(a->cpuset, b->cpuset))
                continue;
            int ub = first_unit_in(p, b);
            if (ub < 0)
                continue;
            set_pair(pl, unit_pu(p, ua, 0), unit_pu(p, ub, 0));
            snprintf(pl->detail, sizeof pl->detail, "PU %d (NUMA node %u) and PU %d (NUMA node %u)",
                     pl->pu_a, a->os_index, pl->pu_b, b->os_index);
            return;
        }
    }
    if (with_cores <= 1)
        snprintf(pl->reason, sizeof pl->reason, "only one NUMA node has CPUs");
    else
        snprintf(pl->reason, sizeof pl->reason, "no two NUMA nodes have disjoint CPUs");
}

int tvp_plan_placements(const struct tvp_topo *t, struct tvp_placement out[TVP_PL_COUNT])
{
    for (int k = 0; k < TVP_PL_COUNT; k++) {
        memset(&out[k], 0, sizeof out[k]);
        out[k].kind = (enum tvp_placement_kind)k;
        out[k].pu_a = out[k].pu_b = -1;
    }
    if (t == NULL)
        return EINVAL;
    struct plan p;
    int e = plan_init(&p, t);
    if (e != 0)
        return e;
    plan_same_pu(&p, &out[TVP_PL_SAME_PU]);
    plan_smt(&p, &out[TVP_PL_SMT_SIBLINGS]);
    plan_same_cache(&p, &out[TVP_PL_SAME_CACHE]);
    plan_cross_cache(&p, &out[TVP_PL_CROSS_CACHE]);
    plan_cross_numa(&p, &out[TVP_PL_CROSS_NUMA]);
    plan_free(&p);
    int first2[2];
    if ((e = tvp_plan_spread(t, 2, first2)) != 0)
        return e;
    set_pair(&out[TVP_PL_SPREAD], first2[0], first2[1]);
    snprintf(out[TVP_PL_SPREAD].detail, sizeof out[TVP_PL_SPREAD].detail,
             "workers one per core first, then SMT siblings, then wrapped");
    return 0;
}

const struct tvp_placement *tvp_placement_cross_core(const struct tvp_placement p[TVP_PL_COUNT])
{
    static const enum tvp_placement_kind order[] = {TVP_PL_SAME_CACHE, TVP_PL_CROSS_CACHE,
                                                    TVP_PL_CROSS_NUMA};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (p[order[i]].available)
            return &p[order[i]];
    }
    return NULL;
}

/* Cores under obj (by index into p->units), interleaved across obj's children: the first
 * core of each child, then the second of each, and so on, recursively, so consecutive
 * entries come from different packages, then different NUMA nodes/groups, then different
 * caches. *next counts cores in depth-first (= topology) order. Returns 0 or ENOMEM. */
static int interleave(const struct plan *p, hwloc_obj_t obj, int *next, int **out, int *nout)
{
    *out = NULL;
    *nout = 0;
    if (obj->type == HWLOC_OBJ_CORE || obj->type == HWLOC_OBJ_PU) {
        if (*next >= p->nunits || p->units[*next].obj != obj)
            return 0; /* a core without PUs */
        *out = malloc(sizeof **out);
        if (*out == NULL)
            return ENOMEM;
        (*out)[0] = (*next)++;
        *nout = 1;
        return 0;
    }
    if (obj->arity == 0)
        return 0;
    int **sub = calloc(obj->arity, sizeof *sub);
    int *nsub = calloc(obj->arity, sizeof *nsub);
    int e = (sub == NULL || nsub == NULL) ? ENOMEM : 0;
    int total = 0, longest = 0;
    for (unsigned c = 0; e == 0 && c < obj->arity; c++) {
        e = interleave(p, obj->children[c], next, &sub[c], &nsub[c]);
        total += nsub[c];
        if (nsub[c] > longest)
            longest = nsub[c];
    }
    if (e == 0 && total > 0) {
        *out = malloc((size_t)total * sizeof **out);
        if (*out == NULL)
            e = ENOMEM;
    }
    if (e == 0) {
        for (int r = 0; r < longest; r++) {
            for (unsigned c = 0; c < obj->arity; c++) {
                if (r < nsub[c])
                    (*out)[(*nout)++] = sub[c][r];
            }
        }
    }
    if (sub != NULL) {
        for (unsigned c = 0; c < obj->arity; c++)
            free(sub[c]);
    }
    free(sub);
    free(nsub);
    return e;
}

int tvp_plan_spread(const struct tvp_topo *t, int n, int *pus)
{
    if (t == NULL || n < 0 || (n > 0 && pus == NULL))
        return EINVAL;
    if (n == 0)
        return 0;
    struct plan p;
    int e = plan_init(&p, t);
    if (e != 0)
        return e;
    int *cores = NULL, ncores = 0, next = 0;
    int *order = malloc((size_t)p.npus * sizeof *order);
    if (order == NULL)
        e = ENOMEM;
    if (e == 0)
        e = interleave(&p, hwloc_get_root_obj(p.topo), &next, &cores, &ncores);
    if (e == 0 && ncores != p.nunits)
        e = EINVAL; /* the tree walk missed a core: cannot happen with a sane topology */
    if (e == 0) {
        /* Round s takes the (s+1)-th PU of every core that has one, in spread order. */
        int len = 0, smt = 0;
        for (int u = 0; u < p.nunits; u++) {
            if (p.units[u].npu > smt)
                smt = p.units[u].npu;
        }
        for (int s = 0; s < smt; s++) {
            for (int i = 0; i < ncores; i++) {
                if (s < p.units[cores[i]].npu)
                    order[len++] = unit_pu(&p, cores[i], s);
            }
        }
        for (int i = 0; i < n; i++)
            pus[i] = order[i % len];
    }
    free(cores);
    free(order);
    plan_free(&p);
    return e;
}
