/*
 * file_replace.h — replacing a small file all at once (the store's catalog,
 * hosted applications' positions files): write it under a temporary name,
 * then make it durable and rename it over the old one, so a crash leaves
 * either the old file or the new one, never a part.
 */
#ifndef EDDY_FILE_REPLACE_H
#define EDDY_FILE_REPLACE_H

#include <stdio.h>

#include "eddy_err.h"

/* Finishes the file written through f as tmp: flushes and fsyncs it, closes
 * f, renames tmp over path, and fsyncs path's directory so the rename
 * survives a crash. f is closed either way; on failure tmp is removed.
 * Returns 0 or EDDY_E_IO. */
int eddy_file_replace(FILE *f, const char *tmp, const char *path, eddy_err *err);

#endif
