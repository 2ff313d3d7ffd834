/*
 * plan_stmt.c — statements: CREATE STREAM (columns and the WITH binding
 * options of planner/README.md), CREATE PUMP and INSERT (target columns
 * and types), CREATE FUNCTION, DROP, SHOW, DESCRIBE and EXPLAIN, and
 * planner_plan_stmt(), the module's entry point.
 */
#include "planner_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eddy_time.h"

/* ---- CREATE STREAM ------------------------------------------------------- */

static const char *const stream_options[] = {
    "source", "sink", "format", "start", "start_time", "reader", "consumer", "shard_part", "row_path",
    "column_delimiter", "row_delimiter", "reference", "mapping.<column>",
};

static int opt_string(pl *p, const ast_option *o, const char **out) {
    const ast_expr *v = o->value;
    if (v && v->kind == AST_E_LITERAL && v->u.lit.kind == AST_LIT_STRING) {
        *out = arena_strndup(p->a, v->u.lit.text, v->u.lit.text_len);
        return *out ? 0 : EDDY_E_NOMEM;
    }
    if (v && v->kind == AST_E_COLUMN && v->u.col.n_parts == 1) {
        *out = v->u.col.parts[0].s;
        return 0;
    }
    return pl_error(p, o->off, o->len, "option \"%s\" needs a string value", o->key.s);
}

static int opt_delim(pl *p, const ast_option *o, const char *v, char out[8]) {
    size_t n = strlen(v);
    if (n == 0 || n >= 8)
        return pl_error(p, o->off, o->len, "option \"%s\" must be 1 to 7 characters", o->key.s);
    /* Allow the escapes people type in SQL strings for CSV delimiters. */
    if (!strcmp(v, "\\n")) v = "\n";
    else if (!strcmp(v, "\\t")) v = "\t";
    else if (!strcmp(v, "\\r\\n")) v = "\r\n";
    snprintf(out, 8, "%s", v);
    return 0;
}

/* DECIMAL values are int64 scaled by 10^scale (eddy_types.h), so the
 * runtime can represent precision 1 to 18 and a scale up to the precision;
 * anything larger would overflow or divide by eddy_pow10()'s 0. Precision
 * 0 is the default, 18. Same rule as for CAST in check_types.c. */
static int check_decimal(pl *p, const ast_type_ref *t) {
    if (t->type.id != EDDY_T_DECIMAL) return 0;
    int32_t prec = t->type.precision ? t->type.precision : 18;
    if (prec > 18)
        return pl_error(p, t->off, t->len, "DECIMAL precision %d is out of range (1 to 18)", prec);
    if (t->type.scale > prec)
        return pl_error(p, t->off, t->len, "DECIMAL scale %d is greater than its precision %d",
                        t->type.scale, prec);
    return 0;
}

