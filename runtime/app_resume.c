/*
 * app_resume.c — an application's input positions as a file, so that a
 * restarted server continues its hosted applications where they stopped
 * (rt_app_resume_write / rt_app_resume_read; saving them is in app.c).
 *
 * The file is small text, written whole through a temporary file, fsync
 * and rename:
 *   eddy-positions 2
 *   input <in-app stream, hex> <stored stream, hex>
 *   shard <shard id> <where> <finished 0|1>
 * where <where> is a sequence number (resume after it), =<sequence number>
 * (at it), @<arrival ms> (at the first record that arrived then or later)
 * or - (where the input's options say). Version 1 files (sequence numbers
 * and - only) are read too.
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
    r->inputs = NULL;
    r->n = 0;
}

int rt_app_resume_write(const rt_app_resume *r, const char *path, eddy_err *err) {
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return eddy_err_set(err, EDDY_E_IO, "path too long: %s", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return eddy_err_set(err, EDDY_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    fputs("eddy-positions 2\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const rt_app_resume_input *ri = &r->inputs[i];
        fputs("input ", f);
        eddy_hex_field_put(f, ri->stream, strlen(ri->stream));
        fputc(' ', f);
        eddy_hex_field_put(f, ri->source, strlen(ri->source));
        fputc('\n', f);
        for (size_t k = 0; k < ri->n_pos; k++) {
            const rt_shard_pos *p = &ri->pos[k];
            char seq[STORE_SEQ_STR_MAX + 1];
            if (p->has_seq) {
                seq[0] = '=';
                store_seq_format(p->seq, seq + 1);
                fprintf(f, "shard %s %s %d\n", p->shard_id, p->seq_at ? seq : seq + 1, p->finished ? 1 : 0);
            } else if (p->has_at) {
                fprintf(f, "shard %s @%lld %d\n", p->shard_id, (long long)p->at_ms, p->finished ? 1 : 0);
            } else {
                fprintf(f, "shard %s - %d\n", p->shard_id, p->finished ? 1 : 0);
            }
        }
    }
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
    int ok = len > 0 && (strcmp(line, "eddy-positions 1\n") == 0 || strcmp(line, "eddy-positions 2\n") == 0);
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
        char c[64];
        int fin;
        if (strcmp(line, "end\n") == 0) {
            ended = 1;
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
        } else if (out->n && sscanf(line, "shard %63s %s %d", c, a, &fin) == 3 && strlen(c) < STORE_SHARD_ID_MAX) {
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
            if (a[0] == '@') {
                char *end;
                p->has_at = 1;
                errno = 0;
                p->at_ms = strtoll(a + 1, &end, 10);
                ok = end != a + 1 && *end == '\0' && errno == 0 && p->at_ms >= 0;
            } else if (strcmp(a, "-") != 0) {
                p->has_seq = 1;
                p->seq_at = a[0] == '=';
                ok = store_seq_parse(a + p->seq_at, strlen(a + p->seq_at), &p->seq) == 0;
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
