/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure conversions and parsers for cgroup values: the v1 -> v2 conversions runc and crun
 * use, the formats of the spec's strings (cpu lists, huge page sizes), and the units of
 * runc's `update` and `events` flags. No I/O: unit-tested in test_cgroup_convert.c.
 */
#ifndef BERTH_RUNTIME_CGROUP_CONVERT_H
#define BERTH_RUNTIME_CGROUP_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * cpu.shares [2, 262144] -> cpu.weight [1, 10000], the log-quadratic mapping of runc >= 1.3.2
 * and crun >= 1.23 (1024, the v1 default, gives 100, the v2 default). 0 stays 0 (unset).
 */
uint64_t cgroup_shares_to_weight(uint64_t shares);

/* blkio weight [10, 1000] -> io.weight [1, 10000] (runc, crun). 0 stays 0 (unset). */
uint64_t cgroup_blkio_weight_to_io(uint64_t weight);

/*
 * memory.swap of the spec (memory + swap, v1 semantics) -> memory.swap.max (swap only).
 * limit_set/limit is memory.limit. *ret is -1 for "max". -EINVAL when the pair makes no
 * sense (swap below the limit, swap without a limit).
 */
int cgroup_swap_to_v2(int64_t swap, bool limit_set, int64_t limit, int64_t *ret);

/* "max" for a negative value, else the decimal number. buf has at least 24 bytes. */
const char *cgroup_fmt_limit(int64_t v, char *buf, size_t size);

/* A cpu or memory-node list: "0-3,7", "1", "" (empty: inherit). */
bool cgroup_id_list_valid(const char *s);

/* A huge page size as the spec and the kernel write it: "64KB", "2MB", "1GB" -> bytes. */
int cgroup_page_size_parse(const char *s, uint64_t *ret);

/*
 * A byte count as runc's update flags take it (docker's RAMInBytes): "1024", "512k",
 * "64m", "1.5g", "2GiB", case-insensitive, base 1024; "-1" is unlimited.
 */
int cgroup_parse_bytes(const char *s, int64_t *ret);

/* A Go duration as runc's --interval takes it: "5s", "100ms", "1m30s", "1.5s". */
int cgroup_parse_duration(const char *s, uint64_t *ret_ns);

#endif
