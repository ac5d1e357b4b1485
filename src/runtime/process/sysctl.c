/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

static const char *const ipc_keys[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool is_ipc_key(const char *k)
{
	for (size_t i = 0; i < ELEMENTSOF(ipc_keys); i++)
		if (strcmp(k, ipc_keys[i]) == 0)
			return true;
	return strncmp(k, "fs.mqueue.", 10) == 0;
}

/* "net.ipv4.ip_forward" or "net/ipv4/ip_forward": components non-empty, not "." or "..". */
static bool key_well_formed(const char *k)
{
	char sep = strchr(k, '/') ? '/' : '.';
	const char *p = k;

	if (!*k || strlen(k) > 256)
		return false;
	for (;;) {
		size_t len = strcspn(p, sep == '/' ? "/" : ".");

		if (len == 0 || (sep == '/' && ((len == 1 && p[0] == '.') ||
						(len == 2 && p[0] == '.' && p[1] == '.'))))
			return false;
		if (memchr(p, '\n', len))
			return false;
		p += len;
		if (!*p)
			return true;
		p++;
	}
}

/* The key as its dot form's first component, for the rules: "net", "kernel", "fs". */
static bool has_prefix(const char *k, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(k, prefix, n) == 0 && (k[n] == '.' || k[n] == '/');
}

/* k names the same sysctl as dotted ("kernel.hostname"), in either separator form. */
static bool same_key(const char *k, const char *dotted)
{
	for (; *k && *dotted; k++, dotted++)
		if (*k != *dotted && !(*k == '/' && *dotted == '.'))
			return false;
	return *k == *dotted;
}

static int check_key(const struct spec *s, const char *k, struct berr **err)
{
	const struct spec_namespace *ns = s->linux.ns;

	if (!key_well_formed(k))
		return berr_set(err, EINVAL, "linux.sysctl[\"%s\"]: not a valid sysctl name", k);
	if (is_ipc_key(k))
		return ns[NS_IPC].enabled ? 0
					  : berr_set(err, EPERM,
						     "linux.sysctl[\"%s\"]: needs an ipc namespace "
						     "(it would change the host's)",
						     k);
	if (has_prefix(k, "net"))
		return ns[NS_NET].enabled
			       ? 0
			       : berr_set(err, EPERM,
					  "linux.sysctl[\"%s\"]: needs a network namespace "
					  "(it would change the host's)",
					  k);
	if (same_key(k, "kernel.domainname") || same_key(k, "kernel.hostname")) {
		bool host = same_key(k, "kernel.hostname");
		const char *field = host ? s->hostname : s->domainname;

		if (!ns[NS_UTS].enabled)
			return berr_set(
				err, EPERM,
				"linux.sysctl[\"%s\"]: needs a uts namespace (it would change "
				"the host's)",
				k);
		/* Two values for one thing: refused, as runc and crun do; hostname is the
		 * config's own field, so its sysctl is refused even when the field is unset. */
		if (host)
			return berr_set(err, EINVAL,
					"linux.sysctl[\"%s\"]: not allowed, it conflicts with the "
					"config's hostname field",
					k);
		if (field && *field)
			return berr_set(err, EINVAL,
					"linux.sysctl[\"%s\"]: conflicts with the config's %s", k,
					host ? "hostname" : "domainname");
		return 0;
	}
	return berr_set(
		err, EPERM,
		"linux.sysctl[\"%s\"]: not in a namespace of the container: it would change "
		"the host",
		k);
}

int sysctl_validate(const struct spec *s, struct berr **err)
{
	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		const struct kv *kv = &s->linux.sysctl[i];
		int r = check_key(s, kv->key, err);

		if (r < 0)
			return r;
		if (strchr(kv->value, '\n'))
			return berr_set(err, EINVAL,
					"linux.sysctl[\"%s\"]: the value has a newline", kv->key);
	}
	return 0;
}

int sysctl_check_host_netns(const struct spec *s, struct berr **err)
{
	const char *path = s->linux.ns[NS_NET].path;
	struct stat ours, theirs;
	bool net = false;

	for (size_t i = 0; i < s->linux.n_sysctl; i++)
		net |= has_prefix(s->linux.sysctl[i].key, "net");
	if (!net || !path)
		return 0;
	if (stat("/proc/self/ns/net", &ours) < 0 || stat(path, &theirs) < 0)
		return 0; /* joining will report a bad path */
	if (ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
		return berr_set(
			err, EPERM,
			"linux.sysctl: net.* keys with linux.namespaces' network path '%s', "
			"the runtime's own network namespace: they would change the host's",
			path);
	return 0;
}

/* /proc/sys/<key>: dots become slashes unless the key is written with slashes already. */
static int open_key(int sysfd, const char *key)
{
	_cleanup_free_ char *rel = strdup(key);
	struct open_how how = {
		.flags = O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!rel)
		return -ENOMEM;
	if (!strchr(rel, '/'))
		for (char *c = rel; *c; c++)
			if (*c == '.')
				*c = '/';
	fd = (int) syscall(SYS_openat2, sysfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(sysfd, rel, how.flags | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int sysctl_apply(const struct spec *s, struct berr **err)
{
	_cleanup_close_ int sysfd = -1;

	if (!s->linux.n_sysctl)
		return 0;
	sysfd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sysfd < 0)
		return berr_sys(err, errno, "linux.sysctl: opening /proc/sys");
	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		const struct kv *kv = &s->linux.sysctl[i];
		_cleanup_close_ int fd = open_key(sysfd, kv->key);

		if (fd < 0)
			return berr_sys(err, -fd, "linux.sysctl[\"%s\"]", kv->key);
		if (write_all(fd, kv->value, strlen(kv->value)) < 0)
			return berr_sys(err, errno, "linux.sysctl[\"%s\"]: writing '%s'", kv->key,
					kv->value);
	}
	return 0;
}
