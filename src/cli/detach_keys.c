/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/detach_keys.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

/* The code of the key named by s[0, n): one character or ctrl-X; -1 when unknown. */
static int key_code(const char *s, size_t n)
{
	static const char ctrl_syms[] = "@[\\]^_";
	char c;

	if (n == 1)
		return (unsigned char) s[0];
	if (n != 6 || strncasecmp(s, "ctrl-", 5) != 0)
		return -1;
	c = (char) tolower((unsigned char) s[5]);
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 1;
	if (c && strchr(ctrl_syms, c)) {
		int i = (int) (strchr(ctrl_syms, c) - ctrl_syms);

		return i == 0 ? 0 : 26 + i; /* NUL, then ESC (27) to US (31) */
	}
	return -1;
}

int detach_keys_parse(const char *spec, struct detach_keys *ret)
{
	struct detach_keys k = {0};
	const char *p;

	if (!spec || !*spec)
		spec = DETACH_KEYS_DEFAULT;
	for (p = spec;;) {
		size_t n = strcspn(p, ",");
		int code = key_code(p, n);

		if (code < 0 || k.len == DETACH_KEYS_MAX)
			return -EINVAL;
		k.seq[k.len++] = (unsigned char) code;
		if (!p[n])
			break;
		p += n + 1;
	}
	*ret = k;
	return 0;
}

bool detach_keys_feed(struct detach_keys *k, const unsigned char *in, size_t n, unsigned char *out,
		      size_t *ret_len)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (k->len && in[i] == k->seq[k->matched]) {
			if (++k->matched == k->len) {
				k->matched = 0;
				*ret_len = o;
				return true;
			}
			continue;
		}
		/* the held-back prefix was not the sequence: it is input after all */
		memcpy(out + o, k->seq, k->matched);
		o += k->matched;
		k->matched = 0;
		if (k->len && in[i] == k->seq[0])
			k->matched = 1;
		else
			out[o++] = in[i];
	}
	*ret_len = o;
	return false;
}
