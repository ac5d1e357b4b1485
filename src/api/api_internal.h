/* SPDX-License-Identifier: Apache-2.0 */
/* What the API's handlers share: the request, the replies, the routes. */
#ifndef BERTH_API_API_INTERNAL_H
#define BERTH_API_API_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "cli/berth_cmds.h"
#include "lib/err.h"
#include "lib/json.h"

#define API_VERSION "1.41"
#define API_MIN_VERSION "1.12"
#define API_BODY_MAX (1024 * 1024) /* a create's JSON is a few KiB */
/* PUT /containers/{id}/archive: a tar, spooled to an unlinked file, not kept in memory */
#define API_ARCHIVE_MAX (64LL * 1024 * 1024 * 1024)

struct MHD_Connection;
struct MHD_Response;
struct api_hijack;
struct container;
struct image_record;
struct image_store;

/* One request, as the handlers see it. */
struct api_req {
	struct MHD_Connection *conn;
	const char *method;
	const char *path; /* without the /v1.NN prefix */
	char **parts;	  /* path split at '/' ("containers", "<id>", "start") */
	const char *body; /* NUL-terminated, may be empty */
	size_t body_len;
	int body_fd; /* a tar body (PUT, /build, /images/load) in an unlinked file, or -1 */
	struct berth_ctx *ctx; /* the engine of this request only */
	bool replied;
	struct api_hijack *hijack; /* a 101 reply's (api_hijack.h), freed at the connection's end */
};

/* The handler of a route; it replies through api_reply_* and returns 0 (or -errno, 500). */
typedef int (*api_handler)(struct api_req *r);

/* dockerd's headers (Api-Version, Server, ...) and Content-Type type (when not NULL). */
void api_reply_headers(struct MHD_Response *resp, const char *type);

/* Replies; each queues one response on r's connection. */
int api_reply_json(struct api_req *r, unsigned status, const struct jwriter *doc);
int api_reply_raw(struct api_req *r, unsigned status, const char *type, const void *buf,
		  size_t len);
