/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/events_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/events.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static int collect_attr(const struct jnode *child, void *userdata, struct berr **err)
{
	_cleanup_free_ char *v = NULL, *kv = NULL;

	(void) err;
	if (jnode_string(child, &v, NULL) < 0)
		return 0;
	if (asprintf(&kv, "%s=%s", child->key, v) < 0)
		return -ENOMEM;
	return strv_consume((char ***) userdata, TAKE_PTR(kv));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int event_parse(const char *line, size_t len, struct event *ret)
{
	struct event ev = {0};
	struct jnode root, actor, attrs;
	int r;

	if (jdoc_parse(line, len, "event", &ev.doc, NULL) < 0)
		return -EINVAL;
	jdoc_root(ev.doc, &root);
	jnode_member(&root, "Actor", &actor);
	jnode_member(&actor, "Attributes", &attrs);
	if (!jnode_is_object(&root) || jnode_get_string(&root, "Type", &ev.type, NULL) <= 0 ||
	    jnode_get_string(&root, "Action", &ev.action, NULL) <= 0 ||
	    jnode_get_int64(&root, "timeNano", &ev.time_ns, NULL) <= 0 ||
	    jnode_get_string(&actor, "ID", &ev.id, NULL) <= 0) {
		event_done(&ev);
		return -EINVAL;
	}
	if (jnode_is_object(&attrs) &&
	    (r = jnode_foreach_member(&attrs, collect_attr, &ev.attrs, NULL)) < 0) {
		event_done(&ev);
		return r;
	}
	if (ev.attrs)
		qsort(ev.attrs, strv_length(ev.attrs), sizeof(char *), cmp_str);
	*ret = ev;
	return 0;
}

void event_done(struct event *ev)
{
	ev->doc = jdoc_free(ev->doc);
	free(ev->type);
	free(ev->action);
	free(ev->id);
	ev->attrs = strv_free(ev->attrs);
	ev->type = ev->action = ev->id = NULL;
}

const char *event_attr(const struct event *ev, const char *key)
{
	size_t n = strlen(key);

	for (char **a = ev->attrs; a && *a; a++)
		if (strncmp(*a, key, n) == 0 && (*a)[n] == '=')
			return *a + n + 1;
	return NULL;
}

int event_filter_add(struct event_filter *f, const char *kv, struct berr **err)
{
	const char *eq = strchr(kv, '=');
	char ***slot = NULL;
	size_t n = eq ? (size_t) (eq - kv) : 0;

	if (!eq)
		return berr_set(err, EINVAL, "bad format of filter (expected name=value)");
	if (n == 9 && strncmp(kv, "container", n) == 0)
		slot = &f->container;
	else if (n == 5 && strncmp(kv, "event", n) == 0)
		slot = &f->event;
	else if (n == 5 && strncmp(kv, "image", n) == 0)
		slot = &f->image;
	else if (n == 4 && strncmp(kv, "type", n) == 0)
		slot = &f->type;
	else if (n == 5 && strncmp(kv, "label", n) == 0)
		slot = &f->label;
	if (!slot)
		return berr_set(err, EINVAL, "Invalid filter '%.*s'", (int) n, kv);
	if (strv_push_dup(slot, eq + 1) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

void event_filter_done(struct event_filter *f)
{
	f->container = strv_free(f->container);
	f->event = strv_free(f->event);
	f->image = strv_free(f->image);
	f->type = strv_free(f->type);
	f->label = strv_free(f->label);
}

/* docker's FuzzyMatch: no values match all; else some value is a prefix of s. */
static bool fuzzy(char *const *values, const char *s)
{
	if (!values)
		return true;
	for (; s && *values; values++)
		if (strncmp(s, *values, strlen(*values)) == 0)
			return true;
	return false;
}

static bool exact(char *const *values, const char *s)
{
	return !values || (s && strv_contains(values, s));
}

/* "busybox:latest" -> "busybox" (a registry's port is not a tag) */
static char *strip_tag(const char *ref)
{
	const char *slash = strrchr(ref, '/'), *at = strchr(ref, '@');
	const char *colon = strrchr(slash ? slash : ref, ':');
	const char *end = at ? at : colon;

	return strndup(ref, end ? (size_t) (end - ref) : strlen(ref));
}

static bool match_image(char *const *values, const struct event *ev)
{
	const char *name = event_attr(ev, strcmp(ev->type, "image") == 0 ? "name" : "image");
	_cleanup_free_ char *id = NULL, *bare = NULL;

	if (!values)
		return true;
	id = strip_tag(ev->id);
	bare = name ? strip_tag(name) : NULL;
	return exact(values, ev->id) || (name && exact(values, name)) ||
	       (id && exact(values, id)) || (bare && exact(values, bare));
}

/* every label=KEY or label=KEY=VALUE must be among the attributes */
static bool match_labels(char *const *values, const struct event *ev)
{
	for (; values && *values; values++) {
		const char *eq = strchr(*values, '=');
		_cleanup_free_ char *key =
			strndup(*values, eq ? (size_t) (eq - *values) : strlen(*values));
		const char *v = key ? event_attr(ev, key) : NULL;

		if (!v || (eq && strcmp(v, eq + 1) != 0))
			return false;
	}
	return true;
}

/* exec_create and exec_start carry their command ("exec_start: sh -c true") */
static bool match_event(char *const *values, const char *action)
{
	if (!values || exact(values, action))
		return true;
	for (; *values; values++) {
		size_t n = strlen(*values);

		if (strncmp(action, *values, n) == 0 && action[n] == ':')
			return true;
	}
	return false;
}

bool event_filter_match(const struct event_filter *f, const struct event *ev)
{
	return match_event(f->event, ev->action) && exact(f->type, ev->type) &&
	       (fuzzy(f->container, ev->id) || fuzzy(f->container, event_attr(ev, "name"))) &&
	       match_image(f->image, ev) && match_labels(f->label, ev);
}

static int open_log(int rootfd, const char *name, ino_t *ret_ino)
{
	int fd = openat(rootfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (ret_ino)
		*ret_ino = st.st_ino;
	return fd;
}

int events_reader_open(struct events_reader *r, const char *root, bool from_start,
		       struct berr **err)
{
	ino_t old_ino = 0;

	*r = (struct events_reader){.rootfd = -1, .old = -1, .fd = -1, .inotify = -1};
	r->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->rootfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", root);
	/* before the first read: a line appended between the read and the watch is not lost */
	r->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (r->inotify < 0 ||
	    inotify_add_watch(r->inotify, root, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
		events_reader_done(r);
		return berr_sys(err, errno, "cannot watch '%s'", root);
	}
	if ((r->fd = open_log(r->rootfd, EVENTS_LOG, &r->ino)) < 0)
		r->fd = -1;
	if (from_start) {
		if ((r->old = open_log(r->rootfd, EVENTS_LOG_OLD, &old_ino)) < 0)
			r->old = -1;
		/* rotated between the two opens: events.log.1 is the one already open */
		if (r->old >= 0 && r->fd >= 0 && old_ino == r->ino) {
			close(r->old);
			r->old = -1;
		}
	} else if (r->fd >= 0) {
		(void) lseek(r->fd, 0, SEEK_END);
	}
	return 0;
}

/* Read fd to its end, calling cb for each complete line. */
static int drain(struct events_reader *r, int fd, event_line_fn cb, void *userdata)
{
	for (;;) {
		char *nl;
		ssize_t n;
		int c;

		if (r->cap - r->len < 65536) {
			char *b = realloc(r->buf, r->cap + 65536);

			if (!b)
				return -ENOMEM;
			r->buf = b;
			r->cap += 65536;
		}
		n = read(fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		r->len += (size_t) n;
		size_t start = 0;
		while ((nl = memchr(r->buf + start, '\n', r->len - start))) {
			size_t end = (size_t) (nl - r->buf);

			if ((c = cb(r->buf + start, end - start, userdata)) < 0)
				return c;
			start = end + 1;
		}
		memmove(r->buf, r->buf + start, r->len - start);
		r->len -= start;
		/* a line longer than any writer writes: not an event, dropped */
		if (r->len > 2 * EVENTS_LINE_MAX)
			r->len = 0;
	}
}

/* Whether events.log is now another file than r->fd (rotated) or appeared. */
static bool log_replaced(const struct events_reader *r)
{
	struct stat st;

	if (fstatat(r->rootfd, EVENTS_LOG, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return r->fd < 0 || st.st_ino != r->ino;
}

int events_reader_read(struct events_reader *r, event_line_fn cb, void *userdata)
{
	char ev[4096];
	int c;

	while (read(r->inotify, ev, sizeof(ev)) > 0)
		;
	if (r->old >= 0) {
		c = drain(r, r->old, cb, userdata);
		close(r->old);
		r->old = -1;
		r->len = 0;
		if (c < 0)
			return c;
	}
	for (;;) {
		if (r->fd >= 0 && (c = drain(r, r->fd, cb, userdata)) < 0)
			return c;
		if (!log_replaced(r))
			return 0;
		/* the old file cannot grow after its rename: it was read to its end above */
		if (r->fd >= 0)
			close(r->fd);
		r->len = 0;
		r->fd = open_log(r->rootfd, EVENTS_LOG, &r->ino);
		if (r->fd < 0) {
			r->fd = -1;
			return 0;
		}
	}
}

void events_reader_done(struct events_reader *r)
{
	if (r->rootfd >= 0)
		close(r->rootfd);
	if (r->old >= 0)
		close(r->old);
	if (r->fd >= 0)
		close(r->fd);
	if (r->inotify >= 0)
		close(r->inotify);
	free(r->buf);
	*r = (struct events_reader){.rootfd = -1, .old = -1, .fd = -1, .inotify = -1};
}