static int plan_create_stream(pl *p, const ast_stmt *st, int dry, plan_result *out) {
    cat_stream s;
    memset(&s, 0, sizeof s);
    s.kind = CAT_STREAM;
    s.name = st->u.create_stream.name.s;
    s.off = st->off;
    s.len = st->len;
    uint32_t n = st->u.create_stream.n_columns;
    s.cols = pl_alloc(p, (n ? n : 1) * sizeof *s.cols);
    s.n_cols = n;
    if (!s.cols) return EDDY_E_NOMEM;
    if (n == 0) return pl_error(p, st->off, st->len, "a stream needs at least one column");
    for (uint32_t i = 0; i < n; i++) {
        const ast_column_def *c = st->u.create_stream.columns[i];
        for (uint32_t k = 0; k < i; k++)
            if (!strcmp(s.cols[k].name, c->name.s))
                return pl_error(p, c->name.off, c->name.len, "column \"%s\" specified more than once",
                                c->name.s);
        if (eddy_type_is_interval(c->type.type.id))
            return pl_error(p, c->type.off, c->type.len, "INTERVAL is not allowed as a column type");
        if (pl_is_rowtime_name(&c->name))
            return pl_error(p, c->name.off, c->name.len, "ROWTIME is a system column and cannot be declared");
        if (check_decimal(p, &c->type) != 0) return EDDY_E_SEMANTIC;
        s.cols[i] = (plan_col){c->name.s, c->type.type, !c->not_null, 0, 0};
    }
    /* Options. */
    const char *fmt = NULL, *start = NULL, *start_time = NULL, *reader = NULL, *cdel = NULL,
               *rdel = NULL, *reference = NULL;
    const ast_option *fmt_opt = NULL, *start_opt = NULL, *reader_opt = NULL, *row_path_opt = NULL, *part_opt = NULL;
    const char **paths = NULL;
    s.source.row_path = "$";
    for (uint32_t i = 0; i < st->u.create_stream.n_options; i++) {
        const ast_option *o = st->u.create_stream.options[i];
        const char *k = o->key.s, *v = NULL;
        if (opt_string(p, o, &v) != 0) return EDDY_E_SEMANTIC;
        if (!strncasecmp(k, "mapping.", 8)) {
            const char *col = k + 8;
            int hit = -1;
            for (uint32_t c = 0; c < n; c++)
                if (!strcmp(s.cols[c].name, col)) hit = (int)c;
            for (uint32_t c = 0; hit < 0 && c < n; c++)
                if (!strcasecmp(s.cols[c].name, col)) hit = (int)c;
            if (hit < 0)
                return pl_error(p, o->off, o->len, "mapping names column \"%s\", which the stream does not have",
                                col);
            if (v[0] != '$')
                return pl_error(p, o->off, o->len, "a JSON mapping path starts with $, as in '$.price'");
            if (!paths && !(paths = pl_alloc(p, n * sizeof *paths))) return EDDY_E_NOMEM;
            paths[hit] = v;
            continue;
        }
        if (!strcasecmp(k, "source")) s.source.stream = v;
        else if (!strcasecmp(k, "sink")) s.sink.stream = v;
        else if (!strcasecmp(k, "format")) fmt = v, fmt_opt = o;
        else if (!strcasecmp(k, "start")) start = v, start_opt = o;
        else if (!strcasecmp(k, "start_time")) start_time = v;
        else if (!strcasecmp(k, "reader")) reader = v, reader_opt = o;
        else if (!strcasecmp(k, "consumer")) s.source.consumer = v;
        else if (!strcasecmp(k, "shard_part")) part_opt = o;
        else if (!strcasecmp(k, "row_path")) s.source.row_path = v, row_path_opt = o;
        else if (!strcasecmp(k, "column_delimiter")) cdel = v;
        else if (!strcasecmp(k, "row_delimiter")) rdel = v;
        else if (!strcasecmp(k, "reference")) reference = v;
        else {
            pl_error(p, o->key.off, o->key.len, "unknown stream option \"%s\"", k);
            char list[256] = "";
            for (size_t j = 0; j < sizeof stream_options / sizeof stream_options[0]; j++) {
                strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, stream_options[j], sizeof list - strlen(list) - 1);
            }
            eddy_err_hint(p->err, "Valid options are %s.", list);
            return EDDY_E_SEMANTIC;
        }
    }
    const ast_option *any = st->u.create_stream.n_options ? st->u.create_stream.options[0] : NULL;
    if (s.source.stream && s.sink.stream)
        return pl_error(p, any->off, any->len, "a stream cannot have both a source and a sink");
    if (reference) {
        if (s.source.stream || s.sink.stream)
            return pl_error(p, any->off, any->len, "a reference table cannot have a source or a sink");
        s.kind = CAT_TABLE;
        s.source.stream = reference;
    }
    if (part_opt) {
        /* 'k/n': the k-th of n in-application streams that share the
         * stored stream's shards, as KDA's InputParallelism makes them. */
        const char *v = NULL;
        unsigned k = 0, nn = 0;
        int used = 0;
        if (opt_string(p, part_opt, &v) != 0) return EDDY_E_SEMANTIC;
        if (sscanf(v, " %u / %u %n", &k, &nn, &used) != 2 || v[used] != '\0' || nn < 1 || nn > 64 || k < 1 || k > nn)
            return pl_error(p, part_opt->off, part_opt->len,
                            "shard_part must be 'k/n' with 1 <= k <= n <= 64, as in '2/3'");
        if (!s.source.stream || reference)
            return pl_error(p, part_opt->off, part_opt->len, "shard_part needs a source option");
        s.source.part = k - 1;
        s.source.parts = nn;
    }
    if (!s.source.stream && !s.sink.stream && (fmt || start || reader || paths || cdel || rdel)) {
        return pl_error(p, any->off, any->len, "binding options need a source or a sink option");
    }
    plan_format pf = PLAN_FMT_JSON;
    if (fmt) {
        if (!strcasecmp(fmt, "json")) pf = PLAN_FMT_JSON;
        else if (!strcasecmp(fmt, "csv")) pf = PLAN_FMT_CSV;
        else return pl_error(p, fmt_opt->off, fmt_opt->len, "format must be 'json' or 'csv'");
    }
    s.source.format = s.sink.format = pf;
    const char *rp = s.source.row_path;
    if (row_path_opt && (rp[0] != '$' || strchr(rp, ':') || strchr(rp, '*'))) {
        pl_unsupported(p, row_path_opt->off, row_path_opt->len, "a row path that is not a plain JSONPath ($.a.b, $.a[0])");
        eddy_err_hint(p->err, "To make a row of each array element, flatten in the column mappings: "
                              "'mapping.ITEM' = '$.orders[0:].item'.");
        return p->err->code;
    }
    if (start) {
        if (!strcasecmp(start, "latest") || !strcasecmp(start, "now")) s.source.start = PLAN_START_LATEST;
        else if (!strcasecmp(start, "trim_horizon")) s.source.start = PLAN_START_TRIM_HORIZON;
        else if (!strcasecmp(start, "at_timestamp")) s.source.start = PLAN_START_AT_TIMESTAMP;
        else
            return pl_error(p, start_opt->off, start_opt->len,
                            "start must be 'latest', 'trim_horizon' or 'at_timestamp'");
        if (s.source.start == PLAN_START_AT_TIMESTAMP) {
            if (!start_time || eddy_ts_parse(start_time, strlen(start_time), &s.source.start_ms) != 0)
                return pl_error(p, start_opt->off, start_opt->len,
                                "start 'at_timestamp' needs start_time = 'YYYY-MM-DD HH:MM:SS'");
        }
    }
    if (reader) {
        if (!strcasecmp(reader, "classic") || !strcasecmp(reader, "polling")) s.source.reader = PLAN_READER_CLASSIC;
        else if (!strcasecmp(reader, "fanout") || !strcasecmp(reader, "fan-out")) s.source.reader = PLAN_READER_FANOUT;
        else return pl_error(p, reader_opt->off, reader_opt->len, "reader must be 'classic' or 'fanout'");
    }
    snprintf(s.source.col_delim, sizeof s.source.col_delim, ",");
    snprintf(s.source.row_delim, sizeof s.source.row_delim, "\n");
    for (uint32_t i = 0; i < st->u.create_stream.n_options; i++) {
        const ast_option *o = st->u.create_stream.options[i];
        const char *v;
        if (!strcasecmp(o->key.s, "column_delimiter") && opt_string(p, o, &v) == 0 &&
            opt_delim(p, o, v, s.source.col_delim) != 0)
            return EDDY_E_SEMANTIC;
        if (!strcasecmp(o->key.s, "row_delimiter") && opt_string(p, o, &v) == 0 &&
            opt_delim(p, o, v, s.source.row_delim) != 0)
            return EDDY_E_SEMANTIC;
    }
    memcpy(s.sink.col_delim, s.source.col_delim, sizeof s.sink.col_delim);
    if (s.source.stream && pf == PLAN_FMT_JSON) {
        if (!paths && !(paths = pl_alloc(p, n * sizeof *paths))) return EDDY_E_NOMEM;
        /* The default JSON key is the column name as written: an unquoted
         * ticker_symbol reads "ticker_symbol" although the column itself is
         * TICKER_SYMBOL; a quoted name is taken exactly. */
        for (uint32_t i = 0; i < n; i++) {
            const ast_name *cn = &st->u.create_stream.columns[i]->name;
            if (paths[i]) continue;
            if (!cn->quoted && cn->off + cn->len <= p->text_len)
                paths[i] = arena_sprintf(p->a, "$.%.*s", (int)cn->len, p->text + cn->off);
            else
                paths[i] = arena_sprintf(p->a, "$.%s", s.cols[i].name);
        }
        /* A row path other than $ locates each record inside the JSON
         * document: mappings are relative to it ($.price under row path
         * $.trade reads $.trade.price). A mapping that already starts with
         * the row path is taken as written, so both spellings that KDA
         * schemas use work. */
        size_t rl = strlen(rp);
        if (rl > 1) {
            for (uint32_t i = 0; i < n; i++) {
                const char *m = paths[i];
                if (!strncmp(m, rp, rl) && (m[rl] == '\0' || m[rl] == '.' || m[rl] == '[')) continue;
                if (!(paths[i] = arena_sprintf(p->a, "%s%s", rp, m[0] == '$' ? m + 1 : m))) return EDDY_E_NOMEM;
            }
        }
    } else if (paths) {
        return pl_error(p, any->off, any->len, "mapping paths apply to JSON sources only");
    }
    s.source.paths = paths;
    if (!dry) {
        int rc = catalog_add_stream(p->cat, &s, st->u.create_stream.or_replace, p->err);
        if (rc != 0) {
            p->err->off = st->u.create_stream.name.off;
            p->err->len = st->u.create_stream.name.len;
            p->err->has_pos = 1;
            return rc;
        }
    }
    out->kind = PLAN_R_DDL;
    out->message = s.kind == CAT_TABLE ? "CREATE TABLE" : "CREATE STREAM";
    const char *name = arena_strdup(p->a, s.name);
    plan_col *cols = pl_alloc(p, n * sizeof *cols);
    if (!name || !cols) return EDDY_E_NOMEM;
    memcpy(cols, s.cols, n * sizeof *cols);
    if (s.kind == CAT_STREAM && s.source.stream) {
        /* The ingest pipeline: stored stream -> decode -> the in-app stream. */
        plan_node *src = pl_node(p, PLAN_SOURCE, 0, st->off, st->len);
        plan_node *dec = pl_node(p, PLAN_DECODE, 1, st->off, st->len);
        plan_node *pump = pl_node(p, PLAN_PUMP, 1, st->off, st->len);
        if (!src || !dec || !pump) return EDDY_E_NOMEM;
        src->u.source.stream = s.source.stream;
        src->u.source.reader = s.source.reader;
        src->u.source.start = s.source.start;
        src->u.source.start_ms = s.source.start_ms;
        src->u.source.consumer = s.source.consumer;
        src->u.source.part = s.source.part;
        src->u.source.parts = s.source.parts;
        src->out.rowtime = PLAN_RT_ARRIVAL;
        src->out.ordered = 1;
        dec->inputs[0] = src;
        dec->u.decode.format = pf;
        dec->u.decode.row_path = s.source.row_path;
        dec->u.decode.paths = paths;
        memcpy(dec->u.decode.col_delim, s.source.col_delim, 8);
        memcpy(dec->u.decode.row_delim, s.source.row_delim, 8);
        dec->u.decode.in_stream = name;
        dec->out.cols = cols;
        dec->out.n_cols = n;
        dec->out.rowtime = PLAN_RT_ARRIVAL;
        dec->out.ordered = 1;
        pump->inputs[0] = dec;
        pump->u.pump.target = name;
        pump->u.pump.target_cols = pl_alloc(p, n * sizeof(uint32_t));
        if (!pump->u.pump.target_cols) return EDDY_E_NOMEM;
        for (uint32_t i = 0; i < n; i++) pump->u.pump.target_cols[i] = i;
        pump->out = dec->out;
        out->root = pump;
    } else if (s.sink.stream) {
        plan_node *scan = pl_node(p, PLAN_STREAM_SCAN, 0, st->off, st->len);
        plan_node *sink = pl_node(p, PLAN_SINK, 1, st->off, st->len);
        if (!scan || !sink) return EDDY_E_NOMEM;
        scan->u.stream_scan.stream = name;
        scan->out.cols = cols;
        scan->out.n_cols = n;
        scan->out.rowtime = PLAN_RT_INPUT;
        scan->out.ordered = 1;
        sink->inputs[0] = scan;
        sink->u.sink.stream = s.sink.stream;
        sink->u.sink.from = name;
        sink->u.sink.format = pf;
        memcpy(sink->u.sink.col_delim, s.sink.col_delim, 8);
        sink->out = scan->out;
        out->root = sink;
    }
    return 0;
}

