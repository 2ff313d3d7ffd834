/*
 * decode_json.c — the schema-driven JSON scanner.
 *
 * The columns' JSONPath mappings compile into a trie of object-key and
 * array-index steps. The scanner reads a record once, left to right: inside
 * a mapped object or array it looks each key (index) up among the node's
 * children and descends only into mapped ones; every other value is skipped
 * by a small iterative state machine that still checks the JSON grammar, so
 * a malformed record is rejected rather than half-read. Recursion depth is
 * bounded by the longest mapping (at most RT_JSON_MAX_PATH steps) and the
 * skipper's nesting by RT_JSON_MAX_DEPTH, so no input can exhaust the stack,
 * and every read is bounds-checked against the record's end.
 *
 * Flattening (`$.orders[0:].itemName`, SQL.md §1.2): one array per schema
 * may be read element by element, one row per element. The scan remembers
 * where that array lies and skips it; once the document is read, each
 * element is scanned at the element node into its own row, and the other
 * columns' values are repeated on every row. An empty or absent array gives
 * one row whose element columns are NULL.
 *
 * Called through rt_decode_record (decode.c).
 */
#include "decode_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "decode_json.c's word-at-a-time scanning assumes a little-endian CPU"
#endif

#define RT_JSON_MAX_PATH 64
#define RT_JSON_MAX_DEPTH 512

/* ---------------------------------------------------------------- compile */

typedef struct edge_tmp {
    uint32_t parent;
    rt_jedge e;
} edge_tmp;

typedef struct builder {
    rt_jnode *nodes;
    uint32_t n_nodes, cap_nodes;
    edge_tmp *edges;
    uint32_t n_edges, cap_edges;
    int32_t flat_node;       /* the flattened array's node, or -1 */
} builder;

static int new_node(builder *bd, uint32_t *out) {
    if (bd->n_nodes == bd->cap_nodes) {
        uint32_t cap = bd->cap_nodes ? bd->cap_nodes * 2 : 8;
        rt_jnode *n = realloc(bd->nodes, cap * sizeof *n);
        if (!n) return EDDY_E_NOMEM;
        bd->nodes = n;
        bd->cap_nodes = cap;
    }
    rt_jnode *n = &bd->nodes[bd->n_nodes];
    memset(n, 0, sizeof *n);
    n->first_col = -1;
    *out = bd->n_nodes++;
    return 0;
}

/* Finds or adds the child of `parent` for a key (key != NULL) or an index. */
static int child(builder *bd, uint32_t parent, const char *key, uint32_t klen, uint32_t index, uint32_t *out) {
    for (uint32_t i = 0; i < bd->n_edges; i++) {
        edge_tmp *t = &bd->edges[i];
        if (t->parent != parent || (t->e.key == NULL) != (key == NULL)) continue;
        if (key ? (t->e.key_len == klen && memcmp(t->e.key, key, klen) == 0) : t->e.index == index) {
            *out = t->e.node;
            return 0;
        }
    }
    uint32_t node;
    if (new_node(bd, &node) != 0) return EDDY_E_NOMEM;
    if (bd->n_edges == bd->cap_edges) {
        uint32_t cap = bd->cap_edges ? bd->cap_edges * 2 : 8;
        edge_tmp *e = realloc(bd->edges, cap * sizeof *e);
        if (!e) return EDDY_E_NOMEM;
        bd->edges = e;
        bd->cap_edges = cap;
    }
    edge_tmp *t = &bd->edges[bd->n_edges];
    memset(t, 0, sizeof *t);
    t->parent = parent;
    t->e.node = node;
    t->e.index = index;
    if (key) {
        char *k = malloc(klen + 1);
        if (!k) return EDDY_E_NOMEM;
        memcpy(k, key, klen);
        k[klen] = '\0';
        t->e.key = k;
        t->e.key_len = klen;
        memcpy(&t->e.prefix, k, klen < 8 ? klen : 8);
        t->e.plain = !memchr(k, '\\', klen) && !memchr(k, '"', klen);
        bd->nodes[parent].has_keys = 1;
    } else {
        bd->nodes[parent].has_index = 1;
    }
    bd->n_edges++;
    *out = node;
    return 0;
}

