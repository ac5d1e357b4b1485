/* SPDX-License-Identifier: Apache-2.0 */
/* Which networks: docker's filters of network ls (and prune), and prune itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strv.h"
#include "net/network.h"

/*
 * docker's network ls filters: driver=, id= (a prefix), label=K[=V], name= (a part of
 * the name), scope= (local only here), type=custom|builtin. Values of one key: any;
 * different keys: all.
 */
static const char *const filter_keys[] = {"driver", "id", "label", "name", "scope", "type", NULL};

static bool filter_one(const struct network *n, const char *key, const char *v)
{
	if (!strcmp(key, "driver"))
		return !strcmp(n->driver, v);
	if (!strcmp(key, "id"))
		return !strncmp(n->id, v, strlen(v));
	if (!strcmp(key, "label"))
		return strv_label_match(n->labels, v);
	if (!strcmp(key, "name"))
		return strstr(n->name, v) != NULL;
	if (!strcmp(key, "scope"))
		return !strcmp(v, "local");
	/* type: the predefined ones (none, host, bridge) are builtin */
	return !strcmp(v, network_predefined(n) ? "builtin" : "custom");
}

bool network_filter_match(const struct network *n, char *const *filters)
{
	for (const char *const *k = filter_keys; *k; k++) {
		size_t len = strlen(*k);
		bool given = false, any = false;

		STRV_FOREACH (f, filters)
			if (!strncmp(*f, *k, len) && (*f)[len] == '=') {
				given = true;
				any = any || filter_one(n, *k, *f + len + 1);
			}
		if (given && !any)
			return false;
	}
	return true;
}

int network_filter_check(char *const *filters, struct berr **err)
{
	STRV_FOREACH (f, filters) {
		size_t len = strcspn(*f, "=");
		bool known = false;

		for (const char *const *k = filter_keys; *k; k++)
			known = known || (strlen(*k) == len && !strncmp(*f, *k, len));
		if (!(*f)[len] || !known)
			return berr_set(err, EINVAL, "Invalid filter '%.*s'", (int) len, *f);
	}
	return 0;
}

int network_prune(const struct net_root *nr, char *const *filters, char ***ret_names,
		  struct berr **err)
{
	struct network *v = NULL;
	size_t n = 0;
	int r;

	if ((r = network_list(nr, &v, &n, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		/* in use: refused with -EBUSY, which prune skips as docker's does */
		if (network_predefined(&v[i]) || !network_filter_match(&v[i], filters) ||
		    network_remove(nr, v[i].id, NULL) < 0)
			continue;
		if (strv_push_dup(ret_names, v[i].name) < 0) {
			network_list_free(v, n);
			return berr_set(err, ENOMEM, "out of memory");
		}
	}
	network_list_free(v, n);
	return 0;
}
