/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unpacking a layer (image-spec layer.md) into a directory that OverlayFS can use as a
 * lower layer: a tar stream, plain, gzip or zstd (libarchive), applied with its
 * ownership, modes, times, xattrs, hardlinks and device nodes; OCI whiteouts become
 * OverlayFS whiteouts (".wh.NAME" a 0/0 character device NAME, ".wh..wh..opq" the
 * trusted.overlay.opaque=y xattr on the directory).
 *
 * Every path stays inside the destination (the attack is a tar entry "../../etc/x", an
 * absolute path, or a write through a symlink that an earlier entry planted): names are
 * cleaned lexically and one that climbs out is refused, parents are opened with
 * openat2(RESOLVE_IN_ROOT) (safe_path.c), and the last component is always created with
 * *at() calls that do not follow it. trusted.overlay.* xattrs in a layer are dropped:
 * they would steer the overlay mount (redirects, metacopy).
 *
 * While unpacking, the compressed stream and the uncompressed tar are hashed, so the
 * caller checks the descriptor's digest and the config's diff_id in the same pass.
 */
#ifndef BERTH_IMAGE_LAYER_UNPACK_H
#define BERTH_IMAGE_LAYER_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "lib/err.h"

struct layer_unpack_result {
	char digest[DIGEST_MAX];  /* sha256 of the stream as read (compressed) */
	char diff_id[DIGEST_MAX]; /* sha256 of the uncompressed tar */
	uint64_t tar_size;	  /* bytes of uncompressed tar */
	uint64_t content_size;	  /* bytes of regular file content */
	uint64_t entries;
};

/*
 * Unpack the layer read from fd (to its end) into the directory destfd (which should be
 * empty; any fd on a directory). Compression is detected. On success *ret (optional) has
 * the digests; the caller compares them with what it expected. On failure the
 * directory holds a partial layer that the caller removes.
 */
int layer_unpack_fd(int fd, int destfd, struct layer_unpack_result *ret, struct berr **err);

/*
 * The same for the outer tar of an image archive (berth load): a device node or FIFO
 * entry is refused (layers inside it keep theirs: they are unpacked with
 * layer_unpack_fd()), so nothing but regular files is there to be read.
 */
int layer_unpack_archive_fd(int fd, int destfd, struct berr **err);

/* The same from a buffer (for tests and fuzzing). */
int layer_unpack_buffer(const void *buf, size_t len, int destfd, struct layer_unpack_result *ret,
			struct berr **err);

/*
 * Clean a tar entry name: strip leading '/' and "./", drop "." components and resolve
 * ".." lexically. Writes the result (no leading or trailing '/'; "" for the root) to out.
 * Returns -EPERM when ".." climbs above the root, -ENAMETOOLONG, or 0.
 */
int layer_clean_path(const char *name, char *out, size_t size);

#endif
