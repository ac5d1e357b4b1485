/* SPDX-License-Identifier: Apache-2.0 */
/* --log-driver and --log-opt (log_drivers.h). */
#include "engine/log_drivers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/sbuf.h"
#include "lib/strv.h"

#define MB (1024 * 1024)

struct driver {
	const char *name;
	const char *const *keys; /* its own options, besides mode and max-buffer-size */
};

static const char *const json_keys[] = {"max-size", "max-file", "compress", "tag", NULL};
static const char *const cache_keys[] = {
	"tag", "cache-disabled", "cache-max-size", "cache-max-file", "cache-compress", NULL};
static const char *const syslog_keys[] = {"tag",
					  "syslog-address",
					  "syslog-facility",
					  "syslog-format",
					  "cache-disabled",
					  "cache-max-size",
					  "cache-max-file",
					  "cache-compress",
					  NULL};
static const char *const no_keys[] = {NULL};

static const struct driver drivers[] = {
	{"json-file", json_keys}, {"local", json_keys}, {"journald", cache_keys},
	{"syslog", syslog_keys},  {"none", no_keys},
};

static const char *const facilities[] = {
	"kern",	  "user",   "mail",	"daemon", "auth",   "syslog", "lpr",	"news",
	"uucp",	  "cron",   "authpriv", "ftp",	  "",	    "",	      "",	"",
	"local0", "local1", "local2",	"local3", "local4", "local5", "local6", "local7",
};

static const struct driver *find_driver(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i].name, name) == 0)
			return &drivers[i];
	return NULL;
}

const char *log_opt(const struct container_config *c, const char *key)
{
	size_t n = strlen(key);

	STRV_FOREACH (o, c->log_opts)
		if (strncmp(*o, key, n) == 0 && (*o)[n] == '=')
			return *o + n + 1;
	return NULL;
}

static const char *driver_of(const struct container_config *c)
{
	return c->log_driver ? c->log_driver : "json-file";
}

bool log_forwards(const struct container_config *c)
{
	return !strcmp(driver_of(c), "journald") || !strcmp(driver_of(c), "syslog");
}

bool log_keeps_file(const struct container_config *c)
{
	const char *off = log_opt(c, "cache-disabled");

	if (!strcmp(driver_of(c), "none"))
		return false;
	return !log_forwards(c) || !off || strcmp(off, "true") != 0;
}

