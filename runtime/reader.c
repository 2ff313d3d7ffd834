/*
 * reader.c — the reader of one stream: shard lineage, fetch scheduling
 * (classic polling and fan-out pushes), positions, and the time-ordered merge.
 *
 * Contract in reader.h. A shard moves WAITING -> ACTIVE -> FINISHED:
 *   WAITING   known, but a parent has not been read to its end yet;
 *   ACTIVE    has a merge lane; its handle is opened (or re-subscribed) lazily
 *             at fetch time, so every source error surfaces from a poll before
 *             any record of that poll is handed out;
 *   FINISHED  read to its end (end of shard, or the current end in drain
 *             mode), or skipped (a closed shard under LATEST, a restored
 *             finished position).
 * Records returned by a poll point into shard handles' batches. A handle is
 * therefore fetched again only when its lane has nothing pending, which is
 * only at the start of a later poll, and a finished shard's handle is closed at
 * the start of the next poll, never during the poll that delivered its last
 * records.
 */
#include "reader.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eddy_log.h"
#include "eddy_time.h"

typedef enum { SH_WAITING, SH_ACTIVE, SH_FINISHED } sh_state;

typedef struct rshard {
    struct rt_reader *r;          /* back pointer for the notify callback */
    shard_info info;
    int64_t tie;                  /* order among equal arrivals */
    sh_state state;
    int lane;                     /* merge lane once ACTIVE, else -1 */
    shard_handle *h;              /* NULL until opened, after an ended subscription,
                                     and once closed */
    int close_pending;            /* finished: close h at the next poll */
    store_position start;         /* where reading begins (set on activation) */
    int start_latest;             /* in the initial set under RT_START_LATEST */
    int ended;                    /* its end was read: closed, nothing more will come */
    int foreign;                  /* another part's (rt_reader_opts.parts): never read */
    int resume_has_seq;           /* restored from a checkpoint */
    store_seq resume_seq;
    int resume_seq_at;            /* ... at resume_seq, not after it */
    int resume_has_at;            /* ... at an arrival time */
    int64_t resume_at;
    int replay_has;               /* records up to replay_seq were delivered before */
    store_seq replay_seq;         /* (rt_shard_pos.replay_seq) */
    int64_t latest_from;          /* started at LATEST: the clock then (else INT64_MIN) */
    int64_t next_fetch;           /* source clock */
    int64_t backoff;              /* current back-off, 0 when not throttled */
    int64_t millis_behind;        /* from the last fetch */
    atomic_int notified;          /* fan-out: a push arrived */
} rshard;

struct rt_reader {
    rt_reader_opts o;
    char stream[STORE_NAME_MAX + 1];
    char consumer_arn[STORE_ARN_MAX];
    shard_source *src;            /* borrowed */
    rshard **shards;              /* by discovery order */
    size_t n_shards, cap_shards;
    int *lane_shard;              /* merge lane -> index in shards */
    size_t cap_lanes;
    rt_merge *m;
    rt_record *out;
    size_t out_cap;
    int started;
    int64_t next_relist;
    int64_t last_relist;          /* source clock of the last listing (parts > 1) */
    rt_reader_stats st;
    pthread_mutex_t mu;           /* guards wake_pending; pairs with cv */
    pthread_cond_t cv;
    int wake_pending;
    size_t n_replay;              /* shards with replay_has set */
};

void rt_reader_opts_init(rt_reader_opts *o) {
    memset(o, 0, sizeof *o);
    o->kind = RT_READER_CLASSIC;
    o->start = RT_START_TRIM_HORIZON;
    o->poll_interval_ms = 200;
    o->backoff_base_ms = 100;
    o->backoff_max_ms = 5000;
    o->idle_timeout_ms = 1000;
    o->relist_interval_ms = 10000;
}

/* ------------------------------------------------------------ shard table */

static rshard *find_shard(const rt_reader *r, const char *id) {
    for (size_t i = 0; i < r->n_shards; i++)
        if (strcmp(r->shards[i]->info.shard_id, id) == 0)
            return r->shards[i];
    return NULL;
}

/* Whether a shard is in this reader's part of the stream's shards:
 * numbered shards by their number, others by a hash of the id. */
