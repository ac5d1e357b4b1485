/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/runtime_args.h"

#include <stdio.h>
#include <string.h>

#include "cli/argparse.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

/* Parse a command's options; exactly npos positionals (or [min, max]). */
int runtime_cmds_parse(int argc, char **argv, const struct opt_def *defs, const char *usage,
		       size_t min_pos, size_t max_pos, char ***ret_pos)
{
	_cleanup_free_ char *msg = NULL;
	bool help = false;
	size_t n;
	int r;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			help = true;
	if (help) {
		printf("Usage: berth-runtime %s %s\n", argv[0], usage);
		argparse_help(defs);
		return 1;
	}
	r = argparse(argc, argv, 1, defs, false, 0, ret_pos, &msg);
	if (r < 0) {
		log_error_report("%s: %s", argv[0], msg ? msg : "out of memory");
		return -1;
	}
	n = strv_length(*ret_pos);
	if (n < min_pos || n > max_pos) {
		log_error_report("%s: usage: berth-runtime %s %s", argv[0], argv[0], usage);
		*ret_pos = strv_free(*ret_pos);
		return -1;
	}
	return 0;
}

/* The exit code for r; prints *err (read after the call that filled it). */
int runtime_cmds_report(int r, struct berr **err)
{
	if (r >= 0)
		return 0;
	log_error_report("%s", *err ? (*err)->msg : strerror(-r));
	berr_clear(err);
	return 1;
}
