/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container state on disk: <root>/<id>/ holds state.json (written atomically), the
 * exec.fifo that `start` writes to, and a snapshot of config.json taken at create.
 * Commands that change a container hold an exclusive flock on its directory, so two
 * commands on one container never race; readers rely on the atomic rename.
 */
#ifndef BERTH_RUNTIME_STATE_H
#define BERTH_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

#define STATE_FILE "state.json"
#define STATE_FIFO "exec.fifo"
#define STATE_CONFIG "config.json"

enum container_status {
	STATUS_CREATING,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
	_STATUS_MAX,
};

struct container_state {
	char *id;
	pid_t pid;		     /* the init's pid on the host; 0 before it exists */
	uint64_t start_time;	     /* /proc/PID/stat field 22: tells a reused pid apart */
	char *bundle;		     /* absolute */
	char *rootfs;		     /* absolute */
	char *created;		     /* RFC 3339, UTC */
	uint32_t owner;		     /* uid that created it */
	enum container_status phase; /* last phase written: creating, created, running, paused */
	struct kv *annotations;
	size_t n_annotations;
	char *cgroup_path;   /* the container's cgroup path inside each hierarchy */
	bool cgroup_created; /* berth made the cgroup and must remove it */
	bool own_pid_ns;     /* the container has its own pid namespace */
	int64_t exit_code;   /* when known (foreground run), else -1 */
	bool no_new_keyring; /* created with --no-new-keyring: `exec` keeps its keyring */
};

const char *status_name(enum container_status s);

/* A valid container id: [A-Za-z0-9_+.-]{1,1024}, not "." or "..". */
bool state_id_valid(const char *id);

/*
 * Open the state root (mkdir -p with 0700 when create is true). -ENOENT when it is
 * missing and create is false.
 */
int state_root_open(const char *root, bool create, int *ret_fd, struct berr **err);

/* mkdir <root>/<id> (0700) and lock it. -EEXIST: "container 'x' already exists". */
int state_dir_create(int rootfd, const char *id, int *ret_dirfd, struct berr **err);

/*
 * Open <root>/<id> and take its lock (exclusive or shared), waiting for it. -ENOENT with
 * "container 'x' does not exist" when there is no such container (also when it was
 * deleted while we waited).
 */
int state_dir_open(int rootfd, const char *id, bool exclusive, int *ret_dirfd, struct berr **err);

/* Remove <root>/<id> and everything in it. */
int state_dir_remove(int rootfd, const char *id);

/*
 * Open container id under the state root (a path), locked (exclusive or shared) through
 * *ret_dirfd; *ret_st is its state (when wanted), *ret_rootfd the root (when wanted).
 * "container 'x' does not exist" when there is none.
 */
int state_open_container(const char *root, const char *id, bool exclusive, int *ret_rootfd,
			 int *ret_dirfd, struct container_state **ret_st, struct berr **err);

int state_save(int dirfd, const struct container_state *st, struct berr **err);
int state_load(int dirfd, struct container_state **ret, struct berr **err);
struct container_state *state_free(struct container_state *st);
static inline void state_freep(struct container_state **st)
{
	*st = state_free(*st);
}
#define _cleanup_state_ __attribute__((cleanup(state_freep)))

/* The text of state.json that state_save writes, or NULL on OOM (for tests and fuzzing:
 * state_parse reads it back to the same state). */
char *state_file_json(const struct container_state *st);

/* Parse state.json text (exposed for tests and fuzzing). */
int state_parse(const char *text, size_t len, struct container_state **ret, struct berr **err);

/*
 * What the container is doing now: stopped when its init is gone (or its pid was
 * reused), else the phase last written (creating, created, running, or paused: `pause`
 * writes it once the cgroup is frozen, `resume` writes running or created back).
 */
enum container_status state_status(const struct container_state *st);

/* Is st->pid still the process berth started? (pid alive and start time equal) */
bool state_pid_alive(const struct container_state *st);

/* Start time (field 22 of /proc/PID/stat) of pid, or -errno. Zombies give -ESRCH. */
int proc_start_time(pid_t pid, uint64_t *ret);

/*
 * The state JSON that `state` prints (runtime.md's State, plus runc's rootfs, created,
 * owner). Malloc'd, pretty when asked.
 */
char *state_to_json(const struct container_state *st, enum container_status status, bool pretty);

/* Current time as RFC 3339 with nanoseconds, e.g. "2026-11-29T10:00:00.123456789Z". */
char *rfc3339_now(void);

#endif
