/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the whole parse and validation, as `create` runs it on a bundle. */
#include <stddef.h>
#include <stdint.h>

#include "runtime/config/oci_config.h"
#include "runtime/config/support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec *s = NULL;
	struct berr *err = NULL;

	if (oci_config_parse((const char *) data, size, &s, &err) < 0) {
		berr_free(err);
		return 0;
	}
	(void) support_check(s, true, false, NULL, &err);
	berr_free(err);
	spec_free(s);
	return 0;
}
