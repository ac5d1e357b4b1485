/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/config/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},	  {"QUIT", SIGQUIT},	 {"ILL", SIGILL},
	{"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},	 {"BUS", SIGBUS},
	{"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},	 {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},	 {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},	 {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},	 {"URG", SIGURG},
	{"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
	{"WINCH", SIGWINCH},   {"IO", SIGIO},	  {"POLL", SIGPOLL},	 {"PWR", SIGPWR},
	{"SYS", SIGSYS},
};

static int parse_number(const char *s, int min, int max)
{
	char *end;
	long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	return (int) v;
}

int signal_from_string(const char *s)
{
	if (*s >= '0' && *s <= '9')
		return parse_number(s, 1, SIGRTMAX);
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ELEMENTSOF(signals); i++)
		if (strcasecmp(signals[i].name, s) == 0)
			return signals[i].sig;
	if (strncasecmp(s, "RTMIN", 5) == 0) {
		int off =
			s[5] ? (s[5] == '+' ? parse_number(s + 6, 0, SIGRTMAX - SIGRTMIN) : -EINVAL)
			     : 0;
		return off < 0 ? off : SIGRTMIN + off;
	}
	if (strncasecmp(s, "RTMAX", 5) == 0) {
		int off =
			s[5] ? (s[5] == '-' ? parse_number(s + 6, 0, SIGRTMAX - SIGRTMIN) : -EINVAL)
			     : 0;
		return off < 0 ? off : SIGRTMAX - off;
	}
	return -EINVAL;
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < ELEMENTSOF(signals); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}
