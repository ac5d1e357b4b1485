/* SPDX-License-Identifier: Apache-2.0 */
#include "image/image_health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/duration.h"
#include "lib/strv.h"

#define MIN_DURATION 1000000LL /* docker's containertypes.MinimumDuration: 1ms */
#define N_DURATIONS 4

static const char *const duration_flags[N_DURATIONS] = {"interval", "timeout", "start-period",
							"start-interval"};

void image_health_done(struct image_health *h)
{
	strv_free(h->test);
	*h = (struct image_health){0};
}

int image_health_copy(const struct image_health *from, struct image_health *to)
{
	*to = *from;
	to->test = NULL;
	if (from->test && !(to->test = strv_copy(from->test)))
		return -ENOMEM;
	return 0;
}

/* The value of --name=VALUE among flags, or NULL. */
static const char *flag_value(char *const *flags, const char *name)
{
	size_t n = strlen(name);

	STRV_FOREACH (f, flags)
		if (strncmp(*f + 2, name, n) == 0 && (*f)[n + 2] == '=')
			return *f + n + 3;
	return NULL;
}

static int duration(const char *flag, const char *v, int64_t *ret, struct berr **err)
{
	int r;

	*ret = 0;
	if (!v)
		return 0;
	r = duration_parse(v, ret, err);
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

static int check_flags(char *const *flags, struct berr **err)
{
	STRV_FOREACH (f, flags) {
		size_t n = strcspn(*f + 2, "=");
		bool known = n == 7 && !strncmp(*f + 2, "retries", 7);

		for (size_t i = 0; i < N_DURATIONS; i++)
			known = known || (strlen(duration_flags[i]) == n &&
					  !strncmp(*f + 2, duration_flags[i], n));
		if (strncmp(*f, "--", 2) || !known || !(*f)[n + 2])
			return berr_set(err, EINVAL, "HEALTHCHECK: unknown flag: '%s'", *f);
	}
	return 0;
}

static int read_flags(char *const *flags, struct image_health *h, struct berr **err)
{
	int64_t *dst[N_DURATIONS] = {&h->interval, &h->timeout, &h->start_period,
				     &h->start_interval};
	int r = check_flags(flags, err);

	for (size_t i = 0; r >= 0 && i < N_DURATIONS; i++)
		r = duration(duration_flags[i], flag_value(flags, duration_flags[i]), dst[i], err);
	return r < 0 ? r : retries(flag_value(flags, "retries"), &h->retries, err);
}

/* args as a JSON array of strings: 1 and *ret; 0 when it is not one (the shell form). */
static int exec_form(const char *args, char ***ret)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;

	*ret = NULL;
	if (*args != '[' || jdoc_parse(args, strlen(args), "HEALTHCHECK", &doc, NULL) < 0)
		return 0;
	jdoc_root(doc, &root);
	if (!jnode_is_array(&root) || jnode_strv(&root, ret, NULL) < 0)
		return 0;
	return 1;
}

/* The command after CMD: ["CMD", args...] for the exec form, else ["CMD-SHELL", args]. */
static int command(const char *args, char ***ret, struct berr **err)
{
	_cleanup_strv_ char **argv = NULL, **v = NULL;
	bool exec = exec_form(args, &argv);

	if (!*args || (exec && (!argv || !argv[0])))
		return berr_set(err, EINVAL, "HEALTHCHECK CMD requires a command");
	if (strv_push_dup(&v, exec ? "CMD" : "CMD-SHELL") < 0)
		return -ENOMEM;
	if (!exec && strv_push_dup(&v, args) < 0)
		return -ENOMEM;
	STRV_FOREACH (a, argv)
		if (strv_push_dup(&v, *a) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

int image_health_parse(char *const *flags, const char *rest, struct image_health *ret,
		       struct berr **err)
{
	struct image_health h = {0};
	size_t n = strcspn(rest, " \t");
	const char *args = rest + n + strspn(rest + n, " \t");
	int r;

	if (n == 4 && !strncasecmp(rest, "NONE", 4)) {
		if (*args)
			return berr_set(err, EINVAL, "HEALTHCHECK NONE takes no arguments");
		if (strv_push_dup(&h.test, "NONE") < 0)
			return -ENOMEM;
	} else if (n == 3 && !strncasecmp(rest, "CMD", 3)) {
		if ((r = read_flags(flags, &h, err)) < 0 || (r = command(args, &h.test, err)) < 0)
			return r;
	} else {
		return berr_set(err, EINVAL, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
				(int) n, rest);
	}
	image_health_done(ret);
	*ret = h;
	return 0;
}

int image_health_parse_text(const char *text, struct image_health *ret, struct berr **err)
{
	_cleanup_strv_ char **flags = NULL;
	const char *p = text + strspn(text, " \t");

	while (p[0] == '-' && p[1] == '-') {
		size_t n = strcspn(p, " \t");

		if (strv_consume(&flags, strndup(p, n)) < 0)
			return -ENOMEM;
		p += n;
		p += strspn(p, " \t");
	}
	return image_health_parse(flags, p, ret, err);
}

int image_health_from_json(const struct jnode *hc, struct image_health *ret, struct berr **err)
{
	static const char *const keys[] = {"Interval", "Timeout", "StartPeriod", "StartInterval",
					   "Retries"};
	int64_t *dst[] = {&ret->interval, &ret->timeout, &ret->start_period, &ret->start_interval,
			  &ret->retries};
	int r;

	if (!jnode_is_object(hc))
		return 0;
	r = jnode_get_strv(hc, "Test", &ret->test, err);
	for (size_t i = 0; r >= 0 && i < sizeof(keys) / sizeof(*keys); i++)
		r = jnode_get_int64(hc, keys[i], dst[i], err);
	return r;
}

struct jwriter *image_health_json(const struct image_health *h)
{
	struct jwriter *o = jw_object(), *test = jw_array();

	STRV_FOREACH (t, h->test)
		jw_append_str(test, *t);
	jw_put(o, "Test", test);
	if (h->interval)
		jw_int(o, "Interval", h->interval);
	if (h->timeout)
		jw_int(o, "Timeout", h->timeout);
	if (h->start_period)
		jw_int(o, "StartPeriod", h->start_period);
	if (h->start_interval)
		jw_int(o, "StartInterval", h->start_interval);
	if (h->retries)
		jw_int(o, "Retries", h->retries);
	return o;
}
