/* SPDX-License-Identifier: Apache-2.0 */
/* `berth push`, `login` and `logout`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/blob.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/registry_http.h"
#include "lib/cleanup.h"
#include "lib/strv.h"

static void emit(const struct pull_progress *p, size_t i, const char *digest, enum pull_event ev,
		 uint64_t done, uint64_t total)
{
	if (p && p->layer)
		p->layer(p->data, i, digest, ev, done, total);
}

/* The upload URL plus "digest=<d>" (Location may be relative and may have a query). */
static char *put_url(const char *location, const char *digest)
{
	char *esc = curl_easy_escape(NULL, digest, 0), *url;

	if (!esc ||
	    asprintf(&url, "%s%sdigest=%s", location, strchr(location, '?') ? "&" : "?", esc) < 0)
		url = NULL;
	curl_free(esc);
	return url;
}

static int upload_blob(struct image_store *s, struct reg_client *c, const char *digest,
		       struct berr **err)
{
	struct reg_response resp = {.max = 1 << 20};
	_cleanup_free_ char *path = NULL, *url = NULL;
	_cleanup_close_ int fd = blob_open(s, digest);
	int64_t size = blob_size(s, digest);
	struct reg_body body = {.fd = fd};
	int r;

	if (fd < 0 || size < 0)
		return berr_sys(err, fd < 0 ? -fd : (int) -size, "blob %s", digest);
	body.size = (uint64_t) size;
	if (asprintf(&path, "/v2/%s/blobs/uploads/", c->repo) < 0)
		return -ENOMEM;
	r = reg_request(c, "POST", path, NULL, NULL, &resp, err);
	if (r >= 0 && (resp.status != 202 || !resp.location))
		r = reg_error(&resp, "starting an upload", err);
	if (r >= 0 && !(url = put_url(resp.location, digest)))
		r = -ENOMEM;
	if (r >= 0)
		r = reg_request(c, "PUT", url, NULL, &body, &resp, err);
	if (r >= 0 && resp.status != 201)
		r = reg_error(&resp, digest, err);
	reg_response_done(&resp);
	return r;
}

/* 1 if the registry has the blob, 0 if not. */
static int blob_there(struct reg_client *c, const char *digest, struct berr **err)
{
	struct reg_response resp = {.max = 1 << 20};
	_cleanup_free_ char *path = NULL;
	int r;

	if (asprintf(&path, "/v2/%s/blobs/%s", c->repo, digest) < 0)
		return -ENOMEM;
	r = reg_request(c, "HEAD", path, NULL, NULL, &resp, err);
	if (r >= 0)
		r = resp.status == 200 ? 1 : 0;
	reg_response_done(&resp);
	return r;
}

static int push_blob(struct image_store *s, struct reg_client *c, size_t i, const char *digest,
		     int64_t size, const struct pull_progress *p, struct berr **err)
{
	int r = blob_there(c, digest, err);

	if (r < 0)
		return r;
	if (r > 0) {
		emit(p, i, digest, PULL_LAYER_MOUNTED, 0, 0);
		return 0;
	}
	/* Never send what does not hash to its name (the registry may not check either). */
	r = blob_verify(s, digest, err);
	if (r < 0)
		return r;
	emit(p, i, digest, PULL_LAYER_PUSHING, 0, (uint64_t) size);
	r = upload_blob(s, c, digest, err);
	if (r >= 0)
		emit(p, i, digest, PULL_LAYER_PUSHED, (uint64_t) size, (uint64_t) size);
	return r;
}

static int put_manifest(struct reg_client *c, const struct image *img, const char *reference,
			char ret_digest[DIGEST_MAX], struct berr **err)
{
	struct reg_response resp = {.max = 1 << 20};
	_cleanup_free_ char *path = NULL;
	struct reg_body body = {.mem = img->manifest_raw,
				.fd = -1,
				.size = img->manifest_len,
				.content_type = img->manifest->media_type};
	int r;

	if (asprintf(&path, "/v2/%s/manifests/%s", c->repo, reference) < 0)
		return -ENOMEM;
	r = reg_request(c, "PUT", path, NULL, &body, &resp, err);
	if (r >= 0 && resp.status != 201)
		r = reg_error(&resp, "manifest", err);
	reg_response_done(&resp);
	if (r >= 0)
		snprintf(ret_digest, DIGEST_MAX, "%s", img->manifest_digest);
	return r;
}

