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

struct ev_loop;

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
	uint32_t flags;		/* CTL_OP_F_* (ctl_proto.h).  Without CTL_OP_F_GET
				 * the op changes state and only uid 0 may call it
				 * (else EDPVS_PERM, the handler does not run). */
};

/* Register n request types (the array must outlive the daemon: static
 * const), all or none.  EDPVS_EXIST if an opcode is taken, EDPVS_INVAL for
 * bad bounds/flags or a missing name/handler, EDPVS_NOROOM when the
 * registry (512 ops) is full.  Master only, any time (before or after
 * ctl_init()); unregister in the module's term. */
int ctl_register(const struct ctl_op *ops, unsigned int n);
int ctl_unregister(const struct ctl_op *ops, unsigned int n);

/* Reserve len bytes at the end of the reply payload and return a pointer
 * to them (zeroed), for building arrays in place; NULL if the reply would
 * exceed CTL_MAX_REPLY or memory is short.  The pointer is valid until the
 * next append/reserve. */
void *ctl_reply_reserve(struct ctl_reply *rep, size_t len);

/* Current payload length of the reply, and a pointer to its first byte
 * (NULL while empty; valid until the next append/reserve), e.g. to patch
 * a count written before the entries. */
size_t ctl_reply_len(const struct ctl_reply *rep);
void *ctl_reply_data(struct ctl_reply *rep);

/* The key arguments of the request being handled ("dpdk0 10.0.0.1/24"),
 * printf-style, for the audit line that the dispatcher logs at NOTICE for
 * every request of an op that changes state (op name, peer uid and pid,
 * these arguments, the outcome).  A handler calls it once it has decoded
 * its request; a later call replaces the text (at most 191 characters).
 * Master only, from a handler. */
void ctl_reply_audit(struct ctl_reply *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* uid of the peer that sent the request being handled (SO_PEERCRED). */
uint32_t ctl_reply_peer_uid(const struct ctl_reply *rep);

/* Call cb for every registered op in opcode order (stops at a non-zero
 * return and returns it).  Master only. */
int ctl_op_foreach(int (*cb)(const struct ctl_op *op, void *arg), void *arg);

/* Counters of one request type (handler runs only; refused requests are
 * counted in struct ctl_stats). */
struct ctl_op_stats {
	uint64_t calls;		/* handler runs */
	uint64_t failed;	/* of which returned non-zero */
	uint64_t total_us;	/* time spent in the handler */
	uint64_t max_us;	/* slowest run (handlers over 100 ms are also logged) */
};

/* Copy the counters of a registered opcode; EDPVS_NOTEXIST if none.
 * Master only. */
int ctl_op_stats_get(uint16_t opcode, struct ctl_op_stats *out);

/* Socket path used by ctl_init() (before ctl_init(); default
 * CTL_DEFAULT_SOCK).  EDPVS_INVAL if empty or longer than sun_path,
 * EDPVS_BUSY after ctl_init().  Master only. */
int ctl_set_path(const char *path);

/* The socket path in use (or to be used). */
const char *ctl_get_path(void);

/* Serve pending socket events without blocking (what the "ctl" LOOP job
 * does: ev_run(EVRUN_NOWAIT)); returns the number of events handled
 * (0 when idle).  Exposed for tests.  Master only. */
unsigned int ctl_poll(void);

/* The master's libev loop (NULL before ctl_init()), for other master-side
 * watchers (signals, timers).  Watchers are served only as often as the
 * ctl job runs. */
struct ev_loop *ctl_ev_loop(void);

/* Server counters (since ctl_init). */
struct ctl_stats {
	uint64_t accepted;	/* connections accepted and served */
	uint64_t refused;	/* connections closed at once: CTL_MAX_CLIENTS clients
				 * all mid-request (or out of memory) */
	uint64_t evicted;	/* idle clients closed to admit a new one at the limit */
	uint64_t requests;	/* requests answered (any status) */
	uint64_t failed;	/* of which with a non-zero status */
	uint64_t proto_errors;	/* bad magic/version/length: answered, then closed */
	uint64_t perm_denied;	/* state-changing requests from a non-root peer */
	uint64_t timeouts;	/* clients closed for stalling mid-request */
	uint64_t io_errors;	/* clients lost on a read/write error or EOF mid-request */
};

/* Copy the counters.  Master only. */
void ctl_stats_get(struct ctl_stats *out);

/* Number of connected clients.  Master only. */
unsigned int ctl_client_count(void);

/* Set how long a client may stall mid-request (or not read its reply)
 * before it is closed; 0 restores CTL_CLIENT_IDLE_MS.  Applies to timers
 * (re)armed afterwards.  Master only (tests use a short value). */
void ctl_set_client_timeout_ms(unsigned int ms);

/* Limits of the server. */
#define CTL_MAX_CLIENTS      64	/* at the limit a new connection evicts the
					 * longest-idle client between requests, or
					 * is closed if every client is mid-request */
#define CTL_CLIENT_IDLE_MS   5000	/* a client stuck mid-request longer is closed */
#define CTL_CLIENT_KEEP_MS   60000	/* a client silent between requests longer is closed */
#define CTL_CLIENT_MAX_OUT   (CTL_MAX_REPLY + 1024u)	/* pending reply bytes bound */

/* Create the directory of the socket (0755) if missing, remove a stale
 * socket file, bind and listen (mode 0600), create the libev loop and
 * register the "ctl" LOOP job on the MASTER role.  EDPVS_BUSY if another
 * dpvsd answers on the path,
 * EDPVS_SYSCALL / EDPVS_NOMEM otherwise.  Master only, once. */
int ctl_init(void);

/* Close every client and the listening socket, remove the socket file,
 * unregister the job and free the loop.  Safe if ctl_init() failed. */
void ctl_term(void);

/* The core requests (src/core_ctl.c, wire format in core_wire.h): ping,
 * lcore/job list, log levels, request-type list.  A module of its own in
 * the module table, right after "ctl". */
int ctl_core_init(void);
void ctl_core_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CTL_H */
