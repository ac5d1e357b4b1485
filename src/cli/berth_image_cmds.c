/* SPDX-License-Identifier: Apache-2.0 */
/* berth's image commands: options and output; the work is in src/image. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/berth_image_view.h"
#include "cli/format.h"
#include "cli/image_events.h"
#include "cli/pull_progress.h"
#include "engine/events.h"
#include "image/image_archive.h"
#include "image/image_build.h"
#include "image/image_ops.h"
#include "image/overlay.h"
#include "image/reference.h"
#include "image/snapshot.h"
#include "image/registry.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

const char *berth_global_hint(const char *msg)
{
	static const char *const globals[][2] = {
		{"root", "\n'--root' is a global option: put it before the command, as in "
			 "'berth --root DIR COMMAND ...'"},
		{"log-level", "\n'--log-level' is a global option: put it before the command, "
			      "as in 'berth --log-level debug COMMAND ...'"},
		{"debug", "\n'--debug' is a global option: put it before the command, as in "
			  "'berth --debug COMMAND ...'"},
	};
	static const char prefix[] = "unknown option '--";

	if (!msg || strncmp(msg, prefix, sizeof(prefix) - 1) != 0)
		return "";
	msg += sizeof(prefix) - 1;
	for (size_t i = 0; i < ELEMENTSOF(globals); i++) {
		size_t len = strlen(globals[i][0]);

		if (strncmp(msg, globals[i][0], len) == 0 && (msg[len] == '\'' || msg[len] == '='))
			return globals[i][1];
	}
	return "";
}

bool berth_confirm(const char *warning)
{
	char line[64] = "";

	printf("WARNING! %s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0;
}

int berth_parse(int argc, char **argv, const struct opt_def *defs, const char *usage,
		size_t min_pos, size_t max_pos, char ***ret_pos)
{
	_cleanup_free_ char *msg = NULL;
	size_t n;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("Usage: berth %s %s\n", argv[0], usage);
			argparse_help(defs);
			return 1;
		}
	}
	if (argparse(argc, argv, 1, defs, false, 0, ret_pos, &msg) < 0) {
		log_error_report("%s: %s%s", argv[0], msg ? msg : "out of memory",
				 berth_global_hint(msg));
		return -1;
	}
	n = strv_length(*ret_pos);
	if (n < min_pos || n > max_pos) {
		log_error_report("%s: usage: berth %s %s", argv[0], argv[0], usage);
		*ret_pos = strv_free(*ret_pos);
		return -1;
	}
	return 0;
}

int berth_run_group(struct berth_ctx *ctx, const char *group, const struct berth_cmd *subcmds,
		    int width, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("Usage: berth %s COMMAND\n\nCommands:\n", group);
		for (const struct berth_cmd *c = subcmds; c->name; c++)
			if (c->summary)
				printf("  %-*s %s\n", width, c->name, c->summary);
		return argc < 2 ? 125 : 0;
	}
	for (const struct berth_cmd *c = subcmds; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			/* "volume ls" in its usage and messages, as docker's (argv is the
			 * caller's: its own string goes back before it is freed) */
			char full[64], *own = argv[1];
			int code;

			snprintf(full, sizeof(full), "%s %s", group, own);
			argv[1] = full;
			code = c->run(ctx, argc - 1, argv + 1);
			argv[1] = own;
			return code;
		}
	log_error_report("%s: unknown command '%s' (see 'berth %s --help')", group, argv[1], group);
	return 125;
}

int berth_report(int r, struct berr **err)
{
	if (r >= 0)
		return 0;
	log_error_report("%s", *err ? (*err)->msg : strerror(-r));
	berr_clear(err);
	return 1;
}

struct image_store *berth_store(struct berth_ctx *ctx)
{
	_cleanup_berr_ struct berr *err = NULL;

	if (!ctx->store && image_store_open(ctx->root, &ctx->store, &err) < 0) {
		log_error_report("%s", err ? err->msg : "cannot open the image store");
		return NULL;
	}
	return ctx->store;
}

char *berth_auth_file(const struct berth_ctx *ctx)
{
	char *p;

	if (asprintf(&p, "%s/auth.json", ctx->root) < 0)
		return NULL;
	return p;
}

