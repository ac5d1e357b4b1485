/* SPDX-License-Identifier: Apache-2.0 */
#include "image/image_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image_config.h"
#include "image/reference.h"
#include "image/store.h"
#include "lib/json.h"
#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

static int report_line(char ***report, const char *what, const char *name)
{
	char *line;

	if (!report)
		return 0;
	if (asprintf(&line, "%s: %s", what, name) < 0)
		return -ENOMEM;
	return strv_consume(report, line);
}

int image_tag(struct image_store *s, const char *source, const char *target, struct berr **err)
{
	_cleanup_close_ int lock = image_store_lock(s, "lock", true);
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_free_ char *name = NULL;
	int i, r;

	if (lock < 0)
		return berr_sys(err, -lock, "cannot lock the image store");
	r = image_ref_parse(target, false, &ref, err);
	if (r < 0)
		return r;
	if (ref.digest)
		return berr_set(err, EINVAL, "refusing to create a tag with a digest reference");
	name = image_ref_string(&ref);
	if (!name)
		return -ENOMEM;
	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	i = image_list_find(l, source, err);
	if (i < 0)
		return i;
	if (strv_contains(l->v[i].names, name))
		return 0;
	image_list_untag(l, name);
	if (strv_push_dup(&l->v[i].names, name) < 0)
		return -ENOMEM;
	return image_list_save(s, l, err);
}

static bool in_use(char *const *used, const char *id)
{
	return strv_contains(used, id);
}

/* Was ref given as one of the record's names (not an id or a digest)? */
static char *matching_name(const struct image_record *rec, const char *ref)
{
	_cleanup_(image_ref_done) struct image_ref r = {0};
	_cleanup_free_ char *name = NULL;

	if (image_ref_parse(ref, false, &r, NULL) < 0 || r.digest)
		return NULL;
	name = image_ref_string(&r);
	if (name && strv_contains(rec->names, name))
		return TAKE_PTR(name);
	return NULL;
}

static int delete_record(struct image_list *l, size_t i, char ***report)
{
	STRV_FOREACH (n, l->v[i].names)
		if (report_line(report, "Untagged", image_ref_familiar(*n)) < 0)
			return -ENOMEM;
	STRV_FOREACH (d, l->v[i].digests)
		if (report_line(report, "Untagged", image_ref_familiar(*d)) < 0)
			return -ENOMEM;
	if (report_line(report, "Deleted", l->v[i].id) < 0)
		return -ENOMEM;
	image_list_remove(l, i);
	return 0;
}

static int remove_locked(struct image_store *s, struct image_list *l, const char *ref, bool force,
			 char *const *used, char ***report, struct berr **err)
{
	_cleanup_free_ char *name = NULL;
	struct image_record *rec;
	int i;

	i = image_list_find(l, ref, err);
	if (i < 0)
		return i;
	rec = &l->v[i];
	name = matching_name(rec, ref);
	if (name && strv_length(rec->names) > 1) {
		image_list_untag(l, name);
		return report_line(report, "Untagged", image_ref_familiar(name));
	}
	if (!name && strv_length(rec->names) > 1 && !force)
		return berr_set(err, EBUSY,
				"image %.19s is referenced in multiple repositories (use --force)",
				rec->id);
	if (in_use(used, rec->id)) {
		if (!force)
			return berr_set(
				err, EBUSY,
				"image '%s' is used by a container (use --force to untag it)", ref);
		STRV_FOREACH (n, rec->names)
			if (report_line(report, "Untagged", image_ref_familiar(*n)) < 0)
				return -ENOMEM;
		rec->names = strv_free(rec->names);
		return 0;
	}
	(void) s;
	return delete_record(l, (size_t) i, report);
}

int image_remove(struct image_store *s, const char *ref, bool force, char ***report,
		 struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_strv_ char **used = NULL;
	int r;

	{
		_cleanup_close_ int lock = image_store_lock(s, "lock", true);

		if (lock < 0)
			return berr_sys(err, -lock, "cannot lock the image store");
		r = image_store_used_ids(s, &used);
		if (r < 0)
			return berr_sys(err, -r, "cannot read the snapshots");
		r = image_list_load(s, &l, err);
		if (r >= 0)
			r = remove_locked(s, l, ref, force, used, report, err);
		if (r >= 0)
			r = image_list_save(s, l, err);
		if (r < 0)
			return r;
	}
	return image_store_gc(s, NULL, err);
}

/* config.Labels of rec as "k=v" (NULL when it has none or cannot be read). */
static int label_kv(const struct jnode *n, void *userdata, struct berr **err)
{
	char ***v = userdata, *val = NULL, *kv = NULL;

	(void) err;
	if (jnode_string(n, &val, NULL) < 0)
		return 0;
	if (asprintf(&kv, "%s=%s", n->key, val) < 0)
		kv = NULL;
	free(val);
	return kv && strv_consume(v, kv) >= 0 ? 0 : -ENOMEM;
}

static char **image_labels(struct image_store *s, const struct image_record *rec)
{
	_cleanup_image_ struct image *img = NULL;
	struct jnode run, labels;
	char **v = NULL;

	if (image_load(s, rec, &img, NULL) < 0)
		return NULL;
	image_config_run_node(img->config, &run);
	jnode_member(&run, "Labels", &labels);
	if (labels.v && jnode_foreach_member(&labels, label_kv, &v, NULL) < 0) {
		strv_free(v);
		return NULL;
	}
	return v;
}

static bool prune_passes(struct image_store *s, const struct image_record *rec,
			 const struct image_prune_filter *f)
{
	_cleanup_strv_ char **labels = NULL;
	int64_t added;

	if (!f)
		return true;
	if (f->until_ns && rec->added && rfc3339_parse_ns(rec->added, &added) >= 0 &&
	    added >= f->until_ns)
		return false;
	if ((f->labels || f->not_labels) && !(labels = image_labels(s, rec)) && f->labels)
		return false;
	STRV_FOREACH (l, f->labels)
		if (!strv_label_match(labels, *l))
			return false;
	STRV_FOREACH (l, f->not_labels)
		if (strv_label_match(labels, *l))
			return false;
	return true;
}

int image_prune(struct image_store *s, bool all, const struct image_prune_filter *f, char ***report,
		uint64_t *ret_freed, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_strv_ char **used = NULL;
	int r;

	{
		_cleanup_close_ int lock = image_store_lock(s, "lock", true);

		if (lock < 0)
			return berr_sys(err, -lock, "cannot lock the image store");
		r = image_store_used_ids(s, &used);
		if (r < 0)
			return berr_sys(err, -r, "cannot read the snapshots");
		r = image_list_load(s, &l, err);
		if (r < 0)
			return r;
		for (size_t i = l->n; i-- > 0;) {
			if (in_use(used, l->v[i].id) ||
			    (!all && l->v[i].names && l->v[i].names[0]) ||
			    !prune_passes(s, &l->v[i], f))
				continue;
			if (delete_record(l, i, report) < 0)
				return -ENOMEM;
		}
		r = image_list_save(s, l, err);
		if (r < 0)
			return r;
	}
	return image_store_gc(s, ret_freed, err);
}
