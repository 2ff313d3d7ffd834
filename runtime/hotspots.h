/*
 * hotspots.h — the model behind the HOTSPOTS table function: dense regions
 * among the most recent windowSize rows, found again after every row.
 *
 * KDA's SQL reference says scanRadius is "analogous to the ε value in the
 * DBSCAN algorithm", so a hotspot here is a DBSCAN cluster of the window:
 * two rows are neighbours when their Euclidean distance is at most
 * scanRadius; a core row has at least minimumNumberOfPointsInAHotspot rows
 * within that distance, itself included; a cluster is a set of core rows
 * connected through neighbour links, plus the non-core rows next to them.
 * DBSCAN gives a non-core row next to two clusters to whichever reaches it
 * first; here it goes to the cluster of its nearest core neighbour (ties to
 * the core row that arrived first), so the result depends only on the
 * window's rows and their order, never on the traversal. A cluster that
 * ends up with fewer than minimumNumberOfPointsInAHotspot rows is not a
 * hotspot.
 *
 * The result is the JSON text of KDA's HOTSPOTS_RESULT column:
 *   {"hotspots":[{"density":208.5,"minValues":[2.01,5.3],"maxValues":[3.02,6.29]}]}
 * one object per hotspot, minValues and maxValues holding the per-column
 * bounds of its rows in input column order, and {"hotspots":[]} when there
 * is none. Numbers are shortest round-trip decimals (eddy_dtoa).
 *
 * density is, as KDA's reference puts it, "the number of records in the
 * hotspot divided by the hotspot size". The reference does not define the
 * size; here it is the volume of the hotspot's bounding box, each side
 * floored at scanRadius so that a hotspot whose rows share a value in some
 * column still has a finite density. Hotspots are listed by density,
 * highest first, then by minValues and maxValues, lowest first.
 *
 * A row with a NaN or infinite value is not added (it would be nobody's
 * neighbour and would poison the bounds); the result is still written for
 * the window as it is.
 *
 * Everything is allocated by rt_hotspots_new; adding a row and clustering
 * never allocate (only the caller's output buffer may grow). A model must
 * be used by one thread at a time.
 */
#ifndef EDDY_HOTSPOTS_H
#define EDDY_HOTSPOTS_H

#include <stddef.h>
#include <stdint.h>

#include "eddy_err.h"
#include "sbuf.h"

typedef struct rt_hotspots rt_hotspots;

/* KDA's ranges: windowSize 100..1000, scanRadius any double > 0,
 * minimumNumberOfPointsInAHotspot 2..windowSize. dims is not bounded by
 * KDA; it is 1..RT_HOTSPOTS_MAX_DIMS here, as for RANDOM_CUT_FOREST. */
#define RT_HOTSPOTS_MIN_WINDOW 100
#define RT_HOTSPOTS_MAX_WINDOW 1000
#define RT_HOTSPOTS_MAX_DIMS 1000

/* Creates an empty model over rows of `dims` numeric columns: window =
 * windowSize rows, radius = scanRadius, min_points =
 * minimumNumberOfPointsInAHotspot. Returns the model, owned by the caller
 * (free it with rt_hotspots_free), or NULL with `err` set: EDDY_E_INVAL
 * naming the bad parameter and its allowed range, or EDDY_E_NOMEM. */
rt_hotspots *rt_hotspots_new(uint32_t dims, uint32_t window, double radius, uint32_t min_points,
                             eddy_err *err);

/* Frees a model and everything it holds. `h` may be NULL. */
void rt_hotspots_free(rt_hotspots *h);

/* Adds one row of dims values (borrowed; once the window is full the
 * oldest row leaves first) and writes the HOTSPOTS_RESULT JSON for the
 * window as it now is into `out`, which is cleared first. Returns 0, or
 * EDDY_E_NOMEM when `out` could not grow (the model itself is updated
 * either way). */
int rt_hotspots_update(rt_hotspots *h, const double *row, sbuf *out);

/* Bytes of memory the model holds (all allocated by rt_hotspots_new), for
 * metrics. This function can't fail. */
size_t rt_hotspots_bytes(const rt_hotspots *h);

#endif
