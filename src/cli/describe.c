/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/describe.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/argparse.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

/* Group commands nest one level today (`image ls`); the bound stops a help that loops. */
#define DESCRIBE_DEPTH_MAX 4
#define HELP_MAX (1 << 20)

static void opt_done(struct describe_opt *o)
{
	free(o->name);
	free(o->arg);
	free(o->help);
}

static void cmd_done(struct describe_cmd *c)
{
	strv_free(c->path);
	free(c->summary);
	free(c->usage);
	free(c->description);
	strv_free(c->subcmds);
	for (size_t i = 0; i < c->n_opts; i++)
		opt_done(&c->opts[i]);
	free(c->opts);
}

struct describe *describe_free(struct describe *d)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < d->n_cmds; i++)
		cmd_done(&d->cmds[i]);
	free(d->cmds);
	free(d->prog);
	free(d);
	return NULL;
}

/* argparse_help_to's hook: copy the printed options (the table lives on the command's stack). */
struct hook_state {
	struct describe_cmd *cmd;
	bool oom;
};

static void take_opts(void *data, const struct opt_def *defs)
{
	struct hook_state *h = data;
	struct describe_cmd *c = h->cmd;

	for (const struct opt_def *d = defs; d->name; d++) {
		struct describe_opt *o, *grown;

		if (!d->help) /* hidden from --help: an alias */
			continue;
		grown = realloc(c->opts, (c->n_opts + 1) * sizeof(*c->opts));
		if (!grown) {
			h->oom = true;
			return;
		}
		c->opts = grown;
		o = &c->opts[c->n_opts];
		*o = (struct describe_opt){.short_name = d->short_name};
		o->name = strdup(d->name);
		o->help = strdup(d->help);
		o->arg = d->arg ? strdup(d->arg) : NULL;
		c->n_opts++;
		if (!o->name || !o->help || (d->arg && !o->arg))
			h->oom = true;
	}
}

