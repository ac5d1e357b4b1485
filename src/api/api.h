/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Docker Engine API (1.41) over HTTP: a layer above the engine that holds no state of
 * its own; each request opens the engine under the service's --root and calls the same
 * code the CLI calls.
 */
#ifndef BERTH_API_API_H
#define BERTH_API_API_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/err.h"

#define API_DEFAULT_URI "unix:///run/berth/docker.sock"

struct engine_config;

struct api_opts {
	const char *root;		    /* the engine's --root */
	const char *registry_config;	    /* --registry-config, or NULL */
	const struct engine_config *config; /* the engine configuration, read at start */
	bool debug;
	const char *uri; /* unix:///path or tcp://127.0.0.1:PORT; NULL: API_DEFAULT_URI */
	int timeout_s;	 /* exit after this long without a request; 0: never */
	gid_t gid;	 /* the unix socket's group (--group; 0: root) */
};

/*
 * Listen on o->uri (or on the socket systemd passed in LISTEN_FDS) and serve until SIGTERM,
 * SIGINT or the idle timeout. Returns 0 then, or -errno with *err when it cannot listen.
 */
int api_serve(const struct api_opts *o, struct berr **err);

#endif
