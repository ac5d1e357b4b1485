/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth attach: connect to the attach socket of a running container's monitor (one of
 * several clients it serves, monitor_attach.h) and relay as `run` does (attach.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/attach.h"
#include "cli/berth_container.h"
#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/monitor_attach.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

struct attach_flags {
	const char *detach_keys;
	bool no_stdin, sig_proxy;
};

/* docker's words for a container that is not running. */
static int check_running(const struct container *c, struct berr **err)
{
	switch (c->st.status) {
	case STATUS_RUNNING:
		return 0;
	case STATUS_PAUSED:
		return berr_set(err, EINVAL,
				"You cannot attach to a paused container, unpause it first");
	case STATUS_RESTARTING:
		return berr_set(err, EINVAL,
				"You cannot attach to a restarting container, wait until it is "
				"running");
	default:
		return berr_set(err, EINVAL,
				"You cannot attach to a stopped container, start it first");
	}
}

/* A connection to the monitor's attach socket in the container's directory. */
static int connect_monitor(const struct container *c, struct berr **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return berr_sys(err, errno, "socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", c->dirfd, ATTACH_SOCKET);
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int berth_attach_connect(struct engine *e, const char *ref, struct container **ret,
			 struct berr **err)
{
	_cleanup_container_ struct container *c = NULL;
	int r, fd;

	if ((r = container_open(e, ref, true, &c, err)) < 0)
		return r;
	(void) container_refresh(e, c, NULL);
	container_unlock(c);
	if ((r = check_running(c, err)) < 0)
		return r;
	fd = connect_monitor(c, err);
	if (fd == -ENOENT || fd == -ECONNREFUSED) {
		/* the monitor is gone or going: the container stopped meanwhile */
		_cleanup_container_ struct container *now = NULL;

		if (container_load(e, c->cfg->id, true, &now, NULL) >= 0 &&
		    (r = check_running(now, err)) < 0)
			return r;
		return berr_sys(err, -fd, "cannot connect to the monitor of container %s",
				c->cfg->id);
	}
	if (fd < 0)
		return *err ? fd
			    : berr_sys(err, -fd, "cannot connect to the monitor of container %s",
				       c->cfg->id);
	*ret = TAKE_PTR(c);
	return fd;
}

int berth_attach_running(struct berth_ctx *ctx, const char *ref, bool no_stdin, bool sig_proxy,
			 const struct detach_keys *keys)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct attach_opts o = {.keys = keys, .all_signals = true, .say_detach = true};
	struct engine *e;
	int fd;

	if (!(e = berth_engine(ctx)))
		return 1;
	if ((fd = berth_attach_connect(e, ref, &c, &err)) < 0)
		return berth_report(fd, &err) ? 1 : 0;
	o.tty = c->cfg->tty;
	o.interactive = !no_stdin && c->cfg->open_stdin;
	o.sig_proxy = sig_proxy && !o.tty;
	o.redraw = o.tty && isatty(STDOUT_FILENO);
	if (o.tty && !no_stdin && !isatty(STDIN_FILENO)) {
		close(fd);
		log_error_report("the input device is not a TTY");
		return 1;
	}
	if (!o.interactive)
		(void) shutdown(fd, SHUT_WR); /* the monitor reads nothing from us */
	return berth_attach(ctx, c->cfg->id, fd, &o);
}

int berth_cmd_attach(struct berth_ctx *ctx, int argc, char **argv)
{
	struct attach_flags f = {.sig_proxy = true};
	const struct opt_def defs[] = {
		{"detach-keys", 0, OPT_STRING, &f.detach_keys, "KEYS",
		 "key sequence to detach (default ctrl-p,ctrl-q)"},
		{"no-stdin", 0, OPT_BOOL, &f.no_stdin, NULL, "do not attach STDIN"},
		{"sig-proxy", 0, OPT_BOOL, &f.sig_proxy, NULL,
		 "proxy received signals to the process (default true, not with a tty)"},
		END_OPTS,
	};
	_cleanup_strv_ char **pos = NULL;
	struct detach_keys keys;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] CONTAINER", 1, 1, &pos));
	if (berth_detach_keys(f.detach_keys, &keys) < 0)
		return 1;
	return berth_attach_running(ctx, pos[0], f.no_stdin, f.sig_proxy, &keys);
}
