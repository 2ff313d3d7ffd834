/*
 * check_runtime_decode.c — unit tests of runtime/ batches and record
 * decoding: batch building, ref/move, the verifier; JSON path mapping and
 * the coercion table of SQL.md §1.2; malformed JSON; CSV delimiters and
 * quoting; the JSON scanner's fast paths (integers, timestamps, string
 * skipping) against the general ones.
 */
#include "check_main.h"

#include <string.h>

#include "batch.h"
#include "decode.h"
#include "sbuf.h"

static eddy_type T(eddy_type_id id, int p, int s) { return (eddy_type){id, p, s}; }

/* ---------------------------------------------------------------- batch */

START_TEST(test_batch_basic) {
    eddy_type ts[3] = {T(EDDY_T_INTEGER, 0, 0), T(EDDY_T_DOUBLE, 0, 0), T(EDDY_T_VARCHAR, 8, 0)};
    eddy_err err;
    eddy_err_clear(&err);
    rt_batch *b = rt_batch_new(ts, 3, &err);
    ck_assert_ptr_nonnull(b);
    for (int i = 0; i < 5; i++) {
        uint32_t r = rt_batch_begin_row(b, 1000 + i);
        rt_batch_set_i64(b, 0, r, i);
        if (i != 2) rt_batch_set_f64(b, 1, r, i * 0.5);
        ck_assert_int_eq(rt_batch_set_str(b, 2, r, "abc", 3), 0);
        rt_batch_commit_row(b);
    }
    ck_assert_uint_eq(b->n_rows, 5);
    ck_assert(rt_col_is_null(&b->cols[1], 2));
    ck_assert(!rt_col_is_null(&b->cols[1], 3));
    eddy_value v;
    rt_batch_get(b, 2, 4, &v);
    ck_assert_uint_eq(v.u.s.n, 3);
    ck_assert(memcmp(v.u.s.p, "abc", 3) == 0);
    ck_assert_int_eq(rt_batch_verify(b, &err), 0);

    /* Selection: keep rows 1 and 3; a copy takes only those. */
    b->has_sel = 1;
    b->sel[0] = 1;
    b->sel[1] = 3;
    b->n_sel = 2;
    ck_assert_int_eq(rt_batch_verify(b, &err), 0);
    rt_batch *c = rt_batch_new(ts, 3, &err);
    ck_assert_int_eq(rt_batch_append_live(c, b, &err), 0);
    ck_assert_uint_eq(c->n_rows, 2);
    ck_assert_int_eq(c->cols[0].v.i64[1], 3);
    ck_assert_int_eq(c->rowtime[0], 1001);

    /* A broken selection is caught. */
    b->sel[1] = 0;
    ck_assert_int_eq(rt_batch_verify(b, &err), EDDY_E_INTERNAL);
    b->has_sel = 0;
    b->cols[0].type.id = EDDY_T_TINYINT;
    b->cols[0].v.i64[0] = 500;
    ck_assert_int_eq(rt_batch_verify(b, &err), EDDY_E_INTERNAL);
    ck_assert(strstr(err.msg, "out of range") != NULL);
    b->cols[0].type.id = EDDY_T_INTEGER;

    /* ref shares; move transfers and clears the old owner. */
    rt_batch *shared = rt_batch_ref(b);
    ck_assert_ptr_eq(shared, b);
    rt_batch_release(shared);
    rt_batch *moved = rt_batch_move(&b);
    ck_assert_ptr_null(b);
    rt_batch_release(moved);
    rt_batch_reset(c);
    ck_assert_uint_eq(c->n_rows, 0);
    rt_batch_release(c);
}
END_TEST

/* ---------------------------------------------------------------- JSON */

typedef struct fixture {
    rt_decoder *d;
    rt_batch *b;
    eddy_err err;
    const char *err_name;
} fixture;

static void fx_open(fixture *f, rt_format fmt, const rt_col_spec *cols, uint32_t n, const rt_decode_opts *o) {
    eddy_err_clear(&f->err);
    f->err_name = NULL;
    f->d = rt_decoder_new(fmt, cols, n, o, &f->err);
    ck_assert_msg(f->d != NULL, "%s", f->err.msg);
    uint32_t nc;
    const eddy_type *ts = rt_decoder_types(f->d, &nc);
    f->b = rt_batch_new(ts, nc, &f->err);
    ck_assert_ptr_nonnull(f->b);
}

static void fx_close(fixture *f) {
    rt_decoder_free(f->d);
    rt_batch_release(f->b);
}

static int dec(fixture *f, const char *rec) {
    eddy_err_clear(&f->err);
    f->err_name = NULL;
    return rt_decode_record(f->d, rec, strlen(rec), 42, f->b, &f->err_name, &f->err);
}

static int64_t I(fixture *f, uint32_t c, uint32_t r) {
    ck_assert_msg(!rt_col_is_null(&f->b->cols[c], r), "column %u row %u is NULL", c, r);
    return f->b->cols[c].v.i64[r];
}

static void S(fixture *f, uint32_t c, uint32_t r, const char *want) {
    ck_assert_msg(!rt_col_is_null(&f->b->cols[c], r), "column %u row %u is NULL", c, r);
    rt_str s = f->b->cols[c].v.str[r];
    ck_assert_msg(s.n == strlen(want) && memcmp(s.p, want, s.n) == 0, "got '%.*s' want '%s'", (int)s.n, s.p,
                  want);
}

