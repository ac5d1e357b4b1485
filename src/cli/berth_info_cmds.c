/* SPDX-License-Identifier: Apache-2.0 */
/* berth version and info (also system info): docker 20.10's layouts and --format field names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli/berth_cmds.h"
#include "cli/container_json.h"
#include "cli/format.h"
#include "cli/git_commit.h"
#include "config.h"
#include "engine/engine_config.h"
#include "engine/host_info.h"
#include "engine/rootless.h"
#include "engine/runtime_client.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

#define API_VERSION "1.41"
#define MIN_API_VERSION "1.12"
#define BUILT __DATE__ " " __TIME__
#ifdef __clang__
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif
#define RUNTIME_DEFAULT "berth-runtime"

/* docker's tabwriter columns: the key and its colon padded to 20 */
static void kv(const char *indent, const char *key, const char *value)
{
	char k[64];

	snprintf(k, sizeof(k), "%s%s:", indent, key);
	printf("%-19s %s\n", k, value ? value : "");
}

/* The runtimes berth knows by name, with the binary each resolves to (NULL when absent). */
static const char *const runtime_names[] = {"berth-runtime", "runc", "crun"};

static struct jwriter *version_part(const struct host_info *h, bool server)
{
	struct jwriter *o = jw_object();

	jw_str(o, "Version", BERTH_VERSION);
	jw_str(o, "ApiVersion", API_VERSION);
	if (server)
		jw_str(o, "MinAPIVersion", MIN_API_VERSION);
	else
		jw_str(o, "DefaultAPIVersion", API_VERSION);
	jw_str(o, "GitCommit", BERTH_GIT_COMMIT);
	jw_str(o, "CompilerVersion", COMPILER);
	jw_str(o, "Os", "linux");
	jw_str(o, "Arch", host_go_arch(h->machine));
	jw_str(o, "BuildTime", BUILT);
	if (server)
		jw_str(o, "KernelVersion", h->kernel);
	return o;
}

static struct jwriter *runtime_component(void)
{
	_cleanup_free_ char *path = NULL, *version = NULL;
	struct jwriter *c = jw_object(), *details = jw_object();

	if (runtime_resolve(RUNTIME_DEFAULT, &path, NULL) >= 0)
		version = host_runtime_version(path);
	jw_str(c, "Name", RUNTIME_DEFAULT);
	jw_str(c, "Version", version ? version : "unknown");
	jw_str(details, "Path", path ? path : "");
	jw_put(c, "Details", details);
	return c;
}

static struct jwriter *version_json(const struct host_info *h)
{
	struct jwriter *doc = jw_object(), *server = version_part(h, true);
	struct jwriter *engine = jw_object(), *components = jw_array(), *platform = jw_object();

	jw_put(doc, "Client", version_part(h, false));
	jw_str(platform, "Name", "berth Engine");
	jw_put(server, "Platform", platform);
	jw_str(engine, "Name", "Engine");
	jw_str(engine, "Version", BERTH_VERSION);
	jw_put(engine, "Details", version_part(h, true));
	jw_put(components, NULL, engine);
	jw_put(components, NULL, runtime_component());
	jw_put(server, "Components", components);
	jw_put(doc, "Server", server);
	return doc;
}

static void print_version_part(struct jnode *part, const char *indent, bool server)
{
	_cleanup_free_ char *v = NULL, *api = NULL, *min = NULL, *git = NULL, *cc = NULL,
			    *os = NULL, *arch = NULL, *built = NULL;
	char buf[160];

	(void) jnode_get_string(part, "Version", &v, NULL);
	(void) jnode_get_string(part, "ApiVersion", &api, NULL);
	(void) jnode_get_string(part, "MinAPIVersion", &min, NULL);
	(void) jnode_get_string(part, "GitCommit", &git, NULL);
	(void) jnode_get_string(part, "CompilerVersion", &cc, NULL);
	(void) jnode_get_string(part, "Os", &os, NULL);
	(void) jnode_get_string(part, "Arch", &arch, NULL);
	(void) jnode_get_string(part, "BuildTime", &built, NULL);
	kv(indent, "Version", v);
	if (server)
		snprintf(buf, sizeof(buf), "%s (minimum version %s)", api, min);
	kv(indent, "API version", server ? buf : api);
	kv(indent, "C compiler", cc);
	if (git && *git)
		kv(indent, "Git commit", git);
	kv(indent, "Built", built);
	snprintf(buf, sizeof(buf), "%s/%s", os, arch);
	kv(indent, "OS/Arch", buf);
}

