/*
 * metrics.h - the Prometheus /metrics endpoint (module "metrics").
 *
 * Three parts:
 *   src/metrics_text.c     the text exposition format 0.0.4: families
 *                          (HELP and TYPE lines), samples, label escaping,
 *                          into a growing buffer (no DPDK, unit-tested);
 *   src/metrics_collect.c  one scrape: runs the read-only control requests
 *                          that dpip and ipvsadm use (ctl_call_local()) and turns
 *                          their replies into metric families;
 *   src/metrics.c          the "metrics" config section (listen =
 *                          "ADDR:PORT", off when absent) and the HTTP
 *                          server (libmicrohttpd in external-select mode,
 *                          polled by a MASTER LOOP job, so every scrape
 *                          runs on the master, the owner of the service
 *                          tables, and never blocks it: sockets are
 *                          non-blocking and a scrape only reads counters).
 *
 *   src/metrics_telemetry.c the same data as DPDK telemetry commands
 *                          (/dpvsd/lcores, /dpvsd/ipvs/stats), handed
 *                          from DPDK's telemetry thread to the master.
 *
 * Ownership: all state is the master's; workers' counters are read with
 * plain loads (values may be a burst old), as the control requests do.
 */
#ifndef DPVS_METRICS_H
#define DPVS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- text exposition format (metrics_text.c) ---- */

enum metrics_type { METRICS_COUNTER = 0, METRICS_GAUGE, METRICS_TYPE_MAX };

/* A growing text buffer; after an allocation failure every call is a
 * no-op and nomem stays set. */
struct metrics_text {
	char *buf;
	size_t len;
	size_t cap;
	bool nomem;
};

struct metrics_label {
	const char *name;	/* [a-zA-Z_][a-zA-Z0-9_]* (not checked: code constants) */
	const char *value;	/* any bytes; escaped on output */
};

/* Limits of the text for one scrape (a bound on the master's work). */
#define METRICS_TEXT_MAX (16u << 20)

/* Empty buffer (no allocation yet). */
void metrics_text_init(struct metrics_text *t);

/* Release the buffer. */
void metrics_text_free(struct metrics_text *t);

/* Begin a family: "# HELP name help\n# TYPE name counter|gauge\n" (help
 * escaped: backslash and newline).  Every sample of the family must follow
 * before the next family starts. */
void metrics_family(struct metrics_text *t, const char *name, enum metrics_type type,
		    const char *help);

/* One sample line "name{l1="v1",...} value\n" (no braces when n is 0);
 * label values escaped (backslash, double quote, newline). */
void metrics_sample_u64(struct metrics_text *t, const char *name,
			const struct metrics_label *labels, unsigned int n, uint64_t value);
void metrics_sample_f64(struct metrics_text *t, const char *name,
			const struct metrics_label *labels, unsigned int n, double value);

/* Append s with a label value's escaping (for tests and callers that
 * build their own lines). */
void metrics_escape_label(struct metrics_text *t, const char *s);

/* ---- one scrape (metrics_collect.c) ---- */

/* Append every metric family of the running daemon to t.  Master only,
 * after the modules' init.  Returns 0, or EDPVS_NOMEM (t->nomem) when the
 * text could not grow.  A control request that fails leaves its families
 * out (logged, and counted in dpvsd_metrics_collect_errors_total). */
int metrics_collect(struct metrics_text *t);

/* ---- the server (metrics.c) ---- */

/* Parse "A.B.C.D:PORT" or "[v6]:PORT" (port 1..65535) into a sockaddr
 * (size *salen on input, set on output).  0, or EDPVS_INVAL. */
struct sockaddr;
int metrics_parse_listen(const char *s, struct sockaddr *sa, unsigned int *salen);

/* Counters of the server (since start; master only). */
struct metrics_stats {
	uint64_t scrapes;	/* /metrics answered 200 */
	uint64_t not_found;	/* other paths (404) */
	uint64_t bad_method;	/* methods other than GET/HEAD (405) */
	uint64_t errors;	/* 500s: the text could not be built */
	uint64_t collect_errors;	/* control requests that failed in a scrape */
};
void metrics_stats_get(struct metrics_stats *out);
void metrics_count_collect_error(void);

/* ---- DPDK telemetry commands (metrics_telemetry.c) ---- */

/* Register /dpvsd/lcores and /dpvsd/ipvs/stats (once per process: DPDK
 * cannot unregister) and accept their requests.  EDPVS_NOROOM if DPDK
 * refuses them.  Master, after rte_eal_init(). */
int metrics_telemetry_init(void);
/* Refuse further requests (a waiting one times out with -EAGAIN). */
void metrics_telemetry_term(void);
/* Serve a pending telemetry request on the master (called by the metrics
 * job every loop; one atomic load when none).  Returns 1 if one was
 * served.  Never blocks: the hand-off lock is only trylocked. */
unsigned int metrics_telemetry_poll(void);

/* Module: register the MASTER LOOP job that polls the HTTP server; the
 * server itself is started by the config section's apply.  term stops it. */
int metrics_init(void);
void metrics_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_METRICS_H */