START_TEST(test_json_paths) {
    rt_col_spec cols[] = {
        {"A", T(EDDY_T_INTEGER, 0, 0), "$.a"},
        {"ABC", T(EDDY_T_VARCHAR, 20, 0), "$.a2.b.c"},
        {"E0", T(EDDY_T_BIGINT, 0, 0), "$.arr[1]"},
        {"WHOLE", T(EDDY_T_VARCHAR, 100, 0), "$.arr[0:]"},
        {"OBJ", T(EDDY_T_VARCHAR, 100, 0), "$.a2"},
        {"MISSING", T(EDDY_T_DOUBLE, 0, 0), "$.nope"},
        {"Case", T(EDDY_T_INTEGER, 0, 0), "$.A"},
        {"a", T(EDDY_T_VARCHAR, 0, 0), NULL},
    };
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 8, NULL);
    int rc = dec(&f, " {\"x\": [1, {\"deep\": [true, null]}], \"a\": -7, \"a2\": {\"b\": {\"c\": \"h\\u00e9\\n\"}},"
                     " \"arr\": [10, 20, 30], \"A\": 5} ");
    ck_assert_msg(rc == 1, "rc %d: %s", rc, f.err.msg);
    ck_assert_int_eq(I(&f, 0, 0), -7);
    S(&f, 1, 0, "h\xc3\xa9\n");
    ck_assert_int_eq(I(&f, 2, 0), 20);
    S(&f, 3, 0, "[10, 20, 30]");
    S(&f, 4, 0, "{\"b\": {\"c\": \"h\\u00e9\\n\"}}");
    ck_assert(rt_col_is_null(&f.b->cols[5], 0));
    ck_assert_int_eq(I(&f, 6, 0), 5);  /* paths are case-sensitive */
    S(&f, 7, 0, "-7");                   /* default mapping $.<name>; number → text */
    ck_assert_int_eq(f.b->rowtime[0], 42);

    /* Two documents in one record make two rows; null and missing are NULL. */
    rc = dec(&f, "{\"a\": null}\n{\"arr\": [1]}");
    ck_assert_int_eq(rc, 2);
    ck_assert(rt_col_is_null(&f.b->cols[0], 1));
    ck_assert(rt_col_is_null(&f.b->cols[2], 2));
    S(&f, 3, 2, "[1]");
    /* A non-object record maps nothing. */
    ck_assert_int_eq(dec(&f, "[1,2]"), 1);
    ck_assert(rt_col_is_null(&f.b->cols[0], 3));
    /* An escaped key still matches its mapping; "ab" is not "a". */
    ck_assert_int_eq(dec(&f, "{\"ab\": 1, \"\\u0061\": 9, \"a2\": 3}"), 1);
    ck_assert_int_eq(I(&f, 0, 4), 9);
    S(&f, 4, 4, "3");
    ck_assert_int_eq(rt_batch_verify(f.b, &f.err), 0);
    fx_close(&f);
}
END_TEST

START_TEST(test_json_coercions) {
    rt_col_spec cols[] = {
        {"TI", T(EDDY_T_TINYINT, 0, 0), "$.ti"},        /* 0 */
        {"I", T(EDDY_T_INTEGER, 0, 0), "$.i"},          /* 1 */
        {"DEC", T(EDDY_T_DECIMAL, 5, 2), "$.dec"},      /* 2 */
        {"D", T(EDDY_T_DOUBLE, 0, 0), "$.d"},           /* 3 */
        {"B", T(EDDY_T_BOOLEAN, 0, 0), "$.b"},          /* 4 */
        {"V", T(EDDY_T_VARCHAR, 4, 0), "$.v"},          /* 5 */
        {"TS", T(EDDY_T_TIMESTAMP, 0, 0), "$.ts"},      /* 6 */
        {"DT", T(EDDY_T_DATE, 0, 0), "$.dt"},           /* 7 */
        {"TM", T(EDDY_T_TIME, 0, 0), "$.tm"},           /* 8 */
        {"C", T(EDDY_T_CHAR, 3, 0), "$.c"},             /* 9 */
        {"VB", T(EDDY_T_VARBINARY, 8, 0), "$.vb"},      /* 10 */
        {"R", T(EDDY_T_REAL, 0, 0), "$.r"},             /* 11 */
    };
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 12, NULL);
    int rc = dec(&f, "{\"ti\": true, \"i\": \"123\", \"dec\": 12.5, \"d\": \"1e3\", \"b\": \"TRUE\", \"v\": \"abcdef\","
                     " \"ts\": \"1992-02-14 18:35:44.0\", \"dt\": \"1992-02-14\", \"tm\": \"18:35:44.250\", \"c\": \"x\","
                     " \"vb\": \"X'3F67A23A'\", \"r\": 1.5}");
    ck_assert_msg(rc == 1, "%s", f.err.msg);
    ck_assert_int_eq(I(&f, 0, 0), 1);
    ck_assert_int_eq(I(&f, 1, 0), 123);
    ck_assert_int_eq(I(&f, 2, 0), 1250);
    ck_assert(f.b->cols[3].v.f64[0] == 1000.0);
    ck_assert_int_eq(I(&f, 4, 0), 1);
    S(&f, 5, 0, "abcd");  /* truncated silently */
    ck_assert_int_eq(I(&f, 6, 0), 698092544000);
    ck_assert_int_eq(I(&f, 7, 0), 8079);
    ck_assert_int_eq(I(&f, 8, 0), 18 * 3600000 + 35 * 60000 + 44250);
    S(&f, 9, 0, "x  ");   /* CHAR(3) is fixed length */
    S(&f, 10, 0, "\x3f\x67\xa2\x3a");
    ck_assert(f.b->cols[11].v.f64[0] == 1.5);

    /* More accepted forms: 123.0 is an integer, false → 0, number → boolean. */
    ck_assert_int_eq(dec(&f, "{\"i\": 123.0, \"ti\": false, \"b\": 0, \"dec\": -1e2, \"v\": true, \"d\": -0.125}"), 1);
    ck_assert_int_eq(I(&f, 1, 1), 123);
    ck_assert_int_eq(I(&f, 0, 1), 0);
    ck_assert_int_eq(I(&f, 4, 1), 0);
    ck_assert_int_eq(I(&f, 2, 1), -10000);
    S(&f, 5, 1, "true");
    ck_assert(f.b->cols[3].v.f64[1] == -0.125);
    ck_assert_int_eq(dec(&f, "{\"b\": \"nope\", \"v\": {\"k\": 1}}"), 1);
    ck_assert_int_eq(I(&f, 4, 2), 0);
    S(&f, 5, 2, "{\"k\"");
    uint32_t rows = f.b->n_rows;

    /* Errors: the record is rejected whole, with a reason. */
    struct { const char *rec, *msg; } bad[] = {
        {"{\"ti\": 300}", "coercion error: value 300 does not fit TINYINT for column TI"},
        {"{\"i\": 123.4}", "coercion error: value 123.4 does not fit INTEGER for column I"},
        {"{\"i\": \"12x\"}", "coercion error: value 12x is not a valid INTEGER for column I"},
        {"{\"i\": 2147483648}", "does not fit INTEGER"},
        {"{\"dec\": 1234.5}", "does not fit DECIMAL(5,2)"},
        {"{\"dec\": 1.234}", "does not fit DECIMAL(5,2)"},
        {"{\"i\": [1]}", "cannot convert an array to INTEGER for column I"},
        {"{\"ts\": 5}", "cannot convert a number to TIMESTAMP"},
        {"{\"ts\": \"yesterday\"}", "is not a valid TIMESTAMP"},
        {"{\"dt\": true}", "cannot convert true to DATE"},
        {"{\"vb\": \"X'3F6'\"}", "is not a binary literal"},
        {"{\"r\": 1e300}", "does not fit REAL"},
        {"{\"d\": 1e999}", "does not fit DOUBLE"},
        {"{\"i\": 1, \"v\": 2} {\"ti\": 999}", "does not fit TINYINT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = dec(&f, bad[i].rec);
        ck_assert_msg(rc == EDDY_E_RUNTIME, "%s: rc %d", bad[i].rec, rc);
        ck_assert_msg(strstr(f.err.msg, bad[i].msg) != NULL, "%s: got '%s'", bad[i].rec, f.err.msg);
        ck_assert_str_eq(f.err_name, RT_ERR_NAME_COERCION);
        ck_assert_uint_eq(f.b->n_rows, rows);
    }
    fx_close(&f);
}
END_TEST

