/* SPDX-License-Identifier: Apache-2.0 */
/* Manifests, indexes and platform choice, on good and hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "lib/test.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D2 "sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D3 "sha256:2123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char oci_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
	"\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},"
	"\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":5},"
	"{\"mediaType\":\"" MT_OCI_LAYER_ZSTD "\",\"digest\":\"" D3 "\",\"size\":7,"
	"\"annotations\":{\"a\":\"b\"}}]}";

static const char docker_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\","
	"\"config\":{\"mediaType\":\"" MT_DOCKER_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},"
	"\"layers\":[{\"mediaType\":\"" MT_DOCKER_LAYER_GZIP "\",\"digest\":\"" D2
	"\",\"size\":5}]}";

static const char index_json[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
	"\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}},"
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":1,"
	"\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D3 "\",\"size\":1,"
	"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},"
	"\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
	"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";

static void test_oci(void)
{
	struct manifest *m = NULL;
	enum manifest_kind k;

	ASSERT_OK(manifest_detect(oci_manifest, strlen(oci_manifest), NULL, &k, NULL));
	ASSERT_EQ(k, MANIFEST_KIND_IMAGE);
	ASSERT_OK(manifest_parse(oci_manifest, strlen(oci_manifest), &m, NULL));
	ASSERT_STREQ(m->config.digest, D1);
	ASSERT_EQ(m->n_layers, 2);
	ASSERT_EQ(m->layers[1].size, 7);
	ASSERT_EQ(layer_media_type_compression(m->layers[1].media_type), LAYER_ZSTD);
	manifest_free(m);
}

static void test_docker(void)
{
	struct manifest *m = NULL;
	char *json;

	ASSERT_OK(manifest_parse(docker_manifest, strlen(docker_manifest), &m, NULL));
	ASSERT_STREQ(m->media_type, MT_DOCKER_MANIFEST);
	ASSERT_EQ(layer_media_type_compression(m->layers[0].media_type), LAYER_GZIP);
	json = manifest_to_json(m);
	ASSERT_CONTAINS(json, MT_DOCKER_MANIFEST);
	manifest_free(m);
	m = NULL;
	ASSERT_OK(manifest_parse(json, strlen(json), &m, NULL));
	ASSERT_STREQ(m->layers[0].digest, D2);
	manifest_free(m);
	free(json);
}

static void bad_manifest(const char *json, const char *msg)
{
	struct manifest *m = NULL;
	struct berr *err = NULL;
	int r = manifest_parse(json, strlen(json), &m, &err);

	if (r >= 0)
		TEST_FAIL("accepted: %s", json);
	ASSERT_NULL(m);
	ASSERT_CONTAINS(err->msg, msg);
	berr_free(err);
}

static void test_bad_manifests(void)
{
	bad_manifest("", "unexpected end");
	bad_manifest("[]", "");
	bad_manifest("null", "");
	bad_manifest("{\"schemaVersion\":1}", "schema 1");
	bad_manifest("{\"schemaVersion\":3}", "must be 2");
	bad_manifest("{\"schemaVersion\":\"2\"}", "schemaVersion");
	bad_manifest("{\"schemaVersion\":2}", "config");
	bad_manifest("{\"schemaVersion\":2,\"config\":{}}", "config.mediaType");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:1\","
		     "\"size\":1},\"layers\":[]}",
		     "invalid digest");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		     "\"size\":-1},\"layers\":[]}",
		     "size");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\"},"
		     "\"layers\":[]}",
		     "size is required");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		     "\"size\":1}}",
		     "layers is required");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		     "\"size\":1},\"layers\":{}}",
		     "must be an array");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		     "\"size\":1},\"layers\":[{\"mediaType\":\"text/html\",\"digest\":\"" D2
		     "\",\"size\":1}]}",
		     "unsupported media type");
	bad_manifest("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\"}",
		     "not an image manifest");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"mediaType\":1,\"digest\":\"" D1
		     "\",\"size\":1},\"layers\":[]}",
		     "must be a string");
	bad_manifest("{\"schemaVersion\":2} trailing", "trailing");
}

static void test_too_many_layers(void)
{
	size_t n = MANIFEST_MAX_LAYERS + 1, len = 256 + n * 200;
	char *buf = malloc(len), *p = buf;

	p += sprintf(p, "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
			"\",\"size\":1},\"layers\":[");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p,
			     "%s{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D2
			     "\",\"size\":1}",
			     i ? "," : "");
	sprintf(p, "]}");
	bad_manifest(buf, "more than");
	free(buf);
}

static void test_huge(void)
{
	struct manifest *m = NULL;
	struct berr *err = NULL;

	ASSERT_EQ(manifest_parse("{}", (size_t) MANIFEST_MAX_SIZE + 1, &m, &err), -EFBIG);
	berr_free(err);
}

static void test_index_select(void)
{
	struct image_index *x = NULL;
	struct platform p = {0};
	struct berr *err = NULL;
	enum manifest_kind k;

	ASSERT_OK(manifest_detect(index_json, strlen(index_json), NULL, &k, NULL));
	ASSERT_EQ(k, MANIFEST_KIND_INDEX);
	ASSERT_OK(image_index_parse(index_json, strlen(index_json), &x, NULL));
	ASSERT_EQ(x->n_manifests, 4);
	ASSERT_STREQ(x->manifests[2].ref_name, "v1");
	ASSERT_OK(platform_parse("linux/amd64", &p, NULL));
	ASSERT_EQ(image_index_select(x, &p, NULL), 2);
	platform_done(&p);
	ASSERT_OK(platform_parse("linux/arm64/v8", &p, NULL));
	ASSERT_EQ(image_index_select(x, &p, NULL), 1);
	platform_done(&p);
	ASSERT_OK(platform_parse("linux/arm/v7", &p, NULL));
	ASSERT_EQ(image_index_select(x, &p, NULL), 0);
	platform_done(&p);
	ASSERT_OK(platform_parse("linux/arm/v6", &p, NULL));
	ASSERT_EQ(image_index_select(x, &p, &err), -ENOENT);
	ASSERT_CONTAINS(err->msg, "linux/arm/v6");
	ASSERT_CONTAINS(err->msg, "linux/amd64");
	berr_clear(&err);
	platform_done(&p);
	ASSERT_OK(platform_parse("windows/amd64", &p, NULL));
	ASSERT_EQ(image_index_select(x, &p, NULL), -ENOENT);
	platform_done(&p);
	ASSERT_EQ(platform_parse("linux", &p, &err), -EINVAL);
	berr_clear(&err);
	ASSERT_EQ(platform_parse("a/b/c/d", &p, &err), -EINVAL);
	berr_clear(&err);
	image_index_free(x);
}

static void test_bad_index(void)
{
	struct image_index *x = NULL;
	struct berr *err = NULL;
	static const char *const bad[] = {
		"{\"schemaVersion\":2}",
		"{\"schemaVersion\":2,\"manifests\":[{}]}",
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a\",\"digest\":\"" D1
		"\",\"size\":1,\"platform\":{\"os\":\"linux\"}}]}",
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a\",\"digest\":\"" D1
		"\",\"size\":1,\"platform\":[]}]}",
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a\",\"digest\":\"" D1
		"\",\"size\":1,\"annotations\":{\"org.opencontainers.image.ref.name\":5}}]}",
		"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"manifests\":[]}",
		"{\"schemaVersion\":2,\"manifests\":\"x\"}",
		NULL,
	};

	for (size_t i = 0; bad[i]; i++) {
		if (image_index_parse(bad[i], strlen(bad[i]), &x, &err) >= 0)
			TEST_FAIL("accepted: %s", bad[i]);
		ASSERT_NULL(x);
		berr_clear(&err);
	}
}

static void test_detect(void)
{
	enum manifest_kind k;
	struct berr *err = NULL;
	const char *no_mt = "{\"schemaVersion\":2,\"manifests\":[]}";

	ASSERT_OK(manifest_detect(no_mt, strlen(no_mt), NULL, &k, NULL));
	ASSERT_EQ(k, MANIFEST_KIND_INDEX);
	no_mt = "{\"schemaVersion\":2,\"config\":{}}";
	ASSERT_OK(manifest_detect(no_mt, strlen(no_mt), MT_DOCKER_LIST "; charset=x", &k, NULL));
	ASSERT_EQ(k, MANIFEST_KIND_INDEX);
	ASSERT_OK(manifest_detect(no_mt, strlen(no_mt), "application/json", &k, NULL));
	ASSERT_EQ(k, MANIFEST_KIND_IMAGE);
	no_mt = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.cncf.helm.config\"}";
	ASSERT_EQ(manifest_detect(no_mt, strlen(no_mt), NULL, &k, &err), -EINVAL);
	ASSERT_CONTAINS(err->msg, "unsupported manifest media type");
	berr_free(err);
}

static const struct test tests[] = {
	TEST(test_oci),
	TEST(test_docker),
	TEST(test_bad_manifests),
	TEST(test_too_many_layers),
	TEST(test_huge),
	TEST(test_index_select),
	TEST(test_bad_index),
	TEST(test_detect),
	{},
};

int main(void)
{
	return test_main(tests);
}