static int in_part(const rt_reader *r, const char *id) {
    if (r->o.parts <= 1)
        return 1;
    int64_t num = shard_id_number(id);
    uint64_t h = (uint64_t)num;
    if (num < 0) {
        h = 1469598103934665603ull;
        for (const char *c = id; *c; c++)
            h = (h ^ (uint8_t)*c) * 1099511628211ull;
    }
    return h % r->o.parts == r->o.part;
}

/* Adds a shard not seen before, WAITING (or FINISHED when it is another
 * part's: it is known only for its children's lineage). */
static int add_shard(rt_reader *r, const shard_info *info, eddy_err *err) {
    if (r->n_shards == r->cap_shards) {
        size_t nc = r->cap_shards ? r->cap_shards * 2 : 8;
        rshard **ns = realloc(r->shards, nc * sizeof *ns);
        if (!ns)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory tracking shards");
        r->shards = ns;
        r->cap_shards = nc;
    }
    rshard *sh = calloc(1, sizeof *sh);
    if (!sh)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory tracking shards");
    sh->r = r;
    sh->info = *info;
    sh->lane = -1;
    sh->state = SH_WAITING;
    sh->latest_from = INT64_MIN;
    atomic_init(&sh->notified, 0);
    int64_t num = shard_id_number(info->shard_id);
    /* Ids of another form are ordered after numbered ones, by discovery. */
    sh->tie = num >= 0 ? num : ((int64_t)1 << 40) + (int64_t)r->n_shards;
    r->shards[r->n_shards++] = sh;
    if (!in_part(r, info->shard_id)) {
        /* Its parts of the data are another in-application stream's, so its
         * children need not wait for it here. */
        sh->foreign = 1;
        sh->state = SH_FINISHED;
        return 0;
    }
    r->st.shards_total++;
    return 0;
}

/* Adds the shards of a fresh listing that are not known yet. */
static int relist(rt_reader *r, eddy_err *err) {
    shard_info *list = NULL;
    size_t n = 0;
    int rc = shard_source_list(r->src, r->stream, &list, &n, err);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!find_shard(r, list[i].shard_id))
            rc = add_shard(r, &list[i], err);
    free(list);
    return rc;
}

/* ------------------------------------------------------------ lineage */

static int parents_finished(const rt_reader *r, const rshard *sh) {
    for (int p = 0; p < 2; p++) {
        const char *pid = sh->info.parent_ids[p];
        if (pid[0] == '\0')
            continue;
        const rshard *ps = find_shard(r, pid);
        /* A parent that is not listed any more was trimmed away: nothing of it
         * is left to read first. */
        if (ps && ps->state != SH_FINISHED)
            return 0;
    }
    return 1;
}

/* Gives a WAITING shard its lane and start position. Its handle is opened at
 * its first fetch. */
static int activate(rt_reader *r, rshard *sh, int64_t now, eddy_err *err) {
    int64_t floor = INT64_MIN;
    memset(&sh->start, 0, sizeof sh->start);
    if (sh->resume_has_seq) {
        sh->start.type = sh->resume_seq_at ? STORE_AT_SEQUENCE_NUMBER : STORE_AFTER_SEQUENCE_NUMBER;
        sh->start.seq = sh->resume_seq;
    } else if (sh->resume_has_at) {
        /* The store refuses a time past its clock. */
        sh->start.type = STORE_AT_TIMESTAMP;
        sh->start.timestamp_ms = sh->resume_at < now ? sh->resume_at : now;
        floor = sh->start.timestamp_ms;
    } else if (r->o.start == RT_START_AT_TIMESTAMP) {
        /* Children too: a child of a shard whose records all precede the
         * timestamp may itself hold records that precede it. */
        sh->start.type = STORE_AT_TIMESTAMP;
        sh->start.timestamp_ms = r->o.start_timestamp_ms;
        floor = r->o.start_timestamp_ms;
    } else if (sh->start_latest) {
        sh->start.type = STORE_LATEST;
        floor = now;
        sh->latest_from = now;
    } else {
        sh->start.type = STORE_TRIM_HORIZON;
    }
    /* A child's records arrived after its parents closed. */
    for (int p = 0; p < 2; p++) {
        const rshard *ps = sh->info.parent_ids[p][0] ? find_shard(r, sh->info.parent_ids[p]) : NULL;
        if (ps && ps->lane >= 0) {
            int64_t pf = rt_merge_lane_floor(r->m, ps->lane);
            if (pf > floor)
                floor = pf;
        }
    }
    /* Each shard gets at most one lane, so lanes never outnumber shards. */
    if (r->cap_lanes < r->n_shards) {
        size_t nc = r->cap_lanes ? r->cap_lanes * 2 : 8;
        while (nc < r->n_shards)
            nc *= 2;
        int *nl = realloc(r->lane_shard, nc * sizeof *nl);
        if (!nl)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory activating a shard");
        r->lane_shard = nl;
        r->cap_lanes = nc;
    }
    int lane = rt_merge_lane_add(r->m, sh->tie, floor, err);
    if (lane < 0)
        return lane;
    size_t idx = 0;
    while (r->shards[idx] != sh)
        idx++;
    r->lane_shard[lane] = (int)idx;
    sh->lane = lane;
    sh->state = SH_ACTIVE;
    sh->next_fetch = now;
    r->st.shards_active++;
    return 0;
}