START_TEST(test_json_malformed) {
    rt_col_spec cols[] = {{"A", T(EDDY_T_INTEGER, 0, 0), "$.a"}, {"S", T(EDDY_T_VARCHAR, 0, 0), "$.s.t"}};
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 2, NULL);
    const char *bad[] = {"{", "{\"a\"", "{\"a\":", "{\"a\": 1", "{\"a\" 1}", "{\"a\": 1,}", "{\"x\": [1,}",
                         "{\"x\": {\"y\" 1}}", "{\"s\": \"abc", "{\"a\": tru}", "{\"s\": {\"t\": \"\\q\"}}",
                         "{\"a\": 1}}", "{\"x\": [[[[[[[[[[", "\"\\", "{\"s\": {\"t\": \"\\u12\"}}", "@"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = dec(&f, bad[i]);
        ck_assert_msg(rc == EDDY_E_RUNTIME, "'%s' rc %d", bad[i], rc);
        ck_assert_str_eq(f.err_name, RT_ERR_NAME_PARSE);
        ck_assert_msg(strncmp(f.err.msg, "malformed JSON", 14) == 0, "%s", f.err.msg);
    }
    ck_assert_uint_eq(f.b->n_rows, 0);
    /* Deep nesting far past the skipper's stack is an error, not a crash. */
    size_t n = 200000;
    char *deep = malloc(n + 20);
    strcpy(deep, "{\"x\": ");
    memset(deep + 6, '[', n);
    deep[n + 6] = '\0';
    ck_assert_int_eq(dec(&f, deep), EDDY_E_RUNTIME);
    ck_assert(strstr(f.err.msg, "too deep") != NULL);
    free(deep);
    /* Whitespace only: no rows, no error. */
    ck_assert_int_eq(dec(&f, " \n "), 0);
    fx_close(&f);
}
END_TEST

