/* SPDX-License-Identifier: Apache-2.0 */
/* berth commit and berth build: the table. */
#include <stdio.h>

#include "build/container_commit.h"
#include "cli/berth_cmds.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static int cmd_commit(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **changes = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct container_commit_opts o = {.pause = true};
	const struct opt_def defs[] = {
		{"change", 'c', OPT_LIST, &changes, "CHANGE",
		 "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, "
		 "VOLUME, WORKDIR) to the image"},
		{"message", 'm', OPT_STRING, &o.comment, "MSG", "commit message"},
		{"author", 'a', OPT_STRING, &o.author, "AUTHOR", "author (\"Name <email>\")"},
		{"pause", 'p', OPT_BOOL, &o.pause, NULL,
		 "pause the container while its files are read (default true)"},
		END_OPTS,
	};
	char id[DIGEST_MAX];
	struct image_store *s;
	struct engine *e;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs,
					  "[options] CONTAINER [REPOSITORY[:TAG]]", 1, 2, &pos));
	if (!(e = berth_engine(ctx)) || !(s = berth_store(ctx)))
		return 1;
	o.changes = changes;
	o.name = pos[1];
	r = container_commit(e, s, pos[0], &o, id, &err);
	if (r < 0)
		return berth_report(r, &err);
	printf("%s\n", id);
	return 0;
}

/* clang-format off */
const struct berth_cmd berth_build_cmds[] = {
	{"commit", "create an image from a container's changes", cmd_commit},
	{NULL, NULL, NULL},
};
/* clang-format on */
