/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exec instances of the API (POST /containers/{id}/exec, /exec/{id}/start, /exec/{id}/json).
 * As dockerd's, they live in the service's memory only: a registry of at most EXEC_MAX,
 * the oldest finished one dropped for a new one; a stopped service forgets them (their
 * processes run on). api_exec.c keeps the registry, api_exec_run.c runs one.
 */
#ifndef BERTH_API_API_EXEC_H
#define BERTH_API_API_EXEC_H

#include <stdbool.h>

#include "api/api_internal.h"

#define EXEC_MAX 256

/* What an exec runs, as its create request said. */
struct exec_spec {
	char id[65];
	char *container; /* the container's id */
	char **cmd, **env;
	char *user, *workdir;
	bool tty, privileged, attach_stdin, attach_stdout, attach_stderr;
};

void exec_spec_free(struct exec_spec *s);

/* The exec's process ended with code (api_exec_run.c calls it from its waiter thread). */
void api_exec_finished(const char *id, int code);

/*
 * Run s (owned by the call) for POST /exec/{id}/start: detached, or attached over the
 * connection hijacked by an HTTP upgrade (the client asked Upgrade: tcp), else over a
 * streamed reply (output only). Replies itself.
 */
int api_exec_run(struct api_req *r, struct exec_spec *s, bool detach);

#endif
