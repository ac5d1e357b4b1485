/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth events: the journal's events (engine/events.h) from --since, then, until --until
 * or SIGINT/SIGTERM, each new one as it is appended. docker's line or --format.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/berth_cmds.h"
#include "cli/template.h"
#include "engine/events_read.h"
#include "lib/timefmt.h"
#include "engine/units.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/strv.h"

struct events_run {
	struct events_query q;
	const char *format;
};

/* Go's "2006-01-02T15:04:05.000000000Z07:00" in the local time zone, as docker prints it */
static const char *event_time(int64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t) (ns / 1000000000LL);
	struct tm tm;
	char base[32];
	long off;

	localtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	if (off == 0)
		snprintf(buf, size, "%s.%09lldZ", base, (long long) (ns % 1000000000LL));
	else
		snprintf(buf, size, "%s.%09lld%c%02ld:%02ld", base, (long long) (ns % 1000000000LL),
			 off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return buf;
}

/* "<time> container start <id> (image=busybox, name=x)" */
static void print_default(const struct event *ev)
{
	char when[64];

	printf("%s %s %s %s", event_time(ev->time_ns, when, sizeof(when)), ev->type, ev->action,
	       ev->id);
	if (ev->attrs) {
		_cleanup_free_ char *attrs = strv_join(ev->attrs, ", ");

		printf(" (%s)", attrs ? attrs : "");
	}
	printf("\n");
}

static int print_event(const struct events_run *run, const struct event *ev)
{
	_cleanup_free_ char *line = NULL;
	_cleanup_berr_ struct berr *err = NULL;
	struct jnode root;

	if (!run->format) {
		print_default(ev);
		return 0;
	}
	jdoc_root(ev->doc, &root);
	if (template_render(run->format, &root, &line, &err) < 0) {
		log_error_report("%s", err ? err->msg : "template error");
		return -EINVAL;
	}
	printf("%s\n", line);
	return 0;
}

static int on_event(const struct event *ev, const char *line, size_t len, void *userdata)
{
	const struct events_run *run = userdata;
	int r = print_event(run, ev);

	(void) line;
	(void) len;
	/* each event at once: a pipe reader waits for it */
	if (fflush(stdout) != 0 && r == 0)
		r = -EPIPE;
	return r;
}

static int parse_events(int argc, char **argv, struct events_run *run)
{
	_cleanup_strv_ char **pos = NULL, **filters = NULL;
	const char *since = NULL, *until = NULL;
	const struct opt_def defs[] = {
		{"since", 0, OPT_STRING, &since, "TIME",
		 "events from TIME (RFC 3339, Unix seconds, or a duration before now: 10m)"},
		{"until", 0, OPT_STRING, &until, "TIME", "stop at TIME instead of following"},
		{"filter", 'f', OPT_LIST, &filters, "KEY=VALUE",
		 "container, event, image, label (KEY or KEY=VALUE), type; repeat to combine"},
		{"format", 0, OPT_STRING, &run->format, "TEMPLATE",
		 "a Go template over docker's event JSON ('{{json .}}', '{{.Actor.ID}}')"},
		END_OPTS,
	};
	_cleanup_berr_ struct berr *err = NULL;
	int r;

	r = berth_parse(argc, argv, defs, "[--since T] [--until T] [--filter K=V]... [--format F]",
			0, 0, &pos);
	if (r != 0)
		return r;
	if ((since && units_parse_since(since, now_ns(), &run->q.since, &err) < 0) ||
	    (until && units_parse_since(until, now_ns(), &run->q.until, &err) < 0)) {
		berth_report(-EINVAL, &err);
		return -1;
	}
	run->q.has_since = since;
	run->q.has_until = until;
	STRV_FOREACH (f, filters)
		if (event_filter_add(&run->q.filter, *f, &err) < 0) {
			berth_report(-EINVAL, &err);
			return -1;
		}
	return 0;
}

int berth_cmd_events(struct berth_ctx *ctx, int argc, char **argv)
{
	struct events_run run = {0};
	_cleanup_close_ int sigfd = -1;
	_cleanup_berr_ struct berr *err = NULL;
	sigset_t mask;
	int r = parse_events(argc, argv, &run);

	if (r != 0 || !berth_engine(ctx)) {
		event_filter_done(&run.q.filter);
		return r > 0 ? 0 : r < 0 ? 125 : 1;
	}
	/* as Go's signal.Notify: a shell's background job starts with SIGINT ignored */
	(void) signal(SIGINT, SIG_DFL);
	(void) signal(SIGTERM, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		r = -errno;
	else
		r = events_watch(ctx->engine->root, &run.q, sigfd, POLLIN, on_event, &run, &err);
	event_filter_done(&run.q.filter);
	if (r == -EPIPE)
		return 0;
	return r < 0 ? berth_report(r, &err) : 0;
}
