/* Topology discovery, export, summary and binding on top of hwloc 2.x. */
#define _GNU_SOURCE
#include "topology.h"

#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "tvp_err.h"

struct tvp_topo {
    hwloc_topology_t topo;
};

/* errno after a failed call, never 0 (some hwloc paths fail without setting it). */
static int errno_or(int fallback)
{
    return errno != 0 ? errno : fallback;
}

/* Allocates the wrapper and an initialised hwloc topology with I/O devices filtered out. */
static int topo_begin(struct tvp_topo **t, char *err, size_t errlen)
{
    *t = calloc(1, sizeof **t);
    if (*t == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating the topology");
        return ENOMEM;
    }
    errno = 0;
    if (hwloc_topology_init(&(*t)->topo) != 0) {
        int e = errno_or(ENOMEM);
        tvp_errfmt(err, errlen, e, "initialising the hwloc topology (hwloc_topology_init)");
        free(*t);
        *t = NULL;
        return e;
    }
    errno = 0;
    if (hwloc_topology_set_io_types_filter((*t)->topo, HWLOC_TYPE_FILTER_KEEP_NONE) != 0) {
        int e = errno_or(EINVAL);
        tvp_errfmt(err, errlen, e, "keeping I/O devices out of the hwloc topology");
        tvp_topo_free(*t);
        *t = NULL;
        return e;
    }
    return 0;
}

/* Loads a configured topology; on failure frees it and reports what was being loaded. */
static int topo_finish(struct tvp_topo *t, struct tvp_topo **out, const char *what, char *err,
                       size_t errlen)
{
    errno = 0;
    if (hwloc_topology_load(t->topo) != 0) {
        int e = errno_or(EINVAL);
        tvp_errfmt(err, errlen, e, "loading %s (hwloc_topology_load)", what);
        tvp_topo_free(t);
        return e;
    }
    if (hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU) <= 0) {
        tvp_errfmt(err, errlen, ENODEV, "loading %s: hwloc found no PU", what);
        tvp_topo_free(t);
        return ENODEV;
    }
    *out = t;
    return 0;
}

int tvp_topo_load_system(struct tvp_topo **out, char *err, size_t errlen)
{
    struct tvp_topo *t;
    *out = NULL;
    int e = topo_begin(&t, err, errlen);
    if (e != 0)
        return e;
    return topo_finish(t, out, "the system topology", err, errlen);
}

int tvp_topo_load_synthetic(const char *description, struct tvp_topo **out, char *err,
                            size_t errlen)
{
    struct tvp_topo *t;
    *out = NULL;
    int e = topo_begin(&t, err, errlen);
    if (e != 0)
        return e;
    errno = 0;
    if (hwloc_topology_set_synthetic(t->topo, description) != 0) {
        e = errno_or(EINVAL);
        tvp_errfmt(err, errlen, e, "parsing synthetic topology \"%s\"", description);
        tvp_topo_free(t);
        return e;
    }
    char what[512];
    snprintf(what, sizeof what, "synthetic topology \"%s\"", description);
    return topo_finish(t, out, what, err, errlen);
}

int tvp_topo_load_xml(const char *path, struct tvp_topo **out, char *err, size_t errlen)
{
    struct tvp_topo *t;
    *out = NULL;
    int e = topo_begin(&t, err, errlen);
    if (e != 0)
        return e;
    errno = 0;
    if (hwloc_topology_set_xml(t->topo, path) != 0) {
        e = errno_or(EINVAL);
        tvp_errfmt(err, errlen, e, "reading hwloc XML topology %s", path);
        tvp_topo_free(t);
        return e;
    }
    char what[512];
    snprintf(what, sizeof what, "hwloc XML topology %s", path);
    return topo_finish(t, out, what, err, errlen);
}

void tvp_topo_free(struct tvp_topo *t)
{
    if (t == NULL)
        return;
    hwloc_topology_destroy(t->topo);
    free(t);
}

struct hwloc_topology *tvp_topo_hwloc(const struct tvp_topo *t)
{
    return t->topo;
}

int tvp_topo_is_system(const struct tvp_topo *t)
{
    return hwloc_topology_is_thissystem(t->topo) ? 1 : 0;
}

int tvp_topo_export_xml(const struct tvp_topo *t, const char *path, char *err, size_t errlen)
{
    errno = 0;
    if (hwloc_topology_export_xml(t->topo, path, 0) != 0) {
        int e = errno_or(EIO);
        tvp_errfmt(err, errlen, e, "exporting the topology as hwloc XML to %s", path);
        return e;
    }
    return 0;
}

/* Number of PU objects inside obj's cpuset. */
static int pus_inside(hwloc_topology_t topo, hwloc_obj_t obj)
{
    return hwloc_get_nbobjs_inside_cpuset_by_type(topo, obj->cpuset, HWLOC_OBJ_PU);
}

