/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/image_events.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/events.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

char *image_events_id_of(struct image_store *s, const char *ref)
{
	_cleanup_image_list_ struct image_list *l = NULL;
	int i;

	if (image_list_load(s, &l, NULL) < 0 || (i = image_list_find(l, ref, NULL)) < 0)
		return NULL;
	return strdup(l->v[i].id);
}

char *image_events_familiar(const char *ref)
{
	_cleanup_(image_ref_done) struct image_ref r = {0};
	_cleanup_free_ char *full = NULL;

	if (image_ref_parse(ref, false, &r, NULL) < 0 || !(full = image_ref_string(&r)))
		return strdup(ref);
	return strdup(image_ref_familiar(full));
}

void image_events_ref(const char *root, struct image_store *s, const char *action, const char *ref)
{
	_cleanup_free_ char *id = image_events_id_of(s, ref);

	(void) events_image(root, action, id ? id : ref, ref);
}

void image_events_removed(const char *root, const char *id, char *const *report)
{
	STRV_FOREACH (l, report) {
		if (strncasecmp(*l, "Untagged: ", 10) == 0)
			(void) events_image(root, "untag", id ? id : *l + 10, id ? id : *l + 10);
		else if (strncasecmp(*l, "Deleted: ", 9) == 0)
			(void) events_image(root, "delete", *l + 9, *l + 9);
	}
}

void image_events_loaded(const char *root, struct image_store *s, char *const *report)
{
	STRV_FOREACH (l, report) {
		if (strncmp(*l, "Loaded image ID: ", 17) == 0)
			(void) events_image(root, "load", *l + 17, *l + 17);
		else if (strncmp(*l, "Loaded image: ", 14) == 0)
			image_events_ref(root, s, "load", *l + 14);
	}
}
