/* SPDX-License-Identifier: Apache-2.0 */
/* What the container commands of berth share (src/cli/berth_*container*.c, attach.c). */
#ifndef BERTH_CLI_BERTH_CONTAINER_H
#define BERTH_CLI_BERTH_CONTAINER_H

#include "cli/berth_cmds.h"
#include "engine/container_prune.h"
#include "engine/container_store.h"
#include "lib/err.h"

/* Start c (locked) with its monitor; attach_fd is the monitor's end or -1. */
int berth_start_container(struct berth_ctx *ctx, struct container *c, int attach_fd, bool from_run,
			  struct berr **err);

/* An operation on one opened container (locked). */
typedef int (*container_op)(struct berth_ctx *ctx, struct container *c, void *arg,
			    struct berr **err);

/*
 * Run op on each container named in pos (opened with container_open_any when any), side
 * by side as docker does, printing each name given (when print) or its error, in the
 * order given. Returns the exit code: 1 when any failed.
 */
int berth_each_container(struct berth_ctx *ctx, char **pos, container_op op, void *arg, bool print,
			 bool any);

/* The caller's terminal size (0, 0 without one). */
void berth_terminal_size(int *rows, int *cols);

/*
 * Every container with a true state (a dead monitor is noticed here), unsorted: *ret is a
 * malloc'd array of *ret_n containers (unlocked) the caller frees with container_free.
 */
int berth_containers_load(struct engine *e, struct container ***ret, size_t *ret_n);

/* Whether c passes every ps --filter entry ("name=x", "status=running", "id=", "label=K[=V]"). */
bool berth_ps_filter_match(const struct container *c, char *const *filters);

int berth_cmd_run(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_create(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_start(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_ps(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_logs(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_inspect(struct berth_ctx *ctx, int argc, char **argv);
/* `container inspect`: --type container unless given */
int berth_cmd_container_inspect(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_ns(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_top(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_exec(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_attach(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_diff(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_prune(struct berth_ctx *ctx, int argc, char **argv);

/*
 * container_prune() (engine/container_prune.h) printing docker's "Deleted Containers:" list
 * and the errors; *bytes grows by their writable layers' size. 0, or 1 when one could not go.
 */
int berth_prune_containers(struct berth_ctx *ctx, const struct prune_filter *f, uint64_t *bytes);

int berth_cmd_stats(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_cp(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_export(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_rename(struct berth_ctx *ctx, int argc, char **argv);
int berth_cmd_update(struct berth_ctx *ctx, int argc, char **argv);

/* --ingress-rate, --egress-rate and their bursts (run, create, update), into struct
 * container_flags f. */
#define BANDWIDTH_OPTS(f)                                                                          \
	{"ingress-rate",    0,	    OPT_STRING,                                                    \
	 &(f).ingress_rate, "RATE", "limit what it receives, bits/s (20m; 0: none)"},              \
		{"egress-rate",	   0,	   OPT_STRING,                                             \
		 &(f).egress_rate, "RATE", "limit what it sends, bits/s (20m; 0: none)"},          \
		{"ingress-burst", 0,                                                               \
		 OPT_STRING,	  &(f).ingress_burst,                                              \
		 "BYTES",	  "token bucket of --ingress-rate (64k; 0: 10 ms, at least 32k)"}, \
	{                                                                                          \
		"egress-burst", 0, OPT_STRING, &(f).egress_burst, "BYTES",                         \
			"token bucket of --egress-rate (64k; 0: 10 ms, at least 32k)"              \
	}

#endif
