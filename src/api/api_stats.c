/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /containers/{id}/stats: docker's stats JSON from the samples `berth stats` takes
 * (container_stats_read: the runtime's cgroup numbers), the host's CPU time beside them
 * (system_cpu_usage, which clients divide by), and the container's interfaces from
 * /proc/PID/net/dev. stream=false: one document, with a previous sample a second before
 * (none with one-shot=true); else one document a second (api_stream.h) while the
 * container runs and the client stays.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api_internal.h"
#include "api/api_stream.h"
#include "engine/container_ops.h"
#include "engine/container_stats.h"
#include "lib/cleanup.h"
#include "lib/timefmt.h"

#define STATS_INTERVAL_MS 1000
#define STATS_MAX_NETS 8

struct net_dev {
	char name[32];
	uint64_t rx[4], tx[4]; /* bytes, packets, errors, dropped */
};

struct sample {
	bool ok;
	int64_t read_ns;
	uint64_t host_cpu_ns;
	struct container_stats st;
	struct net_dev nets[STATS_MAX_NETS];
	size_t n_nets;
};

struct stats_job {
	char *id, *name;
	bool stream, one_shot;
};

static void stats_job_free(void *data)
{
	struct stats_job *j = data;

	if (!j)
		return;
	free(j->id);
	free(j->name);
	free(j);
}

/* The interfaces of pid's network namespace but lo; none when it is the host's. */
static void read_nets(pid_t pid, struct sample *s)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[512];
	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/net", &mine) < 0 ||
	    theirs.st_ino == mine.st_ino)
		return;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int) pid);
	if (!(f = fopen(path, "re")))
		return;
	while (s->n_nets < STATS_MAX_NETS && fgets(line, sizeof(line), f)) {
		struct net_dev *d = &s->nets[s->n_nets];
		unsigned long long v[16];
		char *colon = strchr(line, ':');

		if (!colon ||
		    sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
			   &v[10], &v[11]) != 12)
			continue;
		*colon = '\0';
		snprintf(d->name, sizeof(d->name), "%s", line + strspn(line, " "));
		if (strcmp(d->name, "lo") == 0)
			continue;
		for (int i = 0; i < 4; i++) {
			d->rx[i] = v[i];
			d->tx[i] = v[8 + i];
		}
		s->n_nets++;
	}
}

/* A sample of the container id, if it runs. */
static void take(struct engine *e, const char *id, struct sample *s)
{
	_cleanup_container_ struct container *c = NULL;

	*s = (struct sample){0};
	if (container_open(e, id, false, &c, NULL) < 0 || c->st.status != STATUS_RUNNING)
		return;
	s->ok = container_stats_read(e, c, &s->st, NULL) >= 0 &&
		container_stats_host_cpu_ns(&s->host_cpu_ns) >= 0;
	s->read_ns = now_ns();
	read_nets(c->st.pid, s);
}

static struct jwriter *cpu_stats(const struct sample *s)
{
	struct jwriter *o = jw_object(), *use = jw_object(), *thr = jw_object();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	jw_uint(use, "total_usage", s->st.cpu_ns);
	jw_uint(use, "usage_in_kernelmode", 0);
	jw_uint(use, "usage_in_usermode", 0);
	jw_put(o, "cpu_usage", use);
	if (s->ok) {
		jw_uint(o, "system_cpu_usage", s->host_cpu_ns);
		jw_int(o, "online_cpus", cpus > 0 ? cpus : 1);
	}
	jw_uint(thr, "periods", 0);
	jw_uint(thr, "throttled_periods", 0);
	jw_uint(thr, "throttled_time", 0);
	jw_put(o, "throttling_data", thr);
	return o;
}

static struct jwriter *blkio_entry(const char *op, uint64_t value)
{
	struct jwriter *o = jw_object();

	jw_uint(o, "major", 0);
	jw_uint(o, "minor", 0);
	jw_str(o, "op", op);
	jw_uint(o, "value", value);
	return o;
}

static struct jwriter *blkio_stats(const struct sample *s)
{
	struct jwriter *o = jw_object(), *io = jw_array();
	static const char *const others[] = {
		"io_serviced_recursive",  "io_queue_recursive",	 "io_service_time_recursive",
		"io_wait_time_recursive", "io_merged_recursive", "io_time_recursive",
		"sectors_recursive",
	};

	jw_put(io, NULL, blkio_entry("Read", s->st.blk_read));
	jw_put(io, NULL, blkio_entry("Write", s->st.blk_write));
	jw_put(o, "io_service_bytes_recursive", io);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		jw_null(o, others[i]);
	return o;
}

static struct jwriter *networks(const struct sample *s)
{
	static const char *const keys[2][4] = {
		{"rx_bytes", "rx_packets", "rx_errors", "rx_dropped"},
		{"tx_bytes", "tx_packets", "tx_errors", "tx_dropped"},
	};
	struct jwriter *o = jw_object();

