/* SPDX-License-Identifier: Apache-2.0 */
/* The state of one `berth build`, shared by builder.c and its steps (build_copy.c, build_run.c). */
#ifndef BERTH_BUILD_BUILDER_H
#define BERTH_BUILD_BUILDER_H

#include <sys/types.h>

#include "build/build.h"
#include "build/dockerfile.h"
#include "build/layer_diff.h"
#include "build/run_config.h"

struct build_stage {
	char *name;	/* AS name, or NULL */
	char *image_id; /* its result */
};

struct builder {
	struct image_store *s;
	const struct build_opts *o;
	const struct build_runner *rn;
	struct dockerfile *df;
	int ctxfd;	      /* the context directory */
	char *context;	      /* where COPY reads: the context, or its .dockerignore'd copy */
	int tmpfd;	      /* tmp/build-XXXXXX, flock'd */
	char tmpname[64];     /* "tmp/build-XXXXXX" (relative to the store) */
	char **meta_args;     /* ARGs before the first FROM: "K=V" */
	char **args;	      /* the stage's ARGs: "K=V" */
	char **used_args;     /* build-arg names an ARG consumed */
	struct run_config rc; /* the run defaults so far */
	struct image *cur;    /* the image so far (NULL: scratch) */
	char **intermediates; /* step images to remove at the end */
	struct build_stage *stages;
	size_t n_stages;
	unsigned step, n_steps;
	unsigned n_staged;	    /* staging directories made (tmp/build-X/s<N>) */
	bool cmd_set;		    /* CMD given in this stage */
	char cache_key[DIGEST_MAX]; /* the step's build cache key, recorded at its commit */
};

/* Say a progress line (printf-like). */
void builder_say(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The variables for substitution: the stage's ENV, then its ARGs. */
char **builder_vars(struct builder *b);

/* Load image ref (a name or id). */
int builder_load_image(struct image_store *s, const char *ref, struct image **ret,
		       struct berr **err);

/*
 * Make the next image: b->cur plus the upper dir upperfd (-1: none) of a container in
 * the user namespace ids (NULL: none), with b->rc and the history entry created_by;
 * b->cur becomes it.
 */
int builder_commit(struct builder *b, int upperfd, const struct layer_idmap *ids,
		   const char *created_by, struct berr **err);

/*
 * The build cache (build_cache.h) for instruction in on b->cur, with extra (the build-args
 * it sees, "K=V") and content (COPY's tree digest, or NULL): 1 when b->cur became the
 * cached result (" ---> Using cache" said), 0 on a miss (the step's commit records it).
 */
int builder_cache_lookup(struct builder *b, const struct df_instr *in, char *const *extra,
			 const char *content, struct berr **err);

/* The stage's ARGs ("K=V") that text names as $K or ${K...}; NULL on OOM. */
char **builder_args_used_by(struct builder *b, const char *text);

/* RUN (build_run.c). */
int build_run(struct builder *b, const struct df_instr *in, struct berr **err);

/* --chown=USER[:GROUP] of COPY and ADD, names from the image (build_chown.c). */
int build_chown_ids(struct builder *b, const char *spec, uid_t *ret_uid, gid_t *ret_gid,
		    struct berr **err);

/* With a .dockerignore: b->context becomes a copy without what it excludes. */
int build_context_filter(struct builder *b, struct berr **err);

/* COPY and ADD (build_copy.c). */
int build_copy(struct builder *b, const struct df_instr *in, bool add, struct berr **err);

/*
 * WORKDIR, after b->rc has the new directory: as docker, a layer holding it (root's,
 * 0755, with what of its parents is missing) when the image lacks it, else none.
 */
int build_workdir(struct builder *b, const struct df_instr *in, struct berr **err);

#endif
