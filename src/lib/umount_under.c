/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/umount_under.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "lib/strv.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*w++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else
			*w++ = *p;
	}
	*w = '\0';
}

static bool below(const char *mp, const char *dir, size_t n)
{
	return strncmp(mp, dir, n) == 0 && (mp[n] == '\0' || mp[n] == '/');
}

/* Mount points at or below dir, in mountinfo's order (parents before children). */
static int collect(const char *dir, char ***ret)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mp[4096];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		unescape(mp);
		if (below(mp, dir, n) && strv_push_dup(&v, mp) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int umount_under(const char *dir)
{
	_cleanup_strv_ char **v = NULL;
	int r = collect(dir, &v), done = 0;

	if (r < 0)
		return r;
	for (size_t i = strv_length(v); i > 0; i--) {
		if (umount2(v[i - 1], MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			done++;
		else if (errno != EINVAL && errno != ENOENT && r == 0)
			r = -errno;
	}
	return r < 0 ? r : done;
}
