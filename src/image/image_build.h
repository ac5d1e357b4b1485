/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Images made here rather than pulled: `berth import` (a root filesystem tarball
 * becomes a one-layer image) and the embedded default, a busybox image made from
 * Debian's busybox-static so that `berth run busybox` needs no network.
 */
#ifndef BERTH_IMAGE_IMAGE_BUILD_H
#define BERTH_IMAGE_IMAGE_BUILD_H

#include "image/digest.h"
#include "image/image_change.h"
#include "image/store.h"
#include "lib/err.h"

struct image_import_opts {
	const char *name;	/* "name[:tag]" or NULL (a dangling image) */
	const char *created;	/* RFC 3339; NULL: now */
	const char *created_by; /* history; NULL: "berth import" */
	const char *comment;	/* history comment (-m), or NULL */
	char *const *cmd;	/* Cmd, or NULL */
	char *const *env;	/* Env, or NULL */
	const char *platform;	/* "os/arch[/variant]"; NULL: this machine's */
	/* --change: replaces cmd and env when it sets them; NULL: none */
	const struct image_changes *changes;
};

/*
 * Read a tarball (plain, gzip or zstd) from fd and store it as a one-layer OCI image:
 * the layer gzip-compressed, unpacked, the config and manifest written, the name
 * recorded. *ret_id gets the image id.
 */
int image_import(struct image_store *s, int fd, const struct image_import_opts *o,
		 char ret_id[DIGEST_MAX], struct berr **err);

/*
 * Store the uncompressed tar read from fd as a layer: a gzip blob (*digest, *ret_size)
 * and the unpacked layer (*diff_id). The caller holds gc.lock shared until an image
 * record names the blob.
 */
int image_layer_add_tar(struct image_store *s, int fd, char digest[DIGEST_MAX],
			char diff_id[DIGEST_MAX], int64_t *ret_size, struct berr **err);

/*
 * The busybox image: a root filesystem with busybox at /bin/busybox, one symlink per
 * applet, /etc/passwd and /etc/group, named name (default "busybox:latest"). The same
 * busybox binary gives the same image id every time (times come from the binary).
 */
int image_create_busybox(struct image_store *s, const char *busybox, const char *name,
			 char ret_id[DIGEST_MAX], struct berr **err);

#endif