/* Activates every WAITING shard whose parents are all finished. */
static int activate_ready(rt_reader *r, int64_t now, eddy_err *err) {
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->state == SH_WAITING && parents_finished(r, sh)) {
            int rc = activate(r, sh, now, err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

static void mark_finished(rt_reader *r, rshard *sh) {
    if (sh->state == SH_ACTIVE)
        r->st.shards_active--;
    sh->state = SH_FINISHED;
    sh->close_pending = 1;
    r->st.shards_finished++;
}

/* Decides each shard's initial state on the first poll. */
static int start(rt_reader *r, int64_t now, eddy_err *err) {
    r->started = 1;
    r->next_relist = now + r->o.relist_interval_ms;
    if (r->o.start != RT_START_LATEST)
        return activate_ready(r, now, err);
    /* Nothing will ever arrive in a closed shard... */
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->state != SH_FINISHED && !sh->resume_has_seq && !sh->resume_has_at && sh->info.closed)
            mark_finished(r, sh);
    }
    /* ... and an open one starts at its tip, unless a parent is still to be
     * read (restored positions): then it follows its parent from its start. */
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->state == SH_FINISHED || sh->resume_has_seq || sh->resume_has_at || sh->info.closed)
            continue;
        sh->start_latest = parents_finished(r, sh);
    }
    return activate_ready(r, now, err);
}

/* ------------------------------------------------------------ fan-out */

static void on_notify(void *ctx, int ended) {
    rshard *sh = ctx;
    rt_reader *r = sh->r;
    atomic_store(&sh->notified, 1);
    pthread_mutex_lock(&r->mu);
    r->wake_pending = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (r->o.wake)
        r->o.wake(r->o.wake_ctx);
}

/* ------------------------------------------------------------ fetching */

/* Where a (re)opened handle must start: after the last record delivered, or
 * where the shard's reading began. */
static store_position resume_position(const rt_reader *r, const rshard *sh) {
    store_position p = sh->start;
    store_seq seq;
    if (rt_merge_lane_last(r->m, sh->lane, &seq, NULL)) {
        memset(&p, 0, sizeof p);
        p.type = STORE_AFTER_SEQUENCE_NUMBER;
        p.seq = seq;
    }
    return p;
}

static int open_handle(rt_reader *r, rshard *sh, eddy_err *err) {
    store_position p = resume_position(r, sh);
    const shard_source_vtable *vt = r->src->vt;
    if (r->o.kind == RT_READER_FANOUT)
        return vt->subscribe(r->src->ctx, r->consumer_arn, sh->info.shard_id, &p, on_notify, sh,
                             &sh->h, err);
    return vt->open(r->src->ctx, r->stream, sh->info.shard_id, &p, &sh->h, err);
}

static int shard_due(rshard *sh, int64_t now) {
    return now >= sh->next_fetch || atomic_load(&sh->notified);
}

static int add_children(rt_reader *r, const shard_batch *b, eddy_err *err) {
    int unknown = 0;
    for (size_t i = 0; i < b->n_children; i++) {
        if (find_shard(r, b->children[i].shard_id))
            continue;
        int rc = add_shard(r, &b->children[i], err);
        if (rc != 0)
            return rc;
        unknown = 1;
    }
    /* A merge child names both parents; the listing may also know shards a
     * batch cannot tell us about (e.g. the other half of a split). */
    return unknown ? relist(r, err) : 0;
}

