/* SPDX-License-Identifier: Apache-2.0 */
/* state.json, and the state JSON written back from what was read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_state *st = NULL;
	struct berr *err = NULL;

	if (state_parse((const char *) data, size, &st, &err) < 0) {
		berr_free(err);
		return 0;
	}
	free(state_to_json(st, STATUS_STOPPED, true));
	state_free(st);
	return 0;
}
