/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json as typed C structures (runtime-spec 1.3: config.md, config-linux.md).
 *
 * oci_config_parse() reads and validates the whole document before anything touches
 * the kernel (STYLE.md §3 "plan, then act"). Every field of the spec is recognised;
 * unknown members are ignored as config.md requires. Integers keep the spec's exact
 * widths (the types are in spec.h).
 */
#ifndef BERTH_RUNTIME_OCI_CONFIG_H
#define BERTH_RUNTIME_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/config/spec.h"

struct jnode;

/*
 * Parse and validate config.json text. On success *ret is a spec the caller frees with
 * spec_free(). Errors name the JSON path: "process.args[0]: must be a string".
 */
int oci_config_parse(const char *text, size_t len, struct spec **ret, struct berr **err);

/* Read and parse <bundle_dirfd>/config.json; *ret_text (optional) gets the raw text. */
int oci_config_load(int bundle_dirfd, struct spec **ret, char **ret_text, size_t *ret_len,
		    struct berr **err);

/*
 * Parse a LinuxResources document on its own (`update -r FILE`); name ("resources.json")
 * prefixes errors. On success the caller owns *ret's contents (spec_resources_done).
 */
int oci_resources_parse(const char *text, size_t len, const char *name, struct spec_resources *ret,
			struct berr **err);
void spec_resources_done(struct spec_resources *r);

/*
 * 0 means "not set" in the fields where runc skips it: memory limit, reservation, swap,
 * kernel and kernelTCP; cpu shares, quota, period, realtimeRuntime and realtimePeriod;
 * blockIO weight and leafWeight (also per device); network classID. Docker sends
 * cpu.shares and blockIO.weight 0 in every container it does not limit, and the kernel
 * would take 0 as a weight of 2 (cpu.shares) or refuse it. pids.limit 0 stays a limit
 * (config-linux.md). The parser calls it; `update`'s flags too.
 */
void spec_resources_unset_zeros(struct spec_resources *r);

struct spec *spec_free(struct spec *s);
static inline void spec_freep(struct spec **s)
{
	*s = spec_free(*s);
}
#define _cleanup_spec_ __attribute__((cleanup(spec_freep)))

/* The process object alone (exec --process FILE); same rules as config.json's process. */
int oci_process_parse(const char *text, size_t len, struct spec_process **ret, struct berr **err);
struct spec_process *spec_process_free(struct spec_process *p);

const char *hook_kind_name(enum hook_kind k);

/* The i-th name linux.memoryPolicy takes as its mode (or in flags); NULL past the last. */
const char *oci_memory_policy_mode_name(size_t i);
const char *oci_memory_policy_flag_name(size_t i);

/* Internal to the oci_config*.c files. */
int oci_parse_process(const struct jnode *n, struct spec_process **ret, struct berr **err);
void spec_process_done(struct spec_process *p);
int oci_parse_linux(const struct jnode *n, struct spec *s, struct berr **err);
void spec_linux_done(struct spec_linux *l);
int oci_parse_resources(const struct jnode *n, struct spec_resources *r, struct berr **err);
int oci_parse_resources_devices(const struct jnode *res, struct spec_resources *r,
				struct berr **err);
int oci_parse_resources_blkio(const struct jnode *res, struct spec_resources *r, struct berr **err);
int oci_parse_seccomp(const struct jnode *n, struct spec_seccomp *sc, struct berr **err);
void spec_seccomp_done(struct spec_seccomp *sc);
int oci_parse_id_mappings(const struct jnode *n, struct id_mappings *ret, struct berr **err);
int oci_parse_kv_map(const struct jnode *n, struct kv **ret, size_t *ret_n, struct berr **err);
void kv_free_array(struct kv *v, size_t n);
int spec_warn(struct spec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
