/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The frames on the attach socket between berth-monitor and an attached `berth run`:
 * one byte (the type), a little-endian uint32 length, the bytes (for exit: the exit code
 * as a little-endian int32).
 */
#ifndef BERTH_ENGINE_ATTACH_FRAME_H
#define BERTH_ENGINE_ATTACH_FRAME_H

enum attach_frame {
	FRAME_STDOUT = 1,
	FRAME_STDERR = 2,
	FRAME_EXIT = 3,
};

#endif
