/* SPDX-License-Identifier: Apache-2.0 */
/* berth system service: the Docker Engine API (src/api) on a unix socket. */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/berth_cmds.h"
#include "engine/rootless.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

/* --group NAME|GID: the group of the socket, as dockerd's -G */
static int group_id(const char *name, gid_t *ret, struct berr **err)
{
	char buf[16384];
	struct group gr, *found = NULL;
	char *end;
	unsigned long n;
	int r;

	errno = 0;
	n = strtoul(name, &end, 10);
	if (*name && !*end && errno == 0 && n < (gid_t) -1) {
		*ret = (gid_t) n;
		return 0;
	}
	r = getgrnam_r(name, &gr, buf, sizeof(buf), &found);
	if (r != 0)
		return berr_sys(err, r, "cannot look up group '%s'", name);
	if (!found)
		return berr_set(err, EINVAL, "group '%s' not found", name);
	*ret = gr.gr_gid;
	return 0;
}

int berth_cmd_system_service(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *timeout_s = NULL, *group = NULL;
	const struct opt_def defs[] = {
		{"group", 'G', OPT_STRING, &group, "GROUP",
		 "the unix socket's group (default root): its members may drive the engine"},
		{"timeout", 't', OPT_STRING, &timeout_s, "SECONDS",
		 "exit after this long without a request (default 0: never)"},
		{"time", 0, OPT_STRING, &timeout_s, NULL, NULL},
		END_OPTS,
	};
	struct api_opts o = {.root = ctx->root,
			     .registry_config = ctx->registry_config,
			     .config = ctx->config,
			     .debug = ctx->debug};
	_cleanup_free_ char *rootless_uri = NULL;
	int64_t t = 0;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(
		argc, argv, defs,
		"[--timeout SECONDS] [--group GROUP] [URI]\n\n"
		"Serve the Docker Engine API (1.41) on URI: unix:///PATH (default " API_DEFAULT_URI
		", root:root 0660,\nroot:GROUP with --group) or tcp://127.0.0.1:PORT (tests only;\n"
		"it gives root to anyone who can connect). Under systemd socket activation\n"
		"(LISTEN_FDS) the passed socket is served instead. Docker clients use it with\n"
		"DOCKER_HOST=unix:///PATH. Rootless, the default is\n"
		"unix://$XDG_RUNTIME_DIR/berth/docker.sock",
		0, 1, &pos));
	if (timeout_s && units_parse_int(timeout_s, 0, INT32_MAX, "--timeout", &t, &err) < 0)
		return berth_report(-EINVAL, &err) ? 125 : 0;
	o.timeout_s = (int) t;
	o.uri = pos && pos[0] ? pos[0] : NULL;
	if (!o.uri && ctx->rootless) {
		if (asprintf(&rootless_uri, "unix://%s/docker.sock", ctx->rootless->run) < 0)
			return berth_report(berr_set(&err, ENOMEM, "out of memory"), &err) ? 125
											   : 0;
		o.uri = rootless_uri;
	}
	if (group && o.uri && strncmp(o.uri, "unix://", 7) != 0) {
		berr_set(&err, EINVAL, "--group is for a unix socket, not '%s'", o.uri);
		return berth_report(-EINVAL, &err) ? 125 : 0;
	}
	if (group && group_id(group, &o.gid, &err) < 0)
		return berth_report(-EINVAL, &err) ? 125 : 0;
	r = api_serve(&o, &err);
	return r < 0 ? (berth_report(r, &err) ? 1 : 0) : 0;
}
