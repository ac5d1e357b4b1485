/* SPDX-License-Identifier: Apache-2.0 */
/* berth-monitor: the per-container monitor's command line (started by berth only). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/argparse.h"
#include "engine/monitor.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

int main(int argc, char **argv)
{
	struct monitor_opts o = {.sync_fd = -1, .attach_fd = -1};
	int sync_fd = -1, attach_fd = -1;
	const struct opt_def defs[] = {
		{"root", 0, OPT_STRING, &o.root, "DIR", "the engine root"},
		{"id", 0, OPT_STRING, &o.id, "ID", "the container"},
		{"berth", 0, OPT_STRING, &o.berth, "PATH", "the berth binary"},
		{"sync-fd", 0, OPT_INT, &sync_fd, "FD", "report the start here"},
		{"attach-fd", 0, OPT_INT, &attach_fd, "FD", "relay stdio here"},
		{"hold-fds", 0, OPT_STRING, &o.hold_fds, "FD,...", "hold these (published ports)"},
		{NULL, 0, 0, NULL, NULL, NULL},
	};
	_cleanup_free_ char *msg = NULL;
	_cleanup_strv_ char **pos = NULL;

	if (argparse(argc, argv, 1, defs, false, 0, &pos, &msg) < 0 || !o.root || !o.id) {
		fprintf(stderr, "berth-monitor: %s\n", msg ? msg : "--root and --id are required");
		return 2;
	}
	o.sync_fd = sync_fd;
	o.attach_fd = attach_fd;
	return monitor_run(&o);
}
