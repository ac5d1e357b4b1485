/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The frames on the attach socket between berth-monitor and an attached client (`berth
 * run`, `attach`, the API's attach): one byte (the type), a little-endian uint32 length,
 * the bytes (for exit: the exit code as a little-endian int32).
 */
#ifndef BERTH_ENGINE_ATTACH_FRAME_H
#define BERTH_ENGINE_ATTACH_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum attach_frame {
	FRAME_STDOUT = 1,
	FRAME_STDERR = 2,
	FRAME_EXIT = 3,
};

/* A client's reader of the monitor's stream, fed as the bytes come. */
struct attach_reader {
	unsigned char hdr[5];
	size_t hdr_len; /* 5 while in a frame's body */
	uint32_t want;	/* bytes of the current frame's body still to come */
	int type;
	unsigned char code[4];
	size_t code_len;
	int exit_code; /* -1 until the exit frame */
};

void attach_reader_init(struct attach_reader *r);

/*
 * Consume n bytes of the stream: out(type, bytes, len, arg) gets each piece of an output
 * frame (FRAME_STDOUT or FRAME_STDERR) as it comes; the exit frame sets r->exit_code.
 * Returns 0, or the first negative value out returned (the rest is not consumed).
 */
int attach_reader_feed(struct attach_reader *r, const void *buf, size_t n,
		       int (*out)(int type, const void *p, size_t len, void *arg), void *arg);

#endif
