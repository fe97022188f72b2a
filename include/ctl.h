/*
 * ctl.h - the daemon side of the control socket.
 *
 * A unix stream socket (mode 0600) served by a libev loop that the master's
 * "ctl" LOOP job runs without blocking (ev_run(EVRUN_NOWAIT)).  Modules
 * register request types (opcode, payload bounds, handler); the framing
 * layer checks magic, version, length bounds and the declared payload size
 * before any handler runs, and sends exactly one reply per request.  Slow,
 * truncated or oversized clients are cut off without stalling the master.
 *
 * Handlers run on the master lcore, one at a time.  They may send
 * synchronous messages to workers (msg.h) but must not block otherwise.
 */
#ifndef DPVS_CTL_H
#define DPVS_CTL_H

#include <stddef.h>
#include <stdint.h>
#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A reply being built by a handler. */
struct ctl_reply;

/* Append bytes to the reply payload (grows up to CTL_MAX_REPLY).
 * EDPVS_NOMEM / EDPVS_RANGE on failure. */
int ctl_reply_append(struct ctl_reply *rep, const void *data, size_t len);

/* Set the error message sent when the handler returns non-zero
 * (printf-style; default is dpvs_strerror(status)). */
void ctl_reply_errmsg(struct ctl_reply *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Handler: req has been checked to be min_len..max_len bytes.  Returns 0 or
 * an EDPVS_* code; on error any appended payload is replaced by the error
 * message. */
typedef int (*ctl_handler_t)(uint16_t opcode, const void *req, uint32_t len,
			     struct ctl_reply *rep);

struct ctl_op {
	uint16_t opcode;
	const char *name;	/* for logs and "dpip ctl show" */
	uint32_t min_len;	/* payload bounds, checked before the handler */
	uint32_t max_len;	/* <= CTL_MAX_REQUEST */
	ctl_handler_t handler;
};

/* Register n request types (the array must outlive the daemon: static
 * const).  EDPVS_EXIST if an opcode is taken, EDPVS_INVAL for bad bounds.
 * Master only, any time after ctl_init(). */
int ctl_register(const struct ctl_op *ops, unsigned int n);
int ctl_unregister(const struct ctl_op *ops, unsigned int n);

/* Socket path used by ctl_init() (before ctl_init()). */
int ctl_set_path(const char *path);

int ctl_init(void);
void ctl_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CTL_H */
