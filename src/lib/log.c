/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fd.h"

static struct {
	const char *program;
	const char *path;
	enum log_format format;
	enum log_level level;
	int fd; /* -1: not opened yet; -2: stderr */
} log_state = {"berth", NULL, LOG_FORMAT_TEXT, LOG_LEVEL_WARN, -2};

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_setup(const char *program, const char *path, enum log_format format, enum log_level level)
{
	if (program)
		log_state.program = program;
	log_state.path = path && *path ? path : NULL;
	log_state.format = format;
	log_state.level = level;
	log_state.fd = log_state.path ? -1 : -2;
}

int log_format_from_string(const char *s, enum log_format *ret)
{
	if (strcmp(s, "text") == 0)
		*ret = LOG_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*ret = LOG_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

bool log_enabled(enum log_level level)
{
	return level <= log_state.level;
}

int log_open(void)
{
	int fd;

	if (log_state.fd != -1)
		return 0;
	fd = open(log_state.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	/* A log we cannot open must not stop what is under way: fall back to stderr. */
	log_state.fd = fd >= 0 ? fd : -2;
	return fd >= 0 ? 0 : -errno;
}

static int log_fd(void)
{
	(void) log_open();
	return log_state.fd == -2 ? STDERR_FILENO : log_state.fd;
}

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void log_write(int fd, bool to_stderr, enum log_level level, const char *text)
{
	char *line = NULL, ts[64];
	size_t size = 0;
	FILE *f = open_memstream(&line, &size);
	struct timespec now;
	struct tm tm;

	if (!f)
		return;
	if (to_stderr || log_state.format == LOG_FORMAT_TEXT) {
		if (to_stderr)
			fprintf(f, "%s: ", log_state.program);
		if (level != LOG_LEVEL_ERROR)
			fprintf(f, "%s: ", level_names[level]);
		fprintf(f, "%s\n", text);
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"",
			level == LOG_LEVEL_WARN ? "warning" : level_names[level]);
		json_escape(f, text);
		fprintf(f, "\",\"time\":\"%s.%09ldZ\"}\n", ts, now.tv_nsec);
	}
	if (fclose(f) == 0)
		(void) write_all(fd, line, size);
	free(line);
}

static void log_vmsg(enum log_level level, bool force_stderr, const char *fmt, va_list ap)
{
	char *text = NULL;
	int saved = errno;
	int fd;

	if (vasprintf(&text, fmt, ap) < 0) {
		errno = saved;
		return;
	}
	fd = log_fd();
	if (log_enabled(level) || force_stderr)
		log_write(fd, fd == STDERR_FILENO, level, text);
	if (force_stderr && fd != STDERR_FILENO)
		log_write(STDERR_FILENO, true, level, text);
	free(text);
	errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vmsg(level, false, fmt, ap);
	va_end(ap);
}

void log_error_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, true, fmt, ap);
	va_end(ap);
}
