/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the top level (root, mounts, hooks, annotations) and the parse driver. */
#include "runtime/config/oci_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "runtime/config/mount_opts.h"
#include "runtime/process/sysctl.h"

/* config.json larger than this is refused rather than read into memory. */
#define CONFIG_MAX_SIZE (16u << 20)

static const char *const hook_names[_HOOK_KIND_MAX] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

const char *hook_kind_name(enum hook_kind k)
{
	return k < _HOOK_KIND_MAX ? hook_names[k] : "?";
}

int spec_warn(struct spec *s, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return -ENOMEM;
	if (strv_contains(s->warnings, msg)) {
		free(msg);
		return 0;
	}
	return strv_consume(&s->warnings, msg);
}

void kv_free_array(struct kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

struct kv_collect {
	struct kv *v;
	size_t n;
};

static int kv_member(const struct jnode *child, void *userdata, struct berr **err)
{
	struct kv_collect *c = userdata;
	char *value = NULL;
	int r;

	r = jnode_string(child, &value, err);
	if (r < 0)
		return r;
	c->v[c->n].key = strdup(child->key);
	c->v[c->n].value = value;
	if (!c->v[c->n].key)
		return berr_set(err, ENOMEM, "out of memory");
	c->n++;
	return 0;
}

int oci_parse_kv_map(const struct jnode *n, struct kv **ret, size_t *ret_n, struct berr **err)
{
	struct kv_collect c = {NULL, 0};
	int r;

	if (!jnode_present(n))
		return 0;
	if (!jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object of strings");
	c.v = calloc(jnode_object_len(n) + 1, sizeof(struct kv));
	if (!c.v)
		return berr_set(err, ENOMEM, "out of memory");
	r = jnode_foreach_member(n, kv_member, &c, err);
	if (r < 0) {
		kv_free_array(c.v, c.n);
		return r;
	}
	kv_free_array(*ret, *ret_n);
	*ret = c.v;
	*ret_n = c.n;
	return 0;
}

int oci_parse_id_mappings(const struct jnode *n, struct id_mappings *ret, struct berr **err)
{
	size_t len = jnode_array_len(n);
	int r;

	if (!jnode_present(n))
		return 0;
	r = jnode_expect_array(n, err);
	if (r < 0)
		return r;
	ret->v = calloc(len + 1, sizeof(struct id_mapping));
	if (!ret->v)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct id_mapping *m = &ret->v[i];
		static const char *const keys[] = {"containerID", "hostID", "size"};
		uint32_t *fields[] = {&m->container_id, &m->host_id, &m->size};
		struct jnode e;

		jnode_array_at(n, i, &e);
		if (!jnode_is_object(&e))
			return jnode_err(&e, err, EINVAL, "must be an object");
		for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
			r = jnode_get_uint32(&e, keys[k], fields[k], err);
			if (r < 0)
				return r;
			if (r == 0)
				return jnode_err(&e, err, EINVAL, "%s: must be given", keys[k]);
		}
		if (m->size == 0)
			return jnode_err(&e, err, EINVAL, "size: must be at least 1");
		ret->n++;
	}
	return 0;
}

static int parse_root(const struct jnode *top, struct spec *s, struct berr **err)
{
	struct jnode root, path;
	int r;

	jnode_member(top, "root", &root);
	if (!jnode_present(&root))
		return jnode_err(&root, err, EINVAL, "must be given");
	if (!jnode_is_object(&root))
		return jnode_err(&root, err, EINVAL, "must be an object");
	jnode_member(&root, "path", &path);
	if (!jnode_present(&path))
		return jnode_err(&path, err, EINVAL, "must be given");
	r = jnode_string(&path, &s->root_path, err);
	if (r < 0)
		return r;
	if (!*s->root_path)
		return jnode_err(&path, err, EINVAL, "must not be empty");
	r = jnode_get_bool(&root, "readonly", &s->root_readonly, err);
	return r < 0 ? r : 0;
}

