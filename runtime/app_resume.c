/*
 * app_resume.c — an application's input positions as a file, so that a
 * restarted server continues its hosted applications where they stopped
 * (rt_app_resume_write / rt_app_resume_read; saving them is in app.c).
 *
 * The file is small text, written whole through a temporary file, fsync
 * and rename:
 *   eddy-positions 3
 *   input <in-app stream, hex> <stored stream, hex>
 *   shard <shard id> <where> <finished 0|1> [<replay mark>]
 * where <where> is a sequence number (resume after it), =<sequence number>
 * (at it), @<arrival ms> (at the first record that arrived then or later)
 * or - (where the input's options say), and the replay mark is the
 * sequence number of the last record whose results were written: records
 * up to it that are read again only rebuild windows. Versions 1 (sequence
 * numbers and - only) and 2 (no marks) are read too. Then, per tumbling
 * window, where it takes records read again from (rt_app_floor):
 *   floor <operator index> <ROWTIME ms, or - for none>
 * and what other windows need to take those records (rt_app_opline; a
 * stagger window's open windows, for one):
 *   opstate <operator index> <operator kind> <text to the end of the line>
 *   end
 * Names are hex so that quoted identifiers with blanks survive.
 */
#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_replace.h"
#include "hex_field.h"

void rt_app_resume_free(rt_app_resume *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->inputs[i].stream);
        free(r->inputs[i].source);
        free(r->inputs[i].pos);
    }
    free(r->inputs);
    free(r->floors);
    for (size_t i = 0; i < r->n_oplines; i++) {
        free(r->oplines[i].kind);
        free(r->oplines[i].text);
    }
    free(r->oplines);
    r->inputs = NULL;
    r->n = 0;
    r->floors = NULL;
    r->n_floors = 0;
    r->oplines = NULL;
    r->n_oplines = 0;
}

int rt_app_resume_add_opline(rt_app_resume *r, uint32_t op, const char *kind, const char *text, size_t len) {
    rt_app_opline *v = realloc(r->oplines, (r->n_oplines + 1) * sizeof *v);
    if (!v) return EDDY_E_NOMEM;
    r->oplines = v;
    rt_app_opline *l = &r->oplines[r->n_oplines];
    l->op = op;
    l->kind = strdup(kind);
    l->text = strndup(text, len);
    if (!l->kind || !l->text) {
        free(l->kind);
        free(l->text);
        return EDDY_E_NOMEM;
    }
    r->n_oplines++;
    return 0;
}

