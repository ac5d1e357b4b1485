/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lifecycle/exec_fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "runtime/lifecycle/state.h"

/* The largest message the init sends back (sync.h's SYNC_MAX_PAYLOAD). */
#define FIFO_MSG_MAX 4096

/* Block until the fifo has no reader left: the init executed the process or exited. */
static int wait_no_reader(int fd)
{
	struct pollfd p = {.fd = fd, .events = 0};
	int r;

	do
		r = poll(&p, 1, -1);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* What the init left in the fifo: nothing (it executed), "0" (it died first), or an error. */
static int read_outcome(int dirfd, const char *id, struct berr **err)
{
	_cleanup_close_ int rd = openat(dirfd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char msg[FIFO_MSG_MAX + 1];
	ssize_t n;

	if (rd < 0)
		return berr_sys(err, errno, "cannot start container '%s': reopening %s", id,
				STATE_FIFO);
	do
		n = read(rd, msg, FIFO_MSG_MAX);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0)
		return berr_sys(err, errno, "cannot start container '%s'", id);
	msg[n] = '\0';
	if (n == 0 || strcmp(msg, "0") == 0)
		return berr_set(err, ESRCH, "cannot start container '%s': its init exited", id);
	/* The byte we wrote was consumed first: what follows is the init's message. */
	return berr_set(err, ECANCELED, "cannot start container '%s': %s", id, msg);
}

int exec_fifo_start(int dirfd, const char *id, struct berr **err)
{
	_cleanup_close_ int fifo = -1;
	int r;

	fifo = openat(dirfd, STATE_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return berr_sys(err, errno == ENXIO ? ESRCH : errno,
				"cannot start container '%s': its init is not waiting", id);
	if (write(fifo, "0", 1) != 1)
		return berr_sys(err, errno, "cannot start container '%s'", id);
	r = wait_no_reader(fifo);
	if (r < 0)
		r = berr_sys(err, -r, "cannot start container '%s': waiting for it", id);
	else
		r = read_outcome(dirfd, id, err);
	(void) unlinkat(dirfd, STATE_FIFO, 0);
	return r;
}
