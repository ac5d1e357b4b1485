/* SPDX-License-Identifier: Apache-2.0 */
#include "engine/attach_frame.h"

void attach_reader_init(struct attach_reader *r)
{
	*r = (struct attach_reader){.exit_code = -1};
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
	       (uint32_t) p[3] << 24;
}

int attach_reader_feed(struct attach_reader *r, const void *buf, size_t n,
		       int (*out)(int type, const void *p, size_t len, void *arg), void *arg)
{
	const unsigned char *p = buf;

	while (n > 0) {
		if (r->want == 0 && r->hdr_len < 5) {
			r->hdr[r->hdr_len++] = *p++;
			n--;
			if (r->hdr_len == 5) {
				r->type = r->hdr[0];
				r->want = le32(r->hdr + 1);
				r->hdr_len = r->want ? 5 : 0;
			}
			continue;
		}
		size_t take = n < r->want ? n : r->want;

		if (r->type == FRAME_EXIT) {
			for (size_t i = 0; i < take && r->code_len < 4; i++)
				r->code[r->code_len++] = p[i];
			if (r->code_len == 4)
				r->exit_code = (int) le32(r->code);
		} else if (r->type == FRAME_STDOUT || r->type == FRAME_STDERR) {
			int ret = out(r->type, p, take, arg);

			if (ret < 0)
				return ret;
		}
		p += take;
		n -= take;
		r->want -= (uint32_t) take;
		if (r->want == 0)
			r->hdr_len = 0;
	}
	return 0;
}
