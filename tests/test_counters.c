/* Counters through libpfm4 and perf_event_open: software events count (including inherited
 * children), refused events are reported with a reason and never read as 0, names map to
 * columns, and counter lists parse. Hardware events are checked for consistency only
 * (available and counting, or unavailable with a perf_event_open reason), so the test passes
 * both in a VM without a PMU and on bare metal; it prints which path it took. */
#define _GNU_SOURCE
#include "check.h"
#include "counters.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARENT_PAGES 256
#define CHILD_PAGES  1024

static size_t index_of(const struct tvp_counter_set *s, const char *column)
{
    for (size_t i = 0; i < tvp_counters_len(s); i++)
        if (strcmp(tvp_counter_column(s, i), column) == 0)
            return i;
    return (size_t)-1;
}

static void touch_pages(char *p, size_t pages, size_t page)
{
    for (size_t i = 0; i < pages; i++)
        ((volatile char *)p)[i * page] = 1;
}

static void spin(void)
{
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < 20000000; i++)
        x += i;
}

/* Runs a child that touches CHILD_PAGES fresh pages of buf and exits; reaps it. */
static void child_touches(char *buf, size_t page)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        touch_pages(buf, CHILD_PAGES, page);
        _exit(0);
    }
    CHECK(pid > 0);
    int status = -1;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_columns(void)
{
    char buf[64];
    static const char *const cases[][2] = {
        {"perf::PAGE-FAULTS", "page_faults"},
        {"task-clock", "task_clock"},
        {"page-faults", "page_faults"},
        {"PERF_COUNT_SW_PAGE_FAULTS", "page_faults"},
        {"perf::PERF_COUNT_SW_CONTEXT_SWITCHES", "context_switches"},
        {"perf::PERF_COUNT_HW_CPU_CYCLES", "cycles"},
        {"cpu-cycles", "cycles"},
        {"cs", "context_switches"},
        {"perf::faults", "page_faults"},
        {"CACHE-MISSES", "cache_misses"},
        {"cycles:u", "cycles_u"},
        {"perf::PERF_COUNT_HW_CPU_CYCLES:u", "cycles_u"},
        {"skl::UNHALTED_CORE_CYCLES", "unhalted_core_cycles"},
        {"amd64_fam17h::RETIRED_INSTRUCTIONS", "retired_instructions"},
        {"--a..b--", "a_b"},
        {"no-such-event-xyz", "no_such_event_xyz"},
        {"::", "event"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = buf;
        tvp_counter_column_name(cases[i][0], buf, sizeof buf);
        CHECK_STR(got, cases[i][1]);
    }
    char small[8];
    const char *got = small;
    tvp_counter_column_name("perf::PAGE-FAULTS", small, sizeof small);
    CHECK_STR(got, "page_fa");
    tvp_counter_column_name("page-faults", small, 6); /* no trailing separator when cut */
    CHECK_STR(got, "page");
}

static void test_parse_list(void)
{
    const char *names[4];
    char err[160];

    char l1[] = " task-clock, perf::PAGE-FAULTS ,cycles";
    CHECK_INT(tvp_counters_parse_list(l1, names, 4, err, sizeof err), 3);
    CHECK_STR(names[0], "task-clock");
    CHECK_STR(names[1], "perf::PAGE-FAULTS");
    CHECK_STR(names[2], "cycles");
    CHECK(names[0] >= l1 && names[2] < l1 + sizeof l1); /* split in place */

    char l2[] = "cycles";
    CHECK_INT(tvp_counters_parse_list(l2, names, 4, err, sizeof err), 1);
    CHECK_STR(names[0], "cycles");

    static const char *const bad[] = {"", " ", "a,,b", "a,", ",a", "a, ,b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char l[16];
        snprintf(l, sizeof l, "%s", bad[i]);
        err[0] = '\0';
        CHECK_INT(tvp_counters_parse_list(l, names, 4, err, sizeof err), -1);
        CHECK_MSG(strstr(err, "empty") != NULL && strchr(err, '\n') == NULL, "\"%s\" -> \"%s\"",
                  bad[i], err);
    }
    char l3[] = "a,b,c,d,e";
    err[0] = '\0';
    CHECK_INT(tvp_counters_parse_list(l3, names, 4, err, sizeof err), -1);
    CHECK_MSG(strstr(err, "more than 4") != NULL && strchr(err, '\n') == NULL, "\"%s\"", err);
    char l4[] = "a,b,c,d";
    CHECK_INT(tvp_counters_parse_list(l4, names, 4, err, sizeof err), 4);
}

static void test_defaults(void)
{
    CHECK_INT(tvp_counters_default_len, 8);
    CHECK_STR(tvp_counters_default[0], "cycles");
    CHECK_STR(tvp_counters_default[7], "page-faults");

    struct tvp_counter_set *s = NULL;
    char err[256] = "";
    CHECK_INT(
        tvp_counters_open(tvp_counters_default, tvp_counters_default_len, 1, &s, err, sizeof err),
        0);
    if (!s)
        return;
    CHECK_INT(tvp_counters_len(s), tvp_counters_default_len);
    printf("default counters:\n");
    for (size_t i = 0; i < tvp_counters_len(s); i++) {
        int ok = tvp_counter_available(s, i);
        CHECK_MSG(ok == (tvp_counter_reason(s, i)[0] == '\0'), "%s: available=%d reason=\"%s\"",
                  tvp_counter_name(s, i), ok, tvp_counter_reason(s, i));
        printf("  %-18s %-18s %s%s\n", tvp_counter_name(s, i), tvp_counter_column(s, i),
               ok ? "available" : tvp_counter_reason(s, i),
               tvp_counter_user_only(s, i) ? " (user mode only)" : "");
    }
    /* Software events work everywhere. */
    for (size_t i = 4; i < 8; i++)
        CHECK_MSG(tvp_counter_available(s, i), "%s: %s", tvp_counter_name(s, i),
                  tvp_counter_reason(s, i));
    tvp_counters_close(s);
}

static void test_open_errors(void)
{
    const char *names[TVP_MAX_COUNTERS + 1];
    for (size_t i = 0; i <= TVP_MAX_COUNTERS; i++)
        names[i] = "task-clock";
    struct tvp_counter_set *s = (struct tvp_counter_set *)1;
    char err[160] = "";
    CHECK_INT(tvp_counters_open(names, TVP_MAX_COUNTERS + 1, 0, &s, err, sizeof err), EINVAL);
    CHECK(s == NULL);
    CHECK(strstr(err, "at most") != NULL);

    CHECK_INT(tvp_counters_open(names, 0, 0, &s, err, sizeof err), 0); /* an empty set is fine */
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(tvp_counters_len(s), 0);
        CHECK_INT(tvp_counters_start(s), 0);
        CHECK_INT(tvp_counters_stop(s), 0);
        tvp_counters_close(s);
    }
}

