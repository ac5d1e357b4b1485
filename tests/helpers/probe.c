/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth-probe: shows, from inside a container, what busybox cannot (STYLE.md §9: static
 * helpers only for that). Linked statically so that it runs in any rootfs.
 *
 *   berth-probe mempolicy   "mode=<MPOL_* number> nodes=<hex mask>" of the calling process
 *   berth-probe syscall NR  makes syscall NR with zero arguments: "errno=<N>" (0: it succeeded)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int mempolicy(void)
{
	unsigned long mask[16] = {0};
	int mode = -1;

	if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, NULL, 0) < 0) {
		perror("get_mempolicy");
		return 1;
	}
	printf("mode=%d nodes=%lx\n", mode, mask[0]);
	return 0;
}

static int raw_syscall(const char *nr)
{
	long r = syscall(strtol(nr, NULL, 10), 0, 0, 0, 0, 0, 0);

	printf("errno=%d\n", r < 0 ? errno : 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "mempolicy") == 0)
		return mempolicy();
	if (argc == 3 && strcmp(argv[1], "syscall") == 0)
		return raw_syscall(argv[2]);
	fprintf(stderr, "usage: berth-probe mempolicy | syscall NR\n");
	return 2;
}
