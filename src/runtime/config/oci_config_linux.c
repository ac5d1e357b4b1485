/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: the "linux" object, except resources and seccomp (files of their own). */
#include "runtime/config/oci_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "runtime/config/mount_opts.h"
#include "runtime/process/namespaces.h"
#include "runtime/process/netdev.h"
#include "runtime/process/process_attrs.h"

static int parse_namespaces(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	struct jnode list;
	size_t len;
	int r;

	jnode_member(l, "namespaces", &list);
	r = jnode_expect_array(&list, err);
	if (r < 0)
		return r;
	len = jnode_array_len(&list);
	for (size_t i = 0; i < len; i++) {
		_cleanup_free_ char *type = NULL;
		struct jnode e, m;
		int t;

		jnode_array_at(&list, i, &e);
		if (!jnode_is_object(&e))
			return jnode_err(&e, err, EINVAL, "must be an object");
		jnode_member(&e, "type", &m);
		if (!jnode_present(&m))
			return jnode_err(&m, err, EINVAL, "must be given");
		if ((r = jnode_string(&m, &type, err)) < 0)
			return r;
		t = ns_type_from_spec_name(type);
		if (t < 0)
			return jnode_err(&m, err, EINVAL, "unknown namespace type '%s'", type);
		if (out->ns[t].enabled)
			return jnode_err(&m, err, EINVAL, "namespace '%s' given twice", type);
		out->ns[t].enabled = true;
		if ((r = jnode_get_string(&e, "path", &out->ns[t].path, err)) < 0)
			return r;
		if (out->ns[t].path && !*out->ns[t].path) {
			jnode_member(&e, "path", &m);
			return jnode_err(&m, err, EINVAL, "must not be empty");
		}
	}
	return 0;
}

