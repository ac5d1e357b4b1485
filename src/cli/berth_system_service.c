/* SPDX-License-Identifier: Apache-2.0 */
/* berth system service: the Docker Engine API (src/api) on a unix socket. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/berth_cmds.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

int berth_cmd_system_service(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	const char *timeout_s = NULL;
	const struct opt_def defs[] = {
		{"timeout", 't', OPT_STRING, &timeout_s, "SECONDS",
		 "exit after this long without a request (default 0: never)"},
		{"time", 0, OPT_STRING, &timeout_s, NULL, NULL},
		END_OPTS,
	};
	struct api_opts o = {
		.root = ctx->root, .registry_config = ctx->registry_config, .debug = ctx->debug};
	int64_t t = 0;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(
		argc, argv, defs,
		"[--timeout SECONDS] [URI]\n\n"
		"Serve the Docker Engine API (1.41) on URI: unix:///PATH (default " API_DEFAULT_URI
		", root:root 0660) or tcp://127.0.0.1:PORT (tests only;\n"
		"it gives root to anyone who can connect). Under systemd socket activation\n"
		"(LISTEN_FDS) the passed socket is served instead. Docker clients use it with\n"
		"DOCKER_HOST=unix:///PATH",
		0, 1, &pos));
	if (timeout_s && units_parse_int(timeout_s, 0, INT32_MAX, "--timeout", &t, &err) < 0)
		return berth_report(-EINVAL, &err) ? 125 : 0;
	o.timeout_s = (int) t;
	o.uri = pos && pos[0] ? pos[0] : NULL;
	r = api_serve(&o, &err);
	return r < 0 ? (berth_report(r, &err) ? 1 : 0) : 0;
}
