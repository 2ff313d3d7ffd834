/*
 * fn_logparse.c — the evaluators of the log-parsing functions of SQL.md
 * §6.11 (REGEX_LOG_PARSE, FAST_REGEX_LOG_PARSE, FIXED_COLUMN_LOG_PARSE,
 * VARIABLE_COLUMN_LOG_PARSE, SYS_LOG_PARSE, W3C_LOG_PARSE), one call per
 * field, with the per-thread caches that make the n field calls over a
 * batch parse each row once, and udf__attach_logparse().
 *
 * How it fits: the planner calls udf_row_fields() (fn_logparse_spec.c) and
 * plans `f(...) AS r` as one call per field with the field index as an
 * extra last argument (udf_rowfn.h); udf__attach_logparse() (called by
 * udf_attach_builtins after the date functions) attaches the evaluators
 * here. A call's constant arguments are compiled by fn_logparse_spec.c
 * (patterns by fn_logparse_regex.c, W3C formats by fn_logparse_w3c.c) and
 * lines are split by fn_logparse_line.c; logparse_int.h is what these files
 * share.
 *
 * Each evaluating thread keeps two caches, freed when the thread exits:
 *  - compiled parsers (regex programs, column specs, W3C formats) keyed by
 *    the function and the bytes of its constant arguments;
 *  - the parse of the last batches ("runs" of rows): every field of every
 *    row, keyed by the parser and the exact bytes of the input strings, so
 *    the calls for fields 2..n of a batch reuse field 1's parse. The
 *    runtime's arena reuses memory between batches, so a matching string
 *    pointer only selects candidates; the bytes decide.
 *
 * Parsed fields are returned as text, borrowed from the input where the
 * text is unchanged; the planner casts them to the declared types. A line
 * that does not parse gives NULL fields; only a NOT NULL column without a
 * value, or an argument that cannot be compiled, is a row-level error.
 */
#include "logparse_int.h"
#include "udf_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LP_PARSER_CACHE 16         /* compiled parsers per thread */
#define LP_MEMO_MAX_SPANS (1u << 17)
#define LP_MEMO_MAX_BYTES (8u << 20)
#define LP_MEMO_MAX_RUNS 4096
#define LP_MEMO_SLOTS (2 * LP_MEMO_MAX_RUNS)

const char *const udf__lp_kind_name[LP__COUNT] = {"FAST_REGEX_LOG_PARSE", "REGEX_LOG_PARSE",
                                                  "FIXED_COLUMN_LOG_PARSE", "SYS_LOG_PARSE",
                                                  "VARIABLE_COLUMN_LOG_PARSE", "W3C_LOG_PARSE"};

udf_scalar_eval_fn udf__lp_char_to_ts;

/* ---- per-thread caches ---------------------------------------------------- */

/* The parse of one run of rows: n_rows x n_fields spans. */
struct lp_run {
    const lp_parser *p;  /* compared by address only: it may have been freed */
    uint64_t gen;
    size_t n_rows;
    const char *first;   /* row 0's string: a quick filter before the bytes */
    size_t key_off;      /* the rows' strings in memo.key: [u32 length][bytes] each */
    size_t key_len;
    size_t span_off;     /* the first span in memo.spans */
};

typedef struct lp_tls {
    lp_parser *parsers[LP_PARSER_CACHE];
    unsigned victim;
    uint64_t gen;
    lp_memo memo;
} lp_tls;

static __thread lp_tls *tls;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_key_ok;

static void tls_destroy(void *v) {
    lp_tls *t = v;
    for (int k = 0; k < LP_PARSER_CACHE; k++) udf__lp_parser_free(t->parsers[k]);
    free(t->memo.runs);
    free(t->memo.spans);
    free(t->memo.key);
    free(t->memo.text);
    free(t->memo.slots);
    free(t);
    tls = NULL;
}

static void tls_init_key(void) { tls_key_ok = pthread_key_create(&tls_key, tls_destroy) == 0; }

static lp_tls *tls_get(void) {
    if (tls) return tls;
    pthread_once(&tls_once, tls_init_key);
    if (!tls_key_ok) return NULL;
    lp_tls *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    if (pthread_setspecific(tls_key, t) != 0) {
        free(t);
        return NULL;
    }
    return tls = t;
}

