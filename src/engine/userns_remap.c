/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker's userns-remap mapping: a user's subordinate ids, the same for every remapped
 * container (moby pkg/idtools createIDMap).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/subids.h"
#include "engine/userns.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define ACCOUNTS_MAX (4u << 20)

enum account_file {
	ACCOUNT_PASSWD,
	ACCOUNT_GROUP,
};

static const char *accounts_path(enum account_file file)
{
	const char *p =
		secure_getenv(file == ACCOUNT_PASSWD ? "BERTH_PASSWD_FILE" : "BERTH_GROUP_FILE");

	if (p && *p)
		return p;
	return file == ACCOUNT_PASSWD ? "/etc/passwd" : "/etc/group";
}

static bool is_number(const char *s)
{
	return s[strspn(s, "0123456789")] == '\0';
}

/*
 * id's other spelling in passwd(5) or group(5) (NAME:x:ID:...): the number of a name, the
 * name of a number. NULL when the file has no such entry (subuid lines may still name it).
 */
static char *other_spelling(enum account_file file, const char *id)
{
	_cleanup_free_ char *text = NULL;
	bool numeric = is_number(id);
	size_t len;

	if (read_file_at(AT_FDCWD, accounts_path(file), ACCOUNTS_MAX, &text, &len) < 0)
		return NULL;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name = line, *num, *end;

		if (!(num = strchr(name, ':')) || !(num = strchr(num + 1, ':')))
			continue;
		*strchr(name, ':') = '\0';
		num++;
		if ((end = strchr(num, ':')))
			*end = '\0';
		if (strcmp(numeric ? num : name, id) == 0)
			return strdup(numeric ? name : num);
	}
	return NULL;
}

/*
 * The lines of id (a user's, or a group's from file) in kind's subordinate id file, by its
 * name or by its number.
 */
static int ranges_of(enum subid_kind kind, enum account_file file, const char *id,
		     struct subid_ranges *ret, struct berr **err)
{
	const char *path = subids_path(kind);
	_cleanup_free_ char *alias = other_spelling(file, id);
	int r = subids_read(path, id, alias, ret);

	if (r < 0)
		return berr_sys(err, -r, "cannot read %s", path);
	if (ret->n == 0)
		return berr_set(err, ENOENT,
				"%s has no subordinate %s for %s '%s': add a line such as "
				"'%s:1000000:65536'",
				path, kind == SUBID_UID ? "uids" : "gids",
				file == ACCOUNT_PASSWD ? "user" : "group", id,
				alias && is_number(id) ? alias : id);
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct subid_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* docker's createIDMap: the ranges sorted by start, container ids from 0 on. */
static int to_map(struct subid_ranges *in, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	uint64_t next = 0;
	int r;

	if (in->n > USERNS_MAX_MAPS)
		return -E2BIG;
	qsort(in->v, in->n, sizeof(in->v[0]), by_start);
	for (size_t i = 0; i < in->n; i++) {
		char *s;

		if (next + in->v[i].count > UINT32_MAX)
			return -E2BIG;
		if (asprintf(&s, "%" PRIu64 ":%" PRIu32 ":%" PRIu32, next, in->v[i].start,
			     in->v[i].count) < 0)
			return -ENOMEM;
		if ((r = strv_consume(&v, s)) < 0)
			return r;
		next += in->v[i].count;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

/* "USER[:GROUP]": *ret_group is NULL without a GROUP */
static int split_remap(const char *remap, char **ret_user, char **ret_group)
{
	const char *colon = strchr(remap, ':');

	*ret_user = colon ? strndup(remap, (size_t) (colon - remap)) : strdup(remap);
	*ret_group = colon ? strdup(colon + 1) : NULL;
	return *ret_user && (!colon || *ret_group) ? 0 : -ENOMEM;
}

/*
 * The subordinate ids of "USER[:GROUP]": subgid(5) names users, so without a GROUP the
 * gids are USER's lines there too (moby's LoadIdentityMapping).
 */
static int user_ranges(const char *remap, struct subid_ranges *uids, struct subid_ranges *gids,
		       struct berr **err)
{
	_cleanup_free_ char *user = NULL, *group = NULL;
	int r;

	if ((r = split_remap(remap, &user, &group)) < 0 ||
	    (r = ranges_of(SUBID_UID, ACCOUNT_PASSWD, user, uids, err)) < 0)
		return r;
	if (group)
		return ranges_of(SUBID_GID, ACCOUNT_GROUP, group, gids, err);
	return ranges_of(SUBID_GID, ACCOUNT_PASSWD, user, gids, err);
}

int userns_remap_maps(const char *remap, char ***ret_uid, char ***ret_gid, struct berr **err)
{
	_cleanup_free_ struct subid_ranges *uids = calloc(1, sizeof(*uids));
	_cleanup_free_ struct subid_ranges *gids = calloc(1, sizeof(*gids));
	_cleanup_strv_ char **u = NULL, **g = NULL;
	int r;

	if (!uids || !gids)
		return -ENOMEM;
	if (strcmp(remap, "default") == 0)
		r = subids_engine_user(uids, gids, err);
	else
		r = user_ranges(remap, uids, gids, err);
	if (r < 0)
		return r;
	if ((r = to_map(uids, &u)) < 0 || (r = to_map(gids, &g)) < 0)
		return r == -ENOMEM ? r
				    : berr_set(err, -r,
					       "more than %d ranges, or more than 2^32 ids in them",
					       USERNS_MAX_MAPS);
	*ret_uid = TAKE_PTR(u);
	*ret_gid = TAKE_PTR(g);
	return 0;
}
