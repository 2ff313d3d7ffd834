/*
 * op_tf_ml.c — the machine-learning table functions (SQL.md §6.2):
 *
 * RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION: every input row
 * leaves with its columns and an ANOMALY_SCORE (plus, with explanation,
 * ANOMALY_EXPLANATION), scored by the forest as it was before the row,
 * which then learns it (rcf.h).
 *
 * HOTSPOTS(cursor, windowSize, scanRadius, minimumNumberOfPointsInAHotspot):
 * every input row leaves with its columns and HOTSPOTS_RESULT, the dense
 * regions of the last windowSize rows (hotspots.h).
 *
 * Both read the numeric columns (TINYINT..BIGINT, REAL, DOUBLE; not
 * DECIMAL, as in KDA) in column order. A row with a NULL or a non-finite
 * value in one of them is passed through with NULL results and not
 * learned; so is, for the forest, a value beyond ±1e150, which would
 * overflow its sums of box sides. The
 * forest's seed is fixed, so a replay of the same input gives the same
 * scores.
 *
 * The explanation is KDA's JSON, one member per numeric column:
 *   {"COL":{"DIRECTION":"HIGH","STRENGTH":"0.8567","ATTRIBUTION_SCORE":"1.7447"},...}
 * ATTRIBUTION_SCORE is the column's share of the score (the shares sum to
 * it); DIRECTION is the side (LOW or HIGH) holding more of that share;
 * STRENGTH is how far the value lies from the column's recent mean in
 * recent standard deviations (exponentially weighted over timeDecay rows).
 * Without withDirectionality only ATTRIBUTION_SCORE is given.
 *
 * INTERFACE: rt_tf_rcf_init, rt_tf_hotspots_init (through op_tablefn.c).
 */
#include "tablefn_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotspots.h"
#include "rcf.h"

#define RCF_SEED 0x5eed5eedULL
#define RCF_BYTES_MAX 512e6   /* per forest */

typedef struct numeric_input {
    uint32_t *cols;           /* the numeric input columns, in order */
    const char **names;
    uint32_t dims;
} numeric_input;

typedef struct rcf_state {
    rt_rcf *forest;
    numeric_input in;         /* the columns the forest reads */
    int explain, direction;
    double *row, *attr;       /* dims, 2 * dims */
    double *mean, *var;       /* per column, exponentially weighted */
    double alpha_min;         /* 1 / timeDecay */
    uint64_t seen;
    sbuf json;
    rt_batch *out;
} rcf_state;

/* Values beyond this are treated as non-finite: the forest sums box sides
 * and the statistics square differences, which must not overflow. */
#define RCF_VALUE_MAX 1e150

static int is_numeric(eddy_type_id t) {
    return t == EDDY_T_TINYINT || t == EDDY_T_SMALLINT || t == EDDY_T_INTEGER || t == EDDY_T_BIGINT ||
           t == EDDY_T_REAL || t == EDDY_T_DOUBLE;
}

/* Collects the cursor's numeric columns and checks the operator's output:
 * the input columns and n_added more. */
static int numeric_columns(rt_op *op, arena *a, uint32_t n_added, numeric_input *ni, eddy_err *err) {
    const plan_node *n = op->node;
    const char *fn = n->u.table_func.call.fn->name;
    ni->cols = arena_alloc(a, sizeof *ni->cols * (op->n_in ? op->n_in : 1));
    ni->names = arena_alloc(a, sizeof *ni->names * (op->n_in ? op->n_in : 1));
    if (!ni->cols || !ni->names) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    for (uint32_t c = 0; c < op->n_in; c++)
        if (is_numeric(op->in_types[c].id)) {
            ni->names[ni->dims] = n->inputs[0]->out.cols[c].name;
            ni->cols[ni->dims++] = c;
        }
    if (ni->dims == 0)
        return eddy_err_set_at(err, EDDY_E_SEMANTIC, n->off, n->len,
                               "the CURSOR of %s has no numeric column (DOUBLE, REAL, INTEGER, BIGINT, SMALLINT, "
                               "TINYINT; DECIMAL is not used)", fn);
    if (op->n_out != op->n_in + n_added)
        return eddy_err_set_at(err, EDDY_E_INTERNAL, n->off, n->len, "%s has %u output columns for %u input", fn,
                               op->n_out, op->n_in);
    return 0;
}

/* Row r's numeric values into row[]; 0 when one is NULL, not finite or
 * beyond ±max. */