/* Walks one mapping, adding its steps; returns the node the column binds to
 * and sets *elem when the path reads inside a flattened array's elements. */
static int compile_path(builder *bd, const char *path, const char *col, eddy_type_id tid, uint32_t *out,
                        int *elem, eddy_err *err) {
    size_t n = strlen(path), i = 0;
    uint32_t node = 0, steps = 0;
    if (n == 0 || path[0] != '$')
        return eddy_err_set(err, EDDY_E_INVAL, "column %s: mapping \"%s\" must start with $", col, path);
    i = 1;
    *elem = 0;
    while (i < n) {
        if (++steps > RT_JSON_MAX_PATH)
            return eddy_err_set(err, EDDY_E_INVAL, "column %s: mapping \"%s\" is too deep", col, path);
        if (path[i] == '.') {
            size_t s = ++i;
            while (i < n && path[i] != '.' && path[i] != '[') i++;
            if (i == s) return eddy_err_set(err, EDDY_E_INVAL, "column %s: empty key in mapping \"%s\"", col, path);
            if (child(bd, node, path + s, (uint32_t)(i - s), 0, &node) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        } else if (path[i] == '[') {
            size_t s = ++i;
            uint64_t idx = 0;
            while (i < n && path[i] >= '0' && path[i] <= '9' && idx < 100000000) idx = idx * 10 + (uint64_t)(path[i++] - '0');
            if (i == s || i >= n)
                return eddy_err_set(err, EDDY_E_INVAL, "column %s: malformed index in mapping \"%s\"", col, path);
            if (path[i] == ':') {
                /* "[0:]" takes the whole array as text; anything after it flattens. */
                if (idx != 0 || i + 1 >= n || path[i + 1] != ']')
                    return eddy_err_set(err, EDDY_E_INVAL, "column %s: only [0:] slices are allowed in \"%s\"", col,
                                        path);
                if (i + 2 == n) {
                    if (tid != EDDY_T_CHAR && tid != EDDY_T_VARCHAR)
                        return eddy_err_set(err, EDDY_E_INVAL,
                                            "column %s: mapping \"%s\" needs a CHAR or VARCHAR column", col, path);
                    break;
                }
                if (*elem || (bd->flat_node >= 0 && bd->flat_node != (int32_t)node))
                    return eddy_err_set(err, EDDY_E_INVAL,
                                        "column %s: mapping \"%s\" flattens a second array; only one array may be "
                                        "flattened per schema",
                                        col, path);
                if (bd->flat_node < 0) {
                    uint32_t e;
                    if (new_node(bd, &e) != 0) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
                    bd->nodes[node].flatten = 1;
                    bd->nodes[node].elem = e;
                    bd->flat_node = (int32_t)node;
                }
                node = bd->nodes[node].elem;
                *elem = 1;
                i += 2;
                continue;
            }
            if (path[i] != ']')
                return eddy_err_set(err, EDDY_E_INVAL, "column %s: malformed index in mapping \"%s\"", col, path);
            i++;
            if (child(bd, node, NULL, 0, (uint32_t)idx, &node) != 0)
                return eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        } else {
            return eddy_err_set(err, EDDY_E_INVAL, "column %s: unexpected '%c' in mapping \"%s\"", col, path[i], path);
        }
    }
    *out = node;
    return 0;
}

static int cmp_edge(const void *a, const void *b) {
    const edge_tmp *x = a, *y = b;
    if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
    return x->e.node < y->e.node ? -1 : x->e.node > y->e.node;
}

int rt__json_compile(rt_decoder *d, eddy_err *err) {
    builder bd = {.flat_node = -1};
    uint32_t root;
    int rc = 0;
    rt_jedge *edges = NULL;
    int32_t *col_next = malloc((d->n_cols ? d->n_cols : 1) * sizeof *col_next);
    uint8_t *elem_col = calloc(d->n_cols ? d->n_cols : 1, 1);
    if (!col_next || !elem_col || new_node(&bd, &root) != 0) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    for (uint32_t c = 0; c < d->n_cols; c++) {
        col_next[c] = -1;
        char dflt[300];
        const char *path = d->mappings[c];
        if (!path) {
            snprintf(dflt, sizeof dflt, "$.%s", d->names[c]);
            path = dflt;
        }
        uint32_t node = 0;
        int elem = 0;
        /* Unneeded columns are still compiled, so a bad mapping is reported
         * the same either way, but into a throwaway trie; except one that
         * flattens an array, which still makes a row of every element. */
        if (d->needed && !d->needed[c] && !strstr(path, "[0:].") && !strstr(path, "[0:][")) {
            builder tmp = {.flat_node = -1};
            uint32_t r0;
            rc = new_node(&tmp, &r0) != 0 ? eddy_err_set(err, EDDY_E_NOMEM, "out of memory")
                                          : compile_path(&tmp, path, d->names[c], d->types[c].id, &node, &elem, err);
            for (uint32_t i = 0; i < tmp.n_edges; i++) free((char *)tmp.edges[i].e.key);
            free(tmp.edges);
            free(tmp.nodes);
            if (rc) goto out;
            continue;
        }
        if ((rc = compile_path(&bd, path, d->names[c], d->types[c].id, &node, &elem, err)) != 0) goto out;
        elem_col[c] = (uint8_t)elem;
        if (d->needed && !d->needed[c]) continue;
        /* Append the column at the tail of the node's list, keeping schema order. */
        if (bd.nodes[node].first_col < 0) {
            bd.nodes[node].first_col = (int32_t)c;
        } else {
            int32_t k = bd.nodes[node].first_col;
            while (col_next[k] >= 0) k = col_next[k];
            col_next[k] = (int32_t)c;
        }
    }
    if (bd.n_edges) qsort(bd.edges, bd.n_edges, sizeof *bd.edges, cmp_edge);
    edges = malloc((bd.n_edges ? bd.n_edges : 1) * sizeof *edges);
    if (!edges) {
        rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < bd.n_edges; i++) {
        rt_jnode *p = &bd.nodes[bd.edges[i].parent];
        if (p->n_children == 0) p->first_child = i;
        p->n_children++;
        edges[i] = bd.edges[i].e;
        bd.edges[i].e.key = NULL;  /* ownership moved to edges */
    }
    for (uint32_t i = 0; i < d->n_edges; i++) free((char *)d->edges[i].key);
    free(d->edges);
    free(d->nodes);
    free(d->col_next);
    free(d->elem_col);
    d->edges = edges;
    d->n_edges = bd.n_edges;
    d->nodes = bd.nodes;
    d->n_nodes = bd.n_nodes;
    d->col_next = col_next;
    d->elem_col = elem_col;
    d->flat_node = bd.flat_node;
    bd.nodes = NULL;
    col_next = NULL;
    elem_col = NULL;
out:
    for (uint32_t i = 0; i < bd.n_edges; i++) free((char *)bd.edges[i].e.key);
    free(bd.edges);
    free(bd.nodes);
    free(col_next);
    free(elem_col);
    return rc;
}

/* ---------------------------------------------------------------- scan */

typedef struct jscan {
    const char *p, *end;
    const char *base;        /* start of the record, for error offsets */
    rt_decoder *d;
    rt_batch *b;
    uint32_t row;
    eddy_err *err;
    const char *err_name;
    const char *flat_lo;     /* the flattened array of this document, or NULL */
} jscan;

static int perr(jscan *s, const char *what) {
    s->err_name = RT_ERR_NAME_PARSE;
    return eddy_err_set(s->err, EDDY_E_RUNTIME, "malformed JSON: %s at byte %zu", what, (size_t)(s->p - s->base));
}

static void ws_slow(jscan *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

/* Skips blanks. Producers rarely write any, so one compare settles the
 * usual case: every JSON blank is at most ' '. */
static inline void ws(jscan *s) {
    if (s->p < s->end && (unsigned char)*s->p <= ' ') ws_slow(s);
}

/* Nonzero bytes of a word mark where it holds byte `c` (SWAR; exact
 * because of the 0x7F masking, so no false positives). */
static inline uint64_t swar_eq(uint64_t w, uint64_t c) {
    uint64_t x = w ^ (c * 0x0101010101010101ULL);
    uint64_t t = (x & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL;
    return ~(t | x | 0x7F7F7F7F7F7F7F7FULL);
}

/* string_end's loop, from p (inside the string, before any backslash).
 * Looks at sixteen or eight bytes at a time for a quote or a backslash. */
static const char *string_end_loop(const char *p, const char *end, int *esc) {
    *esc = 0;
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            unsigned hit = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
            if (hit) {
                p += __builtin_ctz(hit);
                goto found;
            }
            p += 16;
        }
#endif
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            uint64_t hit = swar_eq(w, '"') | swar_eq(w, '\\');
            if (hit) {
                p += __builtin_ctzll(hit) >> 3;
                break;
            }
            p += 8;
        }
        while (p < end && *p != '"' && *p != '\\') p++;
#ifdef __SSE2__
    found:
#endif
        if (p >= end) return NULL;
        if (*p == '"') return p + 1;
        *esc = 1;
        p += 2;  /* a backslash escapes the next byte, whatever it is */
        if (p > end) return NULL;
    }
}

