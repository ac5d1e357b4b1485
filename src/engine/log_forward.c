/* SPDX-License-Identifier: Apache-2.0 */
/* The journald and syslog drivers of the monitor (log_forward.h). */
#include "engine/log_forward.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine/log_drivers.h"
#include "engine/logs.h"
#include "lib/cleanup.h"
#include "lib/sbuf.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static const char *const facility_names[] = {
	"kern",	  "user",   "mail",	"daemon", "auth",   "syslog", "lpr",	"news",
	"uucp",	  "cron",   "authpriv", "ftp",	  "",	    "",	      "",	"",
	"local0", "local1", "local2",	"local3", "local4", "local5", "local6", "local7",
};

static int unix_connect(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static int udp_connect(const char *hostport)
{
	_cleanup_free_ char *host = strdup(hostport);
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
	char *colon = host ? strrchr(host, ':') : NULL;
	int fd = -EINVAL;

	if (!colon)
		return host ? -EINVAL : -ENOMEM;
	*colon = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res)
		return -EHOSTUNREACH;
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		close(fd);
		fd = -errno;
	} else if (fd < 0)
		fd = -errno;
	freeaddrinfo(res);
	return fd;
}

/* The syslog socket of address (default: the local /dev/log, datagram then stream). */
static int syslog_connect(struct log_forward *f, const char *address)
{
	int fd;

	if (!address) {
		if ((fd = unix_connect("/dev/log", SOCK_DGRAM)) >= 0)
			return fd;
		f->stream = true;
		return unix_connect("/dev/log", SOCK_STREAM);
	}
	if (!strncmp(address, "unixgram://", 11))
		return unix_connect(address + 11, SOCK_DGRAM);
	if (!strncmp(address, "unix://", 7)) {
		f->stream = true;
		return unix_connect(address + 7, SOCK_STREAM);
	}
	return udp_connect(address + 6); /* udp://, the only other scheme create lets by */
}