static int gather(const numeric_input *ni, const rt_batch *b, uint32_t r, double *row, double max) {
    for (uint32_t d = 0; d < ni->dims; d++) {
        const rt_column *c = &b->cols[ni->cols[d]];
        if (rt_col_is_null(c, r)) return 0;
        row[d] = c->phys == RT_PHYS_F64 ? c->v.f64[r] : (double)c->v.i64[r];
        if (!(fabs(row[d]) <= max)) return 0;
    }
    return 1;
}

/* Strength is measured against the statistics before this row. */
static void explain_json(rcf_state *st) {
    sbuf *j = &st->json;
    sbuf_clear(j);
    sbuf_putc(j, '{');
    for (uint32_t d = 0; d < st->in.dims; d++) {
        double lo = st->attr[2 * d], hi = st->attr[2 * d + 1];
        if (d) sbuf_putc(j, ',');
        sbuf_json_str(j, st->in.names[d], strlen(st->in.names[d]));
        sbuf_putc(j, ':');
        if (st->direction) {
            double sd = sqrt(st->var[d]);
            double strength = st->seen > 1 && sd > 0 ? fabs(st->row[d] - st->mean[d]) / sd : 0.0;
            sbuf_printf(j, "{\"DIRECTION\":\"%s\",\"STRENGTH\":\"%.4f\",\"ATTRIBUTION_SCORE\":\"%.4f\"}",
                        hi > lo ? "HIGH" : "LOW", strength, lo + hi);
        } else {
            sbuf_printf(j, "{\"ATTRIBUTION_SCORE\":\"%.4f\"}", lo + hi);
        }
    }
    sbuf_putc(j, '}');
}

static void learn_stats(rcf_state *st) {
    st->seen++;
    double a = 1.0 / (double)st->seen;
    /* gather() bounds the values, so these stay finite. */
    if (a < st->alpha_min) a = st->alpha_min;
    for (uint32_t d = 0; d < st->in.dims; d++) {
        double dx = st->row[d] - st->mean[d];
        st->mean[d] += a * dx;
        st->var[d] = (1 - a) * (st->var[d] + a * dx * dx);
    }
}

