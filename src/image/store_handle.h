/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The open image store as every part of the image layer sees it: where it is, and
 * whether writes are made durable. Its own header so that blob.c, which store.c calls,
 * needs nothing else of store.h.
 */
#ifndef BERTH_IMAGE_STORE_HANDLE_H
#define BERTH_IMAGE_STORE_HANDLE_H

#include <stdbool.h>

struct image_store {
	char *path; /* <root>/image */
	int dirfd;  /* O_PATH of path */
	bool sync;  /* fsync blobs and the index, syncfs before a layer appears */
};

#endif