static unsigned long long first_cache_size(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    hwloc_obj_t c = hwloc_get_obj_by_type(topo, type, 0);
    return c != NULL ? (unsigned long long)c->attr->cache.size : 0;
}

void tvp_topo_summarize(const struct tvp_topo *t, struct tvp_topo_summary *s)
{
    hwloc_topology_t topo = t->topo;
    memset(s, 0, sizeof *s);
    s->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    s->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    s->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);

    /* Cores, plus PUs that have no Core above them (each is its own core). */
    for (hwloc_obj_t c = NULL; (c = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, c));) {
        int n = pus_inside(topo, c);
        if (n > 0) {
            s->cores++;
            if (n > s->smt)
                s->smt = n;
        }
    }
    for (hwloc_obj_t p = NULL; (p = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PU, p));) {
        if (hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, p) == NULL) {
            s->cores++;
            if (s->smt < 1)
                s->smt = 1;
        }
    }

    s->l3_caches = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_L3CACHE);
    s->l2_caches = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_L2CACHE);
    s->l1d_bytes = first_cache_size(topo, HWLOC_OBJ_L1CACHE);
    s->l2_bytes = first_cache_size(topo, HWLOC_OBJ_L2CACHE);
    s->l3_bytes = first_cache_size(topo, HWLOC_OBJ_L3CACHE);

    const char *model = NULL;
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    if (pkg != NULL)
        model = hwloc_obj_get_info_by_name(pkg, "CPUModel");
    if (model == NULL)
        model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo), "CPUModel");
    if (model != NULL)
        snprintf(s->cpu_model, sizeof s->cpu_model, "%s", model);
}

int tvp_topo_pus(const struct tvp_topo *t, int *pus, int max)
{
    int n = 0;
    for (hwloc_obj_t p = NULL;
         n < max && (p = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_PU, p)) != NULL;)
        pus[n++] = (int)p->os_index;
    return n;
}

int tvp_bind_self(const struct tvp_topo *t, int pu_os)
{
    if (pu_os < 0)
        return EINVAL;
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)pu_os);
    if (pu == NULL)
        return EINVAL;
    /* hwloc "binds" through a synthetic or XML topology by doing nothing and succeeding;
     * refuse instead, so a caller never believes it is bound when it is not. */
    if (!hwloc_topology_is_thissystem(t->topo))
        return ENOTSUP;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (set == NULL)
        return ENOMEM;
    int e = 0;
    errno = 0;
    if (hwloc_bitmap_only(set, pu->os_index) != 0)
        e = errno_or(ENOMEM);
    else if (hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD) != 0)
        e = errno_or(EINVAL);
    hwloc_bitmap_free(set);
    return e;
}

/* A cpu_set_t holding only pu_os: the caller's fixed-size set when pu_os fits in it
 * (no allocation, so safe between fork and exec), else a CPU_ALLOC'd one in *dyn. */
static cpu_set_t *one_cpu(int pu_os, cpu_set_t *fixed, cpu_set_t **dyn, size_t *size)
{
    *dyn = NULL;
    if (pu_os < CPU_SETSIZE) {
        CPU_ZERO(fixed);
        CPU_SET(pu_os, fixed);
        *size = sizeof *fixed;
        return fixed;
    }
    *dyn = CPU_ALLOC(pu_os + 1);
    if (*dyn == NULL)
        return NULL;
    *size = CPU_ALLOC_SIZE(pu_os + 1);
    CPU_ZERO_S(*size, *dyn);
    CPU_SET_S(pu_os, *size, *dyn);
    return *dyn;
}

int tvp_bind_attr(pthread_attr_t *attr, int pu_os)
{
    if (pu_os < 0)
        return EINVAL;
    cpu_set_t fixed, *dyn;
    size_t size;
    cpu_set_t *set = one_cpu(pu_os, &fixed, &dyn, &size);
    if (set == NULL)
        return ENOMEM;
    int e = pthread_attr_setaffinity_np(attr, size, set); /* copies the set */
    if (dyn != NULL)
        CPU_FREE(dyn);
    return e;
}

int tvp_bind_self_os(int pu_os)
{
    if (pu_os < 0)
        return EINVAL;
    cpu_set_t fixed, *dyn;
    size_t size;
    cpu_set_t *set = one_cpu(pu_os, &fixed, &dyn, &size);
    if (set == NULL)
        return ENOMEM;
    int e = 0;
    if (sched_setaffinity(0, size, set) != 0)
        e = errno_or(EINVAL);
    if (dyn != NULL)
        CPU_FREE(dyn);
    return e;
}

int tvp_start_bound_thread(pthread_t *t, int pu_os, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0)
        return rc;
    rc = tvp_bind_attr(&attr, pu_os);
    if (rc == 0)
        rc = pthread_create(t, &attr, fn, arg);
    int e = pthread_attr_destroy(&attr);
    return rc ? rc : e;
}
