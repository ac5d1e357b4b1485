/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line options as a table (STYLE.md §2: "argument parsing is a table of
 * options, not one function"). Accepts what runc's Go flag parsing accepts, so callers
 * written for runc work unchanged: --name value, --name=value, -name value, -n value,
 * boolean --name, --name=true|false, and "--" to end the options.
 */
#ifndef BERTH_CLI_ARGPARSE_H
#define BERTH_CLI_ARGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_kind {
	OPT_BOOL,     /* bool *target */
	OPT_STRING,   /* const char **target (points into argv) */
	OPT_INT,      /* int *target, decimal, >= 0 */
	OPT_LIST,     /* char ***target: every occurrence appended (strv) */
	OPT_TRISTATE, /* int *target: a flag like OPT_BOOL; stays -1 when not given */
};

struct opt_def {
	const char *name; /* long name, without dashes */
	char short_name;  /* 0 if none */
	enum opt_kind kind;
	void *target;
	const char *arg; /* the argument's name in help ("PATH"), NULL for flags */
	const char *help;
};

/*
 * Parse argv[start..argc) against defs (terminated by an entry with name NULL).
 * Positional arguments are collected into *ret_pos (at most max_pos before the rest
 * is taken verbatim when stop_after_pos is true, for `exec ID CMD...`). On a usage
 * error returns -EINVAL and *ret_msg says why (malloc'd).
 */
int argparse(int argc, char **argv, int start, const struct opt_def *defs, bool stop_after_pos,
	     size_t max_pos, char ***ret_pos, char **ret_msg);

/* Print "  -x, --name ARG  help" lines for defs (to stdout, or out). */
void argparse_help(const struct opt_def *defs);
void argparse_help_to(FILE *out, const struct opt_def *defs);

/*
 * While set, argparse_help_to also hands each table it prints to fn: how `berth
 * __commands` reads every command's options from the tables `--help` prints (describe.c).
 * NULL unsets it.
 */
typedef void (*argparse_help_hook)(void *data, const struct opt_def *defs);
void argparse_set_help_hook(argparse_help_hook fn, void *data);

#endif
