/*
 * ast.c — constructors of the SQL syntax tree (ast.h), called one per grammar
 * action by grammar.y, plus structural equality used by the round-trip tests.
 *
 * All nodes come from the caller's arena. Constructors tolerate NULL children
 * because an allocation failure earlier in the same statement leaves NULLs
 * behind; the driver notices the arena's sticky flag and reports EDDY_E_NOMEM.
 */
#include "ast.h"

#include <ctype.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Heights: every constructor records 1 + the height of its highest child. */

static uint32_t h_expr(const ast_expr *e) { return e ? e->height : 0; }
static uint32_t h_query(const ast_query *q) { return q ? q->height : 0; }
static uint32_t h_from(const ast_from *f) { return f ? f->height : 0; }
static uint32_t hmax(uint32_t x, uint32_t y) { return x > y ? x : y; }

static uint32_t h_exprs(ast_expr *const *v, uint32_t n) {
    uint32_t h = 0;
    for (uint32_t i = 0; i < n; i++) h = hmax(h, h_expr(v[i]));
    return h;
}

static uint32_t h_window(const ast_window *w) {
    if (!w) return 0;
    uint32_t h = h_exprs(w->partition, w->n_partition);
    for (uint32_t i = 0; i < w->n_order; i++)
        if (w->order[i]) h = hmax(h, h_expr(w->order[i]->expr));
    h = hmax(h, h_expr(w->start.offset));
    h = hmax(h, h_expr(w->end.offset));
    return h;
}

/* ---------------------------------------------------------------------- */
/* Lists and names                                                        */

ast_list *ast_list_add(arena *a, ast_list *l, void *item) {
    if (!l) {
        l = arena_calloc(a, sizeof *l);
        if (!l) return NULL;
    }
    if (l->n == l->cap) {
        /* Arena memory cannot grow in place: copy into a doubled array. The
         * old array is garbage until the arena is freed, which is fine for
         * the short lists of SQL text. */
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        void **v = arena_alloc(a, cap * sizeof *v);
        if (!v) return l;
        if (l->n) memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = item;
    return l;
}

#define LIST_N(l) ((l) ? (l)->n : 0u)
#define LIST_V(T, l) ((l) ? (T)(void *)(l)->v : NULL)

ast_name ast_name_make(arena *a, const char *s, uint32_t off, uint32_t len, int quoted) {
    ast_name n;
    n.off = off;
    n.len = len;
    n.quoted = (uint8_t)(quoted != 0);
    char *c = arena_strdup(a, s);
    if (c && !quoted)
        for (char *p = c; *p; p++) *p = (char)toupper((unsigned char)*p);
    n.s = c;
    return n;
}

ast_name ast_name_from_text(arena *a, const char *text, uint32_t off, uint32_t len) {
    ast_name n;
    n.off = off;
    n.len = len;
    n.quoted = 0;
    n.s = NULL;
    const char *t = text + off;
    if (len >= 2 && t[0] == '"') {
        char *c = arena_alloc(a, len);
        if (!c) return n;
        uint32_t k = 0;
        for (uint32_t i = 1; i + 1 < len; i++) {
            c[k++] = t[i];
            if (t[i] == '"') i++; /* "" stands for one quote */
        }
        c[k] = '\0';
        n.s = c;
        n.quoted = 1;
        return n;
    }
    char *c = arena_strndup(a, t, len);
    if (!c) return n;
    for (char *p = c; *p; p++) *p = (char)toupper((unsigned char)*p);
    n.s = c;
    return n;
}

/* ---------------------------------------------------------------------- */
/* Expressions                                                            */

ast_expr *ast_expr_new(arena *a, ast_expr_kind kind, sql_span sp) {
    ast_expr *e = arena_calloc(a, sizeof *e);
    if (!e) return NULL;
    e->kind = kind;
    e->off = sp.off;
    e->len = sp.len;
    e->height = 1;
    return e;
}

ast_expr *ast_literal(arena *a, sql_span sp, ast_lit_kind kind, const char *text, uint32_t n) {
    ast_expr *e = ast_expr_new(a, AST_E_LITERAL, sp);
    if (!e) return NULL;
    e->u.lit.kind = kind;
    e->u.lit.text = arena_strndup(a, text ? text : "", text ? n : 0);
    e->u.lit.text_len = text ? n : 0;
    return e;
}

ast_expr *ast_interval_lit(arena *a, sql_span sp, char sign, const char *text, uint32_t n,
                           ast_interval_qual iq) {
    ast_expr *e = ast_literal(a, sp, AST_LIT_INTERVAL, text, n);
    if (!e) return NULL;
    e->u.lit.sign = sign;
    e->u.lit.iq = iq;
    return e;
}

/* Lists of names hold ast_name pointers; nodes keep arrays of names. */
static ast_name *names_array(arena *a, ast_list *l, uint32_t *n_out) {
    *n_out = 0;
    uint32_t n = LIST_N(l);
    if (!n) return NULL;
    ast_name *v = arena_alloc(a, n * sizeof *v);
    if (!v) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (l->v[i]) {
            v[i] = *(ast_name *)l->v[i];
        } else {
            memset(&v[i], 0, sizeof v[i]);
        }
    }
    *n_out = n;
    return v;
}

