/*
 * source_merge.c — time-ordered merge of a stream's shards with watermarks.
 *
 * The contract and the watermark rules are in source_merge.h. Lanes are kept
 * in an array and scanned linearly per run step: streams have few shards, and
 * one scan lets a lane emit every pending record below the runner-up's
 * frontier, so the cost per record stays small.
 */
#include "source_merge.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A position in the merged order. */
typedef struct mkey {
    int64_t t;        /* arrival ms */
    int64_t tie;      /* the lane's tie-break (shard index) */
    store_seq seq;    /* sequence number within the shard */
} mkey;

typedef struct lane {
    int64_t tie;
    int64_t floor;             /* no later record arrives before this */
    int has_last;              /* a record has been delivered */
    store_seq last_seq;
    store_seq first_seq;       /* the first delivered (valid with has_last) */
    int64_t first_arrival;
    const store_record *recs;  /* borrowed; pending are recs[pos..n) */
    size_t n, pos;
    int at_tip;                /* the last fetch reached the tip */
    int64_t tip_since;         /* clock when it was first seen at its tip */
    int64_t checked;           /* clock before the last fetch */
    int finished;              /* no more feeds */
    int done;                  /* finished and drained: no longer live */
} lane;

struct rt_merge {
    int64_t idle_timeout;
    lane *lanes;
    size_t n_lanes, cap_lanes, n_live;
    int64_t last_rowtime;      /* of the last emitted record */
    int64_t watermark;
};

static int key_cmp(const mkey *a, const mkey *b) {
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->tie != b->tie)
        return a->tie < b->tie ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

static int lane_idle(const rt_merge *m, const lane *l, int64_t now) {
    return l->at_tip && m->idle_timeout >= 0 && now - l->tip_since >= m->idle_timeout;
}

/* The smallest key a record of this lane still to come can have. */
static mkey lane_frontier(const rt_merge *m, const lane *l, int64_t now) {
    mkey k = {.tie = l->tie};
    if (l->pos < l->n) {
        k.t = l->recs[l->pos].arrival_ms;
        k.seq = l->recs[l->pos].seq;
        return k;
    }
    k.t = l->floor;
    k.seq = l->has_last ? l->last_seq + 1 : 0;
    if (lane_idle(m, l, now) && l->checked > k.t) {
        k.t = l->checked;
        k.seq = 0;
    }
    return k;
}

int rt_merge_new(int64_t idle_timeout_ms, rt_merge **out, eddy_err *err) {
    rt_merge *m = calloc(1, sizeof *m);
    if (!m)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory creating a shard merge");
    m->idle_timeout = idle_timeout_ms;
    m->last_rowtime = INT64_MIN;
    m->watermark = INT64_MIN;
    *out = m;
    return 0;
}

void rt_merge_free(rt_merge *m) {
    if (!m)
        return;
    free(m->lanes);
    free(m);
}

int rt_merge_lane_add(rt_merge *m, int64_t tie, int64_t floor_ms, eddy_err *err) {
    if (m->n_lanes == m->cap_lanes) {
        size_t nc = m->cap_lanes ? m->cap_lanes * 2 : 8;
        lane *nl = realloc(m->lanes, nc * sizeof *nl);
        if (!nl)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory adding a shard lane");
        m->lanes = nl;
        m->cap_lanes = nc;
    }
    lane *l = &m->lanes[m->n_lanes];
    memset(l, 0, sizeof *l);
    l->tie = tie;
    l->floor = floor_ms;
    m->n_live++;
    return (int)m->n_lanes++;
}

void rt_merge_feed(rt_merge *m, int li, const store_record *recs, size_t n, int at_tip,
                   int64_t checked_ms) {
    lane *l = &m->lanes[li];
    assert(l->pos == l->n && !l->finished);
    if (l->pos < l->n || l->finished)
        return;   /* in release builds, keeping the pending records is safest */
    l->recs = recs;
    l->n = n;
    l->pos = 0;
    if (n > 0 || !at_tip || !l->at_tip)
        l->tip_since = checked_ms;   /* idleness counts from the last sign of life */
    l->at_tip = at_tip;
    l->checked = checked_ms;
}

size_t rt_merge_pending(const rt_merge *m, int li) {
    const lane *l = &m->lanes[li];
    return l->n - l->pos;
}