	for (size_t i = 0; i < s->n_nets; i++) {
		struct jwriter *n = jw_object();

		for (int k = 0; k < 4; k++) {
			jw_uint(n, keys[0][k], s->nets[i].rx[k]);
			jw_uint(n, keys[1][k], s->nets[i].tx[k]);
		}
		jw_put(o, s->nets[i].name, n);
	}
	return o;
}

/* docker's time.Time zero value where there is no sample */
static void put_time(struct jwriter *o, const char *key, const struct sample *s)
{
	char buf[64];

	jw_str(o, key, s->ok ? rfc3339_ns(s->read_ns, buf, sizeof(buf)) : "0001-01-01T00:00:00Z");
}

/* One stats document (docker's types.StatsJSON) of cur, with prev as its pre* fields. */
static char *stats_doc(const struct stats_job *j, const struct sample *cur,
		       const struct sample *prev)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	struct jwriter *pids = jw_object(), *mem = jw_object();
	_cleanup_free_ char *name = NULL;

	put_time(o, "read", cur);
	put_time(o, "preread", prev);
	jw_uint(pids, "current", cur->st.pids);
	jw_put(o, "pids_stats", pids);
	jw_put(o, "blkio_stats", blkio_stats(cur));
	jw_uint(o, "num_procs", 0);
	jw_put(o, "storage_stats", jw_object());
	jw_put(o, "cpu_stats", cpu_stats(cur));
	jw_put(o, "precpu_stats", cpu_stats(prev));
	jw_uint(mem, "usage", cur->st.mem_usage);
	jw_put(mem, "stats", jw_object());
	jw_uint(mem, "limit", cur->st.mem_limit);
	jw_put(o, "memory_stats", mem);
	if (asprintf(&name, "/%s", j->name) < 0)
		return NULL;
	jw_str(o, "name", name);
	jw_str(o, "id", j->id);
	if (cur->n_nets)
		jw_put(o, "networks", networks(cur));
	return jw_to_string(o, false);
}

/* Wait for the next sample; false when the client went away meanwhile. */
static bool wait_tick(const struct api_stream *st)
{
	struct pollfd p = {.fd = st->client, .events = POLLRDHUP};
	int n = poll(&p, 1, STATS_INTERVAL_MS);

	return !(n > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)));
}

static int stream_stats(struct api_stream *st)
{
	struct stats_job *j = st->data;
	struct sample a = {0}, b;
	int r = 0;

	do {
		_cleanup_free_ char *doc = NULL;

		take(st->ctx.engine, j->id, &b);
		if (!(doc = stats_doc(j, &b, &a)))
			return -ENOMEM;
		if ((r = api_stream_write(st, doc, strlen(doc))) < 0 ||
		    (r = api_stream_write(st, "\n", 1)) < 0)
			return r;
		a = b;
	} while (b.ok && wait_tick(st));
	return 0;
}

static int reply_one(struct api_req *r, const struct stats_job *j)
{
	const struct timespec gap = {.tv_sec = STATS_INTERVAL_MS / 1000};
	_cleanup_free_ char *doc = NULL, *line = NULL;
	struct sample a = {0}, b;

	take(r->ctx->engine, j->id, &b);
	if (b.ok && !j->one_shot) {
		a = b;
		(void) nanosleep(&gap, NULL);
		take(r->ctx->engine, j->id, &b);
	}
	if (!(doc = stats_doc(j, &b, &a)) || asprintf(&line, "%s\n", doc) < 0)
		return -ENOMEM;
	return api_reply_raw(r, 200, "application/json", line, strlen(line));
}

int api_container_stats(struct api_req *r)
{
	_cleanup_container_ struct container *c = NULL;
	struct stats_job *j;
	int ret;

	if (api_container_open(r, false, &c) < 0)
		return 0;
	container_unlock(c);
	if (!(j = calloc(1, sizeof(*j))))
		return -ENOMEM;
	/* docker's default is a stream; stream=0 one document */
	j->stream = !api_query(r, "stream") || api_query_bool(r, "stream");
	j->one_shot = api_query_bool(r, "one-shot");
	j->id = strdup(c->cfg->id);
	j->name = strdup(c->cfg->name);
	if (!j->id || !j->name) {
		stats_job_free(j);
		return -ENOMEM;
	}
	if (j->one_shot && j->stream) {
		stats_job_free(j);
		return api_reply_error(r, 400, "cannot have stream=true and one-shot=true");
	}
	if (j->stream)
		return api_stream_reply(r, "application/json", stream_stats, j, stats_job_free);
	ret = reply_one(r, j);
	stats_job_free(j);
	return ret;
}
