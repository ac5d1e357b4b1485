/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lifecycle/monitor.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/process/terminal.h"

/* Raised by a fault in this process: blocking them would turn a crash into a hang. */
static bool is_sync_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	       sig == SIGTRAP || sig == SIGSYS;
}

int monitor_block_signals(sigset_t *ret_set, sigset_t *ret_old)
{
	sigemptyset(ret_set);
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || is_sync_fault(sig))
			continue;
		/* glibc refuses its own real-time signals (SIGCANCEL, SIGSETXID): skip them. */
		(void) sigaddset(ret_set, sig);
	}
	return sigprocmask(SIG_BLOCK, ret_set, ret_old) < 0 ? -errno : 0;
}

int monitor_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Reap every child that exited; true when pid was one of them. */
static bool reap(pid_t pid, int *ret_code)
{
	bool done = false;
	int status;

	for (;;) {
		pid_t w = waitpid(-1, &status, WNOHANG);

		if (w <= 0)
			return done;
		if (w == pid) {
			*ret_code = monitor_exit_code(status);
			done = true;
		}
	}
}

/* One signal: true when pid exited. */
static bool handle_signal(pid_t pid, const struct signalfd_siginfo *si, struct terminal_proxy *tp,
			  int *ret_code)
{
	int sig = (int) si->ssi_signo;

	switch (sig) {
	case SIGCHLD:
		return reap(pid, ret_code);
	case SIGWINCH:
		if (tp)
			terminal_proxy_resize(tp);
		return false;
	case SIGPIPE:
		return false;
	default:
		(void) kill(pid, sig);
		return false;
	}
}

static int read_signal(int sfd, struct signalfd_siginfo *si, struct berr **err)
{
	ssize_t n = read(sfd, si, sizeof(*si));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n != sizeof(*si))
		return berr_sys(err, n < 0 ? errno : EIO, "waiting for the container");
	return 1;
}

int monitor_wait(pid_t pid, const sigset_t *set, struct terminal_proxy *tp, int *ret_code,
		 struct berr **err)
{
	_cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	struct pollfd pfd[1 + TERMINAL_PROXY_NFDS];
	bool done = false;

	if (sfd < 0)
		return berr_sys(err, errno, "creating a signalfd");
	done = reap(pid, ret_code);
	while (!done) {
		struct signalfd_siginfo si;
		nfds_t n = 1;
		int r;

		pfd[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
		if (tp) {
			terminal_proxy_fill(tp, pfd + 1);
			n += TERMINAL_PROXY_NFDS;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(err, errno, "waiting for the container");
		}
		if (tp)
			terminal_proxy_step(tp, pfd + 1);
		if (!(pfd[0].revents & POLLIN))
			continue;
		r = read_signal(sfd, &si, err);
		if (r < 0)
			return r;
		if (r > 0)
			done = handle_signal(pid, &si, tp, ret_code);
	}
	if (tp)
		terminal_proxy_finish(tp);
	return 0;
}
