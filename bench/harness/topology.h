/* The machine as hwloc sees it: discovery (real, synthetic or saved XML), export, a summary
 * for meta.json, and binding of the calling thread or a thread attribute to one PU.
 *
 * PUs are named by their operating-system index (the number sched_getcpu() returns and
 * taskset uses), never by a position typed in code. */
#ifndef TVP_TOPOLOGY_H
#define TVP_TOPOLOGY_H

#include <pthread.h>
#include <stddef.h>

struct tvp_topo;       /* opaque; wraps hwloc_topology_t */
struct hwloc_topology; /* hwloc's own type: hwloc_topology_t is struct hwloc_topology * */

struct tvp_topo_summary {
    /* A PU without a Core object above it counts as a core of its own. */
    int packages, numa_nodes, cores, pus;
    int smt; /* PUs per core (max) */
    int l3_caches, l2_caches;
    unsigned long long l1d_bytes, l2_bytes, l3_bytes; /* size of the first of each, 0 if none */
    char cpu_model[128]; /* from hwloc's CPUModel info, "" if unknown */
};

/* Each loader returns 0, or an error number with a message in err. */
int tvp_topo_load_system(struct tvp_topo **out, char *err, size_t errlen);
int tvp_topo_load_synthetic(const char *description, struct tvp_topo **out, char *err,
                            size_t errlen);
int tvp_topo_load_xml(const char *path, struct tvp_topo **out, char *err, size_t errlen);
void tvp_topo_free(struct tvp_topo *t);

/* The wrapped hwloc topology, for code that needs hwloc directly (the placement planner).
 * It stays owned by t. */
struct hwloc_topology *tvp_topo_hwloc(const struct tvp_topo *t);

/* 1 when t describes the running machine (tvp_topo_load_system), so binding through it
 * means something; 0 for synthetic and XML topologies. */
int tvp_topo_is_system(const struct tvp_topo *t);

/* Writes the topology as hwloc XML to path (directly; the caller renames). */
int tvp_topo_export_xml(const struct tvp_topo *t, const char *path, char *err, size_t errlen);

void tvp_topo_summarize(const struct tvp_topo *t, struct tvp_topo_summary *s);

/* OS indexes of all PUs, in topology order; returns how many were written (at most max). */
int tvp_topo_pus(const struct tvp_topo *t, int *pus, int max);

/* Binds the calling thread to one PU (by OS index). Returns 0 or an error number: EINVAL
 * when t has no PU with that OS index, ENOTSUP when t is not the running machine (a
 * synthetic or XML topology; nothing is attempted). */
int tvp_bind_self(const struct tvp_topo *t, int pu_os);

/* Sets attr's affinity to one PU, so a thread created with it is bound before it runs. */
int tvp_bind_attr(pthread_attr_t *attr, int pu_os);

/* Starts a thread already bound to pu_os (through its attribute, so it never runs elsewhere).
 * Returns 0 or the pthread error. */
int tvp_start_bound_thread(pthread_t *t, int pu_os, void *(*fn)(void *), void *arg);

/* Binds the calling thread to one PU with sched_setaffinity alone (usable in a forked or
 * exec'd child that has no topology loaded). Returns 0 or an error number. */
int tvp_bind_self_os(int pu_os);

#endif
