/*
 * check_main.h — the shared main() of every Check test executable.
 * A test file defines its suites and ends with EDDY_CHECK_MAIN(suite_a, ...).
 * Fork mode and the per-test timeout come from CK_FORK / CK_DEFAULT_TIMEOUT,
 * which CTest sets.
 */
#ifndef EDDY_CHECK_MAIN_H
#define EDDY_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define EDDY_CHECK_MAIN(...)                                             \
    int main(void) {                                                     \
        Suite *(*fns_[])(void) = {__VA_ARGS__};                          \
        SRunner *sr_ = srunner_create(fns_[0]());                        \
        for (size_t i_ = 1; i_ < sizeof fns_ / sizeof fns_[0]; i_++)     \
            srunner_add_suite(sr_, fns_[i_]());                          \
        srunner_run_all(sr_, CK_NORMAL);                                 \
        int nf_ = srunner_ntests_failed(sr_);                            \
        srunner_free(sr_);                                               \
        return nf_ == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                   \
    }

/* Makes a fresh temporary directory for a test; returns a static path. */
#include <stdio.h>
#include <unistd.h>
static inline const char *eddy_test_tmpdir(void) {
    static char path[256];
    snprintf(path, sizeof path, "/tmp/eddy-test-XXXXXX");
    return mkdtemp(path);
}

#endif
