#include "sysv_sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "tvp_err.h"

/* /proc/sysvipc/<file>: "key id ..." with the creator's uid in column cuid_col and the pids the
 * kernel keeps in columns pid_col[] (1-based; 0: none; a semaphore set's is asked of semctl). */
static const struct {
    const char *file;
    int cuid_col;
    int pid_col[2];
    const char *what;
} kinds[3] = {{"/proc/sysvipc/sem", 7, {0, 0}, "semaphore set"},
              {"/proc/sysvipc/msg", 10, {6, 7}, "message queue"},
              {"/proc/sysvipc/shm", 10, {5, 6}, "shared-memory segment"}};

static int alive(long long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* 1 when a process the kernel records as a user of the object still runs. */
static int in_use(int k, int id, const long long *col)
{
    if (k == 0) {
        int pid = semctl(id, 0, GETPID);
        return pid > 0 && alive(pid);
    }
    return alive(col[kinds[k].pid_col[0] - 1]) || alive(col[kinds[k].pid_col[1] - 1]);
}

/* Calls fn(kind, id, in_use) for every IPC_PRIVATE object of this user. */
static void each_private(int k, void (*fn)(int k, int id, int used, void *arg), void *arg)
{
    FILE *f = fopen(kinds[k].file, "r");
    if (!f)
        return; /* no System V IPC in this kernel: nothing to leave behind */
    char line[512];
    uid_t me = geteuid();
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        long long col[12] = {0};
        int n = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, " \t\n", &save); tok && n < 12;
             tok = strtok_r(NULL, " \t\n", &save))
            col[n++] = strtoll(tok, NULL, 10);
        if (n < kinds[k].cuid_col || col[0] != IPC_PRIVATE ||
            col[kinds[k].cuid_col - 1] != (long long)me)
            continue;
        fn(k, (int)col[1], in_use(k, (int)col[1], col), arg);
    }
    fclose(f);
}

static void remember(int k, int id, int used, void *arg)
{
    (void)used;
    struct tvp_sysv_snapshot *s = arg;
    if (s->n[k] < TVP_SYSV_MAX_IDS)
        s->ids[k][s->n[k]++] = id;
}

void tvp_sysv_snapshot(struct tvp_sysv_snapshot *s)
{
    memset(s->n, 0, sizeof s->n);
    for (int k = 0; k < 3; k++)
        each_private(k, remember, s);
}

struct sweep {
    const struct tvp_sysv_snapshot *before;
    int removed;
};

static void remove_new(int k, int id, int used, void *arg)
{
    struct sweep *w = arg;
    if (used)
        return;
    for (int i = 0; i < w->before->n[k]; i++)
        if (w->before->ids[k][i] == id)
            return;
    int rc = k == 0   ? semctl(id, 0, IPC_RMID)
             : k == 1 ? msgctl(id, IPC_RMID, NULL)
                      : shmctl(id, IPC_RMID, NULL);
    if (rc != 0 && errno != EINVAL && errno != EIDRM)
        tvp_warn(errno, "removing a leftover System V %s (id %d)", kinds[k].what, id);
    else if (rc == 0)
        w->removed++;
}

int tvp_sysv_sweep(const struct tvp_sysv_snapshot *s)
{
    struct sweep w = {s, 0};
    for (int k = 0; k < 3; k++)
        each_private(k, remove_new, &w);
    return w.removed;
}