static void print_report(char **lines)
{
	STRV_FOREACH (l, lines)
		printf("%s\n", *l);
}

static int cmd_images(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **filters = NULL;
	struct images_view_opts o = {0};
	const struct opt_def defs[] = {
		{"all", 'a', OPT_BOOL, &o.all, NULL, "show all images"},
		{"quiet", 'q', OPT_BOOL, &o.quiet, NULL, "only show image IDs"},
		{"digests", 0, OPT_BOOL, &o.digests, NULL, "show digests"},
		{"no-trunc", 0, OPT_BOOL, &o.no_trunc, NULL, "do not truncate output"},
		{"format", 0, OPT_STRING, &o.format, "TEMPLATE", "Go-template-like format"},
		{"filter", 'f', OPT_LIST, &filters, "FILTER",
		 "dangling=true|false, reference=NAME"},
		END_OPTS,
	};
	struct berr *err = NULL;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] [REPOSITORY[:TAG]]", 0, 1, &pos));
	STORE_OR_RETURN_PLAIN(s, ctx);
	o.repository = pos ? pos[0] : NULL;
	o.filters = filters;
	return berth_report(images_view(s, &o, stdout, &err), &err);
}

static int cmd_history(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	struct history_view_opts o = {0};
	bool human = true;
	const struct opt_def defs[] = {
		{"no-trunc", 0, OPT_BOOL, &o.no_trunc, NULL, "do not truncate output"},
		{"quiet", 'q', OPT_BOOL, &o.quiet, NULL, "only show image IDs"},
		{"human", 'H', OPT_BOOL, &human, NULL,
		 "sizes and dates in human readable format (default true)"},
		{"format", 0, OPT_STRING, &o.format, "TEMPLATE", "Go-template-like format"},
		END_OPTS,
	};
	struct berr *err = NULL;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] IMAGE", 1, 1, &pos));
	o.raw = !human;
	STORE_OR_RETURN_PLAIN(s, ctx);
	return berth_report(history_view(s, pos[0], &o, stdout, &err), &err);
}

static int cmd_inspect(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "TEMPLATE", "Go-template-like format"},
		END_OPTS,
	};

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[--format TEMPLATE] IMAGE...", 1, SIZE_MAX, &pos));
	return berth_inspect(ctx, pos, format, "image");
}

static int cmd_tag(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct berr *err = NULL;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "SOURCE TARGET", 2, 2, &pos));
	STORE_OR_RETURN_PLAIN(s, ctx);
	if (image_tag(s, pos[0], pos[1], &err) < 0)
		return berth_report(-EINVAL, &err);
	_cleanup_free_ char *name = image_events_familiar(pos[1]);
	if (name)
		image_events_ref(ctx->root, s, "tag", name);
	return 0;
}

static int cmd_rmi(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	bool force = false, no_prune = false;
	const struct opt_def defs[] = {
		{"force", 'f', OPT_BOOL, &force, NULL, "remove an image with several names"},
		{"no-prune", 0, OPT_BOOL, &no_prune, NULL, "accepted for docker compatibility"},
		END_OPTS,
	};
	int code = 0;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-f] IMAGE...", 1, SIZE_MAX, &pos));
	STORE_OR_RETURN_PLAIN(s, ctx);
	STRV_FOREACH (p, pos) {
		_cleanup_strv_ char **report = NULL;
		struct berr *err = NULL;
		_cleanup_free_ char *id = image_events_id_of(s, *p);
		int r = image_remove(s, *p, force, &report, &err);

		print_report(report);
		image_events_removed(ctx->root, id, report);
		if (r < 0)
			code = berth_report(r, &err);
	}
	return code;
}

static int cmd_prune(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **report = NULL;
	bool all = false, force = false;
	const struct opt_def defs[] = {
		{"all", 'a', OPT_BOOL, &all, NULL, "remove every image no container uses"},
		{"force", 'f', OPT_BOOL, &force, NULL, "do not prompt for confirmation"},
		END_OPTS,
	};
	struct berr *err = NULL;
	uint64_t freed = 0;
	char size[32];
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-a] [-f]", 0, 0, &pos));
	if (!force && !berth_confirm(all ? "This will remove all images without at least one "
					   "container associated to them."
					 : "This will remove all dangling images.")) {
		printf("Total reclaimed space: 0B\n");
		return 0;
	}
	STORE_OR_RETURN_PLAIN(s, ctx);
	r = image_prune(s, all, NULL, &report, &freed, &err);
	if (r < 0)
		return berth_report(r, &err);
	image_events_removed(ctx->root, NULL, report);
	if (report) {
		printf("Deleted Images:\n");
		print_report(report);
		printf("\n");
	}
	printf("Total reclaimed space: %s\n", human_size(freed, size, sizeof(size)));
	return 0;
}

