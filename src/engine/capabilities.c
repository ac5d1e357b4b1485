/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/capabilities.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/capnames.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* docker's default set (moby oci/caps/defaults.go), in the kernel's order */
static const char *const default_caps[] = {
	"CAP_CHOWN",	   "CAP_DAC_OVERRIDE", "CAP_FOWNER",
	"CAP_FSETID",	   "CAP_KILL",	       "CAP_SETGID",
	"CAP_SETUID",	   "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE",
	"CAP_NET_RAW",	   "CAP_SYS_CHROOT",   "CAP_MKNOD",
	"CAP_AUDIT_WRITE", "CAP_SETFCAP",
};

const char *caps_name(int cap)
{
	return cap_name(cap);
}

int caps_count(void)
{
	int last = cap_last_kernel();

	return (last < cap_last_known() ? last : cap_last_known()) + 1;
}

int caps_normalize(const char *name, char **ret, struct berr **err)
{
	char buf[64];
	size_t n;

	if (strcasecmp(name, "ALL") == 0)
		return (*ret = strdup("ALL")) ? 0 : -ENOMEM;
	n = strncasecmp(name, "CAP_", 4) == 0 ? 0 : 4;
	if (strlen(name) + n >= sizeof(buf))
		return berr_set(err, EINVAL, "unknown capability: \"%s\"", name);
	snprintf(buf, sizeof(buf), "%s%s", n ? "CAP_" : "", name);
	for (char *p = buf; *p; p++)
		*p = (char) toupper((unsigned char) *p);
	if (cap_from_name(buf) >= 0)
		return (*ret = strdup(buf)) ? 0 : -ENOMEM;
	return berr_set(err, EINVAL, "unknown capability: \"%s\"", buf);
}

static bool has_cap(char *const *v, const char *name)
{
	STRV_FOREACH (s, v)
		if (strcmp(*s, name) == 0)
			return true;
	return false;
}

/* Normalise every name of list into a vector (checking each). */
static int normalize_all(char *const *list, const char *what, char ***ret, struct berr **err)
{
	_cleanup_strv_ char **v = NULL;

	STRV_FOREACH (s, list) {
		char *n = NULL;
		int r = caps_normalize(*s, &n, err);

		if (r < 0)
			return berr_wrap(err, "invalid %s", what);
		if (strv_consume(&v, n) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

/* The engine's own bounding set: "all" cannot give a container more (this VM lacks some). */
static uint64_t own_bounding(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long v = ~0ULL;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapBnd: %llx", &v) == 1)
			break;
	return (uint64_t) v;
}

int caps_compute(bool privileged, char *const *add, char *const *drop, char ***ret,
		 struct berr **err)
{
	_cleanup_strv_ char **a = NULL, **d = NULL, **out = NULL;
	bool all = privileged;
	int n = caps_count(), r;

	if ((r = normalize_all(add, "CapAdd", &a, err)) < 0 ||
	    (r = normalize_all(drop, "CapDrop", &d, err)) < 0)
		return r;
	all = all || has_cap(a, "ALL");
	uint64_t bnd = all ? own_bounding() : ~0ULL;

	for (int i = 0; i < n; i++) {
		const char *c = cap_name(i);
		bool in = all && (bnd & (1ULL << i));

		for (size_t k = 0; !in && k < ELEMENTSOF(default_caps); k++)
			in = strcmp(default_caps[k], c) == 0;
		if (!privileged && (has_cap(d, "ALL") || has_cap(d, c)))
			in = false;
		if (has_cap(a, c))
			in = true;
		if (in && strv_push_dup(&out, c) < 0)
			return -ENOMEM;
	}
	if (!out && !(out = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(out);
	return 0;
}
