/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events --stats`: the container's usage as the "data" object of runc's stats event
 * (runc's types/events.go), from the v1 files or the cgroup2 ones. A controller the host
 * lacks leaves its object empty, as runc does.
 */
#include "runtime/cgroup/cgroup_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"

#define NSEC_PER_USEC 1000ULL

static uint64_t get_u64_or0(const struct cgroup_target *t, const char *file)
{
	uint64_t v = 0;

	(void) cgroup_get_u64(t, file, &v);
	return v;
}

static uint64_t keyed_or0(const struct cgroup_target *t, const char *file, const char *key)
{
	uint64_t v = 0;

	(void) cgroup_get_keyed(t, file, key, &v);
	return v;
}

/* A file of space-separated numbers (cpuacct.usage_percpu) as a JSON array. */
static struct jwriter *number_array(const struct cgroup_target *t, const char *file)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_strv_ char **words = NULL;
	struct jwriter *a = jw_array();

	if (cgroup_get(t, file, &text) < 0 || !(words = strv_split(text, " \n")))
		return a;
	STRV_FOREACH (w, words)
		jw_uint(a, NULL, strtoull(*w, NULL, 10));
	return a;
}

/* Every "key value" line of a file as an object of numbers (memory.stat). */
static struct jwriter *keyed_object(const struct cgroup_target *t, const char *file)
{
	_cleanup_free_ char *text = NULL;
	struct jwriter *o = jw_object();
	char *save = NULL;

	if (cgroup_get(t, file, &text) < 0)
		return o;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		jw_uint(o, l, strtoull(sp + 1, NULL, 10));
	}
	return o;
}

static void cpu_v1(struct cgroup_manager *m, struct jwriter *usage, struct jwriter *thr)
{
	struct cgroup_target t;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick_ns = hz > 0 ? 1000000000ULL / (uint64_t) hz : 10000000ULL;

	if (cgroup_target_open(m, CG_CPUACCT, false, &t, NULL) >= 0) {
		jw_uint(usage, "total", get_u64_or0(&t, "cpuacct.usage"));
		jw_put(usage, "percpu", number_array(&t, "cpuacct.usage_percpu"));
		jw_put(usage, "percpu_kernel", number_array(&t, "cpuacct.usage_percpu_sys"));
		jw_put(usage, "percpu_user", number_array(&t, "cpuacct.usage_percpu_user"));
		jw_uint(usage, "kernel", keyed_or0(&t, "cpuacct.stat", "system") * tick_ns);
		jw_uint(usage, "user", keyed_or0(&t, "cpuacct.stat", "user") * tick_ns);
		cgroup_target_done(&t);
	}
	if (cgroup_target_open(m, CG_CPU, false, &t, NULL) >= 0) {
		jw_uint(thr, "periods", keyed_or0(&t, "cpu.stat", "nr_periods"));
		jw_uint(thr, "throttledPeriods", keyed_or0(&t, "cpu.stat", "nr_throttled"));
		jw_uint(thr, "throttledTime", keyed_or0(&t, "cpu.stat", "throttled_time"));
		cgroup_target_done(&t);
	}
}

static void cpu_v2(const struct cgroup_target *t, struct jwriter *usage, struct jwriter *thr)
{
	jw_uint(usage, "total", keyed_or0(t, "cpu.stat", "usage_usec") * NSEC_PER_USEC);
	jw_uint(usage, "kernel", keyed_or0(t, "cpu.stat", "system_usec") * NSEC_PER_USEC);
	jw_uint(usage, "user", keyed_or0(t, "cpu.stat", "user_usec") * NSEC_PER_USEC);
	jw_uint(thr, "periods", keyed_or0(t, "cpu.stat", "nr_periods"));
	jw_uint(thr, "throttledPeriods", keyed_or0(t, "cpu.stat", "nr_throttled"));
	jw_uint(thr, "throttledTime", keyed_or0(t, "cpu.stat", "throttled_usec") * NSEC_PER_USEC);
}

static struct jwriter *cpu_stats(struct cgroup_manager *m)
{
	struct jwriter *cpu = jw_object(), *usage = jw_object(), *thr = jw_object();
	struct cgroup_target t;

	if (cgroup_target_open(m, CG_CPUACCT, false, &t, NULL) >= 0) {
		if (t.v2)
			cpu_v2(&t, usage, thr);
		else
			cpu_v1(m, usage, thr);
		cgroup_target_done(&t);
	}
	jw_put(cpu, "usage", usage);
	jw_put(cpu, "throttling", thr);
	return cpu;
}

/* One of runc's MemoryEntry objects from a v1 file prefix ("memory.memsw"). */
static struct jwriter *mem_entry_v1(const struct cgroup_target *t, const char *prefix)
{
	struct jwriter *e = jw_object();
	char file[64];
	static const struct {
		const char *key, *suffix;
	} fields[] = {{"limit", "limit_in_bytes"},
		      {"usage", "usage_in_bytes"},
		      {"max", "max_usage_in_bytes"},
		      {"failcnt", "failcnt"}};

	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		snprintf(file, sizeof(file), "%s.%s", prefix, fields[i].suffix);
		jw_uint(e, fields[i].key, get_u64_or0(t, file));
	}
	return e;
}

static void memory_v1(const struct cgroup_target *t, struct jwriter *mem)
{
	jw_uint(mem, "cache", keyed_or0(t, "memory.stat", "cache"));
	jw_put(mem, "usage", mem_entry_v1(t, "memory"));
	jw_put(mem, "swap", mem_entry_v1(t, "memory.memsw"));
	jw_put(mem, "kernel", mem_entry_v1(t, "memory.kmem"));
	jw_put(mem, "kernelTCP", mem_entry_v1(t, "memory.kmem.tcp"));
}

/* v2 reports swap as memory + swap, the v1 way (runc). */
static void memory_v2(const struct cgroup_target *t, struct jwriter *mem)
{
	struct jwriter *usage = jw_object(), *swap = jw_object();
	uint64_t cur = get_u64_or0(t, "memory.current");
	uint64_t limit = get_u64_or0(t, "memory.max");
	uint64_t swap_limit = get_u64_or0(t, "memory.swap.max");

	if (!cgroup_has_file(t, "memory.max"))
		limit = UINT64_MAX;
	jw_uint(mem, "cache", keyed_or0(t, "memory.stat", "file"));
	jw_uint(usage, "limit", limit);
	jw_uint(usage, "usage", cur);
	jw_uint(usage, "max", get_u64_or0(t, "memory.peak"));
	jw_uint(usage, "failcnt", keyed_or0(t, "memory.events", "max"));
	jw_uint(swap, "limit",
		swap_limit == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX : swap_limit + limit);
	jw_uint(swap, "usage", get_u64_or0(t, "memory.swap.current") + cur);
	jw_uint(swap, "failcnt", keyed_or0(t, "memory.swap.events", "max"));
	jw_put(mem, "usage", usage);
	jw_put(mem, "swap", swap);
}

static struct jwriter *memory_stats(struct cgroup_manager *m)
{
	struct jwriter *mem = jw_object();
	struct cgroup_target t;

	if (cgroup_target_open(m, CG_MEMORY, false, &t, NULL) < 0)
		return mem;
	if (t.v2)
		memory_v2(&t, mem);
	else
		memory_v1(&t, mem);
	jw_put(mem, "raw", keyed_object(&t, "memory.stat"));
	cgroup_target_done(&t);
	return mem;
}

static struct jwriter *pids_stats(struct cgroup_manager *m)
{
	struct jwriter *p = jw_object();
	struct cgroup_target t;
	uint64_t max;

	if (cgroup_target_open(m, CG_PIDS, false, &t, NULL) < 0)
		return p;
	max = get_u64_or0(&t, "pids.max");
	jw_uint(p, "current", get_u64_or0(&t, "pids.current"));
	jw_uint(p, "limit", max == UINT64_MAX ? 0 : max); /* 0: no limit (runc) */
	cgroup_target_done(&t);
	return p;
}

static void blkio_entry(struct jwriter *list, const char *dev, const char *op, uint64_t value)
{
	struct jwriter *e = jw_object();
	unsigned long major = 0, minor = 0;

	(void) sscanf(dev, "%lu:%lu", &major, &minor);
	jw_uint(e, "major", major);
	jw_uint(e, "minor", minor);
	jw_str(e, "op", op);
	jw_uint(e, "value", value);
	jw_put(list, NULL, e);
}

/* "254:0 Read 4096" lines; the first of the files that has any (CFQ, BFQ, throttle). */
static struct jwriter *blkio_v1_list(const struct cgroup_target *t, const char *what)
{
	static const char *const kinds[] = {"", "bfq.", "throttle."};
	struct jwriter *list = jw_array();

	for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
		_cleanup_free_ char *text = NULL;
		char file[96], *save = NULL, dev[32], op[16];
		unsigned long long v;
		bool any = false;

		snprintf(file, sizeof(file), "blkio.%s%s_recursive", kinds[k], what);
		if (cgroup_get(t, file, &text) < 0)
			continue;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (sscanf(l, "%31s %15s %llu", dev, op, &v) == 3) {
				blkio_entry(list, dev, op, v);
				any = true;
			}
		if (any)
			break;
	}
	return list;
}

/* io.stat: "254:0 rbytes=1 wbytes=2 rios=3 wios=4 ...". */
static void blkio_v2(const struct cgroup_target *t, struct jwriter *bytes, struct jwriter *ios)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL;

	if (cgroup_get(t, "io.stat", &text) < 0)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
		char dev[32];

		if (sscanf(l, "%31s rbytes=%llu wbytes=%llu rios=%llu wios=%llu", dev, &rb, &wb,
			   &ri, &wi) != 5)
			continue;
		blkio_entry(bytes, dev, "Read", rb);
		blkio_entry(bytes, dev, "Write", wb);
		blkio_entry(ios, dev, "Read", ri);
		blkio_entry(ios, dev, "Write", wi);
	}
}

static struct jwriter *blkio_stats(struct cgroup_manager *m)
{
	struct jwriter *b = jw_object(), *bytes, *ios;
	struct cgroup_target t;

	if (cgroup_target_open(m, CG_BLKIO, false, &t, NULL) < 0)
		return b;
	if (t.v2) {
		bytes = jw_array();
		ios = jw_array();
		blkio_v2(&t, bytes, ios);
	} else {
		bytes = blkio_v1_list(&t, "io_service_bytes");
		ios = blkio_v1_list(&t, "io_serviced");
	}
	jw_put(b, "ioServiceBytesRecursive", bytes);
	jw_put(b, "ioServicedRecursive", ios);
	cgroup_target_done(&t);
	return b;
}

/* "hugepages-2048kB" -> "2MB", as the hugetlb files name sizes. */
static bool page_size_name(const char *dirent, char *buf, size_t size)
{
	static const char *const units[] = {"KB", "MB", "GB", "TB"};
	unsigned long long kb;
	size_t u = 0;

	if (sscanf(dirent, "hugepages-%llukB", &kb) != 1 || kb == 0)
		return false;
	while (kb % 1024 == 0 && u + 1 < ELEMENTSOF(units)) {
		kb /= 1024;
		u++;
	}
	snprintf(buf, size, "%llu%s", kb, units[u]);
	return true;
}

static struct jwriter *hugetlb_stats(struct cgroup_manager *m)
{
	struct jwriter *h = jw_object();
	_cleanup_closedir_ DIR *d = NULL;
	struct cgroup_target t;
	struct dirent *de;

	if (cgroup_target_open(m, CG_HUGETLB, false, &t, NULL) < 0)
		return h;
	d = opendir("/sys/kernel/mm/hugepages");
	while (d && (de = readdir(d))) {
		struct jwriter *e;
		char size[32], file[96];

		if (!page_size_name(de->d_name, size, sizeof(size)))
			continue;
		e = jw_object();
		snprintf(file, sizeof(file), "hugetlb.%s.%s", size,
			 t.v2 ? "current" : "usage_in_bytes");
		jw_uint(e, "usage", get_u64_or0(&t, file));
		if (!t.v2) {
			snprintf(file, sizeof(file), "hugetlb.%s.max_usage_in_bytes", size);
			jw_uint(e, "max", get_u64_or0(&t, file));
		}
		snprintf(file, sizeof(file), "hugetlb.%s.%s", size, t.v2 ? "events" : "failcnt");
		jw_uint(e, "failcnt", t.v2 ? keyed_or0(&t, file, "max") : get_u64_or0(&t, file));
		jw_put(h, size, e);
	}
	cgroup_target_done(&t);
	return h;
}

int cgroup_stats(struct cgroup_manager *m, struct jwriter **ret, struct berr **err)
{
	struct jwriter *data = jw_object();

	if (!data)
		return berr_set(err, ENOMEM, "out of memory");
	jw_put(data, "cpu", cpu_stats(m));
	jw_put(data, "memory", memory_stats(m));
	jw_put(data, "pids", pids_stats(m));
	jw_put(data, "blkio", blkio_stats(m));
	jw_put(data, "hugetlb", hugetlb_stats(m));
	jw_put(data, "intel_rdt", jw_object());
	*ret = data;
	return 0;
}