static int parse_time_offset(const struct jnode *offsets, const char *key,
			     struct spec_time_offset *t, struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(offsets, key, &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	if ((r = jnode_get_int64(&m, "secs", &t->secs, err)) < 0 ||
	    (r = jnode_get_uint32(&m, "nanosecs", &t->nanosecs, err)) < 0)
		return r;
	if (t->nanosecs >= 1000000000u)
		return jnode_err(&m, err, EINVAL, "nanosecs: must be below 1000000000");
	t->set = true;
	return 0;
}

static int parse_device(const struct jnode *e, struct spec_device *d, struct berr **err)
{
	_cleanup_free_ char *type = NULL;
	struct jnode m;
	int r;

	if (!jnode_is_object(e))
		return jnode_err(e, err, EINVAL, "must be an object");
	jnode_member(e, "type", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	if ((r = jnode_string(&m, &type, err)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return jnode_err(&m, err, EINVAL, "must be 'c', 'b', 'u' or 'p', not '%s'", type);
	d->type = type[0];
	jnode_member(e, "path", &m);
	if (!jnode_present(&m))
		return jnode_err(&m, err, EINVAL, "must be given");
	if ((r = jnode_string(&m, &d->path, err)) < 0)
		return r;
	if (d->path[0] != '/')
		return jnode_err(&m, err, EINVAL, "must be an absolute path, not '%s'", d->path);
	/* "/dev/foo/" names /dev/foo, as runc's filepath.Clean makes it. */
	for (size_t n = strlen(d->path); n > 1 && d->path[n - 1] == '/'; n--)
		d->path[n - 1] = '\0';
	if ((r = jnode_get_int64(e, "major", &d->major, err)) < 0)
		return r;
	if (r == 0 && d->type != 'p')
		return jnode_err(e, err, EINVAL, "major: must be given for a '%c' device", d->type);
	if ((r = jnode_get_int64(e, "minor", &d->minor, err)) < 0)
		return r;
	if (r == 0 && d->type != 'p')
		return jnode_err(e, err, EINVAL, "minor: must be given for a '%c' device", d->type);
	if (d->major < 0 || d->major > 0xfffff || d->minor < 0 || d->minor > 0xfffff)
		return jnode_err(e, err, EINVAL, "major and minor must be between 0 and 1048575");
	r = jnode_get_uint32(e, "fileMode", &d->file_mode.v, err);
	if (r < 0)
		return r;
	d->file_mode.set = r > 0;
	if (d->file_mode.v > 07777)
		return jnode_err(e, err, EINVAL, "fileMode: must be at most 07777");
	if ((r = jnode_get_uint32(e, "uid", &d->uid.v, err)) < 0)
		return r;
	d->uid.set = r > 0;
	if ((r = jnode_get_uint32(e, "gid", &d->gid.v, err)) < 0)
		return r;
	d->gid.set = r > 0;
	return 0;
}

static int parse_devices(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	struct jnode list;
	size_t len;
	int r;

	jnode_member(l, "devices", &list);
	if (!jnode_present(&list))
		return 0;
	if ((r = jnode_expect_array(&list, err)) < 0)
		return r;
	len = jnode_array_len(&list);
	out->devices = calloc(len + 1, sizeof(struct spec_device));
	if (!out->devices)
		return berr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++) {
		struct jnode e;

		jnode_array_at(&list, i, &e);
		out->n_devices++;
		r = parse_device(&e, &out->devices[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

struct netdev_collect {
	struct kv *v;
	size_t n;
};

static int netdev_member(const struct jnode *child, void *userdata, struct berr **err)
{
	struct netdev_collect *c = userdata;
	char *name = NULL;
	int r;

	if (!jnode_is_object(child))
		return jnode_err(child, err, EINVAL, "must be an object");
	r = jnode_get_string(child, "name", &name, err);
	if (r < 0)
		return r;
	c->v[c->n].key = strdup(child->key);
	c->v[c->n].value = name ? name : strdup("");
	c->n++;
	if (!c->v[c->n - 1].key || !c->v[c->n - 1].value)
		return berr_set(err, ENOMEM, "out of memory");
	return 0;
}

static int parse_net_devices(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	struct netdev_collect c = {0};
	struct jnode m;
	int r;

	jnode_member(l, "netDevices", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	c.v = calloc(jnode_object_len(&m) + 1, sizeof(struct kv));
	if (!c.v)
		return berr_set(err, ENOMEM, "out of memory");
	r = jnode_foreach_member(&m, netdev_member, &c, err);
	out->net_devices = c.v;
	out->n_net_devices = c.n;
	return r < 0 ? r : 0;
}

static int parse_propagation(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	_cleanup_free_ char *s = NULL;
	struct jnode m;
	int r;

	jnode_member(l, "rootfsPropagation", &m);
	if (!jnode_present(&m))
		return 0;
	if ((r = jnode_string(&m, &s, err)) < 0)
		return r;
	if (!*s)
		return 0;
	out->rootfs_propagation = mount_propagation_from_string(s);
	if (!out->rootfs_propagation)
		return jnode_err(&m, err, EINVAL, "unknown propagation '%s'", s);
	return 0;
}

static int parse_intel_rdt(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	struct jnode m;
	int r;

	jnode_member(l, "intelRdt", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	out->has_intel_rdt = true;
	if ((r = jnode_get_string(&m, "closID", &out->intel_rdt.clos_id, err)) < 0 ||
	    (r = jnode_get_strv(&m, "schemata", &out->intel_rdt.schemata, err)) < 0 ||
	    (r = jnode_get_string(&m, "l3CacheSchema", &out->intel_rdt.l3_cache_schema, err)) < 0 ||
	    (r = jnode_get_string(&m, "memBwSchema", &out->intel_rdt.mem_bw_schema, err)) < 0 ||
	    (r = jnode_get_bool(&m, "enableMonitoring", &out->intel_rdt.enable_monitoring, err)) <
		    0)
		return r;
	return 0;
}

static const struct {
	const char *name;
	int value;
} mpol_modes[] =
	{
		{"MPOL_DEFAULT", 0},
		{"MPOL_PREFERRED", 1},
		{"MPOL_BIND", 2},
		{"MPOL_INTERLEAVE", 3},
		{"MPOL_LOCAL", 4},
		{"MPOL_PREFERRED_MANY", 5},
		{"MPOL_WEIGHTED_INTERLEAVE", 6},
},
  mpol_flags[] = {
	  {"MPOL_F_STATIC_NODES", 1 << 15},
	  {"MPOL_F_RELATIVE_NODES", 1 << 14},
	  {"MPOL_F_NUMA_BALANCING", 1 << 13},
};

const char *oci_memory_policy_mode_name(size_t i)
{
	return i < ELEMENTSOF(mpol_modes) ? mpol_modes[i].name : NULL;
}

const char *oci_memory_policy_flag_name(size_t i)
{
	return i < ELEMENTSOF(mpol_flags) ? mpol_flags[i].name : NULL;
}

static int parse_memory_policy(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	_cleanup_strv_ char **flags = NULL;
	_cleanup_free_ char *mode = NULL;
	struct jnode m, sub;
	int r;

	jnode_member(l, "memoryPolicy", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	out->has_memory_policy = true;
	if ((r = jnode_get_string(&m, "mode", &mode, err)) < 0 ||
	    (r = jnode_get_string(&m, "nodes", &out->memory_policy.nodes, err)) < 0 ||
	    (r = jnode_get_strv(&m, "flags", &flags, err)) < 0)
		return r;
	out->memory_policy.mode = -1;
	for (size_t i = 0; mode && i < ELEMENTSOF(mpol_modes); i++)
		if (strcmp(mode, mpol_modes[i].name) == 0)
			out->memory_policy.mode = mpol_modes[i].value;
	jnode_member(&m, "mode", &sub);
	if (out->memory_policy.mode < 0)
		return jnode_err(&sub, err, EINVAL, mode ? "unknown mode '%s'" : "must be given%s",
				 mode ? mode : "");
	STRV_FOREACH (f, flags) {
		size_t i;

		for (i = 0; i < ELEMENTSOF(mpol_flags); i++)
			if (strcmp(*f, mpol_flags[i].name) == 0)
				break;
		jnode_member(&m, "flags", &sub);
		if (i == ELEMENTSOF(mpol_flags))
			return jnode_err(&sub, err, EINVAL, "unknown flag '%s'", *f);
		out->memory_policy.flags |= (unsigned) mpol_flags[i].value;
	}
	return 0;
}

static int parse_personality(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	_cleanup_free_ char *domain = NULL;
	struct jnode m, sub;
	int r;

	jnode_member(l, "personality", &m);
	if (!jnode_present(&m))
		return 0;
	if (!jnode_is_object(&m))
		return jnode_err(&m, err, EINVAL, "must be an object");
	out->has_personality = true;
	if ((r = jnode_get_string(&m, "domain", &domain, err)) < 0 ||
	    (r = jnode_get_strv(&m, "flags", &out->personality.flags, err)) < 0)
		return r;
	jnode_member(&m, "domain", &sub);
	if (!domain)
		return jnode_err(&sub, err, EINVAL, "must be given");
	if (strcmp(domain, "LINUX") == 0)
		out->personality.domain = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		out->personality.domain = PER_LINUX32;
	else
		return jnode_err(&sub, err, EINVAL, "must be 'LINUX' or 'LINUX32', not '%s'",
				 domain);
	return 0;
}

static int check_abs_paths(const struct jnode *l, const char *key, char **v, struct berr **err)
{
	STRV_FOREACH (p, v) {
		if ((*p)[0] != '/') {
			struct jnode m;

			jnode_member(l, key, &m);
			return jnode_err(&m, err, EINVAL, "'%s' is not an absolute path", *p);
		}
	}
	return 0;
}

static int parse_linux_paths(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	struct jnode m;
	int r;

	if ((r = jnode_get_string(l, "cgroupsPath", &out->cgroups_path, err)) < 0 ||
	    (r = jnode_get_strv(l, "maskedPaths", &out->masked_paths, err)) < 0 ||
	    (r = jnode_get_strv(l, "readonlyPaths", &out->readonly_paths, err)) < 0 ||
	    (r = check_abs_paths(l, "maskedPaths", out->masked_paths, err)) < 0 ||
	    (r = check_abs_paths(l, "readonlyPaths", out->readonly_paths, err)) < 0 ||
	    (r = jnode_get_string(l, "mountLabel", &out->mount_label, err)) < 0)
		return r;
	jnode_member(l, "sysctl", &m);
	return oci_parse_kv_map(&m, &out->sysctl, &out->n_sysctl, err);
}

static int parse_linux_sections(const struct jnode *l, struct spec_linux *out, struct berr **err)
{
	struct jnode m;
	int r;

	if ((r = parse_namespaces(l, out, err)) < 0)
		return r;
	jnode_member(l, "uidMappings", &m);
	if ((r = oci_parse_id_mappings(&m, &out->uid_mappings, err)) < 0)
		return r;
	jnode_member(l, "gidMappings", &m);
	if ((r = oci_parse_id_mappings(&m, &out->gid_mappings, err)) < 0)
		return r;
	jnode_member(l, "timeOffsets", &m);
	if ((r = jnode_expect_object(&m, err)) < 0 ||
	    (r = parse_time_offset(&m, "boottime", &out->time_boottime, err)) < 0 ||
	    (r = parse_time_offset(&m, "monotonic", &out->time_monotonic, err)) < 0)
		return r;
	if ((r = parse_devices(l, out, err)) < 0 || (r = parse_net_devices(l, out, err)) < 0 ||
	    (r = parse_propagation(l, out, err)) < 0 || (r = parse_linux_paths(l, out, err)) < 0 ||
	    (r = parse_intel_rdt(l, out, err)) < 0 || (r = parse_memory_policy(l, out, err)) < 0 ||
	    (r = parse_personality(l, out, err)) < 0)
		return r;
	jnode_member(l, "resources", &m);
	if ((r = oci_parse_resources(&m, &out->resources, err)) < 0)
		return r;
	jnode_member(l, "seccomp", &m);
	return oci_parse_seccomp(&m, &out->seccomp, err);
}

/* Rules between fields of "linux", as runc's validator has them. */
static int validate_linux(const struct spec_linux *l, struct berr **err)
{
	const struct spec_namespace *user = &l->ns[NS_USER];

	if ((l->uid_mappings.n || l->gid_mappings.n) && !user->enabled)
		return berr_set(err, EINVAL,
				"linux.%s: given without a user namespace in linux.namespaces",
				l->uid_mappings.n ? "uidMappings" : "gidMappings");
	if (user->enabled && !user->path && (!l->uid_mappings.n || !l->gid_mappings.n))
		return berr_set(err, EINVAL,
				"linux.%s: a new user namespace needs uidMappings and gidMappings",
				l->uid_mappings.n ? "gidMappings" : "uidMappings");
	if ((l->time_boottime.set || l->time_monotonic.set) &&
	    (!l->ns[NS_TIME].enabled || l->ns[NS_TIME].path))
		return berr_set(err, EINVAL, "linux.timeOffsets: need a new time namespace");
	if (l->n_net_devices && (!l->ns[NS_NET].enabled || l->ns[NS_NET].path))
		return berr_set(err, EINVAL, "linux.netDevices: need a new network namespace");
	if (netdev_validate(l, err) < 0)
		return -EINVAL;
	return linux_attrs_validate(l, err);
}

int oci_parse_linux(const struct jnode *n, struct spec *s, struct berr **err)
{
	int r;

	if (!jnode_present(n))
		return 0;
	if (!jnode_is_object(n))
		return jnode_err(n, err, EINVAL, "must be an object");
	r = parse_linux_sections(n, &s->linux, err);
	if (r < 0)
		return r;
	return validate_linux(&s->linux, err);
}

void spec_linux_done(struct spec_linux *l)
{
	for (int t = 0; t < _NS_TYPE_MAX; t++)
		free(l->ns[t].path);
	free(l->uid_mappings.v);
	free(l->gid_mappings.v);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	kv_free_array(l->net_devices, l->n_net_devices);
	free(l->cgroups_path);
	spec_resources_done(&l->resources);
	spec_seccomp_done(&l->seccomp);
	kv_free_array(l->sysctl, l->n_sysctl);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->intel_rdt.clos_id);
	strv_free(l->intel_rdt.schemata);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	free(l->memory_policy.nodes);
	strv_free(l->personality.flags);
}
