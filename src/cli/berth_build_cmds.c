/* SPDX-License-Identifier: Apache-2.0 */
/* berth commit and berth build: the table. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "build/build.h"
#include "build/build_cache.h"
#include "build/container_commit.h"
#include "cli/berth_build_run.h"
#include "cli/berth_cmds.h"
#include "engine/events.h"
#include "cli/format.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

/* docker's container "commit" event, with the comment and the new image's ID */
static void commit_event(struct engine *e, const char *ref, const char *id, const char *comment)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *kv_comment = NULL, *kv_id = NULL;

	if (container_open(e, ref, false, &c, NULL) < 0)
		return;
	/* the attributes beside its labels, on a copy of its config that is thrown away */
	if (asprintf(&kv_comment, "comment=%s", comment ? comment : "") < 0 ||
	    asprintf(&kv_id, "imageID=%s", id) < 0 ||
	    strv_push_dup(&c->cfg->labels, kv_comment) < 0 ||
	    strv_push_dup(&c->cfg->labels, kv_id) < 0)
		return;
	(void) events_container(e->root, c->cfg, "commit", NULL, NULL);
}

int berth_cmd_commit(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **changes = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct container_commit_opts o = {.pause = true};
	const struct opt_def defs[] = {
		{"change", 'c', OPT_LIST, &changes, "CHANGE",
		 "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, "
		 "LABEL, ONBUILD, USER, VOLUME, WORKDIR) to the image"},
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
	commit_event(e, pos[0], id, o.comment);
	printf("%s\n", id);
	return 0;
}

static int write_iidfile(const char *path, const char *id)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, id, strlen(id)) < 0)
		return -errno;
	return 0;
}

int berth_cmd_build(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **tags = NULL, **args = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct build_cli bc = {.root = ctx->root, .network = "none"};
	struct build_opts o = {0};
	const char *iidfile = NULL;
	const struct opt_def defs[] = {
		{"tag", 't', OPT_LIST, &tags, "NAME[:TAG]", "name the image (repeatable)"},
		{"file", 'f', OPT_STRING, &o.dockerfile, "PATH",
		 "the Dockerfile (default PATH/Dockerfile)"},
		{"build-arg", 0, OPT_LIST, &args, "K=V", "set a build-time variable (ARG)"},
		{"target", 0, OPT_STRING, &o.target, "STAGE", "stop after this stage"},
		{"quiet", 'q', OPT_BOOL, &bc.quiet, NULL, "print only the image id"},
		{"iidfile", 0, OPT_STRING, &iidfile, "FILE", "write the image id to FILE"},
		{"no-cache", 0, OPT_BOOL, &o.no_cache, NULL,
		 "do not reuse the cached result of any step"},
		{"network", 0, OPT_STRING, &bc.network, "MODE",
		 "RUN steps' network: none (default) or host"},
		{"runtime", 0, OPT_STRING, &bc.runtime, "RUNTIME", "the OCI runtime of RUN steps"},
		{"cgroup-parent", 0, OPT_STRING, &bc.cgroup_parent, "PATH",
		 "the cgroup parent of RUN steps"},
		END_OPTS,
	};
	struct build_runner rn;
	char id[DIGEST_MAX];
	struct image_store *s;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] PATH", 1, 1, &pos));
	if (!(s = berth_store(ctx)))
		return 1;
	o.context = pos[0];
	o.tags = tags;
	o.build_args = args;
	berth_build_reap(ctx);
	berth_build_runner(&bc, &rn);
	r = image_build_run(s, &o, &rn, id, &err);
	if (berth_build_interrupted()) {
		/* cleaned up: die of the signal, as a shell expects of a Ctrl-C'd command */
		int sig = berth_build_interrupted();

		if (r < 0)
			berth_report(r, &err);
		(void) signal(sig, SIG_DFL);
		(void) raise(sig);
		return 128 + sig;
	}
	if (r < 0)
		return berth_report(r, &err);
	if (iidfile && write_iidfile(iidfile, id) < 0)
		return berth_report(berr_sys(&err, errno, "cannot write '%s'", iidfile), &err);
	if (bc.quiet) {
		printf("%s\n", id);
		return 0;
	}
	printf("Successfully built %.12s\n", strchr(id, ':') + 1);
	STRV_FOREACH (t, tags)
		printf("Successfully tagged %s%s\n", *t, build_tag_suffix(*t));
	return 0;
}

static int cmd_builder_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **removed = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	bool all = false, force = false;
	const struct opt_def defs[] = {
		{"all", 'a', OPT_BOOL, &all, NULL,
		 "remove every entry (default: those of step images no image record holds)"},
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		END_OPTS,
	};
	uint64_t freed = 0;
	char size[32];
	struct image_store *s;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-a] [-f]", 0, 0, &pos));
	if (!force && !berth_confirm(all ? "This will remove all build cache."
					 : "This will remove all dangling build cache.")) {
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	if (!(s = berth_store(ctx)))
		return 1;
	berth_build_reap(ctx);
	r = build_cache_prune(s, all, &removed, &freed, &err);
	if (r < 0)
		return berth_report(r, &err);
	if (removed && removed[0]) {
		printf("Deleted build cache objects:\n");
		STRV_FOREACH (k, removed)
			printf("%.25s\n", *k);
		printf("\n");
	}
	printf("Total reclaimed space: %s\n", human_size(freed, size, sizeof(size)));
	return 0;
}

static const struct berth_cmd builder_subcmds[] = {
	{"build", "build an image from a Dockerfile", berth_cmd_build},
	{"prune", "remove build cache entries", cmd_builder_prune},
	{NULL, NULL, NULL},
};

static int cmd_builder(struct berth_ctx *ctx, int argc, char **argv)
{
	return berth_run_group(ctx, "builder", builder_subcmds, 15, argc, argv);
}

/* clang-format off */
const struct berth_cmd berth_build_cmds[] = {
	{"build", "build an image from a Dockerfile", berth_cmd_build},
	{"builder", "manage the build cache (berth builder --help)", cmd_builder},
	{"commit", "create an image from a container's changes", berth_cmd_commit},
	{NULL, NULL, NULL},
};
/* clang-format on */
