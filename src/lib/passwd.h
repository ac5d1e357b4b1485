/* SPDX-License-Identifier: Apache-2.0 */
/*
 * passwd(5) files read without NSS: the static runtime must not load NSS modules (a
 * getpwuid of an unknown uid crashed in libnss_systemd), and a container's /etc/passwd is
 * the image's to plant: it is read only when it is a regular file (a FIFO would hang the
 * reader, a device node must not even be opened).
 */
#ifndef BERTH_LIB_PASSWD_H
#define BERTH_LIB_PASSWD_H

#include <sys/types.h>

enum passwd_field {
	PASSWD_NAME = 0,
	PASSWD_HOME = 5,
};

/*
 * Read etc/passwd under rootfd (resolved as if rootfd were "/": symlinks stay inside),
 * at most 4 MiB, into *ret (malloc'd, NUL-terminated). -EINVAL when it is not a regular
 * file; other -errno as open and read give them.
 */
int passwd_read_in_root(int rootfd, char **ret);

/* field of uid's line in text, malloc'd; NULL when no line has uid or the field is empty. */
char *passwd_field(const char *text, uid_t uid, enum passwd_field field);

/* The name of uid in the host's /etc/passwd, or "#<uid>" (as runc) when it has none. */
char *passwd_host_name(uid_t uid);

#endif
