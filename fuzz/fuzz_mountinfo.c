/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo as cgroup_layout reads it (text the kernel writes, but mount
 * points are chosen by users: spaces, escapes, odd options). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cgroup_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_layout *l = NULL;
	struct berr *err = NULL;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cgroup_layout_parse(text, &l, &err) < 0)
		berr_free(err);
	cgroup_layout_free(l);
	free(text);
	return 0;
}