/* Where the string whose opening quote is at q ends: the byte after its
 * closing quote, or NULL when it is unterminated; sets *esc when it holds
 * a backslash. Most strings end within sixteen bytes without a backslash:
 * one compare settles those. The scanner's hot paths keep their cursor in
 * a local and call this, rather than moving s->p, which the compiler must
 * store and reload around every call. */
static inline const char *string_end(const char *q, const char *end, int *esc) {
    const char *p = q + 1;
#ifdef __SSE2__
    if (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned qm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
        unsigned b = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        unsigned first_q = qm & (0u - qm);
        if (first_q && ((first_q - 1) & b) == 0) {
            *esc = 0;
            return p + __builtin_ctz(qm) + 1;
        }
        if (!(qm | b)) p += 16;
    }
#endif
    return string_end_loop(p, end, esc);
}

/* Skips a string whose opening quote is at s->p; leaves s->p after the
 * closing quote and sets *esc when it holds a backslash. Returns 0, or -1
 * (s->p unchanged) when the string is unterminated. */
static inline int skip_string_esc(jscan *s, int *esc) {
    const char *e = string_end(s->p, s->end, esc);
    if (!e) return -1;
    s->p = e;
    return 0;
}


/* The bytes a number token runs over ([0-9+-.eE]); scalar_end takes the
 * longest run of them and leaves the grammar to the coercion. */
