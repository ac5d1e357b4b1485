/* SPDX-License-Identifier: Apache-2.0 */
/* docker container prune (container_prune.h). */
#include "engine/container_prune.h"

#include <errno.h>
#include <string.h>

#include "engine/container_ops.h"
#include "engine/container_runtime.h"
#include "engine/units.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

int container_prune_filter_parse(char *const *filters, struct prune_filter *ret, struct berr **err)
{
	*ret = (struct prune_filter){0};
	STRV_FOREACH (f, filters) {
		int r = 0;

		if (!strncmp(*f, "until=", 6))
			r = units_parse_since(*f + 6, now_ns(), &ret->until_ns, err);
		else if (!strncmp(*f, "label=", 6))
			r = strv_push_dup(&ret->labels, *f + 6);
		else if (!strncmp(*f, "label!=", 7))
			r = strv_push_dup(&ret->not_labels, *f + 7);
		else
			r = berr_set(err, EINVAL, "invalid filter '%.*s'", (int) strcspn(*f, "="),
				     *f);
		if (r < 0) {
			container_prune_filter_done(ret);
			return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
		}
	}
	return 0;
}

void container_prune_filter_done(struct prune_filter *f)
{
	strv_free(f->labels);
	strv_free(f->not_labels);
	*f = (struct prune_filter){0};
}

static bool prune_passes(const struct container_config *cfg, const struct prune_filter *f)
{
	int64_t created;

	if (!f)
		return true;
	if (f->until_ns && cfg->created && rfc3339_parse_ns(cfg->created, &created) >= 0 &&
	    created >= f->until_ns)
		return false;
	STRV_FOREACH (l, f->labels)
		if (!strv_label_match(cfg->labels, *l))
			return false;
	STRV_FOREACH (l, f->not_labels)
		if (strv_label_match(cfg->labels, *l))
			return false;
	return true;
}

int container_prune(struct engine *e, struct image_store *s, const struct prune_filter *f,
		    char ***ret_ids, uint64_t *bytes, char ***ret_errors)
{
	_cleanup_strv_ char **ids = NULL;
	int r;

	if ((r = container_list_ids(e, &ids)) < 0)
		return r;
	STRV_FOREACH (id, ids) {
		_cleanup_container_ struct container *c = NULL;
		_cleanup_berr_ struct berr *err = NULL;
		uint64_t size;

		if (container_load_any(e, *id, true, &c, NULL) < 0)
			continue;
		(void) container_refresh(e, c, NULL);
		if (container_active(c) || container_dead_may_run(e, c) ||
		    (c->cfg && !prune_passes(c->cfg, f)))
			continue;
		size = image_snapshot_size(s, *id);
		if (container_remove(e, s, c, false, false, &err) < 0) {
			if (strv_push_dup(ret_errors, err ? err->msg : "cannot remove") < 0)
				return -ENOMEM;
			continue;
		}
		*bytes += size;
		if (strv_push_dup(ret_ids, *id) < 0)
			return -ENOMEM;
	}
	return 0;
}
