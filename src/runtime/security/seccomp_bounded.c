/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiling linux.seccomp in a child with a deadline.
 *
 * libseccomp 2.5.4 (Debian 12) loops forever adding the second of two rules for one syscall
 * that compare different arguments (fuzz/known-hangs/fuzz_seccomp/two-socket-rules.json);
 * runc's init spins on the same config. A runtime that runs as root for every container
 * must not hang on its input, so the compile runs in a forked child that SIGALRM kills
 * after SECCOMP_COMPILE_SECONDS. The child writes the BPF into a memfd, or its error into
 * a pipe. It costs one fork per compile, and a compile happens once per filter: the
 * programs are cached by content (seccomp_cache.c).
 */
#include "runtime/security/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp_enosys.h"

static _Noreturn void compile_child(const struct spec_seccomp *sc, int bpf_fd, int err_fd)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct berr *e = NULL;
	char buf[4096];
	sigset_t alrm;

	/* Dies with the runtime, and by the deadline whatever libseccomp does. */
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	(void) sigaction(SIGALRM, &dfl, NULL);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	(void) sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	alarm(SECCOMP_COMPILE_SECONDS);
	if (seccomp_compile_to_fd(sc, bpf_fd, &e) < 0) {
		size_t n = berr_encode(e, buf, sizeof(buf));

		(void) write_all(err_fd, buf, n);
		_exit(1);
	}
	_exit(0);
}

/* Wait for the child; -errno with err set unless it exited 0. msg is what it sent. */
static int reap_child(pid_t pid, const char *msg, size_t len, struct berr **err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "waiting for the seccomp compiler");
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return berr_set(err, ETIMEDOUT,
				"libseccomp did not compile the filter in %d s (libseccomp 2.5 "
				"loops forever on some rule sets, such as two rules for one "
				"syscall comparing different arguments: merge them)",
				SECCOMP_COMPILE_SECONDS);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1 && len > 0)
		return berr_decode(msg, len, err);
	if (WIFSIGNALED(status))
		return berr_set(err, ECHILD, "the seccomp compiler was killed by signal %d",
				WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return berr_set(err, ECHILD, "the seccomp compiler exited with %d",
				WEXITSTATUS(status));
	return 0;
}

int seccomp_compile_bounded(const struct spec_seccomp *sc, struct seccomp_program *ret,
			    struct berr **err)
{
	_cleanup_close_ int bpf = -1, err_rd = -1, err_wr = -1;
	struct seccomp_program p = {0};
	char msg[4096];
	size_t len = 0;
	int fds[2], r;
	pid_t pid;

	memset(ret, 0, sizeof(*ret));
	if (!sc->set)
		return 0;
	bpf = memfd_create("berth-seccomp", MFD_CLOEXEC);
	if (bpf < 0)
		return berr_sys(err, errno, "creating a memfd for the seccomp filter");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "creating a pipe for the seccomp compiler");
	err_rd = fds[0];
	err_wr = fds[1];
	pid = fork();
	if (pid < 0)
		return berr_sys(err, errno, "forking the seccomp compiler");
	if (pid == 0)
		compile_child(sc, bpf, err_wr);
	closep(&err_wr);
	err_wr = -1;
	/* Until the child exits (or its deadline kills it) and its end of the pipe closes. */
	for (;;) {
		ssize_t n = read(err_rd, msg + len, sizeof(msg) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t) n) == sizeof(msg))
			break;
	}
	if ((r = reap_child(pid, msg, len, err)) < 0 ||
	    (r = seccomp_program_read(bpf, &p, err)) < 0 ||
	    (r = seccomp_enosys_prepend(sc, &p, err)) < 0) {
		seccomp_program_done(&p);
		return r;
	}
	seccomp_program_set_flags(sc, &p);
	*ret = p;
	return 0;
}
