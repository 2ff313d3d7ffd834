/*
 * check_cli_repl.c — unit tests of the REPL's statement scanner and result
 * rendering (cli/repl_scan.c, cli/repl_out.c). Those files belong to the
 * `eddy` executable, not to a library, so they are compiled in here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"

#include "../../cli/repl_out.c"
#include "../../cli/repl_scan.c"

static size_t end_of(const char *s) { return repl_stmt_end(s, strlen(s), NULL); }

START_TEST(test_stmt_end_plain) {
    ck_assert_uint_eq(end_of("SELECT 1;"), 9);
    ck_assert_uint_eq(end_of("SELECT 1; SELECT 2;"), 9);
    ck_assert_uint_eq(end_of("SELECT 1"), 0);
    ck_assert_uint_eq(end_of(""), 0);
    ck_assert_uint_eq(end_of("SELECT\n  a\nFROM t\n;"), 19);
}
END_TEST

START_TEST(test_stmt_end_quoted) {
    repl_scan_state st;
    /* ';' inside a string, an identifier or comments does not end it. */
    const char *s1 = "SELECT 'a;b' FROM t;";
    ck_assert_uint_eq(end_of(s1), strlen(s1));
    const char *s2 = "SELECT 'it''s;' FROM t;";
    ck_assert_uint_eq(end_of(s2), strlen(s2));
    const char *s3 = "SELECT \"we;ird\" FROM t;";
    ck_assert_uint_eq(end_of(s3), strlen(s3));
    const char *s4 = "SELECT 1 -- a; comment\n;";
    ck_assert_uint_eq(end_of(s4), strlen(s4));
    const char *s5 = "SELECT /* ; */ 1;";
    ck_assert_uint_eq(end_of(s5), strlen(s5));
    /* Unfinished: the state says where the text ended. */
    ck_assert_uint_eq(repl_stmt_end("SELECT 'a;", 10, &st), 0);
    ck_assert_int_eq(st, REPL_SCAN_STRING);
    ck_assert_uint_eq(repl_stmt_end("SELECT \"a;", 10, &st), 0);
    ck_assert_int_eq(st, REPL_SCAN_IDENT);
    ck_assert_uint_eq(repl_stmt_end("SELECT /* a;", 12, &st), 0);
    ck_assert_int_eq(st, REPL_SCAN_BLOCK_COMMENT);
    ck_assert_uint_eq(repl_stmt_end("SELECT -- a;", 12, &st), 0);
    ck_assert_int_eq(st, REPL_SCAN_LINE_COMMENT);
    ck_assert_uint_eq(repl_stmt_end("SELECT 1 ", 9, &st), 0);
    ck_assert_int_eq(st, REPL_SCAN_NORMAL);
    /* '-' and '/' alone are operators, not comment openers. */
    ck_assert_uint_eq(end_of("SELECT 4-2/1;"), 13);
}
END_TEST

START_TEST(test_blank) {
    ck_assert(repl_stmt_blank("", 0));
    ck_assert(repl_stmt_blank("  \n\t;", 5));
    ck_assert(repl_stmt_blank("-- only a comment\n", 18));
    ck_assert(repl_stmt_blank("/* c */ ;", 9));
    ck_assert(!repl_stmt_blank("/* open", 7));
    ck_assert(!repl_stmt_blank("x", 1));
}
END_TEST