int api_reply_empty(struct api_req *r, unsigned status);
int api_reply_error(struct api_req *r, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err's message with docker's status for errnum (404 ENOENT, 409 EEXIST/EBUSY, 400 EINVAL, 500). */
int api_reply_berr(struct api_req *r, int errnum, const struct berr *err);

/* The engine of r's ctx, opened on first use; NULL after replying 500. */
struct engine *api_engine(struct api_req *r);

/* Query parameters: the value or NULL; a boolean as docker reads it ("1", "true", "True"). */
const char *api_query(struct api_req *r, const char *key);
bool api_query_bool(struct api_req *r, const char *key);
/* An integer parameter into *ret (unchanged when absent); -EINVAL after replying 400. */
int api_query_int(struct api_req *r, const char *key, int64_t min, int64_t max, int64_t *ret);

/* docker's filters={"key":{"value":true}} or {"key":["value"]} as "key=value" entries. */
int api_filters_parse(const char *json, char ***ret, struct berr **err);

/*
 * The request's body as a JSON object (an empty body is {}): *ret_doc owns it, *ret_root
 * is its root. -EINVAL with *err for a body that is not an object.
 */
int api_body_object(struct api_req *r, struct jdoc **ret_doc, struct jnode *ret_root,
		    struct berr **err);
/*
 * Member key of obj, docker's map of strings ({"k": "v"}), as "k=v" entries into *ret
 * (replacing it; untouched when absent or null). -EINVAL with *err for another shape.
 */
int api_json_kv(const struct jnode *obj, const char *key, char ***ret, struct berr **err);

/* What the create bodies of networks and volumes share. */
struct api_create_body {
	char *name, *driver; /* NULL: absent */
	char **labels, **opts;
};
void api_create_body_done(struct api_create_body *c);
/*
 * r's body: Name, Driver, Labels and the driver's options (member opts_key) into *c;
 * *ret_doc (the caller frees it) and *ret_root for the rest. -EINVAL with *err.
 */
int api_create_body_read(struct api_req *r, const char *opts_key, struct api_create_body *c,
			 struct jdoc **ret_doc, struct jnode *ret_root, struct berr **err);

/* The handlers (api_system.c, api_containers.c, api_container_ops.c, api_logs.c, api_images.c). */
int api_ping(struct api_req *r);
int api_version(struct api_req *r);
int api_info(struct api_req *r);
int api_containers_list(struct api_req *r);
int api_container_create(struct api_req *r);
int api_container_inspect(struct api_req *r);
int api_container_start(struct api_req *r);
int api_container_stop(struct api_req *r);
int api_container_restart(struct api_req *r);
int api_container_kill(struct api_req *r);
int api_container_wait(struct api_req *r);
int api_container_delete(struct api_req *r);
int api_container_logs(struct api_req *r);
int api_container_attach(struct api_req *r);
/* The parked end of a client that attached to container id before its start, or -1. */
int api_attach_take(const char *id);
/* containers: the rest (api_container_extra.c, api_container_fs.c, api_stats.c) */
/* Open parts[1] locked (any: also a half-made or dead one, for DELETE); replies on failure. */
int api_container_open(struct api_req *r, bool any, struct container **ret);
/* HostConfig's RestartPolicy as --restart's text in buf (NULL when absent or unnamed). */
int api_restart_policy(const struct jnode *hc, char *buf, size_t size, const char **ret,
		       struct berr **err);
int api_container_rename(struct api_req *r);
int api_container_update(struct api_req *r);
int api_container_pause(struct api_req *r);
int api_container_unpause(struct api_req *r);
int api_container_resize(struct api_req *r);
int api_container_top(struct api_req *r);
int api_container_changes(struct api_req *r);
int api_containers_prune(struct api_req *r);
int api_container_export(struct api_req *r);
int api_container_archive_stat(struct api_req *r);
int api_container_archive_get(struct api_req *r);
int api_container_archive_put(struct api_req *r);
int api_container_stats(struct api_req *r);
int api_events(struct api_req *r);
int api_image_pull(struct api_req *r);
int api_exec_create(struct api_req *r);
int api_exec_start(struct api_req *r);
int api_exec_inspect(struct api_req *r);
int api_images_list(struct api_req *r);
int api_image_inspect(struct api_req *r);
int api_image_tag(struct api_req *r);
int api_image_delete(struct api_req *r);
/* images: the rest (api_image_extra.c, api_pull.c, api_build.c, api_auth.c; helpers of
 * api_image_ops.c, api_container_fs.c) */
/* The image name: parts[1..n-skip) joined with '/' (it has slashes of its own); malloc'd. */
char *api_image_name(struct api_req *r, size_t skip);
/* docker's [{"Untagged": NAME}, {"Deleted": ID}] from image_remove()'s report lines. */
struct jwriter *api_image_delete_doc(char *const *report);
/* An unlinked file for a tar, under $TMPDIR or /tmp. */
int api_tar_file(struct berr **err);
/* Reply 200 with the tar in fd (sent from offset 0; fd is the reply's from now on). */
int api_reply_tar(struct api_req *r, int fd, const char *stat_header);
/* The tar of the request's body unpacked in a private directory (malloc'd path). */
int api_unpack_body(struct api_req *r, char **ret, struct berr **err);
/*
 * X-Registry-Auth (base64url JSON {"username","password"}) as "user:password" in *ret
 * (NULL: none, or anonymous); -EINVAL with *err when it cannot be read.
 */
int api_registry_auth(struct api_req *r, char **ret, struct berr **err);
/* Every value of a repeated query parameter (t=a&t=b), empty ones left out; NULL: none. */
char **api_query_all(struct api_req *r, const char *key);
int api_image_history(struct api_req *r);
int api_image_push(struct api_req *r);
int api_image_get(struct api_req *r);
int api_images_get(struct api_req *r);
int api_images_load(struct api_req *r);
int api_images_prune(struct api_req *r);
int api_build(struct api_req *r);
int api_auth(struct api_req *r);
/* networks, volumes (api_networks.c, api_volumes.c) */
int api_networks_list(struct api_req *r);
int api_network_inspect(struct api_req *r);
int api_network_create(struct api_req *r);
int api_network_delete(struct api_req *r);
int api_networks_prune(struct api_req *r);
/* POST /networks/{id}/connect and /disconnect: 501, not implemented */
int api_network_connect(struct api_req *r);
int api_volumes_list(struct api_req *r);
int api_volume_create(struct api_req *r);
int api_volume_inspect(struct api_req *r);
int api_volume_delete(struct api_req *r);
int api_volumes_prune(struct api_req *r);

/*
 * One element of GET /images/json, as dockerd's types.ImageSummary (SharedSize and
 * Containers: -1 where dockerd does not count them); NULL for an image that cannot be read.
 */
struct jwriter *api_image_summary(struct image_store *s, const struct image_record *rec,
				  int64_t shared_size, int64_t containers);
/* One element of GET /containers/json, as dockerd's types.Container. */
struct jwriter *api_container_row(const struct container *c);
/* GET /system/df (api_system_df.c) */
int api_system_df(struct api_req *r);
/* compose, exec resize (api_create_compose.c, api_exec.c) */
/* What the flags of a create point into beyond the basic ContainerConfig and HostConfig. */
struct api_create_extra {
	char **publish, **expose, **aliases, **volumes;
	char *ip;
};
void api_create_extra_done(struct api_create_extra *x);
/* ExposedPorts and HostConfig.PortBindings (hc) as --expose and -p texts into x. */
int api_create_ports(const struct jnode *root, const struct jnode *hc, struct api_create_extra *x,
		     struct berr **err);
/*
 * NetworkingConfig.EndpointsConfig's endpoint of network (the NetworkMode, NULL for the
 * default): Aliases and IPAMConfig.IPv4Address into x. -EINVAL with *err for another network
 * or more than one.
 */
int api_create_endpoint(const struct jnode *root, const char *network, struct api_create_extra *x,
			struct berr **err);
/* Config.Volumes' paths not the target of one of binds (-v texts): anonymous volumes. */
int api_create_volumes(const struct jnode *root, char *const *binds, struct api_create_extra *x,
		       struct berr **err);
int api_exec_resize(struct api_req *r);

/* Find the handler of r (method and parts); replies 404/405 itself when there is none. */
int api_route(struct api_req *r);

#endif