/* A shard whose fetch reached its tip but still brought records holds the
 * time-ordered merge back until its next fetch. Waiting a poll interval for
 * that fetch is right when every shard is idle, but it stalls the reader when
 * other shards still have records to deliver, and in drain mode, where only
 * an empty fetch at the tip ends the shard. Then read it again at once. */
static int confirm_tip_now(const rt_reader *r, const rshard *sh, const shard_batch *b) {
    if (b->n_records == 0 || b->end_of_shard)
        return 0;
    if (r->o.drain)
        return 1;
    for (size_t i = 0; i < r->n_shards; i++) {
        const rshard *o = r->shards[i];
        if (o == sh || o->state != SH_ACTIVE)
            continue;
        if (o->millis_behind > 0 || rt_merge_pending(r->m, o->lane) > 0)
            return 1;
    }
    return 0;
}

static int fetch_shard(rt_reader *r, rshard *sh, int64_t now, eddy_err *err) {
    int rc;
    if (!sh->h) {
        rc = open_handle(r, sh, err);
        if (rc != 0)
            return rc;
    }
    atomic_store(&sh->notified, 0);
    shard_batch b;
    eddy_err e;
    eddy_err_clear(&e);
    rc = r->src->vt->fetch(sh->h, r->o.fetch_limit, &b, &e);
    r->st.fetches++;
    if (rc == EDDY_E_THROTTLED) {
        r->st.throttled++;
        int64_t nb = sh->backoff ? sh->backoff * 2 : r->o.backoff_base_ms;
        sh->backoff = nb > r->o.backoff_max_ms ? r->o.backoff_max_ms : nb;
        sh->next_fetch = now + sh->backoff;
        return 0;
    }
    if (rc == EDDY_E_INUSE && r->o.kind == RT_READER_FANOUT) {
        /* The source ended the subscription (replaced, consumer re-created):
         * subscribe again from where we are, at the next poll. */
        r->src->vt->close(sh->h);
        sh->h = NULL;
        r->st.resubscribes++;
        sh->next_fetch = now;
        return 0;
    }
    if (rc != 0) {
        if (err)
            *err = e;
        return rc;
    }
    sh->backoff = 0;
    sh->millis_behind = b.millis_behind_latest;
    /* A full batch may hide more records even when the source reports no lag
     * (it measures lag against its clock, which imported arrivals can pass). */
    size_t limit = r->o.fetch_limit ? r->o.fetch_limit : STORE_GET_RECORDS_MAX;
    int at_tip = b.millis_behind_latest == 0 && b.n_records < limit;
    rt_merge_feed(r->m, sh->lane, b.records, b.n_records, at_tip, now - r->o.arrival_skew_ms);
    /* Read to its tip with nothing left to deliver and its replay mark not
     * reached: the records up to the mark are gone (retention), so none of
     * its records will be read again. */
    if (sh->replay_has && b.n_records == 0 && (at_tip || b.end_of_shard) && rt_merge_pending(r->m, sh->lane) == 0) {
        sh->replay_has = 0;
        r->n_replay--;
    }
    if (b.end_of_shard) {
        sh->ended = 1;
        rc = add_children(r, &b, err);
        if (rc != 0)
            return rc;
        rt_merge_finish(r->m, sh->lane);
    } else if (r->o.drain && b.n_records == 0 && at_tip) {
        rt_merge_finish(r->m, sh->lane);
    }
    sh->next_fetch = at_tip && !confirm_tip_now(r, sh, &b) ? now + r->o.poll_interval_ms : now;
    return 0;
}

/* ------------------------------------------------------------ public */

