/*
 * grammar.y — the lemon grammar of eddy's SQL dialect (Kinesis Data Analytics
 * for SQL). lemon turns it into grammar.c / grammar.h in the build tree; edit
 * this file, not the output.
 *
 * Actions are one-line calls to the constructors of ast.c (or to the few
 * small builders in the %include block below). Every node is allocated in
 * the parse arena, so a syntax error or ParseFree() cannot leak a half-built
 * tree: that is why pointer-valued symbols need no %destructor here (lemon
 * would call it only to free memory the arena owns anyway).
 *
 * Keywords: the ones listed in %fallback are non-reserved and also work as
 * identifiers wherever the keyword itself cannot appear. Keywords that may
 * follow a select-list expression or a FROM item (where an alias without AS
 * is allowed) must stay reserved, or lemon's fallback would read them as
 * the alias.
 *
 * Two constructs need more than one token of lookahead and are resolved by
 * the driver (parse_driver.c), which rewrites the token stream:
 *   - `FROM FIRST|LAST` after NTH_VALUE(...) becomes FROM_FIRST / FROM_LAST
 *     when followed by OVER, IGNORE or RESPECT;
 *   - the first IN directly inside POSITION( ... ) becomes POSIN.
 */

%name sql__Parse
%token_prefix TK_
%token_type {sql_span}
%default_type {sql_span}
%extra_argument {sql_pctx *pc}
/* Depth is capped by SQL_MAX_HEIGHT (ast.h); the stack only has to be deep
 * enough that any tree within that height, once printed (which may add
 * parentheses), parses again: a few entries per level of height. */
%stack_size 4000

