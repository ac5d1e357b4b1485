/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/units.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/duration.h"

/* "k" -> 1, "m" -> 2 ... (a power of the base), or -1. */
static int unit_power(char c)
{
	static const char units[] = "kmgtp";
	const char *p = strchr(units, tolower((unsigned char) c));

	return c && p ? (int) (p - units) + 1 : -1;
}

static int parse_size(const char *s, double base, int64_t *ret)
{
	double v, mult = 1;
	size_t n = duration_read_decimal(s, &v);
	const char *p = s + n;
	int power;

	if (n == 0)
		return -EINVAL;
	if (*p == ' ')
		p++;
	if (*p && (power = unit_power(*p)) > 0) {
		for (int i = 0; i < power; i++)
			mult *= base;
		p++;
		if (*p == 'i' || *p == 'I')
			p++;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return -EINVAL;
	v *= mult;
	if (v >= 9.2e18)
		return -ERANGE;
	*ret = (int64_t) v;
	return 0;
}

int units_parse_ram(const char *s, bool allow_minus_one, int64_t *ret, struct berr **err)
{
	if (allow_minus_one && strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	if (parse_size(s, 1024, ret) < 0)
		return berr_set(err, EINVAL, "invalid size: '%s'", s);
	return 0;
}

int units_parse_human(const char *s, int64_t *ret, struct berr **err)
{
	if (parse_size(s, 1000, ret) < 0)
		return berr_set(err, EINVAL, "invalid size: '%s'", s);
	return 0;
}

int units_parse_cpus(const char *s, int64_t *ret, struct berr **err)
{
	double v;
	size_t n = duration_read_decimal(s, &v);

	if (n == 0 || s[n] != '\0')
		return berr_set(err, EINVAL, "failed to parse '%s' as a rational number", s);
	v *= 1e9;
	if (v != floor(v))
		return berr_set(err, EINVAL, "value is too precise");
	if (v > 9.2e18)
		return berr_set(err, ERANGE, "value is too large");
	*ret = (int64_t) v;
	return 0;
}

static const char *const signal_names[] = {
	[SIGHUP] = "HUP",   [SIGINT] = "INT",	    [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",	    [SIGBUS] = "BUS",	[SIGFPE] = "FPE",
	[SIGKILL] = "KILL", [SIGUSR1] = "USR1",	    [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",	    [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD", [SIGCONT] = "CONT",	    [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",	    [SIGURG] = "URG",	[SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
	[SIGIO] = "IO",	    [SIGPWR] = "PWR",	    [SIGSYS] = "SYS",
};

const char *units_signal_name(int sig)
{
	if (sig > 0 && (size_t) sig < ELEMENTSOF(signal_names))
		return signal_names[sig];
	return NULL;
}

int units_parse_signal(const char *s, int *ret, struct berr **err)
{
	const char *name = s;
	char *end;
	long v;

	if (isdigit((unsigned char) s[0])) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v < 1 || v > 64)
			return berr_set(err, EINVAL, "invalid signal: '%s'", s);
		*ret = (int) v;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 1; i < ELEMENTSOF(signal_names); i++) {
		if (signal_names[i] && strcasecmp(signal_names[i], name) == 0) {
			*ret = (int) i;
			return 0;
		}
	}
	if (strncasecmp(name, "RTMIN+", 6) == 0 || strncasecmp(name, "RTMAX-", 6) == 0) {
		errno = 0;
		v = strtol(name + 6, &end, 10);
		if (!errno && !*end && v >= 0 && v <= SIGRTMAX - SIGRTMIN) {
			*ret = toupper((unsigned char) name[3]) == 'I' ? SIGRTMIN + (int) v
								       : SIGRTMAX - (int) v;
			return 0;
		}
	}
	return berr_set(err, EINVAL, "invalid signal: '%s'", s);
}

int units_parse_duration(const char *s, int64_t *ret, struct berr **err)
{
	return duration_parse(s, ret, err);
}

/*
 * "SECONDS[.FRACTION]" with at most 9 digits of fraction, exactly (as docker's
 * GetTimestamp, where a double would round the nanoseconds away); false otherwise.
 */
static bool parse_unix_exact(const char *s, int64_t *ret)
{
	int64_t secs = 0, frac = 0;
	size_t i = 0, digits = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 10)
			return false;
		secs = secs * 10 + (s[i] - '0');
	}
	if (i == 0)
		return false;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			if (digits >= 9)
				return false;
			frac = frac * 10 + (s[i] - '0');
		}
	/* past 2262: the double's path saturates it */
	if (s[i] != '\0' || secs > INT64_MAX / 1000000000LL - 1)
		return false;
	for (; digits < 9; digits++)
		frac *= 10;
	*ret = secs * 1000000000LL + frac;
	return true;
}