/* (a) software events count the parent and, with inherit, a forked child. A second set
 * without inherit sees the parent's faults but not the child's. */
static void test_software(void)
{
    static const char *const names[] = {"task-clock", "perf::PAGE-FAULTS", "context-switches"};
    static const char *const parent_only[] = {"page-faults"};
    struct tvp_counter_set *s = NULL, *p = NULL;
    char err[256] = "";
    CHECK_INT(tvp_counters_open(names, 3, 1, &s, err, sizeof err), 0);
    CHECK_INT(tvp_counters_open(parent_only, 1, 0, &p, err, sizeof err), 0);
    if (!s || !p)
        return;
    size_t tc = index_of(s, "task_clock"), pf = index_of(s, "page_faults"),
           cs = index_of(s, "context_switches");
    CHECK(tc == 0 && pf == 1 && cs == 2);
    for (size_t i = 0; i < 3; i++)
        CHECK_MSG(tvp_counter_available(s, i) && tvp_counter_reason(s, i)[0] == '\0', "%s: %s",
                  tvp_counter_name(s, i), tvp_counter_reason(s, i));
    CHECK(tvp_counter_available(p, 0));

    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = (PARENT_PAGES + CHILD_PAGES) * page;
    char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(buf != MAP_FAILED);
    if (buf == MAP_FAILED)
        return;
    madvise(buf, len, MADV_NOHUGEPAGE); /* one fault per page, not per 2 MiB */

    CHECK_INT(tvp_counters_start(s), 0);
    CHECK_INT(tvp_counters_start(p), 0);
    touch_pages(buf, PARENT_PAGES, page);
    child_touches(buf + PARENT_PAGES * page, page);
    CHECK_INT(tvp_counters_stop(p), 0);
    CHECK_INT(tvp_counters_stop(s), 0);

    struct tvp_counter_value v[3], pv[1];
    CHECK_INT(tvp_counters_read(s, v), 0);
    CHECK_STR(tvp_counters_error(s), "");
    CHECK_INT(tvp_counters_read(p, pv), 0);
    for (size_t i = 0; i < 3; i++) {
        CHECK(v[i].valid);
        CHECK_NEAR(v[i].running_fraction, 1.0, 0.0);
    }
    CHECK(pv[0].valid);
    CHECK_MSG(v[pf].value >= PARENT_PAGES + CHILD_PAGES, "page faults %.0f < %d", v[pf].value,
              PARENT_PAGES + CHILD_PAGES);
    CHECK_MSG(pv[0].value >= PARENT_PAGES && pv[0].value < PARENT_PAGES + CHILD_PAGES,
              "parent-only page faults %.0f", pv[0].value);
    CHECK_MSG(v[pf].value - pv[0].value >= CHILD_PAGES, "inherited %.0f - parent %.0f < %d",
              v[pf].value, pv[0].value, CHILD_PAGES);
    CHECK(v[tc].value > 0);
    CHECK(v[cs].value >= 0);
    printf("software: page_faults=%.0f (parent only %.0f; touched %d + child %d), "
           "task_clock=%.0f ns, context_switches=%.0f\n",
           v[pf].value, pv[0].value, PARENT_PAGES, CHILD_PAGES, v[tc].value, v[cs].value);

    /* A second cycle counts from its own start: the child's faults are not carried over, and
     * reading while counting works. */
    CHECK_INT(tvp_counters_start(s), 0);
    CHECK_INT(tvp_counters_read(s, v), 0);
    CHECK(v[pf].valid && v[pf].value < CHILD_PAGES / 2);
    spin();
    CHECK_INT(tvp_counters_stop(s), 0);
    CHECK_INT(tvp_counters_read(s, v), 0);
    CHECK_MSG(v[pf].valid && v[pf].value < CHILD_PAGES / 2, "second cycle page faults %.0f",
              v[pf].value);
    CHECK(v[tc].valid && v[tc].value > 0 && v[tc].running_fraction == 1.0);
    printf("software, second cycle: page_faults=%.0f task_clock=%.0f ns\n", v[pf].value,
           v[tc].value);

    munmap(buf, len);
    tvp_counters_close(p);
    tvp_counters_close(s);
}

