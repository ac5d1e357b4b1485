/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dockerfiles (`berth build`, `berth commit -c`): parsed, then each instruction's
 * arguments through the lexer with variables, and the config instructions applied.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "build/dockerfile.h"
#include "build/instruction.h"
#include "build/run_config.h"
#include "lib/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *vars[] = {"A=1", "B=", "C=x y", NULL};
	struct run_config rc = {0};
	struct dockerfile *d = NULL;
	struct berr *err = NULL;

	if (dockerfile_parse((const char *) data, size, &d, &err) == 0) {
		for (size_t i = 0; i < d->n; i++) {
			char **w = NULL, *one = NULL;

			if (lex_words(d->v[i].rest, d->escape, vars, true, &w, NULL) == 0)
				strv_free(w);
			if (lex_word(d->v[i].rest, d->escape, vars, &one, NULL) == 0)
				free(one);
			(void) instruction_apply(&d->v[i], d->escape, vars, &rc, NULL);
		}
		dockerfile_free(d);
	}
	run_config_done(&rc);
	berr_clear(&err);
	return 0;
}
