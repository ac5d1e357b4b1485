/* SPDX-License-Identifier: Apache-2.0 */
#include "image/pull_layers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/blob.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/log.h"

#define DEFAULT_PARALLEL 3

enum dl_state {
	DL_QUEUED,
	DL_ACTIVE,
	DL_DOWNLOADED, /* waiting for an unpacker */
	DL_UNPACKING,
	DL_DONE,
	DL_SKIP,
};

struct dl {
	size_t index;
	const struct descriptor *d;
	const char *diff_id;
	enum dl_state state;
	struct blob_writer *w;
	CURL *h;
	struct curl_slist *hdrs;
	uint64_t start; /* offset the transfer resumed from */
	bool checked;	/* the response code was looked at */
	long status;
	const struct pull_progress *p;
	pid_t unpacker;	 /* child unpacking this layer */
	int unpack_pipe; /* its error message arrives here; EOF when it is done */
};

struct layers {
	struct image_store *s;
	struct reg_client *c;
	const struct registry_opts *o;
	const struct pull_progress *p;
	struct dl *v;
	size_t n;
	CURLM *multi;
	size_t active;
	size_t unpacking, max_unpackers;
};

static void emit(const struct pull_progress *p, size_t i, const char *digest, enum pull_event ev,
		 uint64_t done, uint64_t total)
{
	if (p && p->layer)
		p->layer(p->data, i, digest, ev, done, total);
}

static size_t on_data(char *buf, size_t size, size_t nmemb, void *data)
{
	struct dl *dl = data;
	size_t n = size * nmemb;

	if (!dl->checked) {
		dl->checked = true;
		curl_easy_getinfo(dl->h, CURLINFO_RESPONSE_CODE, &dl->status);
		if (dl->status == 200 && dl->start > 0) {
			/* the server ignored our Range: start over */
			if (blob_writer_restart(dl->w) < 0)
				return 0;
			dl->start = 0;
		}
	}
	if (dl->status != 200 && dl->status != 206)
		return 0;
	/* a registry that sends more than the descriptor's size is cut off, not trusted */
	if (blob_writer_offset(dl->w) + n > (uint64_t) dl->d->size)
		return 0;
	return blob_writer_write(dl->w, buf, n) < 0 ? 0 : n;
}

static int on_xfer(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		   curl_off_t ulnow)
{
	struct dl *dl = data;

	(void) dltotal;
	(void) ultotal;
	(void) ulnow;
	if (dlnow > 0)
		emit(dl->p, dl->index, dl->d->digest, PULL_LAYER_DOWNLOADING,
		     dl->start + (uint64_t) dlnow, (uint64_t) dl->d->size);
	return 0;
}

static int unpack_layer(struct layers *ls, struct dl *dl, struct berr **err)
{
	_cleanup_close_ int fd = blob_open(ls->s, dl->d->digest);
	int r;

	if (fd < 0)
		return berr_sys(err, -fd, "blob %s", dl->d->digest);
	emit(ls->p, dl->index, dl->d->digest, PULL_LAYER_EXTRACTING, 0, 0);
	r = image_layer_unpack(ls->s, fd, dl->d->digest, dl->diff_id, err);
	if (r == -EBADMSG)
		blob_remove(ls->s, dl->d->digest);
	if (r < 0)
		return r;
	emit(ls->p, dl->index, dl->d->digest, PULL_LAYER_DONE, 0, 0);
	return 0;
}