/* ---- INSERT / CREATE PUMP -------------------------------------------------- */

static plan_node *plan_insert(pl *p, const ast_insert *ins, const char *pump_name) {
    const cat_stream *t = catalog_stream(p->cat, ins->stream.s);
    if (!t) {
        catalog_not_found(p->cat, "stream", ins->stream.s, p->err);
        p->err->off = ins->stream.off;
        p->err->len = ins->stream.len;
        p->err->has_pos = 1;
        return NULL;
    }
    if (t->kind != CAT_STREAM) {
        pl_error(p, ins->stream.off, ins->stream.len, "cannot insert into %s \"%s\"",
                 t->kind == CAT_TABLE ? "reference table" : "the system stream", t->name);
        return NULL;
    }
    uint32_t nt = ins->n_columns ? ins->n_columns : t->n_cols;
    uint32_t *tcols = pl_alloc(p, (nt ? nt : 1) * sizeof *tcols);
    if (!tcols) return NULL;
    for (uint32_t i = 0; i < nt; i++) {
        if (!ins->n_columns) {
            tcols[i] = i;
            continue;
        }
        const ast_name *c = &ins->columns[i];
        int hit = -1;
        for (uint32_t k = 0; k < t->n_cols; k++)
            if (!strcmp(t->cols[k].name, c->s)) hit = (int)k;
        if (hit < 0) {
            pl_error(p, c->off, c->len, "column \"%s\" of stream \"%s\" does not exist", c->s, t->name);
            for (uint32_t k = 0; k < t->n_cols; k++)
                if (!strcasecmp(t->cols[k].name, c->s))
                    eddy_err_hint(p->err, "Perhaps you meant \"%s\"; quoted names are case-sensitive.",
                                  t->cols[k].name);
            return NULL;
        }
        for (uint32_t k = 0; k < i; k++)
            if (tcols[k] == (uint32_t)hit) {
                pl_error(p, c->off, c->len, "column \"%s\" specified more than once", c->s);
                return NULL;
            }
        tcols[i] = (uint32_t)hit;
    }
    int is_stream = 0;
    p->pump_select = 1;
    plan_node *q = pl_plan_query(p, ins->query, 1, &is_stream);
    p->pump_select = 0;
    if (!q) return NULL;
    if (!is_stream) {
        pl_error(p, ins->query->off, ins->query->len, "a pump must read a stream");
        return NULL;
    }
    for (uint32_t i = 0; i < p->n_reads; i++)
        if (!strcmp(p->reads[i], t->name)) {
            pl_error(p, ins->stream.off, ins->stream.len, "%s \"%s\" reads the stream it writes",
                     pump_name ? "pump" : "INSERT", pump_name ? pump_name : t->name);
            return NULL;
        }
    if (q->out.n_cols != nt) {
        pl_error(p, ins->query->off, ins->query->len, "INSERT has %s expressions than target columns",
                 q->out.n_cols > nt ? "more" : "fewer");
        eddy_err_hint(p->err, "The query returns %u columns; \"%s\" takes %u here.", q->out.n_cols,
                      t->name, nt);
        return NULL;
    }
    /* Types: the dialect wants matching types; widening casts are inserted. */
    const plan_node *proj = q;
    while (proj && proj->kind != PLAN_PROJECT && proj->n_inputs) proj = proj->inputs[0];
    int need_cast = 0;
    for (uint32_t i = 0; i < nt; i++) {
        eddy_type from = q->out.cols[i].type, to = t->cols[tcols[i]].type;
        /* Numbers assign to any numeric column (KDA examples insert COUNT(*)
         * into INTEGER columns); the cast range-checks each row at run time
         * and sends overflowing rows to error_stream. */
        int same_kind = from.id == to.id || (eddy_type_is_string(from.id) && eddy_type_is_string(to.id)) ||
                        (eddy_type_is_numeric(from.id) && eddy_type_is_numeric(to.id));
        if (!same_kind && udf_implicit_cast_cost(from.id, to.id) < 0) {
            char a[48], b[48];
            eddy_type_format(to, a, sizeof a);
            eddy_type_format(from, b, sizeof b);
            uint32_t off = ins->query->off, len = ins->query->len;
            if (proj == q && proj->kind == PLAN_PROJECT) {
                off = proj->u.project.exprs[i]->off;
                len = proj->u.project.exprs[i]->len;
            }
            pl_error(p, off, len, "column \"%s\" is of type %s but expression is of type %s",
                     t->cols[tcols[i]].name, a, b);
            eddy_err_hint(p->err, "Add an explicit CAST.");
            return NULL;
        }
        if (from.id != to.id || (to.id == EDDY_T_DECIMAL && from.scale != to.scale)) need_cast = 1;
    }
    if (need_cast) {
        plan_node *pj = pl_node(p, PLAN_PROJECT, 1, ins->query->off, ins->query->len);
        plan_expr **xs = pl_alloc(p, nt * sizeof *xs);
        plan_col *cols = pl_alloc(p, nt * sizeof *cols);
        if (!pj || !xs || !cols) return NULL;
        for (uint32_t i = 0; i < nt; i++) {
            cols[i] = q->out.cols[i];
            cols[i].type = t->cols[tcols[i]].type;
            if (!(xs[i] = pl_cast(p, pl_colref(p, i, &q->out.cols[i], ins->query->off, ins->query->len),
                                  cols[i].type)))
                return NULL;
        }
        pj->inputs[0] = q;
        pj->u.project.exprs = xs;
        pj->out = q->out;
        pj->out.cols = cols;
        q = pj;
    }
    plan_node *pump = pl_node(p, PLAN_PUMP, 1, ins->off, ins->len);
    if (!pump) return NULL;
    pump->inputs[0] = q;
    pump->u.pump.name = pump_name;
    pump->u.pump.target = t->name;
    pump->u.pump.target_cols = tcols;
    pump->out = q->out;
    return pump;
}