%include {
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ast.h"
#include "sql_parse_int.h"

#define YYNOERRORRECOVERY 1
/* lemon's generated code asserts on impossible states in debug builds. */
#define YYMALLOCARGTYPE size_t

/* Span from offset `o` to the end of the last token shifted: every token of
 * a rule being reduced has already been shifted, so that is its end. */
#define SP(o) sql__span_to(pc, (o))
#define EOFF(x) ((x) ? (x)->off : pc->prev_end)
#define A_ (pc->a)
/* Height checks keep recursive walkers off hostile inputs (ast.h). */
#define E(x) sql__chk_expr(pc, (x))
#define Q(x) sql__chk_query(pc, (x))
#define F(x) sql__chk_from(pc, (x))

static sql_span sql__span_to(sql_pctx *pc, uint32_t o) {
    sql_span s;
    s.off = o;
    s.len = pc->prev_end > o ? pc->prev_end - o : 0;
    return s;
}

static ast_expr *sql__chk_expr(sql_pctx *pc, ast_expr *e) {
    if (e && e->height > SQL_MAX_HEIGHT)
        sql__error_at(pc, (sql_span){e->off, 0}, "expression is too deeply nested");
    return e;
}

static ast_query *sql__chk_query(sql_pctx *pc, ast_query *q) {
    if (q && q->height > SQL_MAX_HEIGHT)
        sql__error_at(pc, (sql_span){q->off, 0}, "query is too deeply nested");
    return q;
}

static ast_from *sql__chk_from(sql_pctx *pc, ast_from *f) {
    if (f && f->height > SQL_MAX_HEIGHT)
        sql__error_at(pc, (sql_span){f->off, 0}, "FROM clause is too deeply nested");
    return f;
}

static ast_name sql__nm(sql_pctx *pc, sql_span t) {
    return ast_name_from_text(pc->a, pc->text, t.off, t.len);
}

/* A name written as a 'string' (option keys): case kept, like "quoted". */
static ast_name sql__str_name(sql_pctx *pc, sql_span t) {
    uint32_t n = 0;
    ast_name nm;
    memset(&nm, 0, sizeof nm);
    nm.s = sql__decode_string(pc, t, 0, &n);
    if (nm.s && strlen(nm.s) != n) sql__error_at(pc, t, "option key must not contain NUL characters");
    nm.off = t.off;
    nm.len = t.len;
    nm.quoted = 1;
    return nm;
}

static ast_name sql__no_name(void) {
    ast_name n;
    memset(&n, 0, sizeof n);
    return n;
}

/* Lists of names hold pointers; this copies a name into the arena. */
static void *sql__namep(sql_pctx *pc, ast_name n) {
    ast_name *p = arena_alloc(pc->a, sizeof *p);
    if (p) *p = n;
    return p;
}

static uint32_t sql__list_off(sql_pctx *pc, ast_list *l) {
    if (l && l->n && l->v[0]) return ((ast_name *)l->v[0])->off;
    return pc->prev_end;
}

/* Numbers keep their text as written; keyword literals get one spelling. */
static ast_expr *sql__lit(sql_pctx *pc, sql_span t, ast_lit_kind k) {
    const char *canon = k == AST_LIT_TRUE ? "TRUE" : k == AST_LIT_FALSE ? "FALSE"
                        : k == AST_LIT_NULL ? "NULL" : k == AST_LIT_UNKNOWN ? "UNKNOWN" : NULL;
    if (canon) return ast_literal(pc->a, t, k, canon, (uint32_t)strlen(canon));
    return ast_literal(pc->a, t, k, pc->text + t.off, t.len);
}

/* A string literal: 'abc' or U&'...' [UESCAPE 'c'] (uesc_tok.len 0: none). */
static ast_expr *sql__string(sql_pctx *pc, sql_span t, int unicode, sql_span uesc_tok,
                             sql_span whole) {
    int esc = 0;
    if (unicode) {
        esc = '\\';
        if (uesc_tok.len) {
            uint32_t n = 0;
            const char *u = sql__decode_string(pc, uesc_tok, 0, &n);
            if (!u) return NULL;
            if (n != 1 || u[0] == '+' || u[0] == '\'' || u[0] == '"' || u[0] == ' ' ||
                (u[0] >= '0' && u[0] <= '9') || (u[0] >= 'a' && u[0] <= 'f') ||
                (u[0] >= 'A' && u[0] <= 'F')) {
                sql__error_at(pc, uesc_tok, "invalid Unicode escape character");
                return NULL;
            }
            esc = (unsigned char)u[0];
        }
    }
    uint32_t n = 0;
    const char *s = sql__decode_string(pc, t, esc, &n);
    if (!s) return NULL;
    ast_expr *e = ast_literal(pc->a, whole, AST_LIT_STRING, s, n);
    if (e) e->u.lit.unicode = (uint8_t)unicode;
    return e;
}

static ast_expr *sql__binstring(sql_pctx *pc, sql_span t) {
    /* X'...': the lexer allowed only hex digits; the count must be even. */
    if ((t.len - 3) % 2 != 0) {
        sql__error_at(pc, t, "binary string literal must have an even number of hex digits");
        return NULL;
    }
    return ast_literal(pc->a, t, AST_LIT_BINARY, pc->text + t.off + 2, t.len - 3);
}

static ast_expr *sql__typed_lit(sql_pctx *pc, uint32_t off, ast_lit_kind k, sql_span str) {
    uint32_t n = 0;
    const char *s = sql__decode_string(pc, str, 0, &n);
    if (!s) return NULL;
    return ast_literal(pc->a, SP(off), k, s, n);
}

static ast_expr *sql__interval(sql_pctx *pc, uint32_t off, char sign, sql_span str,
                               ast_interval_qual iq) {
    uint32_t n = 0;
    const char *s = sql__decode_string(pc, str, 0, &n);
    if (!s) return NULL;
    return ast_interval_lit(pc->a, SP(off), sign, s, n, iq);
}

/* Precision list of a type or interval field: (p) or (p, s). n = count. */
typedef struct sql_prec {
    int n;
    int32_t p, s;
} sql_prec;

static int32_t sql__int(sql_pctx *pc, sql_span t) {
    int64_t v = 0;
    for (uint32_t i = 0; i < t.len; i++) {
        v = v * 10 + (pc->text[t.off + i] - '0');
        if (v > 1000000000) {
            sql__error_at(pc, t, "precision %.*s is out of range", (int)t.len, pc->text + t.off);
            return 0;
        }
    }
    return (int32_t)v;
}

/* The time unit a YEAR..SECOND token names. */
static ast_time_unit sql__unit(sql_pctx *pc, sql_span t) {
    static const struct {
        const char *name;
        ast_time_unit u;
    } units[] = {{"YEAR", AST_TU_YEAR},     {"MONTH", AST_TU_MONTH},   {"DAY", AST_TU_DAY},
                 {"HOUR", AST_TU_HOUR},     {"MINUTE", AST_TU_MINUTE}, {"SECOND", AST_TU_SECOND}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (t.len == strlen(units[i].name) &&
            strncasecmp(pc->text + t.off, units[i].name, t.len) == 0)
            return units[i].u;
    return AST_TU_NONE;
}

static ast_interval_qual sql__iq(sql_pctx *pc, uint32_t off, ast_time_unit start,
                                 sql_prec sp, ast_time_unit end, sql_prec ep) {
    ast_interval_qual q;
    q.start = start;
    q.end = end;
    q.start_prec = -1;
    q.frac_prec = -1;
    int ym_start = start == AST_TU_YEAR || start == AST_TU_MONTH;
    int ym_end = end == AST_TU_YEAR || end == AST_TU_MONTH;
    int bad = 0;
    if (end != AST_TU_NONE && (end <= start || ym_start != ym_end)) bad = 1;
    if (sp.n == 2 && (start != AST_TU_SECOND || end != AST_TU_NONE)) bad = 1;
    if (ep.n > 1 || (ep.n == 1 && end != AST_TU_SECOND)) bad = 1;
    if (sp.p > 32767 || sp.s > 32767 || ep.p > 32767) bad = 1;
    if (bad) {
        sql__error_at(pc, SP(off), "invalid interval qualifier");
        return q;
    }
    if (sp.n >= 1) q.start_prec = (int16_t)sp.p;
    if (sp.n == 2) q.frac_prec = (int16_t)sp.s;
    if (ep.n == 1) q.frac_prec = (int16_t)ep.p;
    return q;
}

/* A type written as one or two words (DOUBLE PRECISION, CHARACTER VARYING)
 * with an optional (p[, s]). */
static ast_type_ref sql__type(sql_pctx *pc, uint32_t off, sql_span w1, sql_span w2,
                              sql_prec p) {
    ast_type_ref t;
    memset(&t, 0, sizeof t);
    sql_span sp = SP(off);
    t.off = sp.off;
    t.len = sp.len;
    char name[96];
    if (w1.len >= 40 || w2.len >= 40 || pc->text[w1.off] == '"') {
        sql__error_at(pc, w1, "type \"%.*s\" does not exist", (int)(w1.len > 64 ? 64 : w1.len),
                      pc->text + w1.off);
        return t;
    }
    if (w2.len)
        snprintf(name, sizeof name, "%.*s %.*s", (int)w1.len, pc->text + w1.off, (int)w2.len,
                 pc->text + w2.off);
    else
        snprintf(name, sizeof name, "%.*s", (int)w1.len, pc->text + w1.off);
    eddy_type_id id;
    if (eddy_type_lookup(name, strlen(name), &id) != 0 || id == EDDY_T_ANY ||
        id == EDDY_T_NULL || eddy_type_is_interval(id) || eddy_type_is_datetime(id)) {
        sql__error_at(pc, w2.len ? sql_span_join(w1, w2) : w1, "type \"%s\" does not exist",
                      name);
        return t;
    }
    t.type.id = id;
    int takes_len = eddy_type_is_string(id) || eddy_type_is_binary(id);
    if (p.n > 0 && !takes_len && id != EDDY_T_DECIMAL) {
        sql__error_at(pc, sp, "type %s does not take a precision", eddy_type_name(id));
        return t;
    }
    if (p.n == 2 && id != EDDY_T_DECIMAL) {
        sql__error_at(pc, sp, "type %s does not take a scale", eddy_type_name(id));
        return t;
    }
    if (p.n >= 1) t.type.precision = p.p;
    if (p.n == 2) {
        t.type.scale = p.s;
        t.has_scale = 1;
    }
    return t;
}

static ast_type_ref sql__simple_type(sql_pctx *pc, uint32_t off, eddy_type_id id) {
    ast_type_ref t;
    memset(&t, 0, sizeof t);
    sql_span sp = SP(off);
    t.off = sp.off;
    t.len = sp.len;
    t.type.id = id;
    return t;
}

static ast_type_ref sql__interval_type(sql_pctx *pc, uint32_t off, ast_interval_qual iq) {
    int ym = iq.start == AST_TU_YEAR || iq.start == AST_TU_MONTH;
    ast_type_ref t = sql__simple_type(pc, off, ym ? EDDY_T_INTERVAL_YM : EDDY_T_INTERVAL_DS);
    t.iq = iq;
    return t;
}

/* The argument forms of calls like SUBSTRING(s FROM a): TRIM(c FROM s) has the
 * same shape, so the function's name decides which form it is. */
static ast_expr *sql__from_call(sql_pctx *pc, uint32_t off, ast_name n, ast_expr *x,
                                ast_expr *y) {
    ast_list *l = NULL;
    if (n.s && strcmp(n.s, "TRIM") == 0) {
        l = ast_list_add(pc->a, l, y);
        l = ast_list_add(pc->a, l, x);
        return ast_call_set(ast_call(pc->a, SP(off), n, AST_CALL_TRIM, l), AST_SETQ_NONE, 0,
                            AST_TU_NONE, AST_TRIM_NONE);
    }
    l = ast_list_add(pc->a, l, x);
    l = ast_list_add(pc->a, l, y);
    return ast_call(pc->a, SP(off), n, AST_CALL_SUBSTRING, l);
}

static ast_expr *sql__call(sql_pctx *pc, uint32_t off, ast_name n, ast_call_form form,
                           ast_expr *x, ast_expr *y, ast_expr *z, ast_expr *w) {
    ast_list *l = NULL;
    if (x) l = ast_list_add(pc->a, l, x);
    if (y) l = ast_list_add(pc->a, l, y);
    if (z) l = ast_list_add(pc->a, l, z);
    if (w) l = ast_list_add(pc->a, l, w);
    return ast_call(pc->a, SP(off), n, form, l);
}

/* WINDOWED BY STAGGER or GROUP BY: at most one of them per SELECT. */
typedef struct sql_group {
    ast_list *by;
    ast_stagger *stagger;
} sql_group;

typedef struct sql_alias {
    ast_name name;
    ast_list *cols;
} sql_alias;

typedef struct sql_frame {
    ast_frame_unit unit;
    int between;
    ast_bound start, end;
} sql_frame;

typedef struct sql_winspec {
    ast_name ref;
    ast_list *partition, *order;
    sql_frame frame;
} sql_winspec;

/* A window spec written in parentheses starting at `off`. */
static ast_window *sql__window(sql_pctx *pc, uint32_t off, sql_winspec w) {
    return ast_window_new(pc->a, SP(off), w.ref, w.partition, w.order, w.frame.unit,
                          w.frame.between, w.frame.start, w.frame.end);
}

typedef struct sql_order {
    ast_list *items;
    ast_expr *within;
} sql_order;

typedef struct sql_call_tail {
    ast_from_pos from_pos;
    ast_null_treatment nulls;
} sql_call_tail;

/* CREATE FUNCTION options, in any order. */
typedef struct sql_fnopts {
    uint8_t language_sql;
    ast_name specific;
    int8_t deterministic;
    ast_data_access data_access;
    ast_on_null on_null;
} sql_fnopts;

static ast_from *sql__table_ref(sql_pctx *pc, uint32_t off, ast_from *f, sql_alias al) {
    return ast_from_alias(pc->a, f, SP(off), al.name, al.cols);
}

static ast_stmt *sql__stmt(sql_pctx *pc, ast_stmt_kind k, uint32_t off) {
    return ast_stmt_new(pc->a, k, SP(off));
}

static ast_stmt *sql__create_stream(sql_pctx *pc, uint32_t off, int orr, ast_name name,
                                    ast_list *cols, ast_expr *descr, ast_list *opts) {
    ast_stmt *s = sql__stmt(pc, AST_S_CREATE_STREAM, off);
    if (!s) return NULL;
    s->u.create_stream.or_replace = (uint8_t)orr;
    s->u.create_stream.name = name;
    s->u.create_stream.columns = cols ? (ast_column_def **)(void *)cols->v : NULL;
    s->u.create_stream.n_columns = cols ? cols->n : 0;
    s->u.create_stream.description = descr;
    s->u.create_stream.options = opts ? (ast_option **)(void *)opts->v : NULL;
    s->u.create_stream.n_options = opts ? opts->n : 0;
    return s;
}

static ast_stmt *sql__create_pump(sql_pctx *pc, uint32_t off, int orr, ast_name name,
                                  int started, ast_expr *descr, ast_insert *ins) {
    ast_stmt *s = sql__stmt(pc, AST_S_CREATE_PUMP, off);
    if (!s) return NULL;
    s->u.create_pump.or_replace = (uint8_t)orr;
    s->u.create_pump.started = (uint8_t)started;
    s->u.create_pump.name = name;
    s->u.create_pump.description = descr;
    s->u.create_pump.insert = ins;
    return s;
}

static ast_stmt *sql__create_function(sql_pctx *pc, uint32_t off, int orr, ast_name name,
                                      ast_list *params, ast_type_ref ret, sql_fnopts o,
                                      ast_expr *body) {
    ast_stmt *s = sql__stmt(pc, AST_S_CREATE_FUNCTION, off);
    if (!s) return NULL;
    s->u.create_function.or_replace = (uint8_t)orr;
    s->u.create_function.name = name;
    s->u.create_function.params = params ? (ast_param **)(void *)params->v : NULL;
    s->u.create_function.n_params = params ? params->n : 0;
    s->u.create_function.returns = ret;
    s->u.create_function.language_sql = o.language_sql;
    s->u.create_function.specific = o.specific;
    s->u.create_function.deterministic = o.deterministic;
    s->u.create_function.data_access = o.data_access;
    s->u.create_function.on_null = o.on_null;
    s->u.create_function.body = body;
    return s;
}

static ast_stmt *sql__simple_stmt(sql_pctx *pc, uint32_t off, ast_stmt_kind k, int what,
                                  int flag, ast_name name) {
    ast_stmt *s = sql__stmt(pc, k, off);
    if (!s) return NULL;
    switch (k) {
    case AST_S_DROP:
        s->u.drop.what = (ast_object_kind)what;
        s->u.drop.if_exists = (uint8_t)flag;
        s->u.drop.name = name;
        break;
    case AST_S_SHOW:
        s->u.show.what = (ast_show_kind)what;
        break;
    case AST_S_DESCRIBE:
        s->u.describe.extended = (uint8_t)flag;
        s->u.describe.name = name;
        break;
    default:
        break;
    }
    return s;
}

static ast_stmt *sql__wrap_stmt(sql_pctx *pc, uint32_t off, ast_stmt_kind k, void *child) {
    ast_stmt *s = sql__stmt(pc, k, off);
    if (!s) return NULL;
    if (k == AST_S_QUERY) s->u.query = child;
    else if (k == AST_S_INSERT) s->u.insert = child;
    else if (k == AST_S_EXPLAIN) s->u.explain.stmt = child;
    return s;
}

static void sql__add_stmt(sql_pctx *pc, ast_stmt *s) {
    if (s) pc->stmts = ast_list_add(pc->a, pc->stmts, s);
}
}

%code {
int sql__is_fallback(int code) {
    return code > 0 && (size_t)code < sizeof yyFallback / sizeof yyFallback[0] &&
           yyFallback[code] != 0;
}
}

%syntax_error {
    (void)yymajor;
    if (pc->at_end) {
        sql__error_at(pc, (sql_span){pc->prev_end, 0}, "syntax error at end of input");
    } else {
        sql__error_at(pc, TOKEN, "syntax error at or near \"%s\"",
                      sql__token_text(pc, TOKEN));
    }
}

%stack_overflow {
    sql__error_at(pc, (sql_span){pc->prev_end, 0}, "statement is too deeply nested");
}

/* Operator precedence, lowest first. || binds like * as in the dialect's
 * Calcite lineage; NOT binds looser than comparisons. */
%left UNION EXCEPT.
%left INTERSECT.
%left OR.
%left AND.
%right NOT.
%left IS LIKE SIMILAR BETWEEN IN POSIN NE EQ.
%left GT LE LT GE.
%right ESCAPE TO.
%left PLUS MINUS.
%left STAR SLASH PERCENT CONCAT.
%right UMINUS.

%fallback ID
    ASC CALLED CONTAINS CURRENT DATA DESC DESCRIBE DESCRIPTION DETERMINISTIC
    EXPEDITED EXPLAIN EXTENDED FIRST FOLLOWING FUNCTION FUNCTIONS IF IGNORE INPUT
    LANGUAGE LAST MODIFIES NO NULLS PRECEDING PRECISION PUMP PUMPS
    READS REPLACE RESPECT RETURN RETURNS ROW SHOW SPECIFIC SQL STAGGER
    STARTED STREAM STREAMS SYMMETRIC UESCAPE UNBOUNDED VARYING WITHIN.

/* ---------------------------------------------------------------------- */
/* Scripts: the driver ends every script with a SEMI.                     */

input ::= cmdlist.
cmdlist ::= cmdlist ecmd.
cmdlist ::= ecmd.
ecmd ::= SEMI.
ecmd ::= cmd(X) SEMI. { sql__add_stmt(pc, X); }

%type cmd {ast_stmt *}
cmd(A) ::= query(Q). { A = sql__wrap_stmt(pc, EOFF(Q), AST_S_QUERY, Q); }
cmd(A) ::= insert(I). { A = sql__wrap_stmt(pc, EOFF(I), AST_S_INSERT, I); }
cmd(A) ::= CREATE(T) or_replace(R) STREAM nm(N) LP coldefs(C) RP descr_opt(D) with_opt(W).
    { A = sql__create_stream(pc, T.off, R, N, C, D, W); }
cmd(A) ::= CREATE(T) or_replace(R) PUMP nm(N) started_opt(S) descr_opt(D) AS insert(I).
    { A = sql__create_pump(pc, T.off, R, N, S, D, I); }
cmd(A) ::= CREATE(T) or_replace(R) FUNCTION nm(N) LP params_opt(P) RP RETURNS typename(Y)
           fnopts(O) RETURN expr(X).
    { A = sql__create_function(pc, T.off, R, N, P, Y, O, E(X)); }
cmd(A) ::= DROP(T) object_kind(K) if_exists(F) nm(N).
    { A = sql__simple_stmt(pc, T.off, AST_S_DROP, K, F, N); }
cmd(A) ::= SHOW(T) show_kind(K). { A = sql__simple_stmt(pc, T.off, AST_S_SHOW, K, 0, sql__no_name()); }
cmd(A) ::= DESCRIBE(T) extended_opt(X) nm(N).
    { A = sql__simple_stmt(pc, T.off, AST_S_DESCRIBE, 0, X, N); }
cmd(A) ::= EXPLAIN(T) cmd(C). { A = sql__wrap_stmt(pc, T.off, AST_S_EXPLAIN, C); }

%type or_replace {int}
or_replace(A) ::= . { A = 0; }
or_replace(A) ::= OR REPLACE. { A = 1; }

%type started_opt {int}
started_opt(A) ::= . { A = 0; }
started_opt(A) ::= STARTED. { A = 1; }

%type descr_opt {ast_expr *}
descr_opt(A) ::= . { A = NULL; }
descr_opt(A) ::= DESCRIPTION STRING(S). { A = sql__string(pc, S, 0, (sql_span){0, 0}, S); }

%type coldefs {ast_list *}
coldefs(A) ::= coldef(X). { A = ast_list_add(A_, NULL, X); }
coldefs(A) ::= coldefs(L) COMMA coldef(X). { A = ast_list_add(A_, L, X); }

%type coldef {ast_column_def *}
coldef(A) ::= nm(N) typename(T) notnull_opt(X). { A = ast_column_def_new(A_, SP(N.off), N, T, X); }

%type notnull_opt {int}
notnull_opt(A) ::= . { A = 0; }
notnull_opt(A) ::= NOT NULL. { A = 1; }
notnull_opt(A) ::= NULL. { A = 0; }

%type with_opt {ast_list *}
with_opt(A) ::= . { A = NULL; }
with_opt(A) ::= WITH LP options(L) RP. { A = L; }

%type options {ast_list *}
options(A) ::= option(X). { A = ast_list_add(A_, NULL, X); }
options(A) ::= options(L) COMMA option(X). { A = ast_list_add(A_, L, X); }

%type option {ast_option *}
option(A) ::= colref(K) EQ optval(V).
    { A = ast_option_new(A_, SP(sql__list_off(pc, K)), K, 0, V); }
option(A) ::= STRING(K) EQ optval(V).
    { A = ast_option_new(A_, SP(K.off), ast_list_add(A_, NULL, sql__namep(pc, sql__str_name(pc, K))),
                         1, V); }

%type optval {ast_expr *}
optval(A) ::= literal(X). { A = X; }
optval(A) ::= MINUS(T) number(X). { A = ast_unary(A_, SP(T.off), AST_OP_NEG, X); }
optval(A) ::= nm(N). { A = ast_column(A_, SP(N.off), ast_list_add(A_, NULL, sql__namep(pc, N))); }

%type object_kind {int}
object_kind(A) ::= STREAM. { A = AST_OBJ_STREAM; }
object_kind(A) ::= PUMP. { A = AST_OBJ_PUMP; }
object_kind(A) ::= FUNCTION. { A = AST_OBJ_FUNCTION; }

%type if_exists {int}
if_exists(A) ::= . { A = 0; }
if_exists(A) ::= IF EXISTS. { A = 1; }

%type show_kind {int}
show_kind(A) ::= STREAMS. { A = AST_SHOW_STREAMS; }
show_kind(A) ::= PUMPS. { A = AST_SHOW_PUMPS; }
show_kind(A) ::= FUNCTIONS. { A = AST_SHOW_FUNCTIONS; }

%type extended_opt {int}
extended_opt(A) ::= . { A = 0; }
extended_opt(A) ::= EXTENDED. { A = 1; }

/* CREATE FUNCTION */
%type params_opt {ast_list *}
params_opt(A) ::= . { A = NULL; }
params_opt(A) ::= params(L). { A = L; }
%type params {ast_list *}
params(A) ::= param(X). { A = ast_list_add(A_, NULL, X); }
params(A) ::= params(L) COMMA param(X). { A = ast_list_add(A_, L, X); }
%type param {ast_param *}
param(A) ::= nm(N) typename(T). { A = ast_param_new(A_, SP(N.off), N, T); }

%type fnopts {sql_fnopts}
fnopts(A) ::= . { memset(&A, 0, sizeof A); A.deterministic = -1; }
fnopts(A) ::= fnopts(X) LANGUAGE SQL. { A = X; A.language_sql = 1; }
fnopts(A) ::= fnopts(X) SPECIFIC nm(N). { A = X; A.specific = N; }
fnopts(A) ::= fnopts(X) DETERMINISTIC. { A = X; A.deterministic = 1; }
fnopts(A) ::= fnopts(X) NOT DETERMINISTIC. { A = X; A.deterministic = 0; }
fnopts(A) ::= fnopts(X) CONTAINS SQL. { A = X; A.data_access = AST_DATA_CONTAINS_SQL; }
fnopts(A) ::= fnopts(X) READS SQL DATA. { A = X; A.data_access = AST_DATA_READS_SQL; }
fnopts(A) ::= fnopts(X) MODIFIES SQL DATA. { A = X; A.data_access = AST_DATA_MODIFIES_SQL; }
fnopts(A) ::= fnopts(X) NO SQL. { A = X; A.data_access = AST_DATA_NO_SQL; }
fnopts(A) ::= fnopts(X) RETURNS NULL ON NULL INPUT. { A = X; A.on_null = AST_ONNULL_RETURNS_NULL; }
fnopts(A) ::= fnopts(X) CALLED ON NULL INPUT. { A = X; A.on_null = AST_ONNULL_CALLED; }

/* INSERT [EXPEDITED] INTO s [(cols)] query */
%type insert {ast_insert *}
insert(A) ::= INSERT(T) expedited_opt(X) INTO nm(N) cols_opt(C) query(Q).
    { A = ast_insert_new(A_, SP(T.off), X, N, C, Q); }
%type expedited_opt {int}
expedited_opt(A) ::= . { A = 0; }
expedited_opt(A) ::= EXPEDITED. { A = 1; }
%type cols_opt {ast_list *}
cols_opt(A) ::= . { A = NULL; }
cols_opt(A) ::= LP idlist(L) RP. { A = L; }

%type idlist {ast_list *}
idlist(A) ::= nm(N). { A = ast_list_add(A_, NULL, sql__namep(pc, N)); }
idlist(A) ::= idlist(L) COMMA nm(N). { A = ast_list_add(A_, L, sql__namep(pc, N)); }

/* ---------------------------------------------------------------------- */
/* Names and types                                                        */

%type nm {ast_name}
nm(A) ::= ID(X). { A = sql__nm(pc, X); }

%type typename {ast_type_ref}
typename(A) ::= ID(W) type_prec(P). { A = sql__type(pc, W.off, W, (sql_span){0, 0}, P); }
typename(A) ::= ID(W) VARYING(V) type_prec(P). { A = sql__type(pc, W.off, W, V, P); }
typename(A) ::= ID(W) PRECISION(V). { sql_prec p = {0, 0, 0}; A = sql__type(pc, W.off, W, V, p); }
typename(A) ::= DATE(T). { A = sql__simple_type(pc, T.off, EDDY_T_DATE); }
typename(A) ::= TIME(T). { A = sql__simple_type(pc, T.off, EDDY_T_TIME); }
typename(A) ::= TIMESTAMP(T). { A = sql__simple_type(pc, T.off, EDDY_T_TIMESTAMP); }
typename(A) ::= INTERVAL(T) iq(Q). { A = sql__interval_type(pc, T.off, Q); }

%type type_prec {sql_prec}
type_prec(A) ::= . { A.n = 0; A.p = A.s = 0; }
type_prec(A) ::= LP INTEGER(P) RP. { A.n = 1; A.p = sql__int(pc, P); A.s = 0; }
type_prec(A) ::= LP INTEGER(P) COMMA INTEGER(S) RP.
    { A.n = 2; A.p = sql__int(pc, P); A.s = sql__int(pc, S); }

%type iq {ast_interval_qual}
/* In FLOOR(INTERVAL '1' DAY TO HOUR) the TO belongs to the qualifier. */
iq(A) ::= unit_tok(U) type_prec(P). [UNION]
    { sql_prec none = {0, 0, 0}; A = sql__iq(pc, U.off, sql__unit(pc, U), P, AST_TU_NONE, none); }
iq(A) ::= unit_tok(U) type_prec(P) TO unit_tok(V) type_prec(Q).
    { A = sql__iq(pc, U.off, sql__unit(pc, U), P, sql__unit(pc, V), Q); }

%type time_unit {ast_time_unit}
time_unit(A) ::= unit_tok(U). { A = sql__unit(pc, U); }

/* The token itself, so that qualifier errors can point at it. */
unit_tok(A) ::= YEAR(T). { A = T; }
unit_tok(A) ::= MONTH(T). { A = T; }
unit_tok(A) ::= DAY(T). { A = T; }
unit_tok(A) ::= HOUR(T). { A = T; }
unit_tok(A) ::= MINUTE(T). { A = T; }
unit_tok(A) ::= SECOND(T). { A = T; }

/* ---------------------------------------------------------------------- */
/* Queries                                                                */

%type query {ast_query *}
query(A) ::= qbody(B) qorder(O) limit_opt(L).
    { A = Q(ast_query_finish(B, SP(EOFF(B)), O.items, O.within, L)); }

%type qbody {ast_query *}
qbody(A) ::= select(S). { A = Q(ast_query_select(A_, S)); }
qbody(A) ::= VALUES(T) rows(L). { A = Q(ast_query_values(A_, SP(T.off), L)); }
qbody(A) ::= qbody(X) UNION setq(N) qbody(Y). { A = Q(ast_query_setop(A_, AST_SET_UNION, N, X, Y)); }
qbody(A) ::= qbody(X) INTERSECT setq(N) qbody(Y).
    { A = Q(ast_query_setop(A_, AST_SET_INTERSECT, N, X, Y)); }
qbody(A) ::= qbody(X) EXCEPT setq(N) qbody(Y). { A = Q(ast_query_setop(A_, AST_SET_EXCEPT, N, X, Y)); }

%type setq {int}
setq(A) ::= . { A = 0; }
setq(A) ::= ALL. { A = 1; }
setq(A) ::= DISTINCT. { A = 0; }

%type rows {ast_list *}
rows(A) ::= row(X). { A = ast_list_add(A_, NULL, X); }
rows(A) ::= rows(L) COMMA row(X). { A = ast_list_add(A_, L, X); }
%type row {ast_expr *}
row(A) ::= LP(T) exprlist(L) RP. { A = E(ast_row(A_, SP(T.off), L)); }

%type qorder {sql_order}
qorder(A) ::= . { A.items = NULL; A.within = NULL; }
qorder(A) ::= ORDER BY sortlist(L). { A.items = L; A.within = NULL; }
qorder(A) ::= ORDER BY sortlist(L) WITHIN expr(W). { A.items = L; A.within = E(W); }

%type sortlist {ast_list *}
sortlist(A) ::= sortitem(X). { A = ast_list_add(A_, NULL, X); }
sortlist(A) ::= sortlist(L) COMMA sortitem(X). { A = ast_list_add(A_, L, X); }
%type sortitem {ast_order_item *}
sortitem(A) ::= expr(X) sortdir(D). { A = ast_order_item_new(A_, SP(EOFF(X)), E(X), D == 1, D == 2); }
%type sortdir {int}
sortdir(A) ::= . { A = 0; }
sortdir(A) ::= ASC. { A = 1; }
sortdir(A) ::= DESC. { A = 2; }

%type limit_opt {ast_expr *}
limit_opt(A) ::= . { A = NULL; }
limit_opt(A) ::= LIMIT expr(X). { A = E(X); }

%type select {ast_select *}
select(A) ::= SELECT(T) stream_opt(S) quant_opt(Q) selitems(L) from_opt(F) where_opt(W)
              group_opt(G) having_opt(H) window_opt(N).
    { A = ast_select_new(A_, SP(T.off), S, Q, L, F, W, G.by, G.stagger, H, N); }

%type stream_opt {int}
stream_opt(A) ::= . { A = 0; }
stream_opt(A) ::= STREAM. { A = 1; }

%type quant_opt {ast_set_quant}
quant_opt(A) ::= . { A = AST_SETQ_NONE; }
quant_opt(A) ::= DISTINCT. { A = AST_SETQ_DISTINCT; }
quant_opt(A) ::= ALL. { A = AST_SETQ_ALL; }

%type selitems {ast_list *}
selitems(A) ::= selitem(X). { A = ast_list_add(A_, NULL, X); }
selitems(A) ::= selitems(L) COMMA selitem(X). { A = ast_list_add(A_, L, X); }

%type selitem {ast_select_item *}
selitem(A) ::= expr(X) as_opt(N). { A = ast_select_item_new(A_, SP(EOFF(X)), E(X), N); }
selitem(A) ::= STAR(T). { A = ast_select_item_new(A_, T, ast_star(A_, T, NULL), sql__no_name()); }
selitem(A) ::= colref(L) DOT STAR.
    { uint32_t o = sql__list_off(pc, L);
      A = ast_select_item_new(A_, SP(o), ast_star(A_, SP(o), L), sql__no_name()); }

%type as_opt {ast_name}
as_opt(A) ::= . { A = sql__no_name(); }
as_opt(A) ::= AS nm(N). { A = N; }
as_opt(A) ::= nm(N). { A = N; }

%type from_opt {ast_from *}
from_opt(A) ::= . { A = NULL; }
from_opt(A) ::= FROM from_list(X). { A = X; }

%type from_list {ast_from *}
from_list(A) ::= from_item(X). { A = X; }
from_list(A) ::= from_list(L) COMMA from_item(R).
    { A = F(ast_from_join(A_, SP(EOFF(L)), AST_JOIN_CROSS, 0, 0, 1, L, R, NULL, NULL)); }

%type from_item {ast_from *}
from_item(A) ::= table_ref(X). { A = X; }
from_item(A) ::= from_item(L) join_op(J) table_ref(R) join_cond(C).
    { A = F(ast_from_join(A_, SP(EOFF(L)), (ast_join_kind)(J & 15), J & 16, J & 32, 0, L, R,
                          C.on, C.using_)); }
from_item(A) ::= from_item(L) CROSS JOIN table_ref(R).
    { A = F(ast_from_join(A_, SP(EOFF(L)), AST_JOIN_CROSS, 0, 0, 0, L, R, NULL, NULL)); }

/* join_op: the join kind in the low bits, 16 = OUTER written, 32 = NATURAL. */
%type join_op {int}
join_op(A) ::= JOIN. { A = AST_JOIN_INNER; }
join_op(A) ::= INNER JOIN. { A = AST_JOIN_INNER; }
join_op(A) ::= LEFT JOIN. { A = AST_JOIN_LEFT; }
join_op(A) ::= LEFT OUTER JOIN. { A = AST_JOIN_LEFT | 16; }
join_op(A) ::= RIGHT JOIN. { A = AST_JOIN_RIGHT; }
join_op(A) ::= RIGHT OUTER JOIN. { A = AST_JOIN_RIGHT | 16; }
join_op(A) ::= FULL JOIN. { A = AST_JOIN_FULL; }
join_op(A) ::= FULL OUTER JOIN. { A = AST_JOIN_FULL | 16; }
join_op(A) ::= NATURAL join_op(X). { A = X | 32; }

%include {
typedef struct sql_join_cond {
    ast_expr *on;
    ast_list *using_;
} sql_join_cond;
}
%type join_cond {sql_join_cond}
join_cond(A) ::= . { A.on = NULL; A.using_ = NULL; }
join_cond(A) ::= ON expr(X). { A.on = E(X); A.using_ = NULL; }
join_cond(A) ::= USING LP idlist(L) RP. { A.on = NULL; A.using_ = L; }

%type table_ref {ast_from *}
table_ref(A) ::= nm(N) over_opt(W) alias_opt(X).
    { A = F(sql__table_ref(pc, N.off, ast_from_named(A_, SP(N.off), N, W), X)); }
table_ref(A) ::= LP(T) query(Q) RP alias_opt(X).
    { A = F(sql__table_ref(pc, T.off, ast_from_subquery(A_, SP(T.off), Q), X)); }
table_ref(A) ::= TABLE(T) LP call(C) RP alias_opt(X).
    { A = F(sql__table_ref(pc, T.off, ast_from_table_func(A_, SP(T.off), E(C)), X)); }

%type alias_opt {sql_alias}
alias_opt(A) ::= . { A.name = sql__no_name(); A.cols = NULL; }
alias_opt(A) ::= AS nm(N). { A.name = N; A.cols = NULL; }
alias_opt(A) ::= nm(N). { A.name = N; A.cols = NULL; }
alias_opt(A) ::= AS nm(N) LP idlist(L) RP. { A.name = N; A.cols = L; }
alias_opt(A) ::= nm(N) LP idlist(L) RP. { A.name = N; A.cols = L; }

%type where_opt {ast_expr *}
where_opt(A) ::= . { A = NULL; }
where_opt(A) ::= WHERE expr(X). { A = E(X); }

%type having_opt {ast_expr *}
having_opt(A) ::= . { A = NULL; }
having_opt(A) ::= HAVING expr(X). { A = E(X); }

%type group_opt {sql_group}
group_opt(A) ::= . { A.by = NULL; A.stagger = NULL; }
group_opt(A) ::= GROUP BY exprlist(L). { A.by = L; A.stagger = NULL; }
group_opt(A) ::= WINDOWED(T) BY STAGGER LP PARTITION BY exprlist(L) RANGE expr(R) RP.
    { A.by = NULL; A.stagger = ast_stagger_new(A_, SP(T.off), L, E(R)); }

%type window_opt {ast_list *}
window_opt(A) ::= . { A = NULL; }
window_opt(A) ::= WINDOW windefs(L). { A = L; }
%type windefs {ast_list *}
windefs(A) ::= windef(X). { A = ast_list_add(A_, NULL, X); }
windefs(A) ::= windefs(L) COMMA windef(X). { A = ast_list_add(A_, L, X); }
%type windef {ast_named_window *}
windef(A) ::= nm(N) AS LP(T) winspec(W) RP.
    { A = ast_named_window_new(A_, SP(N.off), N, sql__window(pc, T.off, W)); }

/* ---------------------------------------------------------------------- */
/* Windows                                                                */

%type over_opt {ast_window *}
over_opt(A) ::= . { A = NULL; }
over_opt(A) ::= OVER(T) nm(N). { A = ast_window_ref(A_, SP(T.off), N); }
over_opt(A) ::= OVER LP(T) winspec(W) RP. { A = sql__window(pc, T.off, W); }

%type winspec {sql_winspec}
winspec(A) ::= wref_opt(R) partition_opt(P) worder_opt(O) frame_opt(F).
    { A.ref = R; A.partition = P; A.order = O; A.frame = F; }

%type wref_opt {ast_name}
wref_opt(A) ::= . { A = sql__no_name(); }
wref_opt(A) ::= nm(N). { A = N; }

%type partition_opt {ast_list *}
partition_opt(A) ::= . { A = NULL; }
partition_opt(A) ::= PARTITION BY exprlist(L). { A = L; }

%type worder_opt {ast_list *}
worder_opt(A) ::= . { A = NULL; }
worder_opt(A) ::= ORDER BY sortlist(L). { A = L; }

%type frame_opt {sql_frame}
frame_opt(A) ::= . { memset(&A, 0, sizeof A); }
frame_opt(A) ::= frame_unit(U) bound(B).
    { memset(&A, 0, sizeof A); A.unit = (ast_frame_unit)U; A.start = B; }
frame_opt(A) ::= frame_unit(U) BETWEEN bound(B) AND bound(C).
    { memset(&A, 0, sizeof A); A.unit = (ast_frame_unit)U; A.between = 1; A.start = B; A.end = C; }

%type frame_unit {int}
frame_unit(A) ::= ROWS. { A = AST_FRAME_ROWS; }
frame_unit(A) ::= RANGE. { A = AST_FRAME_RANGE; }

%type bound {ast_bound}
bound(A) ::= UNBOUNDED PRECEDING. { A.kind = AST_BOUND_UNBOUNDED_PRECEDING; A.offset = NULL; }
bound(A) ::= UNBOUNDED FOLLOWING. { A.kind = AST_BOUND_UNBOUNDED_FOLLOWING; A.offset = NULL; }
bound(A) ::= CURRENT ROW. { A.kind = AST_BOUND_CURRENT_ROW; A.offset = NULL; }
bound(A) ::= expr(X) PRECEDING. { A.kind = AST_BOUND_PRECEDING; A.offset = E(X); }
bound(A) ::= expr(X) FOLLOWING. { A.kind = AST_BOUND_FOLLOWING; A.offset = E(X); }

/* ---------------------------------------------------------------------- */
/* Expressions                                                            */

%type exprlist {ast_list *}
exprlist(A) ::= expr(X). { A = ast_list_add(A_, NULL, E(X)); }
exprlist(A) ::= exprlist(L) COMMA expr(X). { A = ast_list_add(A_, L, E(X)); }

%type expr {ast_expr *}
expr(A) ::= literal(X). { A = X; }
expr(A) ::= colref(L). { A = E(ast_column(A_, SP(sql__list_off(pc, L)), L)); }
expr(A) ::= LP expr(X) RP. { A = X; }
expr(A) ::= LP(T) expr(X) RP iq(Q). { A = E(ast_interval_of(A_, SP(T.off), X, Q)); }
expr(A) ::= LP(T) query(Q) RP. { A = E(ast_query_expr(A_, SP(T.off), AST_E_SUBQUERY, Q)); }
/* A row value, (a, b): the left side of IN (SELECT x, y ...). */
expr(A) ::= LP(T) expr(X) COMMA exprlist(L) RP. {
    ast_list *l = ast_list_add(A_, NULL, E(X));
    for (uint32_t i = 0; l && L && i < L->n; i++) l = ast_list_add(A_, l, L->v[i]);
    A = E(ast_row(A_, SP(T.off), l));
}
expr(A) ::= EXISTS(T) LP query(Q) RP. { A = E(ast_query_expr(A_, SP(T.off), AST_E_EXISTS, Q)); }
expr(A) ::= CURSOR(T) LP query(Q) RP. { A = E(ast_query_expr(A_, SP(T.off), AST_E_CURSOR, Q)); }
expr(A) ::= CAST(T) LP expr(X) AS typename(Y) RP. { A = E(ast_cast(A_, SP(T.off), X, Y)); }
expr(A) ::= call(C) call_tail(T) over_opt(W).
    { A = E(ast_call_window(C, SP(EOFF(C)), T.from_pos, T.nulls, W)); }
expr(A) ::= CASE(T) case_operand(O) case_whens(W) case_else(X) END.
    { A = E(ast_case(A_, SP(T.off), O, W, X)); }

expr(A) ::= expr(X) AND expr(Y). { A = E(ast_binary(A_, AST_OP_AND, X, Y)); }
expr(A) ::= expr(X) OR expr(Y). { A = E(ast_binary(A_, AST_OP_OR, X, Y)); }
expr(A) ::= expr(X) EQ expr(Y). { A = E(ast_binary(A_, AST_OP_EQ, X, Y)); }
expr(A) ::= expr(X) NE expr(Y). { A = E(ast_binary(A_, AST_OP_NE, X, Y)); }
expr(A) ::= expr(X) LT expr(Y). { A = E(ast_binary(A_, AST_OP_LT, X, Y)); }
expr(A) ::= expr(X) LE expr(Y). { A = E(ast_binary(A_, AST_OP_LE, X, Y)); }
expr(A) ::= expr(X) GT expr(Y). { A = E(ast_binary(A_, AST_OP_GT, X, Y)); }
expr(A) ::= expr(X) GE expr(Y). { A = E(ast_binary(A_, AST_OP_GE, X, Y)); }
expr(A) ::= expr(X) PLUS expr(Y). { A = E(ast_binary(A_, AST_OP_ADD, X, Y)); }
expr(A) ::= expr(X) MINUS expr(Y). { A = E(ast_binary(A_, AST_OP_SUB, X, Y)); }
expr(A) ::= expr(X) STAR expr(Y). { A = E(ast_binary(A_, AST_OP_MUL, X, Y)); }
expr(A) ::= expr(X) SLASH expr(Y). { A = E(ast_binary(A_, AST_OP_DIV, X, Y)); }
expr(A) ::= expr(X) PERCENT expr(Y). { A = E(ast_binary(A_, AST_OP_MOD, X, Y)); }
expr(A) ::= expr(X) CONCAT expr(Y). { A = E(ast_binary(A_, AST_OP_CONCAT, X, Y)); }
expr(A) ::= NOT(T) expr(X). { A = E(ast_unary(A_, SP(T.off), AST_OP_NOT, X)); }
expr(A) ::= MINUS(T) expr(X). [UMINUS] { A = E(ast_unary(A_, SP(T.off), AST_OP_NEG, X)); }
expr(A) ::= PLUS(T) expr(X). [UMINUS] { A = E(ast_unary(A_, SP(T.off), AST_OP_PLUS, X)); }

expr(A) ::= expr(X) IS not_opt(N) is_what(W). { A = E(ast_is(A_, SP(EOFF(X)), X, W, N)); }
expr(A) ::= expr(X) IS not_opt(N) DISTINCT FROM expr(Y). [IS]
    { A = E(ast_binary(A_, N ? AST_OP_IS_NOT_DISTINCT : AST_OP_IS_DISTINCT, X, Y)); }
expr(A) ::= expr(X) between_op(O) expr(L) AND expr(H). [BETWEEN]
    { A = E(ast_between(A_, SP(EOFF(X)), X, L, H, O & 1, O & 2)); }
expr(A) ::= expr(X) in_op(N) LP exprlist(L) RP. [IN]
    { A = E(ast_in_list(A_, SP(EOFF(X)), X, L, N)); }
expr(A) ::= expr(X) in_op(N) LP query(Q) RP. [IN]
    { A = E(ast_in_query(A_, SP(EOFF(X)), X, Q, N)); }
expr(A) ::= expr(X) like_op(O) expr(Y). [LIKE]
    { A = E(ast_like(A_, SP(EOFF(X)), X, Y, NULL, O & 1, O & 2)); }
expr(A) ::= expr(X) like_op(O) expr(Y) ESCAPE expr(Z). [LIKE]
    { A = E(ast_like(A_, SP(EOFF(X)), X, Y, Z, O & 1, O & 2)); }

%type not_opt {int}
not_opt(A) ::= . { A = 0; }
not_opt(A) ::= NOT. { A = 1; }

%type is_what {ast_is_what}
is_what(A) ::= NULL. { A = AST_IS_NULL; }
is_what(A) ::= TRUE. { A = AST_IS_TRUE; }
is_what(A) ::= FALSE. { A = AST_IS_FALSE; }
is_what(A) ::= UNKNOWN. { A = AST_IS_UNKNOWN; }

/* between_op: 1 = NOT, 2 = SYMMETRIC. */
%type between_op {int}
between_op(A) ::= BETWEEN. { A = 0; }
between_op(A) ::= BETWEEN SYMMETRIC. { A = 2; }
between_op(A) ::= NOT BETWEEN. { A = 1; }
between_op(A) ::= NOT BETWEEN SYMMETRIC. { A = 3; }

%type in_op {int}
in_op(A) ::= IN. { A = 0; }
in_op(A) ::= NOT IN. { A = 1; }

/* like_op: 1 = NOT, 2 = SIMILAR TO. */
%type like_op {int}
like_op(A) ::= LIKE. { A = 0; }
like_op(A) ::= NOT LIKE. { A = 1; }
like_op(A) ::= SIMILAR TO. { A = 2; }
like_op(A) ::= NOT SIMILAR TO. { A = 3; }

%type case_operand {ast_expr *}
case_operand(A) ::= . { A = NULL; }
case_operand(A) ::= expr(X). { A = X; }
%type case_whens {ast_list *}
case_whens(A) ::= WHEN(T) expr(X) THEN expr(Y).
    { A = ast_list_add(A_, NULL, ast_case_when(A_, SP(T.off), X, Y)); }
case_whens(A) ::= case_whens(L) WHEN(T) expr(X) THEN expr(Y).
    { A = ast_list_add(A_, L, ast_case_when(A_, SP(T.off), X, Y)); }
%type case_else {ast_expr *}
case_else(A) ::= . { A = NULL; }
case_else(A) ::= ELSE expr(X). { A = X; }

%type colref {ast_list *}
colref(A) ::= nm(N). { A = ast_list_add(A_, NULL, sql__namep(pc, N)); }
colref(A) ::= colref(L) DOT nm(N). { A = ast_list_add(A_, L, sql__namep(pc, N)); }

/* Literals */
%type literal {ast_expr *}
literal(A) ::= number(X). { A = X; }
literal(A) ::= STRING(S). { A = sql__string(pc, S, 0, (sql_span){0, 0}, S); }
literal(A) ::= USTRING(S). { A = sql__string(pc, S, 1, (sql_span){0, 0}, S); }
literal(A) ::= USTRING(S) UESCAPE STRING(C). { A = sql__string(pc, S, 1, C, SP(S.off)); }
literal(A) ::= BINSTRING(S). { A = sql__binstring(pc, S); }
literal(A) ::= TRUE(T). { A = sql__lit(pc, T, AST_LIT_TRUE); }
literal(A) ::= FALSE(T). { A = sql__lit(pc, T, AST_LIT_FALSE); }
literal(A) ::= UNKNOWN(T). { A = sql__lit(pc, T, AST_LIT_UNKNOWN); }
literal(A) ::= NULL(T). { A = sql__lit(pc, T, AST_LIT_NULL); }
literal(A) ::= DATE(T) STRING(S). { A = sql__typed_lit(pc, T.off, AST_LIT_DATE, S); }
literal(A) ::= TIME(T) STRING(S). { A = sql__typed_lit(pc, T.off, AST_LIT_TIME, S); }
literal(A) ::= TIMESTAMP(T) STRING(S). { A = sql__typed_lit(pc, T.off, AST_LIT_TIMESTAMP, S); }
literal(A) ::= INTERVAL(T) STRING(S) iq(Q). { A = sql__interval(pc, T.off, 0, S, Q); }
literal(A) ::= INTERVAL(T) PLUS STRING(S) iq(Q). { A = sql__interval(pc, T.off, '+', S, Q); }
literal(A) ::= INTERVAL(T) MINUS STRING(S) iq(Q). { A = sql__interval(pc, T.off, '-', S, Q); }

%type number {ast_expr *}
number(A) ::= INTEGER(T). { A = sql__lit(pc, T, AST_LIT_INTEGER); }
number(A) ::= DECIMAL(T). { A = sql__lit(pc, T, AST_LIT_DECIMAL); }
number(A) ::= APPROX(T). { A = sql__lit(pc, T, AST_LIT_APPROX); }

/* Function calls and their special argument forms. */
%type call {ast_expr *}
call(A) ::= NILADIC(T). { A = ast_call(A_, T, sql__nm(pc, T), AST_CALL_NILADIC, NULL); }
call(A) ::= nm(N) LP RP. { A = ast_call(A_, SP(N.off), N, AST_CALL_PLAIN, NULL); }
call(A) ::= nm(N) LP STAR RP.
    { A = ast_call_set(ast_call(A_, SP(N.off), N, AST_CALL_PLAIN, NULL), AST_SETQ_NONE, 1,
                       AST_TU_NONE, AST_TRIM_NONE); }
call(A) ::= nm(N) LP exprlist(L) RP. { A = ast_call(A_, SP(N.off), N, AST_CALL_PLAIN, L); }
call(A) ::= nm(N) LP DISTINCT exprlist(L) RP.
    { A = ast_call_set(ast_call(A_, SP(N.off), N, AST_CALL_PLAIN, L), AST_SETQ_DISTINCT, 0,
                       AST_TU_NONE, AST_TRIM_NONE); }
call(A) ::= nm(N) LP ALL exprlist(L) RP.
    { A = ast_call_set(ast_call(A_, SP(N.off), N, AST_CALL_PLAIN, L), AST_SETQ_ALL, 0,
                       AST_TU_NONE, AST_TRIM_NONE); }
call(A) ::= nm(N) LP expr(X) FROM expr(Y) RP. { A = sql__from_call(pc, N.off, N, X, Y); }
call(A) ::= nm(N) LP expr(X) FROM expr(Y) FOR expr(Z) RP.
    { A = sql__call(pc, N.off, N, AST_CALL_SUBSTRING, X, Y, Z, NULL); }
call(A) ::= nm(N) LP expr(X) SIMILAR expr(Y) ESCAPE expr(Z) RP.
    { A = sql__call(pc, N.off, N, AST_CALL_SUBSTRING_SIMILAR, X, Y, Z, NULL); }
call(A) ::= nm(N) LP expr(X) POSIN expr(Y) RP.
    { A = sql__call(pc, N.off, N, AST_CALL_POSITION, X, Y, NULL, NULL); }
call(A) ::= nm(N) LP trim_spec(S) expr(X) FROM expr(Y) RP.
    { A = ast_call_set(sql__call(pc, N.off, N, AST_CALL_TRIM, Y, X, NULL, NULL), AST_SETQ_NONE,
                       0, AST_TU_NONE, S); }
call(A) ::= nm(N) LP trim_spec(S) FROM expr(Y) RP.
    { A = ast_call_set(sql__call(pc, N.off, N, AST_CALL_TRIM, Y, NULL, NULL, NULL),
                       AST_SETQ_NONE, 0, AST_TU_NONE, S); }
call(A) ::= nm(N) LP expr(X) PLACING expr(Y) FROM expr(Z) RP.
    { A = sql__call(pc, N.off, N, AST_CALL_OVERLAY, X, Y, Z, NULL); }
call(A) ::= nm(N) LP expr(X) PLACING expr(Y) FROM expr(Z) FOR expr(W) RP.
    { A = sql__call(pc, N.off, N, AST_CALL_OVERLAY, X, Y, Z, W); }
call(A) ::= nm(N) LP time_unit(U) FROM expr(X) RP.
    { A = ast_call_set(sql__call(pc, N.off, N, AST_CALL_EXTRACT, X, NULL, NULL, NULL),
                       AST_SETQ_NONE, 0, U, AST_TRIM_NONE); }
call(A) ::= nm(N) LP expr(X) TO time_unit(U) RP.
    { A = ast_call_set(sql__call(pc, N.off, N, AST_CALL_FLOOR_TO, X, NULL, NULL, NULL),
                       AST_SETQ_NONE, 0, U, AST_TRIM_NONE); }
call(A) ::= nm(N) LP expr(X) BY expr(Y) RP.
    { A = sql__call(pc, N.off, N, AST_CALL_STEP, X, Y, NULL, NULL); }

%type trim_spec {ast_trim_spec}
trim_spec(A) ::= BOTH. { A = AST_TRIM_BOTH; }
trim_spec(A) ::= LEADING. { A = AST_TRIM_LEADING; }
trim_spec(A) ::= TRAILING. { A = AST_TRIM_TRAILING; }

%type call_tail {sql_call_tail}
call_tail(A) ::= from_pos(F) nulls_opt(N). { A.from_pos = F; A.nulls = N; }
%type from_pos {ast_from_pos}
from_pos(A) ::= . { A = AST_FROM_NONE; }
from_pos(A) ::= FROM_FIRST. { A = AST_FROM_FIRST; }
from_pos(A) ::= FROM_LAST. { A = AST_FROM_LAST; }
%type nulls_opt {ast_null_treatment}
nulls_opt(A) ::= . { A = AST_NULLS_NONE; }
nulls_opt(A) ::= IGNORE NULLS. { A = AST_NULLS_IGNORE; }
nulls_opt(A) ::= RESPECT NULLS. { A = AST_NULLS_RESPECT; }
