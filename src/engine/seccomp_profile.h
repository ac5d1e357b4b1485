/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Docker's seccomp profiles (the default one, data/seccomp_default.json built into the
 * binary, and --security-opt seccomp=FILE) turned into the OCI config's linux.seccomp
 * for one container: an entry applies when the container has the capabilities its
 * "includes" names and none its "excludes" names, on the listed architectures, from
 * the listed kernel version.
 */
#ifndef BERTH_ENGINE_SECCOMP_PROFILE_H
#define BERTH_ENGINE_SECCOMP_PROFILE_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/json.h"

/* The default profile's text (NUL-terminated). */
const char *seccomp_default_profile(void);

struct seccomp_target {
	char *const *caps; /* the container's capabilities ("CAP_SYS_ADMIN", ...) */
	const char *arch;  /* Go's name of the machine: "amd64", "arm64", ... */
	int kernel_major, kernel_minor;
};

/* The machine's target: uname's architecture and release (caps left NULL). */
void seccomp_target_host(struct seccomp_target *ret);

/*
 * Convert the docker-format profile text into an OCI linux.seccomp object (*ret, owned
 * by the caller). Errors name the profile's JSON path.
 */
int seccomp_profile_convert(const char *text, size_t len, const struct seccomp_target *t,
			    struct jwriter **ret, struct berr **err);

#endif
