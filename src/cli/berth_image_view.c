/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/berth_image_view.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/format.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/timefmt.h"

static const char *const image_headers[] = {
	"ID",	      "IMAGE ID",  "CreatedSince", "CREATED", "CreatedAt",
	"CREATED AT", "CreatedBy", "CREATED BY",   NULL,
};

static const char *const history_headers[] = {
	"ID",	      "IMAGE",	   "CreatedSince", "CREATED", "CreatedAt",
	"CREATED AT", "CreatedBy", "CREATED BY",   NULL,
};

struct row {
	long long created;
	char *json;
};

static void short_id(const char *id, bool no_trunc, char *buf, size_t size)
{
	if (no_trunc)
		snprintf(buf, size, "%s", id);
	else
		snprintf(buf, size, "%.12s", digest_hex(id));
}

/* Split "docker.io/library/busybox:latest" into familiar repository and tag. */
static void split_name(const char *name, char *repo, size_t rsize, char *tag, size_t tsize)
{
	const char *fam = image_ref_familiar(name);
	const char *colon = strrchr(fam, ':'), *slash = strrchr(fam, '/');

	if (colon && (!slash || colon > slash)) {
		snprintf(repo, rsize, "%.*s", (int) (colon - fam), fam);
		snprintf(tag, tsize, "%s", colon + 1);
	} else {
		snprintf(repo, rsize, "%s", fam);
		snprintf(tag, tsize, "<none>");
	}
}

/* The digest of rec for the repository of name, or "<none>". */
static const char *repo_digest(const struct image_record *rec, const char *name)
{
	size_t n = strcspn(name, "@");
	const char *colon = strrchr(name, ':'), *slash = strrchr(name, '/');

	if (colon && (!slash || colon > slash))
		n = (size_t) (colon - name);
	STRV_FOREACH (d, rec->digests)
		if (strncmp(*d, name, n) == 0 && (*d)[n] == '@')
			return *d + n + 1;
	return "<none>";
}

static bool matches_repo(const char *want, const char *repo, const char *tag)
{
	const char *colon = strrchr(want, ':'), *slash = strrchr(want, '/');
	size_t n = strlen(want);

	if (colon && (!slash || colon > slash)) {
		n = (size_t) (colon - want);
		if (strcmp(colon + 1, tag) != 0)
			return false;
	}
	return strlen(repo) == n && strncmp(repo, want, n) == 0;
}

static bool filtered_out(const struct images_view_opts *o, const char *repo, const char *tag,
			 bool dangling)
{
	if (o->repository && !matches_repo(o->repository, repo, tag))
		return true;
	STRV_FOREACH (f, o->filters) {
		if (strcmp(*f, "dangling=true") == 0 && !dangling)
			return true;
		if (strcmp(*f, "dangling=false") == 0 && dangling)
			return true;
		if (strncmp(*f, "reference=", 10) == 0 && !matches_repo(*f + 10, repo, tag))
			return true;
	}
	return false;
}

/* Seconds since the epoch of an RFC 3339 time; 0 when there is none. */
static long long epoch_secs(const char *rfc3339)
{
	int64_t ns;

	return rfc3339 && rfc3339_parse_ns(rfc3339, &ns) >= 0 ? ns / 1000000000LL : 0;
}

static int add_row(struct row **rows, size_t *n, long long created, struct jwriter *w)
{
	struct row *v = realloc(*rows, (*n + 1) * sizeof(*v));
	char *json = jw_to_string(w, false);

	if (!v || !json) {
		free(json);
		if (v)
			*rows = v;
		return -ENOMEM;
	}
	*rows = v;
	v[*n] = (struct row){.created = created, .json = json};
	(*n)++;
	return 0;
}

static int image_rows(struct image_store *s, const struct image_record *rec,
		      const struct images_view_opts *o, struct row **rows, size_t *n)
{
	_cleanup_(image_freep) struct image *img = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	char id[DIGEST_MAX], size[32], ago[64], repo[512], tag[160];
	long long created = 0;
	char *none[] = {NULL, NULL};
	bool by_digest = !(rec->names && rec->names[0]) && rec->digests && rec->digests[0];
	char *const *names = rec->names && rec->names[0] ? rec->names
			     : by_digest		 ? rec->digests
							 : none;

	if (image_load(s, rec, &img, &err) < 0) {
		log_warn("image %s: %s", rec->id, err ? err->msg : "cannot be read");
		return 0;
	}
	created = epoch_secs(img->config->created);
	short_id(rec->id, o->no_trunc, id, sizeof(id));
	human_size(image_size(s, img), size, sizeof(size));
	human_ago((long long) time(NULL) - created, ago, sizeof(ago));
	for (char *const *p = names; p == none || *p; p++) {
		_cleanup_jw_ struct jwriter *w = jw_object();
		const char *digest = "<none>";

		if (*p && by_digest) {
			const char *fam = image_ref_familiar(*p), *at = strchr(fam, '@');

			if (!at)
				continue;
			snprintf(repo, sizeof(repo), "%.*s", (int) (at - fam), fam);
			snprintf(tag, sizeof(tag), "<none>");
			digest = at + 1;
		} else if (*p) {
			split_name(*p, repo, sizeof(repo), tag, sizeof(tag));
			digest = repo_digest(rec, *p);
		} else {
			snprintf(repo, sizeof(repo), "<none>");
			snprintf(tag, sizeof(tag), "<none>");
		}
		if (!filtered_out(o, repo, tag, !*p)) {
			jw_str(w, "Repository", repo);
			jw_str(w, "Tag", tag);
			jw_str(w, "ID", id);
			jw_str(w, "Digest", digest);
			jw_str(w, "CreatedSince", ago);
			jw_str(w, "CreatedAt", img->config->created ? img->config->created : "");
			jw_str(w, "Size", size);
			jw_str(w, "Containers", "N/A");
			if (add_row(rows, n, created, w) < 0)
				return -ENOMEM;
		}
		if (!*p)
			break;
	}
	return 0;
}