START_TEST(test_json_bad_mappings) {
    eddy_err err;
    struct { const char *m; int code; } bad[] = {
        {"a", EDDY_E_INVAL}, {"$.", EDDY_E_INVAL}, {"$.a[", EDDY_E_INVAL}, {"$.a[x]", EDDY_E_INVAL},
        {"$.a[1:]", EDDY_E_INVAL}, {"$.arr[0:]x", EDDY_E_INVAL}, {"$a", EDDY_E_INVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rt_col_spec c = {"C", T(EDDY_T_VARCHAR, 10, 0), bad[i].m};
        eddy_err_clear(&err);
        rt_decoder *d = rt_decoder_new(RT_FMT_JSON, &c, 1, NULL, &err);
        ck_assert_msg(d == NULL && err.code == bad[i].code, "%s: %d", bad[i].m, err.code);
    }
    rt_col_spec c = {"C", T(EDDY_T_INTEGER, 0, 0), "$.arr[0:]"};
    ck_assert_ptr_null(rt_decoder_new(RT_FMT_JSON, &c, 1, NULL, &err));
    ck_assert(strstr(err.msg, "CHAR or VARCHAR") != NULL);
}
END_TEST

/* Flattening: one row per element of the one flattened array; the other
 * columns repeat; the array taken whole still works beside it; an empty or
 * absent array gives one row of NULL element columns; a second flattened
 * array is refused. */
START_TEST(test_json_flatten) {
    rt_col_spec cols[] = {
        {"CUSTOMER", T(EDDY_T_VARCHAR, 20, 0), "$.customerName"},
        {"ORDER_ID", T(EDDY_T_INTEGER, 0, 0), "$.orders[0:].orderId"},
        {"ITEM", T(EDDY_T_VARCHAR, 20, 0), "$.orders[0:].itemName"},
        {"CITY", T(EDDY_T_VARCHAR, 20, 0), "$.address.city"},
        {"ALL", T(EDDY_T_VARCHAR, 200, 0), "$.orders[0:]"},
        {"FIRST", T(EDDY_T_VARCHAR, 20, 0), "$.orders[0].itemName"},
    };
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 6, NULL);
    int rc = dec(&f, "{\"customerName\":\"John Doe\",\"orders\":[{\"orderId\":\"23284\",\"itemName\":\"Widget\"},"
                     "{\"orderId\":63122,\"itemName\":\"Gadget\"}, {\"itemName\":\"Sprocket\"}],"
                     "\"address\":{\"city\":\"Anytown\"}}");
    ck_assert_msg(rc == 3, "rc %d: %s", rc, f.err.msg);
    for (uint32_t r = 0; r < 3; r++) {
        S(&f, 0, r, "John Doe");
        S(&f, 3, r, "Anytown");  /* read after the array, still on every row */
        S(&f, 5, r, "Widget");
        ck_assert_int_eq(f.b->rowtime[r], 42);
    }
    ck_assert_int_eq(I(&f, 1, 0), 23284);
    ck_assert_int_eq(I(&f, 1, 1), 63122);
    ck_assert(rt_col_is_null(&f.b->cols[1], 2));  /* a missing field of an element */
    S(&f, 2, 0, "Widget");
    S(&f, 2, 1, "Gadget");
    S(&f, 2, 2, "Sprocket");
    ck_assert(strncmp(f.b->cols[4].v.str[0].p, "[{\"orderId\"", 11) == 0);
    ck_assert_int_eq(rt_batch_verify(f.b, &f.err), 0);

    /* Empty, absent or non-array: one row, element columns NULL. */
    ck_assert_int_eq(dec(&f, "{\"customerName\":\"A\",\"orders\":[]}"), 1);
    ck_assert_int_eq(dec(&f, "{\"customerName\":\"B\"}"), 1);
    ck_assert_int_eq(dec(&f, "{\"customerName\":\"C\",\"orders\":{\"itemName\":\"x\"}}"), 1);
    for (uint32_t r = 3; r < 6; r++) {
        ck_assert(rt_col_is_null(&f.b->cols[1], r));
        ck_assert(rt_col_is_null(&f.b->cols[2], r));
    }
    S(&f, 0, 5, "C");
    /* A coercion error in any element rejects the whole record. */
    uint32_t before = f.b->n_rows;
    ck_assert_int_eq(dec(&f, "{\"orders\":[{\"orderId\":1},{\"orderId\":\"x\"}]}"), EDDY_E_RUNTIME);
    ck_assert_uint_eq(f.b->n_rows, before);
    /* Elements that are not objects, and malformed arrays. */
    ck_assert_int_eq(dec(&f, "{\"orders\":[1, \"two\", null]}"), 3);
    ck_assert_int_eq(dec(&f, "{\"orders\":[{\"orderId\":1},]}"), EDDY_E_RUNTIME);
    ck_assert_int_eq(dec(&f, "{\"orders\":[{\"orderId\":1}"), EDDY_E_RUNTIME);
    fx_close(&f);

    /* Rows follow the array even when no element column is needed. */
    fx_open(&f, RT_FMT_JSON, cols, 6, NULL);
    uint8_t needed[6] = {1, 0, 0, 0, 0, 0};
    ck_assert_int_eq(rt_decoder_set_needed(f.d, needed, &f.err), 0);
    ck_assert_int_eq(dec(&f, "{\"customerName\":\"D\",\"orders\":[{},{},{},{}]}"), 4);
    S(&f, 0, 3, "D");
    fx_close(&f);

    /* A record with more elements than a batch holds is refused whole. */
    fx_open(&f, RT_FMT_JSON, cols, 6, NULL);
    sbuf big;
    sbuf_init(&big);
    sbuf_puts(&big, "{\"orders\":[");
    for (uint32_t i = 0; i <= RT_BATCH_CAP; i++) sbuf_puts(&big, i ? ",{\"orderId\":1}" : "{\"orderId\":1}");
    sbuf_puts(&big, "]}");
    ck_assert_int_eq(dec(&f, big.data), EDDY_E_LIMIT);
    ck_assert_uint_eq(f.b->n_rows, 0);
    sbuf_free(&big);
    fx_close(&f);

    /* Only one array may be flattened. */
    rt_col_spec two[] = {{"X", T(EDDY_T_INTEGER, 0, 0), "$.a[0:].x"}, {"Y", T(EDDY_T_INTEGER, 0, 0), "$.b[0:].y"}};
    eddy_err err;
    eddy_err_clear(&err);
    ck_assert_ptr_null(rt_decoder_new(RT_FMT_JSON, two, 2, NULL, &err));
    ck_assert(strstr(err.msg, "only one array") != NULL);
    rt_col_spec nested[] = {{"X", T(EDDY_T_INTEGER, 0, 0), "$.a[0:].b[0:].x"}};
    ck_assert_ptr_null(rt_decoder_new(RT_FMT_JSON, nested, 1, NULL, &err));
}
END_TEST

