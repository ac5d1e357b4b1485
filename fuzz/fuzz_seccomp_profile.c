/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Docker-format seccomp profiles (`berth create --security-opt seccomp=FILE`, and the
 * embedded default): the conversion to the OCI config's linux.seccomp for a target
 * chosen by the input's first byte (architecture, kernel version, capabilities), then
 * what the runtime does with the section: serialised, parsed back as JSON (it must
 * parse: berth wrote it) and through the runtime's linux.seccomp parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/seccomp_profile.h"
#include "lib/json.h"
#include "runtime/config/oci_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const no_caps[] = {NULL};
static char *const some_caps[] = {"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NET_ADMIN", NULL};
static char *const all_caps[] = {
	"CAP_SYS_ADMIN",  "CAP_SYS_BOOT",  "CAP_SYS_CHROOT", "CAP_SYS_MODULE",	   "CAP_SYS_PACCT",
	"CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_TIME",   "CAP_SYS_TTY_CONFIG", "CAP_SYS_NICE",
	"CAP_SYSLOG",	  "CAP_BPF",	   "CAP_PERFMON",    "CAP_NET_ADMIN",	   NULL};
static const char *const arches[] = {"amd64",	"arm64", "s390x", "ppc64le",
				     "riscv64", "x86",	 "arm",	  "mips64"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_target t = {0};
	struct jwriter *out = NULL;
	struct berr *err = NULL;
	struct jdoc *doc = NULL;
	struct spec_seccomp sc;
	struct jnode root;
	char *text;

	if (size < 1)
		return 0;
	/* byte 0: bits 0-2 the architecture, 3-4 the capabilities, 5-7 the kernel */
	t.arch = arches[data[0] & 7];
	t.caps = (data[0] >> 3 & 3) == 0   ? NULL
		 : (data[0] >> 3 & 3) == 1 ? no_caps
		 : (data[0] >> 3 & 3) == 2 ? some_caps
					   : all_caps;
	t.kernel_major = 3 + (data[0] >> 5);
	t.kernel_minor = data[0] & 0x1f;
	data++, size--;

	if (seccomp_profile_convert((const char *) data, size, &t, &out, &err) < 0) {
		berr_free(err);
		return 0;
	}
	text = jw_to_string(out, false);
	jw_free(out);
	if (!text)
		return 0;
	if (jdoc_parse(text, strlen(text), "linux.seccomp", &doc, &err) < 0)
		abort(); /* berth's own JSON writer wrote something its parser refuses */
	jdoc_root(doc, &root);
	memset(&sc, 0, sizeof(sc));
	if (oci_parse_seccomp(&root, &sc, &err) < 0) {
		berr_free(err);
		err = NULL;
	}
	spec_seccomp_done(&sc);
	jdoc_free(doc);
	free(text);
	return 0;
}
