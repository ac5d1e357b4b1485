/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image commands' entries in the event journal (engine/events.h), with docker's
 * Actor IDs: the image ID for tag, untag, delete, import, load and save; the familiar
 * reference ("busybox:latest") for pull and push. Best effort: never fails a command.
 */
#ifndef BERTH_CLI_IMAGE_EVENTS_H
#define BERTH_CLI_IMAGE_EVENTS_H

#include "image/store.h"

/* The ID of the image ref names in s (malloc'd), or NULL. */
char *image_events_id_of(struct image_store *s, const char *ref);

/* "busybox" -> "busybox:latest", "docker.io/library/busybox:1" -> "busybox:1" (malloc'd). */
char *image_events_familiar(const char *ref);

/* action for the image ref names in s: Actor ID its image ID, attribute name ref. */
void image_events_ref(const char *root, struct image_store *s, const char *action, const char *ref);

/* rmi's and prune's report ("Untagged: X", "Deleted: sha256:..."): untag and delete. */
void image_events_removed(const char *root, const char *id, char *const *report);

/* load's report ("Loaded image: X", "Loaded image ID: sha256:..."): load for each. */
void image_events_loaded(const char *root, struct image_store *s, char *const *report);

#endif
