/* SPDX-License-Identifier: MIT */
/*
 * The guest's /proc memory views as structured data: the exact Linux text
 * the guest prints, parsed into JSON for `ebb stat --json` and the
 * query-memory command.  Parsing is lenient: lines that fit no pattern are
 * skipped, so a guest that adds a field does not break the host.
 */
#ifndef EBB_VMM_CONTROL_PROC_H
#define EBB_VMM_CONTROL_PROC_H

#include <stdbool.h>

#include <jansson.h>

/* The views `ebb stat` knows, NULL-terminated: "buddyinfo", "pagetypeinfo" ... */
extern const char *const proc_views[];

bool proc_view_valid(const char *view);

/*
 * Parse @text, the guest's /proc/@view, into a new JSON value:
 *   buddyinfo     [{"node": 0, "zone": "DMA", "free": [n0 .. n10]}, ...]
 *   pagetypeinfo  {"free": [{"node", "zone", "type", "free": [...]}],
 *                  "blocks": [{"node", "zone", "<type>": n ...}]}
 *   zoneinfo      [{"node", "zone", "stats": {key: n}, "protection": [...],
 *                   "pagesets": [{"cpu", "count", "high", "batch"}]}]
 *   vmstat        {key: n}
 *   meminfo       {key: n}           (values in kB, as the text says)
 *   slabinfo      [{"name", "active_objs", "num_objs", "objsize",
 *                   "objperslab", "pagesperslab", "active_slabs", "num_slabs"}]
 * NULL for an unknown view.
 */
json_t *proc_parse(const char *view, const char *text);

#endif
