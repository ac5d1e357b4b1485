/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/cgroup_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

/* v1 super options that are not controllers. */
static const char *const v1_non_controllers[] = {
	"rw",
	"ro",
	"xattr",
	"noprefix",
	"clone_children",
	"cpuset_v2_mode",
	"favordynmods",
	"nofavordynmods",
	NULL,
};

const char *cgroup_mode_name(enum cgroup_mode m)
{
	switch (m) {
	case CGROUP_MODE_V1:
		return "v1";
	case CGROUP_MODE_HYBRID:
		return "hybrid";
	case CGROUP_MODE_V2:
		return "v2";
	case CGROUP_MODE_NONE:
	default:
		return "none";
	}
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static bool is_non_controller(const char *opt)
{
	for (size_t i = 0; v1_non_controllers[i]; i++)
		if (strcmp(opt, v1_non_controllers[i]) == 0)
			return true;
	return strncmp(opt, "release_agent=", 14) == 0 || strncmp(opt, "name=", 5) == 0;
}

/* From "rw,cpu,cpuacct" keep the options naming the hierarchy and its controllers. */
static int v1_options(const char *super, struct cgroup_hier *h)
{
	_cleanup_free_ char *copy = strdup(super);
	_cleanup_free_ char *naming = NULL;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool name = strncmp(o, "name=", 5) == 0;
		char *n;

		if (!name && is_non_controller(o))
			continue;
		if (!name && strv_push_dup(&h->controllers, o) < 0)
			return -ENOMEM;
		if (asprintf(&n, "%s%s%s", naming ? naming : "", naming ? "," : "", o) < 0)
			return -ENOMEM;
		free(naming);
		naming = n;
	}
	h->options = naming ? TAKE_PTR(naming) : strdup("");
	return h->options ? 0 : -ENOMEM;
}

/*
 * Split one mountinfo line; returns 1 for a cgroup line it stored, 0 to skip. *ret_dev
 * points at its "major:minor" inside line.
 */
static int parse_line(char *line, struct cgroup_hier *h, const char **ret_dev)
{
	char *fields[16], *save = NULL, *dash, *fstype, *source, *super;
	size_t n = 0;

	dash = strstr(line, " - ");
	if (!dash)
		return 0;
	*dash = '\0';
	for (char *f = strtok_r(line, " ", &save); f && n < ELEMENTSOF(fields);
	     f = strtok_r(NULL, " ", &save))
		fields[n++] = f;
	if (n < 6)
		return 0;
	save = NULL;
	fstype = strtok_r(dash + 3, " ", &save);
	source = strtok_r(NULL, " ", &save);
	super = strtok_r(NULL, " \n", &save);
	if (!fstype || !source || !super)
		return 0;
	if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
		return 0;
	*ret_dev = fields[2];
	unescape(fields[3]);
	unescape(fields[4]);
	h->root = strdup(fields[3]);
	h->mountpoint = strdup(fields[4]);
	h->v2 = strcmp(fstype, "cgroup2") == 0;
	if (!h->root || !h->mountpoint)
		return -ENOMEM;
	if (!h->v2)
		return v1_options(super, h) < 0 ? -ENOMEM : 1;
	h->options = strdup("");
	return h->options ? 1 : -ENOMEM;
}

static void hier_done(struct cgroup_hier *h)
{
	free(h->mountpoint);
	free(h->root);
	free(h->options);
	strv_free(h->controllers);
}

static enum cgroup_mode decide_mode(const struct cgroup_layout *l)
{
	bool v1 = false;

	for (size_t i = 0; i < l->n; i++)
		v1 |= !l->v[i].v2;
	if (l->unified && !v1)
		return CGROUP_MODE_V2;
	if (l->unified)
		return CGROUP_MODE_HYBRID;
	return v1 ? CGROUP_MODE_V1 : CGROUP_MODE_NONE;
}

int cgroup_layout_parse(const char *mountinfo, struct cgroup_layout **ret, struct berr **err)
{
	_cleanup_free_ char *copy = strdup(mountinfo);
	_cleanup_strv_ char **seen = NULL;
	struct cgroup_layout *l = calloc(1, sizeof(*l));
	char *save = NULL;

	if (!copy || !l)
		goto out_oom;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct cgroup_hier h = {0}, *nv;
		const char *dev = NULL;
		int r = parse_line(line, &h, &dev);

		/*
		 * A hierarchy seen again is a bind copy (a container's rbind of /sys shows
		 * up here while its init sets up mounts): the first mount point counts.
		 */
		if (r > 0 && strv_contains(seen, dev))
			r = 0;
		else if (r > 0 && strv_push_dup(&seen, dev) < 0)
			r = -ENOMEM;
		if (r <= 0) {
			hier_done(&h);
			if (r < 0)
				goto out_oom;
			continue;
		}
		nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
		if (!nv) {
			hier_done(&h);
			goto out_oom;
		}
		l->v = nv;
		l->v[l->n++] = h;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].v2 && !l->unified)
			l->unified = &l->v[i];
	l->mode = decide_mode(l);
	*ret = l;
	return 0;
out_oom:
	cgroup_layout_free(l);
	return berr_set(err, ENOMEM, "out of memory");
}

int cgroup_layout_detect(struct cgroup_layout **ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16u << 20, &text, NULL);

	if (r < 0)
		return berr_sys(err, -r, "reading /proc/self/mountinfo");
	return cgroup_layout_parse(text, ret, err);
}

struct cgroup_layout *cgroup_layout_free(struct cgroup_layout *l)
{
	if (!l)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		hier_done(&l->v[i]);
	free(l->v);
	free(l);
	return NULL;
}

const struct cgroup_hier *cgroup_layout_find_v1(const struct cgroup_layout *l,
						const char *controller)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].v2 && strv_contains(l->v[i].controllers, controller))
			return &l->v[i];
	return NULL;
}