int units_parse_since(const char *s, int64_t now_ns, int64_t *ret, struct berr **err)
{
	int64_t d;
	double v;
	size_t n;

	if (rfc3339_parse_ns(s, &d) >= 0 || parse_unix_exact(s, &d)) {
		*ret = d;
		return 0;
	}
	n = duration_read_decimal(s, &v);
	if (n > 0 && s[n] == '\0') {
		/* a timestamp past 2262 saturates, as a date does (rfc3339_parse_ns) */
		*ret = v * 1e9 >= 9.2e18 ? INT64_MAX : (int64_t) (v * 1e9);
		return 0;
	}
	if (units_parse_duration(s, &d, NULL) >= 0) {
		*ret = now_ns - d;
		return 0;
	}
	return berr_set(err, EINVAL,
			"invalid time '%s': a date (RFC 3339), a timestamp or a "
			"duration (10m)",
			s);
}

int units_parse_int(const char *s, int64_t min, int64_t max, const char *what, int64_t *ret,
		    struct berr **err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || !*s || end == s)
		return berr_set(err, EINVAL, "invalid %s: '%s' is not a number", what, s);
	if (v < min || v > max)
		return berr_set(err, ERANGE, "invalid %s: %lld is out of range %lld to %lld", what,
				v, (long long) min, (long long) max);
	*ret = v;
	return 0;
}

static const char *const ulimit_names[][2] = {
	{"core", "RLIMIT_CORE"},	 {"cpu", "RLIMIT_CPU"},
	{"data", "RLIMIT_DATA"},	 {"fsize", "RLIMIT_FSIZE"},
	{"locks", "RLIMIT_LOCKS"},	 {"memlock", "RLIMIT_MEMLOCK"},
	{"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},
	{"nofile", "RLIMIT_NOFILE"},	 {"nproc", "RLIMIT_NPROC"},
	{"rss", "RLIMIT_RSS"},		 {"rtprio", "RLIMIT_RTPRIO"},
	{"rttime", "RLIMIT_RTTIME"},	 {"sigpending", "RLIMIT_SIGPENDING"},
	{"stack", "RLIMIT_STACK"},
};

const char *units_ulimit_rlimit(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(ulimit_names); i++)
		if (strcmp(ulimit_names[i][0], name) == 0)
			return ulimit_names[i][1];
	return NULL;
}

int units_parse_ulimit(const char *s, struct ulimit *ret, struct berr **err)
{
	const char *eq = strchr(s, '='), *colon;
	_cleanup_free_ char *name = NULL;
	int64_t soft, hard;

	if (!eq)
		return berr_set(err, EINVAL, "invalid ulimit argument: '%s'", s);
	name = strndup(s, (size_t) (eq - s));
	if (!name)
		return -ENOMEM;
	if (!units_ulimit_rlimit(name))
		return berr_set(err, EINVAL, "invalid ulimit type: '%s'", name);
	colon = strchr(eq + 1, ':');
	{
		_cleanup_free_ char *a =
			strndup(eq + 1, colon ? (size_t) (colon - eq - 1) : strlen(eq + 1));

		if (!a)
			return -ENOMEM;
		if (units_parse_int(a, -1, INT64_MAX, "ulimit value", &soft, err) < 0)
			return -EINVAL;
	}
	hard = soft;
	if (colon && units_parse_int(colon + 1, -1, INT64_MAX, "ulimit value", &hard, err) < 0)
		return -EINVAL;
	if (soft > hard && hard != -1)
		return berr_set(err, EINVAL,
				"ulimit soft limit must be less than or equal to hard limit: "
				"%lld > %lld",
				(long long) soft, (long long) hard);
	ret->name = TAKE_PTR(name);
	ret->soft = soft;
	ret->hard = hard;
	return 0;
}

static const char *const restart_names[_RESTART_KIND_MAX] = {
	[RESTART_NO] = "no",
	[RESTART_ON_FAILURE] = "on-failure",
	[RESTART_ALWAYS] = "always",
	[RESTART_UNLESS_STOPPED] = "unless-stopped",
};

const char *units_restart_name(enum restart_kind k)
{
	return k < _RESTART_KIND_MAX ? restart_names[k] : "no";
}

int units_parse_restart(const char *s, struct restart_policy *ret, struct berr **err)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t) (colon - s) : strlen(s);
	int64_t n = 0;

	for (int k = 0; k < _RESTART_KIND_MAX; k++) {
		if (strlen(restart_names[k]) != len || strncmp(restart_names[k], s, len) != 0)
			continue;
		if (colon && k != RESTART_ON_FAILURE)
			return berr_set(err, EINVAL,
					"maximum retry count cannot be used with restart policy "
					"'%s'",
					restart_names[k]);
		if (colon &&
		    units_parse_int(colon + 1, 0, INT32_MAX, "maximum retry count", &n, err) < 0)
			return -EINVAL;
		ret->kind = (enum restart_kind) k;
		ret->max_retries = (int) n;
		return 0;
	}
	if (len == 0 && !colon) {
		*ret = (struct restart_policy){RESTART_NO, 0};
		return 0;
	}
	return berr_set(err, EINVAL, "invalid restart policy '%s'", s);
}
