/* SPDX-License-Identifier: Apache-2.0 */
/* docker container prune: every container that does not run, through docker's filters. */
#ifndef BERTH_ENGINE_CONTAINER_PRUNE_H
#define BERTH_ENGINE_CONTAINER_PRUNE_H

#include <stdint.h>

#include "engine/container_store.h"
#include "image/store.h"
#include "lib/err.h"

/* The filters of the prune commands (until=, label=, label!=), as docker's. */
struct prune_filter {
	int64_t until_ns;  /* until=: created before it (0: any) */
	char **labels;	   /* label=K[=V]: every one must match */
	char **not_labels; /* label!=K[=V]: none may */
};

/* Parse "K=V" filter entries into *ret (freed with container_prune_filter_done); -EINVAL. */
int container_prune_filter_parse(char *const *filters, struct prune_filter *ret, struct berr **err);
void container_prune_filter_done(struct prune_filter *f);

/*
 * Remove every container that does not run (and f, if any, passes). The ids removed are
 * appended to *ret_ids, the messages of those that could not go to *ret_errors (strvs the
 * caller frees); *bytes grows by the removed writable layers' size. 0, or -errno when the
 * containers cannot be listed.
 */
int container_prune(struct engine *e, struct image_store *s, const struct prune_filter *f,
		    char ***ret_ids, uint64_t *bytes, char ***ret_errors);

#endif