/* Checks one set holding "cycles": available and counting, or unavailable with a kernel reason
 * and never a value. Returns 1 when available. */
static int check_cycles(struct tvp_counter_set *s, const char *label)
{
    struct tvp_counter_value v = {.valid = -1, .value = 0};
    CHECK_INT(tvp_counters_start(s), 0);
    spin();
    CHECK_INT(tvp_counters_stop(s), 0);
    CHECK_INT(tvp_counters_read(s, &v), 0);
    const char *reason = tvp_counter_reason(s, 0);
    if (tvp_counter_available(s, 0)) {
        CHECK_STR(reason, "");
        CHECK_MSG(v.valid && v.value > 0, "%s: valid=%d value=%g", label, v.valid, v.value);
        CHECK(v.running_fraction > 0 && v.running_fraction <= 1.0);
        printf("%s: cycles available (PMU present%s): %.0f cycles, running fraction %.3f\n", label,
               tvp_counter_user_only(s, 0) ? ", user mode only" : "", v.value, v.running_fraction);
        return 1;
    }
    CHECK_MSG(strncmp(reason, "perf_event_open: ", 17) == 0, "%s: reason \"%s\"", label, reason);
    CHECK(strchr(reason, '(') != NULL); /* with a hint */
    CHECK_INT(v.valid, 0);
    CHECK(isnan(v.value)); /* never a 0 */
    printf("%s: cycles unavailable: %s\n", label, reason);
    return 0;
}

