/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp: the names config.json uses, compiling the filter to BPF (in the
 * parent, before clone, cached by content) and loading it in the container's process
 * right before execve.
 */
#ifndef BERTH_RUNTIME_SECCOMP_H
#define BERTH_RUNTIME_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/security/seccomp_types.h"

struct kv;
struct spec_seccomp;
struct sock_filter;

/* The enum value for a config.json name ("SCMP_ACT_ERRNO", ...), or -EINVAL. */
int seccomp_action_from_name(const char *name);
int seccomp_op_from_name(const char *name);
int seccomp_arch_from_name(const char *name);
int seccomp_flag_from_name(const char *name);
/* The config.json name of an enum value; "unknown" out of range. */
const char *seccomp_action_name(int action);
const char *seccomp_op_name(int op);
const char *seccomp_arch_name(int arch);
const char *seccomp_flag_name(int flag);

/*
 * Whether this kernel takes the flag as berth passes it (features' supportedFlags).
 * Asks the kernel without loading anything.
 */
bool seccomp_flag_supported(int flag);

void seccomp_program_done(struct seccomp_program *p);

/* Set p->flags (seccomp(2)'s, a listener when a rule notifies) and p->notify from sc. */
void seccomp_program_set_flags(const struct spec_seccomp *sc, struct seccomp_program *p);

/*
 * Compile sc to BPF for this machine (libseccomp), or reuse the copy cached in
 * cache_dirfd (a directory the caller owns; -1: no cache) for the same input; a compile
 * runs in a child with a time bound (seccomp_compile_bounded). Syscall
 * names this architecture does not know are skipped, as runc does. On success *ret
 * holds the program (empty when sc is not set); free it with seccomp_program_done().
 */
int seccomp_prepare(const struct spec_seccomp *sc, int cache_dirfd, struct seccomp_program *ret,
		    struct berr **err);

/*
 * Compile in this process, without the cache or a time bound. For tests and the fuzzer;
 * the runtime goes through seccomp_prepare(), which bounds the compile.
 */
int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_program *ret, struct berr **err);

/* The steps of seccomp_compile(): libseccomp's BPF for sc into fd, then fd read back. */
int seccomp_compile_to_fd(const struct spec_seccomp *sc, int fd, struct berr **err);
int seccomp_program_read(int fd, struct seccomp_program *p, struct berr **err);

/*
 * seccomp_compile() in a child process killed after SECCOMP_COMPILE_SECONDS: libseccomp
 * 2.5 loops forever on some rule sets (two rules of one syscall comparing different
 * arguments), and runc's init spins on them too. A config must not hang the runtime.
 */
#define SECCOMP_COMPILE_SECONDS 10
int seccomp_compile_bounded(const struct spec_seccomp *sc, struct seccomp_program *ret,
			    struct berr **err);

/*
 * The text that decides the compiled program (every field of sc that reaches the BPF,
 * plus libseccomp's version and this machine's architecture): the cache key.
 * Malloc'd; NULL on OOM.
 */
char *seccomp_cache_key(const struct spec_seccomp *sc);

/*
 * Install the program in the calling thread. The kernel wants no_new_privs or
 * CAP_SYS_ADMIN in the current user namespace. When the program has a listener,
 * *ret_listener_fd is its notify fd (close-on-exec, owned by the caller); else -1.
 */
int seccomp_install(const struct seccomp_program *p, int *ret_listener_fd, struct berr **err);

/* What SCMP_ACT_NOTIFY's listener is told (config-linux.md "container process state"). */
struct seccomp_notify_state {
	const char *id;
	const char *bundle;
	const char *status; /* "created" for the init, "running" for an exec */
	int pid;	    /* the container process, in the runtime's pid namespace */
	int init_pid;	    /* state.pid: the container's init (0: pid, for the init itself) */
	const struct kv *annotations;
	size_t n_annotations;
	const char *metadata; /* linux.seccomp.listenerMetadata, or NULL */
};

/*
 * Connect to linux.seccomp.listenerPath (a SOCK_STREAM unix socket). On success
 * *ret_fd is the connected socket, close-on-exec, owned by the caller.
 */
int seccomp_notify_connect(const char *path, int *ret_fd, struct berr **err);

/*
 * Send the container process state as JSON with notify_fd in SCM_RIGHTS over sock, as
 * runtime-spec says: fds ["seccompFd"], one message, then the caller closes sock.
 */
int seccomp_notify_send(int sock, int notify_fd, const struct seccomp_notify_state *st,
			struct berr **err);

#endif
