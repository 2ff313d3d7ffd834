/*
 * file_replace.c — see file_replace.h.
 */
#include "file_replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int eddy_file_replace(FILE *f, const char *tmp, const char *path, eddy_err *err) {
    int bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0;
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return eddy_err_set(err, EDDY_E_IO, "cannot write %s: %s", path, strerror(e));
    }
    /* The directory entry too: without it a crash can bring back the old
     * file (or none) although the new one was written. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(dir);
    return 0;
}
