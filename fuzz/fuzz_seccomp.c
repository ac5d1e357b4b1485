/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp of config.json (config-linux.md "Seccomp"): the section's parse and
 * validation, then its compilation to BPF (libseccomp, in memory: nothing is loaded)
 * and the cache key, as `create` does before the init loads the filter.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/oci_config.h"
#include "runtime/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_seccomp sc;
	struct seccomp_program p;
	struct jdoc *doc = NULL;
	struct berr *err = NULL;
	struct jnode root;

	if (jdoc_parse((const char *) data, size, "seccomp.json", &doc, &err) < 0) {
		berr_free(err);
		return 0;
	}
	jdoc_root(doc, &root);
	memset(&sc, 0, sizeof(sc));
	if (oci_parse_seccomp(&root, &sc, &err) < 0) {
		berr_free(err);
		err = NULL;
	} else {
		free(seccomp_cache_key(&sc));
		if (seccomp_compile(&sc, &p, &err) < 0) {
			berr_free(err);
			err = NULL;
		} else {
			seccomp_program_done(&p);
		}
	}
	spec_seccomp_done(&sc);
	jdoc_free(doc);
	return 0;
}
