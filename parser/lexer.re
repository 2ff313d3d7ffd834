/*
 * lexer.re — the SQL scanner (re2c). Generated into lexer.c by re2c; edit
 * this file, not the output.
 *
 * sql__lex() returns lemon's TK_* codes (from the generated grammar.h)
 * directly, so the driver passes them straight to the parser. Whitespace and
 * comments come back as SQL_LEX_SPACE for the driver to skip. Words are
 * looked up in the keyword table below (case-insensitive); anything else is
 * TK_ID. The scanner only finds token boundaries: string bodies and quoted
 * identifiers are decoded later by the grammar's actions.
 *
 * The text must be NUL-terminated at text[len] (the driver copies it); NULs
 * inside the text are ordinary characters because the end is detected by
 * comparing the cursor with the limit (re2c's sentinel-with-bounds method).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grammar.h"
#include "sql_parse_int.h"

/* Keywords, sorted by name for bsearch. A keyword missing here is an
 * identifier; non-reserved keywords also work as identifiers through the
 * grammar's %fallback. */
typedef struct kw {
    const char *name;
    int code;
} kw;

static const kw keywords[] = {
    {"ALL", TK_ALL},
    {"AND", TK_AND},
    {"AS", TK_AS},
    {"ASC", TK_ASC},
    {"BETWEEN", TK_BETWEEN},
    {"BOTH", TK_BOTH},
    {"BY", TK_BY},
    {"CALLED", TK_CALLED},
    {"CASE", TK_CASE},
    {"CAST", TK_CAST},
    {"CONTAINS", TK_CONTAINS},
    {"CREATE", TK_CREATE},
    {"CROSS", TK_CROSS},
    {"CURRENT", TK_CURRENT},
    {"CURRENT_DATE", TK_NILADIC},
    {"CURRENT_ROW_TIMESTAMP", TK_NILADIC},
    {"CURRENT_TIME", TK_NILADIC},
    {"CURRENT_TIMESTAMP", TK_NILADIC},
    {"CURSOR", TK_CURSOR},
    {"DATA", TK_DATA},
    {"DATE", TK_DATE},
    {"DAY", TK_DAY},
    {"DESC", TK_DESC},
    {"DESCRIBE", TK_DESCRIBE},
    {"DESCRIPTION", TK_DESCRIPTION},
    {"DETERMINISTIC", TK_DETERMINISTIC},
    {"DISTINCT", TK_DISTINCT},
    {"DROP", TK_DROP},
    {"ELSE", TK_ELSE},
    {"END", TK_END},
    {"ESCAPE", TK_ESCAPE},
    {"EXCEPT", TK_EXCEPT},
    {"EXISTS", TK_EXISTS},
    {"EXPEDITED", TK_EXPEDITED},
    {"EXPLAIN", TK_EXPLAIN},
    {"EXTENDED", TK_EXTENDED},
    {"FALSE", TK_FALSE},
    {"FIRST", TK_FIRST},
    {"FOLLOWING", TK_FOLLOWING},
    {"FOR", TK_FOR},
    {"FROM", TK_FROM},
    {"FULL", TK_FULL},
    {"FUNCTION", TK_FUNCTION},
    {"FUNCTIONS", TK_FUNCTIONS},
    {"GROUP", TK_GROUP},
    {"HAVING", TK_HAVING},
    {"HOUR", TK_HOUR},
    {"IF", TK_IF},
    {"IGNORE", TK_IGNORE},
    {"IN", TK_IN},
    {"INNER", TK_INNER},
    {"INPUT", TK_INPUT},
    {"INSERT", TK_INSERT},
    {"INTERSECT", TK_INTERSECT},
    {"INTERVAL", TK_INTERVAL},
    {"INTO", TK_INTO},
    {"IS", TK_IS},
    {"JOIN", TK_JOIN},
    {"LANGUAGE", TK_LANGUAGE},
    {"LAST", TK_LAST},
    {"LEADING", TK_LEADING},
    {"LEFT", TK_LEFT},
    {"LIKE", TK_LIKE},
    {"LIMIT", TK_LIMIT},
    {"LOCALTIME", TK_NILADIC},
    {"LOCALTIMESTAMP", TK_NILADIC},
    {"MINUTE", TK_MINUTE},
    {"MODIFIES", TK_MODIFIES},
    {"MONTH", TK_MONTH},
    {"NATURAL", TK_NATURAL},
    {"NO", TK_NO},
    {"NOT", TK_NOT},
    {"NULL", TK_NULL},
    {"NULLS", TK_NULLS},
    {"ON", TK_ON},
    {"OR", TK_OR},
    {"ORDER", TK_ORDER},
    {"OUTER", TK_OUTER},
    {"OVER", TK_OVER},
    {"PARTITION", TK_PARTITION},
    {"PLACING", TK_PLACING},
    {"PRECEDING", TK_PRECEDING},
    {"PRECISION", TK_PRECISION},
    {"PUMP", TK_PUMP},
    {"PUMPS", TK_PUMPS},
    {"RANGE", TK_RANGE},
    {"READS", TK_READS},
    {"REPLACE", TK_REPLACE},
    {"RESPECT", TK_RESPECT},
    {"RETURN", TK_RETURN},
    {"RETURNS", TK_RETURNS},
    {"RIGHT", TK_RIGHT},
    {"ROW", TK_ROW},
    {"ROWS", TK_ROWS},
    {"SECOND", TK_SECOND},
    {"SELECT", TK_SELECT},
    {"SHOW", TK_SHOW},
    {"SIMILAR", TK_SIMILAR},
    {"SPECIFIC", TK_SPECIFIC},
    {"SQL", TK_SQL},
    {"STAGGER", TK_STAGGER},
    {"STARTED", TK_STARTED},
    {"STREAM", TK_STREAM},
    {"STREAMS", TK_STREAMS},
    {"SYMMETRIC", TK_SYMMETRIC},
    {"TABLE", TK_TABLE},
    {"THEN", TK_THEN},
    {"TIME", TK_TIME},
    {"TIMESTAMP", TK_TIMESTAMP},
    {"TO", TK_TO},
    {"TRAILING", TK_TRAILING},
    {"TRUE", TK_TRUE},
    {"UESCAPE", TK_UESCAPE},
    {"UNBOUNDED", TK_UNBOUNDED},
    {"UNION", TK_UNION},
    {"UNKNOWN", TK_UNKNOWN},
    {"USING", TK_USING},
    {"VALUES", TK_VALUES},
    {"VARYING", TK_VARYING},
    {"WHEN", TK_WHEN},
    {"WHERE", TK_WHERE},
    {"WINDOW", TK_WINDOW},
    {"WINDOWED", TK_WINDOWED},
    {"WITH", TK_WITH},
    {"WITHIN", TK_WITHIN},
    {"YEAR", TK_YEAR},
};