START_TEST(test_json_batch_full) {
    rt_col_spec cols[] = {{"A", T(EDDY_T_INTEGER, 0, 0), "$.a"}};
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 1, NULL);
    for (uint32_t i = 0; i < RT_BATCH_CAP - 1; i++) ck_assert_int_eq(dec(&f, "{\"a\":1}"), 1);
    /* Two documents but room for one: nothing is appended. */
    ck_assert_int_eq(dec(&f, "{\"a\":1}{\"a\":2}"), EDDY_E_LIMIT);
    ck_assert_uint_eq(f.b->n_rows, RT_BATCH_CAP - 1);
    ck_assert_int_eq(dec(&f, "{\"a\":3}"), 1);
    ck_assert_int_eq(dec(&f, "{\"a\":4}"), EDDY_E_LIMIT);
    fx_close(&f);
}
END_TEST

/* ---------------------------------------------------------------- CSV */

START_TEST(test_csv) {
    rt_col_spec cols[] = {
        {"SYM", T(EDDY_T_VARCHAR, 4, 0), NULL},
        {"PRICE", T(EDDY_T_DECIMAL, 8, 2), NULL},
        {"QTY", T(EDDY_T_INTEGER, 0, 0), NULL},
    };
    fixture f;
    fx_open(&f, RT_FMT_CSV, cols, 3, NULL);
    int rc = dec(&f, "AMZN,12.50,7,extra,fields\n\"A,\"\"B\",1,\n\nX\nY,,\n");
    ck_assert_msg(rc == 4, "rc %d %s", rc, f.err.msg);
    S(&f, 0, 0, "AMZN");
    ck_assert_int_eq(I(&f, 1, 0), 1250);
    ck_assert_int_eq(I(&f, 2, 0), 7);
    S(&f, 0, 1, "A,\"B");
    ck_assert_int_eq(I(&f, 1, 1), 100);
    ck_assert(rt_col_is_null(&f.b->cols[2], 1));
    S(&f, 0, 2, "X");
    ck_assert(rt_col_is_null(&f.b->cols[1], 2));
    ck_assert(rt_col_is_null(&f.b->cols[2], 3));
    ck_assert_int_eq(dec(&f, "A,1.234,1"), EDDY_E_RUNTIME);
    ck_assert_str_eq(f.err_name, RT_ERR_NAME_COERCION);
    ck_assert_int_eq(dec(&f, "\"A,1,1"), EDDY_E_RUNTIME);
    ck_assert_str_eq(f.err_name, RT_ERR_NAME_PARSE);
    ck_assert_int_eq(dec(&f, "\"A\"x,1,1"), EDDY_E_RUNTIME);
    ck_assert_uint_eq(f.b->n_rows, 4);
    fx_close(&f);

    /* Multi-byte delimiters. */
    rt_decode_opts o = {"\r\n", "||"};
    fx_open(&f, RT_FMT_CSV, cols, 3, &o);
    rc = dec(&f, "AB||1||2\r\nC|D||3.5||-4\r\n");
    ck_assert_msg(rc == 2, "%s", f.err.msg);
    S(&f, 0, 1, "C|D");
    ck_assert_int_eq(I(&f, 1, 1), 350);
    ck_assert_int_eq(I(&f, 2, 1), -4);
    fx_close(&f);

    eddy_err err;
    rt_decode_opts same = {",", ","};
    ck_assert_ptr_null(rt_decoder_new(RT_FMT_CSV, cols, 3, &same, &err));
    ck_assert_int_eq(err.code, EDDY_E_INVAL);
}
END_TEST

/* ---------------------------------------------------------------- needed columns */