static int start(struct layers *ls, struct dl *dl, struct berr **err)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = blob_writer_open(ls->s, dl->d->digest, true, &dl->w, err);
	if (r == -EEXIST) {
		/* another pull downloaded it while we waited for its lock */
		dl->state = DL_DOWNLOADED;
		return 0;
	}
	if (r < 0)
		return r;
	dl->start = blob_writer_offset(dl->w);
	if (dl->start >= (uint64_t) dl->d->size) {
		/* a complete ingest file from a killed pull: check it, else start over */
		if (blob_writer_restart(dl->w) < 0)
			return berr_sys(err, errno, "blob %s", dl->d->digest);
		dl->start = 0;
	}
	if (asprintf(&path, "/v2/%s/blobs/%s", ls->c->repo, dl->d->digest) < 0)
		return -ENOMEM;
	dl->h = reg_easy_get(ls->c, path, &dl->hdrs);
	if (!dl->h)
		return -ENOMEM;
	curl_easy_setopt(dl->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(dl->h, CURLOPT_WRITEDATA, dl);
	curl_easy_setopt(dl->h, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(dl->h, CURLOPT_XFERINFODATA, dl);
	curl_easy_setopt(dl->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(dl->h, CURLOPT_PRIVATE, dl);
	if (dl->start > 0) {
		curl_easy_setopt(dl->h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) dl->start);
		emit(ls->p, dl->index, dl->d->digest, PULL_LAYER_RESUMING, dl->start,
		     (uint64_t) dl->d->size);
		log_debug("blob %s: resuming at byte %llu", dl->d->digest,
			  (unsigned long long) dl->start);
	}
	if (ls->o->limit_rate > 0)
		curl_easy_setopt(dl->h, CURLOPT_MAX_RECV_SPEED_LARGE,
				 (curl_off_t) ls->o->limit_rate);
	curl_multi_add_handle(ls->multi, dl->h);
	dl->state = DL_ACTIVE;
	ls->active++;
	return 0;
}

static void release(struct layers *ls, struct dl *dl, bool keep_partial)
{
	if (dl->h) {
		curl_multi_remove_handle(ls->multi, dl->h);
		curl_easy_cleanup(dl->h);
		dl->h = NULL;
	}
	curl_slist_free_all(dl->hdrs);
	dl->hdrs = NULL;
	if (dl->w)
		blob_writer_abort(dl->w, keep_partial);
	dl->w = NULL;
}

static int finish(struct layers *ls, struct dl *dl, CURLcode rc, struct berr **err)
{
	struct blob_writer *w = dl->w;
	int r;

	ls->active--;
	dl->state = DL_DONE;
	if (!dl->checked)
		curl_easy_getinfo(dl->h, CURLINFO_RESPONSE_CODE, &dl->status);
	if (dl->status != 200 && dl->status != 206) {
		release(ls, dl, true);
		return berr_set(err, dl->status == 404 ? ENOENT : EIO,
				"blob %s: the registry answered %ld", dl->d->digest, dl->status);
	}
	if (rc != CURLE_OK) {
		release(ls, dl, true);
		return berr_set(err, EIO, "blob %s: %s", dl->d->digest, curl_easy_strerror(rc));
	}
	dl->w = NULL;
	release(ls, dl, true);
	r = blob_writer_commit(w, dl->d->size, NULL, err);
	if (r < 0)
		return r;
	emit(ls->p, dl->index, dl->d->digest, PULL_LAYER_DOWNLOADED, (uint64_t) dl->d->size,
	     (uint64_t) dl->d->size);
	dl->state = DL_DOWNLOADED;
	return 0;
}

/*
 * Unpack in a child process, so that the download of the next layers and the unpacking
 * of others go on meanwhile, on every core (processes, not threads: STYLE.md §7). The
 * child dies with us (PDEATHSIG); what it leaves in tmp/ is removed by the next run.
 */
static int start_unpacker(struct layers *ls, struct dl *dl, struct berr **err)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berr_sys(err, errno, "pipe");
	emit(ls->p, dl->index, dl->d->digest, PULL_LAYER_EXTRACTING, 0, 0);
	pid = fork();
	if (pid < 0) {
		(void) close(fds[0]);
		(void) close(fds[1]);
		return berr_sys(err, errno, "fork");
	}
	if (pid == 0) {
		struct berr *cerr = NULL;
		_cleanup_close_ int fd = -1;
		int r;

		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		fd = blob_open(ls->s, dl->d->digest);
		r = fd < 0 ? berr_sys(&cerr, -fd, "blob %s", dl->d->digest)
			   : image_layer_unpack(ls->s, fd, dl->d->digest, dl->diff_id, &cerr);
		if (r == -EBADMSG)
			blob_remove(ls->s, dl->d->digest);
		if (r < 0 && cerr)
			(void) write_all(fds[1], cerr->msg, strlen(cerr->msg));
		_exit(r < 0 ? 1 : 0);
	}
	(void) close(fds[1]);
	dl->unpacker = pid;
	dl->unpack_pipe = fds[0];
	dl->state = DL_UNPACKING;
	ls->unpacking++;
	return 0;
}

