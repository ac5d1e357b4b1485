/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry_http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/log.h"

#define USER_AGENT "berth/0.1"
#define TOKEN_MAX (1u << 20)

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void curl_init_once(void)
{
	/* cache: libcurl's global state, set up once per process (API pulls run in threads) */
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void) pthread_once(&once, curl_init);
}

/* A client for repo at base ("https://host"), with domain's credentials. */
static int client_new(const struct registry_opts *o, const char *domain, const char *base,
		      const char *repo, const char *actions, struct reg_client **ret,
		      struct berr **err)
{
	struct reg_client *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	curl_init_once();
	c->o = o;
	c->actions = actions;
	c->tls_verify = o->tls_verify && !registry_config_insecure(o->config, domain);
	c->domain = strdup(domain);
	c->repo = strdup(repo);
	c->base = strdup(base);
	if (!c->domain || !c->repo || !c->base) {
		reg_client_free(c);
		return -ENOMEM;
	}
	if (o->creds && !(c->creds = strdup(o->creds))) {
		reg_client_free(c);
		return -ENOMEM;
	}
	if (!c->creds && o->auth_file) {
		r = auth_file_get(o->auth_file, domain, &c->creds, err);
		if (r < 0) {
			reg_client_free(c);
			return r;
		}
	}
	*ret = c;
	return 0;
}

int reg_client_new(const struct registry_opts *o, const char *domain, const char *repo,
		   const char *actions, struct reg_client **ret, struct berr **err)
{
	bool plain = image_ref_domain_is_local(domain);
	_cleanup_free_ char *base = NULL;

	if (asprintf(&base, "%s://%s", plain ? "http" : "https", image_ref_api_host(domain)) < 0)
		return -ENOMEM;
	return client_new(o, domain, base, repo, actions, ret, err);
}

int reg_client_new_mirror(const struct registry_opts *o, const char *url, const char *repo,
			  struct reg_client **ret, struct berr **err)
{
	const char *host = strstr(url, "://");

	host = host ? host + 3 : url;
	return client_new(o, host, url, repo, "pull", ret, err);
}

struct reg_client *reg_client_free(struct reg_client *c)
{
	if (!c)
		return NULL;
	free(c->domain);
	free(c->repo);
	free(c->base);
	free(c->creds);
	free(c->bearer);
	free(c);
	return NULL;
}

void reg_response_done(struct reg_response *r)
{
	free(r->body);
	free(r->content_type);
	free(r->docker_digest);
	free(r->location);
	free(r->www_auth);
	free(r->range);
	size_t max = r->max;
	*r = (struct reg_response){.max = max};
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct reg_response *r = data;
	size_t n = size * nmemb;
	char *p;

	if (r->len + n > r->max)
		return 0;
	p = realloc(r->body, r->len + n + 1);
	if (!p)
		return 0;
	r->body = p;
	memcpy(r->body + r->len, ptr, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static void keep_header(char **dst, const char *v, size_t n)
{
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	free(*dst);
	*dst = strndup(v, n);
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *data)
{
	static const struct {
		const char *name;
		size_t off;
	} wanted[] = {
		{"content-type:", offsetof(struct reg_response, content_type)},
		{"docker-content-digest:", offsetof(struct reg_response, docker_digest)},
		{"location:", offsetof(struct reg_response, location)},
		{"www-authenticate:", offsetof(struct reg_response, www_auth)},
		{"range:", offsetof(struct reg_response, range)},
	};
	struct reg_response *r = data;
	size_t n = size * nmemb;

	for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
		size_t k = strlen(wanted[i].name);
		const char *v;

		if (n <= k || strncasecmp(buf, wanted[i].name, k) != 0)
			continue;
		for (v = buf + k; v < buf + n && *v == ' '; v++)
			;
		keep_header((char **) ((char *) r + wanted[i].off), v, (size_t) (buf + n - v));
	}
	return n;
}

static void set_common(struct reg_client *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (!c->tls_verify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->basic && c->creds) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, c->creds);
	}
}