int log_forward_open(struct log_forward *f, const struct container_config *cfg, struct berr **err)
{
	const char *mode = log_opt(cfg, "mode"), *format = log_opt(cfg, "syslog-format");
	const char *facility = log_opt(cfg, "syslog-facility");
	int fd;

	*f = (struct log_forward){.fd = -1};
	if (!log_forwards(cfg))
		return 0;
	f->journald = !strcmp(cfg->log_driver, "journald");
	f->blocking = !mode || strcmp(mode, "non-blocking") != 0;
	f->rfc5424 = format && !strncmp(format, "rfc5424", 7);
	f->facility = 3; /* daemon, docker's default */
	for (int i = 0; facility && i < (int) (sizeof(facility_names) / sizeof(*facility_names));
	     i++)
		if (!strcmp(facility, facility_names[i]))
			f->facility = i;
	fd = f->journald ? unix_connect(JOURNAL_SOCKET, SOCK_DGRAM)
			 : syslog_connect(f, log_opt(cfg, "syslog-address"));
	if (fd < 0)
		return f->journald
			       ? berr_set(err, -fd,
					  "failed to initialize logging driver: journald is not "
					  "enabled on this host")
			       : berr_sys(err, -fd,
					  "failed to initialize logging driver: cannot reach "
					  "syslog at %s",
					  log_opt(cfg, "syslog-address")
						  ? log_opt(cfg, "syslog-address")
						  : "/dev/log");
	f->fd = fd;
	f->tag = log_tag(cfg);
	f->id = strdup(cfg->id);
	f->name = strdup(cfg->name ? cfg->name : "");
	f->image = strdup(cfg->image ? cfg->image : "");
	if (!f->tag || !f->id || !f->name || !f->image) {
		log_forward_close(f);
		return berr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int add_field(struct sbuf *b, const char *key, const char *v, size_t len)
{
	return sbuf_adds(b, key) < 0 || sbuf_addc(b, '=') < 0 || sbuf_add(b, v, len) < 0 ||
			       sbuf_addc(b, '\n') < 0
		       ? -ENOMEM
		       : 0;
}

/* journald's native protocol; MESSAGE in its binary form (any byte may be in a line). */
static int journal_message(struct log_forward *f, struct sbuf *b, enum log_stream s,
			   const char *line, size_t len, bool partial)
{
	unsigned char le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char) ((uint64_t) len >> (8 * i));
	if (sbuf_adds(b, "MESSAGE\n") < 0 || sbuf_add(b, (const char *) le, 8) < 0 ||
	    sbuf_add(b, line, len) < 0 || sbuf_addc(b, '\n') < 0 ||
	    add_field(b, "CONTAINER_ID", f->id, strlen(f->id) < 12 ? strlen(f->id) : 12) < 0 ||
	    add_field(b, "CONTAINER_ID_FULL", f->id, strlen(f->id)) < 0 ||
	    add_field(b, "CONTAINER_NAME", f->name, strlen(f->name)) < 0 ||
	    add_field(b, "CONTAINER_TAG", f->tag, strlen(f->tag)) < 0 ||
	    add_field(b, "IMAGE_NAME", f->image, strlen(f->image)) < 0 ||
	    add_field(b, "SYSLOG_IDENTIFIER", f->tag, strlen(f->tag)) < 0 ||
	    add_field(b, "PRIORITY", s == LOG_STDERR ? "3" : "6", 1) < 0 ||
	    (partial && add_field(b, "CONTAINER_PARTIAL_MESSAGE", "true", 4) < 0))
		return -ENOMEM;
	return 0;
}

/* RFC 3164 as docker writes to a local socket, or RFC 5424. */
static int syslog_message(struct log_forward *f, struct sbuf *b, enum log_stream s,
			  const char *line, size_t len)
{
	int pri = f->facility * 8 + (s == LOG_STDERR ? 3 : 6);
	char head[512], stamp[64], host[256] = "-";
	time_t now = time(NULL);
	struct tm tm;

	if (f->rfc5424) {
		(void) gethostname(host, sizeof(host) - 1);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
		snprintf(head, sizeof(head), "<%d>1 %s %s %s %d - - ", pri, stamp, host, f->tag,
			 (int) getpid());
	} else {
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", localtime_r(&now, &tm));
		snprintf(head, sizeof(head), "<%d>%s %s[%d]: ", pri, stamp, f->tag, (int) getpid());
	}
	if (sbuf_adds(b, head) < 0 || sbuf_add(b, line, len) < 0 ||
	    (f->stream && sbuf_addc(b, '\n') < 0))
		return -ENOMEM;
	return 0;
}

static void send_line(struct log_forward *f, enum log_stream s, const char *line, size_t len,
		      bool partial)
{
	struct sbuf b = {0};
	int r = f->journald ? journal_message(f, &b, s, line, len, partial)
			    : syslog_message(f, &b, s, line, len);
	size_t off = 0;

	while (r >= 0 && off < b.n) {
		ssize_t n = send(f->fd, b.p + off, b.n - off,
				 MSG_NOSIGNAL | (f->blocking ? 0 : MSG_DONTWAIT));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || !f->stream)
			break; /* a datagram goes whole or not at all; a lost service drops lines */
		off += (size_t) n;
	}
	sbuf_done(&b);
}

void log_forward_write(struct log_forward *f, enum log_stream s, const char *buf, size_t len)
{
	char *p;
	size_t n, start = 0;

	if (f->fd < 0 || s >= _LOG_STREAM_MAX)
		return;
	p = realloc(f->pending[s], f->pending_len[s] + len + 1);
	if (!p)
		return;
	memcpy(p + f->pending_len[s], buf, len);
	f->pending[s] = p;
	n = f->pending_len[s] + len;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			send_line(f, s, p + start, i - start, false);
			start = i + 1;
		} else if (i + 1 - start >= LOG_LINE_MAX) {
			send_line(f, s, p + start, i + 1 - start, true);
			start = i + 1;
		}
	}
	memmove(p, p + start, n - start);
	f->pending_len[s] = n - start;
}

void log_forward_close(struct log_forward *f)
{
	for (int s = 0; s < _LOG_STREAM_MAX; s++) {
		if (f->fd >= 0 && f->pending_len[s])
			send_line(f, (enum log_stream) s, f->pending[s], f->pending_len[s], true);
		free(f->pending[s]);
		f->pending[s] = NULL;
		f->pending_len[s] = 0;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->tag);
	free(f->id);
	free(f->name);
	free(f->image);
	f->tag = f->id = f->name = f->image = NULL;
}
