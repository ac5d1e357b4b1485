/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP side of the API: libmicrohttpd, one thread per connection, each request with
 * its own engine handle (nothing is shared between requests but the --root). The body is
 * collected up to API_BODY_MAX, the /v1.NN prefix checked and removed, then api_route().
 * SIGTERM/SIGINT stop it: the hijacked connections' relays are ended first (they block
 * their connections' threads, which MHD_stop_daemon() joins), then the daemon; the
 * containers run on.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api_hijack.h"
#include "api/api_internal.h"
#include "api/api_listen.h"
#include "image/registry_config.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

/* how long the stop waits for the hijacked connections' relays to end */
#define HIJACK_STOP_S 5

struct server {
	const struct api_opts *o;
	atomic_int active;     /* requests being served */
	atomic_llong last_use; /* CLOCK_MONOTONIC seconds of the last request's end */
};

/* A connection's request body, collected before the handler runs. */
struct pending {
	char *buf;
	size_t len;
	bool too_big;
	int fd;			   /* a PUT's body goes to this unlinked file instead (-1: none) */
	long long spooled;	   /* its size so far */
	struct api_hijack *hijack; /* a 101 reply's, freed when the connection ends */
};

/* set by SIGTERM and SIGINT: the loop in api_serve() ends */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

static long long mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* "1.41" as 141; -1 when it is not MAJOR.MINOR */
static int version_number(const char *s, size_t len)
{
	unsigned major, minor;
	char buf[16], tail;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (sscanf(buf, "%u.%u%c", &major, &minor, &tail) != 2 || major > 9 || minor > 99)
		return -1;
	return (int) (major * 100 + minor);
}

/* Strip /vX.Y, refusing versions outside [API_MIN_VERSION, API_VERSION] as dockerd does. */
static int strip_version(struct api_req *r, const char *url)
{
	const char *end;
	int v;

	if (strncmp(url, "/v", 2) != 0 || !(end = strchr(url + 2, '/')) ||
	    (v = version_number(url + 2, (size_t) (end - url - 2))) < 0) {
		r->path = url;
		return 0;
	}
	r->path = end;
	if (v > version_number(API_VERSION, strlen(API_VERSION)))
		return api_reply_error(r, 400,
				       "client version %.*s is too new. Maximum supported API "
				       "version is " API_VERSION,
				       (int) (end - url - 2), url + 2) < 0
			       ? -EIO
			       : 1;
	if (v < version_number(API_MIN_VERSION, strlen(API_MIN_VERSION)))
		return api_reply_error(r, 400,
				       "client version %.*s is too old. Minimum supported API "
				       "version is " API_MIN_VERSION
				       ", please upgrade your client to a newer version",
				       (int) (end - url - 2), url + 2) < 0
			       ? -EIO
			       : 1;
	return 0;
}

static char **split_path(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	char **parts = calloc(1, sizeof(char *)), *save = NULL;

	if (!copy || !parts)
		return strv_free(parts);
	for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save))
		if (strv_push_dup(&parts, p) < 0)
			return strv_free(parts);
	return parts;
}

/* Serve one complete request with a fresh engine context. */
static void serve(const struct server *srv, struct MHD_Connection *conn, const char *url,
		  const char *method, struct pending *p)
{
	struct berth_ctx ctx = {.root = srv->o->root,
				.debug = srv->o->debug,
				.registry_config = srv->o->registry_config,
				.config = srv->o->config};
	struct api_req r = {.conn = conn,
			    .method = method,
			    .body = p->buf ? p->buf : "",
			    .body_len = p->len,
			    .body_fd = p->fd,
			    .ctx = &ctx};
	int ret = strip_version(&r, url);

	log_debug("%s %s", method, url);
	if (ret == 0 && p->too_big)
		ret = api_reply_error(&r, 413, "request body is larger than %lld bytes",
				      p->fd >= 0 ? API_ARCHIVE_MAX : (long long) API_BODY_MAX);
	else if (ret == 0 && p->fd >= 0 && lseek(p->fd, 0, SEEK_SET) < 0)
		ret = -errno;
	else if (ret == 0 && !(r.parts = split_path(r.path)))
		ret = -ENOMEM;
	else if (ret == 0)
		ret = api_route(&r);
	p->hijack = r.hijack;
	if (ret < 0 && !r.replied)
		(void) api_reply_error(&r, 500, "%s", strerror(-ret));
	strv_free(r.parts);
	ctx.store = image_store_free(ctx.store);
	ctx.engine = engine_free(ctx.engine);
	ctx.registries = registry_config_free(ctx.registries);
}

