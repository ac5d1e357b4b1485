/* SPDX-License-Identifier: Apache-2.0 */
/* Image configs (and docker-archive / OCI layout entries go through the same parser). */
#include <stddef.h>
#include <stdint.h>

#include "image/image_config.h"
#include "lib/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_config *c = NULL;
	struct berr *err = NULL;
	int64_t t;

	if (image_config_parse((const char *) data, size, &c, &err) == 0) {
		(void) rfc3339_parse_ns(c->created, &t);
		image_config_free(c);
	}
	berr_clear(&err);
	return 0;
}
