/* libFuzzer target for the readers of a results folder. The first byte picks the reader:
 *   '0' (and every byte = 0 mod 3): tvp_csv_parse on the rest;
 *   '1': tvp_meta_parse (jansson and the checks of meta.json) on the rest;
 *   '2': the rest split at "\n--8<--\n" into meta.json, spawn.csv and spawn.samples.csv of a
 *        scratch folder, read with tvp_resultset_load (every row and sample check).
 * The group table is this file's own: one group, spawn, so the target needs only the readers. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "group.h"
#include "meta_read.h"
#include "resultset.h"

static const struct tvp_group fuzz_spawn = {.name = "spawn"};
const struct tvp_group *const tvp_groups[] = {&fuzz_spawn};
const size_t tvp_groups_len = 1;

static char dir[256];
static const char *const files[] = {"meta.json", "spawn.csv", "spawn.samples.csv"};

static void cleanup(void)
{
    char path[320];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Under TMPDIR, which run_fuzz.sh points at a folder it removes: a crash skips atexit. */
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tvp-fuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_readers: mkdtemp");
        abort();
    }
    atexit(cleanup);
    return 0;
}

static void write_part(const char *name, const uint8_t *p, size_t n)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) || close(fd) != 0) {
        perror("fuzz_readers: writing the scratch folder");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char err[512];
    switch (data[0] % 3) {
    case 0: {
        struct tvp_csv c;
        if (tvp_csv_parse("fuzz.csv", text, len, &c, err, sizeof err) == 0) {
            for (size_t r = 0; r < c.nrows; r++)
                for (size_t i = 0; i < c.ncols; i++)
                    if (c.rows[r][i] == NULL || c.line[r] == 0)
                        abort();
            tvp_csv_free(&c);
        } else if (err[0] == '\0') {
            abort(); /* every refusal says why */
        }
        break;
    }
    case 1: {
        struct tvp_meta_facts m;
        json_t *root = tvp_meta_parse("meta.json", text, len, &m, err, sizeof err);
        if (root)
            json_decref(root);
        else if (err[0] == '\0')
            abort();
        break;
    }
    default: {
        static const char sep[] = "\n--8<--\n";
        const uint8_t *p = data + 1, *end = data + size;
        for (size_t i = 0; i < 3; i++) {
            const uint8_t *cut = i < 2 ? memmem(p, (size_t)(end - p), sep, sizeof sep - 1) : NULL;
            const uint8_t *stop = cut ? cut : end;
            write_part(files[i], p, (size_t)(stop - p));
            p = cut ? cut + sizeof sep - 1 : end;
        }
        struct tvp_resultset rs;
        if (tvp_resultset_load(dir, &rs, err, sizeof err) == 0) {
            char name[400];
            for (size_t i = 0; i < rs.n; i++) {
                tvp_fig_name(&rs.figs[i], name, sizeof name);
                if (rs.figs[i].n_samples && rs.figs[i].n_samples != rs.figs[i].n)
                    abort(); /* a figure kept must have all its samples or none */
            }
        }
        tvp_resultset_free(&rs);
    }
    }
    return 0;
}
