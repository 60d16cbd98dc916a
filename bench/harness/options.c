#include "options.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

enum arg_kind { ARG_FLAG, ARG_INT, ARG_SECONDS, ARG_PERCENT, ARG_TEXT };

struct option_spec {
    const char *name;
    enum arg_kind kind;
    const char *metavar;
    double lo, hi;
    const char *dflt;
    const char *help;
};

static const struct option_spec specs[] = {
    {"--quick", ARG_FLAG, NULL, 0, 0, "off",
     "short run: a looser CI target, shorter batches and caps, smaller sweeps"},
    {"--out", ARG_TEXT, "DIR", 0, 0, "results/<host>-<UTC time>",
     "write the run folder here (must not exist or be empty)"},
    {"--counters", ARG_TEXT, "LIST", 0, 0,
     "cycles,instructions,cache-misses,branch-misses,task-clock,context-switches,"
     "cpu-migrations,page-faults",
     "comma-separated perf/libpfm4 event names"},
    {"--no-counters", ARG_FLAG, NULL, 0, 0, "off", "do not open performance counters"},
    {"--ci-target", ARG_PERCENT, "PERCENT", 0.1, 100, "3 (quick: 10)",
     "sample each case until the 95% CI of every time figure's median is within this share of "
     "the median (tails and CPU times excepted), from --min-samples up to the case's time cap"},
    {"--min-samples", ARG_INT, "N", 2, 1000, "9 (quick: 6)",
     "samples every figure takes, whatever its CI (cases judged on their own samples take more)"},
    {"--max-time", ARG_SECONDS, "SECONDS", 0.01, 600, "1 (quick: 0.1)",
     "time cap on one case's sampling once it has --min-samples; a case whose operation is costly "
     "by design scales it ('list --cases' shows each case's cap)"},
    {"--repetitions", ARG_INT, "N", 2, 1000, "off: the CI target decides",
     "exactly N samples per figure (each a calibrated batch), turning the CI target off"},
    {"--min-time", ARG_SECONDS, "SECONDS", 0.0005, 10, "0.005 (quick: 0.001)",
     "minimum duration of one sample (a batch); the iteration count is calibrated to it"},
    {"--placement", ARG_TEXT, "NAME[,NAME]", 0, 0, "all the machine has",
     "same-pu, smt-siblings, same-cache, cross-cache, cross-numa, spread"},
    {"--timeout", ARG_SECONDS, "SECONDS", 1, 3600, "120 (quick: 40)",
     "watchdog: a benchmark case still running after this is killed and reported"},
    {"--switch-interval", ARG_SECONDS, "SECONDS", 0.0001, 1, "0.005",
     "the emulated GIL's switch interval (CPython's sys.getswitchinterval()); the python "
     "group sets the same one"},
    {"--only", ARG_TEXT, "REGEX", 0, 0, "every case",
     "run only the cases whose name (group/benchmark/variant/model/placement[/param=N], as the "
     "progress lines and 'list --cases' show it) matches REGEX, a POSIX extended regular "
     "expression (plain text matches where it occurs; '^spawn/start/' anchors it; a name's '+' "
     "is matched by '\\+')"},
    {"--dry-run", ARG_FLAG, NULL, 0, 0, "off",
     "print the plan (each case by name with its estimated time, and the total) and the "
     "machine it was planned for; run nothing, create no results folder"},
    {"--topology", ARG_TEXT, "FILE.xml|synthetic:DESC", 0, 0, "this machine",
     "plan for another machine (list --cases and --dry-run only): an hwloc XML file as lstopo "
     "writes it, or an hwloc synthetic description, e.g. synthetic:\"pack:2 numa:2 core:8 "
     "pu:2\""},
    {"--python", ARG_TEXT, "PATH", 0, 0, "python3 on PATH",
     "the interpreter the python group measures (missing: that group is not measured)"},
};

