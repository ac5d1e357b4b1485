/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's side of the OCI boundary: it runs an OCI runtime binary with runc's
 * command line (berth-runtime, runc, crun) and never links the runtime. Every call is
 * `RUNTIME --root ROOT [--log LOG --log-format json] COMMAND ...`; the runtime's error
 * text comes back in *err (from its stderr, or from the JSON log for `create`, whose
 * stderr is the container's).
 */
#ifndef BERTH_ENGINE_RUNTIME_CLIENT_H
#define BERTH_ENGINE_RUNTIME_CLIENT_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

struct oci_runtime {
	const char *path; /* the binary */
	const char *root; /* its --root */
	const char *log;  /* --log for create (a JSON log), or NULL */
	const char *cwd;  /* working directory of the calls, or NULL */
};

/*
 * The binary for a --runtime value: "berth-runtime" (or "berth") is the one beside the
 * running berth binary, else on PATH; "runc", "crun" and other names are looked up on
 * PATH; a path is taken as it is. *ret is malloc'd.
 */
int runtime_resolve(const char *name, char **ret, struct berr **err);

/* stdio for `create` (passed to the container when it has no terminal); -1: /dev/null. */
struct runtime_stdio {
	int in, out, err;
};

struct runtime_create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket; /* NULL without a terminal */
	struct runtime_stdio stdio;
};

/* The message of the last error line of a runtime's JSON log (malloc'd), or NULL. */
char *runtime_log_error(const char *path);

/* `create`: the container's init waits for start. */
int runtime_create(const struct oci_runtime *rt, const struct runtime_create_opts *o,
		   struct berr **err);
int runtime_start(const struct oci_runtime *rt, const char *id, struct berr **err);
/* `kill [--all] ID SIG` */
int runtime_kill(const struct oci_runtime *rt, const char *id, int sig, bool all,
		 struct berr **err);
/* `delete [--force] ID`; a container the runtime does not know is success. */
int runtime_delete(const struct oci_runtime *rt, const char *id, bool force, struct berr **err);
int runtime_pause(const struct oci_runtime *rt, const char *id, struct berr **err);
int runtime_resume(const struct oci_runtime *rt, const char *id, struct berr **err);
/* `update --resources FILE ID`: FILE is a linux.resources JSON document (runc's form). */
int runtime_update(const struct oci_runtime *rt, const char *id, const char *resources,
		   struct berr **err);

/* `ps --format json ID`: the host pids of the container's processes (malloc'd array). */
int runtime_ps(const struct oci_runtime *rt, const char *id, pid_t **ret, size_t *ret_n,
	       struct berr **err);

/* `events --stats ID`: runc's stats JSON ({"type":"stats","data":{...}}), malloc'd. */
int runtime_stats(const struct oci_runtime *rt, const char *id, char **ret, struct berr **err);

/* `state ID`: its "status" ("created", "running", "paused", "stopped"), malloc'd. */
int runtime_status(const struct oci_runtime *rt, const char *id, char **ret, struct berr **err);

/*
 * Run the runtime with args (after the global options) and the given stdio (-1:
 * /dev/null for stdin, inherited for out and err when inherit_stdio). Returns the
 * runtime's exit status (0-255; 128+N for a signal) or -errno; its stderr (when not
 * inherited) comes back in *ret_stderr (malloc'd, optional).
 */
struct runtime_spawn {
	char *const *args;
	struct runtime_stdio stdio;
	bool inherit_stdio;
	char **ret_stdout; /* optional: capture stdout */
	char **ret_stderr; /* optional: capture stderr */
};
int runtime_run(const struct oci_runtime *rt, const struct runtime_spawn *s, struct berr **err);

#endif