START_TEST(test_needed_columns) {
    rt_col_spec cols[] = {
        {"A", T(EDDY_T_INTEGER, 0, 0), "$.a"},
        {"NAME", T(EDDY_T_VARCHAR, 20, 0), "$.n"},
        {"TS", T(EDDY_T_TIMESTAMP, 0, 0), "$.t"},
        {"INNER", T(EDDY_T_BIGINT, 0, 0), "$.o.x"},
        {"OUTER", T(EDDY_T_VARCHAR, 100, 0), "$.o"},
    };
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 5, NULL);
    const char *bad_ts = "{\"n\":\"x\",\"t\":\"not a time\",\"a\":7,\"o\":{\"x\":5,\"y\":[1,{\"z\":\"\\\"\"}]}}";
    ck_assert_int_eq(dec(&f, bad_ts), EDDY_E_RUNTIME); /* every column decoded: TS rejects it */
    ck_assert_str_eq(f.err_name, RT_ERR_NAME_COERCION);

    /* Only A and INNER: TS is skipped, so its bad value no longer matters;
     * OUTER's object is walked only for x. */
    uint8_t need[5] = {1, 0, 0, 1, 0};
    ck_assert_int_eq(rt_decoder_set_needed(f.d, need, &f.err), 0);
    ck_assert_int_eq(dec(&f, bad_ts), 1);
    ck_assert_int_eq(I(&f, 0, 0), 7);
    ck_assert_int_eq(I(&f, 3, 0), 5);
    ck_assert(rt_col_is_null(&f.b->cols[1], 0));
    ck_assert(rt_col_is_null(&f.b->cols[2], 0));
    ck_assert(rt_col_is_null(&f.b->cols[4], 0));
    /* Skipped values are still checked: malformed JSON is rejected anywhere. */
    ck_assert_int_eq(dec(&f, "{\"a\":1,\"n\":\"unterminated}"), EDDY_E_RUNTIME);
    ck_assert_str_eq(f.err_name, RT_ERR_NAME_PARSE);
    ck_assert_int_eq(dec(&f, "{\"a\":1,\"t\":[1,2}"), EDDY_E_RUNTIME);
    ck_assert_int_eq(dec(&f, "{\"t\":tru,\"a\":1}"), EDDY_E_RUNTIME);

    /* None needed: rows still come, all NULL, one per document. */
    uint8_t none[5] = {0};
    ck_assert_int_eq(rt_decoder_set_needed(f.d, none, &f.err), 0);
    ck_assert_int_eq(dec(&f, "{\"a\":1} {\"a\":\"x\"}"), 2);
    ck_assert(rt_col_is_null(&f.b->cols[0], 2));

    /* NULL restores every column. */
    ck_assert_int_eq(rt_decoder_set_needed(f.d, NULL, &f.err), 0);
    ck_assert_int_eq(dec(&f, bad_ts), EDDY_E_RUNTIME);
    ck_assert_int_eq(dec(&f, "{\"a\":2,\"n\":\"nm\",\"t\":\"2024-01-02 03:04:05\",\"o\":{\"x\":9}}"), 1);
    S(&f, 1, 3, "nm");
    ck_assert_int_eq(I(&f, 3, 3), 9);
    S(&f, 4, 3, "{\"x\":9}");
    ck_assert(!rt_col_is_null(&f.b->cols[2], 3));
    fx_close(&f);

    /* CSV: unneeded fields are not coerced. */
    rt_col_spec csv[] = {
        {"SYM", T(EDDY_T_VARCHAR, 4, 0), NULL},
        {"QTY", T(EDDY_T_INTEGER, 0, 0), NULL},
    };
    fx_open(&f, RT_FMT_CSV, csv, 2, NULL);
    ck_assert_int_eq(dec(&f, "AB,notanumber\n"), EDDY_E_RUNTIME);
    uint8_t need_sym[2] = {1, 0};
    ck_assert_int_eq(rt_decoder_set_needed(f.d, need_sym, &f.err), 0);
    ck_assert_int_eq(dec(&f, "AB,notanumber\n"), 1);
    S(&f, 0, 0, "AB");
    ck_assert(rt_col_is_null(&f.b->cols[1], 0));
    fx_close(&f);
}
END_TEST

/* ---------------------------------------------------------------- fast paths */

/* Decodes one record into a fresh decoder with the single column `c` and
 * reports acceptance and the value (integer, or a double's bits). */
static int dec_one(rt_col_spec c, const char *rec, int64_t *out) {
    fixture f;
    fx_open(&f, RT_FMT_JSON, &c, 1, NULL);
    int rc = dec(&f, rec);
    *out = 0;
    if (rc == 1 && !rt_col_is_null(&f.b->cols[0], 0)) *out = f.b->cols[0].v.i64[0];  /* f64 by its bits */
    if (rc < 0) ck_assert_str_eq(f.err_name, RT_ERR_NAME_COERCION);
    fx_close(&f);
    return rc;
}

/* Plain JSON integers take a shortcut into integer columns; they must land
 * exactly where the general number parser puts the same text given as a
 * JSON string, in every numeric column type, at every edge. */