void tvp_options_help(FILE *f)
{
    fprintf(f, "options:\n");
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char lhs[64];
        snprintf(lhs, sizeof lhs, "%s%s%s", specs[i].name, specs[i].metavar ? " " : "",
                 specs[i].metavar ? specs[i].metavar : "");
        fprintf(f, "  %-26s %s", lhs, specs[i].help);
        if (specs[i].kind != ARG_FLAG && specs[i].kind != ARG_TEXT)
            fprintf(f, " [%g..%g]", specs[i].lo, specs[i].hi);
        fprintf(f, " (default: %s)\n", specs[i].dflt);
    }
}

static const struct option_spec *find_spec(const char *name)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (strcmp(specs[i].name, name) == 0)
            return &specs[i];
    return NULL;
}

static int refuse(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "tvpbench: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

static int parse_number(const struct option_spec *s, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || v != v)
        return -1;
    if (s->kind == ARG_INT && v != (double)(long)v)
        return -1;
    if (v < s->lo || v > s->hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_placements(struct tvp_options *o)
{
    char copy[sizeof o->placements_arg];
    snprintf(copy, sizeof copy, "%s", o->placements_arg);
    o->placement_mask = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        enum tvp_placement_kind k;
        if (tvp_placement_parse(tok, &k) != 0)
            return refuse("--placement: unknown placement '%s'; accepted: %s", tok,
                          "same-pu, smt-siblings, same-cache, cross-cache, cross-numa, spread");
        o->placement_mask |= 1u << k;
    }
    if (o->placement_mask == 0)
        return refuse("--placement: empty list%s; accepted: %s", "",
                      "same-pu, smt-siblings, same-cache, cross-cache, cross-numa, spread");
    return 0;
}

static int parse_only(struct tvp_options *o, const char *pattern)
{
    regex_t re;
    int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[160];
        regerror(rc, &re, why, sizeof why);
        return refuse("--only: '%s' is not a valid regular expression: %s", pattern, why);
    }
    if (o->only[0])
        regfree(&o->only_re); /* the last --only counts */
    o->only_re = re;
    snprintf(o->only, sizeof o->only, "%s", pattern);
    return 0;
}

int tvp_options_only_match(const struct tvp_options *o, const char *case_name)
{
    return !o->only[0] || regexec(&o->only_re, case_name, 0, NULL, 0) == 0;
}

void tvp_options_free(struct tvp_options *o)
{
    if (o->only[0])
        regfree(&o->only_re);
    o->only[0] = '\0';
}