static char *url_for(struct reg_client *c, const char *path)
{
	char *url;

	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
		return strdup(path);
	if (asprintf(&url, "%s%s", c->base, path) < 0)
		return NULL;
	return url;
}

static struct curl_slist *auth_headers(struct reg_client *c, struct curl_slist *h)
{
	char line[TOKEN_MAX / 64];

	if (c->bearer && strlen(c->bearer) < sizeof(line) - 32) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", c->bearer);
		h = curl_slist_append(h, line);
	}
	return h;
}

CURL *reg_easy_get(struct reg_client *c, const char *path, struct curl_slist **headers)
{
	_cleanup_free_ char *url = url_for(c, path);
	CURL *h = curl_easy_init();

	*headers = NULL;
	if (!h || !url) {
		if (h)
			curl_easy_cleanup(h);
		return NULL;
	}
	set_common(c, h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	*headers = auth_headers(c, NULL);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
	return h;
}

static size_t on_upload(char *buf, size_t size, size_t nmemb, void *data)
{
	struct reg_body *b = data;
	size_t want = size * nmemb;
	ssize_t n;

	if (b->off >= b->size)
		return 0;
	if (want > b->size - b->off)
		want = (size_t) (b->size - b->off);
	if (b->mem) {
		memcpy(buf, b->mem + b->off, want);
		b->off += want;
		return want;
	}
	n = pread(b->fd, buf, want, (off_t) b->off);
	if (n < 0)
		return CURL_READFUNC_ABORT;
	b->off += (uint64_t) n;
	return (size_t) n;
}

static int perform(struct reg_client *c, const char *method, const char *url, const char *accept,
		   struct reg_body *body, struct reg_response *resp, CURLcode *ret_code)
{
	struct curl_slist *hdrs = NULL;
	char line[256];
	CURL *h = curl_easy_init();
	CURLcode rc;

	if (!h)
		return -ENOMEM;
	set_common(c, h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	hdrs = auth_headers(c, hdrs);
	if (accept) {
		snprintf(line, sizeof(line), "Accept: %s", accept);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (body) {
		body->off = 0;
		snprintf(line, sizeof(line), "Content-Type: %s",
			 body->content_type ? body->content_type : "application/octet-stream");
		hdrs = curl_slist_append(hdrs, line);
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(h, CURLOPT_READDATA, body);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) body->size);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (strcmp(method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		}
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	log_debug("%s %s -> %ld (%s)", method, url, resp->status, curl_easy_strerror(rc));
	*ret_code = rc;
	return 0;
}

/* Get a token from the challenge's realm for repository:repo:actions. */
static int fetch_token(struct reg_client *c, const struct auth_challenge *ch, struct berr **err)
{
	struct reg_response resp = {.max = TOKEN_MAX};
	_cleanup_free_ char *url = NULL, *scope = NULL;
	char *svc = NULL, *sc = NULL;
	CURLcode rc;
	bool saved_basic = c->basic;
	char *saved_bearer = c->bearer;
	int r;

	/* no repository (login): the challenge's own scope, or none, as docker login asks */
	if (*c->repo ? asprintf(&scope, "repository:%s:%s", c->repo, c->actions) < 0
		     : !(scope = strdup(ch->scope ? ch->scope : "")))
		return -ENOMEM;
	svc = curl_easy_escape(NULL, ch->service ? ch->service : "", 0);
	sc = curl_easy_escape(NULL, scope, 0);
	r = asprintf(&url, "%s%sservice=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?",
		     svc ? svc : "", *scope ? "&scope=" : "", sc ? sc : "");
	curl_free(svc);
	curl_free(sc);
	if (r < 0) {
		url = NULL;
		return -ENOMEM;
	}
	c->basic = c->creds != NULL;
	c->bearer = NULL;
	r = perform(c, "GET", url, NULL, NULL, &resp, &rc);
	c->basic = saved_basic;
	c->bearer = saved_bearer;
	if (r >= 0 && rc != CURLE_OK)
		r = berr_set(err, EIO, "token server '%s': %s", ch->realm, curl_easy_strerror(rc));
	else if (r >= 0 && (resp.status == 401 || resp.status == 403))
		r = berr_set(err, EACCES, "%s: unauthorized: %s", c->domain,
			     c->creds ? "incorrect username or password"
				      : "authentication required (berth login)");
	else if (r >= 0 && resp.status != 200)
		r = berr_set(err, EIO, "token server '%s' answered %ld", ch->realm, resp.status);
	if (r >= 0) {
		char *tok = NULL;

		r = auth_token_parse(resp.body ? resp.body : "", resp.len, &tok, err);
		if (r >= 0) {
			free(c->bearer);
			c->bearer = tok;
		}
	}
	reg_response_done(&resp);
	return r;
}

static int authenticate(struct reg_client *c, const char *www_auth, struct berr **err)
{
	_cleanup_(auth_challenge_done) struct auth_challenge ch = {0};
	int r;

	r = auth_challenge_parse(www_auth, &ch, err);
	if (r < 0)
		return r;
	if (ch.scheme == AUTH_BASIC) {
		if (!c->creds)
			return berr_set(err, EACCES, "%s: authentication required (berth login %s)",
					c->domain, c->domain);
		c->basic = true;
		return 0;
	}
	return fetch_token(c, &ch, err);
}

static bool tls_failure(CURLcode rc)
{
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_COULDNT_CONNECT;
}

/* With tls_verify off, a registry that does not speak TLS is spoken to in plain http. */
static bool fall_back_to_http(struct reg_client *c)
{
	char *b;

	if (c->tls_verify || c->http_fallback_done || strncmp(c->base, "https://", 8) != 0)
		return false;
	c->http_fallback_done = true;
	if (asprintf(&b, "http://%s", c->base + 8) < 0)
		return false;
	free(c->base);
	c->base = b;
	return true;
}

int reg_request(struct reg_client *c, const char *method, const char *path, const char *accept,
		struct reg_body *body, struct reg_response *resp, struct berr **err)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		_cleanup_free_ char *url = url_for(c, path);
		CURLcode rc;
		int r;

		if (!url)
			return -ENOMEM;
		reg_response_done(resp);
		r = perform(c, method, url, accept, body, resp, &rc);
		if (r < 0)
			return r;
		if (rc != CURLE_OK) {
			if (tls_failure(rc) && path[0] == '/' && fall_back_to_http(c))
				continue;
			return berr_set(err, EIO, "%s %s: %s", method, url, curl_easy_strerror(rc));
		}
		if (resp->status != 401 || !resp->www_auth || attempt > 0)
			return 0;
		r = authenticate(c, resp->www_auth, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int reg_error(const struct reg_response *resp, const char *what, struct berr **err)
{
	_cleanup_jdoc_ struct jdoc *doc = NULL;
	_cleanup_free_ char *msg = NULL, *code = NULL;
	struct jnode root, errors, first;
	int e = resp->status == 404			     ? ENOENT
		: resp->status == 401 || resp->status == 403 ? EACCES
							     : EIO;

	if (resp->body && jdoc_parse(resp->body, resp->len, "error", &doc, NULL) == 0) {
		jdoc_root(doc, &root);
		jnode_member(&root, "errors", &errors);
		jnode_array_at(&errors, 0, &first);
		if (jnode_is_object(&first)) {
			(void) jnode_get_string(&first, "message", &msg, NULL);
			(void) jnode_get_string(&first, "code", &code, NULL);
		}
	}
	if (msg)
		return berr_set(err, e, "%s: %s%s%s", what, code ? code : "", code ? ": " : "",
				msg);
	return berr_set(err, e, "%s: the registry answered %ld", what, resp->status);
}