static int parse_mount(const struct jnode *e, struct spec_mount *m, struct berr **err)
{
	struct jnode sub;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "destination", &sub);
	if (!jnode_present(&sub))
		return jnode_err(&sub, err, EINVAL, "must be given");
	r = jnode_string(&sub, &m->destination, err);
	if (r < 0)
		return r;
	if (!*m->destination)
		return jnode_err(&sub, err, EINVAL, "must not be empty");
	if (m->destination[0] != '/') {
		/* Deprecated relative destinations are taken from "/" (config.md). */
		char *abs = NULL;

		if (asprintf(&abs, "/%s", m->destination) < 0)
			return berr_set(err, ENOMEM, "out of memory");
		free(m->destination);
		m->destination = abs;
	}
	if ((r = jnode_get_string(e, "source", &m->source, err)) < 0 ||
	    (r = jnode_get_string(e, "type", &m->type, err)) < 0 ||
	    (r = jnode_get_strv(e, "options", &m->options, err)) < 0)
		return r;
	jnode_member(e, "uidMappings", &sub);
	r = oci_parse_id_mappings(&sub, &m->uid_mappings, err);
	if (r < 0)
		return r;
	jnode_member(e, "gidMappings", &sub);
	r = oci_parse_id_mappings(&sub, &m->gid_mappings, err);
	if (r < 0)
		return r;
	if (!m->uid_mappings.v != !m->gid_mappings.v)
		return jnode_err(e, err, EINVAL,
				 "uidMappings and gidMappings must be given together");
	r = mount_opts_parse(m->options, &m->opts);
	if (r < 0)
		return berr_set(err, -r, "out of memory");
	if ((m->opts.bind || (m->type && strcmp(m->type, "bind") == 0)) && !m->source) {
		jnode_member(e, "source", &sub);
		return jnode_err(&sub, err, EINVAL, "must be given for a bind mount");
	}
	if (m->uid_mappings.v && !m->opts.idmap)
		return jnode_err(e, err, EINVAL,
				 "uidMappings given without the 'idmap' or 'ridmap' option");
	if (m->opts.tmpcopyup && (!m->type || strcmp(m->type, "tmpfs") != 0)) {
		jnode_member(e, "options", &sub);
		return jnode_err(&sub, err, EINVAL, "'tmpcopyup' is only for tmpfs mounts");
	}
	if (m->opts.idmap && !(m->opts.bind || (m->type && strcmp(m->type, "bind") == 0))) {
		jnode_member(e, "options", &sub);
		return jnode_err(&sub, err, EINVAL, "'%s' is only supported on bind mounts",
				 m->opts.ridmap ? "ridmap" : "idmap");
	}
	return 0;
}

