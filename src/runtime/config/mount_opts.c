/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/config/mount_opts.h"

#include <errno.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

struct flag_opt {
	const char *name;
	bool clear;
	unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
	{"defaults", false, 0},
	{"ro", false, MS_RDONLY},
	{"rw", true, MS_RDONLY},
	{"suid", true, MS_NOSUID},
	{"nosuid", false, MS_NOSUID},
	{"dev", true, MS_NODEV},
	{"nodev", false, MS_NODEV},
	{"exec", true, MS_NOEXEC},
	{"noexec", false, MS_NOEXEC},
	{"sync", false, MS_SYNCHRONOUS},
	{"async", true, MS_SYNCHRONOUS},
	{"dirsync", false, MS_DIRSYNC},
	{"mand", false, MS_MANDLOCK},
	{"nomand", true, MS_MANDLOCK},
	{"atime", true, MS_NOATIME},
	{"noatime", false, MS_NOATIME},
	{"diratime", true, MS_NODIRATIME},
	{"nodiratime", false, MS_NODIRATIME},
	{"relatime", false, MS_RELATIME},
	{"norelatime", true, MS_RELATIME},
	{"strictatime", false, MS_STRICTATIME},
	{"nostrictatime", true, MS_STRICTATIME},
	{"iversion", false, MS_I_VERSION},
	{"noiversion", true, MS_I_VERSION},
	{"lazytime", false, MS_LAZYTIME},
	{"nolazytime", true, MS_LAZYTIME},
	{"silent", false, MS_SILENT},
	{"loud", true, MS_SILENT},
	{"nosymfollow", false, MS_NOSYMFOLLOW},
	{"symfollow", true, MS_NOSYMFOLLOW},
};

static const struct flag_opt propagation_opts[] = {
	{"private", false, MS_PRIVATE},	      {"rprivate", false, MS_PRIVATE | MS_REC},
	{"shared", false, MS_SHARED},	      {"rshared", false, MS_SHARED | MS_REC},
	{"slave", false, MS_SLAVE},	      {"rslave", false, MS_SLAVE | MS_REC},
	{"unbindable", false, MS_UNBINDABLE}, {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

/* Recursive options, applied with mount_setattr(AT_RECURSIVE); flag is MOUNT_ATTR_*. */
static const struct flag_opt attr_opts[] = {
	{"rro", false, MOUNT_ATTR_RDONLY},
	{"rrw", true, MOUNT_ATTR_RDONLY},
	{"rnosuid", false, MOUNT_ATTR_NOSUID},
	{"rsuid", true, MOUNT_ATTR_NOSUID},
	{"rnodev", false, MOUNT_ATTR_NODEV},
	{"rdev", true, MOUNT_ATTR_NODEV},
	{"rnoexec", false, MOUNT_ATTR_NOEXEC},
	{"rexec", true, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", true, MOUNT_ATTR_NODIRATIME},
	{"rrelatime", false, MOUNT_ATTR_RELATIME},
	{"rnorelatime", true, MOUNT_ATTR_RELATIME},
	{"rnoatime", false, MOUNT_ATTR_NOATIME},
	{"ratime", true, MOUNT_ATTR_NOATIME},
	{"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
	{"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
	{"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
	{"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

static const struct flag_opt *find(const struct flag_opt *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

unsigned long mount_propagation_from_string(const char *s)
{
	const struct flag_opt *o = find(propagation_opts, ELEMENTSOF(propagation_opts), s);

	return o ? o->flag : 0;
}

static bool is_atime_attr(unsigned long f)
{
	return f == MOUNT_ATTR_RELATIME || f == MOUNT_ATTR_NOATIME || f == MOUNT_ATTR_STRICTATIME;
}

static void apply_attr(struct mount_opts *o, const struct flag_opt *a)
{
	if (a->clear) {
		o->attr_clr |= a->flag;
		o->attr_set &= ~a->flag;
		return;
	}
	o->attr_set |= a->flag;
	o->attr_clr &= ~a->flag;
	/* The atime modes are one field of the attributes: setting one replaces it. */
	if (is_atime_attr(a->flag)) {
		o->attr_set &= ~(uint64_t) MOUNT_ATTR__ATIME | a->flag;
		o->attr_clr |= MOUNT_ATTR__ATIME;
	}
}

static int add_data(struct mount_opts *o, const char *opt)
{
	size_t old = o->data ? strlen(o->data) : 0, add = strlen(opt);
	char *n = realloc(o->data, old + add + 2);

	if (!n)
		return -ENOMEM;
	if (old)
		n[old++] = ',';
	memcpy(n + old, opt, add + 1);
	o->data = n;
	return 0;
}

static int apply_named(struct mount_opts *o, const char *opt)
{
	const struct flag_opt *f;

	if ((f = find(flag_opts, ELEMENTSOF(flag_opts), opt))) {
		if (f->clear) {
			o->flags &= ~f->flag;
			o->clear |= f->flag;
		} else {
			o->flags |= f->flag;
			o->clear &= ~f->flag;
		}
	} else if ((f = find(propagation_opts, ELEMENTSOF(propagation_opts), opt))) {
		o->propagation = f->flag;
	} else if ((f = find(attr_opts, ELEMENTSOF(attr_opts), opt))) {
		apply_attr(o, f);
	} else if (strcmp(opt, "bind") == 0 || strcmp(opt, "rbind") == 0) {
		/* Flags add up, as runc's MS_BIND | MS_REC: a later "bind" keeps "rbind". */
		o->bind = true;
		o->recursive |= opt[0] == 'r';
	} else if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0) {
		o->idmap = true;
		o->ridmap |= opt[0] == 'r';
	} else if (strcmp(opt, "tmpcopyup") == 0) {
		o->tmpcopyup = true;
	} else if (strcmp(opt, "remount") == 0) {
		o->remount = true;
	} else {
		return add_data(o, opt);
	}
	return 0;
}

int mount_opts_parse(char *const *options, struct mount_opts *ret)
{
	struct mount_opts o = {0};

	for (char *const *p = options; p && *p; p++) {
		int r;

		if (!**p)
			continue;
		r = apply_named(&o, *p);
		if (r < 0) {
			free(o.data);
			return r;
		}
	}
	free(ret->data);
	*ret = o;
	return 0;
}
