/* SPDX-License-Identifier: Apache-2.0 */
/* process.json of `exec --process`. */
#include <stddef.h>
#include <stdint.h>

#include "runtime/config/oci_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_process *p = NULL;
	struct berr *err = NULL;

	if (oci_process_parse((const char *) data, size, &p, &err) < 0)
		berr_free(err);
	spec_process_free(p);
	return 0;
}