static int rcf_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    rcf_state *st = op->state;
    uint32_t live = rt_batch_live(b), score_col = op->n_in;
    rt_batch_reset(st->out);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (rt_batch_copy_row(st->out, b, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        uint32_t o = st->out->n_rows - 1;
        if (!gather(&st->in, b, r, st->row, RCF_VALUE_MAX)) continue;   /* results stay NULL */
        double score = rt_rcf_update(st->forest, st->row, st->explain ? st->attr : NULL);
        rt_batch_set_f64(st->out, score_col, o, score);
        if (st->explain) {
            explain_json(st);
            if (st->json.failed || rt_batch_set_str(st->out, score_col + 1, o, st->json.data, st->json.len) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
            learn_stats(st);
        }
    }
    op->state_bytes = rt_rcf_bytes(st->forest);
    int rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    return rc;
}

static void rcf_end(rt_op *op) {
    rcf_state *st = op->state;
    rt_rcf_free(st->forest);
    free(st->row);
    free(st->attr);
    free(st->mean);
    free(st->var);
    sbuf_free(&st->json);
    rt_batch_release(st->out);
}

static const rt_op_vt rcf_vt = {"RANDOM_CUT_FOREST", rcf_push, NULL, NULL, rcf_end, NULL, NULL};

int rt_tf_rcf_init(rt_op *op, arena *a, int explain, eddy_err *err) {
    const plan_node *n = op->node;
    rcf_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = numeric_columns(op, a, explain ? 2 : 1, &st->in, err);
    if (rc != 0) return rc;
    rt_rcf_opts o;
    rt_rcf_opts_init(&o);
    int64_t trees, sample, decay, shingle;
    if ((rc = rt_tf_arg_int(op, a, 1, o.n_trees, &trees, err)) ||
        (rc = rt_tf_arg_int(op, a, 2, o.sample_size, &sample, err)) ||
        (rc = rt_tf_arg_int(op, a, 3, o.time_decay, &decay, err)) ||
        (rc = rt_tf_arg_int(op, a, 4, o.shingle_size, &shingle, err)) ||
        (explain && (rc = rt_tf_arg_bool(op, a, 5, 0, &st->direction, err))))
        return rc;
    /* Refused up front rather than failing mid-stream: a forest holds a
     * sample of points of dims * shingle values per tree, plus its nodes. */
    double need = (double)trees * (double)sample * ((double)st->in.dims * (double)shingle * 8.0 * 3.0 + 96.0);
    if (need > RCF_BYTES_MAX)
        return eddy_err_set_at(err, EDDY_E_LIMIT, n->off, n->len,
                               "%s would need about %.0f MB (%lld trees x %lld samples x %u columns x shingle %lld); "
                               "the limit is %.0f MB", n->u.table_func.call.fn->name, need / 1e6, (long long)trees,
                               (long long)sample, st->in.dims, (long long)shingle, RCF_BYTES_MAX / 1e6);
    o.dims = st->in.dims;
    o.n_trees = (uint32_t)trees;
    o.sample_size = (uint32_t)sample;
    o.time_decay = (uint32_t)decay;
    o.shingle_size = (uint32_t)shingle;
    o.seed = RCF_SEED;
    st->explain = explain;
    st->alpha_min = 1.0 / (double)decay;
    sbuf_init(&st->json);
    op->state = st;
    op->vt = &rcf_vt;
    if (!(st->forest = rt_rcf_new(&o, err))) {
        char why[EDDY_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->code ? err->msg : "out of memory");
        rc = err->code ? err->code : EDDY_E_NOMEM;
        rcf_end(op);
        return eddy_err_set_at(err, rc, n->off, n->len, "%s: %s", n->u.table_func.call.fn->name, why);
    }
    st->row = calloc(st->in.dims, sizeof *st->row);
    st->attr = calloc(2 * st->in.dims, sizeof *st->attr);
    st->mean = calloc(st->in.dims, sizeof *st->mean);
    st->var = calloc(st->in.dims, sizeof *st->var);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->row || !st->attr || !st->mean || !st->var || !st->out) {
        rcf_end(op);
        return err->code ? err->code : eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}

/* ---------------------------------------------------------------- HOTSPOTS */

typedef struct hot_state {
    rt_hotspots *model;
    numeric_input in;
    double *row;
    sbuf json;
    rt_batch *out;
} hot_state;

static int hot_push(rt_op *op, const rt_batch *b, eddy_err *err) {
    hot_state *st = op->state;
    uint32_t live = rt_batch_live(b);
    rt_batch_reset(st->out);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = rt_batch_row(b, i);
        if (rt_batch_copy_row(st->out, b, r) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        uint32_t o = st->out->n_rows - 1;
        if (!gather(&st->in, b, r, st->row, DBL_MAX)) continue;   /* not a point: result NULL */
        if (rt_hotspots_update(st->model, st->row, &st->json) != 0 ||
            rt_batch_set_str(st->out, op->n_in, o, st->json.data, st->json.len) != 0)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    op->state_bytes = rt_hotspots_bytes(st->model);
    int rc = rt_op_emit(op, st->out, err);
    rt_batch_reset(st->out);
    return rc;
}

static void hot_end(rt_op *op) {
    hot_state *st = op->state;
    rt_hotspots_free(st->model);
    free(st->row);
    sbuf_free(&st->json);
    rt_batch_release(st->out);
}

static const rt_op_vt hot_vt = {"HOTSPOTS", hot_push, NULL, NULL, hot_end, NULL, NULL};

int rt_tf_hotspots_init(rt_op *op, arena *a, eddy_err *err) {
    const plan_node *n = op->node;
    hot_state *st = arena_calloc(a, sizeof *st);
    if (!st) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    int rc = numeric_columns(op, a, 1, &st->in, err);
    if (rc != 0) return rc;
    int64_t window, min_pts;
    double radius;
    if ((rc = rt_tf_arg_int(op, a, 1, 0, &window, err)) || (rc = rt_tf_arg_double(op, a, 2, "scanRadius", &radius, err)) ||
        (rc = rt_tf_arg_int(op, a, 3, 0, &min_pts, err)))
        return rc;
    sbuf_init(&st->json);
    op->state = st;
    op->vt = &hot_vt;
    if (!(st->model = rt_hotspots_new(st->in.dims, (uint32_t)window, radius, (uint32_t)min_pts, err))) {
        char why[EDDY_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->code ? err->msg : "out of memory");
        rc = err->code ? err->code : EDDY_E_NOMEM;
        hot_end(op);
        return eddy_err_set_at(err, rc, n->off, n->len, "HOTSPOTS: %s", why);
    }
    st->row = calloc(st->in.dims, sizeof *st->row);
    st->out = rt_batch_new(op->out_types, op->n_out, err);
    if (!st->row || !st->out) {
        hot_end(op);
        return err->code ? err->code : eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
    }
    return 0;
}
