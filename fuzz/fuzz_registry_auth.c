/* SPDX-License-Identifier: Apache-2.0 */
/* What a registry or a user hands berth as text: WWW-Authenticate challenges, token
 * answers, image references. The input is split at its first NUL byte. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "image/registry_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *tok = NULL;
	struct auth_challenge c = {0};
	struct image_ref r = {0};
	struct berr *err = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (auth_challenge_parse(s, &c, &err) == 0)
		auth_challenge_done(&c);
	berr_clear(&err);
	if (auth_token_parse((const char *) data, size, &tok, &err) == 0)
		free(tok);
	berr_clear(&err);
	if (image_ref_parse(s, false, &r, &err) == 0) {
		free(image_ref_string(&r));
		image_ref_done(&r);
	}
	berr_clear(&err);
	free(s);
	return 0;
}