static int parse_mounts(const struct jnode *top, struct spec *s, struct berr **err)
{
	struct jnode mounts;
	size_t len;
	int r;

	jnode_member(top, "mounts", &mounts);
	if (!jnode_present(&mounts))
		return 0;
	r = jnode_expect_array(&mounts, err);
	if (r < 0)
		return r;
	len = jnode_array_len(&mounts);
	s->mounts = calloc(len + 1, sizeof(struct spec_mount));
	if (!s->mounts)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(&mounts, i, &e);
		s->n_mounts++;
		r = parse_mount(&e, &s->mounts[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_hook(const struct jnode *e, struct spec_hook *h, struct berr **err)
{
	struct jnode sub;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "path", &sub);
	if (!jnode_present(&sub))
		return jnode_err(&sub, err, EINVAL, "must be given");
	r = jnode_string(&sub, &h->path, err);
	if (r < 0)
		return r;
	if (h->path[0] != '/')
		return jnode_err(&sub, err, EINVAL, "must be an absolute path, not '%s'", h->path);
	if ((r = jnode_get_strv(e, "args", &h->args, err)) < 0 ||
	    (r = jnode_get_strv(e, "env", &h->env, err)) < 0)
		return r;
	jnode_member(e, "timeout", &sub);
	if (jnode_present(&sub)) {
		r = jnode_int_range(&sub, 1, INT32_MAX, &h->timeout.v, err);
		if (r < 0)
			return r;
		h->timeout.set = true;
	}
	return 0;
}

static int parse_hooks(const struct jnode *top, struct spec *s, struct berr **err)
{
	struct jnode hooks;
	int r;

	jnode_member(top, "hooks", &hooks);
	r = jnode_expect_object(&hooks, err);
	if (r < 0 || !jnode_present(&hooks))
		return r;
	for (int k = 0; k < _HOOK_KIND_MAX; k++) {
		struct jnode list;
		size_t len;

		jnode_member(&hooks, hook_names[k], &list);
		if (!jnode_present(&list))
			continue;
		r = jnode_expect_array(&list, err);
		if (r < 0)
			return r;
		len = jnode_array_len(&list);
		s->hooks[k].v = calloc(len + 1, sizeof(struct spec_hook));
		if (!s->hooks[k].v)
			return berr_set(err, ENOMEM, "out of memory");
		for (size_t i = 0; i < len; i++) {
			struct jnode e;

			jnode_array_at(&list, i, &e);
			s->hooks[k].n++;
			r = parse_hook(&e, &s->hooks[k].v[i], err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_version(const struct jnode *top, struct spec *s, struct berr **err)
{
	struct jnode v;
	int r;

	jnode_member(top, "ociVersion", &v);
	if (!jnode_present(&v))
		return jnode_err(&v, err, EINVAL, "must be given");
	r = jnode_string(&v, &s->oci_version, err);
	if (r < 0)
		return r;
	if (strncmp(s->oci_version, "1.", 2) != 0)
		return jnode_err(&v, err, EINVAL,
				 "unsupported version '%s' (berth-runtime implements 1.x)",
				 s->oci_version);
	return 0;
}

static int parse_top(const struct jnode *top, struct spec *s, struct berr **err)
{
	struct jnode sub;
	int r;

	if (!jnode_is_object(top))
		return berr_set(err, EINVAL, "must be a JSON object");
	if ((r = parse_version(top, s, err)) < 0 || (r = parse_root(top, s, err)) < 0 ||
	    (r = parse_mounts(top, s, err)) < 0 || (r = parse_hooks(top, s, err)) < 0)
		return r;
	if ((r = jnode_get_string(top, "hostname", &s->hostname, err)) < 0 ||
	    (r = jnode_get_string(top, "domainname", &s->domainname, err)) < 0)
		return r;
	jnode_member(top, "annotations", &sub);
	r = oci_parse_kv_map(&sub, &s->annotations, &s->n_annotations, err);
	if (r < 0)
		return r;
	jnode_member(top, "process", &sub);
	if (jnode_present(&sub)) {
		r = oci_parse_process(&sub, &s->process, err);
		if (r < 0)
			return r;
		/*
		 * As runc: no process.capabilities is no capabilities at all, not every one
		 * the runtime has (an exec's process.json without them keeps the container's).
		 */
		s->process->has_capabilities = true;
	}
	jnode_member(top, "linux", &sub);
	return oci_parse_linux(&sub, s, err);
}

/*
 * Without a mount namespace (new or joined) every mount, mask, device node and the root's
 * propagation would be made in the caller's, the host's, mount namespace, and left there:
 * refused, as runc refuses it ("unable to restrict sys entries without a private MNT
 * namespace"). What is left, a bare rootfs, is entered with chroot (init_child.c).
 */
static int validate_without_mount_ns(const struct spec *s, struct berr **err)
{
	const char *what = NULL;

	if (s->linux.ns[NS_MNT].enabled)
		return 0;
	if (s->n_mounts)
		what = "mounts";
	else if (s->linux.masked_paths && *s->linux.masked_paths)
		what = "linux.maskedPaths";
	else if (s->linux.readonly_paths && *s->linux.readonly_paths)
		what = "linux.readonlyPaths";
	else if (s->linux.n_devices)
		what = "linux.devices";
	else if (s->root_readonly)
		what = "root.readonly";
	else if (s->linux.rootfs_propagation)
		what = "linux.rootfsPropagation";
	if (what)
		return berr_set(err, EINVAL,
				"%s: needs a mount namespace (linux.namespaces has no \"mount\"): "
				"it would be made in the host's",
				what);
	return 0;
}

/* Rules that span sections; runc's libcontainer/configs/validate does the same. */
static int validate(struct spec *s, struct berr **err)
{
	const struct spec_namespace *ns = s->linux.ns;
	bool has_host = s->hostname && *s->hostname;
	int r;

	if ((has_host || (s->domainname && *s->domainname)) && !ns[NS_UTS].enabled)
		return berr_set(err, EINVAL, "%s: cannot be set without a uts namespace",
				has_host ? "hostname" : "domainname");
	if (s->process && s->process->user.n_additional_gids > 65536)
		return berr_set(err, E2BIG, "process.user.additionalGids: more than 65536");
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];

		/* config.md: no mapping of its own and no user namespace is an error. */
		if (m->opts.idmap && !m->uid_mappings.n && !ns[NS_USER].enabled)
			return berr_set(err, EINVAL,
					"mounts[%zu].options: '%s' needs the mount's uidMappings "
					"and gidMappings, or a user namespace",
					i, m->opts.ridmap ? "ridmap" : "idmap");
	}
	r = validate_without_mount_ns(s, err);
	return r < 0 ? r : sysctl_validate(s, err);
}

int oci_config_parse(const char *text, size_t len, struct spec **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_spec_ struct spec *s = NULL;
	struct jnode top;
	int r;

	r = jdoc_parse(text, len, "config.json", &doc, err);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return berr_set(err, ENOMEM, "out of memory");
	jdoc_root(doc, &top);
	r = parse_top(&top, s, err);
	if (r >= 0)
		r = validate(s, err);
	if (r < 0)
		return berr_wrap(err, "config.json");
	*ret = TAKE_PTR(s);
	return 0;
}

int oci_config_load(int bundle_dirfd, struct spec **ret, char **ret_text, size_t *ret_len,
		    struct berr **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(bundle_dirfd, "config.json", CONFIG_MAX_SIZE, &text, &len);
	if (r == -EFBIG)
		return berr_set(err, EFBIG, "config.json: larger than %u bytes", CONFIG_MAX_SIZE);
	if (r < 0)
		return berr_sys(err, -r, "cannot read 'config.json'");
	r = oci_config_parse(text, len, ret, err);
	if (r < 0)
		return r;
	if (ret_text)
		*ret_text = TAKE_PTR(text);
	if (ret_len)
		*ret_len = len;
	return 0;
}

static void mount_done(struct spec_mount *m)
{
	free(m->destination);
	free(m->source);
	free(m->type);
	strv_free(m->options);
	free(m->uid_mappings.v);
	free(m->gid_mappings.v);
	free(m->opts.data);
}

static void hook_done(struct spec_hook *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
}

struct spec *spec_free(struct spec *s)
{
	if (!s)
		return NULL;
	free(s->oci_version);
	free(s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++)
		mount_done(&s->mounts[i]);
	free(s->mounts);
	s->process = spec_process_free(s->process);
	free(s->hostname);
	free(s->domainname);
	for (int k = 0; k < _HOOK_KIND_MAX; k++) {
		for (size_t i = 0; i < s->hooks[k].n; i++)
			hook_done(&s->hooks[k].v[i]);
		free(s->hooks[k].v);
	}
	kv_free_array(s->annotations, s->n_annotations);
	spec_linux_done(&s->linux);
	strv_free(s->warnings);
	free(s);
	return NULL;
}