static void print_version(const struct jnode *root)
{
	struct jnode client, server, comps, c, details;
	_cleanup_free_ char *rt = NULL, *rtv = NULL, *rtpath = NULL;

	jnode_member(root, "Client", &client);
	jnode_member(root, "Server", &server);
	jnode_member(&server, "Components", &comps);
	printf("Client:\n");
	print_version_part(&client, " ", false);
	printf("\nServer: berth Engine\n Engine:\n");
	jnode_array_at(&comps, 0, &c);
	jnode_member(&c, "Details", &details);
	print_version_part(&details, "  ", true);
	jnode_array_at(&comps, 1, &c);
	(void) jnode_get_string(&c, "Name", &rt, NULL);
	(void) jnode_get_string(&c, "Version", &rtv, NULL);
	jnode_member(&c, "Details", &details);
	(void) jnode_get_string(&details, "Path", &rtpath, NULL);
	printf(" %s:\n", rt ? rt : RUNTIME_DEFAULT);
	kv("  ", "Version", rtv);
	kv("  ", "Path", rtpath);
}

/* Render doc with format, or call text for docker's layout. */
static int render(struct jwriter *doc, const char *format, void (*text)(const struct jnode *))
{
	_cleanup_free_ char *s = jw_to_string(doc, false);
	_cleanup_jdoc_ struct jdoc *d = NULL;
	struct jnode root;

	if (format)
		return inspect_render(doc, format, stdout) < 0 ? 1 : 0;
	if (!s || jdoc_parse(s, strlen(s), "version", &d, NULL) < 0)
		return berth_report(-ENOMEM, NULL);
	jdoc_root(d, &root);
	text(&root);
	return 0;
}

static int cmd_version(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "TEMPLATE",
		 "a Go template over the version's JSON, as docker's ('{{.Server.Version}}')"},
		END_OPTS,
	};
	_cleanup_jw_ struct jwriter *doc = NULL;

	(void) ctx;
	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[--format TEMPLATE]", 0, 0, &pos));
	doc = berth_version_json();
	return render(doc, format, print_version);
}

struct jwriter *berth_version_json(void)
{
	struct host_info h = {0};
	struct utsname u;

	h.machine = uname(&u) == 0 ? u.machine : "unknown";
	h.kernel = u.release;
	return version_json(&h);
}

/*
 * berth's own (docker has no such field; podman's info has host.rootless and its network
 * and storage helpers): how a rootless berth runs.
 */
static struct jwriter *rootless_json(const struct rootless_paths *p)
{
	struct jwriter *o = jw_object();
	pid_t pause = rootless_pause_pid(p->run);

	jw_str(o, "Network", "none (no helper: pasta and slirp4netns are not used yet)");
	jw_str(o, "Storage", "overlay in the user namespace (kernel, userxattr)");
	jw_str(o, "RunDir", p->run);
	jw_str(o, "ConfigDir", p->config);
	jw_int(o, "PausePid", pause > 0 ? pause : 0);
	return o;
}

static struct jwriter *security_options(const struct berth_ctx *ctx, const struct host_info *h)

{
	struct jwriter *a = jw_array();

	if (h->apparmor)
		jw_append_str(a, "name=apparmor");
	jw_append_str(a, "name=seccomp,profile=default");
	if (h->selinux)
		jw_append_str(a, "name=selinux");
	/* docker's, under userns-remap */
	if (ctx->config && ctx->config->userns_remap)
		jw_append_str(a, "name=userns");
	if (h->rootless)
		jw_append_str(a, "name=rootless");
	if (strcmp(h->cgroup_version, "2") == 0)
		jw_append_str(a, "name=cgroupns");
	return a;
}