int udf__lp_grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *np = realloc(*p, c * size);
    if (!np) return -1;
    *p = np;
    *cap = c;
    return 0;
}

/* The key of a call's constant arguments at row i: the kind, then each
 * argument 1..na-1 tagged by its class. */
static int make_key(lp_kind kind, const eddy_value *const *args, int na, size_t i, sbuf *b) {
    sbuf_putc(b, (char)kind);
    for (int k = 1; k < na; k++) {
        const eddy_value *v = &args[k][i];
        if (v->is_null) sbuf_putc(b, 'N');
        else if (eddy_type_is_string(v->type)) {
            uint32_t n = v->u.s.n;
            sbuf_putc(b, 'S');
            sbuf_append(b, &n, sizeof n);
            sbuf_append(b, v->u.s.p, n);
        } else {
            sbuf_putc(b, 'I');
            sbuf_append(b, &v->u.i, sizeof v->u.i);
        }
    }
    return b->failed ? EDDY_E_NOMEM : 0;
}

/* The compiled parser for row i's arguments, from the cache or compiled
 * now. Compile errors become row-level errors. */
static int parser_get(lp_tls *t, lp_kind kind, const eddy_value *const *args, int na, size_t i, lp_parser **out,
                      eddy_err *err) {
    sbuf key;
    sbuf_init(&key);
    int rc = make_key(kind, args, na, i, &key);
    for (int k = 0; rc == 0 && k < LP_PARSER_CACHE; k++) {
        lp_parser *p = t->parsers[k];
        if (p && p->key_n == key.len && memcmp(p->key, key.data, key.len) == 0) {
            *out = p;
            sbuf_free(&key);
            return 0;
        }
    }
    if (rc != 0) {
        sbuf_free(&key);
        return lp_nomem(err);
    }
    const eddy_value *cv[UDF_MAX_ARGS + 1] = {NULL};
    for (int k = 1; k < na && k <= UDF_MAX_ARGS; k++) cv[k] = &args[k][i];
    lp_parser *p;
    int bad;
    rc = udf__lp_compile(kind, cv, na, &p, &bad, err);
    if (rc != 0) {
        sbuf_free(&key);
        if (rc != EDDY_E_NOMEM) err->code = rc = EDDY_E_RUNTIME;
        return rc;
    }
    p->key = sbuf_detach(&key, &p->key_n);
    p->gen = ++t->gen;
    unsigned slot = t->victim++ % LP_PARSER_CACHE;
    udf__lp_parser_free(t->parsers[slot]);
    t->parsers[slot] = p;
    *out = p;
    return 0;
}

/* ---- the batch memo -------------------------------------------------------- */

static int run_matches(const lp_memo *m, const lp_run *r, const eddy_value *v, size_t n) {
    const char *k = m->key + r->key_off;
    for (size_t i = 0; i < n; i++) {
        uint32_t len;
        memcpy(&len, k, sizeof len);
        k += sizeof len;
        if (len != v[i].u.s.n || (len && memcmp(k, v[i].u.s.p, len) != 0)) return 0;
        k += len;
    }
    return 1;
}

static void memo_reset(lp_memo *m) {
    m->n_runs = m->n_spans = m->key_len = m->text_len = 0;
    if (m->slots) memset(m->slots, 0, LP_MEMO_SLOTS * sizeof *m->slots);
}

/* The first slot to probe for a run's quick key. */
static size_t memo_slot(const lp_parser *p, const char *first, size_t n) {
    uint64_t h = (uint64_t)(uintptr_t)first * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)(uintptr_t)p + n) * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h >> 40) & (LP_MEMO_SLOTS - 1);
}

/* The spans of rows v[0..n) (non-NULL strings) under parser p: found in the
 * memo, or parsed now and remembered. *bad is the failing row on error. */
