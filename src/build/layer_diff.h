/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A layer from an OverlayFS upper directory: its entries as an uncompressed tar with
 * docker's whiteouts. A whiteout (a 0:0 character device) becomes an empty `.wh.NAME`;
 * an opaque directory (trusted.overlay.opaque=y, or user.overlay.opaque=y) gets a
 * `.wh..wh..opq` entry. The upper dir belongs to a container, so nothing in it is
 * followed: directories are opened with O_NOFOLLOW relative to their parent, files are
 * read only after fstat says they are the regular file that was listed.
 */
#ifndef BERTH_BUILD_LAYER_DIFF_H
#define BERTH_BUILD_LAYER_DIFF_H

#include "lib/err.h"

/* Write the tar of the directory upperfd to outfd; returns the number of entries (0: no
 * change, which docker commits as an empty_layer history entry and no layer). */
int layer_diff_write(int upperfd, int outfd, struct berr **err);

#endif
