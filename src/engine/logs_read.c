/* SPDX-License-Identifier: Apache-2.0 */
/* `berth logs`: the json-file log and its rotated files read back (see logs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/logs.h"
#include "lib/cleanup.h"

#define ROTATED_MAX 100
#define FOLLOW_POLL_MS 250
#define BLOCK (64 * 1024) /* read backwards this much at a time */

/* The log's files, oldest first: NAME.k ... NAME.1, NAME. */
struct logset {
	FILE *f[ROTATED_MAX + 1];
	off_t size[ROTATED_MAX + 1];
	int n;
};

static FILE *open_log(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

static void log_name(char *buf, size_t size, const char *name, int i)
{
	if (i == 0)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s.%d", name, i);
}

static bool same_inode(FILE *a, const struct stat *b)
{
	struct stat st;

	return fstat(fileno(a), &st) == 0 && st.st_ino == b->st_ino && st.st_dev == b->st_dev;
}

/* Open NAME, NAME.1, ... newest first (a file met twice, rotated meanwhile, once). */
static void logset_open(struct logset *ls, int dirfd, const char *name)
{
	FILE *newest_first[ROTATED_MAX + 1];
	char path[NAME_MAX + 8];
	int n = 0;

	for (int i = 0; i <= ROTATED_MAX; i++) {
		FILE *f;
		struct stat st;
		bool dup = false;

		log_name(path, sizeof(path), name, i);
		if (!(f = open_log(dirfd, path))) {
			if (i == 0)
				continue; /* between a rotation's rename and the new file */
			break;
		}
		if (fstat(fileno(f), &st) < 0)
			dup = true;
		for (int j = 0; j < n && !dup; j++)
			dup = same_inode(newest_first[j], &st);
		if (dup) {
			fclose(f);
			continue;
		}
		newest_first[n++] = f;
	}
	ls->n = n;
	for (int i = 0; i < n; i++) {
		struct stat st;

		ls->f[i] = newest_first[n - 1 - i];
		ls->size[i] = fstat(fileno(ls->f[i]), &st) == 0 ? st.st_size : 0;
	}
}

static void logset_close(struct logset *ls, int keep)
{
	for (int i = 0; i < ls->n; i++)
		if (i != keep && ls->f[i])
			fclose(ls->f[i]);
	ls->n = 0;
}

/*
 * In f (size bytes), find where the last *need lines start: after the (*need + 1)th "\n"
 * from the end (a last line still being written, without its "\n", is not counted).
 * 1: found, at *ret; 0: the file holds fewer, and *need is what is still missing.
 */
static int tail_in_file(FILE *f, off_t size, int64_t *need, off_t *ret)
{
	char buf[BLOCK];
	int64_t seen = 0;

	for (off_t end = size; end > 0;) {
		off_t start = end > BLOCK ? end - BLOCK : 0;
		ssize_t n = pread(fileno(f), buf, (size_t) (end - start), start);
		const char *p;

		if (n != end - start)
			return n < 0 ? -errno : -EIO;
		while (n > 0 && (p = memrchr(buf, '\n', (size_t) n))) {
			if (seen++ == *need) {
				*ret = start + (p - buf) + 1;
				return 1;
			}
			n = p - buf;
		}
		end = start;
	}
	if (seen == *need) {
		*ret = 0;
		return 1;
	}
	*need -= seen;
	return 0;
}

/* Where the last o->tail lines start: file *ret_i at offset *ret_off. */
static int tail_start(const struct logset *ls, int64_t tail, int *ret_i, off_t *ret_off)
{
	int64_t need = tail;

	*ret_i = 0;
	*ret_off = 0;
	for (int i = ls->n - 1; i >= 0; i--) {
		int r = tail_in_file(ls->f[i], ls->size[i], &need, ret_off);

		if (r < 0)
			return r;
		*ret_i = i;
		if (r > 0)
			return 0;
		*ret_off = 0;
	}
	return 0;
}

/* The time of the first line starting at or after off: its start and end. -ENOENT: none. */
static int line_time_at(FILE *f, off_t off, off_t *ret_start, off_t *ret_next, int64_t *ret_ns)
{
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ char *text = NULL;
	struct log_entry e;
	size_t cap = 0;
	ssize_t n;

	if (fseeko(f, off > 0 ? off - 1 : 0, SEEK_SET) < 0)
		return -errno;
	if (off > 0 && getline(&line, &cap, f) < 0) /* the rest of the line around off */
		return -ENOENT;
	*ret_start = ftello(f);
	if ((n = getline(&line, &cap, f)) <= 0 || line[n - 1] != '\n')
		return -ENOENT;
	*ret_next = *ret_start + n;
	if (log_entry_parse(line, (size_t) n, &e, &text) < 0)
		return -EINVAL;
	*ret_ns = e.time_ns;
	return 0;
}

/*
 * A line start in f at or before the first entry at or after since_ns, entries being in
 * time order (as the monitor writes them): a binary search down to a block, which the
 * reader's filter then skips through.
 */
static off_t since_in_file(FILE *f, off_t size, int64_t since_ns)
{
	off_t lo = 0, hi = size;

	while (hi - lo > BLOCK) {
		off_t mid = lo + (hi - lo) / 2, start, next;
		int64_t ns;

		if (line_time_at(f, mid, &start, &next, &ns) < 0 || start >= hi)
			break;
		if (ns < since_ns)
			lo = next;
		else
			hi = start;
	}
	return lo;
}

static int since_start(const struct logset *ls, int64_t since_ns, int *ret_i, off_t *ret_off)
{
	*ret_i = 0;
	*ret_off = 0;
	for (int i = ls->n - 1; i >= 0; i--) {
		off_t start, next;
		int64_t ns;

		/* a file whose first entry is already late enough: the start is in an older one */
		if (line_time_at(ls->f[i], 0, &start, &next, &ns) == 0 && ns >= since_ns)
			continue;
		*ret_i = i;
		*ret_off = since_in_file(ls->f[i], ls->size[i], since_ns);
		return 0;
	}
	return 0;
}

/* One line: filter and emit. 1: past --until, stop. */
static int handle_line(const char *line, size_t len, const struct logs_read_opts *o)
{
	_cleanup_free_ char *text = NULL;
	struct log_entry e;

	if (log_entry_parse(line, len, &e, &text) < 0)
		return 0; /* a torn or foreign line: skipped, as docker does */
	if (o->since_ns && e.time_ns < o->since_ns)
		return 0;
	if (o->until_ns && e.time_ns > o->until_ns)
		return 1;
	return o->emit(&e, o->userdata);
}

/* Read f to its end. With follow, a last line without '\n' waits there. */
static int read_lines(FILE *f, const struct logs_read_opts *o, bool follow)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r;

	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n' && follow) {
			/* a line being written: read it again when it is complete */
			(void) fseeko(f, -(off_t) n, SEEK_CUR);
			break;
		}
		r = handle_line(line, (size_t) n, o);
		if (r != 0)
			return r;
	}
	clearerr(f);
	return 0;
}

