/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Dockerfile parser: text into instructions, as docker's classic builder reads it.
 * Parser directives (`# escape=` and `# syntax=`) at the top; comments are lines whose
 * first non-blank is '#'; a line ending in the escape character ('\' or '`') continues
 * on the next one; blank and comment lines inside a continuation are dropped. Each
 * instruction is a keyword, flags (`--from=stage`), and the rest: the JSON exec form
 * when it parses as an array of strings, the shell form otherwise.
 *
 * Words (lex_words) follow docker's shell lexer: single quotes keep everything, double
 * quotes allow $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alternate}, the escape
 * character escapes the next one.
 */
#ifndef BERTH_BUILD_DOCKERFILE_H
#define BERTH_BUILD_DOCKERFILE_H

#include <stddef.h>

#include "lib/err.h"

struct df_instr {
	char *cmd;	/* the keyword in upper case: "RUN" */
	char *original; /* "RUN echo hi" as written (continuations joined) */
	char **flags;	/* "--from=build", ... (NULL-terminated, may be NULL) */
	char *rest;	/* the arguments after the flags */
	char **json;	/* rest as a JSON array of strings, or NULL: the shell form */
	unsigned line;	/* where it starts */
};

struct dockerfile {
	struct df_instr *v;
	size_t n;
	char escape; /* '\\' or '`' */
};

int dockerfile_parse(const char *text, size_t len, struct dockerfile **ret, struct berr **err);
struct dockerfile *dockerfile_free(struct dockerfile *d);
static inline void dockerfile_freep(struct dockerfile **d)
{
	*d = dockerfile_free(*d);
}
#define _cleanup_dockerfile_ __attribute__((cleanup(dockerfile_freep)))

/*
 * Split s into words, removing quotes; with vars ("NAME=value" vector, may be NULL)
 * unless noexpand, $NAME references are replaced. Unknown variables are empty.
 */
int lex_words(const char *s, char escape, char *const *vars, bool expand, char ***ret,
	      struct berr **err);

/* One word: s with quotes removed and variables expanded (blanks kept). */
int lex_word(const char *s, char escape, char *const *vars, char **ret, struct berr **err);

/* The value of --name=VALUE among flags, or NULL. */
const char *df_flag(const struct df_instr *in, const char *name);

#endif