static int by_created_desc(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->created < y->created ? 1 : x->created > y->created ? -1 : 0;
}

static int print_rows(struct row *rows, size_t n, const char *tmpl, const char *const *headers,
		      FILE *out, struct berr **err)
{
	struct table *t = NULL;
	int r;

	r = table_new(tmpl, headers, &t, err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_jdoc_ struct jdoc *doc = NULL;
		struct jnode root;

		r = jdoc_parse(rows[i].json, strlen(rows[i].json), "row", &doc, err);
		if (r < 0)
			break;
		jdoc_root(doc, &root);
		r = table_add(t, &root, err);
	}
	if (r < 0) {
		table_free(t);
		return r;
	}
	table_print(t, out);
	return 0;
}

int images_view(struct image_store *s, const struct images_view_opts *o, FILE *out,
		struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	struct row *rows = NULL;
	const char *tmpl = o->format;
	size_t n = 0;
	int r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < l->n; i++)
		r = image_rows(s, &l->v[i], o, &rows, &n);
	if (r >= 0) {
		if (n > 1)
			qsort(rows, n, sizeof(*rows), by_created_desc);
		if (o->quiet)
			tmpl = "{{.ID}}";
		else if (!tmpl)
			tmpl = o->digests
				       ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
					 "{{.CreatedSince}}\t{{.Size}}"
				       : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
					 "{{.CreatedSince}}\t{{.Size}}";
		r = print_rows(rows, n, tmpl, image_headers, out, err);
	}
	for (size_t i = 0; i < n; i++)
		free(rows[i].json);
	free(rows);
	return r == -ENOMEM ? berr_set(err, ENOMEM, "out of memory") : r;
}

static int find_image(struct image_store *s, const char *ref, struct image_list **ret_list,
		      struct image **ret, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	int i, r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	i = image_list_find(l, ref, err);
	if (i < 0)
		return i;
	r = image_load(s, &l->v[i], ret, err);
	if (r < 0)
		return r;
	*ret_list = TAKE_PTR(l);
	return i;
}

/*
 * docker's CreatedBy: tabs as spaces; unless no_trunc, at most 45 characters, the 45th
 * an ellipsis (UTF-8 aware: a character is never cut). malloc'd.
 */
static char *created_by(const char *by, bool no_trunc)
{
	size_t chars = 0, cut = 0, len;
	char *s = strdup(by ? by : ""), *t = NULL;

	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ' ';
	len = strlen(s);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char) s[i] & 0xc0) != 0x80 && ++chars == 45)
			cut = i;
	if (no_trunc || chars <= 45)
		return s;
	s[cut] = '\0';
	if (asprintf(&t, "%s\u2026", s) < 0)
		t = NULL;
	free(s);
	return t;
}

