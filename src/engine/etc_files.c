/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/etc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define ETC_MAX (1 << 20)

static const char localhost[] = "127.0.0.1\tlocalhost\n"
				"::1\tlocalhost ip6-localhost ip6-loopback\n"
				"fe00::0\tip6-localnet\n"
				"ff00::0\tip6-mcastprefix\n"
				"ff02::1\tip6-allnodes\n"
				"ff02::2\tip6-allrouters\n";

/* open_memstream's text, or NULL when anything failed */
static char *memstream_done(FILE *f, char **out)
{
	if (fclose(f) != 0) {
		free(*out);
		return NULL;
	}
	return *out;
}

/* docker's ExtraHosts lines: "IP<TAB>NAME", host-gateway replaced */
static void put_extra_hosts(FILE *f, const struct etc_opts *o)
{
	STRV_FOREACH (h, o->extra_hosts) {
		size_t n = strcspn(*h, ":=");
		const char *ip = (*h)[n] ? *h + n + 1 : "";

		if (strcmp(ip, "host-gateway") == 0)
			ip = o->gateway ? o->gateway : "";
		fprintf(f, "%s\t%.*s\n", ip, (int) n, *h);
	}
}

char *etc_hosts_text(const struct etc_opts *o, const char *host_hosts)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return NULL;
	if (o->host_network) {
		fputs(host_hosts ? host_hosts : localhost, f);
		put_extra_hosts(f, o);
	} else {
		fputs(localhost, f);
		put_extra_hosts(f, o);
		fprintf(f, "%s\t%s\n", o->ip ? o->ip : "127.0.1.1", o->hostname);
	}
	return memstream_done(f, &out);
}

static bool loopback_nameserver(const char *value)
{
	return strncmp(value, "127.", 4) == 0 || strncmp(value, "::1", 3) == 0;
}

/* The value of a "KEY value..." line of resolv.conf, or NULL when l is not one. */
static const char *key_value(const char *l, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(l, key, n) != 0 || (l[n] != ' ' && l[n] != '\t'))
		return NULL;
	l += n;
	while (*l == ' ' || *l == '\t')
		l++;
	return l;
}

/* The host's nameserver, search or options lines for key, as written; NULL: none. */
static void put_host_lines(FILE *f, const char *host_resolv, const char *key, bool skip_loopback,
			   bool *ret_any)
{
	_cleanup_free_ char *copy = strdup(host_resolv ? host_resolv : "");
	char *save = NULL;
	const char *v;

	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (!(v = key_value(l, key)) || (skip_loopback && loopback_nameserver(v)))
			continue;
		fprintf(f, "%s %s\n", key, v);
		*ret_any = true;
	}
}

static void put_nameservers(FILE *f, const struct etc_opts *o, const char *host_resolv)
{
	bool any = false;

	if (o->name_server) {
		fprintf(f, "nameserver %s\n", o->name_server);
		return;
	}
	STRV_FOREACH (s, o->dns) {
		fprintf(f, "nameserver %s\n", *s);
		any = true;
	}
	if (!any)
		put_host_lines(f, host_resolv, "nameserver", !o->host_network, &any);
	/* docker's fallback when no resolver is left */
	if (!any && !o->host_network)
		fputs("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
}

/* "search a b" / "options x y" from the flag's values; "." alone means none. */
static void put_joined(FILE *f, const char *key, char *const *v)
{
	if (!v || !*v || (strcmp(v[0], ".") == 0 && !v[1]))
		return;
	fputs(key, f);
	STRV_FOREACH (p, v)
		fprintf(f, " %s", *p);
	fputc('\n', f);
}

static bool has_ndots(char *const *v)
{
	STRV_FOREACH (p, v)
		if (strncmp(*p, "ndots:", 6) == 0)
			return true;
	return false;
}

char *etc_resolv_text(const struct etc_opts *o, const char *host_resolv)
{
	char *out = NULL;
	size_t size = 0;
	bool any = false;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return NULL;
	/* the host's network and nothing to change: the host's own file */
	if (o->host_network && !o->dns && !o->dns_search && !o->dns_options) {
		fputs(host_resolv ? host_resolv : "", f);
		return memstream_done(f, &out);
	}
	put_nameservers(f, o, host_resolv);
	if (o->dns_search)
		put_joined(f, "search", o->dns_search);
	else
		put_host_lines(f, host_resolv, "search", false, &any);
	if (o->dns_options)
		put_joined(f, "options", o->dns_options);
	else
		put_host_lines(f, host_resolv, "options", false, &any);
	/* docker: names are first looked up as given on its embedded server */
	if (o->name_server && !has_ndots(o->dns_options))
		fputs("options ndots:0\n", f);
	return memstream_done(f, &out);
}

int etc_files_write(int dirfd, const struct etc_opts *o, struct berr **err)
{
	_cleanup_free_ char *hosts_in = NULL, *resolv_in = NULL, *hosts = NULL, *resolv = NULL;
	_cleanup_free_ char *name = NULL;
	int r;

	(void) read_file_at(AT_FDCWD, "/etc/hosts", ETC_MAX, &hosts_in, NULL);
	(void) read_file_at(AT_FDCWD, "/etc/resolv.conf", ETC_MAX, &resolv_in, NULL);
	hosts = etc_hosts_text(o, hosts_in);
	resolv = etc_resolv_text(o, resolv_in);
	if (!hosts || !resolv || asprintf(&name, "%s\n", o->hostname) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = write_file_atomic_at(dirfd, "hostname", name, strlen(name), 0644, false)) < 0 ||
	    (r = write_file_atomic_at(dirfd, "hosts", hosts, strlen(hosts), 0644, false)) < 0 ||
	    (r = write_file_atomic_at(dirfd, "resolv.conf", resolv, strlen(resolv), 0644, false)) <
		    0)
		return berr_sys(err, -r, "cannot write the container's /etc files");
	return 0;
}
