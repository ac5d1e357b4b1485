/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/config/oci_features.h"

#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "runtime/security/caps.h"
#include "runtime/config/mount_opts.h"
#include "runtime/process/namespaces.h"
#include "runtime/config/oci_config.h"
#include "runtime/security/seccomp.h"
#include "runtime/config/support.h"

/* config.h: 1 when berth is built with libseccomp (meson.build requires it). */
#ifndef BERTH_HAVE_SECCOMP
#define BERTH_HAVE_SECCOMP 0
#endif

/*
 * The mount options of config.md (features.md's list, plus idmap and ridmap). One is
 * listed when the parser knows it (it does not end up as filesystem data) and the runtime
 * applies it.
 */
static const char *const spec_mount_options[] = {
	"async",	 "atime",	 "bind",
	"defaults",	 "dev",		 "diratime",
	"dirsync",	 "exec",	 "idmap",
	"iversion",	 "lazytime",	 "loud",
	"mand",		 "noatime",	 "nodev",
	"nodiratime",	 "noexec",	 "noiversion",
	"nolazytime",	 "nomand",	 "norelatime",
	"nostrictatime", "nosuid",	 "nosymfollow",
	"private",	 "ratime",	 "rbind",
	"rdev",		 "rdiratime",	 "relatime",
	"remount",	 "rexec",	 "ridmap",
	"rnoatime",	 "rnodev",	 "rnodiratime",
	"rnoexec",	 "rnorelatime",	 "rnostrictatime",
	"rnosuid",	 "rnosymfollow", "ro",
	"rprivate",	 "rrelatime",	 "rro",
	"rrw",		 "rshared",	 "rslave",
	"rstrictatime",	 "rsuid",	 "rsymfollow",
	"runbindable",	 "rw",		 "shared",
	"silent",	 "slave",	 "strictatime",
	"suid",		 "symfollow",	 "sync",
	"tmpcopyup",	 "unbindable",
};

static bool mount_option_applied(const char *name)
{
	struct mount_opts o = {0};
	char *opts[] = {(char *) name, NULL};
	bool known;

	if (mount_opts_parse(opts, &o) < 0)
		return false;
	known = o.data == NULL;
	free(o.data);
	if (o.idmap)
		return known && support_field_applied("mounts[].options: idmap");
	if (o.tmpcopyup)
		return known && support_field_applied("mounts[].options: tmpcopyup");
	return known;
}

static struct jwriter *mount_options(void)
{
	struct jwriter *a = jw_array();

	for (size_t i = 0; i < ELEMENTSOF(spec_mount_options); i++)
		if (mount_option_applied(spec_mount_options[i]))
			jw_append_str(a, spec_mount_options[i]);
	return a;
}

static struct jwriter *hooks(void)
{
	struct jwriter *a = jw_array();

	if (!support_field_applied("hooks"))
		return a;
	for (int k = 0; k < _HOOK_KIND_MAX; k++)
		jw_append_str(a, hook_kind_name((enum hook_kind) k));
	return a;
}

static struct jwriter *enabled(bool on)
{
	struct jwriter *o = jw_object();

	jw_bool(o, "enabled", on);
	return o;
}

static struct jwriter *names(int n, const char *(*name)(int), bool (*keep)(int))
{
	struct jwriter *a = jw_array();

	for (int i = 0; i < n; i++)
		if (!keep || keep(i))
			jw_append_str(a, name(i));
	return a;
}

/* features-linux.md: every name the parser takes, and the flags this kernel takes. */
static struct jwriter *seccomp(void)
{
	bool on = BERTH_HAVE_SECCOMP && support_field_applied("linux.seccomp");
	struct jwriter *o = enabled(on);

	if (!on)
		return o;
	jw_put(o, "actions", names(_SECCOMP_ACT_MAX, seccomp_action_name, NULL));
	jw_put(o, "operators", names(_SECCOMP_OP_MAX, seccomp_op_name, NULL));
	jw_put(o, "archs", names(_SECCOMP_ARCH_MAX, seccomp_arch_name, NULL));
	jw_put(o, "knownFlags", names(_SECCOMP_FLAG_MAX, seccomp_flag_name, NULL));
	jw_put(o, "supportedFlags",
	       names(_SECCOMP_FLAG_MAX, seccomp_flag_name, seccomp_flag_supported));
	return o;
}

static struct jwriter *name_list(const char *(*name)(size_t i))
{
	struct jwriter *a = jw_array();

	for (size_t i = 0; name(i); i++)
		jw_append_str(a, name(i));
	return a;
}

/* features-linux.md: the modes and flags linux.memoryPolicy takes. */
static struct jwriter *memory_policy(void)
{
	struct jwriter *o = jw_object();

	jw_put(o, "modes", name_list(oci_memory_policy_mode_name));
	jw_put(o, "flags", name_list(oci_memory_policy_flag_name));
	return o;
}

static struct jwriter *cgroup(void)
{
	struct jwriter *o = jw_object();

	jw_bool(o, "v1", true);
	jw_bool(o, "v2", true);
	jw_bool(o, "systemd", false);
	jw_bool(o, "systemdUser", false);
	jw_bool(o, "rdma", support_field_applied("linux.resources.rdma"));
	return o;
}

static struct jwriter *linux_features(void)
{
	struct jwriter *o = jw_object(), *ns = jw_array(), *caps = jw_array(), *ext = jw_object();

	for (int t = 0; t < _NS_TYPE_MAX; t++)
		jw_append_str(ns, ns_info[t].spec_name);
	jw_put(o, "namespaces", ns);
	for (int c = 0; c <= cap_last_known(); c++)
		jw_append_str(caps, cap_name(c));
	jw_put(o, "capabilities", caps);
	jw_put(o, "cgroup", cgroup());
	jw_put(o, "seccomp", seccomp());
	jw_put(o, "apparmor", enabled(support_field_applied("process.apparmorProfile")));
	jw_put(o, "selinux", enabled(support_field_applied("process.selinuxLabel")));
	jw_put(o, "intelRdt", enabled(support_field_applied("linux.intelRdt")));
	jw_put(ext, "idmap", enabled(support_field_applied("mounts[].options: idmap")));
	jw_put(o, "mountExtensions", ext);
	jw_put(o, "netDevices", enabled(support_field_applied("linux.netDevices")));
	if (support_field_applied("linux.memoryPolicy"))
		jw_put(o, "memoryPolicy", memory_policy());
	return o;
}

static struct jwriter *annotations(void)
{
	struct jwriter *o = jw_object();

	jw_str(o, "org.berth.runtime.version", BERTH_VERSION);
	jw_str(o, "org.berth.runtime.checkpoint.enabled", "false");
#ifdef BERTH_LIBSECCOMP_VERSION
	jw_str(o, "io.github.seccomp.libseccomp.version", BERTH_LIBSECCOMP_VERSION);
#endif
	return o;
}

int features_json(char **ret, struct berr **err)
{
	_cleanup_jw_ struct jwriter *o = jw_object();
	char *text;

	jw_str(o, "ociVersionMin", BERTH_OCI_VERSION_MIN);
	jw_str(o, "ociVersionMax", BERTH_OCI_VERSION);
	jw_put(o, "hooks", hooks());
	jw_put(o, "mountOptions", mount_options());
	jw_put(o, "linux", linux_features());
	jw_put(o, "annotations", annotations());
	/* No annotation of config.json changes what berth does. */
	jw_put(o, "potentiallyUnsafeConfigAnnotations", jw_array());
	text = jw_to_string(o, true);
	if (!text)
		return berr_set(err, ENOMEM, "out of memory");
	*ret = text;
	return 0;
}