static ast_expr *names_expr(arena *a, ast_expr_kind kind, sql_span sp, ast_list *parts) {
    ast_expr *e = ast_expr_new(a, kind, sp);
    if (!e) return NULL;
    e->u.col.parts = names_array(a, parts, &e->u.col.n_parts);
    return e;
}

ast_expr *ast_column(arena *a, sql_span sp, ast_list *parts) {
    return names_expr(a, AST_E_COLUMN, sp, parts);
}

ast_expr *ast_star(arena *a, sql_span sp, ast_list *qualifier) {
    return names_expr(a, AST_E_STAR, sp, qualifier);
}

ast_expr *ast_unary(arena *a, sql_span sp, ast_op op, ast_expr *arg) {
    ast_expr *e = ast_expr_new(a, AST_E_UNARY, sp);
    if (!e) return NULL;
    e->u.unary.op = op;
    e->u.unary.arg = arg;
    e->height = 1 + h_expr(arg);
    return e;
}

ast_expr *ast_binary(arena *a, ast_op op, ast_expr *l, ast_expr *r) {
    sql_span sp = {0, 0};
    if (l && r) sp = sql_span_join((sql_span){l->off, l->len}, (sql_span){r->off, r->len});
    ast_expr *e = ast_expr_new(a, AST_E_BINARY, sp);
    if (!e) return NULL;
    e->u.binary.op = op;
    e->u.binary.left = l;
    e->u.binary.right = r;
    e->height = 1 + hmax(h_expr(l), h_expr(r));
    return e;
}

ast_expr *ast_is(arena *a, sql_span sp, ast_expr *arg, ast_is_what what, int negated) {
    ast_expr *e = ast_expr_new(a, AST_E_IS, sp);
    if (!e) return NULL;
    e->u.is.arg = arg;
    e->u.is.what = what;
    e->u.is.negated = (uint8_t)(negated != 0);
    e->height = 1 + h_expr(arg);
    return e;
}

ast_expr *ast_between(arena *a, sql_span sp, ast_expr *arg, ast_expr *lo, ast_expr *hi,
                      int negated, int symmetric) {
    ast_expr *e = ast_expr_new(a, AST_E_BETWEEN, sp);
    if (!e) return NULL;
    e->u.between.arg = arg;
    e->u.between.lo = lo;
    e->u.between.hi = hi;
    e->u.between.negated = (uint8_t)(negated != 0);
    e->u.between.symmetric = (uint8_t)(symmetric != 0);
    e->height = 1 + hmax(h_expr(arg), hmax(h_expr(lo), h_expr(hi)));
    return e;
}