START_TEST(test_json_fast_integers) {
    static const char *nums[] = {
        "0", "-0", "7", "-7", "007", "-007", "00000000", "127", "128", "-128", "-129", "255", "32767", "32768",
        "-32768", "-32769", "999", "1000", "-999", "-1000", "12345678", "-12345678", "123456789", "99999999",
        "100000000", "2147483647", "2147483648", "-2147483648", "-2147483649", "999999999999999999",
        "-999999999999999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "00000000000000000001", "1.0", "1.5", "1e2", "-1E2",
        "12.50", "0.0",
    };
    static const eddy_type_id ids[] = {EDDY_T_TINYINT, EDDY_T_SMALLINT, EDDY_T_INTEGER, EDDY_T_BIGINT,
                                       EDDY_T_DECIMAL, EDDY_T_REAL,     EDDY_T_DOUBLE};
    static const char *shapes[] = {"{\"a\":%s}", "{\"a\": %s }", "{ \"a\" :\n%s\n, \"b\": 1}", "{\"b\":\"x\",\"a\":%s,\"c\":[1]}",
                                   "{\"a\":%s,\"b\":\"xxxxxxxxxxxxxxxxxxxx\"}"};
    char rec[160], ref[160];
    for (size_t t = 0; t < sizeof ids / sizeof ids[0]; t++) {
        rt_col_spec c = {"A", T(ids[t], ids[t] == EDDY_T_DECIMAL ? 5 : 0, ids[t] == EDDY_T_DECIMAL ? 2 : 0), "$.a"};
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
            int64_t want, got;
            snprintf(ref, sizeof ref, "{\"a\":\"%s\"}", nums[i]);
            int want_rc = dec_one(c, ref, &want);
            for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
                snprintf(rec, sizeof rec, shapes[k], nums[i]);
                int rc = dec_one(c, rec, &got);
                ck_assert_msg(rc == want_rc && got == want, "%s as %s: rc %d value %lld, general path rc %d value %lld",
                              rec, eddy_type_name(ids[t]), rc, (long long)got, want_rc, (long long)want);
            }
        }
    }
    /* Spot checks of the values themselves. */
    rt_col_spec big = {"A", T(EDDY_T_BIGINT, 0, 0), "$.a"};
    int64_t v;
    ck_assert_int_eq(dec_one(big, "{\"a\":-0}", &v), 1);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(dec_one(big, "{\"a\":00042}", &v), 1);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(dec_one(big, "{\"a\":12345678}", &v), 1);
    ck_assert_int_eq(v, 12345678);
    ck_assert_int_eq(dec_one(big, "{\"a\":-87654321,\"b\":0}", &v), 1);
    ck_assert_int_eq(v, -87654321);
    ck_assert_int_eq(dec_one(big, "{\"a\":-9223372036854775808}", &v), 1);
    ck_assert(v == INT64_MIN);
    ck_assert_int_eq(dec_one(big, "{\"a\":9223372036854775808}", &v), EDDY_E_RUNTIME);
    rt_col_spec tiny = {"A", T(EDDY_T_TINYINT, 0, 0), "$.a"};
    ck_assert_int_eq(dec_one(tiny, "{\"a\":-128}", &v), 1);
    ck_assert_int_eq(v, -128);
    ck_assert_int_eq(dec_one(tiny, "{\"a\":128}", &v), EDDY_E_RUNTIME);
    /* A number glued to more number characters is no plain integer. */
    ck_assert_int_eq(dec_one(big, "{\"a\":12-3}", &v), EDDY_E_RUNTIME);
    ck_assert_int_eq(dec_one(big, "{\"a\":123e}", &v), EDDY_E_RUNTIME);
    ck_assert_int_eq(dec_one(big, "{\"a\":-}", &v), EDDY_E_RUNTIME);
    ck_assert_int_eq(dec_one(big, "{\"a\":--1}", &v), EDDY_E_RUNTIME);
    /* Numbers ending at the very end of the record, whole-record numbers. */
    rt_col_spec root = {"A", T(EDDY_T_BIGINT, 0, 0), "$"};
    const char *tops[] = {"1", "1234567", "12345678", "-12345678", "123456789", "1234567 ", " 12345678\n"};
    const int64_t topv[] = {1, 1234567, 12345678, -12345678, 123456789, 1234567, 12345678};
    for (size_t i = 0; i < sizeof tops / sizeof tops[0]; i++) {
        ck_assert_msg(dec_one(root, tops[i], &v) == 1, "%s", tops[i]);
        ck_assert_int_eq(v, topv[i]);
    }
    /* Into text and booleans the number's text still decides. */
    rt_col_spec txt = {"A", T(EDDY_T_VARCHAR, 0, 0), "$.a"};
    fixture f;
    fx_open(&f, RT_FMT_JSON, &txt, 1, NULL);
    ck_assert_int_eq(dec(&f, "{\"a\":-007}"), 1);
    S(&f, 0, 0, "-007");
    fx_close(&f);
    rt_col_spec bo = {"A", T(EDDY_T_BOOLEAN, 0, 0), "$.a"};
    ck_assert_int_eq(dec_one(bo, "{\"a\":0002}", &v), 1);
    ck_assert_int_eq(v, 1);
}
END_TEST

/* 'YYYY-MM-DD HH:MM:SS[.fff]' has a fixed-layout shortcut; every string must
 * give what the general parser gives (a leading blank forces that one). */
START_TEST(test_json_fast_timestamps) {
    static const char *ts[] = {
        "2024-02-29 12:00:00", "2024-02-29 12:00:00.5", "2024-02-29 12:00:00.12", "2024-02-29 12:00:00.123",
        "2024-02-29 12:00:00.1234", "2023-02-29 00:00:00.000", "2026-02-30 10:11:12.999", "1900-02-29 00:00:00",
        "2000-02-29 23:59:59.999", "1970-01-01 00:00:00.000", "1969-12-31 23:59:59.999", "0001-01-01 00:00:00",
        "9999-12-31 23:59:59.999", "2024-13-01 00:00:00", "2024-00-10 00:00:00", "2024-01-00 00:00:00",
        "2024-01-32 00:00:00", "2024-01-31 24:00:00", "2024-01-31 23:60:00", "2024-01-31 23:59:60",
        "2024-01-31 23:59:60.500", "2024-01-31T23:59:59.500", "2024-01-31 23:59:59,500", "2024-01-31 23:59:59.",
        "2024-01-31 23:59:59.5x", "2024-01-31 23:59:5a", "2024-1-31 23:59:59", "2024-01-31 23:59:59.123Z",
        "2024-01-31 23:59", "2024-01-31", "abcd-ef-gh ij:kl:mn.opq", "2024-01-31 23:59:59.12\\u0033",
    };
    rt_col_spec c = {"TS", T(EDDY_T_TIMESTAMP, 0, 0), "$.t"};
    char rec[128];
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        int64_t want, got;
        snprintf(rec, sizeof rec, "{\"t\":\" %s\"}", ts[i]);
        int want_rc = dec_one(c, rec, &want);
        snprintf(rec, sizeof rec, "{\"t\":\"%s\"}", ts[i]);
        int rc = dec_one(c, rec, &got);
        ck_assert_msg(rc == want_rc && got == want, "%s: rc %d value %lld, general path rc %d value %lld", ts[i], rc,
                      (long long)got, want_rc, (long long)want);
    }
    int64_t v;
    ck_assert_int_eq(dec_one(c, "{\"t\":\"2024-02-29 12:00:00\"}", &v), 1);
    ck_assert_int_eq(v, 1709208000000LL);
    ck_assert_int_eq(dec_one(c, "{\"t\":\"2024-02-29 12:00:00.123\"}", &v), 1);
    ck_assert_int_eq(v, 1709208000123LL);
    ck_assert_int_eq(dec_one(c, "{\"t\":\"1969-12-31 23:59:59.999\"}", &v), 1);
    ck_assert_int_eq(v, -1);
    ck_assert_int_eq(dec_one(c, "{\"t\":\"2024-13-01 00:00:00\"}", &v), EDDY_E_RUNTIME);

    /* The last date's day number is remembered; dates that come back and
     * forth still convert right. */
    fixture f;
    fx_open(&f, RT_FMT_JSON, &c, 1, NULL);
    const char *seq[] = {"2024-02-29 23:59:59.999", "2024-03-01 00:00:00.000", "2024-02-29 00:00:00.001",
                         "2024-13-01 00:00:00.000", "2024-02-29 00:00:00.002"};
    const int64_t seqv[] = {1709251199999LL, 1709251200000LL, 1709164800001LL, 0, 1709164800002LL};
    uint32_t row = 0;
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        snprintf(rec, sizeof rec, "{\"t\":\"%s\"}", seq[i]);
        if (!seqv[i]) {
            ck_assert_int_eq(dec(&f, rec), EDDY_E_RUNTIME);
            continue;
        }
        ck_assert_int_eq(dec(&f, rec), 1);
        ck_assert_int_eq(I(&f, 0, row), seqv[i]);
        row++;
    }
    fx_close(&f);
}
END_TEST

