/*
 * eddy_log.c — stderr logger (see eddy_log.h).
 */
#include "eddy_log.h"
#include "eddy_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int threshold = -1;

void eddy_log_set_level(eddy_log_level lvl) { threshold = (int)lvl; }

static int level_from_env(void) {
    const char *e = getenv("EDDY_LOG");
    if (!e) return EDDY_LOG_INFO;
    if (!strcmp(e, "error")) return EDDY_LOG_ERROR;
    if (!strcmp(e, "warn")) return EDDY_LOG_WARN;
    if (!strcmp(e, "debug")) return EDDY_LOG_DEBUG;
    return EDDY_LOG_INFO;
}

void eddy_log(eddy_log_level lvl, const char *fmt, ...) {
    if (threshold < 0) threshold = level_from_env();
    if ((int)lvl > threshold) return;
    static const char *names[] = {"error", "warn", "info", "debug"};
    char ts[32], line[1024];
    eddy_ts_format_iso(eddy_now_ms(), ts);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s eddy %s: %s\n", ts, names[lvl], line);
}