/* The unpacker of dl closed its pipe: collect its status. */
static int reap_unpacker(struct layers *ls, struct dl *dl, struct berr **err)
{
	char msg[1024];
	ssize_t n = read(dl->unpack_pipe, msg, sizeof(msg) - 1);
	int status = 0;

	if (n < 0 && errno == EINTR)
		return 0;
	if (n > 0 && n < (ssize_t) sizeof(msg) - 1) {
		/* a message: the child is about to exit; wait for EOF */
		msg[n] = '\0';
		return berr_set(err, EIO, "%s", msg);
	}
	(void) close(dl->unpack_pipe);
	dl->unpack_pipe = -1;
	while (waitpid(dl->unpacker, &status, 0) < 0 && errno == EINTR)
		;
	dl->unpacker = 0;
	ls->unpacking--;
	dl->state = DL_DONE;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return berr_set(err, EIO, "layer %s: unpacking failed", dl->diff_id);
	emit(ls->p, dl->index, dl->d->digest, PULL_LAYER_DONE, 0, 0);
	return 0;
}

static void stop_unpackers(struct layers *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct dl *dl = &ls->v[i];

		if (dl->unpacker > 0) {
			(void) kill(dl->unpacker, SIGKILL);
			while (waitpid(dl->unpacker, NULL, 0) < 0 && errno == EINTR)
				;
			dl->unpacker = 0;
		}
		if (dl->unpack_pipe >= 0)
			(void) close(dl->unpack_pipe);
		dl->unpack_pipe = -1;
	}
}

