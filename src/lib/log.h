/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging for the command-line front ends (runc's --log, --log-format, --debug).
 * Library code logs at debug level only (STYLE.md §3); the CLI reports warnings and
 * errors. The level and destination are the one piece of file-scope state allowed
 * besides caches (STYLE.md §7).
 */
#ifndef BERTH_LIB_LOG_H
#define BERTH_LIB_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

/*
 * Configure logging. path (may be NULL: stderr) is opened lazily, in append mode, on the
 * first message. program prefixes text lines on stderr ("berth-runtime: ...").
 */
void log_setup(const char *program, const char *path, enum log_format format, enum log_level level);

/*
 * Open the log file log_setup() named now rather than at the first message (0 when there
 * is none or it is open already), so that a bad path is reported up front and the file
 * exists after a quiet run, as runc's --log. On failure (-errno) messages go to stderr.
 */
int log_open(void);

/* Parse "text"/"json"; -EINVAL for anything else. */
int log_format_from_string(const char *s, enum log_format *ret);

bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error the user must see: always on stderr, and in the log file when there is one. */
void log_error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_enabled(LOG_LEVEL_DEBUG))                                                  \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                     \
	} while (0)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)

#endif