static int push_image(struct image_store *s, const struct image *img, struct image_ref *dest,
		      const struct registry_opts *o, const struct pull_progress *p,
		      char ret_digest[DIGEST_MAX], struct berr **err)
{
	struct reg_client *c = NULL;
	int r;

	r = reg_client_new(o, dest->domain, dest->path, "pull,push", &c, err);
	for (size_t i = 0; r >= 0 && i < img->manifest->n_layers; i++)
		r = push_blob(s, c, i, img->manifest->layers[i].digest,
			      img->manifest->layers[i].size, p, err);
	if (r >= 0)
		r = push_blob(s, c, img->manifest->n_layers, img->manifest->config.digest,
			      img->manifest->config.size, NULL, err);
	if (r >= 0)
		r = put_manifest(c, img, dest->digest ? dest->digest : dest->tag, ret_digest, err);
	reg_client_free(c);
	return r;
}

static int load_local(struct image_store *s, const char *src, struct image **ret,
		      char **ret_first_name, struct berr **err)
{
	_cleanup_(image_list_freep) struct image_list *l = NULL;
	int i, r;

	r = image_list_load(s, &l, err);
	if (r < 0)
		return r;
	i = image_list_find(l, src, err);
	if (i < 0)
		return i;
	*ret_first_name = l->v[i].names && l->v[i].names[0] ? strdup(l->v[i].names[0]) : NULL;
	return image_load(s, &l->v[i], ret, err);
}

int image_push(struct image_store *s, const char *src, const char *dest,
	       const struct registry_opts *o, const struct pull_progress *p,
	       char ret_digest[DIGEST_MAX], struct berr **err)
{
	_cleanup_(image_freep) struct image *img = NULL;
	_cleanup_(image_ref_done) struct image_ref ref = {0};
	_cleanup_free_ char *first = NULL, *repo = NULL, *rd = NULL;
	int r;

	r = load_local(s, src, &img, &first, err);
	if (r < 0)
		return r;
	r = image_ref_parse(dest ? dest : src, false, &ref, err);
	if (r < 0)
		return r;
	r = push_image(s, img, &ref, o, p, ret_digest, err);
	if (r < 0)
		return berr_wrap(err, "push '%s'", dest ? dest : src);
	repo = image_ref_repository(&ref);
	if (repo && asprintf(&rd, "%s@%s", repo, ret_digest) >= 0)
		(void) image_store_add(s,
				       &(struct image_add){.id = img->id,
							   .manifest = img->manifest_digest,
							   .repo_digest = rd},
				       NULL);
	return 0;
}

/* "docker.io" for Docker Hub's many spellings; otherwise the host as given. */
static const char *login_server(const char *server)
{
	if (strcmp(server, "index.docker.io") == 0 || strcmp(server, "registry-1.docker.io") == 0 ||
	    strstr(server, "://index.docker.io"))
		return "docker.io";
	if (strncmp(server, "https://", 8) == 0)
		return server + 8;
	if (strncmp(server, "http://", 7) == 0)
		return server + 7;
	return server;
}

int registry_login(const struct registry_opts *o, const char *server, const char *user,
		   const char *password, struct berr **err)
{
	struct registry_opts ro = *o;
	struct reg_response resp = {.max = 1 << 20};
	_cleanup_free_ char *creds = NULL, *host = strdup(login_server(server));
	struct reg_client *c = NULL;
	int r;

	if (!host)
		return -ENOMEM;
	host[strcspn(host, "/")] = '\0';
	if (strchr(user, ':'))
		return berr_set(err, EINVAL, "a user name cannot contain ':'");
	if (asprintf(&creds, "%s:%s", user, password) < 0)
		return -ENOMEM;
	ro.auth_file = NULL;
	ro.creds = NULL;
	r = reg_client_new(&ro, host, "", "pull", &c, err);
	if (r < 0)
		return r;
	c->creds = TAKE_PTR(creds);
	r = reg_request(c, "GET", "/v2/", NULL, NULL, &resp, err);
	if (r >= 0 && resp.status == 401)
		r = berr_set(err, EACCES, "%s: unauthorized: incorrect username or password", host);
	else if (r >= 0 && resp.status != 200)
		r = reg_error(&resp, host, err);
	if (r >= 0 && o->auth_file)
		r = auth_file_set(o->auth_file, host, c->creds, err);
	reg_response_done(&resp);
	reg_client_free(c);
	return r;
}

int registry_logout(const struct registry_opts *o, const char *server, struct berr **err)
{
	_cleanup_free_ char *old = NULL, *host = strdup(login_server(server));
	int r;

	if (!host)
		return -ENOMEM;
	host[strcspn(host, "/")] = '\0';
	r = auth_file_get(o->auth_file, host, &old, err);
	if (r < 0)
		return r;
	if (r == 0)
		return berr_set(err, ENOENT, "not logged in to %s", host);
	return auth_file_set(o->auth_file, host, NULL, err);
}
