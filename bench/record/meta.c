#define _GNU_SOURCE
#include "meta.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "atomic_file.h"
#include "json.h"
#include "progress.h"
#include "sampling.h"

void tvp_read_first_line(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(buf, (int)len, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

/* Value of the first "key<tabs>: value" line of /proc/cpuinfo, or "". */
static void cpuinfo_field(const char *key, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[4096];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0 || (line[klen] != '\t' && line[klen] != ' '))
            continue;
        char *colon = strchr(line, ':');
        if (colon) {
            snprintf(buf, len, "%s", colon + (colon[1] == ' ' ? 2 : 1));
            buf[strcspn(buf, "\n")] = '\0';
        }
        break;
    }
    fclose(f);
}

static void virtualisation(char *buf, size_t len)
{
    char flags[4096], vendor[128], product[128];
    cpuinfo_field("flags", flags, sizeof flags);
    tvp_read_first_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof vendor);
    tvp_read_first_line("/sys/class/dmi/id/product_name", product, sizeof product);
    int hyper = strstr(flags, " hypervisor") != NULL;
    if (hyper)
        snprintf(buf, len, "virtual machine (cpuid hypervisor flag%s%s%s%s)", vendor[0] ? "; " : "",
                 vendor, product[0] ? " " : "", product);
    else
        snprintf(buf, len, "none detected (no cpuid hypervisor flag)");
}

/* Turbo (boost) lets the clock rise and fall with temperature and the number of busy cores; the
 * knob is intel_pstate's no_turbo or cpufreq's boost, whichever the kernel shows. */
static void turbo(char *buf, size_t len)
{
    char v[16];
    tvp_read_first_line("/sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof v);
    if (v[0]) {
        snprintf(buf, len, "%s (intel_pstate/no_turbo = %s)", v[0] == '0' ? "on" : "off", v);
        return;
    }
    tvp_read_first_line("/sys/devices/system/cpu/cpufreq/boost", v, sizeof v);
    if (v[0])
        snprintf(buf, len, "%s (cpufreq/boost = %s)", v[0] == '1' ? "on" : "off", v);
    else
        snprintf(buf, len, "not visible (no intel_pstate or cpufreq boost in /sys)");
}

int tvp_meta_write(const struct tvp_run_ctx *ctx, const char *status)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/meta.json", ctx->dir);
    struct tvp_afile a;
    int rc = tvp_afile_open(&a, path);
    if (rc)
        return rc;
    struct tvp_json j;
    tvp_json_init(&j, a.f);
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    char buf[4096];

    tvp_json_begin_object(&j, NULL);
    tvp_json_int(&j, "tvpbench_schema", 1);
    tvp_json_string(&j, "status", status);
    tvp_json_string(&j, "date", ctx->date);
    tvp_json_number(&j, "seconds", ctx->seconds);
    tvp_json_string(&j, "groups", ctx->groups_run);

    tvp_json_begin_object(&j, "machine");
    tvp_json_string(&j, "host_name", ctx->host);
    tvp_json_string(&j, "kernel", u.release);
    tvp_json_string(&j, "kernel_version", u.version);
    tvp_json_string(&j, "arch", u.machine);
    cpuinfo_field("model name", buf, sizeof buf);
    tvp_json_string(&j, "cpu_model", buf[0] ? buf : ctx->topo_sum.cpu_model);
    tvp_read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf);
    tvp_json_string(&j, "governor", buf[0] ? buf : "unavailable (no cpufreq in this kernel/VM)");
    tvp_read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", buf, sizeof buf);
    tvp_json_string(&j, "scaling_driver", buf[0] ? buf : "unavailable");
    turbo(buf, sizeof buf);
    tvp_json_string(&j, "turbo", buf);
    virtualisation(buf, sizeof buf);
    tvp_json_string(&j, "virtualisation", buf);
    tvp_read_first_line("/sys/devices/system/cpu/smt/active", buf, sizeof buf);
    tvp_json_string(&j, "smt_active", buf[0] ? buf : "unknown");
    tvp_read_first_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof buf);
    tvp_json_string(&j, "transparent_hugepages", buf[0] ? buf : "unknown");
    tvp_read_first_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof buf);
    tvp_json_string(&j, "perf_event_paranoid", buf);
    tvp_json_string(&j, "compiler", "gcc-compatible " __VERSION__);
#ifdef NDEBUG
    tvp_json_string(&j, "build_type", "release");
#else
    tvp_json_string(&j, "build_type", "debug (assertions on)");