int rt_reader_open(const rt_reader_opts *opts, shard_source *src, const char *stream,
                   rt_reader **out, eddy_err *err) {
    if (!opts || !src || !stream || !out)
        return eddy_err_set(err, EDDY_E_INVAL, "reader needs options, a source and a stream");
    if (strlen(stream) > STORE_NAME_MAX)
        return eddy_err_set(err, EDDY_E_INVAL, "stream name is too long");
    if (opts->kind == RT_READER_FANOUT &&
        (!opts->consumer_name || !store_name_valid(opts->consumer_name, strlen(opts->consumer_name))))
        return eddy_err_set(err, EDDY_E_INVAL, "fan-out reader needs a valid consumer name");
    if (opts->poll_interval_ms < 0 || opts->backoff_base_ms <= 0 ||
        opts->backoff_max_ms < opts->backoff_base_ms || opts->relist_interval_ms < 0 ||
        opts->arrival_skew_ms < 0)
        return eddy_err_set(err, EDDY_E_INVAL, "invalid reader intervals");
    rt_reader *r = calloc(1, sizeof *r);
    if (!r)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory opening a reader");
    r->o = *opts;
    r->o.consumer_name = NULL;   /* borrowed only for the open */
    snprintf(r->stream, sizeof r->stream, "%s", stream);
    r->src = src;
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = rt_merge_new(opts->idle_timeout_ms, &r->m, err);
    if (rc == 0)
        rc = relist(r, err);
    if (rc == 0 && opts->kind == RT_READER_FANOUT)
        rc = src->vt->consumer_ensure(src->ctx, r->stream, opts->consumer_name, r->consumer_arn,
                                      err);
    if (rc != 0) {
        rt_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void rt_reader_close(rt_reader *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->n_shards; i++) {
        if (r->shards[i]->h)
            r->src->vt->close(r->shards[i]->h);
        free(r->shards[i]);
    }
    free(r->shards);
    free(r->lane_shard);
    free(r->out);
    rt_merge_free(r->m);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static void close_finished_handles(rt_reader *r) {
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->close_pending && sh->h) {
            r->src->vt->close(sh->h);
            sh->h = NULL;
            sh->close_pending = 0;
        }
    }
}

int rt_reader_poll(rt_reader *r, size_t max, rt_reader_out *out, eddy_err *err) {
    memset(out, 0, sizeof *out);
    if (max == 0)
        max = 1024;
    if (r->out_cap < max) {
        rt_record *no = realloc(r->out, max * sizeof *no);
        if (!no)
            return eddy_err_set(err, EDDY_E_NOMEM, "out of memory for a reader batch");
        r->out = no;
        r->out_cap = max;
    }
    int64_t now = shard_source_now(r->src);
    int rc;
    if (!r->started && (rc = start(r, now, err)) != 0)
        return rc;
    close_finished_handles(r);
    /* A reader of part of the shards relists at every poll (at most once a
     * millisecond): a shard of its part born of another part's shard is
     * announced only to the reader that reads the parent, and must be found
     * before this reader lets time pass its first records. */
    int relist_now = r->o.parts > 1 && now != r->last_relist;
    if ((r->o.relist_interval_ms > 0 && now >= r->next_relist) || relist_now) {
        r->next_relist = now + r->o.relist_interval_ms;
        r->last_relist = now;
        if ((rc = relist(r, err)) != 0 || (rc = activate_ready(r, now, err)) != 0)
            return rc;
    }
    /* Fetch every due shard that has nothing pending; shards that finish here
     * (end of shard with nothing in the last batch) make children ready. */
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->state != SH_ACTIVE || rt_merge_pending(r->m, sh->lane) > 0 ||
            rt_merge_lane_done(r->m, sh->lane) || !shard_due(sh, now))
            continue;
        if ((rc = fetch_shard(r, sh, now, err)) != 0)
            return rc;
    }
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->state == SH_ACTIVE && rt_merge_lane_done(r->m, sh->lane))
            mark_finished(r, sh);
    }
    if ((rc = activate_ready(r, now, err)) != 0)
        return rc;

    size_t n = 0;
    for (;;) {
        size_t k = 0;
        int done_lane = -1;
        rt_merge_status st = rt_merge_run(r->m, now, r->out + n, max - n, &k, &done_lane);
        n += k;
        if (st != RT_MERGE_LANE_DONE)
            break;
        /* The children must constrain time before any other shard moves on. */
        mark_finished(r, r->shards[r->lane_shard[done_lane]]);
        if ((rc = activate_ready(r, now, err)) != 0) {
            /* Activation only allocates; on failure keep what was merged. */
            eddy_log(EDDY_LOG_WARN, "reader %s: %s", r->stream, err ? err->msg : "out of memory");
            break;
        }
    }
    r->st.records += n;
    out->records = r->out;
    out->n_records = n;
    out->watermark = rt_merge_watermark(r->m, now);
    int live = 0;
    for (size_t i = 0; i < r->n_shards; i++) {
        const rshard *sh = r->shards[i];
        if (sh->state == SH_ACTIVE) {
            live = 1;
            if (sh->millis_behind > out->millis_behind_latest)
                out->millis_behind_latest = sh->millis_behind;
        } else if (sh->state == SH_WAITING) {
            live = 1;
        }
    }
    /* A reader of a share of the shards is never done while live: a shard
     * of its share may yet be born of another share's. */
    out->done = !live && (r->o.drain || r->o.parts <= 1);
    /* A reader whose part has no shard to read (fewer shards than parts,
     * or its shards split into other parts) holds nothing back: its time
     * follows the clock, as an idle shard's does, so that a merge with the
     * other parts' streams goes on (in drain mode too: it has nothing more
     * to deliver, and the others' rows need not wait for the end). */
    if (!live && r->o.parts > 1) {
        int64_t w = now - r->o.arrival_skew_ms;
        if (w > out->watermark)
            out->watermark = w;
    }
    return 0;
}