/* (b) the refusal path, or on a machine with a PMU the counting path. */
static void test_hardware(void)
{
    static const char *const names[] = {"cycles"};
    struct tvp_counter_set *s = NULL;
    char err[256] = "";
    CHECK_INT(tvp_counters_open(names, 1, 1, &s, err, sizeof err), 0);
    if (!s)
        return;
    CHECK_STR(tvp_counter_column(s, 0), "cycles");
    check_cycles(s, "hardware");
    tvp_counters_close(s);
}

/* (c) a name libpfm4 does not know. */
static void test_unknown(void)
{
    static const char *const names[] = {"no-such-event-xyz", "task-clock"};
    struct tvp_counter_set *s = NULL;
    char err[256] = "";
    CHECK_INT(tvp_counters_open(names, 2, 0, &s, err, sizeof err), 0);
    if (!s)
        return;
    CHECK(!tvp_counter_available(s, 0));
    CHECK_MSG(strncmp(tvp_counter_reason(s, 0), "libpfm4: ", 9) == 0 &&
                  strlen(tvp_counter_reason(s, 0)) > 9,
              "reason \"%s\"", tvp_counter_reason(s, 0));
    CHECK_STR(tvp_counter_column(s, 0), "no_such_event_xyz");
    CHECK(tvp_counter_available(s, 1));
    struct tvp_counter_value v[2];
    CHECK_INT(tvp_counters_start(s), 0);
    spin();
    CHECK_INT(tvp_counters_stop(s), 0);
    CHECK_INT(tvp_counters_read(s, v), 0);
    CHECK(!v[0].valid && isnan(v[0].value));
    CHECK(v[1].valid && v[1].value > 0); /* the unavailable event does not spoil the others */
    printf("unknown: no-such-event-xyz unavailable: %s\n", tvp_counter_reason(s, 0));
    tvp_counters_close(s);
}

static int read_paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int v = -99;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = -99;
        fclose(f);
    }
    return v;
}

/* As root, drops to nobody in a child to exercise the perf_event_paranoid path: kernel-mode
 * counting refused, the event reopened for user mode only (paranoid 2), or refused outright
 * with the paranoid value in the reason (Debian's paranoid 3). */
