/* SPDX-License-Identifier: Apache-2.0 */
/* berth create, run and start: docker's flags, then the engine's create and start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/attach.h"
#include "cli/berth_cmds.h"
#include "cli/berth_container.h"
#include "engine/container_create.h"
#include "engine/container_opts.h"
#include "engine/host_check.h"
#include "engine/container_ops.h"
#include "engine/container_start.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/crashpoint.h"
#include "lib/log.h"
#include "lib/strv.h"

#define RUN_USAGE "[options] IMAGE [COMMAND] [ARG...]"

/* The flags of create and run, into f. */
#define FLAG_TABLE(f)                                                                                \
	{"name", 0, OPT_STRING, &(f).name, "NAME", "assign a name to the container"},                \
		{"detach",    'd',  OPT_BOOL,                                                        \
		 &(f).detach, NULL, "run in the background and print the container ID"},             \
		{"rm", 0, OPT_BOOL, &(f).rm, NULL, "remove the container when it exits"},            \
		{"interactive", 'i', OPT_BOOL, &(f).interactive, NULL, "keep STDIN open"},           \
		{"tty", 't', OPT_BOOL, &(f).tty, NULL, "allocate a pseudo-TTY"},                     \
		{"env", 'e', OPT_LIST, &(f).env, "K=V", "set an environment variable"},              \
		{"env-file", 0, OPT_LIST, &(f).env_file, "FILE", "read environment variables"},      \
		{"workdir", 'w', OPT_STRING, &(f).workdir, "DIR", "working directory"},              \
		{"user", 'u', OPT_STRING, &(f).user, "USER[:GROUP]", "user (name or uid)"},          \
		{"entrypoint", 0, OPT_STRING, &(f).entrypoint, "CMD", "override ENTRYPOINT"},        \
		{"hostname", 'h', OPT_STRING, &(f).hostname, "NAME", "container host name"},         \
		{"domainname", 0, OPT_STRING, &(f).domainname, "NAME", "NIS domain name"},           \
		{"volume",	   'v',                                                              \
		 OPT_LIST,	   &(f).volumes,                                                     \
		 "SRC:DST[:OPTS]", "bind mount a host path or a named volume"},                      \
		{"mount", 0, OPT_LIST, &(f).mounts, "type=...", "attach a filesystem mount"},        \
		{"tmpfs", 0, OPT_LIST, &(f).tmpfs, "DST[:OPTS]", "mount a tmpfs"},                   \
		{"volumes-from", 0,                                                                  \
		 OPT_LIST,	 &(f).volumes_from,                                                  \
		 "C[:ro|:rw]",	 "mount container C's volumes and binds"},                           \
		{"read-only", 0, OPT_BOOL, &(f).read_only, NULL, "read-only root filesystem"},       \
		{"cap-add", 0, OPT_LIST, &(f).cap_add, "CAP", "add a capability"},                   \
		{"cap-drop", 0, OPT_LIST, &(f).cap_drop, "CAP", "drop a capability"},                \
		{"privileged", 0, OPT_BOOL, &(f).privileged, NULL, "give extended privileges"},      \
		{"security-opt", 0, OPT_LIST, &(f).security_opt, "OPT", "security options"},         \
		{"memory", 'm', OPT_STRING, &(f).memory, "BYTES", "memory limit"},                   \
		{"memory-swap",	   0,	    OPT_STRING,                                              \
		 &(f).memory_swap, "BYTES", "memory plus swap limit (-1: unlimited)"},               \
		{"memory-reservation",	  0,	   OPT_STRING,                                       \
		 &(f).memory_reservation, "BYTES", "memory soft limit"},                             \
		{"cpus", 0, OPT_STRING, &(f).cpus, "N", "number of CPUs"},                           \
		{"cpu-shares", 'c', OPT_STRING, &(f).cpu_shares, "N", "CPU shares"},                 \
		{"cpu-period", 0, OPT_STRING, &(f).cpu_period, "US", "CFS period"},                  \
		{"cpu-quota", 0, OPT_STRING, &(f).cpu_quota, "US", "CFS quota"},                     \
		{"cpuset-cpus", 0, OPT_STRING, &(f).cpuset_cpus, "LIST", "CPUs allowed"},            \
		{"cpuset-mems", 0, OPT_STRING, &(f).cpuset_mems, "LIST", "memory nodes allowed"},    \
		{"pids-limit", 0, OPT_STRING, &(f).pids_limit, "N", "pids limit (-1: unlimited)"},   \
		{"blkio-weight", 0, OPT_STRING, &(f).blkio_weight, "N", "block IO weight"},          \
		{"device-read-bps", 0, OPT_LIST, &(f).read_bps, "PATH:RATE", "read rate limit"},     \
		{"device-write-bps", 0, OPT_LIST, &(f).write_bps, "PATH:RATE", "write rate limit"},  \
		{"device", 0, OPT_LIST, &(f).devices, "HOST[:CTR[:PERMS]]", "add a host device"},    \
		{"ulimit", 0, OPT_LIST, &(f).ulimits, "NAME=SOFT[:HARD]", "ulimit options"},         \
		{"sysctl", 0, OPT_LIST, &(f).sysctls, "K=V", "sysctl options"},                      \
		{"shm-size", 0, OPT_STRING, &(f).shm_size, "BYTES", "size of /dev/shm"},             \
		{"init", 0, OPT_BOOL, &(f).init, NULL, "run an init inside the container"},          \
		{"restart",    0,	 OPT_STRING,                                                 \
		 &(f).restart, "POLICY", "no, on-failure[:N], always, unless-stopped"},              \
		{"userns",    0,      OPT_STRING,                                                    \
		 &(f).userns, "MODE", "user namespace (host, auto[:size=N])"},                       \
		{"uidmap",	  0,                                                                 \
		 OPT_LIST,	  &(f).uidmap,                                                       \
		 "CTR:HOST:SIZE", "map uids in a user namespace"},                                   \
		{"gidmap",	  0,                                                                 \
		 OPT_LIST,	  &(f).gidmap,                                                       \
		 "CTR:HOST:SIZE", "map gids in a user namespace"},                                   \
		{"network",                                                                          \
		 0,                                                                                  \
		 OPT_STRING,                                                                         \
		 &(f).network,                                                                       \
		 "MODE",                                                                             \
		 "bridge (default), none, host, container:NAME or a network from 'berth network "    \
		 "create'"},                                                                         \
		{"ip", 0, OPT_STRING, &(f).ip, "ADDRESS", "IPv4 address on a user-defined network"}, \
		{"mac-address",	   0,	  OPT_STRING,                                                \
		 &(f).mac_address, "MAC", "eth0's MAC address (e.g. 92:d0:c6:0a:29:33)"},            \
		{"publish",                                                                          \
		 'p',                                                                                \
		 OPT_LIST,                                                                           \
		 &(f).publish,                                                                       \
		 "[IP:][HOSTPORT:]PORT[/PROTO]",                                                     \
		 "publish a container's port (ranges: 8000-8001:80-81)"},                            \
		{"publish-all",	   'P',	 OPT_BOOL,                                                   \
		 &(f).publish_all, NULL, "publish every exposed port on a random host port"},        \
		{"expose", 0, OPT_LIST, &(f).expose, "PORT[-PORT][/PROTO]", "expose a port"},        \
		{"net", 0, OPT_STRING, &(f).network, NULL, NULL}, {"network-alias",                  \
								   0,                                \
								   OPT_LIST,                         \
								   &(f).network_aliases,             \
								   "NAME",                           \
								   "name on the network"},           \
		{"dns", 0, OPT_LIST, &(f).dns, "IP", "name server (on a network: its upstream)"},    \
		{"dns-search", 0, OPT_LIST, &(f).dns_search, "DOMAIN", "DNS search domain"},         \
		{"dns-option", 0, OPT_LIST, &(f).dns_options, "OPT", "resolv.conf option"},          \
		{"add-host", 0, OPT_LIST, &(f).add_hosts, "NAME:IP", "add to /etc/hosts"},           \
		BANDWIDTH_OPTS(f),                                                                   \
		{"pid", 0, OPT_STRING, &(f).pid, "MODE", "PID namespace: host or container:NAME"},   \
		{"ipc",	     0,                                                                      \
		 OPT_STRING, &(f).ipc,                                                               \
		 "MODE",     "IPC namespace: private, shareable, none, host or container:NAME"},     \
		{"uts", 0, OPT_STRING, &(f).uts, "MODE", "UTS namespace: host or container:NAME"},   \
		{"health-cmd", 0, OPT_STRING, &(f).health_cmd, "CMD", "command to check health"},    \
		{"health-interval",    0,	   OPT_STRING,                                       \
		 &(f).health_interval, "DURATION", "time between checks (default 30s)"},             \
		{"health-timeout",    0,	  OPT_STRING,                                        \
		 &(f).health_timeout, "DURATION", "longest a check may run (default 30s)"},          \
		{"health-retries",    0,   OPT_STRING,                                               \
		 &(f).health_retries, "N", "failures in a row that make it unhealthy (default 3)"},  \
		{"health-start-period",	   0,	       OPT_STRING,                                   \
		 &(f).health_start_period, "DURATION", "time to start before failures count"},       \
		{"health-start-interval",                                                            \
		 0,                                                                                  \
		 OPT_STRING,                                                                         \
		 &(f).health_start_interval,                                                         \
		 "DURATION",                                                                         \
		 "time between checks in the start period (default 5s)"},                            \
		{"no-healthcheck",    0,    OPT_BOOL,                                                \
		 &(f).no_healthcheck, NULL, "disable the image's HEALTHCHECK"},                      \
		{"label", 'l', OPT_LIST, &(f).labels, "K=V", "set metadata"},                        \
		{"label-file", 0, OPT_LIST, &(f).label_files, "FILE", "read labels from FILE"},      \
		{"group-add", 0, OPT_LIST, &(f).group_add, "GROUP", "add a supplementary group"},    \
		{"oom-kill-disable", 0, OPT_BOOL, &(f).oom_kill_disable, NULL, "no OOM kills"},      \
		{"cidfile", 0, OPT_STRING, &(f).cidfile, "FILE", "write the container ID to FILE"},  \
		{"platform", 0, OPT_STRING, &(f).platform, "OS/ARCH", "the host's only"},            \
		{"stop-signal", 0, OPT_STRING, &(f).stop_signal, "SIG", "signal to stop it"},        \
		{"stop-timeout",    0,	       OPT_STRING,                                           \
		 &(f).stop_timeout, "SECONDS", "timeout before SIGKILL"},                            \
		{"runtime",    0,      OPT_STRING,                                                   \
		 &(f).runtime, "NAME", "OCI runtime: berth-runtime (default), runc, crun, a path"},  \
		{"cgroup-parent",    0,	     OPT_STRING,                                             \
		 &(f).cgroup_parent, "PATH", "parent cgroup (default /berth)"},                      \
		{"log-driver",	  0,	  OPT_STRING,                                                \
		 &(f).log_driver, "NAME", "json-file, local, journald, syslog or none"},             \
		{"pull", 0, OPT_STRING, &(f).pull, "MODE", "missing (default), always or never"},    \
		{"quiet", 'q', OPT_BOOL, &(f).quiet, NULL, "suppress the pull output"},              \
	{                                                                                            \
		"log-opt", 0, OPT_LIST, &(f).log_opts, "K=V", "max-size=, max-file="                 \
	}

