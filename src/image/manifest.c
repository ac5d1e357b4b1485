/* SPDX-License-Identifier: Apache-2.0 */
#include "image/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "image/digest.h"
#include "lib/cleanup.h"
#include "lib/json.h"

#define ANNOT_REF_NAME "org.opencontainers.image.ref.name"
#define ANNOT_CONTAINERD_NAME "io.containerd.image.name"

void platform_done(struct platform *p)
{
	free(p->os);
	free(p->architecture);
	free(p->variant);
	free(p->os_version);
	*p = (struct platform){0};
}

void descriptor_done(struct descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->ref_name);
	free(d->image_name);
	platform_done(&d->platform);
	*d = (struct descriptor){0};
}

static int require_string(const struct jnode *obj, const char *key, char **ret, struct berr **err)
{
	struct jnode n;
	int r;

	r = jnode_get_string(obj, key, ret, err);
	if (r < 0)
		return r;
	if (r == 0) {
		jnode_member(obj, key, &n);
		n.key = key;
		n.parent = obj;
		return jnode_err(&n, err, EINVAL, "is required");
	}
	return 0;
}

static int parse_platform(const struct jnode *pn, struct platform *p, struct berr **err)
{
	int r;

	r = jnode_expect_object(pn, err);
	if (r < 0)
		return r;
	r = require_string(pn, "architecture", &p->architecture, err);
	if (r >= 0)
		r = require_string(pn, "os", &p->os, err);
	if (r >= 0)
		r = jnode_get_string(pn, "variant", &p->variant, err);
	if (r >= 0)
		r = jnode_get_string(pn, "os.version", &p->os_version, err);
	return r < 0 ? r : 0;
}

static int parse_annotations(const struct jnode *dn, struct descriptor *d, struct berr **err)
{
	struct jnode an;
	int r;

	jnode_member(dn, "annotations", &an);
	r = jnode_expect_object(&an, err);
	if (r < 0 || !jnode_present(&an))
		return r;
	r = jnode_get_string(&an, ANNOT_REF_NAME, &d->ref_name, err);
	if (r >= 0)
		r = jnode_get_string(&an, ANNOT_CONTAINERD_NAME, &d->image_name, err);
	return r < 0 ? r : 0;
}

static int parse_descriptor(const struct jnode *dn, struct descriptor *d, struct berr **err)
{
	struct jnode pn, sn;
	int r;

	r = jnode_expect_object(dn, err);
	if (r < 0)
		return r;
	if (!jnode_present(dn))
		return jnode_err(dn, err, EINVAL, "is required");
	r = require_string(dn, "mediaType", &d->media_type, err);
	if (r < 0)
		return r;
	r = require_string(dn, "digest", &d->digest, err);
	if (r < 0)
		return r;
	jnode_member(dn, "digest", &sn);
	if (digest_validate(d->digest, NULL) == -EOPNOTSUPP)
		return jnode_err(&sn, err, EINVAL, "unsupported digest algorithm in '%s'",
				 d->digest);
	if (digest_validate(d->digest, NULL) < 0)
		return jnode_err(&sn, err, EINVAL, "invalid digest '%s'", d->digest);
	jnode_member(dn, "size", &sn);
	if (!jnode_present(&sn))
		return jnode_err(dn, err, EINVAL, "size is required");
	r = jnode_int_range(&sn, 0, INT64_MAX, &d->size, err);
	if (r < 0)
		return r;
	jnode_member(dn, "platform", &pn);
	if (jnode_present(&pn)) {
		d->has_platform = true;
		r = parse_platform(&pn, &d->platform, err);
		if (r < 0)
			return r;
	}
	return parse_annotations(dn, d, err);
}

static int parse_descriptors(const struct jnode *obj, const char *key, size_t max,
			     struct descriptor **ret, size_t *ret_n, struct berr **err)
{
	struct jnode arr;
	struct descriptor *v;
	size_t n;
	int r;

