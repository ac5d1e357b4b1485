/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content digests ("sha256:<64 hex>", image-spec descriptor.md): validation and
 * streaming hashes. SHA-256 and SHA-512 come from OpenSSL's libcrypto, which libcurl
 * already brings in, and whose assembly (SHA-NI, AVX2) is the fastest on Debian.
 */
#ifndef BERTH_IMAGE_DIGEST_H
#define BERTH_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

/* "sha512:" + 128 hex + NUL */
#define DIGEST_MAX 136

enum digest_algo {
	DIGEST_SHA256,
	DIGEST_SHA512,
	_DIGEST_ALGO_MAX,
};

/*
 * Check that s is a digest berth can verify: a registered algorithm and exactly its
 * number of lowercase hex characters. On success *ret_algo (optional) is the algorithm.
 * Returns 0 or -EINVAL (unknown algorithm: -EOPNOTSUPP).
 */
int digest_validate(const char *s, enum digest_algo *ret_algo);

/* The algorithm's name ("sha256") and the hex part of a validated digest. */
const char *digest_algo_name(enum digest_algo a);
const char *digest_hex(const char *digest);

/* A streaming hash. */
struct hasher;

/* A new hasher for algo; NULL on OOM. */
struct hasher *hasher_new(enum digest_algo algo);
struct hasher *hasher_free(struct hasher *h);
static inline void hasher_freep(struct hasher **h)
{
	*h = hasher_free(*h);
}
#define _cleanup_hasher_ __attribute__((cleanup(hasher_freep)))

void hasher_update(struct hasher *h, const void *buf, size_t len);

/* Write "algo:hex" of everything hashed so far into out; the hasher can be reused after
 * hasher_reset(). */
void hasher_final(struct hasher *h, char out[static DIGEST_MAX]);
void hasher_reset(struct hasher *h);

/* The digest of a buffer, as "sha256:hex". */
void digest_buffer(enum digest_algo algo, const void *buf, size_t len, char out[static DIGEST_MAX]);

/* True when buf hashes to digest (which must be valid). */
bool digest_matches(const char *digest, const void *buf, size_t len);

#endif
