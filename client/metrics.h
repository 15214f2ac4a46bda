/* metrics.h - the stats command's result as OpenMetrics (or Prometheus
 * 0.0.4) text.  Pure: JSON in, text out. */
#ifndef TATTLE_CLIENT_METRICS_H
#define TATTLE_CLIENT_METRICS_H

#include <stdbool.h>

struct json_object;

/* 0 and *out (malloc'd, NUL-terminated; the caller frees) or -ENOMEM.
 * openmetrics: counters are families without "_total" and the text ends
 * with "# EOF"; otherwise Prometheus text format 0.0.4. */
int metrics_render(const struct json_object *stats, bool openmetrics,
		   char **out);

#endif