static bool has_key(const struct driver *d, const char *key)
{
	if (!strcmp(key, "mode") || !strcmp(key, "max-buffer-size"))
		return true;
	for (const char *const *k = d->keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

static int check_bool(const char *key, const char *v, struct berr **err)
{
	if (strcmp(v, "true") && strcmp(v, "false"))
		return berr_set(err, EINVAL, "invalid value for %s: %s (true or false)", key, v);
	return 0;
}

static int check_address(const char *v, struct berr **err)
{
	if (!strncmp(v, "unix://", 7) || !strncmp(v, "unixgram://", 11)) {
		if (v[strncmp(v, "unix://", 7) ? 11 : 7] != '/')
			return berr_set(err, EINVAL,
					"syslog-address: %s: the path must be absolute", v);
		return 0;
	}
	if (!strncmp(v, "udp://", 6) && strchr(v + 6, ':'))
		return 0;
	if (!strncmp(v, "tcp://", 6) || !strncmp(v, "tcp+tls://", 10))
		return berr_set(
			err, EINVAL,
			"syslog-address: %s: berth sends syslog over unix, unixgram and udp "
			"only",
			v);
	return berr_set(err, EINVAL, "unsupported scheme: '%s'", v);
}

/* One option's value, checked as docker's driver checks it. */
static int check_value(const char *driver, const char *key, const char *v,
		       struct container_config *c, struct berr **err)
{
	int64_t n;
	int r;

	if (!strcmp(key, "mode")) {
		if (strcmp(v, "blocking") && strcmp(v, "non-blocking"))
			return berr_set(err, EINVAL, "logger: unknown log mode: %s", v);
	} else if (!strcmp(key, "max-buffer-size") || !strcmp(key, "cache-max-size")) {
		if ((r = units_parse_ram(v, false, &n, err)) < 0)
			return berr_wrap(err, "invalid log option %s", key);
	} else if (!strcmp(key, "max-size")) {
		if ((r = units_parse_ram(v, false, &c->log_max_size, err)) < 0)
			return berr_wrap(err, "invalid log option max-size=%s", v);
	} else if (!strcmp(key, "max-file") || !strcmp(key, "cache-max-file")) {
		if ((r = units_parse_int(v, 1, 100, key, &n, err)) < 0)
			return r;
		if (!strcmp(key, "max-file"))
			c->log_max_file = n;
	} else if (!strcmp(key, "compress") || !strcmp(key, "cache-compress") ||
		   !strcmp(key, "cache-disabled")) {
		if ((r = check_bool(key, v, err)) < 0)
			return r;
		if (!strcmp(key, "compress") && !strcmp(driver, "json-file") && !strcmp(v, "true"))
			return berr_set(err, EINVAL,
					"compress=true: berth keeps rotated json-file logs "
					"uncompressed");
	} else if (!strcmp(key, "syslog-address")) {
		return check_address(v, err);
	} else if (!strcmp(key, "syslog-facility")) {
		for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
			if (*facilities[i] && !strcmp(facilities[i], v))
				return 0;
		return berr_set(err, EINVAL, "invalid syslog facility: %s", v);
	} else if (!strcmp(key, "syslog-format")) {
		if (strcmp(v, "rfc3164") && strcmp(v, "rfc5424") && strcmp(v, "rfc5424micro"))
			return berr_set(err, EINVAL, "Invalid syslog format: %s", v);
	}
	return 0;
}

int log_config_from_flags(const char *driver, char *const *opts, struct container_config *c,
			  struct berr **err)
{
	const struct driver *d = find_driver(driver ? driver : "json-file");
	int r;

	if (!d)
		return berr_set(err, EINVAL, "logger: no log driver named '%s' is registered",
				driver);
	if (!(c->log_driver = strdup(d->name)))
		return -ENOMEM;
	/* docker's local defaults; json-file keeps one file unless told */
	c->log_max_file = strcmp(d->name, "local") ? 1 : 5;
	c->log_max_size = strcmp(d->name, "local") ? 0 : 20 * MB;
	STRV_FOREACH (o, opts) {
		_cleanup_free_ char *key = NULL;
		const char *eq = strchr(*o, '=');

		if (!eq)
			return berr_set(err, EINVAL, "invalid log opt '%s': it must be KEY=VALUE",
					*o);
		if (!(key = strndup(*o, (size_t) (eq - *o))))
			return -ENOMEM;
		if (!has_key(d, key))
			return berr_set(err, EINVAL, "unknown log opt '%s' for %s log driver", key,
					d->name);
		if ((r = check_value(d->name, key, eq + 1, c, err)) < 0)
			return r;
		if (strv_push_dup(&c->log_opts, *o) < 0)
			return -ENOMEM;
	}
	if (log_forwards(c)) {
		/* the cache: docker 20.10's dual logging defaults */
		const char *size = log_opt(c, "cache-max-size"),
			   *files = log_opt(c, "cache-max-file");
		int64_t n = 5;

		c->log_max_size = 20 * MB;
		if (size && units_parse_ram(size, false, &c->log_max_size, NULL) < 0)
			return -EINVAL;
		if (files && units_parse_int(files, 1, 100, "cache-max-file", &n, NULL) < 0)
			return -EINVAL;
		c->log_max_file = n;
	}
	return 0;
}

/* The text of a tag field ("{{.ID}}": the short id, ...): *len bytes at the result. */
static const char *tag_field(const struct container_config *c, const char *f, size_t *len)
{
	const char *id = c->id ? c->id : "", *img = c->image_id ? c->image_id : "";
	const char *hex = strncmp(img, "sha256:", 7) ? img : img + 7;
	const char *v = NULL;
	size_t max = SIZE_MAX;

	if (!strcmp(f, "{{.ID}}"))
		v = id, max = 12;
	else if (!strcmp(f, "{{.FullID}}"))
		v = id;
	else if (!strcmp(f, "{{.Name}}"))
		v = c->name ? c->name : "";
	else if (!strcmp(f, "{{.ImageName}}"))
		v = c->image ? c->image : "";
	else if (!strcmp(f, "{{.ImageID}}"))
		v = hex, max = 12;
	else if (!strcmp(f, "{{.ImageFullID}}"))
		v = img;
	else if (!strcmp(f, "{{.DaemonName}}"))
		v = "berth";
	if (v)
		*len = strlen(v) < max ? strlen(v) : max;
	return v;
}

char *log_tag(const struct container_config *c)
{
	const char *t = log_opt(c, "tag");
	struct sbuf b = {0};

	for (t = t ? t : "{{.ID}}"; *t;) {
		const char *end = strncmp(t, "{{", 2) ? NULL : strstr(t, "}}");
		_cleanup_free_ char *f = end ? strndup(t, (size_t) (end + 2 - t)) : NULL;
		const char *v = NULL;
		size_t len = 0;

		if (end && !f)
			goto oom;
		if (f && (v = tag_field(c, f, &len))) {
			if (sbuf_add(&b, v, len) < 0)
				goto oom;
			t = end + 2;
		} else if (sbuf_addc(&b, *t++) < 0)
			goto oom;
	}
	return sbuf_take(&b);
oom:
	sbuf_done(&b);
	return NULL;
}