static struct jwriter *runtimes_json(void)
{
	struct jwriter *o = jw_object();

	for (size_t i = 0; i < ELEMENTSOF(runtime_names); i++) {
		_cleanup_free_ char *path = NULL;
		struct jwriter *rt;

		if (runtime_resolve(runtime_names[i], &path, NULL) < 0)
			continue;
		rt = jw_object();
		jw_str(rt, "path", path);
		jw_put(o, runtime_names[i], rt);
	}
	return o;
}

/* docker's RegistryConfig: docker.io's mirrors, and every registry with its own */
static struct jwriter *registry_json(const struct registry_config *rc)
{
	struct jwriter *o = jw_object(), *mirrors = jw_array(), *index = jw_object();
	char *const *hub = registry_config_mirrors(rc, "docker.io");

	STRV_FOREACH (m, hub)
		jw_append_str(mirrors, *m);
	for (size_t i = 0; rc && i < rc->n; i++) {
		struct jwriter *ic = jw_object(), *im = jw_array();

		STRV_FOREACH (m, rc->v[i].urls)
			jw_append_str(im, *m);
		jw_str(ic, "Name", rc->v[i].registry);
		jw_put(ic, "Mirrors", im);
		jw_bool(ic, "Secure", !registry_config_insecure(rc, rc->v[i].registry));
		jw_bool(ic, "Official", strcmp(rc->v[i].registry, "docker.io") == 0);
		jw_put(index, rc->v[i].registry, ic);
	}
	STRV_FOREACH (host, rc ? rc->insecure : NULL) {
		struct jwriter *ic = jw_object();

		jw_str(ic, "Name", *host);
		jw_put(ic, "Mirrors", jw_array());
		jw_bool(ic, "Secure", false);
		jw_bool(ic, "Official", false);
		jw_put(index, *host, ic);
	}
	jw_put(o, "InsecureRegistryCIDRs", jw_array());
	jw_put(o, "IndexConfigs", index);
	jw_put(o, "Mirrors", mirrors);
	return o;
}

static struct jwriter *info_json(const struct berth_ctx *ctx, const struct host_info *h)
{
	struct jwriter *o = jw_object(), *ds = jw_array(), *pair = jw_array();

	jw_int(o, "Containers", h->containers);
	jw_int(o, "ContainersRunning", h->running);
	jw_int(o, "ContainersPaused", h->paused);
	jw_int(o, "ContainersStopped", h->stopped);
	jw_int(o, "Images", h->images);
	jw_str(o, "Driver", "overlay");
	jw_append_str(pair, "Backing Filesystem");
	jw_append_str(pair, h->backing_fs);
	jw_put(ds, NULL, pair);
	jw_put(o, "DriverStatus", ds);
	jw_bool(o, "Debug", ctx->debug);
	jw_str(o, "LoggingDriver", "json-file");
	jw_str(o, "CgroupDriver", "cgroupfs");
	jw_str(o, "CgroupVersion", h->cgroup_version);
	jw_str(o, "CgroupMode", h->cgroup_mode);
	jw_str(o, "KernelVersion", h->kernel);
	jw_str(o, "OperatingSystem", h->os_name);
	jw_str(o, "OSVersion", h->os_version);
	jw_str(o, "OSType", "linux");
	jw_str(o, "Architecture", h->machine);
	jw_put(o, "RegistryConfig", registry_json(ctx->registries));
	jw_int(o, "NCPU", h->ncpu);
	jw_int(o, "MemTotal", h->mem_total);
	jw_str(o, "DockerRootDir", ctx->engine->root);
	jw_str(o, "Name", h->hostname);
	jw_str(o, "ServerVersion", BERTH_VERSION);
	jw_put(o, "Runtimes", runtimes_json());
	jw_str(o, "DefaultRuntime", RUNTIME_DEFAULT);
	jw_put(o, "SecurityOptions", security_options(ctx, h));
	jw_put(o, "Warnings", jw_array());
	if (ctx->rootless)
		jw_put(o, "Rootless", rootless_json(ctx->rootless));
	return o;
}

