/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/pull_progress.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/format.h"
#include "image/digest.h"

#define BAR_WIDTH 50
#define MAX_LAYERS 512

struct layer_line {
	char id[13];
	enum pull_event ev;
	uint64_t done, total;
	bool used;
};

struct progress_view {
	FILE *out;
	bool tty, quiet;
	struct layer_line lines[MAX_LAYERS];
	size_t n;	   /* lines drawn */
	long long last_ms; /* last redraw */
};

static const char *const event_text[] = {
	[PULL_LAYER_WAITING] = "Pulling fs layer",
	[PULL_LAYER_EXISTS] = "Already exists",
	[PULL_LAYER_DOWNLOADING] = "Downloading",
	[PULL_LAYER_RESUMING] = "Resuming download",
	[PULL_LAYER_DOWNLOADED] = "Download complete",
	[PULL_LAYER_EXTRACTING] = "Extracting",
	[PULL_LAYER_DONE] = "Pull complete",
	[PULL_LAYER_PUSHING] = "Pushing",
	[PULL_LAYER_PUSHED] = "Pushed",
	[PULL_LAYER_MOUNTED] = "Layer already exists",
};

struct progress_view *progress_view_new(FILE *out, bool quiet)
{
	struct progress_view *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->out = out;
	v->quiet = quiet;
	v->tty = isatty(fileno(out));
	return v;
}

void progress_view_free(struct progress_view *v)
{
	free(v);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw_line(struct progress_view *v, const struct layer_line *l)
{
	char a[32], b[32], bar[BAR_WIDTH + 1];
	bool moving = l->ev == PULL_LAYER_DOWNLOADING || l->ev == PULL_LAYER_PUSHING ||
		      l->ev == PULL_LAYER_EXTRACTING;

	fprintf(v->out, "\033[2K\r%s: %s", l->id, event_text[l->ev]);
	if (moving && l->total > 0) {
		size_t fill =
			(size_t) (BAR_WIDTH * (l->done > l->total
						       ? 1.0
						       : (double) l->done / (double) l->total));

		memset(bar, ' ', BAR_WIDTH);
		bar[BAR_WIDTH] = '\0';
		memset(bar, '=', fill);
		if (fill < BAR_WIDTH)
			bar[fill] = '>';
		fprintf(v->out, " [%s]  %s/%s", bar, human_size(l->done, a, sizeof(a)),
			human_size(l->total, b, sizeof(b)));
	}
	fputc('\n', v->out);
}

static void redraw(struct progress_view *v, bool force)
{
	long long t = now_ms();

	if (!force && t - v->last_ms < 100)
		return;
	v->last_ms = t;
	if (v->n)
		fprintf(v->out, "\033[%zuA", v->n);
	for (size_t i = 0; i < v->n; i++)
		draw_line(v, &v->lines[i]);
	fflush(v->out);
}

static void on_layer(void *data, size_t index, const char *digest, enum pull_event ev,
		     uint64_t done, uint64_t total)
{
	struct progress_view *v = data;
	struct layer_line *l;

	if (v->quiet || index >= MAX_LAYERS)
		return;
	l = &v->lines[index];
	if (!l->used) {
		snprintf(l->id, sizeof(l->id), "%.12s", digest_hex(digest));
		l->used = true;
		if (v->tty) {
			fprintf(v->out, "\n");
			v->n = index + 1 > v->n ? index + 1 : v->n;
		}
	}
	bool changed = l->ev != ev;

	l->ev = ev;
	l->done = done;
	l->total = total;
	if (v->tty) {
		redraw(v, changed);
		return;
	}
	if (changed &&
	    (ev == PULL_LAYER_EXISTS || ev == PULL_LAYER_DONE || ev == PULL_LAYER_PUSHED ||
	     ev == PULL_LAYER_MOUNTED || ev == PULL_LAYER_RESUMING)) {
		fprintf(v->out, "%s: %s\n", l->id, event_text[ev]);
		fflush(v->out);
	}
}

static void on_message(void *data, const char *text)
{
	struct progress_view *v = data;

	if (!v->quiet)
		progress_view_line(v, "%s", text);
}

void progress_view_bind(struct progress_view *v, struct pull_progress *p)
{
	p->layer = on_layer;
	p->message = on_message;
	p->data = v;
}

void progress_view_line(struct progress_view *v, const char *fmt, ...)
{
	va_list ap;

	if (v->quiet)
		return;
	if (v->tty && v->n) {
		redraw(v, true);
		v->n = 0;
		memset(v->lines, 0, sizeof(v->lines));
	}
	va_start(ap, fmt);
	vfprintf(v->out, fmt, ap);
	va_end(ap);
	fputc('\n', v->out);
	fflush(v->out);
}