static const uint8_t num_char_tab[256] = {
    ['+'] = 1, ['-'] = 1, ['.'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['E'] = 1, ['e'] = 1,
};

static inline int is_num_char(char c) { return num_char_tab[(unsigned char)c]; }

/* How many of a word's bytes, from the first, are ASCII digits (0..8). A
 * carry out of a non-digit byte can only spoil the bytes after it. */
static inline unsigned lead_digits8(uint64_t w) {
    uint64_t hi = (w & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL;
    uint64_t lo = ((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL;
    uint64_t x = hi | lo;
    uint64_t t = (((x & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | x) & 0x8080808080808080ULL;
    return t ? (unsigned)__builtin_ctzll(t) >> 3 : 8;
}

/* The value of the first k (1..8) bytes of w, all ASCII digits. */
static inline uint64_t digits_value8(uint64_t w, unsigned k) {
    uint64_t v = (w - 0x3030303030303030ULL) << (8 * (8 - k));  /* k digits, leading zero bytes */
    v = (v * 10) + (v >> 8);
    v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
         (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
    return v;
}

/* Reads the number token at p (a '-' or a digit): the same run of number
 * characters scalar_end takes; returns where it ends. *v gets its value
 * and *is_int 1 when it is "-"? and one to seven digits, the plain
 * integers rt__coerce_int takes, else *is_int is 0 (the caller then
 * coerces the text). */
static inline const char *number_end(const char *p, const char *end, int64_t *v, int *is_int) {
    const char *q = p + (*p == '-');
    *is_int = 0;
    if (end - q >= 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        unsigned k = lead_digits8(w);
        if (k > 0 && k < 8 && !is_num_char(q[k])) {
            uint64_t x = digits_value8(w, k);
            *v = q != p ? -(int64_t)x : (int64_t)x;
            *is_int = 1;
            return q + k;
        }
        p = q + k;
    }
    while (p < end && is_num_char(*p)) p++;
    return p;
}

/* number_end at s->p, moving s->p; returns *is_int. */
static inline int scan_number(jscan *s, int64_t *v) {
    int is_int;
    s->p = number_end(s->p, s->end, v, &is_int);
    return is_int;
}

/* Where the scalar at p (a string, number or literal) ends, or NULL when
 * there is none there: one place for the skippers and scan_value. */
static inline const char *scalar_end(const char *p, const char *end) {
    char c = *p;
    if (c == '"') {
        int esc;
        return string_end(p, end, &esc);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        int64_t v;
        int is_int;
        return number_end(p, end, &v, &is_int);
    }
    if (c == 't' || c == 'n') return end - p >= 4 && memcmp(p, c == 't' ? "true" : "null", 4) == 0 ? p + 4 : NULL;
    if (c == 'f') return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    return NULL;
}

#define IS_BLANK(c) ((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')
/* ws() on a local cursor. */
#define SKIP_WS(p, end)                                              \
    do {                                                             \
        while ((p) < (end) && (unsigned char)*(p) <= ' ' && IS_BLANK(*(p))) (p)++; \
    } while (0)

/* Skips one value, checking the grammar, without recursion; on a local
 * cursor, written back to s->p at the end and before any error (whose
 * message gives the offset). */
static int skip_value(jscan *s) {
    const char *p = s->p, *end = s->end;
    char stack[RT_JSON_MAX_DEPTH];
    int top = 0;
    const char *why;
value:
    SKIP_WS(p, end);
    if (p >= end) {
        why = "unexpected end";
        goto fail;
    }
    {
        char c = *p;
        if (c == '{' || c == '[') {
            char close = c == '{' ? '}' : ']';
            p++;
            SKIP_WS(p, end);
            if (p < end && *p == close) {
                p++;
                goto after;
            }
            if (top == RT_JSON_MAX_DEPTH) {
                why = "nesting too deep";
                goto fail;
            }
            stack[top++] = close;
            if (close == ']') goto value;
            goto key;
        }
        const char *e = scalar_end(p, end);
        if (!e) {
            why = "invalid value";
            goto fail;
        }
        p = e;
        goto after;
    }
key:
    SKIP_WS(p, end);
    if (p >= end || *p != '"') {
        why = "expected a key";
        goto fail;
    }
    {
        int esc;
        const char *e = string_end(p, end, &esc);
        if (!e) {
            why = "unterminated string";
            goto fail;
        }
        p = e;
    }
    SKIP_WS(p, end);
    if (p >= end || *p != ':') {
        why = "expected ':'";
        goto fail;
    }
    p++;
    goto value;
after:
    if (top == 0) {
        s->p = p;
        return 0;
    }
    SKIP_WS(p, end);
    if (p >= end) {
        why = "unexpected end";
        goto fail;
    }
    if (*p == ',') {
        p++;
        if (stack[top - 1] == '}') goto key;
        goto value;
    }
    if (*p == stack[top - 1]) {
        p++;
        top--;
        goto after;
    }
    why = "expected ',' or a closing bracket";
fail:
    s->p = p;
    return perr(s, why);
}

static int hex4(const char *p, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(sbuf *o, uint32_t cp) {
    char b[4];
    if (cp < 0x80) {
        sbuf_putc(o, (char)cp);
        return;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        sbuf_append(o, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        sbuf_append(o, b, 3);
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        sbuf_append(o, b, 4);
    }
}

/* Decodes the escapes of string body [p, e) into d->scratch. */
static int unescape(jscan *s, const char *p, const char *e) {
    sbuf *o = &s->d->scratch;
    sbuf_clear(o);
    while (p < e) {
        const char *bs = memchr(p, '\\', (size_t)(e - p));
        if (!bs) {
            sbuf_append(o, p, (size_t)(e - p));
            break;
        }
        sbuf_append(o, p, (size_t)(bs - p));
        if (bs + 1 >= e) return -1;
        char c = bs[1];
        p = bs + 2;
        switch (c) {
        case '"': sbuf_putc(o, '"'); break;
        case '\\': sbuf_putc(o, '\\'); break;
        case '/': sbuf_putc(o, '/'); break;
        case 'b': sbuf_putc(o, '\b'); break;
        case 'f': sbuf_putc(o, '\f'); break;
        case 'n': sbuf_putc(o, '\n'); break;
        case 'r': sbuf_putc(o, '\r'); break;
        case 't': sbuf_putc(o, '\t'); break;
        case 'u': {
            uint32_t cp, lo;
            if (e - p < 4 || hex4(p, &cp) != 0) return -1;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) == 0 &&
                lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;  /* a lone surrogate cannot be UTF-8 */
            }
            put_utf8(o, cp);
            break;
        }
        default: return -1;
        }
    }
    return o->failed ? -2 : 0;
}

/* Reads a string at s->p; returns its (unescaped) bytes in *str and *len. */
static int read_string(jscan *s, const char **str, size_t *len) {
    const char *start = s->p + 1;
    int esc;
    if (skip_string_esc(s, &esc) != 0) return perr(s, "unterminated string");
    const char *end = s->p - 1;
    if (!esc) {
        *str = start;
        *len = (size_t)(end - start);
        return 0;
    }
    int rc = unescape(s, start, end);
    if (rc == -2) return eddy_err_set(s->err, EDDY_E_NOMEM, "out of memory");
    if (rc != 0) return perr(s, "invalid escape in string");
    *str = s->d->scratch.data;
    *len = s->d->scratch.len;
    return 0;
}

static int scan_value(jscan *s, uint32_t node);

/* Finds the child edge for key k. `end` bounds the buffer k points into,
 * so the first word can be loaded whole when eight bytes are there. */
static const rt_jedge *find_key(const rt_decoder *d, const rt_jnode *n, const char *k, size_t klen,
                                const char *end) {
    uint64_t w = 0;
    size_t head = klen < 8 ? klen : 8;
    if (end - k >= 8) {
        memcpy(&w, k, 8);
        if (head < 8) w &= ((uint64_t)1 << (head * 8)) - 1;
    } else {
        memcpy(&w, k, head);
    }
    const rt_jedge *e = &d->edges[n->first_child];
    for (uint32_t i = 0; i < n->n_children; i++, e++)
        if (e->key && e->key_len == klen && e->prefix == w &&
            (klen <= 8 || memcmp(e->key + 8, k + 8, klen - 8) == 0))
            return e;
    return NULL;
}

static const rt_jedge *find_index(const rt_decoder *d, const rt_jnode *n, uint32_t idx) {
    const rt_jedge *e = &d->edges[n->first_child];
    for (uint32_t i = 0; i < n->n_children; i++, e++)
        if (!e->key && e->index == idx) return e;
    return NULL;
}

/* Whether the key_len bytes at k (known to be in bounds) are edge e's key;
 * short keys, the usual case, are one masked word compare. */
static inline int key_matches(const rt_jedge *e, const char *k, const char *end) {
    if (e->key_len <= 8 && end - k >= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        if (e->key_len < 8) w &= ((uint64_t)1 << (e->key_len * 8)) - 1;
        return w == e->prefix;
    }
    return memcmp(k, e->key, e->key_len) == 0;
}

/* Skips the value of an unmapped key or index: skip_value, with the usual
 * leaves (strings and numbers) taken first. */
static inline int skip_member(jscan *s) {
    const char *p = s->p, *end = s->end;
    SKIP_WS(p, end);
    s->p = p;
    if (p < end && *p != '{' && *p != '[') {
        const char *e = scalar_end(p, end);
        if (!e) return perr(s, "invalid value");
        s->p = e;
        return 0;
    }
    return skip_value(s);
}

/* Walks a mapped object or array, descending into mapped children only.
 * The cursor is local between the calls that move s->p (see string_end). */
static int scan_container(jscan *s, const rt_jnode *n) {
    const char *p = s->p, *end = s->end;
    int is_obj = *p == '{';
    char close = is_obj ? '}' : ']';
    const char *why;
    p++;
    SKIP_WS(p, end);
    if (p < end && *p == close) {
        s->p = p + 1;
        return 0;
    }
    /* Producers mostly write keys in one order; guess that the next key is
     * the child after the last one matched, and check the guess against the
     * raw bytes before scanning the string at all. */
    uint32_t hint = 0;
    const rt_jedge *first = &s->d->edges[n->first_child];
    for (uint32_t idx = 0;; idx++) {
        const rt_jedge *e = NULL;
        SKIP_WS(p, end);
        if (is_obj) {
            if (p >= end || *p != '"') {
                why = "expected a key";
                goto fail;
            }
            if (hint < n->n_children) {
                const rt_jedge *h = first + hint;
                if (h->plain && (size_t)(end - p) > (size_t)h->key_len + 1 && p[1 + h->key_len] == '"' &&
                    key_matches(h, p + 1, end)) {
                    e = h;
                    p += h->key_len + 2;
                }
            }
            if (!e) {
                int esc;
                const char *ke = string_end(p, end, &esc);
                if (!ke) {
                    s->p = p;
                    return perr(s, "unterminated string");
                }
                if (esc) {
                    const char *k;
                    size_t klen;
                    s->p = p;
                    int rc = read_string(s, &k, &klen);
                    if (rc) return rc;
                    if (n->has_keys) e = find_key(s->d, n, k, klen, k + klen);
                } else if (n->has_keys) {
                    e = find_key(s->d, n, p + 1, (size_t)(ke - p - 2), end);
                }
                p = ke;
            }
            if (e) hint = (uint32_t)(e - first) + 1;
            SKIP_WS(p, end);
            if (p >= end || *p != ':') {
                why = "expected ':'";
                goto fail;
            }
            p++;
        } else if (n->has_index) {
            e = find_index(s->d, n, idx);
        }
        s->p = p;
        int rc = e ? scan_value(s, e->node) : skip_member(s);
        if (rc) return rc;
        p = s->p;
        SKIP_WS(p, end);
        if (p >= end) {
            why = "unexpected end";
            goto fail;
        }
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == close) {
            s->p = p + 1;
            return 0;
        }
        why = "expected ',' or a closing bracket";
        goto fail;
    }
fail:
    s->p = p;
    return perr(s, why);
}

/* Reads one value at a trie node: binds it to the node's columns and walks
 * into it when the node has children. */
static int scan_value(jscan *s, uint32_t node) {
    const rt_jnode *n = &s->d->nodes[node];
    ws(s);
    if (s->p >= s->end) return perr(s, "unexpected end");
    const char *start = s->p;
    char c = *s->p;
    int rc;
    if (c == '{' || c == '[') {
        if (n->n_children && ((c == '{' && n->has_keys) || (c == '[' && n->has_index)))
            rc = scan_container(s, n);
        else
            rc = skip_value(s);
        if (rc) return rc;
        if (n->flatten && c == '[') s->flat_lo = start;  /* its elements are read after the document */
        for (int32_t k = n->first_col; k >= 0; k = s->d->col_next[k])
            if ((rc = rt__coerce_composite(s->d, s->b, (uint32_t)k, s->row, start, (size_t)(s->p - start), s->err)))
                return rc;
        return 0;
    }
    if (c == '"') {
        const char *str;
        size_t len;
        if ((rc = read_string(s, &str, &len))) return rc;
        for (int32_t k = n->first_col; k >= 0; k = s->d->col_next[k])
            if ((rc = rt__coerce_string(s->d, s->b, (uint32_t)k, s->row, str, len, s->err))) return rc;
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        int64_t v;
        size_t len;
        if (scan_number(s, &v)) {
            len = (size_t)(s->p - start);
            for (int32_t k = n->first_col; k >= 0; k = s->d->col_next[k])
                if ((rc = rt__coerce_int(s->d, s->b, (uint32_t)k, s->row, v, start, len, s->err))) return rc;
            return 0;
        }
        len = (size_t)(s->p - start);
        for (int32_t k = n->first_col; k >= 0; k = s->d->col_next[k])
            if ((rc = rt__coerce_number(s->d, s->b, (uint32_t)k, s->row, start, len, s->err))) return rc;
        return 0;
    }
    const char *e = scalar_end(s->p, s->end);
    if (!e) return perr(s, "invalid value");
    s->p = e;
    if (c == 'n') return 0;  /* null: the columns stay NULL */
    for (int32_t k = n->first_col; k >= 0; k = s->d->col_next[k]) {
        if (c == 't' || c == 'f') rc = rt__coerce_bool(s->d, s->b, (uint32_t)k, s->row, c == 't', s->err);
        else rc = rt__coerce_number(s->d, s->b, (uint32_t)k, s->row, start, (size_t)(s->p - start), s->err);
        if (rc) return rc;
    }
    return 0;
}

/* Repeats the base row's values of the columns not read from elements on
 * row r (string views are shared: their bytes outlive the batch row). */
static void copy_record_cols(const rt_decoder *d, rt_batch *b, uint32_t base, uint32_t r) {
    for (uint32_t c = 0; c < d->n_cols; c++) {
        rt_column *col = &b->cols[c];
        if (d->elem_col[c] || rt_col_is_null(col, base)) continue;
        switch (col->phys) {
        case RT_PHYS_I64: col->v.i64[r] = col->v.i64[base]; break;
        case RT_PHYS_F64: col->v.f64[r] = col->v.f64[base]; break;
        case RT_PHYS_STR: col->v.str[r] = col->v.str[base]; break;
        }
        rt_col_set_valid(col, r);
    }
}

/* Reads the elements of the flattened array at s->flat_lo (its grammar was
 * checked when it was skipped) into rows: the first into the document's
 * row, each further one into a new row repeating the document's other
 * columns. */
static int scan_elements(jscan *s, uint32_t base, int64_t rowtime) {
    const rt_jnode *f = &s->d->nodes[s->d->flat_node];
    const char *resume = s->p;
    s->p = s->flat_lo + 1;
    ws(s);
    for (uint32_t k = 0; s->p < s->end && *s->p != ']'; k++) {
        if (k > 0) {
            if (rt_batch_room(s->b) == 0)
                return eddy_err_set(s->err, EDDY_E_LIMIT, "the record's array has more elements than a batch holds");
            s->row = rt_batch_begin_row(s->b, rowtime);
            copy_record_cols(s->d, s->b, base, s->row);
        }
        int rc = scan_value(s, f->elem);
        if (rc) return rc;
        if (k > 0) rt_batch_commit_row(s->b);
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            ws(s);
        }
    }
    s->p = resume;
    return 0;
}

int rt__json_decode(rt_decoder *d, const char *data, size_t n, int64_t rowtime, rt_batch *out,
                    const char **err_name, eddy_err *err) {
    jscan s = {.p = data, .end = data + n, .base = data, .d = d, .b = out, .err = err};
    for (;;) {
        ws(&s);
        if (s.p >= s.end) return 0;
        if (rt_batch_room(out) == 0) return eddy_err_set(err, EDDY_E_LIMIT, "batch is full");
        s.row = rt_batch_begin_row(out, rowtime);
        s.flat_lo = NULL;
        uint32_t base = s.row;
        int rc = scan_value(&s, 0);
        if (rc == 0) {
            rt_batch_commit_row(out);
            if (s.flat_lo) rc = scan_elements(&s, base, rowtime);
        }
        if (rc) {
            *err_name = s.err_name ? s.err_name : RT_ERR_NAME_COERCION;
            return rc;
        }
    }
}
