/* SPDX-License-Identifier: Apache-2.0 */
/* The bytes a directory tree holds (docker's directory.Size). */
#ifndef BERTH_LIB_TREE_SIZE_H
#define BERTH_LIB_TREE_SIZE_H

#include <stdint.h>

/*
 * The bytes of the regular files under parent/name (AT_FDCWD and a path work too), on
 * the device of name only, never following a symlink; a tree deeper than 128 levels
 * (a container may have made it) is counted down to there. 0 when name cannot be read.
 */
uint64_t tree_size(int parent, const char *name);

#endif
