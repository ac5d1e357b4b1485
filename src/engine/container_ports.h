/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's published ports (-p, -P, --expose; src/net/portspec.h, ports.h): checked
 * at create, bound and forwarded at each start of a container on a user-defined network
 * (the monitor holds the sockets while it runs), unpublished at its cleanup.
 */
#ifndef BERTH_ENGINE_CONTAINER_PORTS_H
#define BERTH_ENGINE_CONTAINER_PORTS_H

#include <stdint.h>

#include "engine/container_store.h"
#include "net/network.h"
#include "net/portspec.h"

/*
 * -p and --expose: each checked (docker's messages); cfg->exposed becomes "80/tcp" for
 * each --expose port and each published container port.
 */
int container_ports_from_flags(char *const *publish, char *const *expose, bool publish_all,
			       struct container_config *cfg, struct berr **err);

/* Add the image's EXPOSE ("80/tcp") to cfg->exposed. */
int container_ports_merge_image(struct container_config *cfg, char *const *image_exposed);

/* At start, on network n with address ip: bind, record and forward; c holds the fds. */
int container_ports_publish(struct engine *e, struct container *c, const struct network *n,
			    uint32_t ip, struct berr **err);

/*
 * In the monitor: take the fds in list ("12,13", inherited from berth; NULL: none) as
 * c's held fds, close-on-exec from now on (the runtime and the container do not get them).
 */
int container_ports_hold(struct container *c, const char *list, struct berr **err);

/*
 * In berth, before it execs the monitor: c's held fds moved to 10 and above, inherited
 * (not close-on-exec), as a list for --hold-fds in *ret (malloc'd; NULL: none).
 */
int container_ports_pass(struct container *c, char **ret);

/* At cleanup: close what c holds, drop the record and its rules. Best effort. */
void container_ports_release(struct engine *e, struct container *c);

/* The container's published ports while it runs (*ret_n 0 otherwise; *ret: free()). */
int container_ports_list(struct engine *e, const struct container *c, struct port_map **ret,
			 size_t *ret_n);

#endif