static void flags_done(struct container_flags *f)
{
	char **lists[] = {
		f->env,	      f->env_file,	 f->volumes,	  f->mounts,	  f->tmpfs,
		f->cap_add,   f->cap_drop,	 f->security_opt, f->labels,	  f->ulimits,
		f->sysctls,   f->devices,	 f->read_bps,	  f->write_bps,	  f->log_opts,
		f->uidmap,    f->gidmap,	 f->volumes_from, f->label_files, f->group_add,
		f->publish,   f->expose,	 f->dns,	  f->dns_search,  f->dns_options,
		f->add_hosts, f->network_aliases};

	for (size_t i = 0; i < ELEMENTSOF(lists); i++)
		strv_free(lists[i]);
}

/* run's own flags (not create's). */
struct run_flags {
	const char *detach_keys;
	bool sig_proxy;
};

/*
 * Parse create/run's command line: options, IMAGE, then the command verbatim; rf: run's
 * own flags (NULL: create).
 */
static int parse_run(int argc, char **argv, struct container_flags *f, struct run_flags *rf,
		     char ***ret_pos)
{
	struct run_flags unused = {0};
	struct run_flags *x = rf ? rf : &unused;
	const struct opt_def run_defs[] = {FLAG_TABLE(*f),
					   {"detach-keys", 0, OPT_STRING, &x->detach_keys, "KEYS",
					    "key sequence to detach (default ctrl-p,ctrl-q)"},
					   {"sig-proxy", 0, OPT_BOOL, &x->sig_proxy, NULL,
					    "proxy received signals to the process (default true)"},
					   END_OPTS};
	const struct opt_def create_defs[] = {FLAG_TABLE(*f), END_OPTS};
	const struct opt_def *defs = rf ? run_defs : create_defs;
	_cleanup_free_ char *msg = NULL;

	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "--help") == 0) {
			printf("Usage: berth %s %s\n", argv[0], RUN_USAGE);
			argparse_help(defs);
			return 1;
		}
	if (argparse(argc, argv, 1, defs, true, 0, ret_pos, &msg) < 0) {
		log_error_report("%s: %s%s\nSee 'berth %s --help'.", argv[0],
				 msg ? msg : "out of memory", berth_global_hint(msg), argv[0]);
		return -1;
	}
	if (!*ret_pos || !(*ret_pos)[0]) {
		log_error_report("\"berth %s\" requires at least 1 argument.\nUsage:  berth %s %s",
				 argv[0], argv[0], RUN_USAGE);
		return -1;
	}
	f->image = (*ret_pos)[0];
	f->command = *ret_pos + 1;
	return 0;
}

