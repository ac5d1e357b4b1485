/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /containers/create: docker's ContainerConfig + HostConfig into the flags `berth
 * create` fills from its command line, then the same container_flags_to_config() and
 * container_create() the CLI calls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "engine/container_create.h"
#include "engine/container_opts.h"
#include "engine/health.h"
#include "engine/host_check.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

/* What the flags point into: freed after the config is made. */
struct create_body {
	struct container_flags f;
	char **cmd, **entrypoint;
	char *strs[24];
	size_t n_strs;
	char **vecs[16];
	size_t n_vecs;
	char num[3][32]; /* Memory, StopTimeout, restart's "on-failure:N" */
	struct api_create_extra x;
};

static void create_body_done(struct create_body *b)
{
	for (size_t i = 0; i < b->n_strs; i++)
		free(b->strs[i]);
	for (size_t i = 0; i < b->n_vecs; i++)
		strv_free(b->vecs[i]);
	strv_free(b->cmd);
	strv_free(b->entrypoint);
	api_create_extra_done(&b->x);
}

/* A string member into *dst (kept in b); absent, null or "" (docker's unset) leaves it NULL. */
static int get_str(struct create_body *b, const struct jnode *o, const char *key, const char **dst,
		   struct berr **err)
{
	char *v = NULL;
	int r = jnode_get_string(o, key, &v, err);

	if (r <= 0)
		return r;
	b->strs[b->n_strs++] = v;
	if (!*v)
		return 0;
	*dst = v;
	return 0;
}

static int get_strv(struct create_body *b, const struct jnode *o, const char *key, char ***dst,
		    struct berr **err)
{
	char **v = NULL;
	int r = jnode_get_strv(o, key, &v, err);

	if (r <= 0)
		return r;
	b->vecs[b->n_vecs++] = v;
	*dst = v;
	return 0;
}

/* Cmd and Entrypoint: an array, or (older clients) one string */
static int get_args(const struct jnode *o, const char *key, char ***dst, struct berr **err)
{
	struct jnode n;

	jnode_member(o, key, &n);
	if (!jnode_present(&n))
		return 0;
	if (jnode_is_string(&n)) {
		char *s = NULL;
		int r = jnode_string(&n, &s, err);

		if (r < 0)
			return r;
		*dst = calloc(2, sizeof(char *));
		if (!*dst) {
			free(s);
			return -ENOMEM;
		}
		(*dst)[0] = s;
		return 0;
	}
	return jnode_strv(&n, dst, err) < 0 ? -EINVAL : 0;
}

static int read_config(struct create_body *b, const struct jnode *root, struct berr **err)
{
	struct container_flags *f = &b->f;
	bool b1 = false;
	int64_t stop_timeout;
	int r;

	if ((r = get_str(b, root, "Image", &f->image, err)) < 0 ||
	    (r = get_str(b, root, "Hostname", &f->hostname, err)) < 0 ||
	    (r = get_str(b, root, "Domainname", &f->domainname, err)) < 0 ||
	    (r = get_str(b, root, "MacAddress", &f->mac_address, err)) < 0 ||
	    (r = get_str(b, root, "User", &f->user, err)) < 0 ||
	    (r = get_str(b, root, "WorkingDir", &f->workdir, err)) < 0 ||
	    (r = get_str(b, root, "StopSignal", &f->stop_signal, err)) < 0 ||
	    (r = get_strv(b, root, "Env", &f->env, err)) < 0 ||
	    (r = get_args(root, "Cmd", &b->cmd, err)) < 0 ||
	    (r = get_args(root, "Entrypoint", &b->entrypoint, err)) < 0)
		return r;
	if ((r = jnode_get_bool(root, "Tty", &f->tty, err)) < 0 ||
	    (r = jnode_get_bool(root, "OpenStdin", &b1, err)) < 0)
		return r;
	f->interactive = b1;
	if ((r = jnode_get_int64(root, "StopTimeout", &stop_timeout, err)) < 0)
		return r;
	if (r > 0) {
		snprintf(b->num[1], sizeof(b->num[1]), "%lld", (long long) stop_timeout);
		f->stop_timeout = b->num[1];
	}
	if ((r = api_json_kv(root, "Labels", &b->vecs[b->n_vecs++], err)) < 0)
		return r;
	f->labels = b->vecs[b->n_vecs - 1];
	f->command = b->cmd;
	if (b->entrypoint)
		f->entrypoint = b->entrypoint[0] ? b->entrypoint[0] : "";
	return 0;
}

int api_restart_policy(const struct jnode *hc, char *buf, size_t size, const char **ret,
		       struct berr **err)
{
	_cleanup_free_ char *name = NULL;
	struct jnode rp;
	int64_t max = 0;
	int r;

	jnode_member(hc, "RestartPolicy", &rp);
	if (!jnode_is_object(&rp))
		return 0;
	if ((r = jnode_get_string(&rp, "Name", &name, err)) < 0 ||
	    (r = jnode_get_int64(&rp, "MaximumRetryCount", &max, err)) < 0)
		return r;
	if (!name || !*name)
		return 0;
	if (strcmp(name, "on-failure") == 0 && max > 0)
		r = snprintf(buf, size, "on-failure:%lld", (long long) max);
	else
		r = snprintf(buf, size, "%s", name);
	if (r < 0 || (size_t) r >= size)
		return berr_set(err, EINVAL, "invalid restart policy '%s'", name);
	*ret = buf;
	return 0;
}

static int use_extra(struct create_body *b);

static int read_host_config(struct create_body *b, const struct jnode *root, struct berr **err)
{
	struct container_flags *f = &b->f;
	const char *network = NULL;
	struct jnode hc;
	int64_t memory = 0;
	int r;

	jnode_member(root, "HostConfig", &hc);
	if ((r = jnode_expect_object(&hc, err)) < 0)
		return r;
	if ((r = get_strv(b, &hc, "Binds", &f->volumes, err)) < 0 ||
	    (r = get_strv(b, &hc, "CapAdd", &f->cap_add, err)) < 0 ||
	    (r = get_strv(b, &hc, "CapDrop", &f->cap_drop, err)) < 0 ||
	    (r = get_strv(b, &hc, "Tmpfs", &f->tmpfs, err)) < 0 ||
	    (r = get_strv(b, &hc, "Dns", &f->dns, err)) < 0 ||
	    (r = get_strv(b, &hc, "DnsSearch", &f->dns_search, err)) < 0 ||
	    (r = get_strv(b, &hc, "DnsOptions", &f->dns_options, err)) < 0 ||
	    (r = get_strv(b, &hc, "ExtraHosts", &f->add_hosts, err)) < 0 ||
	    (r = get_strv(b, &hc, "GroupAdd", &f->group_add, err)) < 0 ||
	    (r = get_str(b, &hc, "NetworkMode", &network, err)) < 0 ||
	    (r = get_str(b, &hc, "CgroupParent", &f->cgroup_parent, err)) < 0 ||
	    (r = get_str(b, &hc, "Runtime", &f->runtime, err)) < 0 ||
	    (r = get_str(b, &hc, "UsernsMode", &f->userns, err)) < 0 ||
	    (r = jnode_get_bool(&hc, "AutoRemove", &f->rm, err)) < 0 ||
	    (r = jnode_get_bool(&hc, "Privileged", &f->privileged, err)) < 0 ||
	    (r = jnode_get_bool(&hc, "ReadonlyRootfs", &f->read_only, err)) < 0 ||
	    (r = jnode_get_bool(&hc, "Init", &f->init, err)) < 0 ||
	    (r = jnode_get_bool(&hc, "PublishAllPorts", &f->publish_all, err)) < 0 ||
	    (r = jnode_get_int64(&hc, "Memory", &memory, err)) < 0 ||
	    (r = api_restart_policy(&hc, b->num[2], sizeof(b->num[2]), &b->f.restart, err)) < 0)
		return r;
	/* the client's "default" is the engine's default */
	if (network && *network && strcmp(network, "default") != 0)
		f->network = network;
	if (memory > 0) {
		snprintf(b->num[0], sizeof(b->num[0]), "%lld", (long long) memory);
		f->memory = b->num[0];
	}
	if ((r = api_create_ports(root, &hc, &b->x, err)) < 0 ||
	    (r = api_create_endpoint(root, network, &b->x, err)) < 0 ||
	    (r = api_create_volumes(root, f->volumes, &b->x, err)) < 0)
		return r;
	return use_extra(b);
}

/* The flags of api_create_extra: -p, --expose, --network-alias, --ip; anonymous -v PATH */
static int use_extra(struct create_body *b)
{
	struct container_flags *f = &b->f;
	char ***all = &b->vecs[b->n_vecs];

	f->publish = b->x.publish;
	f->expose = b->x.expose;
	f->network_aliases = b->x.aliases;
	f->ip = b->x.ip;
	if (!b->x.volumes)
		return 0;
	b->n_vecs++;
	STRV_FOREACH (v, f->volumes)
		if (strv_push_dup(all, *v) < 0)
			return -ENOMEM;
	STRV_FOREACH (v, b->x.volumes)
		if (strv_push_dup(all, *v) < 0)
			return -ENOMEM;
	f->volumes = *all;
	return 0;
}

static int make_config(struct api_req *r, struct create_body *b, struct container_config **ret,
		       struct berr **err)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct jnode root, hc;
	int ret_r;

	if (r->body_len == 0)
		return berr_set(err, EINVAL,
				"Config cannot be empty in order to create a container");
	if ((ret_r = jdoc_parse(r->body, r->body_len, "body", &doc, err)) < 0)
		return -EINVAL;
	jdoc_root(doc, &root);
	if ((ret_r = jnode_expect_object(&root, err)) < 0 ||
	    (ret_r = read_config(b, &root, err)) < 0 ||
	    (ret_r = read_host_config(b, &root, err)) < 0)
		return -EINVAL;
	if (!b->f.image || !*b->f.image)
		return berr_set(err, EINVAL, "no image given");
	b->f.name = api_query(r, "name");
	b->f.config = r->ctx->config;
	if ((ret_r = container_flags_to_config(&b->f, ret, err)) < 0)
		return ret_r;
	jnode_member(&root, "Healthcheck", &hc);
	if ((ret_r = health_merge_json(*ret, &hc, "Healthcheck", err)) < 0 ||
	    (ret_r = health_validate(*ret, err)) < 0)
		return ret_r;
	if (b->entrypoint && b->entrypoint[0]) {
		/* an Entrypoint of several words, which --entrypoint cannot say */
		strv_free((*ret)->entrypoint);
		(*ret)->entrypoint = TAKE_PTR(b->entrypoint);
	}
	return 0;
}

int api_container_create(struct api_req *r)
{
	_cleanup_(create_body_done) struct create_body b = {0};
	_cleanup_container_config_ struct container_config *cfg = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_strv_ char **warnings = NULL;
	_cleanup_jw_ struct jwriter *out = jw_object(), *w = jw_array();
	struct image_store *s;
	struct host_facts h;
	int ret = make_config(r, &b, &cfg, &err);

	if (ret < 0)
		return api_reply_berr(r, ret, err);
	host_facts_read(&h);
	if ((ret = host_check_config(cfg, &h, &warnings, &err)) < 0)
		return api_reply_berr(r, ret, err);
	if (!berth_engine(r->ctx) || !(s = berth_store(r->ctx)))
		return api_reply_error(r, 500, "cannot open the engine under '%s'", r->ctx->root);
	if ((ret = container_create(r->ctx->engine, s, cfg, &err)) < 0)
		return api_reply_berr(r, ret, err);
	jw_str(out, "Id", cfg->id);
	STRV_FOREACH (x, warnings)
		jw_append_str(w, *x);
	jw_put(out, "Warnings", TAKE_PTR(w));
	return api_reply_json(r, 201, out);
}
