/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifests and indexes (image-spec manifest.md, image-index.md, and Docker's v2
 * schema 2 manifest and manifest list), parsed from untrusted bytes into structs, and
 * the platform choice among an index's manifests. Every parser takes a buffer and its
 * length, so each can be fuzzed on its own.
 */
#ifndef BERTH_IMAGE_MANIFEST_H
#define BERTH_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"

/* Manifests, indexes and configs above this size are refused (distribution-spec: 4 MiB). */
#define MANIFEST_MAX_SIZE (4u << 20)
/* More layers than this cannot be stacked by one overlay mount anyway. */
#define MANIFEST_MAX_LAYERS 500
#define INDEX_MAX_MANIFESTS 10000

enum layer_compression {
	LAYER_PLAIN,
	LAYER_GZIP,
	LAYER_ZSTD,
	LAYER_UNKNOWN,
};

struct platform {
	char *os;
	char *architecture;
	char *variant;
	char *os_version;
};

struct descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	char *ref_name;		  /* annotation org.opencontainers.image.ref.name, or NULL */
	char *image_name;	  /* annotation io.containerd.image.name, or NULL */
	struct platform platform; /* in an index; fields NULL when absent */
	bool has_platform;
};

enum manifest_kind {
	MANIFEST_KIND_UNKNOWN,
	MANIFEST_KIND_IMAGE, /* OCI image manifest or docker schema 2 */
	MANIFEST_KIND_INDEX, /* OCI index or docker manifest list */
};

struct manifest {
	char *media_type; /* MT_OCI_MANIFEST or MT_DOCKER_MANIFEST */
	struct descriptor config;
	struct descriptor *layers;
	size_t n_layers;
};

struct image_index {
	char *media_type; /* MT_OCI_INDEX or MT_DOCKER_LIST */
	struct descriptor *manifests;
	size_t n_manifests;
};

/*
 * What buf holds: by its mediaType member, else by content_type (the HTTP header, may be
 * NULL), else by shape (a "manifests" array is an index). -EINVAL with *err set for
 * schema 1 and for what is not a manifest at all.
 */
int manifest_detect(const char *buf, size_t len, const char *content_type, enum manifest_kind *ret,
		    struct berr **err);

/* Parse an image manifest. The caller frees *ret with manifest_free(). */
int manifest_parse(const char *buf, size_t len, struct manifest **ret, struct berr **err);
struct manifest *manifest_free(struct manifest *m);
static inline void manifest_freep(struct manifest **m)
{
	*m = manifest_free(*m);
}
#define _cleanup_manifest_ __attribute__((cleanup(manifest_freep)))

/* Parse an index or manifest list. The caller frees *ret with image_index_free(). */
int image_index_parse(const char *buf, size_t len, struct image_index **ret, struct berr **err);
struct image_index *image_index_free(struct image_index *x);
static inline void image_index_freep(struct image_index **x)
{
	*x = image_index_free(*x);
}
#define _cleanup_image_index_ __attribute__((cleanup(image_index_freep)))

void descriptor_done(struct descriptor *d);
void platform_done(struct platform *p);

/*
 * Parse "os/arch[/variant]" (e.g. "linux/arm64/v8"). The caller frees ret with
 * platform_done().
 */
int platform_parse(const char *s, struct platform *ret, struct berr **err);

/* The platform of this machine ("linux", uname's machine as GOARCH, GOARM variant). */
int platform_host(struct platform *ret);

/* "linux/arm64/v8" in buf. */
const char *platform_string(const struct platform *p, char *buf, size_t size);

/*
 * The index's manifest for want (image manifests only; attestations and other
 * artifacts are skipped). Returns its position, or -ENOENT with *err listing what the
 * index offers.
 */
int image_index_select(const struct image_index *x, const struct platform *want, struct berr **err);

/* A layer media type's compression; LAYER_UNKNOWN for what is not a layer type. */
enum layer_compression layer_media_type_compression(const char *media_type);

/* True for the config media types of container images (OCI, docker). */
bool media_type_is_image_config(const char *mt);

/*
 * Serialise a manifest (OCI media types unless m->media_type says docker) as compact
 * JSON (malloc'd, NULL on OOM).
 */
char *manifest_to_json(const struct manifest *m);

#endif
