/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 has no devices files: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 * container's cgroup decides each mknod and open of a device node, as runc and crun do.
 * berth writes the instructions itself (no libbpf, no compiler).
 *
 * The rules keep the v1 semantics the spec describes: applied in order, so for each kind
 * of access (mknod, read, write) the last rule that matches the device and names that
 * access decides; a request is allowed when every access it asks for is; no rule means
 * deny.
 */
#ifndef BERTH_RUNTIME_CGROUP_DEVICES_BPF_H
#define BERTH_RUNTIME_CGROUP_DEVICES_BPF_H

#include <stddef.h>

#include "lib/err.h"
#include "runtime/config/oci_config.h"

struct bpf_insn;

/*
 * Compile rules (in order, as applied) into a program. On success *ret is a malloc'd
 * array of *ret_n instructions. Pure: tests run it through an interpreter.
 */
int cgroup_bpf_devices_program(const struct spec_device_rule *rules, size_t n,
			       struct bpf_insn **ret, size_t *ret_n);

/*
 * Load prog and attach it to the cgroup directory cgroup_fd, then detach the device
 * programs attached there before, so that there is never a moment without a filter.
 */
int cgroup_bpf_devices_attach(int cgroup_fd, const struct bpf_insn *prog, size_t n,
			      struct berr **err);

#endif
