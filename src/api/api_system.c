/* SPDX-License-Identifier: Apache-2.0 */
/* _ping, version and info: what clients ask first (the API version they will speak). */
#include <errno.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_internal.h"
#include "lib/cleanup.h"

/* docker's /_ping: "OK" as text/plain, no caching; HEAD gets the headers only (MHD drops the body) */
int api_ping(struct api_req *r)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(2, (void *) "OK", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!resp)
		return -ENOMEM;
	(void) MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	(void) MHD_add_response_header(resp, "Api-Version", API_VERSION);
	(void) MHD_add_response_header(resp, "Builder-Version", "1");
	(void) MHD_add_response_header(resp, "Cache-Control",
				       "no-cache, no-store, must-revalidate");
	(void) MHD_add_response_header(resp, "Pragma", "no-cache");
	(void) MHD_add_response_header(resp, "Docker-Experimental", "false");
	(void) MHD_add_response_header(resp, "Ostype", "linux");
	ok = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	r->replied = true;
	return ok == MHD_YES ? 0 : -EIO;
}

/* The server half of `berth version`'s document, as GET /version answers it. */
int api_version(struct api_req *r)
{
	_cleanup_jw_ struct jwriter *doc = berth_version_json();
	_cleanup_free_ char *s = doc ? jw_to_string(doc, false) : NULL, *server_s = NULL;
	_cleanup_(jdoc_freep) struct jdoc *parsed = NULL;
	struct jnode root, server;

	if (!s || jdoc_parse(s, strlen(s), "version", &parsed, NULL) < 0)
		return -ENOMEM;
	jdoc_root(parsed, &root);
	jnode_member(&root, "Server", &server);
	if (!(server_s = jnode_to_json(&server, false)))
		return -ENOMEM;
	return api_reply_raw(r, 200, "application/json", server_s, strlen(server_s));
}

int api_info(struct api_req *r)
{
	_cleanup_jw_ struct jwriter *doc = berth_info_json(r->ctx);

	if (!doc)
		return api_reply_error(r, 500, "cannot read the engine's state under '%s'",
				       r->ctx->root);
	return api_reply_json(r, 200, doc);
}