int rt_reader_due_in(rt_reader *r, int max_ms) {
    if (!r->started) return 0;
    int64_t now = shard_source_now(r->src);
    int64_t wait = max_ms;
    for (size_t i = 0; i < r->n_shards; i++) {
        rshard *sh = r->shards[i];
        if (sh->state != SH_ACTIVE || rt_merge_pending(r->m, sh->lane) > 0)
            continue;
        if (shard_due(sh, now))
            return 0;
        if (sh->next_fetch - now < wait)
            wait = sh->next_fetch - now;
    }
    return wait < 0 ? 0 : (int)wait;
}

void rt_reader_wait(rt_reader *r, int max_ms) {
    int wait = rt_reader_due_in(r, max_ms);
    if (wait == 0)
        return;
    struct timespec ts = eddy_deadline_ms(CLOCK_MONOTONIC, wait);
    pthread_mutex_lock(&r->mu);
    while (!r->wake_pending) {
        if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) != 0)
            break;
    }
    r->wake_pending = 0;
    pthread_mutex_unlock(&r->mu);
}

const char *rt_reader_shard_id(const rt_reader *r, uint32_t slot) {
    for (size_t i = 0; i < r->n_shards; i++)
        if (r->shards[i]->lane == (int)slot)
            return r->shards[i]->info.shard_id;
    return NULL;
}

int rt_reader_is_replay(rt_reader *r, const rt_record *rec) {
    if (r->n_replay == 0 || rec->lane >= r->cap_lanes) return 0;
    rshard *sh = r->shards[r->lane_shard[rec->lane]];
    if (!sh->replay_has) return 0;
    int replay = rec->seq <= sh->replay_seq;
    if (rec->seq >= sh->replay_seq) {
        sh->replay_has = 0;   /* at or past the mark: the shard's records are new from here on */
        r->n_replay--;
    }
    return replay;
}

int rt_reader_replaying(const rt_reader *r) { return r->n_replay > 0; }

void rt_reader_get_stats(const rt_reader *r, rt_reader_stats *out) { *out = r->st; }

int rt_reader_positions_get(const rt_reader *r, rt_shard_pos **out, size_t *n, eddy_err *err) {
    return rt_reader_positions_get_from(r, INT64_MAX, out, n, err);
}