ast_expr *ast_in_list(arena *a, sql_span sp, ast_expr *arg, ast_list *list, int negated) {
    ast_expr *e = ast_expr_new(a, AST_E_IN_LIST, sp);
    if (!e) return NULL;
    e->u.in.arg = arg;
    e->u.in.list = LIST_V(ast_expr **, list);
    e->u.in.n_list = LIST_N(list);
    e->u.in.negated = (uint8_t)(negated != 0);
    e->height = 1 + hmax(h_expr(arg), h_exprs(e->u.in.list, e->u.in.n_list));
    return e;
}

ast_expr *ast_in_query(arena *a, sql_span sp, ast_expr *arg, ast_query *q, int negated) {
    ast_expr *e = ast_expr_new(a, AST_E_IN_QUERY, sp);
    if (!e) return NULL;
    e->u.in.arg = arg;
    e->u.in.query = q;
    e->u.in.negated = (uint8_t)(negated != 0);
    e->height = 1 + hmax(h_expr(arg), h_query(q));
    return e;
}

ast_expr *ast_like(arena *a, sql_span sp, ast_expr *arg, ast_expr *pattern, ast_expr *escape,
                   int negated, int similar) {
    ast_expr *e = ast_expr_new(a, AST_E_LIKE, sp);
    if (!e) return NULL;
    e->u.like.arg = arg;
    e->u.like.pattern = pattern;
    e->u.like.escape = escape;
    e->u.like.negated = (uint8_t)(negated != 0);
    e->u.like.similar = (uint8_t)(similar != 0);
    e->height = 1 + hmax(h_expr(arg), hmax(h_expr(pattern), h_expr(escape)));
    return e;
}

ast_expr *ast_case_when(arena *a, sql_span sp, ast_expr *when, ast_expr *then) {
    ast_list *l = ast_list_add(a, NULL, when);
    l = l ? ast_list_add(a, l, then) : NULL;
    return ast_row(a, sp, l);
}

ast_expr *ast_case(arena *a, sql_span sp, ast_expr *operand, ast_list *whens, ast_expr *else_) {
    ast_expr *e = ast_expr_new(a, AST_E_CASE, sp);
    if (!e) return NULL;
    uint32_t n = LIST_N(whens);
    e->u.case_.operand = operand;
    e->u.case_.else_ = else_;
    uint32_t h = hmax(h_expr(operand), h_expr(else_));
    if (n) {
        ast_expr **w = arena_alloc(a, n * sizeof *w), **t = arena_alloc(a, n * sizeof *t);
        if (!w || !t) return e;
        for (uint32_t i = 0; i < n; i++) {
            ast_expr *pair = whens->v[i];
            int ok = pair && pair->u.row.n_items == 2;
            w[i] = ok ? pair->u.row.items[0] : NULL;
            t[i] = ok ? pair->u.row.items[1] : NULL;
            h = hmax(h, h_expr(pair));
        }
        e->u.case_.whens = w;
        e->u.case_.thens = t;
        e->u.case_.n_whens = n;
    }
    e->height = 1 + h;
    return e;
}

ast_expr *ast_cast(arena *a, sql_span sp, ast_expr *arg, ast_type_ref type) {
    ast_expr *e = ast_expr_new(a, AST_E_CAST, sp);
    if (!e) return NULL;
    e->u.cast.arg = arg;
    e->u.cast.type = type;
    e->height = 1 + h_expr(arg);
    return e;
}

ast_expr *ast_call(arena *a, sql_span sp, ast_name name, ast_call_form form, ast_list *args) {
    ast_expr *e = ast_expr_new(a, AST_E_CALL, sp);
    if (!e) return NULL;
    e->u.call.name = name;
    e->u.call.form = form;
    e->u.call.args = LIST_V(ast_expr **, args);
    e->u.call.n_args = LIST_N(args);
    e->height = 1 + h_exprs(e->u.call.args, e->u.call.n_args);
    return e;
}

