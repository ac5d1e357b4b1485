/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/userns_detect.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

bool uid_map_is_initial(const char *text)
{
	unsigned long inside, outside, count;
	char rest[2];

	/* one line only: a second one (or anything after) is a nested namespace's */
	if (sscanf(text, " %lu %lu %lu %1s", &inside, &outside, &count, rest) != 3)
		return false;
	return inside == 0 && outside == 0 && count == 4294967295UL;
}

bool in_nested_userns(void)
{
	static int cached = -1;
	char buf[256];
	ssize_t n;
	int fd;

	if (cached >= 0)
		return cached;
	fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	cached = !uid_map_is_initial(buf);
	return cached;
}
