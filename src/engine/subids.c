/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/subids.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"

static const char *const engine_users[] = {"berth", "containers"};

const char *subids_path(enum subid_kind kind)
{
	const char *p =
		secure_getenv(kind == SUBID_UID ? "BERTH_SUBUID_FILE" : "BERTH_SUBGID_FILE");

	if (p && *p)
		return p;
	return kind == SUBID_UID ? "/etc/subuid" : "/etc/subgid";
}

/* "START:COUNT" (decimal, as shadow's tools write them) */
static bool parse_range(const char *s, struct subid_range *ret)
{
	unsigned long long start, count;
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	start = strtoull(s, &e, 10);
	if (errno || *e != ':' || e[1] < '0' || e[1] > '9')
		return false;
	count = strtoull(e + 1, &e, 10);
	if (errno || *e || count == 0 || start + count > UINT32_MAX || count > UINT32_MAX)
		return false;
	*ret = (struct subid_range){.start = (uint32_t) start, .count = (uint32_t) count};
	return true;
}

/* The text after "name:" when line is name's, else NULL. */
static const char *after_name(const char *line, const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (!len || strncmp(line, name, len) != 0 || line[len] != ':')
		return NULL;
	return line + len + 1;
}

int subids_read(const char *path, const char *name, const char *alias, struct subid_ranges *ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	ret->n = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &cap, f) > 0 && ret->n < SUBIDS_MAX) {
		const char *rest;

		line[strcspn(line, "\n")] = '\0';
		if (!(rest = after_name(line, name)) && !(rest = after_name(line, alias)))
			continue;
		if (parse_range(rest, &ret->v[ret->n]))
			ret->n++;
	}
	return 0;
}

int subids_engine_user(struct subid_ranges *uids, struct subid_ranges *gids, struct berr **err)
{
	const char *fu = subids_path(SUBID_UID), *fg = subids_path(SUBID_GID);
	int r;

	for (size_t i = 0; i < ELEMENTSOF(engine_users); i++) {
		if ((r = subids_read(fu, engine_users[i], NULL, uids)) < 0)
			return berr_sys(err, -r, "cannot read %s", fu);
		if ((r = subids_read(fg, engine_users[i], NULL, gids)) < 0)
			return berr_sys(err, -r, "cannot read %s", fg);
		if (uids->n && gids->n)
			return 0;
	}
	return berr_set(err, ENOENT,
			"%s and %s have no subordinate ids for user 'berth' (or 'containers'): add "
			"a line such as 'berth:1000000:1000000' to both",
			fu, fg);
}