START_TEST(test_words) {
    const char *s = "  PRINT \"my\"\"s\" -- c\n 'x''y' trades.v1 ;";
    size_t off = 0;
    repl_word w;
    char buf[64];
    ck_assert_int_eq(repl_next_word(s, strlen(s), &off, &w), 0);
    ck_assert(repl_word_is(&w, "print"));
    ck_assert_int_eq(repl_next_word(s, strlen(s), &off, &w), 0);
    ck_assert_int_eq(w.quoted, 1);
    ck_assert_int_eq(repl_word_name(&w, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "my\"s");
    ck_assert_int_eq(repl_next_word(s, strlen(s), &off, &w), 0);
    ck_assert_int_eq(w.quote, '\'');
    ck_assert_int_eq(repl_word_name(&w, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "x'y");
    ck_assert_int_eq(repl_next_word(s, strlen(s), &off, &w), 0);
    ck_assert_int_eq(repl_word_name(&w, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "TRADES.V1");
    ck_assert_int_eq(repl_next_word(s, strlen(s), &off, &w), -1);
    ck_assert_int_eq(repl_word_name(&(repl_word){"abcdef", 6, 0, 0}, buf, 4), -1);
}
END_TEST

START_TEST(test_print_cmd) {
    repl_print_cmd p;
    char msg[256];
    const char *s = "PRINT trades FROM BEGINNING LIMIT 5;";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), 1);
    ck_assert_str_eq(p.name, "trades");
    ck_assert_str_eq(p.folded, "TRADES");
    ck_assert_int_eq(p.from_beginning, 1);
    ck_assert_int_eq(p.limit, 5);
    s = "print \"Raw-In\";";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), 1);
    ck_assert_str_eq(p.name, "Raw-In");
    ck_assert_int_eq(p.from_beginning, 0);
    ck_assert_int_eq(p.limit, -1);
    s = "SELECT STREAM * FROM t;";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), 0);
    s = "PRINT;";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), -1);
    ck_assert(strstr(msg, "stream name") != NULL);
    s = "PRINT t LIMIT x;";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), -1);
    s = "PRINT t FROM END;";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), -1);
    ck_assert(strstr(msg, "BEGINNING") != NULL);
    s = "PRINT t LIMIT 3 junk;";
    ck_assert_int_eq(repl_parse_print(s, strlen(s), &p, msg, sizeof msg), -1);
    ck_assert(strstr(msg, "junk") != NULL);
}
END_TEST

START_TEST(test_set_from) {
    int fb = -1;
    char msg[256];
    const char *s = "SET 'from' = 'beginning';";
    ck_assert_int_eq(repl_parse_set(s, strlen(s), &fb, msg, sizeof msg), 1);
    ck_assert_int_eq(fb, 1);
    s = "set 'auto.offset.reset'='latest';";
    ck_assert_int_eq(repl_parse_set(s, strlen(s), &fb, msg, sizeof msg), 1);
    ck_assert_int_eq(fb, 0);
    s = "SET 'from' = 'tomorrow';";
    ck_assert_int_eq(repl_parse_set(s, strlen(s), &fb, msg, sizeof msg), -1);
    ck_assert(strstr(msg, "tomorrow") != NULL);
    s = "SET 'colour' = 'red';";
    ck_assert_int_eq(repl_parse_set(s, strlen(s), &fb, msg, sizeof msg), -1);
    s = "SET from = 'latest';";
    ck_assert_int_eq(repl_parse_set(s, strlen(s), &fb, msg, sizeof msg), -1);
    s = "SELECT 1;";
    ck_assert_int_eq(repl_parse_set(s, strlen(s), &fb, msg, sizeof msg), 0);
}
END_TEST

START_TEST(test_classify) {
    char name[64];
    const char *s = "DESCRIBE EXTENDED trades;";
    ck_assert_int_eq(repl_parse_describe_extended(s, strlen(s), name, sizeof name), 1);
    ck_assert_str_eq(name, "TRADES");
    s = "DESCRIBE trades;";
    ck_assert_int_eq(repl_parse_describe_extended(s, strlen(s), name, sizeof name), 0);
    ck_assert(repl_is_query("-- c\n( SELECT STREAM 1;", 22));
    ck_assert(!repl_is_query("SHOW STREAMS;", 13));
    ck_assert(repl_is_ddl("create stream x (a int);", 24));
    ck_assert(!repl_is_ddl("EXPLAIN SELECT 1;", 17));
}
END_TEST

/* Runs fn against a memory stream and returns what it wrote (static). */
static char outbuf[4096];

static FILE *mem_open(void) {
    memset(outbuf, 0, sizeof outbuf);
    return fmemopen(outbuf, sizeof outbuf - 1, "w");
}

