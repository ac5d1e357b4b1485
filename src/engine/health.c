/* SPDX-License-Identifier: Apache-2.0 */
/* Health checks: the test, docker's state machine and health.json (health.h). */
#include "engine/health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"

#define MIN_DURATION 1000000LL /* docker's containertypes.MinimumDuration: 1ms */

/* A new vector of the strings given, NULL-terminated (NULL when out of memory). */
static char **strv_of(const char *a, const char *b, const char *c)
{
	const char *v[] = {a, b, c, NULL};

	return strv_copy((char *const *) v);
}

static const char *const status_names[] = {
	[HEALTH_NONE] = "none",
	[HEALTH_STARTING] = "starting",
	[HEALTH_HEALTHY] = "healthy",
	[HEALTH_UNHEALTHY] = "unhealthy",
};

const char *health_status_name(enum health_status s)
{
	return s <= HEALTH_UNHEALTHY ? status_names[s] : "none";
}

bool health_enabled(const struct container_config *cfg)
{
	char **t = cfg->health_test;

	return t && t[0] && strcmp(t[0], "NONE") != 0 && t[1];
}

int64_t health_interval(const struct container_config *cfg)
{
	return cfg->health_interval > 0 ? cfg->health_interval : HEALTH_DEFAULT_INTERVAL;
}

int64_t health_timeout(const struct container_config *cfg)
{
	return cfg->health_timeout > 0 ? cfg->health_timeout : HEALTH_DEFAULT_TIMEOUT;
}

int64_t health_retries(const struct container_config *cfg)
{
	return cfg->health_retries > 0 ? cfg->health_retries : HEALTH_DEFAULT_RETRIES;
}

int64_t health_next_delay(const struct container_config *cfg, bool in_start_period)
{
	if (in_start_period && cfg->health_start_period > 0)
		return cfg->health_start_interval > 0 ? cfg->health_start_interval
						      : HEALTH_DEFAULT_START_INTERVAL;
	return health_interval(cfg);
}

char **health_probe_argv(const struct container_config *cfg)
{
	char **t = cfg->health_test;

	if (!health_enabled(cfg))
		return NULL;
	if (strcmp(t[0], "CMD-SHELL") == 0)
		return strv_of("/bin/sh", "-c", t[1]);
	return strv_copy(t + 1);
}

static void result_done(struct health_result *r)
{
	free(r->start);
	free(r->end);
	free(r->output);
	*r = (struct health_result){0};
}

void health_record(struct health_state *h, struct health_result *r, int64_t retries,
		   bool in_start_period)
{
	if (h->n_log == HEALTH_LOG_MAX) {
		result_done(&h->log[0]);
		memmove(&h->log[0], &h->log[1], (HEALTH_LOG_MAX - 1) * sizeof(h->log[0]));
		h->n_log--;
	}
	h->log[h->n_log++] = *r;
	*r = (struct health_result){0};
	if (h->log[h->n_log - 1].exit_code == 0) {
		h->failing_streak = 0;
		h->status = HEALTH_HEALTHY;
		return;
	}
	/* a failure while starting, within the start period, does not count */
	if (h->status == HEALTH_STARTING && in_start_period)
		return;
	if (++h->failing_streak >= retries)
		h->status = HEALTH_UNHEALTHY;
}

void health_state_done(struct health_state *h)
{
	for (size_t i = 0; i < h->n_log; i++)
		result_done(&h->log[i]);
	*h = (struct health_state){0};
}

void health_state_put(struct jwriter *w, const char *key, const struct health_state *h)
{
	struct jwriter *o = jw_object(), *log = jw_array();

	jw_str(o, "Status", health_status_name(h->status));
	jw_int(o, "FailingStreak", h->failing_streak);
	for (size_t i = 0; i < h->n_log; i++) {
		struct jwriter *e = jw_object();

		jw_str(e, "Start", h->log[i].start);
		jw_str(e, "End", h->log[i].end);
		jw_int(e, "ExitCode", h->log[i].exit_code);
		jw_str(e, "Output", h->log[i].output ? h->log[i].output : "");
		jw_put(log, NULL, e);
	}
	jw_put(o, "Log", log);
	jw_put(w, key, o);
}