static int plan_create_pump(pl *p, const ast_stmt *st, int dry, plan_result *out) {
    const char *name = st->u.create_pump.name.s;
    if (!st->u.create_pump.or_replace && catalog_pump(p->cat, name))
        return pl_error(p, st->u.create_pump.name.off, st->u.create_pump.name.len,
                        "pump \"%s\" already exists", name);
    plan_node *root = plan_insert(p, st->u.create_pump.insert, name);
    if (!root) return p->err->code ? p->err->code : EDDY_E_SEMANTIC;
    if (!dry) {
        cat_pump cp = {.name = name, .target = root->u.pump.target, .reads = p->reads,
                       .n_reads = p->n_reads, .off = st->off, .len = st->len};
        cp.sql = arena_strndup(p->a, p->text + st->off, st->len);
        int rc = catalog_add_pump(p->cat, &cp, st->u.create_pump.or_replace, p->err);
        if (rc != 0) return rc;
    }
    out->kind = PLAN_R_PUMP;
    out->message = "CREATE PUMP";
    out->root = root;
    return 0;
}

/* ---- CREATE FUNCTION -------------------------------------------------------- */

static int plan_create_function(pl *p, const ast_stmt *st, int dry, plan_result *out) {
    uint32_t n = st->u.create_function.n_params;
    cat_function f;
    memset(&f, 0, sizeof f);
    f.name = st->u.create_function.name.s;
    f.n_params = n;
    f.ret = st->u.create_function.returns.type;
    if (check_decimal(p, &st->u.create_function.returns) != 0) return EDDY_E_SEMANTIC;
    f.deterministic = st->u.create_function.deterministic != 0;
    f.null_on_null = st->u.create_function.on_null == AST_ONNULL_RETURNS_NULL;
    f.params = pl_alloc(p, (n ? n : 1) * sizeof *f.params);
    plan_expr **vals = pl_alloc(p, (n ? n : 1) * sizeof *vals);
    if (!f.params || !vals) return EDDY_E_NOMEM;
    if (udf_exists(p->reg, f.name)) {
        const ast_name *nm = &st->u.create_function.name;
        return pl_error(p, nm->off, nm->len, "function \"%s\" is built in and cannot be redefined", f.name);
    }
    for (uint32_t i = 0; i < n; i++) {
        const ast_param *pa = st->u.create_function.params[i];
        for (uint32_t k = 0; k < i; k++)
            if (!strcmp(f.params[k].name, pa->name.s))
                return pl_error(p, pa->off, pa->len, "parameter \"%s\" is declared twice", pa->name.s);
        if (check_decimal(p, &pa->type) != 0) return EDDY_E_SEMANTIC;
        f.params[i] = (cat_param){pa->name.s, pa->type.type};
        plan_col c = {pa->name.s, pa->type.type, 1, 0, 0};
        if (!(vals[i] = pl_colref(p, i, &c, pa->off, pa->len))) return EDDY_E_NOMEM;
    }
    /* Type-check the body once with the parameters as placeholders. */
    pl_scope fs;
    memset(&fs, 0, sizeof fs);
    fs.params = f.params;
    fs.param_vals = vals;
    fs.n_params = n;
    const ast_expr *body = st->u.create_function.body;
    pl_aggctx forbid = {.mode = PL_AGG_FORBID, .clause = "a function body"};
    plan_expr *b = pl_expr(p, body, &fs, &forbid);
    if (!b) return p->err->code;
    if (b->type.id != f.ret.id && udf_implicit_cast_cost(b->type.id, f.ret.id) < 0 &&
        !(eddy_type_is_string(b->type.id) && eddy_type_is_string(f.ret.id))) {
        char a[48], c[48];
        eddy_type_format(b->type, a, sizeof a);
        eddy_type_format(f.ret, c, sizeof c);
        return pl_error(p, body->off, body->len, "function body returns %s, not the declared %s", a, c);
    }
    f.sql = arena_strndup(p->a, p->text + st->off, st->len);
    if (!f.sql) return EDDY_E_NOMEM;
    if (!dry) {
        int rc = catalog_add_function(p->cat, &f, st->u.create_function.or_replace, p->err);
        if (rc != 0) {
            p->err->off = st->u.create_function.name.off;
            p->err->len = st->u.create_function.name.len;
            p->err->has_pos = 1;
            return rc;
        }
    }
    out->kind = PLAN_R_DDL;
    out->message = "CREATE FUNCTION";
    return 0;
}

