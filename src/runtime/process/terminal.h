/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.terminal: the container's pseudo-terminal, as runc makes it. The container's
 * process (init or exec) opens the container's own /dev/ptmx, makes the pty's slave its
 * stdio and controlling terminal, and sends the master over a unix socket with
 * SCM_RIGHTS: to the caller's --console-socket, or to berth-runtime itself, which then
 * proxies the master to its own stdio (foreground `run` and `exec`).
 */
#ifndef BERTH_RUNTIME_TERMINAL_H
#define BERTH_RUNTIME_TERMINAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "lib/err.h"

struct spec_process;

/*
 * Connect to the --console-socket at path (a listening SOCK_STREAM unix socket). On
 * success *ret_fd is the connected socket (CLOEXEC), owned by the caller.
 */
int terminal_connect(const char *path, int *ret_fd, struct berr **err);

/* A connected socket pair for a foreground runtime that receives the master itself. */
int terminal_socketpair(int *ret_ours, int *ret_theirs, struct berr **err);

/* Send fd with SCM_RIGHTS; the message's data is name, as runc sends it ("/dev/ptmx"). */
int terminal_send_fd(int sock, int fd, const char *name);

/* Receive one fd sent with SCM_RIGHTS. On success *ret_fd is CLOEXEC, owned by the caller. */
int terminal_recv_fd(int sock, int *ret_fd, struct berr **err);

/*
 * Before pivot_root, in the rootfs open at rootfd: make sure /dev/console exists as a
 * mount target (an empty file) for the pty's slave. *ret_fd is an O_PATH fd of it.
 */
int terminal_console_target(int rootfd, int *ret_fd, struct berr **err);

/*
 * In the container, after pivot_root, as a session leader: open /dev/ptmx, apply
 * consoleSize, bind the slave over console_target (-1: none, as for exec), send the
 * master over sock, and make the slave fds 0, 1 and 2 and the controlling terminal.
 * proxied: berth-runtime proxies the pty to its own terminal; the pty takes that
 * terminal's size and loses ONLCR here, before the process can write to it.
 */
int terminal_setup(int sock, const struct spec_process *p, int console_target, bool proxied,
		   struct berr **err);

/*
 * The foreground runtime's side: copy its stdin to the master and the master to its
 * stdout, with the host terminal (the first of stdin, stdout, stderr that is one) in raw
 * mode and its size copied to the pty, as runc does.
 */
struct terminal_proxy {
	int master; /* non-blocking */
	int host_tty;
	bool stdin_open;
	bool master_open;
	bool raw;
	struct termios saved;
	char in_buf[4096]; /* stdin -> master */
	size_t in_len, in_off;
	char out_buf[4096]; /* master -> stdout */
	size_t out_len, out_off;
};

#define TERMINAL_PROXY_NFDS 3

/* Take master (owned by the proxy from now on) and set the host terminal up. */
int terminal_proxy_start(struct terminal_proxy *t, int master, struct berr **err);

/* The poll entries for the proxy's next step in pfd[0..TERMINAL_PROXY_NFDS). */
void terminal_proxy_fill(const struct terminal_proxy *t, struct pollfd *pfd);

/* Move what poll said is ready. */
void terminal_proxy_step(struct terminal_proxy *t, const struct pollfd *pfd);

/* Copy the host terminal's size to the pty (SIGWINCH). */
void terminal_proxy_resize(const struct terminal_proxy *t);

/* The process exited: write out what is left in the pty, restore the host terminal. */
void terminal_proxy_finish(struct terminal_proxy *t);

#endif
