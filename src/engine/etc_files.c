/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/etc_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

#define ETC_MAX (1 << 20)

static const char localhost[] = "127.0.0.1\tlocalhost\n"
				"::1\tlocalhost ip6-localhost ip6-loopback\n"
				"fe00::0\tip6-localnet\n"
				"ff00::0\tip6-mcastprefix\n"
				"ff02::1\tip6-allnodes\n"
				"ff02::2\tip6-allrouters\n";

char *etc_hosts_text(const char *hostname, const char *host_hosts, bool host_network,
		     const char *ip)
{
	char *t;

	if (host_network)
		return strdup(host_hosts ? host_hosts : localhost);
	if (asprintf(&t, "%s%s\t%s\n", localhost, ip ? ip : "127.0.1.1", hostname) < 0)
		return NULL;
	return t;
}

static bool loopback_nameserver(const char *line)
{
	const char *p = line + strlen("nameserver");

	while (*p == ' ' || *p == '\t')
		p++;
	return strncmp(p, "127.", 4) == 0 || strncmp(p, "::1", 3) == 0;
}

char *etc_resolv_text(const char *host_resolv, bool host_network)
{
	_cleanup_free_ char *copy = strdup(host_resolv ? host_resolv : "");
	char *out = NULL, *save = NULL;
	size_t size = 0;
	bool any = false;
	FILE *f;

	if (!copy || !(f = open_memstream(&out, &size)))
		return NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool ns = strncmp(l, "nameserver", 10) == 0;

		if (ns && !host_network && loopback_nameserver(l))
			continue;
		any = any || ns;
		fprintf(f, "%s\n", l);
	}
	/* docker's fallback when no resolver is left */
	if (!any && !host_network)
		fputs("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int etc_files_write(int dirfd, const char *hostname, bool host_network, const char *ip,
		    struct berr **err)
{
	_cleanup_free_ char *hosts_in = NULL, *resolv_in = NULL, *hosts = NULL, *resolv = NULL;
	_cleanup_free_ char *name = NULL;
	int r;

	(void) read_file_at(AT_FDCWD, "/etc/hosts", ETC_MAX, &hosts_in, NULL);
	(void) read_file_at(AT_FDCWD, "/etc/resolv.conf", ETC_MAX, &resolv_in, NULL);
	hosts = etc_hosts_text(hostname, hosts_in, host_network, ip);
	resolv = etc_resolv_text(resolv_in, host_network);
	if (!hosts || !resolv || asprintf(&name, "%s\n", hostname) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	if ((r = write_file_atomic_at(dirfd, "hostname", name, strlen(name), 0644, false)) < 0 ||
	    (r = write_file_atomic_at(dirfd, "hosts", hosts, strlen(hosts), 0644, false)) < 0 ||
	    (r = write_file_atomic_at(dirfd, "resolv.conf", resolv, strlen(resolv), 0644, false)) <
		    0)
		return berr_sys(err, -r, "cannot write the container's /etc files");
	return 0;
}
