/* Shared mappings for the shared-memory transports: see shm_map.h.
 *
 * Order of the steps: shm_open(O_CREAT | O_EXCL) with a name unique to the process and call,
 * then shm_unlink at once, before anything else can fail, so every later failure path only has
 * a descriptor (and perhaps a mapping) to release; then ftruncate, posix_fallocate, mmap, close.
 * ftruncate alone only sets the size: the pages are taken from /dev/shm at first touch, so a
 * full /dev/shm would show as SIGBUS in the middle of a timed loop (a crash, or a peer that
 * never answers); reserving them here turns it into ENOSPC, named, at set-up. The descriptor
 * is not needed once the memory is mapped (the mapping keeps the object alive), which is also
 * why a forked child needs nothing but the inherited mapping. */
#define _GNU_SOURCE

#include "shm_map.h"
#include "ipc_common.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

int tvp_shm_map_open(void **addr, size_t len, const char *who, const char *kind, char *err,
                     size_t errlen)
{
    char name[64];
    *addr = NULL;
    if (len == 0 || len > (size_t)INT64_MAX) {
        tvp_errfmt(err, errlen, 0, "%s: shared mapping of %zu bytes: invalid size", who, len);
        return EINVAL;
    }
    int e = tvp_ipc_name(name, sizeof name, kind);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: shm name", who);
        return e;
    }
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "%s: shm_open %s", who, name);
        return e;
    }
    if (shm_unlink(name) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "%s: shm_unlink %s", who, name);
        (void)close(fd);
        return e;
    }
    if (ftruncate(fd, (off_t)len) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "%s: ftruncate %s to %zu bytes", who, name, len);
        (void)close(fd);
        return e;
    }
    e = posix_fallocate(fd, 0, (off_t)len);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: reserving %zu bytes of /dev/shm for %s", who, len, name);
        (void)close(fd);
        return e;
    }
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        e = errno;
        tvp_errfmt(err, errlen, e, "%s: mmap %s of %zu bytes", who, name, len);
        (void)close(fd);
        return e;
    }
    if (close(fd) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "%s: close %s", who, name);
        (void)munmap(m, len);
        return e;
    }
    *addr = m;
    return 0;
}

int tvp_shm_map_close(void *addr, size_t len)
{
    return addr == NULL || munmap(addr, len) == 0 ? 0 : errno;
}
