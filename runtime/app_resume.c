/*
 * app_resume.c — an application's input positions as a file, so that a
 * restarted server continues its hosted applications where they stopped
 * (rt_app_resume_write / rt_app_resume_read; saving them is in app.c).
 *
 * The file is small text, written whole through a temporary file, fsync
 * and rename:
 *   eddy-positions 1
 *   input <in-app stream, hex> <stored stream, hex>
 *   shard <shard id> <sequence number or -> <finished 0|1>
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
    fputs("eddy-positions 1\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const rt_app_resume_input *ri = &r->inputs[i];
        fputs("input ", f);
        eddy_hex_field_put(f, ri->stream, strlen(ri->stream));
        fputc(' ', f);
        eddy_hex_field_put(f, ri->source, strlen(ri->source));
        fputc('\n', f);
        for (size_t k = 0; k < ri->n_pos; k++) {
            char seq[STORE_SEQ_STR_MAX];
            if (ri->pos[k].has_seq) store_seq_format(ri->pos[k].seq, seq);
            else strcpy(seq, "-");
            fprintf(f, "shard %s %s %d\n", ri->pos[k].shard_id, seq, ri->pos[k].finished ? 1 : 0);
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
    int ok = len > 0 && strcmp(line, "eddy-positions 1\n") == 0, ended = 0;
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
            if (strcmp(a, "-") != 0) {
                p->has_seq = 1;
                ok = store_seq_parse(a, strlen(a), &p->seq) == 0;
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
