/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image store under <root>/image:
 *
 *   lock, gc.lock            flock(2) files: the index, and garbage collection
 *   images.json              the index: images by id (config digest), their manifest,
 *                            names (tags) and repo digests; replaced atomically
 *   blobs/sha256/<hex>       content-addressed blobs, verified when written and read
 *   ingest/                  blobs being written (a partial download resumes from here)
 *   layers/<hex>/diff        an unpacked layer (hex of its diff_id): an OverlayFS lower
 *   layers/<hex>/layer.json  its sizes; the directory appears by rename when complete
 *   snapshots/<key>/         a container's rootfs: upper/, work/, snapshot.json
 *   build-cache/<hex>        a build step's key -> {"image", "manifest"} (build_cache.h)
 *   tmp/                     layers being unpacked, archives being read
 *   empty/                   an empty lower for read-only mounts of one-layer images
 *
 * A layer is keyed by its diff_id, not its chain: OverlayFS whiteouts are relative to
 * whatever lies below, so one unpacked directory serves every image that has the layer.
 * References are counted by marking from the roots (the index, the snapshots, the build
 * cache's entries) when garbage is collected, not by stored counters that a crash could
 * leave wrong.
 */
#ifndef BERTH_IMAGE_STORE_H
#define BERTH_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/image_config.h"
#include "image/manifest.h"
#include "image/store_handle.h"
#include "lib/err.h"

#define STORE_DEFAULT_ROOT "/var/lib/berth"

/*
 * Open (creating it if needed) the store under the engine root dir. Leftovers of killed
 * writers (unlocked temporary files and directories) are removed. The caller frees
 * *ret with image_store_free().
 */
int image_store_open(const char *root, struct image_store **ret, struct berr **err);
struct image_store *image_store_free(struct image_store *s);
static inline void image_store_freep(struct image_store **s)
{
	*s = image_store_free(*s);
}
#define _cleanup_image_store_ __attribute__((cleanup(image_store_freep)))

/* Take the named lock ("lock" or "gc.lock"): exclusive, or shared. Returns the fd. */
int image_store_lock(struct image_store *s, const char *name, bool exclusive);

/* One image of the index. */
struct image_record {
	char *id;	/* config digest: the image ID */
	char *manifest; /* manifest digest */
	char *index;	/* index digest it was chosen from, or NULL */
	char **names;	/* "docker.io/library/busybox:latest", ... */
	char **digests; /* "docker.io/library/busybox@sha256:...", ... */
	char *added;	/* RFC 3339 */
};

struct image_list {
	struct image_record *v;
	size_t n;
};

/* Read the index (an empty list when there is none). Free with image_list_free(). */
int image_list_load(struct image_store *s, struct image_list **ret, struct berr **err);
struct image_list *image_list_free(struct image_list *l);
static inline void image_list_freep(struct image_list **l)
{
	*l = image_list_free(*l);
}
#define _cleanup_image_list_ __attribute__((cleanup(image_list_freep)))

/* Write the index atomically. The caller holds the "lock" lock. */
int image_list_save(struct image_store *s, const struct image_list *l, struct berr **err);

/*
 * The record that ref names: a name ("busybox", "busybox:1", "host/x@sha256:..."),
 * a full id ("sha256:<hex>") or a unique id prefix ("3f5e"). Returns its position, or
 * -ENOENT / -EINVAL (ambiguous prefix, bad reference) with *err set.
 */
int image_list_find(const struct image_list *l, const char *ref, struct berr **err);

/* The position of the record with id, or -ENOENT. */
int image_list_find_id(const struct image_list *l, const char *id);

/* Remove name from every record (records are kept, maybe with no name left). */
void image_list_untag(struct image_list *l, const char *name);

/* Remove record i. */
void image_list_remove(struct image_list *l, size_t i);

/*
 * Record an image: the record with id is created or updated (its manifest and index
 * replaced), and name (may be NULL) moved to it from any other record, repo_digest
 * (may be NULL) added. Takes the index lock itself.
 */
struct image_add {
	const char *id, *manifest, *index;
	const char *name;
	const char *repo_digest;
};
int image_store_add(struct image_store *s, const struct image_add *a, struct berr **err);

/* A loaded image: its record's manifest and config, verified. */
struct image {
	char *id;
	char *manifest_digest;
	struct manifest *manifest;
	struct image_config *config;
	char *manifest_raw;
	size_t manifest_len;
};
int image_load(struct image_store *s, const struct image_record *rec, struct image **ret,
	       struct berr **err);
struct image *image_free(struct image *img);
static inline void image_freep(struct image **i)
{
	*i = image_free(*i);
}
#define _cleanup_image_ __attribute__((cleanup(image_freep)))

/* Sum of the unpacked sizes of img's layers (what `images` shows as SIZE). */
uint64_t image_size(struct image_store *s, const struct image *img);

/* Layers. */
bool image_layer_exists(struct image_store *s, const char *diff_id);

/* "<store>/layers/<hex>/diff" in buf; -ENAMETOOLONG if it does not fit. */
int image_layer_path(struct image_store *s, const char *diff_id, char *buf, size_t size);

/* The unpacked size of a layer (0 if unknown). */
uint64_t image_layer_size(struct image_store *s, const char *diff_id);

/* How many of the images of l have the layer diff_id (system df's shared size). */
int image_layer_users(struct image_store *s, const struct image_list *l, const char *diff_id);

/*
 * Unpack a layer from fd into the store unless it is there: into tmp/, then checked
 * (digest of what was read when expect_digest is set, diff_id always), then renamed
 * into layers/. Returns 0 (unpacked) or 1 (already there), or -errno with *err set;
 * -EBADMSG when the content does not match.
 */
int image_layer_unpack(struct image_store *s, int fd, const char *expect_digest,
		       const char *diff_id, struct berr **err);

/*
 * The overlay lower directories of img, top layer first, as a NULL-terminated vector
 * of paths (malloc'd). -ENOENT with *err set when a layer is missing.
 */
int image_lowerdirs(struct image_store *s, const struct image *img, char ***ret, struct berr **err);

/*
 * gc.c: remove layers/<name> (layersfd: the store's layers/) by renaming it into tmp/
 * first, so that no half-deleted layer is ever in place. 0 when it was not there.
 */
int layer_discard(int layersfd, const char *name);

/*
 * Garbage collection: remove every blob, layer and ingest file that no image record or
 * snapshot uses. *ret_freed (optional) gets the bytes freed.
 */
int image_store_gc(struct image_store *s, uint64_t *ret_freed, struct berr **err);

/* Ids of the images snapshots use (NULL-terminated, malloc'd). */
int image_store_used_ids(struct image_store *s, char ***ret);

#endif