/* docker's exit codes for a container that could not start: 126, 127, else 125. */
static int start_failure_code(const struct berr *err)
{
	const char *m = err ? err->msg : "";

	if (strcasestr(m, "not found") || strcasestr(m, "no such file"))
		return 127;
	if (strcasestr(m, "permission denied"))
		return 126;
	return 125;
}

/*
 * A start that failed because `rm -f` took the container away meanwhile (its runtime
 * state, its rootfs): say that, not what the runtime tripped over on the way.
 */
static bool removed_meanwhile(struct engine *e, const char *id, struct berr **err)
{
	_cleanup_container_ struct container *c = NULL;

	if (container_load(e, id, false, &c, NULL) != -ENOENT)
		return false;
	berr_clear(err);
	berr_set(err, ENOENT, "container %s was removed while it was starting", id);
	return true;
}

/* What dockerd checks at create, before anything is created; its warnings on stderr. */
static int check_host(struct container_config *cfg, const char *platform, struct berr **err)
{
	_cleanup_strv_ char **warnings = NULL;
	struct host_facts h;
	int r;

	host_facts_read(&h);
	if (platform && (r = host_check_platform(platform, &h, err)) < 0)
		return r;
	r = host_check_config(cfg, &h, &warnings, err);
	STRV_FOREACH (w, warnings)
		fprintf(stderr, "WARNING: %s\n", *w);
	return r;
}

