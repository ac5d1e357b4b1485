/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The files of one `berth exec` in the container's directory: exec-<random>.json (the
 * process.json) and the runtime's <that>.pid and <that>.log. The json appears under its
 * name already flock'd by the exec that made it, and stays locked while that exec lives:
 * a json nobody locks belongs to an exec that was killed, and the next exec removes it
 * with its .pid and .log.
 */
#ifndef BERTH_ENGINE_EXEC_FILES_H
#define BERTH_ENGINE_EXEC_FILES_H

#include "lib/err.h"

/*
 * Write text as a new exec-*.json in dir (open at dirfd), locked: *ret_path its path,
 * *ret_lock the fd holding the lock (close it when the exec is over).
 */
int exec_file_create(int dirfd, const char *dir, const char *text, char **ret_path, int *ret_lock,
		     struct berr **err);

/* Remove the files of killed execs in dirfd; how many execs' files went. */
int exec_files_sweep(int dirfd);

#endif
