/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth-init: the small init of `berth run --init` (docker-init's role), bound into the
 * container at /sbin/docker-init and linked statically so it runs in any rootfs. As PID 1
 * it runs the command as its child, forwards the signals it gets to it (PID 1 has no
 * default actions, so without this a SIGTERM would be ignored), reaps every orphan that
 * the kernel reparents to it, and exits with the command's status (128 + signal).
 *
 *   /sbin/docker-init -- CMD [ARG...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = {SIGHUP,	  SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
				SIGWINCH, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM};

static pid_t spawn(char **argv, const sigset_t *old)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, old, NULL);
	/* the child gets a process group of its own: a terminal's ^C reaches it */
	(void) setpgid(0, 0);
	execvp(argv[0], argv);
	fprintf(stderr, "berth-init: exec %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Reap everything that exited; returns the child's status once it is among them. */
static int reap(pid_t child, int *status)
{
	int st, done = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == child) {
			*status = st;
			done = 1;
		}
	return done;
}

int main(int argc, char **argv)
{
	sigset_t all, old;
	int first = 1, status = 0;
	pid_t child;

	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		fprintf(stderr, "usage: %s [--] CMD [ARG...]\n", argv[0]);
		return 2;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	child = spawn(argv + first, &old);
	if (child < 0) {
		perror("berth-init: fork");
		return 126;
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig == SIGCHLD) {
			if (reap(child, &status))
				break;
			continue;
		}
		for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
			if (forwarded[i] == sig)
				(void) kill(child, sig);
	}
	/* the others of the container are reaped by the kernel when PID 1 exits */
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