static bool image_present(struct image_store *s, const char *name)
{
	_cleanup_image_list_ struct image_list *l = NULL;

	return image_list_load(s, &l, NULL) >= 0 && image_list_find(l, name, NULL) >= 0;
}

/*
 * docker's --pull: pull the image when it is missing (or always), with pull's progress on
 * stderr. -EIO after reporting; a name that is no reference is left to create to report.
 */
static int pull_if_needed(struct berth_ctx *ctx, struct image_store *s,
			  const struct container_flags *f)
{
	const char *mode = f->pull, *image = f->image;
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_free_ char *full = NULL;
	bool have;

	if (!mode)
		mode = "missing";
	if (strcmp(mode, "missing") != 0 && strcmp(mode, "always") != 0 &&
	    strcmp(mode, "never") != 0) {
		log_error_report("invalid pull option: '%s': must be one of \"always\", "
				 "\"missing\" or \"never\"",
				 mode);
		return -EIO;
	}
	have = image_present(s, image);
	if ((have && strcmp(mode, "always") != 0) || image_ref_parse(image, false, &ref, NULL) < 0)
		return 0;
	if (!(full = image_ref_string(&ref)))
		return -ENOMEM;
	if (!have && strcmp(mode, "never") == 0) {
		log_error_report("No such image: %s", image_ref_familiar(full));
		return -EIO;
	}
	if (!have && !f->quiet)
		fprintf(stderr, "Unable to find image '%s' locally\n", image_ref_familiar(full));
	return berth_pull(ctx, image_ref_familiar(full), stderr, f->quiet) == 0 ? 0 : -EIO;
}

