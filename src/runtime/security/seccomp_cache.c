/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled seccomp programs, cached by content under the state root.
 *
 * libseccomp takes milliseconds for a profile like Docker's; the same profile is used
 * for every container, so the BPF is kept in <dir>/<hash>.bpf beside the key it was
 * made from. A hit compares the whole key, never only the hash, so two configs cannot
 * share a program by a collision. The key holds everything that reaches the BPF, plus
 * libseccomp's version, its API level and this machine's architecture.
 */
#include "runtime/security/seccomp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/config/oci_config.h"

/* Bump when the compiler's output for the same input changes. */
#define CACHE_FORMAT 2 /* 2: the ENOSYS stub (seccomp_enosys.c) */
#define CACHE_MAGIC "BERTHSC1"
#define CACHE_MAX_ENTRIES 64
#define CACHE_MAX_FILE (1u << 20)

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && (size_t) n < b->cap - b->len) {
			b->len += (size_t) n;
			return;
		}
		size_t cap = (b->cap + (size_t) n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

/* Strings go in as <length>:<bytes>, so no name can forge the text around it. */
static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, "%zu:%s ", strlen(s), s);
}

static void key_rule(struct buf *b, const struct spec_syscall *r)
{
	buf_add(b, "\nR %d %d:%u ", r->action, r->errno_ret.set, r->errno_ret.v);
	for (char **n = r->names; n && *n; n++)
		buf_str(b, *n);
	buf_add(b, "| %zu", r->n_args);
	for (size_t i = 0; i < r->n_args; i++)
		buf_add(b, " %u,%d,%llu,%llu", r->args[i].index, r->args[i].op,
			(unsigned long long) r->args[i].value,
			(unsigned long long) r->args[i].value_two);
}

char *seccomp_cache_key(const struct spec_seccomp *sc)
{
	const struct scmp_version *v = seccomp_version();
	struct buf b = {0};

	buf_add(&b, "berth-seccomp %d libseccomp %u.%u.%u api %u arch %u\n", CACHE_FORMAT, v->major,
		v->minor, v->micro, seccomp_api_get(), seccomp_arch_native());
	buf_add(&b, "D %d %d:%u F %u N %d\nA", sc->default_action, sc->default_errno_ret.set,
		sc->default_errno_ret.v, sc->flags, sc->uses_notify);
	for (size_t i = 0; i < sc->n_architectures; i++)
		buf_add(&b, " %d", sc->architectures[i]);
	for (size_t i = 0; i < sc->n_syscalls; i++)
		key_rule(&b, &sc->syscalls[i]);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* FNV-1a, 64 bits: only names the file; the key inside decides a hit. */
static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char) s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct cache_header {
	char magic[8];
	uint32_t key_len;
	uint32_t n_insns;
};

/* A cached program for key, or -ENOENT. */
static int cache_get(int dirfd, const char *name, const char *key, struct seccomp_program *p)
{
	_cleanup_free_ char *data = NULL;
	struct cache_header h;
	size_t len = 0, klen = strlen(key);
	int r;

	r = read_file_at(dirfd, name, CACHE_MAX_FILE, &data, &len);
	if (r < 0)
		return r == -ENOENT ? r : -ENOENT;
	if (len < sizeof(h))
		return -ENOENT;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != klen ||
	    h.n_insns == 0 || h.n_insns > SECCOMP_MAX_INSNS ||
	    len != sizeof(h) + klen + h.n_insns * sizeof(struct sock_filter) ||
	    memcmp(data + sizeof(h), key, klen) != 0)
		return -ENOENT;
	p->insns = malloc(h.n_insns * sizeof(struct sock_filter));
	if (!p->insns)
		return -ENOMEM;
	memcpy(p->insns, data + sizeof(h) + klen, h.n_insns * sizeof(struct sock_filter));
	p->n_insns = h.n_insns;
	return 0;
}

/* Keep the cache small: past CACHE_MAX_ENTRIES, drop the least recently written. */
static void cache_trim(int dirfd)
{
	_cleanup_closedir_ DIR *d = NULL;
	char oldest[NAME_MAX + 1] = "";
	struct timespec when = {0};
	struct dirent *de;
	struct stat st;
	int fd, n = 0;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			(void) close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".bpf") || fstatat(dirfd, de->d_name, &st, 0) < 0)
			continue;
		n++;
		if (!*oldest || st.st_mtim.tv_sec < when.tv_sec ||
		    (st.st_mtim.tv_sec == when.tv_sec && st.st_mtim.tv_nsec < when.tv_nsec)) {
			when = st.st_mtim;
			snprintf(oldest, sizeof(oldest), "%s", de->d_name);
		}
	}
	if (n > CACHE_MAX_ENTRIES)
		(void) unlinkat(dirfd, oldest, 0);
}

/* Best effort: a cache that cannot be written only costs the next compile. */
static void cache_put(int dirfd, const char *name, const char *key, const struct seccomp_program *p)
{
	size_t klen = strlen(key), plen = p->n_insns * sizeof(struct sock_filter);
	struct cache_header h = {.key_len = (uint32_t) klen, .n_insns = (uint32_t) p->n_insns};
	_cleanup_free_ char *data = malloc(sizeof(h) + klen + plen);

	if (!data)
		return;
	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(data, &h, sizeof(h));
	memcpy(data + sizeof(h), key, klen);
	memcpy(data + sizeof(h) + klen, p->insns, plen);
	if (write_file_atomic_at(dirfd, name, data, sizeof(h) + klen + plen, 0600, false) == 0)
		cache_trim(dirfd);
}

int seccomp_prepare(const struct spec_seccomp *sc, int cache_dirfd, struct seccomp_program *ret,
		    struct berr **err)
{
	_cleanup_free_ char *key = NULL;
	struct seccomp_program p = {0};
	char name[32];
	int r;

	if (!sc->set || cache_dirfd < 0)
		return seccomp_compile_bounded(sc, ret, err);
	key = seccomp_cache_key(sc);
	if (!key)
		return berr_set(err, ENOMEM, "out of memory");
	snprintf(name, sizeof(name), "%016llx.bpf", (unsigned long long) fnv1a(key, strlen(key)));
	r = cache_get(cache_dirfd, name, key, &p);
	if (r == -ENOMEM)
		return berr_set(err, ENOMEM, "out of memory");
	if (r < 0) {
		r = seccomp_compile_bounded(sc, &p, err);
		if (r < 0)
			return r;
		cache_put(cache_dirfd, name, key, &p);
	}
	/* The flags are derived from sc each time: cheap, and not part of the BPF. */
	seccomp_program_set_flags(sc, &p);
	*ret = p;
	return 0;
}
