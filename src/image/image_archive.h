/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image archives, as `docker save`/`podman save` write them and `load` reads them:
 * docker-archive (manifest.json, <config>.json, <layer>/layer.tar) and oci-archive (a
 * tar of an OCI image layout: oci-layout, index.json, blobs/<alg>/<hex>).
 */
#ifndef BERTH_IMAGE_IMAGE_ARCHIVE_H
#define BERTH_IMAGE_IMAGE_ARCHIVE_H

#include "image/store.h"
#include "lib/err.h"

enum image_archive_format {
	IMAGE_ARCHIVE_DOCKER,
	IMAGE_ARCHIVE_OCI,
};

/* "docker-archive" / "oci-archive" (and docker's "docker", "oci"); -EINVAL otherwise. */
int image_archive_format_parse(const char *s, enum image_archive_format *ret);

/*
 * Load every image of the archive read from fd (plain or compressed; the format is
 * recognised). Lines "Loaded image: NAME" or "Loaded image ID: ID" are appended to
 * *report.
 */
int image_archive_load(struct image_store *s, int fd, char ***report, struct berr **err);

/* Write the images refs name (names or ids) to fd as an archive of format f. */
int image_archive_save(struct image_store *s, char *const *refs, enum image_archive_format f,
		       int fd, struct berr **err);

#endif
