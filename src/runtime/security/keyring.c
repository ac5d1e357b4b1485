/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/security/keyring.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"

#define KEY_OTH_SEARCH 0x00000008u
#define KEY_USR_SEARCH 0x00080000u

static long keyctl(int op, unsigned long a2, unsigned long a3, unsigned long a4)
{
	return syscall(SYS_keyctl, op, a2, a3, a4, 0UL);
}

/* The permission mask of key, from KEYCTL_DESCRIBE's "type;uid;gid;perm;description". */
static int key_perm(long key, unsigned *ret)
{
	char buf[256];
	const char *p = buf;
	long n = keyctl(KEYCTL_DESCRIBE, (unsigned long) key, (unsigned long) buf, sizeof(buf));

	if (n < 0)
		return -errno;
	buf[sizeof(buf) - 1] = '\0';
	for (int field = 0; field < 3; field++) {
		p = strchr(p, ';');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (sscanf(p, "%x", ret) != 1)
		return -EINVAL;
	return 0;
}

int keyring_join_session(const char *id, bool make_searchable, bool in_userns, struct berr **err)
{
	_cleanup_free_ char *name = NULL;
	unsigned perm;
	long key;
	int r;

	if (asprintf(&name, "_ses.%s", id) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	key = keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long) name, 0, 0);
	if (key < 0 && errno == ENOSYS)
		return 0; /* no keyrings in this kernel: nothing to isolate */
	if (key < 0)
		return berr_sys(err, errno, "joining the session keyring '%s'", name);
	if (!make_searchable)
		return 0;
	r = key_perm(key, &perm);
	if (r < 0)
		return berr_sys(err, -r, "reading the permissions of keyring '%s'", name);
	perm |= in_userns ? KEY_OTH_SEARCH : KEY_USR_SEARCH;
	if (keyctl(KEYCTL_SETPERM, (unsigned long) key, perm, 0) < 0)
		return berr_sys(err, errno, "setting the permissions of keyring '%s'", name);
	return 0;
}
