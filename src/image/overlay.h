/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mounting a stack of layers with OverlayFS: the image's lower directories (top first)
 * and, for a container, a writable upper directory with its work directory. Uses the
 * fd-based mount API with one "lowerdir+" per layer where the kernel has it (6.8+: no
 * limit on the number of layers), else mount(2) with the joined option string, which
 * must fit in a page: when the layers' paths are too long for that, each directory is
 * named by a short /proc/self/fd/N instead (~200 layers fit).
 */
#ifndef BERTH_IMAGE_OVERLAY_H
#define BERTH_IMAGE_OVERLAY_H

#include <stdbool.h>

#include "lib/err.h"

struct overlay_spec {
	char *const *lowerdirs; /* top first, at least one */
	const char *upperdir;	/* NULL: a read-only mount of the lowers */
	const char *workdir;	/* with upperdir: an empty dir on the same filesystem */
	bool readonly;		/* mount read-only even with an upper dir */
	bool legacy;		/* tests: skip "lowerdir+", as on a kernel before 6.8 */
};

/* Does a kernel of this uname release have overlayfs "lowerdir+" (Linux 6.8)? Pure. */
bool overlay_release_has_lowerdir_plus(const char *release);

/*
 * The mount(2) option string "lowerdir=a:b,upperdir=u,workdir=w" (upperdir NULL: no
 * upper) in buf, with ':', ',' and '\\' escaped. Returns its length, or -E2BIG when it
 * does not fit in size bytes.
 */
int overlay_options(char *const *lowerdirs, const char *upperdir, const char *workdir, char *buf,
		    size_t size);

/* Mount the overlay described by spec on target (an existing directory). */
int overlay_mount(const struct overlay_spec *spec, const char *target, struct berr **err);

/* Unmount target (lazily: MNT_DETACH). */
int overlay_unmount(const char *target, struct berr **err);

#endif