struct jwriter *berth_info_json(struct berth_ctx *ctx)
{
	_cleanup_(host_info_done) struct host_info h = {0};
	struct image_store *s;

	if (!berth_engine(ctx) || !(s = berth_store(ctx)) || berth_load_registries(ctx) < 0)
		return NULL;
	if (host_info_read(ctx->engine, s, &h) < 0)
		return NULL;
	return info_json(ctx, &h);
}

/* "<indent><label>: <value of key>" for a string or a number member */
static void info_line(const struct jnode *o, const char *indent, const char *label, const char *key)
{
	_cleanup_free_ char *s = NULL;
	int64_t n;

	if (jnode_get_string(o, key, &s, NULL) > 0)
		printf("%s%s: %s\n", indent, label, s);
	else if (jnode_get_int64(o, key, &n, NULL) > 0)
		printf("%s%s: %lld\n", indent, label, (long long) n);
}

/* docker's " Security Options:" block: "name=seccomp,profile=default" -> seccomp, Profile */
static void print_security(const struct jnode *root)
{
	struct jnode a, e;

	jnode_member(root, "SecurityOptions", &a);
	printf(" Security Options:\n");
	for (size_t i = 0; i < jnode_array_len(&a); i++) {
		_cleanup_strv_ char **kvs = NULL;
		_cleanup_free_ char *s = NULL;

		jnode_array_at(&a, i, &e);
		if (jnode_string(&e, &s, NULL) < 0 || !(kvs = strv_split(s, ",")))
			continue;
		STRV_FOREACH (kv_, kvs) {
			const char *eq = strchr(*kv_, '=');

			if (!eq)
				continue;
			if (strncmp(*kv_, "name=", 5) == 0)
				printf("  %s\n", eq + 1);
			else
				printf("   %c%.*s: %s\n", (*kv_)[0] - 32, (int) (eq - *kv_ - 1),
				       *kv_ + 1, eq + 1);
		}
	}
}

static int print_insecure(const struct jnode *child, void *userdata, struct berr **err)
{
	bool secure = true;

	(void) userdata;
	(void) err;
	if (jnode_get_bool(child, "Secure", &secure, NULL) > 0 && !secure)
		printf("  %s\n", child->key);
	return 0;
}

/* mirrors of registries other than docker.io: "  URL (for REGISTRY)" */
static int print_mirrors_of(const struct jnode *child, void *userdata, struct berr **err)
{
	struct jnode m, e;

	(void) userdata;
	(void) err;
	if (strcmp(child->key, "docker.io") == 0)
		return 0;
	jnode_member(child, "Mirrors", &m);
	for (size_t i = 0; i < jnode_array_len(&m); i++) {
		_cleanup_free_ char *s = NULL;

		jnode_array_at(&m, i, &e);
		if (jnode_string(&e, &s, NULL) >= 0)
			printf("  %s (for %s)\n", s, child->key);
	}
	return 0;
}

static void print_registries(const struct jnode *root)
{
	struct jnode rc, index, mirrors, e;

	jnode_member(root, "RegistryConfig", &rc);
	jnode_member(&rc, "IndexConfigs", &index);
	jnode_member(&rc, "Mirrors", &mirrors);
	printf(" Insecure Registries:\n");
	(void) jnode_foreach_member(&index, print_insecure, NULL, NULL);
	printf(" Registry Mirrors:\n");
	for (size_t i = 0; i < jnode_array_len(&mirrors); i++) {
		_cleanup_free_ char *s = NULL;

		jnode_array_at(&mirrors, i, &e);
		if (jnode_string(&e, &s, NULL) >= 0)
			printf("  %s\n", s);
	}
	(void) jnode_foreach_member(&index, print_mirrors_of, NULL, NULL);
}

static int print_key(const struct jnode *child, void *userdata, struct berr **err)
{
	(void) userdata;
	(void) err;
	printf(" %s", child->key);
	return 0;
}

