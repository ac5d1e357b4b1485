/* SPDX-License-Identifier: Apache-2.0 */
/*
 * COPY/ADD --chown=USER[:GROUP]: numbers as they are, names looked up in the image's
 * /etc/passwd and /etc/group (read from its topmost layer that has the file, without
 * following anything out of that layer).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/builder.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/safe_path.h"
#include "lib/strv.h"

#define ID_FILE_MAX (4u << 20)

/* The text of path in the image so far, or NULL when no layer has it as a file. */
static char *image_file(struct builder *b, const char *path)
{
	_cleanup_strv_ char **lowers = NULL;

	if (!b->cur || image_lowerdirs(b->s, b->cur, &lowers, NULL) < 0)
		return NULL;
	STRV_FOREACH (l, lowers) {
		_cleanup_close_ int root = open(*l, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
		char *text = NULL;
		struct stat st;
		size_t len;

		if (root < 0)
			continue;
		fd = safe_open_in_root(root, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW, 0);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) /* a whiteout hides it */
			return NULL;
		return read_fd_all(fd, ID_FILE_MAX, &text, &len) < 0 ? NULL : text;
	}
	return NULL;
}

/* In a passwd or group text, the fields of name's line; NULL when none. */
static char **find_line(const char *text, const char *name)
{
	_cleanup_strv_ char **lines = text ? strv_split(text, "\n") : NULL;
	size_t n = strlen(name);

	STRV_FOREACH (l, lines)
		if (strncmp(*l, name, n) == 0 && (*l)[n] == ':')
			return strv_split(*l, ":");
	return NULL;
}

static bool parse_id(const char *s, unsigned long *ret)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	*ret = strtoul(s, &end, 10);
	return *end == '\0' && *ret < 0xffffffffUL;
}

static int lookup(struct builder *b, const char *file, const char *name, size_t field,
		  unsigned long *ret, struct berr **err)
{
	_cleanup_free_ char *text = image_file(b, file);
	_cleanup_strv_ char **f = find_line(text, name);

	if (!f || strv_length(f) <= field || !parse_id(f[field], ret))
		return berr_set(err, ENOENT, "--chown: no %s '%s' in the image's %s",
				field == 2 && !strcmp(file, "/etc/group") ? "group" : "user", name,
				file);
	return 0;
}

int build_chown_ids(struct builder *b, const char *spec, uid_t *ret_uid, gid_t *ret_gid,
		    struct berr **err)
{
	_cleanup_free_ char *user = strdup(spec);
	char *group = user ? strchr(user, ':') : NULL;
	unsigned long uid, gid;
	int r = 0;

	if (!user)
		return -ENOMEM;
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return berr_set(err, EINVAL, "--chown '%s': want USER[:GROUP]", spec);
	if (!parse_id(user, &uid)) {
		r = lookup(b, "/etc/passwd", user, 2, &uid, err);
		if (r >= 0 && !group)
			r = lookup(b, "/etc/passwd", user, 3, &gid, err);
	} else if (!group) {
		gid = uid;
	}
	if (r >= 0 && group && !parse_id(group, &gid))
		r = lookup(b, "/etc/group", group, 2, &gid, err);
	if (r < 0)
		return r;
	*ret_uid = (uid_t) uid;
	*ret_gid = (gid_t) gid;
	return 0;
}
