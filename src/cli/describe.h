/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program's commands as data, read from the very tables `--help` prints: the walk runs
 * `PROG PATH... --help` in-process for every command, with stdout captured, and takes the
 * options from argparse_help_to (argparse_set_help_hook), the usage from the "Usage:"
 * line and the subcommands from the "Commands:" list. A command added to any table, with
 * its options, is described with no change here. `berth __commands` prints it as JSON
 * lines; `berth completion` and scripts/gen-man.py are built on it.
 */
#ifndef BERTH_CLI_DESCRIBE_H
#define BERTH_CLI_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"

struct describe_opt {
	char *name;	 /* long name, no dashes */
	char short_name; /* 0 if none */
	char *arg;	 /* the argument's name ("PATH"); NULL for a flag */
	char *help;
};

struct describe_cmd {
	char **path;	   /* {"image", "ls"}; empty for the program itself */
	char *summary;	   /* as the parent's Commands list says; NULL for the program */
	char *usage;	   /* what follows "PROG PATH" in its Usage line */
	char *description; /* the text between the Usage line and the first section */
	char **subcmds;	   /* what its Commands list names, NULL if none */
	struct describe_opt *opts;
	size_t n_opts;
};

struct describe {
	char *prog;
	struct describe_cmd *cmds; /* the program first, then each command before its subcommands */
	size_t n_cmds;
};

/* The program's main(), run as `PROG PATH... --help` for each command. */
typedef int (*describe_main_fn)(int argc, char **argv);

int describe_walk(const char *prog, describe_main_fn main_fn, struct describe **ret,
		  struct berr **err);
struct describe *describe_free(struct describe *d);
static inline void describe_freep(struct describe **d)
{
	describe_free(*d);
}
#define _cleanup_describe_ __attribute__((cleanup(describe_freep)))

/* The command at path (n words), NULL if none. */
const struct describe_cmd *describe_find(const struct describe *d, char *const *path, size_t n);

/* One JSON object a line, one line a command (`berth __commands`). */
int describe_print_json(const struct describe *d, FILE *out);

/* `PROG __commands` for main(): walks and prints; returns the exit code. */
int describe_main(const char *prog, describe_main_fn main_fn);

#endif
