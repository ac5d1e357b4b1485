/* SPDX-License-Identifier: Apache-2.0 */
/* aardvark-dns's configuration text (dns.h). Pure. */
#include "net/dns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"

bool dns_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > DNS_NAME_MAX)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	       n;
}

/* ip_format without cidr.c (the monitor links only this file and dns_server.c) */
static const char *dotted(uint32_t ip, char buf[IP_STR_MAX])
{
	snprintf(buf, IP_STR_MAX, "%u.%u.%u.%u", (unsigned) (ip >> 24) & 255u,
		 (unsigned) (ip >> 16) & 255u, (unsigned) (ip >> 8) & 255u, (unsigned) ip & 255u);
	return buf;
}

static void put_list(FILE *f, char *const *v)
{
	bool first = true;

	STRV_FOREACH (p, v) {
		fprintf(f, "%s%s", first ? "" : ",", *p);
		first = false;
	}
}

char *dns_entry_line(const char *id, uint32_t ip, const char *name, char *const *aliases,
		     char *const *servers)
{
	char buf[IP_STR_MAX];
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return NULL;
	/* the IPv6 column is empty: two spaces */
	fprintf(f, "%s %s  %s,%.*s", id, dotted(ip, buf), name, DNS_SHORT_ID_LEN, id);
	if (aliases && *aliases) {
		fputc(',', f);
		put_list(f, aliases);
	}
	if (servers && *servers) {
		fputc(' ', f);
		put_list(f, servers);
	}
	fputc('\n', f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The id a container line starts with, NULL for a malformed one. */
static bool line_id(const char *l, char id[IPAM_ID_LEN + 1])
{
	size_t n = strcspn(l, " ");

	if (n == 0 || n > IPAM_ID_LEN || l[n] != ' ')
		return false;
	memcpy(id, l, n);
	id[n] = '\0';
	return true;
}

int dns_file_update(const char *old, uint32_t gateway, const char *id, const char *line,
		    bool (*keep)(const char *id, void *userdata), void *userdata, char **ret)
{
	_cleanup_free_ char *copy = strdup(old ? old : "");
	char buf[IP_STR_MAX], cid[IPAM_ID_LEN + 1];
	char *out = NULL, *save = NULL, *l;
	size_t size = 0, n = 0;
	FILE *f;

	if (!copy || !(f = open_memstream(&out, &size)))
		return -ENOMEM;
	/* the first line: the network's gateway, or the old one (gateway 0) */
	l = strtok_r(copy, "\n", &save);
	if (gateway)
		fprintf(f, "%s\n", dotted(gateway, buf));
	else
		fprintf(f, "%s\n", l ? l : "");
	while (l && (l = strtok_r(NULL, "\n", &save))) {
		if (!line_id(l, cid) || strcmp(cid, id) == 0 || (keep && !keep(cid, userdata)))
			continue;
		fprintf(f, "%s\n", l);
		n++;
	}
	if (line) {
		fputs(line, f);
		n++;
	}
	if (fclose(f) != 0) {
		free(out);
		return -ENOMEM;
	}
	if (n == 0) {
		free(out);
		out = NULL;
	}
	*ret = out;
	return 0;
}
