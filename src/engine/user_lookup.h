/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker's --user: "NAME|UID[:GROUP|GID]" resolved against the container's own
 * /etc/passwd and /etc/group (opened inside its rootfs: symlinks there cannot lead to
 * the host's), as moby's GetExecUser does.
 */
#ifndef BERTH_ENGINE_USER_LOOKUP_H
#define BERTH_ENGINE_USER_LOOKUP_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

struct exec_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups from /etc/group */
	size_t n_groups;
	char *home; /* "/" when unknown */
};

void exec_user_done(struct exec_user *u);

/*
 * Resolve spec (NULL or "" means root) with the passwd and group text (either may be
 * NULL: no file). A numeric uid or gid that no entry names is taken as it is.
 */
int user_lookup_text(const char *spec, const char *passwd, const char *group, struct exec_user *ret,
		     struct berr **err);

/* The same, reading etc/passwd and etc/group inside the rootfs directory rootfd. */
int user_lookup(int rootfd, const char *spec, struct exec_user *ret, struct berr **err);

/*
 * docker's --group-add: each of add (a group name, looked up in the group text, or a
 * number, taken as it is) appended to u's supplementary groups. -ENOENT with docker's
 * "Unable to find group NAME".
 */
int user_add_groups_text(const char *group, char *const *add, struct exec_user *u,
			 struct berr **err);

/* The same, reading etc/group inside the rootfs directory rootfd. */
int user_add_groups(int rootfd, char *const *add, struct exec_user *u, struct berr **err);

#endif
