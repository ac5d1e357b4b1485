/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/user_lookup.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/regfile.h"
#include "lib/safe_path.h"
#include "lib/strv.h"

#define ETC_FILE_MAX (4 << 20)
#define GROUPS_MAX 256

void exec_user_done(struct exec_user *u)
{
	free(u->groups);
	free(u->home);
	*u = (struct exec_user){0};
}

static bool parse_id(const char *s, unsigned long *ret)
{
	char *end;

	if (!*s || !isdigit((unsigned char) s[0]))
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !errno && !*end && *ret <= UINT32_MAX - 1;
}

/* Split line at ':' into at most max fields (in place). Returns the count. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

/* Find the passwd entry for name (or uid when by_id): fills uid, gid, home. */
static int find_passwd(const char *text, const char *name, bool by_id, unsigned long id,
		       struct exec_user *u, char **ret_name)
{
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7];
		unsigned long uid, gid;

		if (line[0] == '#' || split_fields(line, f, 7) < 7)
			continue;
		if (!parse_id(f[2], &uid) || !parse_id(f[3], &gid))
			continue;
		if (by_id ? uid != id : strcmp(f[0], name) != 0)
			continue;
		u->uid = (uid_t) uid;
		u->gid = (gid_t) gid;
		free(u->home);
		u->home = strdup(*f[5] ? f[5] : "/");
		*ret_name = strdup(f[0]);
		return u->home && *ret_name ? 1 : -ENOMEM;
	}
	return 0;
}

/*
 * Walk the group file: resolve group (a name or gid) into *ret_gid when group is set,
 * and collect the groups that list user as a member.
 */
static int scan_groups(const char *text, const char *group, const char *user, gid_t *ret_gid,
		       bool *found, struct exec_user *u)
{
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *msave = NULL;
		unsigned long gid;

		if (line[0] == '#' || split_fields(line, f, 4) < 4 || !parse_id(f[2], &gid))
			continue;
		if (group && !*found && strcmp(f[0], group) == 0) {
			*ret_gid = (gid_t) gid;
			*found = true;
		}
		if (!user)
			continue;
		for (char *m = strtok_r(f[3], ",", &msave); m; m = strtok_r(NULL, ",", &msave)) {
			gid_t *ng;

			if (strcmp(m, user) != 0 || u->n_groups >= GROUPS_MAX)
				continue;
			ng = realloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
			if (!ng)
				return -ENOMEM;
			u->groups = ng;
			u->groups[u->n_groups++] = (gid_t) gid;
		}
	}
	return 0;
}

int user_lookup_text(const char *spec, const char *passwd, const char *group, struct exec_user *ret,
		     struct berr **err)
{
	_cleanup_free_ char *user = NULL, *grp = NULL, *name = NULL;
	struct exec_user u = {0};
	const char *colon;
	unsigned long id;
	bool numeric, found = false;
	gid_t gid = 0;
	int r;

	if (!spec || !*spec)
		spec = "0";
	colon = strchr(spec, ':');
	user = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
	if (!user || (colon && !(grp = strdup(colon + 1))))
		return -ENOMEM;
	numeric = parse_id(user, &id);
	r = find_passwd(passwd, user, numeric, numeric ? id : 0, &u, &name);
	if (r < 0)
		goto out_oom;
	if (r == 0) {
		if (!numeric) {
			exec_user_done(&u);
			return berr_set(err, ENOENT,
					"unable to find user %s: no matching entries in passwd "
					"file",
					user);
		}
		u.uid = (uid_t) id;
		u.gid = 0;
		u.home = strdup("/");
		if (!u.home)
			goto out_oom;
	}
	if (grp && parse_id(grp, &id)) {
		gid = (gid_t) id;
		found = true;
	}
	r = scan_groups(group, grp && !found ? grp : NULL, name, &gid, &found, &u);
	if (r < 0)
		goto out_oom;
	if (grp && !found) {
		exec_user_done(&u);
		return berr_set(err, ENOENT,
				"unable to find group %s: no matching entries in group "
				"file",
				grp);
	}
	if (grp)
		u.gid = gid;
	*ret = u;
	return 0;
out_oom:
	exec_user_done(&u);
	return -ENOMEM;
}

/*
 * The container's /etc file path, or NULL when it is missing or not a regular file: it is
 * resolved in the root (O_PATH, which opens nothing) and read only when it is a regular
 * file, so a FIFO there cannot hang the engine, nor a device node be opened by host root.
 */
static char *read_in_root(int rootfd, const char *path)
{
	_cleanup_close_ int p = safe_open_in_root(rootfd, path, O_PATH, 0), fd = -1;
	char *buf = NULL;

	if (p < 0 || (fd = fd_reopen_regular(p, O_RDONLY)) < 0 ||
	    read_fd_all(fd, ETC_FILE_MAX, &buf, NULL) < 0)
		return NULL;
	return buf;
}

int user_lookup(int rootfd, const char *spec, struct exec_user *ret, struct berr **err)
{
	_cleanup_free_ char *passwd = read_in_root(rootfd, "/etc/passwd");
	_cleanup_free_ char *group = read_in_root(rootfd, "/etc/group");

	return user_lookup_text(spec, passwd, group, ret, err);
}

/* The gid of group name in the group file text, or -ENOENT. */
static int find_group(const char *text, const char *name, gid_t *ret)
{
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		unsigned long gid;

		if (line[0] == '#' || split_fields(line, f, 4) < 3 || !parse_id(f[2], &gid))
			continue;
		if (strcmp(f[0], name) == 0) {
			*ret = (gid_t) gid;
			return 0;
		}
	}
	return -ENOENT;
}

int user_add_groups_text(const char *group, char *const *add, struct exec_user *u,
			 struct berr **err)
{
	for (size_t i = 0; add && add[i]; i++) {
		unsigned long id;
		gid_t gid, *ng;
		int r;

		if (parse_id(add[i], &id))
			gid = (gid_t) id;
		else if ((r = find_group(group, add[i], &gid)) == -ENOENT)
			return berr_set(err, ENOENT, "Unable to find group %s", add[i]);
		else if (r < 0)
			return berr_set(err, ENOMEM, "out of memory");
		if (u->n_groups >= GROUPS_MAX)
			return berr_set(err, E2BIG, "more than %d additional groups", GROUPS_MAX);
		if (!(ng = realloc(u->groups, (u->n_groups + 1) * sizeof(gid_t))))
			return berr_set(err, ENOMEM, "out of memory");
		u->groups = ng;
		u->groups[u->n_groups++] = gid;
	}
	return 0;
}

int user_add_groups(int rootfd, char *const *add, struct exec_user *u, struct berr **err)
{
	_cleanup_free_ char *group = NULL;

	if (!add || !add[0])
		return 0;
	group = read_in_root(rootfd, "/etc/group");
	return user_add_groups_text(group, add, u, err);
}