static void lane_mark_done(rt_merge *m, lane *l) {
    if (!l->done) {
        l->done = 1;
        m->n_live--;
    }
}

void rt_merge_finish(rt_merge *m, int li) {
    lane *l = &m->lanes[li];
    l->finished = 1;
    if (l->pos == l->n)
        lane_mark_done(m, l);
}

int rt_merge_lane_done(const rt_merge *m, int li) { return m->lanes[li].done; }

int rt_merge_lane_last(const rt_merge *m, int li, store_seq *seq, int64_t *arrival_ms) {
    const lane *l = &m->lanes[li];
    if (!l->has_last)
        return 0;
    if (seq)
        *seq = l->last_seq;
    if (arrival_ms)
        *arrival_ms = l->floor;
    return 1;
}

int rt_merge_lane_first(const rt_merge *m, int li, store_seq *seq, int64_t *arrival_ms) {
    const lane *l = &m->lanes[li];
    if (!l->has_last)
        return 0;
    if (seq)
        *seq = l->first_seq;
    if (arrival_ms)
        *arrival_ms = l->first_arrival;
    return 1;
}

int64_t rt_merge_lane_floor(const rt_merge *m, int li) { return m->lanes[li].floor; }

size_t rt_merge_live(const rt_merge *m) { return m->n_live; }

rt_merge_status rt_merge_run(rt_merge *m, int64_t now, rt_record *out, size_t cap,
                             size_t *n_out, int *done_lane) {
    size_t k = 0;
    rt_merge_status st;
    for (;;) {
        if (k == cap) {
            st = RT_MERGE_FULL;
            break;
        }
        /* Find the lane with the smallest frontier and the runner-up's. */
        int best = -1;
        mkey bk = {0}, second = {.t = INT64_MAX, .tie = INT64_MAX, .seq = ~(store_seq)0};
        for (size_t i = 0; i < m->n_lanes; i++) {
            lane *l = &m->lanes[i];
            if (l->done)
                continue;
            mkey f = lane_frontier(m, l, now);
            if (best < 0 || key_cmp(&f, &bk) < 0) {
                if (best >= 0)
                    second = bk;
                best = (int)i;
                bk = f;
            } else if (key_cmp(&f, &second) < 0) {
                second = f;
            }
        }
        if (best < 0) {
            st = RT_MERGE_IDLE;
            break;
        }
        lane *l = &m->lanes[best];
        if (l->pos == l->n) {
            st = RT_MERGE_NEED_DATA;
            break;
        }
        while (l->pos < l->n && k < cap) {
            const store_record *r = &l->recs[l->pos];
            mkey rk = {r->arrival_ms, l->tie, r->seq};
            if (key_cmp(&rk, &second) >= 0)
                break;
            rt_record *o = &out[k++];
            /* Arrival never goes back within a shard, but a child shard fed
             * imported arrival times may start below what was already
             * emitted; ROWTIME must still never decrease. */
            o->rowtime = r->arrival_ms > m->last_rowtime ? r->arrival_ms : m->last_rowtime;
            o->lane = (uint32_t)best;
            o->seq = r->seq;
            o->partition_key = r->partition_key;
            o->partition_key_len = r->partition_key_len;
            o->data = r->data;
            o->data_len = r->data_len;
            m->last_rowtime = o->rowtime;
            if (r->arrival_ms > l->floor)
                l->floor = r->arrival_ms;
            if (!l->has_last) {
                l->first_seq = r->seq;
                l->first_arrival = r->arrival_ms;
            }
            l->has_last = 1;
            l->last_seq = r->seq;
            l->pos++;
        }
        if (l->pos == l->n && l->finished) {
            lane_mark_done(m, l);
            *done_lane = best;
            st = RT_MERGE_LANE_DONE;
            break;
        }
    }
    *n_out = k;
    return st;
}

int64_t rt_merge_watermark(rt_merge *m, int64_t now) {
    int64_t w = INT64_MAX;
    for (size_t i = 0; i < m->n_lanes; i++) {
        const lane *l = &m->lanes[i];
        if (l->done)
            continue;
        mkey f = lane_frontier(m, l, now);
        if (f.t < w)
            w = f.t;
    }
    if (w == INT64_MAX)
        w = m->last_rowtime;   /* nothing live: time stands where the data ended */
    if (w < m->last_rowtime)
        w = m->last_rowtime;
    if (w > m->watermark)
        m->watermark = w;
    return m->watermark;
}