/* ---- the entry point ------------------------------------------------------------ */

static int plan_stmt(pl *p, const ast_stmt *st, int dry, plan_result *out) {
    switch (st->kind) {
    case AST_S_QUERY: {
        int is_stream = 0;
        plan_node *n = pl_plan_query(p, st->u.query, 2, &is_stream);
        if (!n) return p->err->code ? p->err->code : EDDY_E_SEMANTIC;
        out->kind = PLAN_R_QUERY;
        out->message = "SELECT";
        out->root = n;
        return 0;
    }
    case AST_S_CREATE_STREAM: return plan_create_stream(p, st, dry, out);
    case AST_S_CREATE_PUMP: return plan_create_pump(p, st, dry, out);
    case AST_S_CREATE_FUNCTION: return plan_create_function(p, st, dry, out);
    case AST_S_INSERT: {
        plan_node *n = plan_insert(p, st->u.insert, NULL);
        if (!n) return p->err->code ? p->err->code : EDDY_E_SEMANTIC;
        out->kind = PLAN_R_PUMP;
        out->message = "INSERT";
        out->root = n;
        return 0;
    }
    case AST_S_DROP: {
        const ast_name *nm = &st->u.drop.name;
        int rc = 0;
        if (!dry) {
            switch (st->u.drop.what) {
            case AST_OBJ_STREAM: rc = catalog_drop_stream(p->cat, nm->s, st->u.drop.if_exists, p->err); break;
            case AST_OBJ_PUMP: rc = catalog_drop_pump(p->cat, nm->s, st->u.drop.if_exists, p->err); break;
            case AST_OBJ_FUNCTION:
                rc = catalog_drop_function(p->cat, nm->s, st->u.drop.if_exists, p->err);
                break;
            }
        }
        if (rc != 0) {
            p->err->off = nm->off;
            p->err->len = nm->len;
            p->err->has_pos = 1;
            return rc;
        }
        out->kind = PLAN_R_DDL;
        out->message = st->u.drop.what == AST_OBJ_STREAM ? "DROP STREAM"
                       : st->u.drop.what == AST_OBJ_PUMP ? "DROP PUMP" : "DROP FUNCTION";
        return 0;
    }
    case AST_S_SHOW:
        out->kind = PLAN_R_SHOW;
        out->message = "SHOW";
        return 0;
    case AST_S_DESCRIBE: {
        const ast_name *nm = &st->u.describe.name;
        const cat_stream *s = catalog_stream(p->cat, nm->s);
        if (!s) {
            catalog_not_found(p->cat, "stream", nm->s, p->err);
            p->err->off = nm->off;
            p->err->len = nm->len;
            p->err->has_pos = 1;
            return EDDY_E_SEMANTIC;
        }
        out->kind = PLAN_R_DESCRIBE;
        out->message = "DESCRIBE";
        out->stream = s;
        return 0;
    }
    case AST_S_EXPLAIN: {
        const ast_stmt *inner = st->u.explain.stmt;
        if (!inner) return eddy_err_set(p->err, EDDY_E_NOMEM, "out of memory");
        if (inner->kind == AST_S_EXPLAIN)
            return pl_error(p, inner->off, inner->len, "EXPLAIN cannot explain EXPLAIN");
        int rc = plan_stmt(p, inner, 1, out);
        if (rc != 0) return rc;
        out->explain_inner = (int)out->kind;
        out->kind = PLAN_R_EXPLAIN;
        return 0;
    }
    }
    return pl_unsupported(p, st->off, st->len, "this statement");
}

int planner_plan_stmt(catalog *cat, const udf_registry *reg, const ast_stmt *st,
                      const char *text, size_t text_len, arena *a, plan_result *out,
                      eddy_err *err) {
    memset(out, 0, sizeof *out);
    eddy_err_clear(err);
    if (!reg) reg = udf_registry_default();
    if (!reg) return eddy_err_set(err, EDDY_E_NOMEM, "out of memory building the function registry");
    if (!st) return eddy_err_set(err, EDDY_E_INVAL, "no statement to plan");
    pl p = {.a = a, .cat = cat, .reg = reg, .text = text, .text_len = text_len, .err = err};
    int rc = plan_stmt(&p, st, 0, out);
    if (rc == 0 && a->failed) rc = eddy_err_set(err, EDDY_E_NOMEM, "out of memory while planning");
    if (rc != 0 && !err->code) rc = eddy_err_set(err, rc, "%s", eddy_strerror(rc));
    if (rc != 0) memset(out, 0, sizeof *out);
    return rc;
}