static bool collect(struct pending *p, const char *data, size_t len)
{
	char *n;

	if (p->fd >= 0) {
		if (p->too_big || (long long) len > API_ARCHIVE_MAX - p->spooled) {
			p->too_big = true;
			return true;
		}
		p->spooled += (long long) len;
		return write_all(p->fd, data, len) >= 0;
	}
	if (p->too_big || len > API_BODY_MAX - p->len) {
		p->too_big = true;
		return true;
	}
	if (!(n = realloc(p->buf, p->len + len + 1)))
		return false;
	memcpy(n + p->len, data, len);
	p->len += len;
	n[p->len] = '\0';
	p->buf = n;
	return true;
}

/*
 * A tar body is spooled to an unlinked file, not kept in memory: a PUT (docker's archive
 * upload), a body of type application/x-tar, and POST /build and /images/load (whose
 * clients do not all say the type).
 */
static bool spooled_body(struct MHD_Connection *conn, const char *url, const char *method)
{
	const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	const char *path = url;

	if (strcmp(method, "PUT") == 0)
		return true;
	if (type && (strncmp(type, "application/x-tar", 17) == 0 ||
		     strncmp(type, "application/tar", 15) == 0))
		return true;
	if (strncmp(url, "/v", 2) == 0 && strchr(url + 1, '/'))
		path = strchr(url + 1, '/');
	return strcmp(method, "POST") == 0 &&
	       (strcmp(path, "/build") == 0 || strcmp(path, "/images/load") == 0);
}

static struct pending *pending_new(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct pending *p = calloc(1, sizeof(*p));
	const char *tmp = secure_getenv("TMPDIR");

	if (!p)
		return NULL;
	p->fd = -1;
	if (spooled_body(conn, url, method) &&
	    (p->fd = open(tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct pending *p = *con_cls;

	(void) version;
	if (!p) {
		if (!(p = pending_new(conn, url, method)))
			return MHD_NO;
		*con_cls = p;
		atomic_fetch_add(&srv->active, 1);
		return MHD_YES;
	}
	if (*upload_data_size) {
		bool ok = collect(p, upload_data, *upload_data_size);

		*upload_data_size = 0;
		return ok ? MHD_YES : MHD_NO;
	}
	serve(srv, conn, url, method, p);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct pending *p = *con_cls;

	(void) conn;
	(void) toe;
	if (!p)
		return;
	api_hijack_free(p->hijack);
	free(p->buf);
	if (p->fd >= 0)
		(void) close(p->fd);
	free(p);
	*con_cls = NULL;
	atomic_store(&srv->last_use, mono_s());
	atomic_fetch_sub(&srv->active, 1);
}

static void install_stop_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};

	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) sigaction(SIGINT, &sa, NULL);
}

/* Wait for a stop signal, or o->timeout_s without a request (podman's --time). */
static void wait_until_done(struct server *srv)
{
	const struct timespec tick = {.tv_nsec = 200 * 1000 * 1000};

	while (!stop_requested) {
		if (srv->o->timeout_s > 0 && atomic_load(&srv->active) == 0 &&
		    mono_s() - atomic_load(&srv->last_use) >= srv->o->timeout_s)
			return;
		(void) nanosleep(&tick, NULL);
	}
}

int api_serve(const struct api_opts *o, struct berr **err)
{
	struct server srv = {.o = o};
	_cleanup_free_ char *unix_path = NULL;
	struct MHD_Daemon *d;
	int stuck, fd = api_listen_systemd();

	if (fd == -ENOENT)
		fd = api_listen(o->uri ? o->uri : API_DEFAULT_URI, o->gid, &unix_path, err);
	if (fd < 0)
		return fd;
	atomic_store(&srv.last_use, mono_s());
	stop_requested = 0;
	install_stop_handlers();
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE,
			     0, NULL, NULL, on_request, &srv, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 300, MHD_OPTION_END);
	if (!d) {
		(void) close(fd);
		if (unix_path)
			(void) unlink(unix_path);
		return berr_set(err, EIO, "cannot start the HTTP server");
	}
	wait_until_done(&srv);
	stuck = api_hijack_stop_all(HIJACK_STOP_S);
	/* a relay that did not end would hold MHD_stop_daemon() in its join for ever */
	if (stuck == 0)
		MHD_stop_daemon(d); /* closes fd too */
	if (unix_path)
		(void) unlink(unix_path);
	if (stuck > 0)
		return berr_set(err, ETIMEDOUT,
				"%d hijacked connections (attach, exec) did not end in %d s, "
				"exiting without closing them",
				stuck, HIJACK_STOP_S);
	return 0;
}