char *health_state_to_json(const struct health_state *h)
{
	_cleanup_jw_ struct jwriter *w = jw_object();

	health_state_put(w, "Health", h);
	return jw_to_string(w, false);
}

static int read_result(const struct jnode *n, struct health_result *r, struct berr **err)
{
	int32_t code = 0;
	int k;

	if ((k = jnode_get_string(n, "Start", &r->start, err)) < 0 ||
	    (k = jnode_get_string(n, "End", &r->end, err)) < 0 ||
	    (k = jnode_get_int32(n, "ExitCode", &code, err)) < 0 ||
	    (k = jnode_get_string(n, "Output", &r->output, err)) < 0)
		return k;
	r->exit_code = code;
	return 0;
}

int health_state_from_json(const char *buf, size_t len, struct health_state *h, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ char *status = NULL;
	struct jnode root, o, log;
	int r;

	*h = (struct health_state){0};
	if ((r = jdoc_parse(buf, len, "health.json", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	jnode_member(&root, "Health", &o);
	if ((r = jnode_expect_object(&o, err)) < 0 ||
	    (r = jnode_get_string(&o, "Status", &status, err)) < 0 ||
	    (r = jnode_get_int64(&o, "FailingStreak", &h->failing_streak, err)) < 0)
		return r;
	h->status = HEALTH_STARTING;
	for (int s = HEALTH_STARTING; status && s <= HEALTH_UNHEALTHY; s++)
		if (strcmp(status, status_names[s]) == 0)
			h->status = (enum health_status) s;
	jnode_member(&o, "Log", &log);
	if ((r = jnode_expect_array(&log, err)) < 0)
		return r;
	for (size_t i = 0; i < jnode_array_len(&log) && h->n_log < HEALTH_LOG_MAX; i++) {
		struct jnode e;

		jnode_array_at(&log, i, &e);
		if ((r = read_result(&e, &h->log[h->n_log++], err)) < 0) {
			health_state_done(h);
			return r;
		}
	}
	return 0;
}

void health_config_put(struct jwriter *w, const char *key, const struct container_config *cfg)
{
	struct jwriter *o, *t;

	if (!cfg->health_test)
		return;
	o = jw_object();
	t = jw_array();
	STRV_FOREACH (s, cfg->health_test)
		jw_append_str(t, *s);
	jw_put(o, "Test", t);
	/* docker omits the zero ones */
	if (cfg->health_interval)
		jw_int(o, "Interval", cfg->health_interval);
	if (cfg->health_timeout)
		jw_int(o, "Timeout", cfg->health_timeout);
	if (cfg->health_start_period)
		jw_int(o, "StartPeriod", cfg->health_start_period);
	if (cfg->health_start_interval)
		jw_int(o, "StartInterval", cfg->health_start_interval);
	if (cfg->health_retries)
		jw_int(o, "Retries", cfg->health_retries);
	jw_put(w, key, o);
}

int health_merge_json(struct container_config *cfg, const struct jnode *hc, const char *what,
		      struct berr **err)
{
	_cleanup_strv_ char **test = NULL;
	int64_t v[5] = {0};
	int64_t *dst[5] = {&cfg->health_interval, &cfg->health_timeout, &cfg->health_start_period,
			   &cfg->health_start_interval, &cfg->health_retries};
	static const char *const keys[5] = {"Interval", "Timeout", "StartPeriod", "StartInterval",
					    "Retries"};
	int r;

	if (!hc || jnode_expect_object(hc, NULL) < 0)
		return 0; /* absent or null: nothing to merge */
	if ((r = jnode_get_strv(hc, "Test", &test, err)) < 0)
		return berr_wrap(err, "%s", what);
	for (int i = 0; i < 5; i++)
		if ((r = jnode_get_int64(hc, keys[i], &v[i], err)) < 0)
			return berr_wrap(err, "%s", what);
	if (!cfg->health_test || !cfg->health_test[0])
		cfg->health_test = (strv_free(cfg->health_test), TAKE_PTR(test));
	for (int i = 0; i < 5; i++)
		if (!*dst[i] && v[i] != 0) /* checked by health_validate() where dockerd does */
			*dst[i] = v[i];
	return 0;
}

int health_validate(const struct container_config *cfg, struct berr **err)
{
	const int64_t v[4] = {cfg->health_interval, cfg->health_timeout, cfg->health_start_period,
			      cfg->health_start_interval};
	static const char *const names[4] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};

	for (int i = 0; i < 4; i++)
		if (v[i] != 0 && v[i] < MIN_DURATION)
			return berr_set(err, EINVAL, "%s in Healthcheck cannot be less than %s",
					names[i], "1ms");
	if (cfg->health_retries < 0)
		return berr_set(err, EINVAL, "Retries in Healthcheck cannot be negative");
	return 0;
}

static int duration_flag(const char *s, const char *flag, int64_t *ret, struct berr **err)
{
	int r;

	if (!s)
		return 0;
	/* Go's durations take a sign: docker's message for a negative one */
	if ((r = units_parse_duration(s[0] == '-' ? s + 1 : s, ret, err)) < 0)
		return berr_wrap(err, "invalid argument \"%s\" for \"%s\" flag", s, flag);
	if (s[0] == '-' && *ret > 0)
		return berr_set(err, EINVAL, "%s cannot be negative", flag);
	if (*ret && *ret < MIN_DURATION)
		return berr_set(err, EINVAL, "%s cannot be less than 1ms", flag);
	return 0;
}

int health_from_flags(const struct health_flags *f, struct container_config *c, struct berr **err)
{
	bool any = f->cmd || f->interval || f->timeout || f->start_period || f->start_interval ||
		   f->retries;
	int r;

	if (f->none) {
		if (any)
			return berr_set(err, EINVAL,
					"--no-healthcheck conflicts with --health-* options");
		c->health_test = strv_of("NONE", NULL, NULL);
		return c->health_test ? 0 : -ENOMEM;
	}
	if ((r = duration_flag(f->interval, "--health-interval", &c->health_interval, err)) < 0 ||
	    (r = duration_flag(f->timeout, "--health-timeout", &c->health_timeout, err)) < 0 ||
	    (r = duration_flag(f->start_period, "--health-start-period", &c->health_start_period,
			       err)) < 0 ||
	    (r = duration_flag(f->start_interval, "--health-start-interval",
			       &c->health_start_interval, err)) < 0)
		return r;
	if (f->retries && (r = units_parse_int(f->retries, INT64_MIN, INT32_MAX, "--health-retries",
					       &c->health_retries, err)) < 0)
		return r;
	if (c->health_retries < 0)
		return berr_set(err, EINVAL, "--health-retries cannot be negative");
	if (f->cmd && *f->cmd && !(c->health_test = strv_of("CMD-SHELL", f->cmd, NULL)))
		return -ENOMEM;
	return 0;
}

int health_state_load(int dirfd, struct health_state *h)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	*h = (struct health_state){0};
	if ((r = read_file_at(dirfd, "health.json", 1 << 20, &buf, &len)) < 0)
		return r;
	return health_state_from_json(buf, len, h, NULL);
}

int health_state_save(int dirfd, const struct health_state *h)
{
	_cleanup_free_ char *text = health_state_to_json(h);

	if (!text)
		return -ENOMEM;
	return write_file_atomic_at(dirfd, "health.json", text, strlen(text), 0600, false);
}

const char *health_status_text(enum health_status s)
{
	return s == HEALTH_STARTING ? "health: starting" : health_status_name(s);
}