/* docker's --cidfile: refused if it exists, made before the container, removed on failure. */
static int cidfile_open(const char *path, struct berr **err)
{
	int fd;

	if (access(path, F_OK) == 0)
		return berr_set(err, EEXIST,
				"container ID file found, make sure the other container isn't "
				"running or delete %s",
				path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return berr_sys(err, errno, "failed to create the container ID file");
	return fd;
}

static int cidfile_write(int fd, const char *id, struct berr **err)
{
	size_t len = strlen(id);

	if (write(fd, id, len) != (ssize_t) len)
		return berr_sys(err, errno ? errno : EIO,
				"failed to write the container ID to the file");
	return 0;
}

static int create_from_flags(struct berth_ctx *ctx, const struct container_flags *f,
			     struct container_config **ret, struct berr **err)
{
	_cleanup_container_config_ struct container_config *cfg = NULL;
	_cleanup_close_ int cidfd = -1;
	struct image_store *s;
	struct engine *e;
	int r;

	if ((r = container_flags_to_config(f, &cfg, err)) < 0 ||
	    (r = check_host(cfg, f->platform, err)) < 0)
		return r;
	if (!(e = berth_engine(ctx)) || !(s = berth_store(ctx)))
		return -EIO;
	if (f->cidfile && (cidfd = r = cidfile_open(f->cidfile, err)) < 0)
		return r;
	if ((r = pull_if_needed(ctx, s, f)) < 0 || (r = container_create(e, s, cfg, err)) < 0 ||
	    (cidfd >= 0 && (r = cidfile_write(cidfd, cfg->id, err)) < 0)) {
		if (cidfd >= 0)
			(void) unlink(f->cidfile);
		return r;
	}
	*ret = TAKE_PTR(cfg);
	return 0;
}

int berth_cmd_create(struct berth_ctx *ctx, int argc, char **argv)
{
	struct container_flags f = {.config = ctx->config};
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_config_ struct container_config *cfg = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	int r = parse_run(argc, argv, &f, NULL, &pos);

	if (r != 0) {
		flags_done(&f);
		return r > 0 ? 0 : 125;
	}
	r = create_from_flags(ctx, &f, &cfg, &err);
	flags_done(&f);
	if (r == -EIO && !err)
		return 125;
	if (r < 0)
		return berth_report(r, &err) ? 125 : 0;
	printf("%s\n", cfg->id);
	return 0;
}

void berth_terminal_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = *cols = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ||
	    ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

int berth_start_container(struct berth_ctx *ctx, struct container *c, int attach_fd, bool from_run,
			  struct berr **err)
{
	_cleanup_free_ char *monitor = engine_sibling_binary("berth-monitor");
	_cleanup_free_ char *self = engine_sibling_binary("berth");
	_cleanup_free_ char *init = engine_sibling_binary("berth-init");
	struct start_opts o = {.monitor = monitor,
			       .berth = self,
			       .init = init,
			       .attach_fd = attach_fd,
			       .from_run = from_run};
	struct image_store *s = berth_store(ctx);

	if (!s)
		return -EIO;
	if (!monitor || !self || !init)
		return berr_set(err, ENOMEM, "out of memory");
	if (c->cfg->tty)
		berth_terminal_size(&o.console_rows, &o.console_cols);
	return container_start(ctx->engine, s, c, &o, err);
}

/* After a failed start of run --rm: nothing is left. */
static void remove_quietly(struct berth_ctx *ctx, const char *id)
{
	_cleanup_container_ struct container *c = NULL;

	if (container_load(ctx->engine, id, true, &c, NULL) >= 0)
		(void) container_remove(ctx->engine, ctx->store, c, true, true, NULL);
}

static int run_started(struct berth_ctx *ctx, const struct container_flags *f,
		       const struct run_flags *rf, const struct detach_keys *keys, const char *id,
		       int attach_fd)
{
	struct attach_opts o = {.interactive = f->interactive,
				.tty = f->tty,
				.sig_proxy = rf->sig_proxy,
				.keys = keys};

	if (f->detach) {
		printf("%s\n", id);
		return 0;
	}
	return berth_attach(ctx, id, attach_fd, &o);
}

int berth_cmd_run(struct berth_ctx *ctx, int argc, char **argv)
{
	struct container_flags f = {.config = ctx->config};
	_cleanup_strv_ char **pos = NULL;
	_cleanup_container_config_ struct container_config *cfg = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct run_flags rf = {.sig_proxy = true};
	struct detach_keys keys;
	int sv[2] = {-1, -1}, r = parse_run(argc, argv, &f, &rf, &pos);

	if (r == 0 && berth_detach_keys(rf.detach_keys, &keys) < 0)
		r = -1;
	if (r != 0) {
		flags_done(&f);
		return r > 0 ? 0 : 125;
	}
	r = create_from_flags(ctx, &f, &cfg, &err);
	crashpoint("run-created"); /* created and unlocked, not started yet */
	if (r >= 0)
		r = container_load(ctx->engine, cfg->id, true, &c, &err);
	if (r >= 0 && !f.detach && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		r = berr_sys(&err, errno, "socketpair");
	if (r >= 0)
		r = berth_start_container(ctx, c, sv[1], true, &err);
	if (sv[1] >= 0)
		close(sv[1]);
	if (r == 1) { /* stopped while we created it: it never runs */
		if (sv[0] >= 0)
			close(sv[0]);
		if (f.detach)
			printf("%s\n", cfg->id);
		flags_done(&f);
		return 0;
	}
	if (r < 0) {
		int code = cfg && c && !removed_meanwhile(ctx->engine, cfg->id, &err)
				   ? start_failure_code(err)
				   : 125;

		if (sv[0] >= 0)
			close(sv[0]);
		if (r != -EIO || err)
			berth_report(r, &err);
		if (c && f.rm) {
			c = container_free(c);
			remove_quietly(ctx, cfg->id);
		}
		flags_done(&f);
		return code;
	}
	container_unlock(c);
	r = run_started(ctx, &f, &rf, &keys, cfg->id, sv[0]);
	flags_done(&f);
	return r;
}

int berth_cmd_start(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	bool attach = false, interactive = false;
	const char *keys_spec = NULL;
	const struct opt_def defs[] = {
		{"attach", 'a', OPT_BOOL, &attach, NULL, "attach stdout/stderr"},
		{"interactive", 'i', OPT_BOOL, &interactive, NULL, "attach stdin"},
		{"detach-keys", 0, OPT_STRING, &keys_spec, "KEYS",
		 "key sequence to detach (default ctrl-p,ctrl-q)"},
		END_OPTS,
	};
	struct detach_keys keys;
	struct engine *e;
	int code = 0;

	BERTH_PARSE_OR_RETURN(
		berth_parse(argc, argv, defs, "[options] CONTAINER [CONTAINER...]", 1, 1024, &pos));
	if (berth_detach_keys(keys_spec, &keys) < 0)
		return 1;
	if ((attach || interactive) && pos[1]) {
		log_error_report("you cannot start and attach multiple containers at once");
		return 1;
	}
	if (!(e = berth_engine(ctx)))
		return 125;
	STRV_FOREACH (ref, pos) {
		_cleanup_container_ struct container *c = NULL;
		_cleanup_berr_ struct berr *err = NULL;
		int sv[2] = {-1, -1}, r;

		r = container_open(e, *ref, true, &c, &err);
		if (r >= 0 && attach && container_active(c)) {
			/* docker: start -a of a running container attaches to it */
			c = container_free(c);
			return berth_attach_running(ctx, *ref, !interactive, true, &keys);
		}
		if (r >= 0 && attach && !container_active(c) &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			r = berr_sys(&err, errno, "socketpair");
		if (r >= 0)
			r = berth_start_container(ctx, c, sv[1], false, &err);
		if (sv[1] >= 0)
			close(sv[1]);
		if (r < 0) {
			if (sv[0] >= 0)
				close(sv[0]);
			berth_report(r, &err);
			code = 1;
			continue;
		}
		if (sv[0] >= 0) {
			container_unlock(c);
			struct attach_opts o = {.interactive = interactive,
						.tty = c->cfg->tty,
						.sig_proxy = true,
						.keys = &keys};

			return berth_attach(ctx, c->cfg->id, sv[0], &o);
		}
		printf("%s\n", *ref);
	}
	return code;
}