ast_expr *ast_call_set(ast_expr *call, ast_set_quant quant, int star, ast_time_unit unit,
                       ast_trim_spec trim) {
    if (!call) return NULL;
    call->u.call.quant = quant;
    call->u.call.star = (uint8_t)(star != 0);
    call->u.call.unit = unit;
    call->u.call.trim = trim;
    return call;
}

ast_expr *ast_call_window(ast_expr *call, sql_span sp, ast_from_pos from_pos,
                          ast_null_treatment nulls, ast_window *over) {
    if (!call) return NULL;
    call->off = sp.off;
    call->len = sp.len;
    call->u.call.from_pos = from_pos;
    call->u.call.nulls = nulls;
    call->u.call.over = over;
    call->height = hmax(call->height, 1 + h_window(over));
    return call;
}

ast_expr *ast_query_expr(arena *a, sql_span sp, ast_expr_kind kind, ast_query *q) {
    ast_expr *e = ast_expr_new(a, kind, sp);
    if (!e) return NULL;
    e->u.query.query = q;
    e->height = 1 + h_query(q);
    return e;
}

ast_expr *ast_row(arena *a, sql_span sp, ast_list *items) {
    ast_expr *e = ast_expr_new(a, AST_E_ROW, sp);
    if (!e) return NULL;
    e->u.row.items = LIST_V(ast_expr **, items);
    e->u.row.n_items = LIST_N(items);
    e->height = 1 + h_exprs(e->u.row.items, e->u.row.n_items);
    return e;
}

ast_expr *ast_interval_of(arena *a, sql_span sp, ast_expr *arg, ast_interval_qual iq) {
    ast_expr *e = ast_expr_new(a, AST_E_INTERVAL_OF, sp);
    if (!e) return NULL;
    e->u.ivof.arg = arg;
    e->u.ivof.iq = iq;
    e->height = 1 + h_expr(arg);
    return e;
}

/* ---------------------------------------------------------------------- */
/* Windows                                                                */

ast_window *ast_window_new(arena *a, sql_span sp, ast_name ref, ast_list *partition,
                           ast_list *order, ast_frame_unit frame, int between,
                           ast_bound start, ast_bound end) {
    ast_window *w = arena_calloc(a, sizeof *w);
    if (!w) return NULL;
    w->off = sp.off;
    w->len = sp.len;
    w->ref = ref;
    w->partition = LIST_V(ast_expr **, partition);
    w->n_partition = LIST_N(partition);
    w->order = LIST_V(ast_order_item **, order);
    w->n_order = LIST_N(order);
    w->frame = frame;
    w->between = (uint8_t)(between != 0);
    w->start = start;
    w->end = end;
    return w;
}

ast_window *ast_window_ref(arena *a, sql_span sp, ast_name ref) {
    ast_bound none = {AST_BOUND_NONE, NULL};
    ast_window *w = ast_window_new(a, sp, ref, NULL, NULL, AST_FRAME_NONE, 0, none, none);
    if (w) w->name_only = 1;
    return w;
}

ast_order_item *ast_order_item_new(arena *a, sql_span sp, ast_expr *e, int asc, int desc) {
    ast_order_item *o = arena_calloc(a, sizeof *o);
    if (!o) return NULL;
    o->off = sp.off;
    o->len = sp.len;
    o->expr = e;
    o->asc = (uint8_t)(asc != 0);
    o->desc = (uint8_t)(desc != 0);
    return o;
}

ast_named_window *ast_named_window_new(arena *a, sql_span sp, ast_name name, ast_window *w) {
    ast_named_window *n = arena_calloc(a, sizeof *n);
    if (!n) return NULL;
    n->off = sp.off;
    n->len = sp.len;
    n->name = name;
    n->spec = w;
    return n;
}

