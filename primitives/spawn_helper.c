/* tvp-spawn-helper MEMFD CPU TOKEN
 *
 * The program that posix_spawn and fork-exec start: it stamps the spawner's mark (the memfd at
 * descriptor MEMFD, inherited from the spawner) with TOKEN, after binding itself to CPU when
 * CPU >= 0, and exits 0; on any failure it prints one line to stderr and exits 1. */
#include "tvp_spawn.h"
#include "tvp_err.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9') /* strtoull would accept a sign or spaces */
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    long long fd, cpu;
    uint64_t token;
    if (argc != 4) {
        fprintf(stderr, "tvp-spawn-helper: usage: tvp-spawn-helper MEMFD CPU TOKEN\n");
        return 1;
    }
    if (tvp_parse_ll(argv[1], 0, INT_MAX, &fd) != 0) {
        fprintf(stderr, "tvp-spawn-helper: bad MEMFD \"%s\"\n", argv[1]);
        return 1;
    }
    if (tvp_parse_ll(argv[2], -1, INT_MAX, &cpu) != 0) {
        fprintf(stderr, "tvp-spawn-helper: bad CPU \"%s\"\n", argv[2]);
        return 1;
    }
    if (parse_u64(argv[3], &token) != 0) {
        fprintf(stderr, "tvp-spawn-helper: bad TOKEN \"%s\"\n", argv[3]);
        return 1;
    }
    int err = tvp_spawn_helper_stamp((int)fd, (int)cpu, token);
    if (err != 0) {
        char msg[256];
        fprintf(stderr, "tvp-spawn-helper: %s\n",
                tvp_errfmt(msg, sizeof msg, err, "stamping the mark (fd %d, cpu %d)", (int)fd,
                           (int)cpu));
        return 1;
    }
    return 0;
}
