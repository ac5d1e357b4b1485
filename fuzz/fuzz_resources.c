/* SPDX-License-Identifier: Apache-2.0 */
/* The LinuxResources document of `update -r FILE`. */
#include <stddef.h>
#include <stdint.h>

#include "runtime/config/oci_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_resources r;
	struct berr *err = NULL;

	if (oci_resources_parse((const char *) data, size, "resources.json", &r, &err) < 0)
		berr_free(err);
	else
		spec_resources_done(&r);
	return 0;
}