/* docker -H=false: the local time as RFC 3339, in seconds. */
static const char *local_rfc3339(long long t, char *buf, size_t size)
{
	time_t tt = (time_t) t;
	struct tm tm;
	size_t n;

	if (!localtime_r(&tt, &tm) || (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5)
		return "";
	if (strcmp(buf + n - 5, "+0000") == 0)
		snprintf(buf + n - 5, size - (n - 5), "Z");
	else if (n + 1 < size) {
		/* +hhmm -> +hh:mm */
		memmove(buf + n - 1, buf + n - 2, 3);
		buf[n - 2] = ':';
	}
	return buf;
}

struct history_rows {
	const struct history_view_opts *o;
	struct row *rows;
	size_t n;
};

static void history_row(void *data, const struct history_entry *he)
{
	struct history_rows *hr = data;
	const struct history_view_opts *o = hr->o;
	const struct image_history *e = he->h;
	_cleanup_jw_ struct jwriter *w = jw_object();
	_cleanup_free_ char *by = created_by(e->created_by, o->no_trunc);
	char id[DIGEST_MAX], size[32], ago[64];
	long long created = epoch_secs(e->created);

	if (!by)
		return;
	if (he->top)
		short_id(he->img->id, o->no_trunc, id, sizeof(id));
	else
		snprintf(id, sizeof(id), "<missing>");
	jw_str(w, "ID", id);
	if (!e->created)
		jw_str(w, "CreatedSince", "");
	else if (o->raw)
		jw_str(w, "CreatedSince", local_rfc3339(created, ago, sizeof(ago)));
	else
		jw_str(w, "CreatedSince",
		       human_ago((long long) time(NULL) - created, ago, sizeof(ago)));
	jw_str(w, "CreatedAt", e->created ? e->created : "");
	jw_str(w, "CreatedBy", by);
	if (o->raw)
		snprintf(size, sizeof(size), "%llu", (unsigned long long) he->size);
	jw_str(w, "Size", o->raw ? size : human_size(he->size, size, sizeof(size)));
	jw_str(w, "Comment", e->comment ? e->comment : "");
	(void) add_row(&hr->rows, &hr->n, created, w);
}

int history_walk(struct image_store *s, const char *ref, history_fn fn, void *data,
		 struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_freep) struct image *img = NULL;
	size_t layer;
	int i = find_image(s, ref, &l, &img, err);

	if (i < 0)
		return i;
	layer = img->config->n_diff_ids;
	for (size_t h = img->config->n_history; h-- > 0;) {
		struct history_entry he = {.rec = &l->v[i],
					   .img = img,
					   .h = &img->config->history[h],
					   .top = h + 1 == img->config->n_history};

		if (!he.h->empty_layer && layer > 0)
			he.size = image_layer_size(s, img->config->diff_ids[--layer]);
		fn(data, &he);
	}
	return 0;
}

int history_view(struct image_store *s, const char *ref, const struct history_view_opts *o,
		 FILE *out, struct berr **err)
{
	struct history_rows hr = {.o = o};
	const char *tmpl = o->format;
	int r;

	r = history_walk(s, ref, history_row, &hr, err);
	if (r < 0)
		return r;
	if (o->quiet)
		tmpl = "{{.ID}}";
	else if (!tmpl)
		tmpl = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
	r = print_rows(hr.rows, hr.n, tmpl, history_headers, out, err);
	for (size_t i = 0; i < hr.n; i++)
		free(hr.rows[i].json);
	free(hr.rows);
	return r;
}

static struct jwriter *familiar_list(char *const *v)
{
	struct jwriter *a = jw_array();

	STRV_FOREACH (p, v)
		jw_append_str(a, image_ref_familiar(*p));
	return a;
}

static struct jwriter *inspect_one(struct image_store *s, const struct image_record *rec,
				   const struct image *img)
{
	const struct image_config *c = img->config;
	struct jwriter *w = jw_object(), *rootfs = jw_object(), *layers = jw_array();
	struct jwriter *gd = jw_object(), *data = jw_object(), *meta = jw_object();
	_cleanup_strv_ char **lowers = NULL;
	_cleanup_free_ char *joined = NULL;
	struct jnode cfg;

	jw_str(w, "Id", rec->id);
	jw_put(w, "RepoTags", familiar_list(rec->names));
	jw_put(w, "RepoDigests", familiar_list(rec->digests));
	jw_str(w, "Created", c->created ? c->created : "");
	jw_str(w, "Author", c->author ? c->author : "");
	image_config_run_node(c, &cfg);
	if (jnode_present(&cfg))
		jw_put_node(w, "Config", &cfg);
	else
		jw_put(w, "Config", jw_object());
	jw_str(w, "Architecture", c->architecture ? c->architecture : "");
	jw_str(w, "Variant", c->variant);
	jw_str(w, "Os", c->os ? c->os : "");
	jw_uint(w, "Size", image_size(s, img));
	for (size_t i = 0; i < c->n_diff_ids; i++)
		jw_append_str(layers, c->diff_ids[i]);
	jw_str(rootfs, "Type", "layers");
	jw_put(rootfs, "Layers", layers);
	jw_put(w, "RootFS", rootfs);
	if (image_lowerdirs(s, img, &lowers, NULL) >= 0) {
		size_t len = 1;

		STRV_FOREACH (p, lowers)
			len += strlen(*p) + 1;
		joined = calloc(1, len);
		STRV_FOREACH (p, lowers)
			if (joined)
				strcat(strcat(joined, p == lowers ? "" : ":"), *p);
		jw_str(data, "LowerDir", joined);
	}
	jw_str(gd, "Name", "overlay");
	jw_put(gd, "Data", data);
	jw_put(w, "GraphDriver", gd);
	jw_str(w, "Manifest", rec->manifest);
	jw_str(w, "ManifestMediaType", img->manifest->media_type);
	jw_str(meta, "LastTagTime", rec->added);
	jw_put(w, "Metadata", meta);
	return w;
}

int image_inspect_json(struct image_store *s, const char *ref, struct jwriter **ret,
		       struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	_cleanup_(image_freep) struct image *img = NULL;
	int i = find_image(s, ref, &l, &img, err);

	if (i < 0)
		return i;
	*ret = inspect_one(s, &l->v[i], img);
	return 0;
}
