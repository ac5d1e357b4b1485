/* SPDX-License-Identifier: Apache-2.0 */
/*
 * .dockerignore: when the context has one, COPY and ADD read from a copy of the context
 * without the paths it excludes (as docker sends only those to its daemon). Patterns as
 * docker's: cleaned, relative to the context root, `*` `?` `[...]` within a path
 * component, `**` across any number of them, `!` re-includes, the last match decides, and
 * a pattern that matches a directory excludes what is under it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/builder.h"
#include "engine/container_cp.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/strv.h"

#define IGNORE_MAX_SIZE (1u << 20)
#define IGNORE_MAX_DEPTH 128

static bool pmatch(const char *p, const char *s);

/* [set] at p against c; *ret_end after the ']'. */
static bool class_match(const char *p, char c, const char **ret_end)
{
	bool neg = p[1] == '^' || p[1] == '!', hit = false;
	const char *q = p + 1 + neg;

	do {
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hit |= c >= q[0] && c <= q[2];
			q += 3;
		} else {
			hit |= c == *q++;
		}
	} while (*q && *q != ']');
	*ret_end = *q ? q + 1 : q;
	return hit != neg && c != '/';
}

/* `**`: zero or more whole components. */
static bool pmatch_any(const char *p, const char *s)
{
	p += 2;
	if (*p == '/')
		p++;
	else if (!*p)
		return true;
	for (const char *t = s;; t++) {
		if ((t == s || t[-1] == '/') && pmatch(p, t))
			return true;
		if (!*t)
			return false;
	}
}

static bool pmatch(const char *p, const char *s)
{
	while (*p) {
		if (p[0] == '*' && p[1] == '*')
			return pmatch_any(p, s);
		if (*p == '*') {
			for (const char *t = s;; t++) {
				if (pmatch(p + 1, t))
					return true;
				if (!*t || *t == '/')
					return false;
			}
		}
		if (!*s)
			return false;
		if (*p == '[') {
			if (!class_match(p, *s++, &p))
				return false;
			continue;
		}
		if (*p == '?') {
			if (*s == '/')
				return false;
		} else {
			if (*p == '\\' && p[1])
				p++;
			if (*p != *s)
				return false;
		}
		p++;
		s++;
	}
	return !*s;
}

/* Does pattern p match path or one of its parents? */
static bool matches(const char *p, const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, path, n + 1);
	for (;;) {
		char *slash;

		if (pmatch(p, buf))
			return true;
		slash = strrchr(buf, '/');
		if (!slash)
			return false;
		*slash = '\0';
	}
}

static bool excluded(char *const *patterns, const char *path)
{
	bool out = false;

	STRV_FOREACH (p, patterns) {
		bool neg = **p == '!';

		if (matches(*p + neg, path))
			out = !neg;
	}
	return out;
}

static bool has_exceptions(char *const *patterns)
{
	STRV_FOREACH (p, patterns)
		if (**p == '!')
			return true;
	return false;
}

/* The patterns of the context's .dockerignore, cleaned; NULL when it has none. */
static int read_patterns(int ctxfd, char ***ret, struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_strv_ char **lines = NULL, **out = calloc(1, sizeof(char *));
	size_t len;
	int r = read_file_at(ctxfd, ".dockerignore", IGNORE_MAX_SIZE, &text, &len);

	*ret = NULL;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return berr_sys(err, -r, "cannot read .dockerignore");
	if (!out || !(lines = strv_split(text, "\r\n")))
		return -ENOMEM;
	STRV_FOREACH (l, lines) {
		char *p = *l + strspn(*l, " \t");
		bool neg = *p == '!';
		char *body = p + neg;

		body += strspn(body, " \t");
		while (*body == '/' || (body[0] == '.' && body[1] == '/'))
			body += body[0] == '.' ? 2 : 1;
		for (size_t n = strlen(body); n && (body[n - 1] == ' ' || body[n - 1] == '/');)
			body[--n] = '\0';
		if (*p == '#' || !*body)
			continue;
		if (neg)
			*--body = '!'; /* the pattern's own text, cleaned, after its '!' */
		if (strv_push_dup(&out, body) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

struct filter {
	char **patterns;
	bool exceptions;
	int ctxfd;
};

/* Copy the directory rel of the context (open as dfd) into dst, leaving out what is excluded. */
static int copy_filtered(struct filter *f, int dfd, const char *rel, const char *dst, int depth,
			 struct berr **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (depth > IGNORE_MAX_DEPTH)
		return berr_set(err, ELOOP, "'%s': directories nested too deep", rel);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return berr_sys(err, errno, "cannot list '%s' in the context", *rel ? rel : ".");
	}
	while ((de = readdir(d)) && r >= 0) {
		char path[PATH_MAX], out[PATH_MAX];
		struct stat st;
		bool skip;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
			    (int) sizeof(path) ||
		    snprintf(out, sizeof(out), "%s/%s", dst, de->d_name) >= (int) sizeof(out))
			return berr_set(err, ENAMETOOLONG, "path too long: '%s'", de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return berr_sys(err, errno, "cannot stat '%s'", path);
		skip = excluded(f->patterns, path);
		if (S_ISDIR(st.st_mode) && (!skip || f->exceptions)) {
			_cleanup_close_ int sub =
				openat(dirfd(d), de->d_name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0 || (mkdir(out, st.st_mode & 07777) < 0 && errno != EEXIST))
				return berr_sys(err, errno, "cannot copy '%s'", path);
			r = copy_filtered(f, sub, path, out, depth + 1, err);
			/* an excluded directory walked for its exceptions: gone if none matched */
			if (r >= 0 && skip && rmdir(out) < 0 && errno != ENOTEMPTY)
				return berr_sys(err, errno, "cannot remove '%s'", path);
		} else if (!skip) {
			r = container_cp_out(f->ctxfd, path, dst, err);
		}
	}
	return r;
}

int build_context_filter(struct builder *b, struct berr **err)
{
	struct filter f = {.ctxfd = b->ctxfd};
	char dst[PATH_MAX];
	int r = read_patterns(b->ctxfd, &f.patterns, err);

	if (r < 0 || !f.patterns)
		return r;
	f.exceptions = has_exceptions(f.patterns);
	if (snprintf(dst, sizeof(dst), "%s/%s/context", b->s->path, b->tmpname) >=
		    (int) sizeof(dst) ||
	    mkdirat(b->tmpfd, "context", 0755) < 0)
		r = berr_sys(err, errno ?: ENAMETOOLONG, "cannot create the filtered context");
	else
		r = copy_filtered(&f, b->ctxfd, "", dst, 0, err);
	if (r >= 0 && !(b->context = strdup(dst)))
		r = -ENOMEM;
	strv_free(f.patterns);
	return r < 0 ? berr_wrap(err, ".dockerignore") : 0;
}