static int open_input(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return fd_dup_min(STDIN_FILENO, 3);
	return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

static int cmd_import(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **changes = NULL;
	_cleanup_(image_changes_done) struct image_changes ch = {0};
	struct image_import_opts o = {.changes = &ch};
	const struct opt_def defs[] = {
		{"message", 'm', OPT_STRING, &o.comment, "TEXT", "commit message"},
		{"platform", 0, OPT_STRING, &o.platform, "OS/ARCH", "the image's platform"},
		{"change", 'c', OPT_LIST, &changes, "INSTRUCTION",
		 "a Dockerfile instruction for the image's config: CMD, ENTRYPOINT, ENV, EXPOSE, "
		 "HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR"},
		END_OPTS,
	};
	_cleanup_close_ int fd = -1;
	struct berr *err = NULL;
	char id[DIGEST_MAX];
	int r;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] FILE|- [REPOSITORY[:TAG]]", 1, 2, &pos));
	if ((r = image_changes_parse(changes, &ch, &err)) < 0) {
		berth_report(r, &err);
		return 125;
	}
	STORE_OR_RETURN_PLAIN(s, ctx);
	fd = open_input(pos[0]);
	if (fd < 0) {
		log_error_report("import: cannot open '%s': %s", pos[0], strerror(errno));
		return 1;
	}
	o.name = pos[1];
	r = image_import(s, fd, &o, id, &err);
	if (r < 0)
		return berth_report(r, &err);
	(void) events_image(ctx->root, "import", id, id);
	printf("%s\n", id);
	return 0;
}

static int cmd_create_busybox(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *busybox = NULL;
	bool quiet = false;
	const struct opt_def defs[] = {
		{"busybox", 0, OPT_STRING, &busybox, "PATH",
		 "the static busybox binary (default /bin/busybox)"},
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "only print the image ID"},
		END_OPTS,
	};
	struct berr *err = NULL;
	char id[DIGEST_MAX];
	int r;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[--busybox PATH] [NAME[:TAG]]", 0, 1, &pos));
	STORE_OR_RETURN_PLAIN(s, ctx);
	r = image_create_busybox(s, busybox, pos ? pos[0] : NULL, id, &err);
	if (r < 0)
		return berth_report(r, &err);
	if (quiet)
		printf("%s\n", id);
	else
		printf("Created image %s: %s\n", pos ? pos[0] : "busybox:latest", id);
	return 0;
}

static int save_events(struct berth_ctx *ctx, struct image_store *s, char *const *refs)
{
	STRV_FOREACH (p, refs)
		image_events_ref(ctx->root, s, "save", *p);
	return 0;
}

static int cmd_save(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *output = NULL, *format = "docker-archive";
	const struct opt_def defs[] = {
		{"output", 'o', OPT_STRING, &output, "FILE", "write to FILE, not stdout"},
		{"format", 0, OPT_STRING, &format, "FORMAT",
		 "docker-archive (default) or oci-archive"},
		END_OPTS,
	};
	enum image_archive_format f;
	_cleanup_close_ int fd = -1;
	struct berr *err = NULL;
	char tmp[PATH_MAX];
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-o FILE] [--format F] IMAGE...", 1,
					  SIZE_MAX, &pos));
	if (image_archive_format_parse(format, &f) < 0) {
		log_error_report("save: unknown format '%s'", format);
		return 125;
	}
	if (!output && isatty(STDOUT_FILENO)) {
		log_error_report("save: refusing to write an archive to a terminal (use -o FILE)");
		return 1;
	}
	STORE_OR_RETURN_PLAIN(s, ctx);
	if (!output) {
		r = image_archive_save(s, pos, f, STDOUT_FILENO, &err);
		return r < 0 ? berth_report(r, &err) : save_events(ctx, s, pos);
	}
	snprintf(tmp, sizeof(tmp), "%s.berth-tmp", output);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error_report("save: cannot write '%s': %s", tmp, strerror(errno));
		return 1;
	}
	r = image_archive_save(s, pos, f, fd, &err);
	if (r >= 0 && rename(tmp, output) < 0)
		r = berr_sys(&err, errno, "cannot rename '%s'", tmp);
	if (r < 0) {
		(void) unlink(tmp);
		return berth_report(r, &err);
	}
	return save_events(ctx, s, pos);
}