static int memo_get(lp_tls *t, lp_parser *p, const eddy_value *v, size_t n, arena *mem, const udf_lp_span **out,
                    size_t *bad, eddy_err *err) {
    lp_memo *m = &t->memo;
    if (!m->slots && !(m->slots = calloc(LP_MEMO_SLOTS, sizeof *m->slots))) return lp_nomem(err);
    /* The run with the same parser, first string pointer and row count, if
     * any (only the latest is kept); its bytes decide. */
    size_t slot = memo_slot(p, v[0].u.s.p, n);
    for (; m->slots[slot]; slot = (slot + 1) & (LP_MEMO_SLOTS - 1)) {
        const lp_run *run = &m->runs[m->slots[slot] - 1];
        if (run->p == p && run->gen == p->gen && run->n_rows == n && run->first == v[0].u.s.p) {
            if (run_matches(m, run, v, n)) {
                *out = m->spans + run->span_off;
                return 0;
            }
            break; /* same place, other text: replace it */
        }
    }
    size_t nf = p->n_fields, key_len = 0;
    for (size_t i = 0; i < n; i++) key_len += sizeof(uint32_t) + v[i].u.s.n;
    if (m->n_spans + n * nf > LP_MEMO_MAX_SPANS || m->key_len + key_len > LP_MEMO_MAX_BYTES ||
        m->text_len > LP_MEMO_MAX_BYTES || m->n_runs >= LP_MEMO_MAX_RUNS) {
        memo_reset(m);
        slot = memo_slot(p, v[0].u.s.p, n);
    }
    if (udf__lp_grow((void **)&m->runs, &m->cap_runs, m->n_runs + 1, sizeof *m->runs) != 0 ||
        udf__lp_grow((void **)&m->spans, &m->cap_spans, m->n_spans + n * nf, sizeof *m->spans) != 0 ||
        udf__lp_grow((void **)&m->key, &m->key_cap, m->key_len + key_len, 1) != 0)
        return lp_nomem(err);
    size_t text0 = m->text_len;
    udf_lp_span *sp = m->spans + m->n_spans;
    for (size_t i = 0; i < n; i++) {
        int rc = udf__lp_parse_line(p, m, v[i].u.s.p, v[i].u.s.n, sp + i * nf, mem, err);
        if (rc != 0) {
            m->text_len = text0;
            *bad = i;
            return rc;
        }
    }
    char *k = m->key + m->key_len;
    for (size_t i = 0; i < n; i++) {
        uint32_t len = v[i].u.s.n;
        memcpy(k, &len, sizeof len);
        if (len) memcpy(k + sizeof len, v[i].u.s.p, len);
        k += sizeof len + len;
    }
    m->runs[m->n_runs++] = (lp_run){p, p->gen, n, v[0].u.s.p, m->key_len, key_len, m->n_spans};
    m->slots[slot] = (uint32_t)m->n_runs;
    m->key_len += key_len;
    m->n_spans += n * nf;
    *out = sp;
    return 0;
}

/* ---- the evaluators -------------------------------------------------------- */

static int row_has_null(const eddy_value *const *args, int na, size_t i) {
    for (int k = 0; k < na; k++)
        if (args[k][i].is_null) return 1;
    return 0;
}

/* Whether rows i and j have the same constant arguments (1..na-1). */
static int same_args(const eddy_value *const *args, int na, size_t i, size_t j) {
    for (int k = 1; k < na; k++) {
        const eddy_value *a = &args[k][i], *b = &args[k][j];
        if (a->type != b->type) return 0;
        if (eddy_type_is_string(a->type)) {
            if (a->u.s.n != b->u.s.n || (a->u.s.p != b->u.s.p && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) != 0))
                return 0;
        } else if (a->u.i != b->u.i) {
            return 0;
        }
    }
    return 1;
}

