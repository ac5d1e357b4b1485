/* SPDX-License-Identifier: Apache-2.0 */
/* berth pull, push, login, logout: options and docker's output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/image_events.h"
#include "cli/pull_progress.h"
#include "engine/events.h"
#include "image/reference.h"
#include "image/registry.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"
#include "lib/strv.h"

struct reg_flags {
	bool tls_verify_set;
	const char *tls_verify; /* "true"/"false" */
	const char *platform;
	const char *authfile;
	int limit_rate;
	int parallel;
};

#define REG_OPTS(f)                                                                                \
	{"tls-verify",                                                                             \
	 0,                                                                                        \
	 OPT_STRING,                                                                               \
	 &(f).tls_verify,                                                                          \
	 "BOOL",                                                                                   \
	 "require HTTPS with a valid certificate (default true; false also allows http)"},         \
	{                                                                                          \
		"authfile", 0, OPT_STRING, &(f).authfile, "FILE",                                  \
			"credentials file (default ROOT/auth.json)"                                \
	}

/* registries.json: --registry-config, $BERTH_REGISTRY_CONFIG, or the default if it exists. */
int berth_load_registries(struct berth_ctx *ctx)
{
	const char *path = ctx->registry_config;
	struct berr *err = NULL;
	int r;

	if (ctx->registries)
		return 0;
	if (!path)
		path = getenv("BERTH_REGISTRY_CONFIG");
	if (path && !*path)
		path = NULL;
	r = registry_config_load(path ? path : REGISTRY_CONFIG_DEFAULT, !path, &ctx->registries,
				 &err);
	if (r < 0)
		berth_report(r, &err);
	return r;
}

static int registry_opts_from(struct berth_ctx *ctx, struct reg_flags *f, struct registry_opts *o,
			      char **auth)
{
	if (berth_load_registries(ctx) < 0)
		return -EINVAL;
	*o = (struct registry_opts){
		.tls_verify = true, .debug = ctx->debug, .config = ctx->registries};
	if (f->tls_verify) {
		if (strcmp(f->tls_verify, "false") == 0 || strcmp(f->tls_verify, "0") == 0)
			o->tls_verify = false;
		else if (strcmp(f->tls_verify, "true") != 0 && strcmp(f->tls_verify, "1") != 0) {
			log_error_report("--tls-verify takes true or false");
			return -EINVAL;
		}
	}
	*auth = f->authfile ? strdup(f->authfile) : berth_auth_file(ctx);
	if (!*auth)
		return -ENOMEM;
	o->auth_file = *auth;
	o->platform = f->platform;
	o->limit_rate = f->limit_rate;
	o->max_parallel = f->parallel;
	return 0;
}

/* Argument "--tls-verify" alone means true: rewrite it for the table parser. */
static void normalise_bool_flag(int argc, char **argv)
{
	static char on[] = "--tls-verify=true";

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--tls-verify") == 0 &&
		    (i + 1 >= argc ||
		     (strcmp(argv[i + 1], "true") && strcmp(argv[i + 1], "false"))))
			argv[i] = on;
}

/* docker's pull output on out: the header, the layers' progress, digest and status. */
static int pull_with_progress(struct berth_ctx *ctx, const char *name,
			      const struct registry_opts *o, FILE *out, bool quiet)
{
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	struct pull_progress p = {0};
	struct pull_result res = {0};
	struct progress_view *view;
	struct berr *err = NULL;
	const char *slash = strrchr(name, '/');
	int r;

	if (image_ref_parse(name, false, &ref, &err) < 0)
		return berth_report(-EINVAL, &err);
	STORE_OR_RETURN_PLAIN(s, ctx);
	view = progress_view_new(out, quiet);
	if (!view)
		return 1;
	progress_view_bind(view, &p);
	if (!strchr(slash ? slash : name, ':') && !ref.digest)
		progress_view_line(view, "Using default tag: latest");
	progress_view_line(view, "%s: Pulling from %s", ref.digest ? ref.digest : ref.tag,
			   ref.path);
	r = image_pull(s, name, o, &p, &res, &err);
	if (r >= 0) {
		progress_view_line(view, "Digest: %s", res.digest);
		progress_view_line(view, "Status: %s for %s",
				   res.updated ? "Downloaded newer image" : "Image is up to date",
				   image_ref_familiar(res.name));
		if (out == stdout)
			printf("%s\n", res.name);
		(void) events_image(ctx->root, "pull", image_ref_familiar(res.name),
				    image_ref_familiar(res.name));
	}
	progress_view_free(view);
	pull_result_done(&res);
	return berth_report(r, &err);
}

