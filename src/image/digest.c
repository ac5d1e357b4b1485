/* SPDX-License-Identifier: Apache-2.0 */
#include "image/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hasher {
	EVP_MD_CTX *ctx;
	enum digest_algo algo;
};

static const struct {
	const char *name;
	size_t hexlen;
} algos[_DIGEST_ALGO_MAX] = {
	[DIGEST_SHA256] = {"sha256", 64},
	[DIGEST_SHA512] = {"sha512", 128},
};

static const EVP_MD *algo_md(enum digest_algo a)
{
	return a == DIGEST_SHA512 ? EVP_sha512() : EVP_sha256();
}

const char *digest_algo_name(enum digest_algo a)
{
	return a < _DIGEST_ALGO_MAX ? algos[a].name : "unknown";
}

int digest_validate(const char *s, enum digest_algo *ret_algo)
{
	const char *colon;
	size_t alen;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon || colon == s)
		return -EINVAL;
	alen = (size_t) (colon - s);
	for (int a = 0; a < _DIGEST_ALGO_MAX; a++) {
		const char *hex = colon + 1;

		if (strlen(algos[a].name) != alen || strncmp(s, algos[a].name, alen) != 0)
			continue;
		if (strlen(hex) != algos[a].hexlen)
			return -EINVAL;
		for (size_t i = 0; hex[i]; i++)
			if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
				return -EINVAL;
		if (ret_algo)
			*ret_algo = (enum digest_algo) a;
		return 0;
	}
	/* algorithm grammar: [a-z0-9]+([+._-][a-z0-9]+)*; anything else is malformed */
	for (size_t i = 0; i < alen; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789+._-", s[i]))
			return -EINVAL;
	return -EOPNOTSUPP;
}

const char *digest_hex(const char *digest)
{
	const char *c = strchr(digest, ':');

	return c ? c + 1 : digest;
}

struct hasher *hasher_new(enum digest_algo algo)
{
	struct hasher *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->algo = algo;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, algo_md(algo), NULL) != 1)
		return hasher_free(h);
	return h;
}

struct hasher *hasher_free(struct hasher *h)
{
	if (h) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
	}
	return NULL;
}

void hasher_update(struct hasher *h, const void *buf, size_t len)
{
	if (len)
		(void) EVP_DigestUpdate(h->ctx, buf, len);
}

void hasher_final(struct hasher *h, char out[static DIGEST_MAX])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t off;

	(void) EVP_DigestFinal_ex(h->ctx, md, &n);
	off = (size_t) snprintf(out, DIGEST_MAX, "%s:", algos[h->algo].name);
	for (unsigned int i = 0; i < n && off + 2 < DIGEST_MAX; i++) {
		out[off++] = hexd[md[i] >> 4];
		out[off++] = hexd[md[i] & 15];
	}
	out[off] = '\0';
}

void hasher_reset(struct hasher *h)
{
	(void) EVP_DigestInit_ex(h->ctx, algo_md(h->algo), NULL);
}

void digest_buffer(enum digest_algo algo, const void *buf, size_t len, char out[static DIGEST_MAX])
{
	struct hasher *h = hasher_new(algo);

	if (!h) {
		out[0] = '\0';
		return;
	}
	hasher_update(h, buf, len);
	hasher_final(h, out);
	hasher_free(h);
}

bool digest_matches(const char *digest, const void *buf, size_t len)
{
	char got[DIGEST_MAX];
	enum digest_algo a;

	if (digest_validate(digest, &a) < 0)
		return false;
	digest_buffer(a, buf, len, got);
	return strcmp(got, digest) == 0;
}