static bool jnode_bool_or(const struct jnode *o, const char *key)
{
	bool b = false;

	(void) jnode_get_bool(o, key, &b, NULL);
	return b;
}

static void print_runtimes(const struct jnode *root)
{
	struct jnode rts;
	size_t n;

	jnode_member(root, "Runtimes", &rts);
	n = jnode_object_len(&rts);
	printf(" Runtimes:");
	(void) jnode_foreach_member(&rts, print_key, NULL, NULL);
	printf("%s\n", n ? "" : " none found");
}

static void print_info(const struct jnode *root)
{
	struct jnode ds, pair, v, rl;
	_cleanup_free_ char *fs = NULL;
	char size[32];
	int64_t mem = 0;

	printf("Server:\n");
	info_line(root, " ", "Containers", "Containers");
	info_line(root, "  ", "Running", "ContainersRunning");
	info_line(root, "  ", "Paused", "ContainersPaused");
	info_line(root, "  ", "Stopped", "ContainersStopped");
	info_line(root, " ", "Images", "Images");
	info_line(root, " ", "Server Version", "ServerVersion");
	info_line(root, " ", "Storage Driver", "Driver");
	jnode_member(root, "DriverStatus", &ds);
	jnode_array_at(&ds, 0, &pair);
	jnode_array_at(&pair, 1, &v);
	if (jnode_string(&v, &fs, NULL) >= 0)
		printf("  Backing Filesystem: %s\n", fs);
	info_line(root, " ", "Logging Driver", "LoggingDriver");
	info_line(root, " ", "Cgroup Driver", "CgroupDriver");
	info_line(root, " ", "Cgroup Version", "CgroupVersion");
	info_line(root, "  ", "Cgroup Layout", "CgroupMode");
	print_runtimes(root);
	info_line(root, " ", "Default Runtime", "DefaultRuntime");
	print_security(root);
	info_line(root, " ", "Kernel Version", "KernelVersion");
	info_line(root, " ", "Operating System", "OperatingSystem");
	info_line(root, " ", "OSType", "OSType");
	info_line(root, " ", "Architecture", "Architecture");
	info_line(root, " ", "CPUs", "NCPU");
	(void) jnode_get_int64(root, "MemTotal", &mem, NULL);
	printf(" Total Memory: %s\n", bytes_size((uint64_t) mem, size, sizeof(size)));
	info_line(root, " ", "Name", "Name");
	info_line(root, " ", "Docker Root Dir", "DockerRootDir");
	printf(" Debug Mode: %s\n", jnode_bool_or(root, "Debug") ? "true" : "false");
	jnode_member(root, "Rootless", &rl);
	if (jnode_type(&rl) == JNODE_OBJECT) {
		printf(" Rootless: true\n");
		info_line(&rl, "  ", "Network", "Network");
		info_line(&rl, "  ", "Storage", "Storage");
		info_line(&rl, "  ", "Run Dir", "RunDir");
		info_line(&rl, "  ", "Pause Process", "PausePid");
	}
	print_registries(root);
}

int berth_cmd_info(struct berth_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **pos = NULL;
	const char *format = NULL;
	const struct opt_def defs[] = {
		{"format", 'f', OPT_STRING, &format, "TEMPLATE",
		 "a Go template over docker's info fields ('{{.CgroupVersion}}', '{{json .}}')"},
		END_OPTS,
	};
	_cleanup_jw_ struct jwriter *doc = NULL;

	BERTH_PARSE_OR_RETURN(berth_parse(argc, argv, defs, "[--format TEMPLATE]", 0, 0, &pos));
	if (!(doc = berth_info_json(ctx)))
		return 1;
	return render(doc, format, print_info);
}

const struct berth_cmd berth_info_cmds[] = {
	{"version", "show the versions of berth and its runtime", cmd_version},
	{"info", "show the engine's and the host's configuration", berth_cmd_info},
	{"events", "show the engine's events (follows until interrupted)", berth_cmd_events},
	{NULL, NULL, NULL},
};
