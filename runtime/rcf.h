/*
 * rcf.h — Random Cut Forest anomaly scoring, the model behind the
 * RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION table functions.
 *
 * A forest is n_trees robust random cut trees. Each tree keeps a
 * time-decayed reservoir sample of sample_size points (the sample of AWS's
 * open-source random-cut-forest-by-aws library: a point's priority is
 * -seq/time_decay + log(-log(u)), the smallest priorities stay) and is
 * updated in place as points enter and leave its sample. A row is scored
 * with the forest as it is, then added: the score is the AWS library's
 * standard anomaly score (AnomalyScoreVisitor: scoreSeen, scoreUnseen, damp,
 * scaled by log2(tree mass + 1)) averaged over the trees, so normal points
 * score around 1 or below and clear outliers several times that.
 *
 * With shingle_size > 1 a forest point is the concatenation of the last
 * shingle_size rows, oldest first, so patterns in time become points in
 * space.
 *
 * The operator that runs the table functions owns one rt_rcf per input
 * (per partition, if it partitions); nothing here is shared between forests,
 * and a forest must be used by one thread at a time. Everything is
 * allocated by rt_rcf_new: updating never allocates.
 */
#ifndef EDDY_RCF_H
#define EDDY_RCF_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"

typedef struct rt_rcf rt_rcf;

typedef struct rt_rcf_opts {
    uint32_t dims;          /* numeric columns per input row, 1..1000 */
    uint32_t n_trees;       /* numberOfTrees, 1..1000, default 100 */
    uint32_t sample_size;   /* subSampleSize, 10..1000, default 256 */
    uint32_t time_decay;    /* timeDecay, 1..2147483647, default 100000: lambda = 1/time_decay */
    uint32_t shingle_size;  /* shingleSize, 1..30, default 1 */
    uint64_t seed;          /* same seed + same input = same scores; default 42 */
} rt_rcf_opts;

/* Fills `o` with KDA's defaults (100 trees, 256 samples, time decay 100000,
 * shingle 1), seed 42 and dims 1. This function can't fail. */
void rt_rcf_opts_init(rt_rcf_opts *o);

/* Creates an empty forest for `o` (borrowed). Returns the forest, owned by
 * the caller (free it with rt_rcf_free), or NULL with `err` set:
 * EDDY_E_INVAL naming the bad option and its allowed range, or EDDY_E_NOMEM. */
rt_rcf *rt_rcf_new(const rt_rcf_opts *o, eddy_err *err);

/* Frees a forest and everything it holds. `f` may be NULL. */
void rt_rcf_free(rt_rcf *f);

/* Scores one input row of dims values (borrowed) with the forest as it is,
 * then adds it, shingled with the previous shingle_size-1 rows, to the
 * forest. Returns the anomaly score, >= 0; it is 0 while the forest is
 * still learning (before it holds sample_size points, or while the shingle
 * is not yet full).
 *
 * `attribution`, when not NULL, receives 2*dims doubles: for input column d,
 * [2d] is the part of the score due to the column being LOW and [2d+1] due
 * to it being HIGH, summed over the column's shingle positions. The 2*dims
 * values add up to the score (AWS's AnomalyAttributionVisitor), and are all
 * 0 when the score is.
 *
 * A row with a NaN or infinite value is not scored and not added (and does
 * not enter the shingle): the result is 0. This function can't fail. */
double rt_rcf_update(rt_rcf *f, const double *row, double *attribution);

/* Bytes of memory the forest holds (all of it is allocated by rt_rcf_new),
 * for metrics. This function can't fail. */
size_t rt_rcf_bytes(const rt_rcf *f);

/* Test support: checks every tree against its sample — masses add up, each
 * tree holds min(points added, sample_size) points counted with
 * multiplicity, every bounding box is exactly the union of its children's,
 * every cut separates its children, and no node is lost or shared. Returns
 * 0 when all hold, else EDDY_E_INTERNAL with `err` (may be NULL) saying
 * which tree and what. Walks every tree: not for the per-row path. */
int rt_rcf_check_invariants(const rt_rcf *f, eddy_err *err);

#endif
