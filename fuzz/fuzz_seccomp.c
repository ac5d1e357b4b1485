/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp of config.json (config-linux.md "Seccomp"): the section's parse and
 * validation, then its compilation to BPF (libseccomp, in memory: nothing is loaded)
 * and the cache key, as `create` does before the init loads the filter.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libseccomp 2.5.4 leaks tree nodes inside db_col_rule_add() on some rule sets (two rules
 * of one syscall, one comparing an argument with NE and another with EQ: see
 * fuzz/regressions/fuzz_seccomp/libseccomp-leak-db-rule-add). Debian's static libseccomp
 * has no frame pointers, so the leak's stack ends at libseccomp's allocator, zmalloc, and
 * only that frame can name it: every leak of memory libseccomp allocated is suppressed
 * here. Leaks of berth's own allocations are still reported, and a context berth forgot
 * to release is caught by the unit tests (ASan lane, no suppression). The runtime compiles
 * in a short-lived child (seccomp_bounded.c), so the leak cannot accumulate.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:zmalloc\n";
}

/*
 * libseccomp's rule tree can take minutes for some small sections with many rules and
 * argument comparisons (a 4 KB input kept it busy past the lane's time: runc, crun and
 * berth all call libseccomp alike). The parse is fuzzed whole; the compile only up to this
 * size, so that each input stays fast.
 */
static bool small_enough(const struct spec_seccomp *sc)
{
	size_t cmps = 0;

	if (sc->n_architectures > 4 || sc->n_syscalls > 64)
		return false;
	for (size_t i = 0; i < sc->n_syscalls; i++)
		cmps += sc->syscalls[i].n_args;
	return cmps <= 32;
}

/*
 * KNOWN HANG in libseccomp (fuzz/README.md): 2.5.4 loops forever on two rules of one
 * syscall with argument comparisons on different indexes
 * (fuzz/known-hangs/fuzz_seccomp/two-socket-rules.json). The runtime bounds its compile in
 * a child (seccomp_bounded.c); this target compiles in process, so it skips such sections.
 */
static bool repeats_a_syscall_with_args(const struct spec_seccomp *sc)
{
	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (size_t j = i + 1; j < sc->n_syscalls; j++) {
			if (!sc->syscalls[i].n_args || !sc->syscalls[j].n_args)
				continue;
			for (char **a = sc->syscalls[i].names; a && *a; a++)
				for (char **b = sc->syscalls[j].names; b && *b; b++)
					if (strcmp(*a, *b) == 0)
						return true;
		}
	return false;
}

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
		if (!small_enough(&sc) || repeats_a_syscall_with_args(&sc)) {
			/* parsed only */
		} else if (seccomp_compile(&sc, &p, &err) < 0) {
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
