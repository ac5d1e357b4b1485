/* SPDX-License-Identifier: Apache-2.0 */
/* The console socket protocol (SCM_RIGHTS, as runc sends it) and the proxy's pty setup. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/test.h"
#include "runtime/process/terminal.h"

static void test_send_recv_fd(void)
{
	_cleanup_close_ int a = -1, b = -1, got = -1, pipe_r = -1, pipe_w = -1;
	struct berr *err = NULL;
	int p[2];
	char buf[8] = {0};

	ASSERT_OK(terminal_socketpair(&a, &b, &err));
	ASSERT_OK(pipe2(p, O_CLOEXEC));
	pipe_r = p[0];
	pipe_w = p[1];
	ASSERT_OK(terminal_send_fd(b, pipe_w, "/dev/ptmx"));
	ASSERT_OK(terminal_recv_fd(a, &got, &err));
	ASSERT_TRUE(fcntl(got, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(write(got, "hey", 3), 3);
	ASSERT_EQ(read(pipe_r, buf, sizeof(buf)), 3);
	ASSERT_STREQ(buf, "hey");
}

static void test_recv_without_fd(void)
{
	_cleanup_close_ int a = -1, b = -1, got = -1;
	struct berr *err = NULL;

	ASSERT_OK(terminal_socketpair(&a, &b, &err));
	ASSERT_EQ(write(b, "x", 1), 1);
	ASSERT_EQ(terminal_recv_fd(a, &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err->msg, "no fd");
	berr_clear(&err);
	close(b);
	b = -1;
	ASSERT_EQ(terminal_recv_fd(a, &got, &err), -EBADMSG);
	ASSERT_CONTAINS(err->msg, "closed");
	berr_clear(&err);
}

static void test_connect_errors(void)
{
	struct berr *err = NULL;
	char longpath[200];
	int fd = -1;

	ASSERT_EQ(terminal_connect("/nonexistent/berth.sock", &fd, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "--console-socket");
	berr_clear(&err);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ASSERT_EQ(terminal_connect(longpath, &fd, &err), -ENAMETOOLONG);
	berr_clear(&err);
	ASSERT_EQ(terminal_connect("", &fd, &err), -EINVAL);
	berr_clear(&err);
}

/* The proxy takes the master and clears ONLCR on the pty (the host terminal translates). */
static void test_proxy_start_clears_onlcr(void)
{
	struct terminal_proxy t;
	struct termios tio;
	struct berr *err = NULL;
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (master < 0)
		TEST_SKIP("no /dev/ptmx here: %s", strerror(errno));
	ASSERT_OK(grantpt(master));
	ASSERT_OK(unlockpt(master));
	ASSERT_OK(terminal_proxy_start(&t, master, &err));
	ASSERT_OK(tcgetattr(master, &tio));
	ASSERT_FALSE(tio.c_oflag & ONLCR);
	ASSERT_TRUE(fcntl(master, F_GETFL) & O_NONBLOCK);
	terminal_proxy_finish(&t);
	ASSERT_EQ(t.master, -1);
}

static const struct test tests[] = {
	TEST(test_send_recv_fd),
	TEST(test_recv_without_fd),
	TEST(test_connect_errors),
	TEST(test_proxy_start_clears_onlcr),
	{NULL, NULL},
};

int main(void)
{
	return test_main(tests);
}