#endif
    tvp_json_end_object(&j);

    const struct tvp_topo_summary *t = &ctx->topo_sum;
    tvp_json_begin_object(&j, "topology");
    tvp_json_int(&j, "packages", t->packages);
    tvp_json_int(&j, "numa_nodes", t->numa_nodes);
    tvp_json_int(&j, "cores", t->cores);
    tvp_json_int(&j, "pus", t->pus);
    tvp_json_int(&j, "smt", t->smt);
    tvp_json_int(&j, "l2_caches", t->l2_caches);
    tvp_json_int(&j, "l3_caches", t->l3_caches);
    tvp_json_int(&j, "l1d_bytes", (long long)t->l1d_bytes);
    tvp_json_int(&j, "l2_bytes", (long long)t->l2_bytes);
    tvp_json_int(&j, "l3_bytes", (long long)t->l3_bytes);
    tvp_json_end_object(&j);

    tvp_json_begin_array(&j, "placements");
    for (int k = 0; k < TVP_PL_COUNT; k++) {
        const struct tvp_placement *p = &ctx->placements[k];
        tvp_json_begin_object(&j, NULL);
        tvp_json_string(&j, "name", tvp_placement_name(p->kind));
        tvp_json_bool(&j, "available", p->available);
        if (p->available) {
            tvp_json_int(&j, "pu_a", p->pu_a);
            tvp_json_int(&j, "pu_b", p->pu_b);
            tvp_json_string(&j, "detail", p->detail);
        } else {
            tvp_json_string(&j, "reason", p->reason);
        }
        tvp_json_end_object(&j);
    }
    tvp_json_end_array(&j);

    tvp_json_begin_object(&j, "timer");
    tvp_json_string(&j, "clock", "CLOCK_MONOTONIC");
    tvp_json_number(&j, "cost_ns", ctx->timer_cost_ns);
    tvp_json_int(&j, "resolution_ns", (long long)ctx->timer_resolution_ns);
    tvp_json_end_object(&j);

    const struct tvp_options *o = ctx->opt;
    tvp_json_begin_object(&j, "options");
    tvp_json_bool(&j, "quick", o->quick);
    tvp_json_int(&j, "repetitions", o->repetitions);
    tvp_json_int(&j, "min_samples", o->min_samples);
    tvp_json_number(&j, "ci_target", o->ci_target);
    tvp_json_number(&j, "max_time_s", o->max_time_s);
    tvp_json_int(&j, "max_samples", TVP_SAMPLES_MAX);
    tvp_json_number(&j, "min_time_s", o->min_time_s);
    tvp_json_number(&j, "timeout_s", o->timeout_s);
    tvp_json_number(&j, "switch_interval_s", o->switch_interval_s);
    tvp_json_bool(&j, "counters", o->counters_enabled);
    tvp_json_string(&j, "placement", o->placements_arg);
    tvp_json_end_object(&j);

    char rule[640]; /* the adaptive sentence is over 400 characters */
    tvp_sampling_describe(o, rule, sizeof rule);
    tvp_json_string(&j, "sampling_rule", rule);

    /* Flat "<group>_facts" / "<group>_missing" keys, so a results folder read back finds them. */
    tvp_json_begin_object(&j, "environment");
    for (int i = 0; i < ctx->n_env; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s_facts", ctx->env_group[i]);
        tvp_json_string(&j, key, ctx->env_facts[i]);
        if (ctx->env_missing[i][0]) {
            snprintf(key, sizeof key, "%s_missing", ctx->env_group[i]);
            tvp_json_string(&j, key, ctx->env_missing[i]);
        }
    }
    tvp_json_end_object(&j);

    const struct tvp_load_peak *l = tvp_progress_load();
    tvp_json_begin_object(&j, "load");
    tvp_json_int(&j, "samples", l->samples);
    tvp_json_number(&j, "max_1min", l->max_1min);
    tvp_json_number(&j, "max_at_s", l->max_at_s);
    tvp_json_string(&j, "max_during", l->max_during);
    tvp_json_int(&j, "max_others_runnable", l->max_others);
    tvp_json_int(&j, "busy_starts", l->busy_starts);
    tvp_json_number(&j, "others_at_s", l->others_at_s);
    tvp_json_string(&j, "others_during", l->others_during);
    tvp_json_end_object(&j);

    tvp_json_begin_object(&j, "counters");
    tvp_json_begin_array(&j, "available");
    for (int i = 0; i < ctx->n_ctr; i++)
        if (ctx->ctr_available[i])
            tvp_json_string(&j, NULL, ctx->ctr_name[i]);
    tvp_json_end_array(&j);
    tvp_json_begin_array(&j, "unavailable");
    for (int i = 0; i < ctx->n_ctr; i++) {
        if (ctx->ctr_available[i])
            continue;
        tvp_json_begin_object(&j, NULL);
        tvp_json_string(&j, "name", ctx->ctr_name[i]);
        tvp_json_string(&j, "reason", ctx->ctr_reason[i]);
        tvp_json_end_object(&j);
    }
    tvp_json_end_array(&j);
    tvp_json_end_object(&j);
    tvp_json_end_object(&j);
    tvp_json_finish(&j);
    return tvp_afile_commit(&a);
}