START_TEST(test_out_table_buffered) {
    FILE *f = mem_open();
    repl_out o;
    repl_out_init(&o, f);
    const char *names[] = {"NAME", "N"};
    repl_out_begin(&o, names, NULL, 2, 0);
    const char *r1[] = {"trades", "3"};
    const char *r2[] = {"x", NULL};
    repl_out_row(&o, r1, 2);
    repl_out_row(&o, r2, 2);
    repl_out_end(&o);
    fclose(f);
    ck_assert_str_eq(outbuf, " NAME   | N\n"
                             "--------+------\n"
                             " trades | 3\n"
                             " x      | NULL\n"
                             "(2 rows)\n");
    repl_out_free(&o);
}
END_TEST

START_TEST(test_out_push_widths) {
    FILE *f = mem_open();
    repl_out o;
    repl_out_init(&o, f);
    const char *names[] = {"SYM", "PRICE", "NOTE"};
    const char *types[] = {"VARCHAR(4)", "INTEGER", "VARCHAR(2)"};
    repl_out_begin(&o, names, types, 3, 1);
    const char *r1[] = {"ABCDEFG", "42", "the last column is never cut"};
    repl_out_row(&o, r1, 3);
    repl_out_end(&o);
    fclose(f);
    ck_assert_str_eq(outbuf, " SYM  | PRICE       | NOTE\n"
                             "------+-------------+------\n"
                             " ABC… |          42 | the last column is never cut\n"
                             "(1 row)\n");
    ck_assert_int_eq(repl_type_width("TIMESTAMP", "ROWTIME"), 23);
    ck_assert_int_eq(repl_type_width("VARCHAR(200)", "X"), 32);
    ck_assert_int_eq(repl_type_width("DECIMAL(8,2)", "X"), 10);
    ck_assert_uint_eq(repl_utf8_cells("héllo…"), 6);
    repl_out_free(&o);
}
END_TEST

START_TEST(test_out_csv_jsonl_expanded) {
    FILE *f = mem_open();
    repl_out o;
    repl_out_init(&o, f);
    o.mode = REPL_MODE_CSV;
    const char *names[] = {"A", "B"};
    const char *types[] = {"VARCHAR(8)", "DOUBLE"};
    const char *r1[] = {"x,\"y\"", "1.5"};
    const char *r2[] = {NULL, "2"};
    repl_out_begin(&o, names, types, 2, 1);
    repl_out_row(&o, r1, 2);
    repl_out_row(&o, r2, 2);
    repl_out_end(&o);
    o.mode = REPL_MODE_JSONL;
    repl_out_begin(&o, names, types, 2, 1);
    repl_out_row(&o, r1, 2);
    repl_out_row(&o, r2, 2);
    repl_out_end(&o);
    o.mode = REPL_MODE_TABLE;
    o.expanded = 1;
    repl_out_begin(&o, names, types, 2, 0);
    repl_out_row(&o, r2, 2);
    repl_out_end(&o);
    fclose(f);
    ck_assert_str_eq(outbuf, "A,B\n"
                             "\"x,\"\"y\"\"\",1.5\n"
                             ",2\n"
                             "{\"A\":\"x,\\\"y\\\"\",\"B\":1.5}\n"
                             "{\"A\":null,\"B\":2}\n"
                             "-[ RECORD 1 ]-----------------------\n"
                             "A | NULL\n"
                             "B | 2\n"
                             "(1 row)\n");
    repl_out_free(&o);
}
END_TEST

static Suite *suite_repl_scan(void) {
    Suite *s = suite_create("repl_scan");
    TCase *tc = tcase_create("scan");
    tcase_add_test(tc, test_stmt_end_plain);
    tcase_add_test(tc, test_stmt_end_quoted);
    tcase_add_test(tc, test_blank);
    tcase_add_test(tc, test_words);
    tcase_add_test(tc, test_print_cmd);
    tcase_add_test(tc, test_set_from);
    tcase_add_test(tc, test_classify);
    suite_add_tcase(s, tc);
    return s;
}

static Suite *suite_repl_out(void) {
    Suite *s = suite_create("repl_out");
    TCase *tc = tcase_create("out");
    tcase_add_test(tc, test_out_table_buffered);
    tcase_add_test(tc, test_out_push_widths);
    tcase_add_test(tc, test_out_csv_jsonl_expanded);
    suite_add_tcase(s, tc);
    return s;
}

EDDY_CHECK_MAIN(suite_repl_scan, suite_repl_out)
