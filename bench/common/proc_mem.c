#define _GNU_SOURCE
#include "proc_mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tvp_err.h"

static void proc_path(char *buf, size_t len, pid_t pid, const char *file)
{
    if (pid == 0)
        snprintf(buf, len, "/proc/self/%s", file);
    else
        snprintf(buf, len, "/proc/%d/%s", (int)pid, file);
}

/* The value of a "name: N ..." line, if line is one; a value in kB is returned in bytes. */
static int field_value(const char *line, const char *name, uint64_t *out)
{
    size_t n = strlen(name);
    if (strncmp(line, name, n) != 0 || line[n] != ':')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(line + n + 1, &end, 10);
    if (errno != 0 || end == line + n + 1)
        return 0;
    while (*end == ' ' || *end == '\t')
        end++;
    *out = strncmp(end, "kB", 2) == 0 ? (uint64_t)v * 1024u : (uint64_t)v;
    return 1;
}

/* Reads the named fields (each "Name: N kB" line, first occurrence) of a /proc file. Returns 0
 * when all were found, otherwise an error number with the message in err. */
static int read_fields(const char *path, const char *const *names, uint64_t **outs, int n,
                       char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    unsigned found = 0, all = (1u << n) - 1;
    char line[512];
    while (found != all && fgets(line, sizeof line, f))
        for (int i = 0; i < n; i++)
            if (!(found & (1u << i)) && field_value(line, names[i], outs[i]))
                found |= 1u << i;
    int e = ferror(f) ? EIO : 0;
    fclose(f);
    if (e) {
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    for (int i = 0; i < n; i++)
        if (!(found & (1u << i))) {
            tvp_errfmt(err, errlen, ENODATA, "reading %s: no %s line", path, names[i]);
            return ENODATA;
        }
    return 0;
}

int tvp_proc_rss_pss(pid_t pid, uint64_t *rss, uint64_t *pss, uint64_t *pss_anon, char *err,
                     size_t errlen)
{
    char path[64];
    proc_path(path, sizeof path, pid, "smaps_rollup");
    uint64_t r = 0, p = 0, a = 0;
    const char *const names[3] = {"Rss", "Pss", "Pss_Anon"};
    uint64_t *outs[3] = {&r, &p, &a};
    int rc = read_fields(path, names, outs, pss_anon ? 3 : 2, err, errlen);
    if (rc == 0) {
        if (rss)
            *rss = r;
        if (pss)
            *pss = p;
        if (pss_anon)
            *pss_anon = a;
    }
    return rc;
}

int tvp_proc_vm_pte(pid_t pid, uint64_t *bytes, char *err, size_t errlen)
{
    char path[64];
    proc_path(path, sizeof path, pid, "status");
    const char *const names[1] = {"VmPTE"};
    uint64_t *outs[1] = {bytes};
    return read_fields(path, names, outs, 1, err, errlen);
}

int tvp_proc_meminfo(const char *field, uint64_t *bytes, char *err, size_t errlen)
{
    const char *const names[1] = {field};
    uint64_t *outs[1] = {bytes};
    return read_fields("/proc/meminfo", names, outs, 1, err, errlen);
}

int tvp_proc_kernel_stack(uint64_t *bytes, char *err, size_t errlen)
{
    return tvp_proc_meminfo("KernelStack", bytes, err, errlen);
}

int tvp_proc_fd_count(pid_t pid, uint64_t *n, char *err, size_t errlen)
{
    char path[64];
    proc_path(path, sizeof path, pid, "fd");
    DIR *d = opendir(path);
    if (!d) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "listing %s", path);
        return e;
    }
    uint64_t count = 0;
    struct dirent *ent;
    errno = 0;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] != '.')
            count++;
        errno = 0;
    }
    int e = errno;
    closedir(d);
    if (e) {
        tvp_errfmt(err, errlen, e, "listing %s", path);
        return e;
    }
    /* Listing our own table opened one descriptor for the directory itself. */
    if ((pid == 0 || pid == getpid()) && count > 0)
        count--;
    *n = count;
    return 0;
}

int tvp_proc_state(pid_t pid, char *state, char *err, size_t errlen)
{
    char path[64], buf[512];
    proc_path(path, sizeof path, pid, "stat");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf - 1)) < 0 && errno == EINTR)
        ;
    int e = n < 0 ? errno : 0;
    close(fd);
    if (e) {
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    buf[n] = 0;
    /* "pid (comm) S ...": comm may hold spaces and parentheses, so look after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || !p[2]) {
        tvp_errfmt(err, errlen, ENODATA, "reading %s: no state field", path);
        return ENODATA;
    }
    *state = p[2];
    return 0;
}

int tvp_proc_vmstat_refresh(char *err, size_t errlen)
{
    const char *path = "/proc/sys/vm/stat_refresh";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "opening %s", path);
        return e;
    }
    char b[16];
    ssize_t n;
    while ((n = read(fd, b, sizeof b)) < 0 && errno == EINTR)
        ;
    int e = n < 0 ? errno : 0;
    close(fd);
    if (e) {
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    return 0;
}

int tvp_proc_vma_field(pid_t pid, const void *addr, const char *field, uint64_t *bytes, char *err,
                       size_t errlen)
{
    char path[64];
    proc_path(path, sizeof path, pid, "smaps");
    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    uintptr_t a = (uintptr_t)addr;
    int inside = 0, found = 0, mapped = 0;
    char line[512];
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        /* A mapping's header is "start-end perms ..."; field lines never parse as a range. */
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            if (inside)
                break; /* passed the mapping without meeting the field */
            inside = a >= lo && a < hi;
            mapped |= inside;
            continue;
        }
        if (inside && field_value(line, field, bytes))
            found = 1;
    }
    int e = ferror(f) ? EIO : 0;
    fclose(f);
    if (e) {
        tvp_errfmt(err, errlen, e, "reading %s", path);
        return e;
    }
    if (!mapped) {
        tvp_errfmt(err, errlen, ENXIO, "reading %s: no mapping contains %p", path, addr);
        return ENXIO;
    }
    if (!found) {
        tvp_errfmt(err, errlen, ENODATA, "reading %s: no %s line for the mapping at %p", path,
                   field, addr);
        return ENODATA;
    }
    return 0;
}
