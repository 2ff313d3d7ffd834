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
 * numbers and - only) and 2 (no marks) are read too. Then, per window
 * operator (rt_app_window: its pump in hex, kind and ordinal), where it
 * takes records read again from, and its lines:
 *   window <pump, hex> <kind> <ordinal> <ROWTIME ms, or - for none>
 *   line <text to the end of the line>
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
    for (size_t i = 0; i < r->n_windows; i++) {
        free(r->windows[i].id);
        for (size_t k = 0; k < r->windows[i].n_lines; k++) free(r->windows[i].lines[k]);
        free(r->windows[i].lines);
    }
    free(r->windows);
    r->inputs = NULL;
    r->n = 0;
    r->windows = NULL;
    r->n_windows = 0;
}

rt_app_window *rt_app_resume_add_window(rt_app_resume *r, const char *id, int64_t from) {
    rt_app_window *v = realloc(r->windows, (r->n_windows + 1) * sizeof *v);
    if (!v) return NULL;
    r->windows = v;
    rt_app_window *w = &r->windows[r->n_windows];
    memset(w, 0, sizeof *w);
    w->from = from;
    if (!(w->id = strdup(id))) return NULL;
    r->n_windows++;
    return w;
}

int rt_app_window_add_line(rt_app_window *w, const char *text, size_t len) {
    char **v = realloc(w->lines, (w->n_lines + 1) * sizeof *v);
    if (!v) return EDDY_E_NOMEM;
    w->lines = v;
    if (!(w->lines[w->n_lines] = strndup(text, len))) return EDDY_E_NOMEM;
    w->n_lines++;
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
    for (size_t i = 0; i < r->n_windows; i++) {
        const rt_app_window *w = &r->windows[i];
        if (w->from == INT64_MAX) fprintf(f, "window %s -\n", w->id);
        else fprintf(f, "window %s %lld\n", w->id, (long long)w->from);
        for (size_t k = 0; k < w->n_lines; k++) fprintf(f, "line %s\n", w->lines[k]);
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
        char kind[64], when[32];
        unsigned ord;
        if (strcmp(line, "end\n") == 0) {
            ended = 1;
        } else if (sscanf(line, "window %s %63s %u %31s", a, kind, &ord, when) == 4) {
            char id[sizeof kind + 16];
            snprintf(id, sizeof id, "%s %u", kind, ord);
            size_t need = strlen(a) + 1 + strlen(id) + 1;
            char *full = malloc(need);
            rt_app_window *w = NULL;
            if (full) {
                snprintf(full, need, "%s %s", a, id);
                w = rt_app_resume_add_window(out, full, INT64_MAX);
                free(full);
            }
            if (!w) {
                ok = 0;
                break;
            }
            if (strcmp(when, "-") != 0) {
                char *end;
                errno = 0;
                w->from = strtoll(when, &end, 10);
                ok = end != when && *end == '\0' && errno == 0;
            }
        } else if (strncmp(line, "line ", 5) == 0 && out->n_windows) {
            size_t tl = strlen(line + 5);
            while (tl && (line[5 + tl - 1] == '\n' || line[5 + tl - 1] == '\r')) tl--;
            ok = rt_app_window_add_line(&out->windows[out->n_windows - 1], line + 5, tl) == 0;
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