static int cmd_load(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL, **report = NULL;
	const char *input = NULL;
	bool quiet = false;
	const struct opt_def defs[] = {
		{"input", 'i', OPT_STRING, &input, "FILE", "read from FILE, not stdin"},
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "print nothing"},
		END_OPTS,
	};
	_cleanup_close_ int fd = -1;
	struct berr *err = NULL;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[-i FILE]", 0, 0, &pos));
	if (!input && isatty(STDIN_FILENO)) {
		log_error_report("load: no archive on stdin (use -i FILE or a redirection)");
		return 1;
	}
	STORE_OR_RETURN_PLAIN(s, ctx);
	fd = open_input(input);
	if (fd < 0) {
		log_error_report("load: cannot open '%s': %s", input, strerror(errno));
		return 1;
	}
	r = image_archive_load(s, fd, &report, &err);
	if (!quiet)
		print_report(report);
	image_events_loaded(ctx->root, s, report);
	return berth_report(r, &err);
}

static int cmd_mount(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct berr *err = NULL;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "IMAGE TARGET", 2, 2, &pos));
	STORE_OR_RETURN_PLAIN(s, ctx);
	return berth_report(image_mount_readonly(s, pos[0], pos[1], &err), &err);
}

static int cmd_unmount(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const struct opt_def defs[] = {END_OPTS};
	struct berr *err = NULL;

	(void) ctx;
	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "TARGET", 1, 1, &pos));
	return berth_report(overlay_unmount(pos[0], &err), &err);
}

static int cmd_image(struct berth_ctx *ctx, int argc, char **argv);

const struct berth_cmd berth_image_subcmds[] = {
	{"ls", "list images", cmd_images},
	{"list", NULL, cmd_images},
	{"pull", "pull an image from a registry", berth_cmd_pull},
	{"push", "push an image to a registry", berth_cmd_push},
	{"rm", "remove images", cmd_rmi},
	{"inspect", "show images as JSON", cmd_inspect},
	{"build", "build an image from a Dockerfile", berth_cmd_build},
	{"history", "show an image's history", cmd_history},
	{"tag", "give an image another name", cmd_tag},
	{"prune", "remove unused images", cmd_prune},
	{"save", "write images to an archive", cmd_save},
	{"load", "read images from an archive", cmd_load},
	{"import", "make an image from a root filesystem tarball", cmd_import},
	{"create-busybox", "make the busybox image from Debian's busybox-static",
	 cmd_create_busybox},
	{"mount", "mount an image read-only (overlay of its layers)", cmd_mount},
	{"unmount", "unmount what image mount mounted", cmd_unmount},
	{"umount", NULL, cmd_unmount},
	{NULL, NULL, NULL},
};

const struct berth_cmd berth_image_cmds[] = {
	{"image", "manage images (berth image --help)", cmd_image},
	{"images", "list images", cmd_images},
	{"pull", "pull an image from a registry", berth_cmd_pull},
	{"push", "push an image to a registry", berth_cmd_push},
	{"rmi", "remove images", cmd_rmi},
	{"tag", "give an image another name", cmd_tag},
	{"history", "show an image's history", cmd_history},
	{"save", "write images to an archive", cmd_save},
	{"load", "read images from an archive", cmd_load},
	{"import", "make an image from a root filesystem tarball", cmd_import},
	{"inspect", "show images as JSON", cmd_inspect},
	{"login", "log in to a registry", berth_cmd_login},
	{"logout", "log out of a registry", berth_cmd_logout},
	{NULL, NULL, NULL},
};

static int cmd_image(struct berth_ctx *ctx, int argc, char **argv)
{
	return berth_run_group(ctx, "image", berth_image_subcmds, 15, argc, argv);
}