int tvp_options_parse(struct tvp_options *o, int argc, char **argv, int first, char **words,
                      int max_words, int *n_words)
{
    *n_words = 0;
    o->counters_enabled = 1;
    o->placement_mask = (1u << TVP_PL_COUNT) - 1;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-') {
            if (*n_words >= max_words)
                return refuse("too many words on the command line at '%s'%s", arg, "");
            words[(*n_words)++] = argv[i];
            continue;
        }
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (nlen >= sizeof name)
            nlen = sizeof name - 1;
        memcpy(name, arg, nlen);
        name[nlen] = '\0';
        const struct option_spec *s = find_spec(name);
        if (!s)
            return refuse("unknown option '%s'%s; see --help for the accepted options", name, "");
        if (s->kind == ARG_FLAG) {
            if (eq)
                return refuse("%s takes no value%s", name, "");
        } else {
            value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!value || !*value)
                return refuse("%s needs a value: %s", name, s->metavar);
        }
        if (strcmp(name, "--quick") == 0) {
            o->quick = 1;
        } else if (strcmp(name, "--dry-run") == 0) {
            o->dry_run = 1;
        } else if (strcmp(name, "--topology") == 0) {
            if (strlen(value) >= sizeof o->topology)
                return refuse("--topology: '%s' is longer than %s", value, "PATH_MAX");
            snprintf(o->topology, sizeof o->topology, "%s", value);
        } else if (strcmp(name, "--no-counters") == 0) {
            o->counters_enabled = 0;
        } else if (strcmp(name, "--out") == 0) {
            snprintf(o->out_dir, sizeof o->out_dir, "%s", value);
            o->out_given = 1;
        } else if (strcmp(name, "--only") == 0) {
            if (strlen(value) >= sizeof o->only)
                return refuse("--only: '%s' is longer than %s characters", value, "4095");
            int rc = parse_only(o, value);
            if (rc)
                return rc;
        } else if (strcmp(name, "--python") == 0) {
            if (strlen(value) >= sizeof o->python)
                return refuse("--python: the path is longer than %s%s", "PATH_MAX", "");
            snprintf(o->python, sizeof o->python, "%s", value);
        } else if (strcmp(name, "--counters") == 0) {
            snprintf(o->counters_arg, sizeof o->counters_arg, "%s", value);
            char err[160];
            int n = tvp_counters_parse_list(o->counters_arg, o->counter_names, TVP_MAX_COUNTERS,
                                            err, sizeof err);
            if (n < 0)
                return refuse("--counters: %s%s", err, "");
            o->n_counters = n;
        } else if (strcmp(name, "--placement") == 0) {
            snprintf(o->placements_arg, sizeof o->placements_arg, "%s", value);
            int rc = parse_placements(o);
            if (rc)
                return rc;
        } else {
            double v;
            if (parse_number(s, value, &v) != 0) {
                char range[96];
                snprintf(range, sizeof range, "%s %g..%g",
                         s->kind == ARG_INT       ? "a whole number"
                         : s->kind == ARG_PERCENT ? "a percentage"
                                                  : "a number of seconds",
                         s->lo, s->hi);
                fprintf(stderr, "tvpbench: %s: '%s' is not valid; accepted: %s\n", name, value,
                        range);
                return 2;
            }
            if (strcmp(name, "--repetitions") == 0)
                o->repetitions = (int)v;
            else if (strcmp(name, "--min-samples") == 0)
                o->min_samples = (int)v;
            else if (strcmp(name, "--ci-target") == 0)
                o->ci_target = v / 100.0;
            else if (strcmp(name, "--max-time") == 0)
                o->max_time_s = v;
            else if (strcmp(name, "--min-time") == 0)
                o->min_time_s = v;
            else if (strcmp(name, "--timeout") == 0)
                o->timeout_s = v;
            else if (strcmp(name, "--switch-interval") == 0)
                o->switch_interval_s = v;
        }
    }
    return 0;
}

void tvp_options_resolve(struct tvp_options *o)
{
    if (o->min_samples == 0)
        o->min_samples = o->quick ? TVP_QUICK_MIN_SAMPLES : TVP_FULL_MIN_SAMPLES;
    if (o->ci_target == 0)
        o->ci_target = o->quick ? TVP_QUICK_CI_TARGET : TVP_FULL_CI_TARGET;
    if (o->max_time_s == 0)
        o->max_time_s = o->quick ? TVP_QUICK_MAX_TIME_S : TVP_FULL_MAX_TIME_S;
    if (o->min_time_s == 0)
        o->min_time_s = o->quick ? TVP_QUICK_MIN_TIME_S : TVP_FULL_MIN_TIME_S;
    if (o->timeout_s == 0)
        o->timeout_s = o->quick ? 40 : 120;
    if (o->switch_interval_s == 0)
        o->switch_interval_s = 0.005;
    if (o->counters_enabled && o->n_counters == 0) {
        for (size_t i = 0; i < tvp_counters_default_len && i < TVP_MAX_COUNTERS; i++)
            o->counter_names[i] = tvp_counters_default[i];
        o->n_counters = (int)(tvp_counters_default_len < TVP_MAX_COUNTERS ? tvp_counters_default_len
                                                                          : TVP_MAX_COUNTERS);
    }
    if (!o->counters_enabled)
        o->n_counters = 0;
    if (o->placements_arg[0] == '\0')
        snprintf(o->placements_arg, sizeof o->placements_arg, "all");
}