static int lp_eval(lp_kind kind, const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,
                   arena *mem, size_t *bad_row, eddy_err *err) {
    int na = call->n_args - 1; /* the user's arguments; the last one is the field index */
    eddy_type_id rt = call->ret_type.id ? call->ret_type.id : EDDY_T_VARCHAR;
    if (na < 1 || na > UDF_MAX_ARGS) {
        *bad_row = 0;
        return eddy_err_set(err, EDDY_E_RUNTIME, "%s is called without its field index", udf__lp_kind_name[kind]);
    }
    const eddy_value *idx = args[na];
    lp_tls *t = NULL;
    lp_parser *p = NULL; /* the parser of row p_row's arguments */
    size_t i = 0, p_row = 0;
    while (i < n) {
        if (row_has_null(args, na, i) || idx[i].is_null) {
            out[i].type = rt;
            out[i].is_null = 1;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && !row_has_null(args, na, j) && !idx[j].is_null && same_args(args, na, i, j)) j++;
        if (!t && !(t = tls_get())) return lp_nomem(err);
        int rc;
        /* Runs split by NULLs usually share their arguments: skip the cache
         * look-up then (no other parser was fetched since, so p is live). */
        if (!p || !same_args(args, na, p_row, i)) {
            if ((rc = parser_get(t, kind, args, na, i, &p, err)) != 0) {
                *bad_row = i;
                return rc;
            }
            p_row = i;
        }
        const udf_lp_span *sp = NULL;
        size_t bad = 0;
        if ((rc = memo_get(t, p, args[0] + i, j - i, mem, &sp, &bad, err)) != 0) {
            *bad_row = i + bad;
            return rc;
        }
        const char *text = t->memo.text;
        uint32_t nf = p->n_fields;
        for (size_t r = 0; r < j - i; r++) {
            eddy_value *o = &out[i + r];
            int64_t k = idx[i + r].u.i;
            o->type = rt;
            if (k < 1 || k > nf) {
                *bad_row = i + r;
                return eddy_err_set(err, EDDY_E_RUNTIME, "%s has no field %lld", udf__lp_kind_name[kind], (long long)k);
            }
            udf_lp_span s = sp[r * nf + (size_t)(k - 1)];
            if (s.len < 0) {
                o->is_null = 1;
                continue;
            }
            o->is_null = 0;
            o->u.s.n = (uint32_t)s.len;
            if (s.off >= 0) {
                o->u.s.p = args[0][i + r].u.s.p + s.off;
            } else if (s.len == 0) {
                o->u.s.p = "";
            } else {
                char *d = arena_alloc(mem, (size_t)s.len);
                if (!d) return lp_nomem(err);
                memcpy(d, text + (-(int64_t)s.off - 1), (size_t)s.len);
                o->u.s.p = d;
            }
        }
        i = j;
    }
    return 0;
}

#define LP_EVAL_FN(fname, kind)                                                                          \
    static int fname(const udf_call *call, size_t n, const eddy_value *const *args, eddy_value *out,     \
                     arena *mem, size_t *bad_row, eddy_err *err) {                                       \
        return lp_eval(kind, call, n, args, out, mem, bad_row, err);                                     \
    }

LP_EVAL_FN(fn_fast_regex_log_parse, LP_FAST_REGEX)
LP_EVAL_FN(fn_regex_log_parse, LP_REGEX)
LP_EVAL_FN(fn_fixed_column_log_parse, LP_FIXED)
LP_EVAL_FN(fn_sys_log_parse, LP_SYSLOG)
LP_EVAL_FN(fn_variable_column_log_parse, LP_VARIABLE)
LP_EVAL_FN(fn_w3c_log_parse, LP_W3C)

int udf__attach_logparse(udf_registry *r, eddy_err *err) {
    udf_scalar_eval_fn cts = NULL;
    for (size_t i = 0; udf_at(r, i); i++)
        if (strcmp(udf_at(r, i)->specific, "CHAR_TO_TIMESTAMP") == 0) cts = udf_at(r, i)->eval;
    if (!cts)
        return eddy_err_set(err, EDDY_E_NOTFOUND,
                            "function CHAR_TO_TIMESTAMP is not attached (the log parsers use its date formats)");
    __atomic_store_n(&udf__lp_char_to_ts, cts, __ATOMIC_RELEASE);
    static const struct {
        const char *specific;
        udf_scalar_eval_fn fn;
    } tab[] = {
        {"FAST_REGEX_LOG_PARSE", fn_fast_regex_log_parse},
        {"FAST_REGEX_LOG_PARSER", fn_fast_regex_log_parse},
        {"REGEX_LOG_PARSE", fn_regex_log_parse},
        {"FIXED_COLUMN_LOG_PARSE", fn_fixed_column_log_parse},
        {"SYS_LOG_PARSE", fn_sys_log_parse},
        {"VARIABLE_COLUMN_LOG_PARSE", fn_variable_column_log_parse},
        {"W3C_LOG_PARSE", fn_w3c_log_parse},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (udf_attach_scalar(r, tab[k].specific, tab[k].fn) != 0)
            return eddy_err_set(err, EDDY_E_NOTFOUND, "function %s is not registered", tab[k].specific);
    return 0;
}