/* Run `prog path... --help` with stdout in a memfd; its text in *ret (malloc'd). */
static int capture_help(const char *prog, describe_main_fn main_fn, char *const *path,
			struct hook_state *h, char **ret, struct berr **err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_close_ int fd = -1, saved = -1;
	size_t len;
	int r;

	if (strv_push_dup(&argv, prog) < 0)
		return -ENOMEM;
	for (size_t i = 0; path && path[i]; i++)
		if (strv_push_dup(&argv, path[i]) < 0)
			return -ENOMEM;
	if (strv_push_dup(&argv, "--help") < 0)
		return -ENOMEM;
	fd = memfd_create("berth-help", MFD_CLOEXEC);
	if (fd < 0 || (saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
		return berr_sys(err, errno, "cannot capture the help output");
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0)
		return berr_sys(err, errno, "cannot capture the help output");
	argparse_set_help_hook(take_opts, h);
	(void) main_fn((int) strv_length(argv), argv);
	argparse_set_help_hook(NULL, NULL);
	fflush(stdout);
	(void) dup2(saved, STDOUT_FILENO);
	if (lseek(fd, 0, SEEK_SET) < 0 || (r = read_fd_all(fd, HELP_MAX, ret, &len)) < 0)
		return berr_sys(err, errno ? errno : EIO, "cannot read the help output");
	return h->oom ? -ENOMEM : 0;
}

static char *trimmed(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return strndup(s, len);
}

/* "Usage: berth ls [options]" for path {image, ls}: "[options]". */
static char *usage_of(const char *line, const char *prog, char *const *path)
{
	const char *s = line + strlen("Usage:");

	s += strspn(s, " ");
	if (strncmp(s, prog, strlen(prog)) == 0 && s[strlen(prog)] == ' ')
		s += strlen(prog) + 1;
	for (;;) { /* a command prints its own name; a subcommand often only its last */
		size_t w = strcspn(s, " ");
		bool ours = false;

		for (size_t i = 0; path && path[i]; i++)
			ours = ours || (strlen(path[i]) == w && strncmp(s, path[i], w) == 0);
		if (!ours || !w)
			break;
		s += w;
		s += strspn(s, " ");
	}
	return trimmed(s, strlen(s));
}

enum section { SEC_NONE, SEC_DESCRIPTION, SEC_COMMANDS, SEC_OTHER };

/* One line of a Commands list: "  name   summary". */
static int add_subcmd(struct describe_cmd *c, char ***summaries, const char *line)
{
	const char *name = line + strspn(line, " "), *rest;
	size_t w = strcspn(name, " ");

	if (!w)
		return 0;
	rest = name + w;
	if (strv_consume(&c->subcmds, strndup(name, w)) < 0 ||
	    strv_consume(summaries, trimmed(rest, strlen(rest))) < 0)
		return -ENOMEM;
	return 0;
}

static int append_description(struct describe_cmd *c, const char *line)
{
	char *t = trimmed(line, strlen(line)), *joined = NULL;

	if (!t)
		return -ENOMEM;
	if (!*t) {
		free(t);
		return 0;
	}
	if (!c->description) {
		c->description = t;
		return 0;
	}
	if (asprintf(&joined, "%s %s", c->description, t) < 0)
		joined = NULL;
	free(t);
	if (!joined)
		return -ENOMEM;
	free(c->description);
	c->description = joined;
	return 0;
}

/* Usage, description and Commands list out of the help text. */
static int parse_help(struct describe_cmd *c, const char *prog, char *text, char ***summaries)
{
	enum section sec = SEC_NONE;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		int r = 0;

		if (!c->usage && strncmp(line, "Usage:", 6) == 0) {
			if (!(c->usage = usage_of(line, prog, c->path)))
				return -ENOMEM;
			sec = SEC_DESCRIPTION;
		} else if (line[0] != ' ' && len && line[len - 1] == ':') {
			/* "Commands:", and docker's "Management Commands:" if a group prints it */
			sec = len >= 9 && strcmp(line + len - 9, "Commands:") == 0 ? SEC_COMMANDS
										   : SEC_OTHER;
		} else if (sec == SEC_COMMANDS && line[0] == ' ') {
			r = add_subcmd(c, summaries, line);
		} else if (sec == SEC_DESCRIPTION && line[0] != ' ' && !strstr(line, "--help")) {
			/* prose, not the option list nor "Run 'berth COMMAND --help' ..." */
			r = append_description(c, line);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int walk(struct describe *d, describe_main_fn main_fn, char **path, char *summary, int depth,
		struct berr **err);

static int walk_children(struct describe *d, describe_main_fn main_fn, size_t at, char **summaries,
			 int depth, struct berr **err)
{
	_cleanup_strv_ char **subs = strv_copy(d->cmds[at].subcmds);
	_cleanup_strv_ char **parent = strv_copy(d->cmds[at].path);

	if ((!subs && d->cmds[at].subcmds) || (!parent && d->cmds[at].path))
		return -ENOMEM;
	for (size_t i = 0; subs && subs[i]; i++) {
		_cleanup_strv_ char **path = strv_copy(parent);
		int r;

		if ((!path && parent) || strv_push_dup(&path, subs[i]) < 0)
			return -ENOMEM;
		r = walk(d, main_fn, TAKE_PTR(path), strdup(summaries[i]), depth + 1, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Describe path (owned: given to the new entry) and, below it, its subcommands. */
static int walk(struct describe *d, describe_main_fn main_fn, char **path, char *summary, int depth,
		struct berr **err)
{
	_cleanup_strv_ char **summaries = NULL;
	_cleanup_free_ char *text = NULL;
	struct describe_cmd *grown;
	struct hook_state h;
	size_t at = d->n_cmds;
	int r;

	grown = realloc(d->cmds, (d->n_cmds + 1) * sizeof(*d->cmds));
	if (!grown) {
		strv_free(path);
		free(summary);
		return -ENOMEM;
	}
	d->cmds = grown;
	d->cmds[at] = (struct describe_cmd){.path = path, .summary = summary};
	d->n_cmds++;
	h = (struct hook_state){.cmd = &d->cmds[at]};
	r = capture_help(d->prog, main_fn, path, &h, &text, err);
	if (r >= 0)
		r = parse_help(&d->cmds[at], d->prog, text, &summaries);
	if (r < 0 || depth >= DESCRIBE_DEPTH_MAX)
		return r;
	return walk_children(d, main_fn, at, summaries, depth, err);
}

int describe_walk(const char *prog, describe_main_fn main_fn, struct describe **ret,
		  struct berr **err)
{
	struct describe *d = calloc(1, sizeof(*d));
	int r;

	if (!d || !(d->prog = strdup(prog))) {
		free(d);
		return -ENOMEM;
	}
	r = walk(d, main_fn, NULL, NULL, 0, err);
	if (r < 0) {
		describe_free(d);
		return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
	}
	*ret = d;
	return 0;
}

const struct describe_cmd *describe_find(const struct describe *d, char *const *path, size_t n)
{
	for (size_t i = 0; i < d->n_cmds; i++) {
		const struct describe_cmd *c = &d->cmds[i];
		bool same = strv_length(c->path) == n;

		for (size_t k = 0; same && k < n; k++)
			same = strcmp(c->path[k], path[k]) == 0;
		if (same)
			return c;
	}
	return NULL;
}

static struct json_object *strv_json(char *const *v)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static struct json_object *opt_json(const struct describe_opt *o)
{
	struct json_object *j = json_object_new_object();
	char s[2] = {o->short_name, '\0'};

	json_object_object_add(j, "long", json_object_new_string(o->name));
	json_object_object_add(j, "short", o->short_name ? json_object_new_string(s) : NULL);
	json_object_object_add(j, "arg", o->arg ? json_object_new_string(o->arg) : NULL);
	json_object_object_add(j, "help", json_object_new_string(o->help));
	return j;
}

static struct json_object *nullable(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

int describe_print_json(const struct describe *d, FILE *out)
{
	for (size_t i = 0; i < d->n_cmds; i++) {
		const struct describe_cmd *c = &d->cmds[i];
		struct json_object *j = json_object_new_object(), *opts = json_object_new_array();

		if (!j || !opts) {
			json_object_put(j);
			json_object_put(opts);
			return -ENOMEM;
		}
		json_object_object_add(j, "prog", json_object_new_string(d->prog));
		json_object_object_add(j, "path", strv_json(c->path));
		json_object_object_add(j, "summary", nullable(c->summary));
		json_object_object_add(j, "usage", nullable(c->usage));
		json_object_object_add(j, "description", nullable(c->description));
		json_object_object_add(j, "subcommands", strv_json(c->subcmds));
		for (size_t k = 0; k < c->n_opts; k++)
			json_object_array_add(opts, opt_json(&c->opts[k]));
		json_object_object_add(j, "options", opts);
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	}
	return fflush(out) == 0 ? 0 : -errno;
}

int describe_main(const char *prog, describe_main_fn main_fn)
{
	_cleanup_describe_ struct describe *d = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int r = describe_walk(prog, main_fn, &d, &err);

	if (r >= 0)
		r = describe_print_json(d, stdout);
	if (r < 0) {
		fprintf(stderr, "%s: __commands: %s\n", prog, err ? err->msg : strerror(-r));
		return 1;
	}
	return 0;
}
