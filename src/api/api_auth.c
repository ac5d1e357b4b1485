/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registry credentials in the API: the X-Registry-Auth header of pull and push, and POST
 * /auth, which checks them against the registry as `berth login` does (registry_login()),
 * but keeps nothing: dockerd leaves the saving to its client.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_internal.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/registry_auth.h"
#include "lib/cleanup.h"

/* docker's AuthConfig: username and password into "user:password" (NULL: anonymous). */
static int auth_config(const struct jnode *root, char **user, char **password, char **server,
		       struct berr **err)
{
	int r;

	if ((r = jnode_expect_object(root, err)) < 0 ||
	    (r = jnode_get_string(root, "username", user, err)) < 0 ||
	    (r = jnode_get_string(root, "password", password, err)) < 0 ||
	    (r = jnode_get_string(root, "serveraddress", server, err)) < 0)
		return r;
	return 0;
}

int api_registry_auth(struct api_req *r, char **ret, struct berr **err)
{
	const char *hdr = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Registry-Auth");
	_cleanup_free_ char *std = NULL, *json = NULL, *user = NULL, *pw = NULL, *server = NULL;
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	struct jnode root;
	size_t len, n;
	int k;

	*ret = NULL;
	if (!hdr || !*hdr)
		return 0;
	/* base64url, its padding optional, as standard base64 */
	len = strlen(hdr);
	if (!(std = calloc(1, len + 4)))
		return -ENOMEM;
	for (n = 0; n < len; n++)
		std[n] = hdr[n] == '-' ? '+' : hdr[n] == '_' ? '/' : hdr[n];
	while (n % 4)
		std[n++] = '=';
	if (base64_decode(std, &json, &len) < 0 ||
	    jdoc_parse(json, len, "X-Registry-Auth", &doc, NULL) < 0)
		return berr_set(err, EINVAL, "X-Registry-Auth is not base64-encoded JSON");
	jdoc_root(doc, &root);
	if ((k = auth_config(&root, &user, &pw, &server, err)) < 0)
		return berr_wrap(err, "X-Registry-Auth");
	if (!user || !*user)
		return 0; /* {} or an identitytoken alone: anonymous */
	if (strchr(user, ':'))
		return berr_set(err, EINVAL, "X-Registry-Auth: a user name cannot contain ':'");
	return asprintf(ret, "%s:%s", user, pw ? pw : "") < 0 ? -ENOMEM : 0;
}

/* dockerd's answer to refused credentials: the URL of the registry's /v2/ and the status */
static int reply_refused(struct api_req *r, const char *server)
{
	const char *host = server;
	int n;

	if (strncmp(host, "https://", 8) == 0)
		host += 8;
	else if (strncmp(host, "http://", 7) == 0)
		host += 7;
	n = (int) strcspn(host, "/");
	return api_reply_error(
		r, 401, "login attempt to %s://%.*s/v2/ failed with status: 401 Unauthorized",
		image_ref_domain_is_local(host) ||
				registry_config_insecure(r->ctx->registries, host)
			? "http"
			: "https",
		n, host);
}

int api_auth(struct api_req *r)
{
	_cleanup_(jdoc_freep) struct jdoc *doc = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	_cleanup_free_ char *user = NULL, *pw = NULL, *server = NULL;
	struct registry_opts o;
	struct jnode root;
	int ret;

	if ((ret = api_body_object(r, &doc, &root, &err)) < 0 ||
	    (ret = auth_config(&root, &user, &pw, &server, &err)) < 0)
		return api_reply_berr(r, EINVAL, err);
	if (!user || !*user)
		return api_reply_error(r, 400, "username is required");
	if (berth_load_registries(r->ctx) < 0)
		return api_reply_error(r, 500, "cannot load the registry configuration");
	/* no auth_file: checked only, nothing saved */
	o = (struct registry_opts){
		.tls_verify = true, .debug = r->ctx->debug, .config = r->ctx->registries};
	ret = registry_login(&o, server && *server ? server : "docker.io", user, pw ? pw : "",
			     &err);
	if (ret == -EACCES)
		return reply_refused(r, server && *server ? server : "registry-1.docker.io");
	if (ret < 0)
		return api_reply_berr(r, ret, err);
	{
		_cleanup_jw_ struct jwriter *out = jw_object();

		jw_str(out, "Status", "Login Succeeded");
		jw_str(out, "IdentityToken", "");
		return api_reply_json(r, 200, out);
	}
}