	jnode_member(obj, key, &arr);
	if (!jnode_present(&arr))
		return jnode_err(obj, err, EINVAL, "%s is required", key);
	r = jnode_expect_array(&arr, err);
	if (r < 0)
		return r;
	n = jnode_array_len(&arr);
	if (n > max)
		return jnode_err(&arr, err, E2BIG, "more than %zu entries", max);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*ret = v;
	*ret_n = n;
	for (size_t i = 0; i < n; i++) {
		struct jnode e;

		jnode_array_at(&arr, i, &e);
		r = parse_descriptor(&e, &v[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_schema(const struct jnode *root, struct berr **err)
{
	int64_t v = 0;
	struct jnode n;
	int r;

	r = jnode_expect_object(root, err);
	if (r < 0)
		return r;
	if (!jnode_present(root))
		return berr_set(err, EINVAL, "must be an object");
	jnode_member(root, "schemaVersion", &n);
	if (!jnode_present(&n))
		return berr_set(err, EINVAL, "schemaVersion is required");
	r = jnode_int_range(&n, 0, 100, &v, err);
	if (r < 0)
		return r;
	if (v == 1)
		return berr_set(err, EINVAL, "schema 1 manifests are not supported");
	if (v != 2)
		return jnode_err(&n, err, EINVAL, "must be 2, not %lld", (long long) v);
	return 0;
}

static bool is_index_type(const char *mt)
{
	return strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *mt)
{
	return strcmp(mt, MT_OCI_MANIFEST) == 0 || strcmp(mt, MT_DOCKER_MANIFEST) == 0;
}

static int kind_of(const struct jnode *root, const char *content_type, enum manifest_kind *ret,
		   struct berr **err)
{
	_cleanup_free_ char *mt = NULL;
	struct jnode n;
	int r;

	r = jnode_get_string(root, "mediaType", &mt, err);
	if (r < 0)
		return r;
	if (!mt && content_type && *content_type) {
		size_t len = strcspn(content_type, "; ");

		mt = strndup(content_type, len);
		if (!mt)
			return -ENOMEM;
		if (strcmp(mt, "application/json") == 0 || strcmp(mt, "text/plain") == 0)
			mt = (free(mt), NULL);
	}
	if (mt && is_index_type(mt))
		*ret = MANIFEST_KIND_INDEX;
	else if (mt && is_manifest_type(mt))
		*ret = MANIFEST_KIND_IMAGE;
	else if (mt)
		return berr_set(err, EINVAL, "unsupported manifest media type '%s'", mt);
	else {
		jnode_member(root, "manifests", &n);
		*ret = jnode_present(&n) ? MANIFEST_KIND_INDEX : MANIFEST_KIND_IMAGE;
	}
	return 0;
}

int manifest_detect(const char *buf, size_t len, const char *content_type, enum manifest_kind *ret,
		    struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	struct jnode root;
	int r;

	if (len > MANIFEST_MAX_SIZE)
		return berr_set(err, EFBIG, "manifest larger than %u bytes", MANIFEST_MAX_SIZE);
	r = jdoc_parse(buf, len, "manifest", &doc, err);
	if (r < 0)
		return r;
	jdoc_root(doc, &root);
	r = check_schema(&root, err);
	if (r < 0)
		return r;
	return kind_of(&root, content_type, ret, err);
}

struct manifest *manifest_free(struct manifest *m)
{
	if (!m)
		return NULL;
	free(m->media_type);
	descriptor_done(&m->config);
	for (size_t i = 0; m->layers && i < m->n_layers; i++)
		descriptor_done(&m->layers[i]);
	free(m->layers);
	free(m);
	return NULL;
}

static int manifest_parse_root(const struct jnode *root, struct manifest *m, struct berr **err)
{
	struct jnode cn;
	int r;

	r = check_schema(root, err);
	if (r < 0)
		return r;
	r = jnode_get_string(root, "mediaType", &m->media_type, err);
	if (r < 0)
		return r;
	if (!m->media_type && !(m->media_type = strdup(MT_OCI_MANIFEST)))
		return -ENOMEM;
	if (!is_manifest_type(m->media_type))
		return berr_set(err, EINVAL, "mediaType: '%s' is not an image manifest",
				m->media_type);
	jnode_member(root, "config", &cn);
	cn.key = "config";
	r = parse_descriptor(&cn, &m->config, err);
	if (r < 0)
		return r;
	r = parse_descriptors(root, "layers", MANIFEST_MAX_LAYERS, &m->layers, &m->n_layers, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n_layers; i++)
		if (layer_media_type_compression(m->layers[i].media_type) == LAYER_UNKNOWN)
			return berr_set(err, EINVAL, "layers[%zu]: unsupported media type '%s'", i,
					m->layers[i].media_type);
	return 0;
}

int manifest_parse(const char *buf, size_t len, struct manifest **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_manifest_ struct manifest *m = NULL;
	struct jnode root;
	int r;

	if (len > MANIFEST_MAX_SIZE)
		return berr_set(err, EFBIG, "manifest larger than %u bytes", MANIFEST_MAX_SIZE);
	r = jdoc_parse(buf, len, "manifest", &doc, err);
	if (r < 0)
		return r;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	jdoc_root(doc, &root);
	r = manifest_parse_root(&root, m, err);
	if (r < 0)
		return r == -ENOMEM ? r : berr_wrap(err, "manifest");
	*ret = TAKE_PTR(m);
	return 0;
}

struct image_index *image_index_free(struct image_index *x)
{
	if (!x)
		return NULL;
	free(x->media_type);
	for (size_t i = 0; x->manifests && i < x->n_manifests; i++)
		descriptor_done(&x->manifests[i]);
	free(x->manifests);
	free(x);
	return NULL;
}

int image_index_parse(const char *buf, size_t len, struct image_index **ret, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_image_index_ struct image_index *x = NULL;
	struct jnode root;
	int r;

	if (len > MANIFEST_MAX_SIZE)
		return berr_set(err, EFBIG, "index larger than %u bytes", MANIFEST_MAX_SIZE);
	r = jdoc_parse(buf, len, "index", &doc, err);
	if (r < 0)
		return r;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	jdoc_root(doc, &root);
	r = check_schema(&root, err);
	if (r >= 0)
		r = jnode_get_string(&root, "mediaType", &x->media_type, err);
	if (r >= 0 && !x->media_type && !(x->media_type = strdup(MT_OCI_INDEX)))
		return -ENOMEM;
	if (r >= 0 && !is_index_type(x->media_type))
		r = berr_set(err, EINVAL, "mediaType: '%s' is not an index", x->media_type);
	if (r >= 0)
		r = parse_descriptors(&root, "manifests", INDEX_MAX_MANIFESTS, &x->manifests,
				      &x->n_manifests, err);
	if (r < 0)
		return r == -ENOMEM ? r : berr_wrap(err, "index");
	*ret = TAKE_PTR(x);
	return 0;
}

enum layer_compression layer_media_type_compression(const char *mt)
{
	static const struct {
		const char *mt;
		enum layer_compression c;
	} types[] = {
		{MT_OCI_LAYER, LAYER_PLAIN},
		{MT_OCI_LAYER_GZIP, LAYER_GZIP},
		{MT_OCI_LAYER_ZSTD, LAYER_ZSTD},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_PLAIN},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_GZIP},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LAYER_ZSTD},
		{MT_DOCKER_LAYER_GZIP, LAYER_GZIP},
		{MT_DOCKER_LAYER, LAYER_PLAIN},
		{"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_GZIP},
	};

	for (size_t i = 0; i < ELEMENTSOF(types); i++)
		if (strcmp(mt, types[i].mt) == 0)
			return types[i].c;
	return LAYER_UNKNOWN;
}

bool media_type_is_image_config(const char *mt)
{
	return strcmp(mt, MT_OCI_CONFIG) == 0 || strcmp(mt, MT_DOCKER_CONFIG) == 0;
}

int platform_parse(const char *s, struct platform *ret, struct berr **err)
{
	_cleanup_free_ char *copy = strdup(s);
	struct platform p = {0};
	char *parts[4] = {0}, *save = NULL, *tok;
	size_t n = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == 3)
			return berr_set(err, EINVAL, "invalid platform '%s': os/arch[/variant]", s);
		parts[n++] = tok;
	}
	if (n < 2)
		return berr_set(err, EINVAL, "invalid platform '%s': os/arch[/variant]", s);
	p.os = strdup(parts[0]);
	p.architecture = strdup(parts[1]);
	p.variant = parts[2] ? strdup(parts[2]) : NULL;
	if (!p.os || !p.architecture || (parts[2] && !p.variant)) {
		platform_done(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

int platform_host(struct platform *ret)
{
	static const struct {
		const char *machine, *arch, *variant;
	} map[] = {
		{"x86_64", "amd64", NULL},
		{"aarch64", "arm64", "v8"},
		{"armv7l", "arm", "v7"},
		{"armv6l", "arm", "v6"},
		{"i686", "386", NULL},
		{"i386", "386", NULL},
		{"ppc64le", "ppc64le", NULL},
		{"s390x", "s390x", NULL},
		{"riscv64", "riscv64", NULL},
		{"mips64", "mips64", NULL},
		{"loongarch64", "loong64", NULL},
	};
	struct utsname u;
	struct platform p = {0};
	const char *arch, *variant = NULL;

	if (uname(&u) < 0)
		return -errno;
	arch = u.machine;
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (strcmp(u.machine, map[i].machine) == 0) {
			arch = map[i].arch;
			variant = map[i].variant;
		}
	p.os = strdup("linux");
	p.architecture = strdup(arch);
	p.variant = variant ? strdup(variant) : NULL;
	if (!p.os || !p.architecture || (variant && !p.variant)) {
		platform_done(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

const char *platform_string(const struct platform *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s", p->os ? p->os : "?",
		 p->architecture ? p->architecture : "?", p->variant ? "/" : "",
		 p->variant ? p->variant : "");
	return buf;
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* 0: no match; 2: exact; 1: os and arch match, variant compatible but not stated. */
static int platform_score(const struct platform *have, const struct platform *want)
{
	const char *hv = have->variant, *wv = want->variant;
	bool arm64 = str_eq(want->architecture, "arm64");

	if (!str_eq(have->os, want->os) || !str_eq(have->architecture, want->architecture))
		return 0;
	if (arm64) {
		hv = hv && *hv ? hv : "v8";
		wv = wv && *wv ? wv : "v8";
	}
	if (!wv || !*wv)
		return hv && *hv ? 1 : 2;
	if (!hv || !*hv)
		return 1;
	return strcmp(hv, wv) == 0 ? 2 : 0;
}

int image_index_select(const struct image_index *x, const struct platform *want, struct berr **err)
{
	int best = -1, best_score = 0, unplatformed = -1;
	char offers[512] = "", one[128];
	size_t off = 0;

	for (size_t i = 0; i < x->n_manifests; i++) {
		const struct descriptor *d = &x->manifests[i];
		int s;

		if (!is_manifest_type(d->media_type))
			continue;
		if (!d->has_platform) {
			if (unplatformed < 0)
				unplatformed = (int) i;
			continue;
		}
		s = platform_score(&d->platform, want);
		if (s > best_score) {
			best = (int) i;
			best_score = s;
		}
		if (off < sizeof(offers) - 1)
			off += (size_t) snprintf(offers + off, sizeof(offers) - off, "%s%s",
						 off ? ", " : "",
						 platform_string(&d->platform, one, sizeof(one)));
	}
	if (best >= 0)
		return best;
	if (unplatformed >= 0)
		return unplatformed;
	return berr_set(err, ENOENT, "no image for platform %s in the index (it has: %s)",
			platform_string(want, one, sizeof(one)), *offers ? offers : "nothing");
}

static struct jwriter *descriptor_json(const struct descriptor *d)
{
	struct jwriter *w = jw_object();

	jw_str(w, "mediaType", d->media_type);
	jw_str(w, "digest", d->digest);
	jw_int(w, "size", d->size);
	return w;
}

char *manifest_to_json(const struct manifest *m)
{
	_cleanup_jw_ struct jwriter *w = jw_object();
	struct jwriter *layers = jw_array();

	jw_int(w, "schemaVersion", 2);
	jw_str(w, "mediaType", m->media_type ? m->media_type : MT_OCI_MANIFEST);
	jw_put(w, "config", descriptor_json(&m->config));
	for (size_t i = 0; i < m->n_layers; i++)
		jw_put(layers, NULL, descriptor_json(&m->layers[i]));
	jw_put(w, "layers", layers);
	return jw_to_string(w, false);
}
