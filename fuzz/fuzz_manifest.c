/* SPDX-License-Identifier: Apache-2.0 */
/* Registry answers: manifest kind detection, image manifests, indexes and platform choice. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *) data;
	struct manifest *m = NULL;
	struct image_index *x = NULL;
	struct platform p = {.os = (char *) "linux", .architecture = (char *) "amd64"};
	enum manifest_kind kind;
	struct berr *err = NULL;

	if (manifest_detect(buf, size, "application/json", &kind, &err) < 0)
		berr_clear(&err);
	if (manifest_parse(buf, size, &m, &err) == 0) {
		free(manifest_to_json(m));
		manifest_free(m);
	}
	berr_clear(&err);
	if (image_index_parse(buf, size, &x, &err) == 0) {
		(void) image_index_select(x, &p, &err);
		image_index_free(x);
	}
	berr_clear(&err);
	return 0;
}