static bool same_file(int dirfd, const char *name, FILE *f)
{
	struct stat a;

	if (fstatat(dirfd, name, &a, AT_SYMLINK_NOFOLLOW) < 0)
		return true; /* gone: nothing new to open */
	return same_inode(f, &a);
}

/*
 * The index i >= 1 of NAME.i that is f, or -1. Every index is looked at: a rotation
 * under way leaves a gap for a moment (NAME.1 moved to NAME.2, NAME not yet to NAME.1).
 */
static int rotated_index(int dirfd, const char *name, FILE *f)
{
	char path[NAME_MAX + 8];
	struct stat st;

	for (int i = 1; i <= ROTATED_MAX; i++) {
		log_name(path, sizeof(path), name, i);
		if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_inode(f, &st))
			return i;
	}
	return -1;
}

/*
 * After cur was rotated away (to NAME.k), the file written after it: NAME.(k-1), or
 * NAME for k = 1. Rotations may go on meanwhile: the pair is taken again until cur
 * stayed at k around the open. When cur is gone (more rotations than max-file while
 * we read), the oldest file left. NULL: none.
 */
static FILE *next_file(int dirfd, const char *name, FILE *cur)
{
	char path[NAME_MAX + 8];

	for (int tries = 0; tries < 100; tries++) {
		int k = rotated_index(dirfd, name, cur);
		FILE *f;

		if (k < 0) {
			for (k = ROTATED_MAX; k > 0; k--) {
				log_name(path, sizeof(path), name, k);
				if (faccessat(dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
					break;
			}
			log_name(path, sizeof(path), name, k);
			return open_log(dirfd, path);
		}
		log_name(path, sizeof(path), name, k - 1);
		if (!(f = open_log(dirfd, path)))
			continue;
		if (rotated_index(dirfd, name, cur) == k)
			return f;
		fclose(f);
	}
	return NULL;
}

/* A log of max-file 1 is truncated when it rotates: start it again. */
static void rewind_if_truncated(FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && ftello(f) > st.st_size)
		(void) fseeko(f, 0, SEEK_SET);
}

/* Follow name after reading it: new lines, rotations, until the container stops. */
static int follow(int dirfd, const char *name, FILE **fp, const struct logs_read_opts *o)
{
	_cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	char path[64], buf[4096];
	bool last_round = false;
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (ino >= 0)
		(void) inotify_add_watch(ino, path, IN_MODIFY | IN_CREATE | IN_MOVED_TO);
	for (;;) {
		struct pollfd p = {.fd = ino, .events = POLLIN};

		if ((r = read_lines(*fp, o, true)) != 0)
			return r < 0 ? r : 0;
		if (!same_file(dirfd, name, *fp)) {
			/* rotated: what was written before it is there now, then the next file */
			FILE *nf;

			if ((r = read_lines(*fp, o, true)) != 0)
				return r < 0 ? r : 0;
			if ((nf = next_file(dirfd, name, *fp))) {
				fclose(*fp);
				*fp = nf;
				continue;
			}
		}
		rewind_if_truncated(*fp);
		if (last_round)
			return 0;
		if (o->running && o->running(o->userdata) == 0) {
			last_round = true; /* read what was written before it stopped */
			continue;
		}
		if (poll(&p, ino >= 0 ? 1 : 0, FOLLOW_POLL_MS) > 0)
			while (read(ino, buf, sizeof(buf)) > 0)
				;
	}
}

/* Emit from file i at off to the end; the newest file stays open in *ret_cur. */
static int read_from(struct logset *ls, int i, off_t off, const struct logs_read_opts *o,
		     FILE **ret_cur)
{
	int r = 0;

	for (; i < ls->n && r == 0; i++) {
		bool newest = i == ls->n - 1;

		if (fseeko(ls->f[i], off, SEEK_SET) < 0)
			return -errno;
		off = 0;
		r = read_lines(ls->f[i], o, newest && o->follow);
	}
	if (ls->n > 0) {
		*ret_cur = ls->f[ls->n - 1];
		logset_close(ls, ls->n - 1);
	}
	return r;
}

int logs_read(int dirfd, const char *name, const struct logs_read_opts *o, struct berr **err)
{
	struct logset ls = {0};
	FILE *cur = NULL;
	off_t off = 0;
	int i = 0, r;

	logset_open(&ls, dirfd, name);
	if (o->tail >= 0)
		r = tail_start(&ls, o->tail, &i, &off);
	else if (o->since_ns)
		r = since_start(&ls, o->since_ns, &i, &off);
	else
		r = 0;
	if (r >= 0)
		r = read_from(&ls, i, off, o, &cur);
	logset_close(&ls, -1);
	if (r == 0 && o->follow && cur)
		r = follow(dirfd, name, &cur, o);
	if (cur)
		fclose(cur);
	if (r < 0 && r != -EPIPE)
		return berr_sys(err, -r, "cannot read the logs");
	return 0;
}
