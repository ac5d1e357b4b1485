/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.json, and the writers of what was read: state.json written back must parse to
 * the same state (a fixed point), and the state that `state` prints and that hooks read
 * on stdin must be JSON that parses back to the same id, status, bundle and annotations.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "runtime/lifecycle/hooks.h"
#include "runtime/lifecycle/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A member of the parsed document equals want (absent when want is NULL). */
static void check_member(const struct jnode *top, const char *key, const char *want)
{
	_cleanup_free_ char *got = NULL;
	struct berr *err = NULL;

	if (jnode_get_string(top, key, &got, &err) < 0)
		abort();
	if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
		abort();
}

static void check_json(const char *text, const struct container_state *st, const char *status)
{
	struct jdoc *doc = NULL;
	struct berr *err = NULL;
	struct jnode top, ann, v;

	if (!text)
		return; /* OOM */
	if (jdoc_parse(text, strlen(text), "state", &doc, &err) < 0)
		abort();
	jdoc_root(doc, &top);
	check_member(&top, "id", st->id);
	check_member(&top, "status", status);
	check_member(&top, "bundle", st->bundle);
	jnode_member(&top, "annotations", &ann);
	for (size_t i = 0; i < st->n_annotations; i++) {
		jnode_member(&ann, st->annotations[i].key, &v);
		if (!jnode_present(&v))
			abort();
	}
	jdoc_free(doc);
}

static void round_trip(const struct container_state *st)
{
	_cleanup_free_ char *once = state_file_json(st), *twice = NULL;
	struct container_state *back = NULL;
	struct berr *err = NULL;

	if (!once)
		return;
	if (state_parse(once, strlen(once), &back, &err) < 0)
		abort(); /* what we write, we must read */
	twice = state_file_json(back);
	if (twice && strcmp(once, twice) != 0)
		abort();
	state_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_state *st = NULL;
	struct berr *err = NULL;
	struct hook_state hs;
	char *text;

	if (state_parse((const char *) data, size, &st, &err) < 0) {
		berr_free(err);
		return 0;
	}
	round_trip(st);
	text = state_to_json(st, STATUS_STOPPED, true);
	check_json(text, st, "stopped");
	free(text);
	hs = (struct hook_state){.id = st->id,
				 .status = "created",
				 .pid = st->pid,
				 .bundle = st->bundle,
				 .annotations = st->annotations,
				 .n_annotations = st->n_annotations};
	text = hooks_state_json(&hs);
	check_json(text, st, "created");
	free(text);
	state_free(st);
	return 0;
}