/* Strings are skipped sixteen bytes at a time: quotes and escapes at every
 * position around that window, mapped and skipped, and unterminated ones. */
START_TEST(test_json_fast_strings) {
    rt_col_spec cols[] = {{"S", T(EDDY_T_VARCHAR, 0, 0), "$.s"}, {"A", T(EDDY_T_INTEGER, 0, 0), "$.a"}};
    fixture f;
    fx_open(&f, RT_FMT_JSON, cols, 2, NULL);
    uint8_t only_a[2] = {0, 1};
    char rec[400], raw[128], want[128];
    uint32_t row = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) ck_assert_int_eq(rt_decoder_set_needed(f.d, only_a, &f.err), 0);
        for (int len = 0; len <= 40; len++) {
            for (int esc = -1; esc < len; esc++) {
                /* len bytes of text; an escaped quote at esc (none for -1). */
                int rn = 0, wn = 0;
                for (int i = 0; i < len; i++) {
                    if (i == esc) {
                        raw[rn++] = '\\';
                        raw[rn++] = '"';
                        want[wn++] = '"';
                    } else {
                        raw[rn++] = (char)('a' + i % 26);
                        want[wn++] = (char)('a' + i % 26);
                    }
                }
                raw[rn] = want[wn] = '\0';
                snprintf(rec, sizeof rec, "{\"s\":\"%s\",\"%s\":1,\"a\":%d}", raw, raw, len);
                ck_assert_msg(dec(&f, rec) == 1, "%s: %s", rec, f.err.msg);
                if (pass == 0) S(&f, 0, row, want);
                else ck_assert(rt_col_is_null(&f.b->cols[0], row));
                ck_assert_int_eq(I(&f, 1, row), len);
                row++;
                if (row == RT_BATCH_CAP) {
                    rt_batch_reset(f.b);
                    row = 0;
                }
                /* Cut anywhere inside the string: unterminated. */
                size_t cut = 6 + (size_t)rn - (size_t)(len % 3);
                if (cut > 6) {
                    ck_assert_int_eq(rt_decode_record(f.d, rec, cut, 0, f.b, &f.err_name, &f.err), EDDY_E_RUNTIME);
                    ck_assert_str_eq(f.err_name, RT_ERR_NAME_PARSE);
                }
            }
        }
        /* Trailing backslash, backslash right before the end. */
        ck_assert_int_eq(dec(&f, "{\"s\":\"abc\\"), EDDY_E_RUNTIME);
        ck_assert_int_eq(dec(&f, "{\"s\":\"abcdefghijklmnopqrstuvwxyz\\"), EDDY_E_RUNTIME);
        ck_assert_int_eq(dec(&f, "{\"a\":1,\"s\":\"abcdefghijklmnopqrstuvwxyz\\\""), EDDY_E_RUNTIME);
        ck_assert_str_eq(f.err_name, RT_ERR_NAME_PARSE);
    }
    /* Malformed JSON after the last mapped key is still rejected. */
    const char *bad[] = {"{\"a\":1,\"b\":[1,}", "{\"a\":1,\"b\":tru}", "{\"a\":1,\"b\":\"abc}", "{\"a\":1,\"b\":1 2}",
                         "{\"a\":1,\"b\":{\"c\" 1}}", "{\"a\":1,\"b\":\"x\"", "{\"a\":1,\"b\":\"x\",}", "{\"a\":1 \"b\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(dec(&f, bad[i]) == EDDY_E_RUNTIME, "%s", bad[i]);
        ck_assert_str_eq(f.err_name, RT_ERR_NAME_PARSE);
    }
    /* Blanks anywhere between tokens. */
    ck_assert_int_eq(dec(&f, " \t{ \"b\" :\r\n\"x\" ,\t\"a\"\n:\n 5 \n, \"c\" : [ 1 , { } ] } \n"), 1);
    ck_assert_int_eq(I(&f, 1, f.b->n_rows - 1), 5);
    fx_close(&f);
}
END_TEST

static Suite *suite_runtime_decode(void) {
    Suite *s = suite_create("runtime_decode");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_batch_basic);
    tcase_add_test(tc, test_json_paths);
    tcase_add_test(tc, test_json_coercions);
    tcase_add_test(tc, test_json_malformed);
    tcase_add_test(tc, test_json_bad_mappings);
    tcase_add_test(tc, test_json_batch_full);
    tcase_add_test(tc, test_json_flatten);
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_needed_columns);
    tcase_add_test(tc, test_json_fast_integers);
    tcase_add_test(tc, test_json_fast_timestamps);
    tcase_add_test(tc, test_json_fast_strings);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_runtime_decode)