int rt_reader_positions_get_from(const rt_reader *r, int64_t horizon, rt_shard_pos **out, size_t *n,
                                 eddy_err *err) {
    rt_shard_pos *arr = calloc(r->n_shards ? r->n_shards : 1, sizeof *arr);
    if (!arr)
        return eddy_err_set(err, EDDY_E_NOMEM, "out of memory saving reader positions");
    size_t k = 0;
    for (size_t i = 0; i < r->n_shards; i++) {
        const rshard *sh = r->shards[i];
        if (sh->foreign)
            continue;   /* saved by the reader whose part it is */
        rt_shard_pos p;
        memset(&p, 0, sizeof p);
        memcpy(p.shard_id, sh->info.shard_id, sizeof p.shard_id);
        int64_t last_arrival = INT64_MIN, first_arrival;
        store_seq first_seq, last_seq;
        int delivered = sh->lane >= 0 && rt_merge_lane_last(r->m, sh->lane, &last_seq, &last_arrival);
        if (delivered) {
            p.has_seq = 1;
            p.seq = last_seq;
            if (last_arrival >= horizon && rt_merge_lane_first(r->m, sh->lane, &first_seq, &first_arrival)) {
                /* Records from the horizon on are to be read again. */
                if (first_arrival >= horizon) {
                    p.seq = first_seq;
                    p.seq_at = 1;
                } else {
                    p.has_seq = 0;
                    p.has_at = 1;
                    p.at_ms = horizon;
                }
            }
        } else if (sh->resume_has_seq) {
            p.has_seq = 1;
            p.seq = sh->resume_seq;
            p.seq_at = sh->resume_seq_at;
        } else if (sh->resume_has_at) {
            p.has_at = 1;
            p.at_ms = sh->resume_at;
        } else if (sh->lane >= 0 && !(sh->state == SH_FINISHED && (sh->ended || sh->info.closed))) {
            /* Read from somewhere, nothing delivered yet: where it started
             * (a record that arrives while the reader is gone is still
             * read after a restart). */
            p.has_at = 1;
            p.at_ms = sh->start.type == STORE_LATEST         ? sh->latest_from
                      : sh->start.type == STORE_AT_TIMESTAMP ? sh->start.timestamp_ms
                                                             : 0;   /* trim horizon */
        }
        /* The replay mark: the last record whose results are out, the
         * newest of this run's last delivered record and a mark carried over
         * from the positions this run started from (a checkpoint taken
         * while records were still being read again). */
        if (delivered) {
            p.has_replay = 1;
            p.replay_seq = last_seq;
        }
        if (sh->replay_has && (!p.has_replay || sh->replay_seq > p.replay_seq)) {
            p.has_replay = 1;
            p.replay_seq = sh->replay_seq;
        }
        /* Finished for good only when closed: a drained open shard (read to
         * its current tip) goes on after its last record. One whose records
         * are to be read again is not finished. */
        p.finished = sh->state == SH_FINISHED && (sh->ended || sh->info.closed) && !p.seq_at && !p.has_at;
        if (p.has_seq || p.has_at || p.finished)
            arr[k++] = p;
    }
    *out = arr;
    *n = k;
    return 0;
}

int rt_reader_start(rt_reader *r, eddy_err *err) {
    if (r->started)
        return 0;
    return start(r, shard_source_now(r->src), err);
}

int rt_reader_positions_set(rt_reader *r, const rt_shard_pos *pos, size_t n, eddy_err *err) {
    if (r->started)
        return eddy_err_set(err, EDDY_E_INUSE, "reader positions can only be set before reading");
    for (size_t i = 0; i < n; i++) {
        rshard *sh = find_shard(r, pos[i].shard_id);
        if (sh && sh->foreign)
            continue;   /* another part's now (the parallelism changed) */
        if (!sh) {
            eddy_log(EDDY_LOG_DEBUG, "reader %s: saved shard %s no longer exists", r->stream,
                     pos[i].shard_id);
            continue;
        }
        /* A mark counts only where the shard will deliver records up to it
         * again: not on a finished shard, nor behind where it resumes (so
         * rt_reader_replaying turns false exactly when they have come). */
        int reaches = !pos[i].finished && (!pos[i].has_seq || (pos[i].seq_at ? pos[i].seq <= pos[i].replay_seq
                                                                                : pos[i].seq < pos[i].replay_seq));
        if (pos[i].has_replay && reaches && !sh->replay_has) {
            sh->replay_has = 1;
            sh->replay_seq = pos[i].replay_seq;
            r->n_replay++;
        }
        if (pos[i].finished) {
            mark_finished(r, sh);
        } else if (pos[i].has_seq) {
            sh->resume_has_seq = 1;
            sh->resume_seq = pos[i].seq;
            sh->resume_seq_at = pos[i].seq_at;
        } else if (pos[i].has_at) {
            sh->resume_has_at = 1;
            sh->resume_at = pos[i].at_ms;
        }
    }
    return 0;
}