ast_stagger *ast_stagger_new(arena *a, sql_span sp, ast_list *partition, ast_expr *range) {
    ast_stagger *s = arena_calloc(a, sizeof *s);
    if (!s) return NULL;
    s->off = sp.off;
    s->len = sp.len;
    s->partition = LIST_V(ast_expr **, partition);
    s->n_partition = LIST_N(partition);
    s->range = range;
    return s;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */

ast_select_item *ast_select_item_new(arena *a, sql_span sp, ast_expr *e, ast_name alias) {
    ast_select_item *it = arena_calloc(a, sizeof *it);
    if (!it) return NULL;
    it->off = sp.off;
    it->len = sp.len;
    it->expr = e;
    it->alias = alias;
    return it;
}

static ast_from *from_new(arena *a, ast_from_kind kind, sql_span sp) {
    ast_from *f = arena_calloc(a, sizeof *f);
    if (!f) return NULL;
    f->kind = kind;
    f->off = sp.off;
    f->len = sp.len;
    f->height = 1;
    return f;
}

ast_from *ast_from_named(arena *a, sql_span sp, ast_name name, ast_window *over) {
    ast_from *f = from_new(a, AST_F_NAMED, sp);
    if (!f) return NULL;
    f->u.named.name = name;
    f->over = over;
    f->height = 1 + h_window(over);
    return f;
}

ast_from *ast_from_subquery(arena *a, sql_span sp, ast_query *q) {
    ast_from *f = from_new(a, AST_F_SUBQUERY, sp);
    if (!f) return NULL;
    f->u.query.query = q;
    f->height = 1 + h_query(q);
    return f;
}

ast_from *ast_from_table_func(arena *a, sql_span sp, ast_expr *call) {
    ast_from *f = from_new(a, AST_F_TABLE_FUNC, sp);
    if (!f) return NULL;
    f->u.func.call = call;
    f->height = 1 + h_expr(call);
    return f;
}

ast_from *ast_from_alias(arena *a, ast_from *f, sql_span sp, ast_name alias, ast_list *cols) {
    if (!f) return NULL;
    f->off = sp.off;
    f->len = sp.len;
    f->alias = alias;
    f->col_aliases = names_array(a, cols, &f->n_col_aliases);
    return f;
}

ast_from *ast_from_join(arena *a, sql_span sp, ast_join_kind kind, int outer, int natural,
                        int comma, ast_from *l, ast_from *r, ast_expr *on, ast_list *using_) {
    ast_from *f = from_new(a, AST_F_JOIN, sp);
    if (!f) return NULL;
    f->u.join.kind = kind;
    f->u.join.outer = (uint8_t)(outer != 0);
    f->u.join.natural = (uint8_t)(natural != 0);
    f->u.join.comma = (uint8_t)(comma != 0);
    f->u.join.left = l;
    f->u.join.right = r;
    f->u.join.on = on;
    f->u.join.using_ = names_array(a, using_, &f->u.join.n_using);
    f->height = 1 + hmax(hmax(h_from(l), h_from(r)), h_expr(on));
    return f;
}

ast_select *ast_select_new(arena *a, sql_span sp, int stream, ast_set_quant quant,
                           ast_list *items, ast_from *from, ast_expr *where,
                           ast_list *group_by, ast_stagger *stagger, ast_expr *having,
                           ast_list *windows) {
    ast_select *s = arena_calloc(a, sizeof *s);
    if (!s) return NULL;
    s->off = sp.off;
    s->len = sp.len;
    s->stream = (uint8_t)(stream != 0);
    s->quant = quant;
    s->items = LIST_V(ast_select_item **, items);
    s->n_items = LIST_N(items);
    s->from = from;
    s->where = where;
    s->group_by = LIST_V(ast_expr **, group_by);
    s->n_group_by = LIST_N(group_by);
    s->stagger = stagger;
    s->having = having;
    s->windows = LIST_V(ast_named_window **, windows);
    s->n_windows = LIST_N(windows);
    return s;
}

static uint32_t h_select(const ast_select *s) {
    if (!s) return 0;
    uint32_t h = hmax(h_from(s->from), hmax(h_expr(s->where), h_expr(s->having)));
    for (uint32_t i = 0; i < s->n_items; i++)
        if (s->items[i]) h = hmax(h, h_expr(s->items[i]->expr));
    h = hmax(h, h_exprs(s->group_by, s->n_group_by));
    if (s->stagger)
        h = hmax(h, hmax(h_exprs(s->stagger->partition, s->stagger->n_partition),
                         h_expr(s->stagger->range)));
    for (uint32_t i = 0; i < s->n_windows; i++)
        if (s->windows[i]) h = hmax(h, h_window(s->windows[i]->spec));
    return h;
}

static ast_query *query_new(arena *a, ast_query_kind kind, sql_span sp) {
    ast_query *q = arena_calloc(a, sizeof *q);
    if (!q) return NULL;
    q->kind = kind;
    q->off = sp.off;
    q->len = sp.len;
    q->height = 1;
    return q;
}

ast_query *ast_query_select(arena *a, ast_select *s) {
    sql_span sp = {s ? s->off : 0, s ? s->len : 0};
    ast_query *q = query_new(a, AST_Q_SELECT, sp);
    if (!q) return NULL;
    q->u.select = s;
    q->height = 1 + h_select(s);
    return q;
}

ast_query *ast_query_setop(arena *a, ast_setop_kind op, int all, ast_query *l, ast_query *r) {
    sql_span sp = {0, 0};
    if (l && r) sp = sql_span_join((sql_span){l->off, l->len}, (sql_span){r->off, r->len});
    ast_query *q = query_new(a, AST_Q_SETOP, sp);
    if (!q) return NULL;
    q->u.setop.op = op;
    q->u.setop.all = (uint8_t)(all != 0);
    q->u.setop.left = l;
    q->u.setop.right = r;
    q->height = 1 + hmax(h_query(l), h_query(r));
    return q;
}

ast_query *ast_query_values(arena *a, sql_span sp, ast_list *rows) {
    ast_query *q = query_new(a, AST_Q_VALUES, sp);
    if (!q) return NULL;
    q->u.values.rows = LIST_V(ast_expr **, rows);
    q->u.values.n_rows = LIST_N(rows);
    q->height = 1 + h_exprs(q->u.values.rows, q->u.values.n_rows);
    return q;
}

ast_query *ast_query_finish(ast_query *q, sql_span sp, ast_list *order, ast_expr *within,
                            ast_expr *limit) {
    if (!q) return NULL;
    q->off = sp.off;
    q->len = sp.len;
    q->order_by = LIST_V(ast_order_item **, order);
    q->n_order_by = LIST_N(order);
    q->within = within;
    q->limit = limit;
    uint32_t h = hmax(h_expr(within), h_expr(limit));
    for (uint32_t i = 0; i < q->n_order_by; i++)
        if (q->order_by[i]) h = hmax(h, h_expr(q->order_by[i]->expr));
    q->height = hmax(q->height, 1 + h);
    return q;
}

/* ---------------------------------------------------------------------- */
/* Statements                                                             */

ast_stmt *ast_stmt_new(arena *a, ast_stmt_kind kind, sql_span sp) {
    ast_stmt *s = arena_calloc(a, sizeof *s);
    if (!s) return NULL;
    s->kind = kind;
    s->off = sp.off;
    s->len = sp.len;
    if (kind == AST_S_CREATE_FUNCTION) s->u.create_function.deterministic = -1;
    return s;
}

ast_column_def *ast_column_def_new(arena *a, sql_span sp, ast_name name, ast_type_ref type,
                                   int not_null) {
    ast_column_def *c = arena_calloc(a, sizeof *c);
    if (!c) return NULL;
    c->off = sp.off;
    c->len = sp.len;
    c->name = name;
    c->type = type;
    c->not_null = (uint8_t)(not_null != 0);
    return c;
}

ast_option *ast_option_new(arena *a, sql_span sp, ast_list *parts, int key_is_string,
                           ast_expr *value) {
    ast_option *o = arena_calloc(a, sizeof *o);
    if (!o) return NULL;
    o->off = sp.off;
    o->len = sp.len;
    o->parts = names_array(a, parts, &o->n_parts);
    o->key_is_string = (uint8_t)(key_is_string != 0);
    o->value = value;
    size_t n = 0;
    for (uint32_t i = 0; i < o->n_parts; i++) n += (o->parts[i].s ? strlen(o->parts[i].s) : 0) + 1;
    char *k = arena_alloc(a, n + 1);
    if (!k || !o->n_parts) return o;
    size_t at = 0;
    for (uint32_t i = 0; i < o->n_parts; i++) {
        if (i) k[at++] = '.';
        size_t l = o->parts[i].s ? strlen(o->parts[i].s) : 0;
        memcpy(k + at, o->parts[i].s, l);
        at += l;
    }
    k[at] = '\0';
    o->key = o->parts[0];
    o->key.s = k;
    o->key.len = o->parts[o->n_parts - 1].off + o->parts[o->n_parts - 1].len - o->parts[0].off;
    return o;
}

ast_insert *ast_insert_new(arena *a, sql_span sp, int expedited, ast_name stream,
                           ast_list *columns, ast_query *q) {
    ast_insert *ins = arena_calloc(a, sizeof *ins);
    if (!ins) return NULL;
    ins->off = sp.off;
    ins->len = sp.len;
    ins->expedited = (uint8_t)(expedited != 0);
    ins->stream = stream;
    ins->columns = names_array(a, columns, &ins->n_columns);
    ins->query = q;
    return ins;
}

ast_param *ast_param_new(arena *a, sql_span sp, ast_name name, ast_type_ref type) {
    ast_param *p = arena_calloc(a, sizeof *p);
    if (!p) return NULL;
    p->off = sp.off;
    p->len = sp.len;
    p->name = name;
    p->type = type;
    return p;
}

/* ---------------------------------------------------------------------- */
/* Names of enum values                                                   */

const char *ast_time_unit_name(ast_time_unit u) {
    switch (u) {
    case AST_TU_YEAR: return "YEAR";
    case AST_TU_MONTH: return "MONTH";
    case AST_TU_DAY: return "DAY";
    case AST_TU_HOUR: return "HOUR";
    case AST_TU_MINUTE: return "MINUTE";
    case AST_TU_SECOND: return "SECOND";
    case AST_TU_NONE: break;
    }
    return "";
}

const char *ast_op_name(ast_op op) {
    switch (op) {
    case AST_OP_NEG: return "-";
    case AST_OP_PLUS: return "+";
    case AST_OP_NOT: return "NOT";
    case AST_OP_ADD: return "+";
    case AST_OP_SUB: return "-";
    case AST_OP_MUL: return "*";
    case AST_OP_DIV: return "/";
    case AST_OP_MOD: return "%";
    case AST_OP_CONCAT: return "||";
    case AST_OP_EQ: return "=";
    case AST_OP_NE: return "<>";
    case AST_OP_LT: return "<";
    case AST_OP_LE: return "<=";
    case AST_OP_GT: return ">";
    case AST_OP_GE: return ">=";
    case AST_OP_AND: return "AND";
    case AST_OP_OR: return "OR";
    case AST_OP_IS_DISTINCT: return "IS DISTINCT FROM";
    case AST_OP_IS_NOT_DISTINCT: return "IS NOT DISTINCT FROM";
    }
    return "?";
}
