/* A minimal test harness: each CHECK prints the failing expression with its location and
 * counts the failure; a test program ends with CHECK_DONE(), which prints
 * "N passed, M failed" and returns non-zero if anything failed, so ctest sees it. */
#ifndef TVP_CHECK_H
#define TVP_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
        } else {                                                                                   \
            check_failed++;                                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%s = %.9g, expected %.9g +- %g", #a,      \
              (double)(a), (double)(b), (double)(tol))

#define CHECK_INT(a, b)                                                                            \
    CHECK_MSG((long long)(a) == (long long)(b), "%s = %lld, expected %lld", #a, (long long)(a),    \
              (long long)(b))

static inline int check_str_eq(const char *a, const char *b)
{
    return a != NULL && strcmp(a, b) == 0;
}

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a);                                                                \
        CHECK_MSG(check_str_eq(check_a_, (b)), "%s = \"%s\", expected \"%s\"", #a,                 \
                  check_a_ ? check_a_ : "(null)", (b));                                            \
    } while (0)

#define CHECK_DONE()                                                                               \
    (printf("%d passed, %d failed\n", check_passed, check_failed), check_failed != 0)

#endif