int rt_app_resume_write(const rt_app_resume *r, const char *path, eddy_err *err) {
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return eddy_err_set(err, EDDY_E_IO, "path too long: %s", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return eddy_err_set(err, EDDY_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    fputs("eddy-positions 3\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const rt_app_resume_input *ri = &r->inputs[i];
        fputs("input ", f);
        eddy_hex_field_put(f, ri->stream, strlen(ri->stream));
        fputc(' ', f);
        eddy_hex_field_put(f, ri->source, strlen(ri->source));
        fputc('\n', f);
        for (size_t k = 0; k < ri->n_pos; k++) {
            const rt_shard_pos *p = &ri->pos[k];
            char seq[STORE_SEQ_STR_MAX + 1], mark[STORE_SEQ_STR_MAX + 2] = "";
            if (p->has_replay) {
                mark[0] = ' ';
                store_seq_format(p->replay_seq, mark + 1);
            }
            if (p->has_seq) {
                seq[0] = '=';
                store_seq_format(p->seq, seq + 1);
                fprintf(f, "shard %s %s %d%s\n", p->shard_id, p->seq_at ? seq : seq + 1, p->finished ? 1 : 0, mark);
            } else if (p->has_at) {
                fprintf(f, "shard %s @%lld %d%s\n", p->shard_id, (long long)p->at_ms, p->finished ? 1 : 0, mark);
            } else {
                fprintf(f, "shard %s - %d%s\n", p->shard_id, p->finished ? 1 : 0, mark);
            }
        }
    }
    for (size_t i = 0; i < r->n_floors; i++) {
        if (r->floors[i].from == INT64_MAX) fprintf(f, "floor %u -\n", r->floors[i].op);
        else fprintf(f, "floor %u %lld\n", r->floors[i].op, (long long)r->floors[i].from);
    }
    for (size_t i = 0; i < r->n_oplines; i++)
        fprintf(f, "opstate %u %s %s\n", r->oplines[i].op, r->oplines[i].kind, r->oplines[i].text);
    fputs("end\n", f);
    return eddy_file_replace(f, tmp, path, err);
}

int rt_app_resume_read(const char *path, rt_app_resume *out, eddy_err *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : eddy_err_set(err, EDDY_E_IO, "cannot read %s: %s", path, strerror(errno));
    /* Lines are read whole (names are up to 128 characters of UTF-8, twice
     * that in hex), and each field gets a buffer as long as its line. */
    char *line = NULL, *a = NULL, *b = NULL;
    size_t line_cap = 0, field_cap = 0;
    ssize_t len = getline(&line, &line_cap, f);
    int ok = len > 0 && (strcmp(line, "eddy-positions 1\n") == 0 || strcmp(line, "eddy-positions 2\n") == 0 ||
                         strcmp(line, "eddy-positions 3\n") == 0);
    int ended = 0;
    size_t cap = 0;
    while (ok && !ended && (len = getline(&line, &line_cap, f)) > 0) {
        if ((size_t)len + 1 > field_cap) {
            char *na = realloc(a, (size_t)len + 1), *nb = na ? realloc(b, (size_t)len + 1) : NULL;
            if (na) a = na;
            if (nb) b = nb;
            if (!na || !nb) {
                ok = 0;
                break;
            }
            field_cap = (size_t)len + 1;
        }
        char c[64], m[64];
        int fin, nf = 0;
        unsigned op;
        if (strcmp(line, "end\n") == 0) {
            ended = 1;
        } else if (sscanf(line, "opstate %u %s %n", &op, a, &nf) == 2 && nf > 0) {
            size_t tl = strlen(line + nf);
            while (tl && (line[nf + tl - 1] == '\n' || line[nf + tl - 1] == '\r')) tl--;
            ok = rt_app_resume_add_opline(out, op, a, line + nf, tl) == 0;
        } else if (sscanf(line, "floor %u %s", &op, a) == 2) {
            rt_app_floor *v = realloc(out->floors, (out->n_floors + 1) * sizeof *v);
            if (!v) {
                ok = 0;
                break;
            }
            out->floors = v;
            rt_app_floor *fl = &out->floors[out->n_floors++];
            fl->op = op;
            fl->from = INT64_MAX;
            if (strcmp(a, "-") != 0) {
                char *end;
                errno = 0;
                fl->from = strtoll(a, &end, 10);
                ok = end != a && *end == '\0' && errno == 0;
            }
        } else if (sscanf(line, "input %s %s", a, b) == 2) {
            if (out->n == cap) {
                size_t nc = cap ? cap * 2 : 4;
                rt_app_resume_input *v = realloc(out->inputs, nc * sizeof *v);
                if (!v) {
                    ok = 0;
                    break;
                }
                out->inputs = v;
                cap = nc;
            }
            rt_app_resume_input *ri = &out->inputs[out->n++];
            memset(ri, 0, sizeof *ri);
            ri->stream = eddy_hex_field_get(a);
            ri->source = eddy_hex_field_get(b);
            ok = ri->stream && ri->source;
        } else if (out->n && (nf = sscanf(line, "shard %63s %s %d %63s", c, a, &fin, m)) >= 3 &&
                   strlen(c) < STORE_SHARD_ID_MAX) {
            rt_app_resume_input *ri = &out->inputs[out->n - 1];
            rt_shard_pos *v = realloc(ri->pos, (ri->n_pos + 1) * sizeof *v);
            if (!v) {
                ok = 0;
                break;
            }
            ri->pos = v;
            rt_shard_pos *p = &ri->pos[ri->n_pos++];
            memset(p, 0, sizeof *p);
            memcpy(p->shard_id, c, strlen(c) + 1);
            p->finished = fin != 0;
            if (nf == 4) {
                p->has_replay = 1;
                ok = store_seq_parse(m, strlen(m), &p->replay_seq) == 0;
            }
            if (a[0] == '@') {
                char *end;
                p->has_at = 1;
                errno = 0;
                p->at_ms = strtoll(a + 1, &end, 10);
                ok = ok && end != a + 1 && *end == '\0' && errno == 0 && p->at_ms >= 0;
            } else if (strcmp(a, "-") != 0) {
                p->has_seq = 1;
                p->seq_at = a[0] == '=';
                ok = ok && store_seq_parse(a + p->seq_at, strlen(a + p->seq_at), &p->seq) == 0;
            }
        } else {
            ok = 0;
        }
    }
    fclose(f);
    free(line);
    free(a);
    free(b);
    if (ok && ended) return 0;
    rt_app_resume_free(out);
    return eddy_err_set(err, EDDY_E_INVAL, "%s is not a positions file", path);
}
