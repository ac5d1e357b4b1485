/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The detach key sequence of an attached terminal (docker's --detach-keys, default
 * ctrl-p,ctrl-q): its parser and a matcher over the user's input. Pure: no I/O.
 *
 * The syntax is docker's: comma-separated keys, each a single character or
 * ctrl-<a-z|@|[|\|]|^|_> (case-insensitive). Bytes that match a prefix of the sequence
 * are held back; if the next byte does not continue it they are passed on, so a partial
 * sequence reaches the container unchanged.
 */
#ifndef BERTH_CLI_DETACH_KEYS_H
#define BERTH_CLI_DETACH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define DETACH_KEYS_MAX 32
#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

struct detach_keys {
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;	/* 0: never detach */
	size_t matched; /* bytes of seq held back */
};

/*
 * Parse spec (NULL or "": the default) into *ret. -EINVAL for a key docker does not
 * know, or a sequence longer than DETACH_KEYS_MAX.
 */
int detach_keys_parse(const char *spec, struct detach_keys *ret);

/*
 * Feed n bytes of input. What goes on to the container is written to out (room for
 * n + DETACH_KEYS_MAX bytes), its length to *ret_len. Returns true when the sequence
 * is complete: *ret_len then holds what came before it, and the rest of in is dropped.
 */
bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t n, unsigned char *out,
		      size_t *ret_len);

#endif
