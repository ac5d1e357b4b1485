/* SPDX-License-Identifier: Apache-2.0 */
#include "build/healthcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

#define MIN_DURATION 1000000LL /* docker's containertypes.MinimumDuration: 1ms */

static const char *const duration_flags[] = {"interval", "timeout", "start-period",
					     "start-interval"};

static int duration(const char *flag, const char *v, int64_t *ret, struct berr **err)
{
	int r;

	*ret = 0;
	if (!v)
		return 0;
	r = units_parse_duration(v, ret, err);
	if (r < 0) {
		(void) berr_wrap(err, "invalid --%s '%s'", flag, v);
		return r;
	}
	if (*ret < 0)
		return berr_set(err, EINVAL, "--%s cannot be negative", flag);
	if (*ret && *ret < MIN_DURATION)
		return berr_set(err, EINVAL, "Interval \"%s\" cannot be less than 1ms", flag);
	return 0;
}

static int retries(const char *v, int64_t *ret, struct berr **err)
{
	char *end;
	long long n;

	*ret = 0;
	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno)
		return berr_set(err, EINVAL, "invalid --retries '%s': not an integer", v);
	if (n < 0)
		return berr_set(err, EINVAL, "--retries cannot be negative");
	*ret = n;
	return 0;
}

static int check_flags(const struct df_instr *in, struct berr **err)
{
	STRV_FOREACH (f, in->flags) {
		size_t n = strcspn(*f + 2, "=");
		bool known = n == 7 && !strncmp(*f + 2, "retries", 7);

		for (size_t i = 0; i < 4; i++)
			known = known || (strlen(duration_flags[i]) == n &&
					  !strncmp(*f + 2, duration_flags[i], n));
		if (!known || !(*f)[n + 2])
			return berr_set(err, EINVAL, "HEALTHCHECK: unknown flag: '%s'", *f);
	}
	return 0;
}

static int read_flags(const struct df_instr *in, struct run_health *h, struct berr **err)
{
	int64_t *dst[4] = {&h->interval, &h->timeout, &h->start_period, &h->start_interval};
	int r = check_flags(in, err);

	for (size_t i = 0; r >= 0 && i < 4; i++)
		r = duration(duration_flags[i], df_flag(in, duration_flags[i]), dst[i], err);
	return r < 0 ? r : retries(df_flag(in, "retries"), &h->retries, err);
}

/* The command after CMD: the exec form when it is a JSON array, else the shell form. */
static int command(const char *rest, char ***ret, struct berr **err)
{
	_cleanup_dockerfile_ struct dockerfile *d = NULL;
	_cleanup_free_ char *text = NULL;
	char **v = NULL;
	int r;

	if (!*rest)
		return berr_set(err, EINVAL, "HEALTHCHECK CMD requires a command");
	if (asprintf(&text, "CMD %s", rest) < 0)
		return -ENOMEM;
	r = dockerfile_parse(text, strlen(text), &d, err);
	if (r < 0)
		return r;
	if (d->n == 1 && d->v[0].json) {
		if (!d->v[0].json[0])
			return berr_set(err, EINVAL, "HEALTHCHECK CMD requires a command");
		r = strv_push_dup(&v, "CMD");
		STRV_FOREACH (a, d->v[0].json)
			if (r >= 0)
				r = strv_push_dup(&v, *a);
	} else {
		r = strv_push_dup(&v, "CMD-SHELL");
		if (r >= 0)
			r = strv_push_dup(&v, rest);
	}
	if (r < 0) {
		strv_free(v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}

int healthcheck_parse(const struct df_instr *in, struct run_health *ret, struct berr **err)
{
	struct run_health h = {0};
	const char *rest = in->rest;
	size_t n = strcspn(rest, " \t");
	const char *args = rest + n + strspn(rest + n, " \t");
	int r;

	if (n == 4 && !strncasecmp(rest, "NONE", 4)) {
		if (*args)
			return berr_set(err, EINVAL, "HEALTHCHECK NONE takes no arguments");
		if (strv_push_dup(&h.test, "NONE") < 0)
			return -ENOMEM;
	} else if (n == 3 && !strncasecmp(rest, "CMD", 3)) {
		if ((r = read_flags(in, &h, err)) < 0 || (r = command(args, &h.test, err)) < 0)
			return r;
	} else {
		return berr_set(err, EINVAL, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
				(int) n, rest);
	}
	run_health_done(ret);
	*ret = h;
	return 0;
}