/* Longest keyword is CURRENT_ROW_TIMESTAMP (21 bytes). */
#define KW_MAX 24

static int kw_cmp(const void *key, const void *elem) {
    return strcmp((const char *)key, ((const kw *)elem)->name);
}

int sql__keyword(const char *s, uint32_t n) {
    char up[KW_MAX];
    if (n == 0 || n >= KW_MAX) return 0;
    for (uint32_t i = 0; i < n; i++) {
        char c = s[i];
        up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    up[n] = '\0';
    const kw *k = bsearch(up, keywords, sizeof keywords / sizeof keywords[0], sizeof keywords[0],
                          kw_cmp);
    return k ? k->code : 0;
}

int sql__lex(const char *text, uint32_t len, uint32_t pos, sql_span *tok) {
    const char *YYCURSOR = text + pos;
    const char *YYLIMIT = text + len;
    const char *YYMARKER = YYCURSOR;
    const char *start = YYCURSOR;
#define RET(code)                                      \
    do {                                               \
        tok->off = (uint32_t)(start - text);           \
        tok->len = (uint32_t)(YYCURSOR - start);       \
        return (code);                                 \
    } while (0)
    /*!re2c
        re2c:define:YYCTYPE = "unsigned char";
        re2c:yyfill:enable = 0;
        re2c:eof = 0;

        digit = [0-9];
        hex = [0-9a-fA-F];
        ident_start = [a-zA-Z_] | [\x80-\xff];
        ident_char = [a-zA-Z0-9_$] | [\x80-\xff];
        integer = digit+;
        decimal = digit+ "." digit* | "." digit+;
        approx = (integer | decimal) [eE] [+-]? digit+;
        string_body = ([^'] | "''")*;

        $ { tok->off = len; tok->len = 0; return SQL_LEX_EOF; }

        [ \t\r\n\f\v]+ { RET(SQL_LEX_SPACE); }
        "--" [^\n]* { RET(SQL_LEX_SPACE); }
        "/*" ([^*] | "*"+ [^*/])* "*"+ "/" { RET(SQL_LEX_SPACE); }
        "/*" { YYCURSOR = YYLIMIT; RET(SQL_LEX_ERR_COMMENT); }

        "'" string_body "'" { RET(TK_STRING); }
        [uU] "&'" string_body "'" { RET(TK_USTRING); }
        [xX] "'" hex* "'" { RET(TK_BINSTRING); }
        [uU] "&'" | "'" { YYCURSOR = YYLIMIT; RET(SQL_LEX_ERR_STRING); }

        "\"" ([^"] | "\"\"")+ "\"" { RET(TK_ID); }
        "\"\"" { RET(SQL_LEX_ERR_IDENT); }
        "\"" { YYCURSOR = YYLIMIT; RET(SQL_LEX_ERR_IDENT); }

        approx { RET(TK_APPROX); }
        decimal { RET(TK_DECIMAL); }
        integer { RET(TK_INTEGER); }

        ident_start ident_char* {
            int code = sql__keyword(start, (uint32_t)(YYCURSOR - start));
            RET(code ? code : TK_ID);
        }

        "(" { RET(TK_LP); }
        ")" { RET(TK_RP); }
        "," { RET(TK_COMMA); }
        ";" { RET(TK_SEMI); }
        "." { RET(TK_DOT); }
        "*" { RET(TK_STAR); }
        "+" { RET(TK_PLUS); }
        "-" { RET(TK_MINUS); }
        "/" { RET(TK_SLASH); }
        "%" { RET(TK_PERCENT); }
        "||" { RET(TK_CONCAT); }
        "=" { RET(TK_EQ); }
        "<>" | "!=" { RET(TK_NE); }
        "<" { RET(TK_LT); }
        "<=" { RET(TK_LE); }
        ">" { RET(TK_GT); }
        ">=" { RET(TK_GE); }

        * { RET(SQL_LEX_ERR_CHAR); }
    */
#undef RET
}
