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

/*
 * A user-namespaced container's mapping ("CONTAINER:HOST:SIZE" vectors): its upper dir
 * holds host ids, its layer the container's (moby's archive ToContainer under
 * userns-remap); an id outside the map is 65534, as the container sees it.
 */
struct layer_idmap {
	char *const *uid_map, *const *gid_map;
};

/*
 * Write the tar of the directory upperfd to outfd, with ids mapped back through ids (NULL:
 * as stored); returns the number of entries (0: no change, which docker commits as an
 * empty_layer history entry and no layer).
 */
int layer_diff_write(int upperfd, int outfd, const struct layer_idmap *ids, struct berr **err);

#endif
