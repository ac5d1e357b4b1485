/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content-addressed blobs of the store (blobs/<algo>/<hex>). A blob is written to
 * ingest/ under an flock, hashed as it is written, checked against the digest it must
 * have, fsync'd and renamed into place: it exists under its name only when complete
 * and right. Reading a blob checks its hash again; a corrupt one is removed and
 * reported, never used.
 */
#ifndef BERTH_IMAGE_BLOB_H
#define BERTH_IMAGE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "image/store_handle.h"
#include "lib/err.h"

/* "blobs/sha256/<hex>" for a valid digest; -EINVAL otherwise. */
int blob_relpath(const char *digest, char *buf, size_t size);

bool blob_exists(struct image_store *s, const char *digest);

/* The blob's size, or -errno. */
int64_t blob_size(struct image_store *s, const char *digest);

/*
 * Read a whole blob (at most max bytes) and check its hash: on success *ret is a
 * NUL-terminated malloc'd buffer. A blob that does not hash to its name is removed, and
 * -EBADMSG returned with *err saying so.
 */
int blob_read(struct image_store *s, const char *digest, size_t max, char **ret, size_t *ret_len,
	      struct berr **err);

/*
 * Hash a blob as it is on disk: a corrupt one is removed and -EBADMSG returned with *err
 * saying so, as blob_read() does, without holding the blob in memory.
 */
int blob_verify(struct image_store *s, const char *digest, struct berr **err);

/* Open a blob for reading (the caller checks its hash while streaming). */
int blob_open(struct image_store *s, const char *digest);

/* Remove a blob (found corrupt by a streaming reader). */
void blob_remove(struct image_store *s, const char *digest);

/* Store buf; *ret_digest (optional) gets its digest. expect (may be NULL) is checked. */
int blob_put(struct image_store *s, const void *buf, size_t len, const char *expect,
	     char ret_digest[DIGEST_MAX], struct berr **err);

struct blob_writer;

/*
 * Start writing a blob. With expect set, the file is ingest/<algo>-<hex> and, when
 * resume is true, what a killed writer left there is kept: blob_writer_offset() says
 * how much (already hashed). Without expect, a private temporary file.
 * Blocks while another process writes the same blob; -EEXIST (no message) when that
 * process completed it meanwhile.
 */
int blob_writer_open(struct image_store *s, const char *expect, bool resume,
		     struct blob_writer **ret, struct berr **err);
uint64_t blob_writer_offset(const struct blob_writer *w);
/* Start again from zero (the server ignored a Range request). */
int blob_writer_restart(struct blob_writer *w);
int blob_writer_write(struct blob_writer *w, const void *buf, size_t len);

/*
 * Finish: check the digest (and size unless < 0), fsync, rename into blobs/. Frees w.
 * *ret_digest (optional) gets the digest. -EBADMSG with *err set on a mismatch (the
 * file is removed).
 */
int blob_writer_commit(struct blob_writer *w, int64_t size, char ret_digest[DIGEST_MAX],
		       struct berr **err);

/* Give up; keep_partial leaves an ingest file for a later resume. Frees w. */
void blob_writer_abort(struct blob_writer *w, bool keep_partial);

/* Remove ingest files no writer holds (temporary ones always, partial ones if all). */
void blob_ingest_cleanup(struct image_store *s, bool all);

#endif
