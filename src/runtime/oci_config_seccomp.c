/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: linux.seccomp. */
#include "runtime/oci_config.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lib/strv.h"

int oci_parse_seccomp(const struct jnode *n, struct spec_seccomp *sc, struct berr **err)
{
	if (!jnode_present(n))
		return 0;
	if (!jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object");
	/* The typed fields are read by the seccomp work; until then, only recognised. */
	sc->set = true;
	return 0;
}

void spec_seccomp_done(struct spec_seccomp *sc)
{
	strv_free(sc->architectures);
	strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		strv_free(sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
}