int berth_pull(struct berth_ctx *ctx, const char *name, FILE *out, bool quiet)
{
	_cleanup_free_ char *auth = NULL;
	struct reg_flags f = {0};
	struct registry_opts o;

	if (registry_opts_from(ctx, &f, &o, &auth) < 0)
		return 125;
	return pull_with_progress(ctx, name, &o, out, quiet);
}

int berth_cmd_pull(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *auth = NULL;
	struct reg_flags f = {0};
	bool quiet = false;
	const struct opt_def defs[] = {
		REG_OPTS(f),
		{"platform", 0, OPT_STRING, &f.platform, "OS/ARCH[/VARIANT]",
		 "pull this platform's image from a multi-platform index"},
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "print only the image's name"},
		{"limit-rate", 0, OPT_INT, &f.limit_rate, NULL, NULL},
		{"parallel", 0, OPT_INT, &f.parallel, "N", "layer downloads at once (default 3)"},
		END_OPTS,
	};
	struct registry_opts o;

	normalise_bool_flag(argc, argv);
	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] NAME[:TAG|@DIGEST]", 1, 1, &pos));
	if (registry_opts_from(ctx, &f, &o, &auth) < 0)
		return 125;
	return pull_with_progress(ctx, pos[0], &o, stdout, quiet);
}

int berth_cmd_push(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *auth = NULL;
	struct reg_flags f = {0};
	bool quiet = false;
	const struct opt_def defs[] = {
		REG_OPTS(f),
		{"quiet", 'q', OPT_BOOL, &quiet, NULL, "print nothing but errors"},
		END_OPTS,
	};
	struct registry_opts o;
	struct pull_progress p = {0};
	struct progress_view *view;
	struct berr *err = NULL;
	char digest[DIGEST_MAX];
	int r;

	normalise_bool_flag(argc, argv);
	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] IMAGE [DESTINATION]", 1, 2, &pos));
	if (registry_opts_from(ctx, &f, &o, &auth) < 0)
		return 125;
	STORE_OR_RETURN_PLAIN(s, ctx);
	view = progress_view_new(stdout, quiet);
	if (!view)
		return 1;
	progress_view_bind(view, &p);
	progress_view_line(view, "The push refers to repository [%s]", pos[1] ? pos[1] : pos[0]);
	r = image_push(s, pos[0], pos[1], &o, &p, digest, &err);
	if (r >= 0) {
		_cleanup_free_ char *name = image_events_familiar(pos[1] ? pos[1] : pos[0]);

		progress_view_line(view, "digest: %s", digest);
		if (name)
			(void) events_image(ctx->root, "push", name, name);
	}
	progress_view_free(view);
	return berth_report(r, &err);
}

static char *read_password(bool from_stdin)
{
	struct termios old, quiet;
	bool tty = !from_stdin && isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fprintf(stderr, "Password: ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t) ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

int berth_cmd_login(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *auth = NULL, *pw = NULL;
	struct reg_flags f = {0};
	const char *user = NULL, *password = NULL;
	bool pw_stdin = false;
	const struct opt_def defs[] = {
		REG_OPTS(f),
		{"username", 'u', OPT_STRING, &user, "USER", "user name"},
		{"password", 'p', OPT_STRING, &password, "PASSWORD", "password (prefer stdin)"},
		{"password-stdin", 0, OPT_BOOL, &pw_stdin, NULL, "read the password from stdin"},
		END_OPTS,
	};
	struct registry_opts o;
	struct berr *err = NULL;
	int r;

	normalise_bool_flag(argc, argv);
	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[options] SERVER", 1, 1, &pos));
	if (registry_opts_from(ctx, &f, &o, &auth) < 0)
		return 125;
	if (!user) {
		log_error_report("login: --username is required");
		return 125;
	}
	if (!password) {
		pw = read_password(pw_stdin);
		if (!pw) {
			log_error_report("login: no password given");
			return 1;
		}
		password = pw;
	}
	r = registry_login(&o, pos[0], user, password, &err);
	if (r >= 0)
		printf("Login Succeeded\n");
	return berth_report(r, &err);
}

int berth_cmd_logout(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	_cleanup_free_ char *auth = NULL;
	struct reg_flags f = {0};
	const struct opt_def defs[] = {
		REG_OPTS(f),
		END_OPTS,
	};
	struct registry_opts o;
	struct berr *err = NULL;
	const char *server;
	int r;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[SERVER]", 0, 1, &pos));
	if (registry_opts_from(ctx, &f, &o, &auth) < 0)
		return 125;
	server = pos ? pos[0] : "docker.io";
	printf("Removing login credentials for %s\n", server);
	r = registry_logout(&o, server, &err);
	if (r == -ENOENT) {
		/* docker: not logged in there is no error */
		berr_free(err);
		return 0;
	}
	return berth_report(r, &err);
}
