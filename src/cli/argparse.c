/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/argparse.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"

static const struct opt_def *find_long(const struct opt_def *defs, const char *name, size_t len)
{
	for (const struct opt_def *d = defs; d->name; d++)
		if (strlen(d->name) == len && strncmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

static const struct opt_def *find_short(const struct opt_def *defs, char c)
{
	for (const struct opt_def *d = defs; d->name; d++)
		if (d->short_name && d->short_name == c)
			return d;
	return NULL;
}

static int fail(char **ret_msg, const char *fmt, const char *what)
{
	if (asprintf(ret_msg, fmt, what) < 0)
		*ret_msg = NULL;
	return -EINVAL;
}

static int set_value(const struct opt_def *d, const char *value, char **ret_msg)
{
	char *end;
	long v;

	switch (d->kind) {
	case OPT_BOOL:
	case OPT_TRISTATE: {
		bool on;

		if (!value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			on = true;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			on = false;
		else
			return fail(ret_msg, "option '--%s' takes true or false", d->name);
		if (d->kind == OPT_BOOL)
			*(bool *) d->target = on;
		else
			*(int *) d->target = on;
		return 0;
	}
	case OPT_STRING:
		*(const char **) d->target = value;
		return 0;
	case OPT_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || *end || !*value || v < 0 || v > INT_MAX)
			return fail(ret_msg, "option '--%s' takes a number", d->name);
		*(int *) d->target = (int) v;
		return 0;
	case OPT_LIST:
		return strv_push_dup((char ***) d->target, value) < 0 ? -ENOMEM : 0;
	default:
		return -EINVAL;
	}
}

/* One option argument at argv[*i]; advances *i past its value if it takes one. */
static int parse_one(int argc, char **argv, int *i, const struct opt_def *defs, char **ret_msg)
{
	const char *arg = argv[*i], *name = arg + 1, *eq;
	const struct opt_def *d;
	bool dashdash = arg[1] == '-';
	size_t len;

	if (dashdash)
		name++;
	eq = strchr(name, '=');
	len = eq ? (size_t) (eq - name) : strlen(name);
	d = find_long(defs, name, len);
	if (!d && !dashdash && len == 1)
		d = find_short(defs, name[0]);
	if (!d && !dashdash && len > 1 && !eq && find_short(defs, name[0])) {
		/* -dq: a cluster of short boolean flags */
		for (const char *c = name; *c; c++) {
			const struct opt_def *s = find_short(defs, *c);

			if (!s || (s->kind != OPT_BOOL && s->kind != OPT_TRISTATE))
				return fail(ret_msg, "unknown option '%s'", arg);
			(void) set_value(s, NULL, ret_msg);
		}
		return 0;
	}
	if (!d)
		return fail(ret_msg, "unknown option '%s'", arg);
	if (eq)
		return set_value(d, eq + 1, ret_msg);
	if (d->kind == OPT_BOOL || d->kind == OPT_TRISTATE)
		return set_value(d, NULL, ret_msg);
	if (*i + 1 >= argc)
		return fail(ret_msg, "option '%s' needs a value", arg);
	(*i)++;
	return set_value(d, argv[*i], ret_msg);
}

int argparse(int argc, char **argv, int start, const struct opt_def *defs, bool stop_after_pos,
	     size_t max_pos, char ***ret_pos, char **ret_msg)
{
	char **pos = NULL;
	int r;

	*ret_msg = NULL;
	for (int i = start; i < argc; i++) {
		const char *a = argv[i];
		bool is_opt = a[0] == '-' && a[1] != '\0';
		bool rest = strcmp(a, "--") == 0 ||
			    (stop_after_pos && !is_opt && strv_length(pos) >= max_pos);

		if (rest) {
			for (i += strcmp(a, "--") == 0; i < argc; i++)
				if (strv_push_dup(&pos, argv[i]) < 0)
					goto out_oom;
			break;
		}
		if (is_opt) {
			r = parse_one(argc, argv, &i, defs, ret_msg);
			if (r < 0) {
				strv_free(pos);
				return r;
			}
			continue;
		}
		if (strv_push_dup(&pos, a) < 0)
			goto out_oom;
	}
	*ret_pos = pos;
	return 0;
out_oom:
	strv_free(pos);
	return -ENOMEM;
}

void argparse_help(const struct opt_def *defs)
{
	argparse_help_to(stdout, defs);
}

static argparse_help_hook help_hook;
static void *help_hook_data;

void argparse_set_help_hook(argparse_help_hook fn, void *data)
{
	help_hook = fn;
	help_hook_data = data;
}

void argparse_help_to(FILE *out, const struct opt_def *defs)
{
	if (help_hook)
		help_hook(help_hook_data, defs);
	for (const struct opt_def *d = defs; d->name; d++) {
		char left[64], shortpart[8] = "    ";

		if (!d->help)
			continue;
		if (d->short_name)
			snprintf(shortpart, sizeof(shortpart), "-%c, ", d->short_name);
		snprintf(left, sizeof(left), "%s--%s%s%s", shortpart, d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
		fprintf(out, "  %-30s %s\n", left, d->help);
	}
}