static int start_unpackers(struct layers *ls, struct berr **err)
{
	for (size_t i = 0; i < ls->n && ls->unpacking < ls->max_unpackers; i++) {
		if (ls->v[i].state != DL_DOWNLOADED)
			continue;
		int r = start_unpacker(ls, &ls->v[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

/* Wait for curl or an unpacker; collect unpackers that finished. */
static int wait_events(struct layers *ls, struct berr **err)
{
	struct curl_waitfd w[64];
	struct dl *owner[64];
	unsigned n = 0;

	for (size_t i = 0; i < ls->n && n < ELEMENTSOF(w); i++)
		if (ls->v[i].state == DL_UNPACKING) {
			w[n] = (struct curl_waitfd){.fd = ls->v[i].unpack_pipe,
						    .events = CURL_WAIT_POLLIN};
			owner[n++] = &ls->v[i];
		}
	if (ls->active > 0)
		curl_multi_poll(ls->multi, w, n, 1000, NULL);
	else if (n > 0) {
		struct pollfd p[64];

		for (unsigned i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
		(void) poll(p, n, 1000);
		for (unsigned i = 0; i < n; i++)
			w[i].revents = p[i].revents ? CURL_WAIT_POLLIN : 0;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!w[i].revents)
			continue;
		int r = reap_unpacker(ls, owner[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

static bool earlier_same(const struct layers *ls, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(ls->v[j].d->digest, ls->v[i].d->digest) == 0)
			return true;
	return false;
}

/* Start queued downloads up to the parallelism limit. */
static int fill(struct layers *ls, struct berr **err)
{
	size_t max = ls->o->max_parallel > 0 ? (size_t) ls->o->max_parallel : DEFAULT_PARALLEL;

	for (size_t i = 0; i < ls->n && ls->active < max; i++) {
		if (ls->v[i].state != DL_QUEUED)
			continue;
		int r = start(ls, &ls->v[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

static bool busy(const struct layers *ls)
{
	if (ls->active > 0 || ls->unpacking > 0)
		return true;
	for (size_t i = 0; i < ls->n; i++)
		if (ls->v[i].state == DL_DOWNLOADED || ls->v[i].state == DL_QUEUED)
			return true;
	return false;
}

static int run_multi(struct layers *ls, struct berr **err)
{
	int r = fill(ls, err);

	while (r >= 0 && busy(ls)) {
		struct CURLMsg *msg;
		int running, left;

		if (curl_multi_perform(ls->multi, &running) != CURLM_OK)
			return berr_set(err, EIO, "download failed");
		while ((msg = curl_multi_info_read(ls->multi, &left))) {
			struct dl *dl = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &dl);
			r = finish(ls, dl, msg->data.result, err);
			if (r < 0)
				return r;
			r = fill(ls, err);
			if (r < 0)
				return r;
		}
		r = start_unpackers(ls, err);
		if (r >= 0)
			r = wait_events(ls, err);
	}
	return r;
}

/* Decide per layer: there already, unpack from a blob we have, or download. */
static int plan(struct layers *ls, const struct manifest *m, const struct image_config *config,
		struct berr **err)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct dl *dl = &ls->v[i];

		*dl = (struct dl){
			.index = i, .d = &m->layers[i], .diff_id = config->diff_ids[i], .p = ls->p};
		emit(ls->p, i, dl->d->digest, PULL_LAYER_WAITING, 0, 0);
	}
	for (size_t i = 0; i < ls->n; i++) {
		struct dl *dl = &ls->v[i];
		bool have_blob = blob_exists(ls->s, dl->d->digest);

		if (image_layer_exists(ls->s, dl->diff_id) && (have_blob || earlier_same(ls, i))) {
			dl->state = DL_SKIP;
			emit(ls->p, i, dl->d->digest, PULL_LAYER_EXISTS, 0, 0);
		} else if (have_blob || earlier_same(ls, i)) {
			dl->state = DL_SKIP;
		}
	}
	(void) err;
	return 0;
}

/* Layers skipped as downloads whose directory is still missing: unpack from the blob. */
static int unpack_rest(struct layers *ls, struct berr **err)
{
	for (size_t i = 0; i < ls->n; i++) {
		struct dl *dl = &ls->v[i];
		int r;

		if (dl->state != DL_SKIP || image_layer_exists(ls->s, dl->diff_id))
			continue;
		r = unpack_layer(ls, dl, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int pull_layers(struct image_store *s, struct reg_client *c, const struct manifest *m,
		const struct image_config *config, const struct registry_opts *o,
		const struct pull_progress *p, struct berr **err)
{
	struct layers ls = {.s = s, .c = c, .o = o, .p = p, .n = m->n_layers};
	int r;

	ls.v = calloc(ls.n ? ls.n : 1, sizeof(*ls.v));
	ls.multi = curl_multi_init();
	if (!ls.v || !ls.multi) {
		free(ls.v);
		if (ls.multi)
			curl_multi_cleanup(ls.multi);
		return -ENOMEM;
	}
	ls.max_unpackers =
		(size_t) (sysconf(_SC_NPROCESSORS_ONLN) > 1 ? sysconf(_SC_NPROCESSORS_ONLN) : 1);
	r = plan(&ls, m, config, err);
	if (r >= 0)
		r = run_multi(&ls, err);
	stop_unpackers(&ls);
	for (size_t i = 0; i < ls.n; i++)
		release(&ls, &ls.v[i], true);
	curl_multi_cleanup(ls.multi);
	if (r >= 0)
		r = unpack_rest(&ls, err);
	free(ls.v);
	return r;
}
