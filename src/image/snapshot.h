/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshots: a container's root filesystem made from an image, for the containers half
 * of the engine. A snapshot is snapshots/<key>/ with upper/ and work/ (the container's
 * writable layer) and snapshot.json (the image id and its layers' diff_ids). While it
 * exists, the image and its layers are kept by garbage collection, and rmi refuses the
 * image without --force.
 *
 *   image_snapshot_create(store, "ctr-123", img, &err);   // once, at container create
 *   image_snapshot_mount(store, "ctr-123", rootfs, &err);  // each start
 *   overlay_unmount(rootfs, &err);                         // each stop
 *   image_snapshot_remove(store, "ctr-123", &err);         // container rm
 */
#ifndef BERTH_IMAGE_SNAPSHOT_H
#define BERTH_IMAGE_SNAPSHOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "image/store.h"
#include "lib/err.h"

/* Keys are [A-Za-z0-9_.-]{1,128} and do not start with '.'. */
bool image_snapshot_key_valid(const char *key);

/* Create the snapshot key of img (-EEXIST if the key is taken). */
int image_snapshot_create(struct image_store *s, const char *key, const struct image *img,
			  struct berr **err);

/* A user namespace's mapping for the layers: userns_fd, and the host ids of its root. */
struct snapshot_idmap {
	int userns_fd;
	uid_t uid;
	gid_t gid;
};

/*
 * Mount the snapshot's overlay (its layers and its upper dir) on target. With idmap, the
 * layers are idmapped through idmap->userns_fd and the upper dir belongs to its root
 * (snapshot_idmap.c); NULL: the host's ids.
 */
int image_snapshot_mount(struct image_store *s, const char *key, const char *target,
			 const struct snapshot_idmap *idmap, struct berr **err);

/* The overlay spec mounted on target over layers idmapped as idmap says. */
struct overlay_spec;
int snapshot_mount_idmapped(const struct overlay_spec *spec, const char *target,
			    const struct snapshot_idmap *idmap, struct berr **err);

/* "<store>/snapshots/<key>/upper" in buf (to inspect or copy out a container's changes). */
int image_snapshot_upper(struct image_store *s, const char *key, char *buf, size_t size);

/* The bytes its upper (writable) layer holds: docker's SizeRw. */
uint64_t image_snapshot_size(struct image_store *s, const char *key);

/* Remove the snapshot and its upper layer; a missing key is success. */
int image_snapshot_remove(struct image_store *s, const char *key, struct berr **err);

/*
 * Mount the image ref (a name or an id) read-only on target: an overlay of its layers
 * and no upper dir (`berth image mount`).
 */
int image_mount_readonly(struct image_store *s, const char *ref, const char *target,
			 struct berr **err);

/* The image id of snapshot key (malloc'd into *ret). */
int image_snapshot_image(struct image_store *s, const char *key, char **ret, struct berr **err);

#endif