static void test_unprivileged(void)
{
    if (geteuid() != 0) {
        printf("unprivileged: skipped (not running as root)\n");
        return;
    }
    int paranoid = read_paranoid();
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        check_passed = check_failed = 0;
        int counts[3] = {0, 0, 0}; /* passed, failed, skipped */
        if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
            setresuid(65534, 65534, 65534) != 0) {
            printf("unprivileged: skipped (cannot drop to uid 65534: %s)\n", strerror(errno));
            counts[2] = 1;
        } else {
            static const char *const names[] = {"task-clock"};
            static const char *const hw[] = {"cycles"};
            struct tvp_counter_set *s = NULL, *h = NULL;
            char err[256] = "";
            CHECK_INT(tvp_counters_open(names, 1, 1, &s, err, sizeof err), 0);
            CHECK_INT(tvp_counters_open(hw, 1, 1, &h, err, sizeof err), 0);
            if (s) {
                const char *reason = tvp_counter_reason(s, 0);
                if (tvp_counter_available(s, 0)) {
                    CHECK_INT(tvp_counter_user_only(s, 0), paranoid >= 2);
                    struct tvp_counter_value v;
                    CHECK_INT(tvp_counters_start(s), 0);
                    spin();
                    CHECK_INT(tvp_counters_stop(s), 0);
                    CHECK_INT(tvp_counters_read(s, &v), 0);
                    CHECK(v.valid && v.value > 0);
                    printf("unprivileged (paranoid %d): task-clock available%s, %.0f ns\n",
                           paranoid, tvp_counter_user_only(s, 0) ? ", user mode only" : "",
                           v.value);
                } else {
                    CHECK(paranoid >= 3);
                    CHECK_MSG(strstr(reason, "perf_event_paranoid=") != NULL, "reason \"%s\"",
                              reason);
                    printf("unprivileged (paranoid %d): task-clock unavailable: %s\n", paranoid,
                           reason);
                }
                tvp_counters_close(s);
            }
            if (h) {
                check_cycles(h, "unprivileged");
                tvp_counters_close(h);
            }
        }
        counts[0] = check_passed;
        counts[1] = check_failed;
        fflush(stdout);
        _exit(write(fds[1], counts, sizeof counts) == (ssize_t)sizeof counts ? 0 : 1);
    }
    close(fds[1]);
    CHECK(pid > 0);
    int counts[3] = {0, 1, 0};
    CHECK(read(fds[0], counts, sizeof counts) == (ssize_t)sizeof counts);
    close(fds[0]);
    int status = -1;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check_passed += counts[0];
    check_failed += counts[1];
}

/* The perf_event fd this process holds, if exactly one; -1 otherwise. */
static int only_perf_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int found = -1, count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[300], link[64];
        snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
        ssize_t n = readlink(path, link, sizeof link - 1);
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (strcmp(link, "anon_inode:[perf_event]") == 0) {
            found = atoi(de->d_name);
            count++;
        }
    }
    closedir(d);
    return count == 1 ? found : -1;
}

/* Failing system calls are reported with the event, the step and strerror: the counter's fd
 * is replaced behind the set's back by /dev/null, which refuses the ioctls and reads 0 bytes. */
static void test_syscall_errors(void)
{
    static const char *const names[] = {"no-such-event-xyz", "task-clock"};
    struct tvp_counter_set *s = NULL;
    char err[256] = "";
    CHECK_INT(tvp_counters_open(names, 2, 0, &s, err, sizeof err), 0);
    if (!s)
        return;
    int fd = only_perf_fd();
    CHECK(fd >= 0);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK(null >= 0);
    if (fd < 0 || null < 0 || dup3(null, fd, O_CLOEXEC) != fd) {
        CHECK(0);
        tvp_counters_close(s);
        return;
    }
    close(null);
    CHECK_INT(tvp_counters_start(s), ENOTTY);
    CHECK_STR(tvp_counters_error(s),
              "resetting counter task-clock: Inappropriate ioctl for device");
    CHECK_INT(tvp_counters_stop(s), ENOTTY);
    CHECK_STR(tvp_counters_error(s),
              "disabling counter task-clock: Inappropriate ioctl for device");
    struct tvp_counter_value v[2];
    CHECK_INT(tvp_counters_read(s, v), EIO);
    CHECK_STR(tvp_counters_error(s), "reading counter task-clock: got 0 of 24 bytes");
    CHECK(!v[0].valid && !v[1].valid && isnan(v[1].value));
    printf("syscall errors: %s\n", tvp_counters_error(s));
    tvp_counters_close(s);
}

int main(void)
{
    test_columns();
    test_parse_list();
    test_defaults();
    test_open_errors();
    test_software();
    test_hardware();
    test_unknown();
    test_syscall_errors();
    test_unprivileged();
    return CHECK_DONE();
}
