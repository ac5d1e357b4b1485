/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/container_stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "engine/container_runtime.h"
#include "engine/runtime_client.h"

#include "lib/cleanup.h"
#include "lib/json.h"

static uint64_t get_u64(const struct jnode *obj, const char *path)
{
	char buf[128], *save = NULL;
	struct jnode cur = *obj, next;
	uint64_t v = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		jnode_member(&cur, k, &next);
		cur = next;
	}
	if (jnode_present(&cur))
		(void) jnode_uint64(&cur, &v, NULL);
	return v;
}

static void blkio(const struct jnode *data, struct container_stats *s)
{
	struct jnode arr;

	jnode_member(data, "blkio", &arr);
	jnode_member(&arr, "ioServiceBytesRecursive", &arr);
	for (size_t i = 0; i < jnode_array_len(&arr); i++) {
		_cleanup_free_ char *op = NULL;
		struct jnode e;
		uint64_t v = 0;

		jnode_array_at(&arr, i, &e);
		if (jnode_get_string(&e, "op", &op, NULL) <= 0 ||
		    jnode_get_uint64(&e, "value", &v, NULL) <= 0)
			continue;
		if (strcasecmp(op, "read") == 0)
			s->blk_read += v;
		else if (strcasecmp(op, "write") == 0)
			s->blk_write += v;
	}
}

int container_stats_parse(const char *json, struct container_stats *ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct container_stats s = {0};
	struct jnode root, data;
	struct sysinfo si;
	uint64_t inactive;
	int r;

	if ((r = jdoc_parse(json, strlen(json), "stats", &doc, err)) < 0)
		return r;
	jdoc_root(doc, &root);
	jnode_member(&root, "data", &data);
	if (!jnode_is_object(&data))
		return berr_set(err, EINVAL, "the runtime's stats have no data");
	s.cpu_ns = get_u64(&data, "cpu.usage.total");
	s.mem_usage = get_u64(&data, "memory.usage.usage");
	inactive = get_u64(&data, "memory.raw.total_inactive_file");
	if (!inactive)
		inactive = get_u64(&data, "memory.raw.inactive_file");
	s.mem_usage = inactive < s.mem_usage ? s.mem_usage - inactive : s.mem_usage;
	s.mem_limit = get_u64(&data, "memory.usage.limit");
	if (sysinfo(&si) == 0) {
		uint64_t total = (uint64_t) si.totalram * si.mem_unit;

		if (!s.mem_limit || s.mem_limit > total)
			s.mem_limit = total;
	}
	s.pids = get_u64(&data, "pids.current");
	blkio(&data, &s);
	*ret = s;
	return 0;
}

int container_stats_read(struct engine *e, const struct container *c, struct container_stats *ret,
			 struct berr **err)
{
	_cleanup_free_ char *json = NULL;
	struct container_rt rt;
	int r;

	if (container_rt_init(e, c, &rt) < 0)
		return berr_set(err, ENOMEM, "out of memory");
	r = runtime_stats(&rt.rt, c->cfg->id, &json, err);
	container_rt_done(&rt);
	if (r < 0)
		return r;
	return container_stats_parse(json, ret, err);
}

int container_stats_host_cpu_ns(uint64_t *ret)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/stat", "re");
	unsigned long long v[8] = {0};
	long tick = sysconf(_SC_CLK_TCK);
	uint64_t sum = 0;

	if (!f)
		return -errno;
	/* user nice system idle iowait irq softirq steal, in clock ticks (dockerd's sum) */
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 4)
		return -EIO;
	for (size_t i = 0; i < 8; i++)
		sum += v[i];
	*ret = sum * (1000000000ULL / (uint64_t) (tick > 0 ? tick : 100));
	return 0;
}
