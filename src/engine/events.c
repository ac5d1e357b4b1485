/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/timefmt.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

char *event_line(const struct event_desc *ev)
{
	_cleanup_(jw_freep) struct jwriter *w = jw_object();
	struct jwriter *actor = jw_object(), *attrs = jw_object();
	int64_t ns = ev->time_ns ? ev->time_ns : now_ns();
	_cleanup_free_ char *s = NULL;
	char *line;

	if (!w || !actor || !attrs) {
		jw_free(actor);
		jw_free(attrs);
		return NULL;
	}
	for (size_t i = 0; i < ev->n_attrs; i++)
		jw_str(attrs, ev->attrs[i].key, ev->attrs[i].value);
	jw_str(actor, "ID", ev->id);
	jw_put(actor, "Attributes", attrs);
	/* docker's deprecated fields, still set for containers and images */
	if (strcmp(ev->type, "container") == 0 || strcmp(ev->type, "image") == 0) {
		jw_str(w, "status", ev->action);
		jw_str(w, "id", ev->id);
		if (ev->from)
			jw_str(w, "from", ev->from);
	}
	jw_str(w, "Type", ev->type);
	jw_str(w, "Action", ev->action);
	jw_put(w, "Actor", actor);
	jw_str(w, "scope", "local");
	jw_int(w, "time", ns / 1000000000LL);
	jw_int(w, "timeNano", ns);
	if (!(s = jw_to_string(w, false)) || asprintf(&line, "%s\n", s) < 0)
		return NULL;
	return line;
}

/* With the lock held: events.log past max_size becomes events.log.1. */
static int rotate_if_full(int rootfd, int *fd, int64_t max_size, size_t add, struct berr **err)
{
	struct stat st;

	if (fstat(*fd, &st) < 0)
		return berr_sys(err, errno, "cannot stat '%s'", EVENTS_LOG);
	if (st.st_size == 0 || st.st_size + (int64_t) add <= max_size)
		return (int) (st.st_size > 0);
	if (renameat(rootfd, EVENTS_LOG, rootfd, EVENTS_LOG_OLD) < 0)
		return berr_sys(err, errno, "cannot rotate '%s'", EVENTS_LOG);
	close(*fd);
	*fd = openat(rootfd, EVENTS_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		     0600);
	if (*fd < 0)
		return berr_sys(err, errno, "cannot open '%s'", EVENTS_LOG);
	return 0;
}

/* Whether the journal's last byte is not a newline (a writer killed mid-line). */
static bool unfinished(int fd)
{
	struct stat st;
	char c;

	return fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &c, 1, st.st_size - 1) == 1 &&
	       c != '\n';
}

static int append_locked(int rootfd, const char *line, int64_t max_size, struct berr **err)
{
	_cleanup_close_ int fd = openat(rootfd, EVENTS_LOG,
					O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t len = strlen(line);
	const char *buf = line;
	_cleanup_free_ char *fixed = NULL;
	ssize_t n;
	int r;

	if (fd < 0)
		return berr_sys(err, errno, "cannot open '%s'", EVENTS_LOG);
	if ((r = rotate_if_full(rootfd, &fd, max_size, len, err)) < 0)
		return r;
	if (r > 0 && unfinished(fd)) {
		if (asprintf(&fixed, "\n%s", line) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		buf = fixed;
		len++;
	}
	n = write(fd, buf, len);
	if (n < 0)
		return berr_sys(err, errno, "cannot write '%s'", EVENTS_LOG);
	if ((size_t) n != len)
		return berr_set(err, EIO, "short write to '%s'", EVENTS_LOG);
	return 0;
}

int events_append(const char *root, const struct event_desc *ev, int64_t max_size,
		  struct berr **err)
{
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int lock = -1;
	_cleanup_free_ char *line = event_line(ev);

	if (!line)
		return berr_set(err, ENOMEM, "out of memory");
	if (strlen(line) > EVENTS_LINE_MAX)
		return berr_set(err, E2BIG, "event of %zu bytes is too long", strlen(line));
	if (rootfd < 0)
		return berr_sys(err, errno, "cannot open '%s'", root);
	lock = openat(rootfd, EVENTS_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0)
		return berr_sys(err, errno, "cannot open '%s'", EVENTS_LOCK);
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return berr_sys(err, errno, "cannot lock '%s'", EVENTS_LOCK);
	return append_locked(rootfd, line, max_size, err);
}

int events_container(const char *root, const struct container_config *cfg, const char *action,
		     const char *key, const char *value)
{
	_cleanup_strv_ char **labels = strv_copy(cfg->labels);
	size_t n_labels = strv_length(cfg->labels), n = 0;
	_cleanup_free_ struct event_attr *attrs = calloc(n_labels + 3, sizeof(*attrs));
	struct event_desc ev = {
		.type = "container", .action = action, .id = cfg->id, .from = cfg->image};

	if (!attrs || (n_labels && !labels))
		return -ENOMEM;
	/* each label's key ends where its '=' was */
	for (size_t i = 0; i < n_labels; i++) {
		char *eq = strchr(labels[i], '=');

		if (eq)
			*eq = '\0';
		attrs[n++] = (struct event_attr){labels[i], eq ? eq + 1 : ""};
	}
	attrs[n++] = (struct event_attr){"image", cfg->image ? cfg->image : ""};
	attrs[n++] = (struct event_attr){"name", cfg->name ? cfg->name : ""};
	if (key)
		attrs[n++] = (struct event_attr){key, value};
	ev.attrs = attrs;
	ev.n_attrs = n;
	return events_append(root, &ev, EVENTS_LOG_MAX, NULL);
}

int events_image(const char *root, const char *action, const char *id, const char *name)
{
	const struct event_attr attr = {"name", name ? name : id};
	const struct event_desc ev = {
		.type = "image", .action = action, .id = id, .attrs = &attr, .n_attrs = 1};

	return events_append(root, &ev, EVENTS_LOG_MAX, NULL);
}
