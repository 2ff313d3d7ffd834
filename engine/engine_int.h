/*
 * engine_int.h — private to engine/: the KDA application JSON loader.
 */
#ifndef EDDY_ENGINE_INT_H
#define EDDY_ENGINE_INT_H

#include <stddef.h>

#include "catalog.h"
#include "eddy_err.h"
#include "eddy_types.h"

#define KDA_MAX_OUTPUTS 3   /* KDA allows up to three destinations */

typedef struct kda_output {
    char name[256];     /* in-application stream */
    char stream[129];   /* destination stored stream */
    int csv;            /* DestinationSchema.RecordFormatType == CSV */
} kda_output;

typedef struct kda_outputs {
    kda_output v[KDA_MAX_OUTPUTS];
    int n;
} kda_outputs;

/* Parses a KDA SqlType string ("VARCHAR(4)", "DECIMAL(5,2)"). 0 or -1. */
int eddy_kda_parse_type(const char *s, eddy_type *out);

/* Binds the document's inputs in `cat`, returns its ApplicationCode in *code
 * (malloc'd), replaces *name with ApplicationName when present, and lists
 * the outputs for eddy_kda_bind_outputs (after the code has created them). */
int eddy_kda_load(catalog *cat, const char *json, size_t len, char **code, char **name,
                  kda_outputs *outs, eddy_err *err);

int eddy_kda_bind_outputs(catalog *cat, const kda_outputs *outs, eddy_err *err);

#endif
