/*
 * eddy_log.h — one-line log messages to stderr with level and time.
 * The level threshold comes from EDDY_LOG (error|warn|info|debug; default info).
 */
#ifndef EDDY_LOG_H
#define EDDY_LOG_H

typedef enum { EDDY_LOG_ERROR, EDDY_LOG_WARN, EDDY_LOG_INFO, EDDY_LOG_DEBUG } eddy_log_level;

void eddy_log(eddy_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Overrides the threshold set by the environment. */
void eddy_log_set_level(eddy_log_level lvl);

#endif
