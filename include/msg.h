/*
 * msg.h - messages between lcores over per-lcore lock-free rings.
 *
 * Every lcore that runs a loop owns one multi-producer/single-consumer ring;
 * the msg job of each lcore (registered by msg_init() for MASTER and
 * FWD_WORKER, and KNI_WORKER) drains it and runs the handler registered for
 * the message type.  Messages are unicast (one lcore) or multicast (every
 * FWD_WORKER), synchronous (the sender waits for every reply, up to a
 * timeout) or asynchronous (fire and forget).
 *
 * A synchronous send from the master waits while still draining its own
 * ring, so workers can never deadlock against it.  When a receiver does not
 * answer in time the sender gets EDPVS_TIMEOUT; the late reply is discarded
 * and the message freed by whichever side finishes last (reference count),
 * so nothing leaks.
 */
#ifndef DPVS_MSG_H
#define DPVS_MSG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSG_MAX_DATA   4096u	/* request payload bound */
#define MSG_MAX_REPLY  (1u << 20)	/* reply payload bound per lcore */

/* Handler: runs on the receiving lcore.  req/len: the payload (a copy that
 * lives until the handler returns).  To answer, call msg_reply_set() with
 * the reply context.  Returns 0 or an EDPVS_* code (sent back to the
 * sender as that lcore's status). */
struct msg_reply;
typedef int (*msg_handler_t)(unsigned int lcore_id, const void *req, size_t len,
			     struct msg_reply *reply);

/* Copy a reply payload (up to MSG_MAX_REPLY) into the reply; EDPVS_NOMEM
 * or EDPVS_RANGE on failure.  Only from inside a handler. */
int msg_reply_set(struct msg_reply *reply, const void *data, size_t len);

/* Register a handler for a message type (master; normally from a module's
 * init, but safe while loops run: entries are published atomically).
 * EDPVS_EXIST if the type is taken, EDPVS_INVAL for type 0 or NULL fn,
 * EDPVS_NOROOM when 256 types are registered.  Unregister only while no
 * loop runs (EDPVS_BUSY otherwise; EDPVS_NOTEXIST for an unknown type). */
int msg_type_register(uint32_t type, msg_handler_t fn);
int msg_type_unregister(uint32_t type);

/* One lcore's answer to a synchronous message. */
struct msg_result {
	unsigned int lcore_id;
	int status;		/* handler's return, or EDPVS_TIMEOUT */
	void *data;		/* reply payload (malloc'd, owned by caller), may be NULL */
	size_t len;
};

/* Send to one lcore and wait up to timeout_us for its answer.  On success
 * *res holds the reply (free with msg_result_free()).  Returns 0 when the
 * message was delivered and answered (res->status has the handler's status),
 * EDPVS_TIMEOUT, EDPVS_NOROOM (ring full), EDPVS_INVAL (bad lcore, len over
 * MSG_MAX_DATA, timeout_us 0, NULL res), EDPVS_NOTEXIST (no handler for the
 * type, or an IDLE lcore), EDPVS_NOTREADY (msg_init() not done, or the
 * target's loop is not running -- before job_run() or after a stop -- and
 * it is not itself waiting in a msg_send_sync(); a message to the calling
 * lcore itself is handled while waiting, loop or not), EDPVS_BUSY (called from inside a message handler).  res->status
 * repeats the error.  Any lcore (or non-EAL thread) may call it; while
 * waiting it keeps handling the caller's own ring. */
int msg_send_sync(unsigned int lcore_id, uint32_t type, const void *data, size_t len,
		  unsigned int timeout_us, struct msg_result *res);

/* Send to every FWD_WORKER and wait for all of them.  res must hold
 * job_role_count(JOB_ROLE_FWD_WORKER) entries; *nres is set to the number
 * filled (one per worker, in lcore order).  Returns 0 if every worker
 * answered, EDPVS_TIMEOUT if any did not (its entry has that status; the
 * others are still filled and must be freed). */
int msg_multicast_sync(uint32_t type, const void *data, size_t len,
		       unsigned int timeout_us, struct msg_result *res, unsigned int *nres);

/* Fire and forget to one lcore, or to every FWD_WORKER.  A message to an
 * lcore whose loop is not running yet is queued and handled once it runs.
 * 0, EDPVS_INVAL, EDPVS_NOTEXIST (unknown type, IDLE lcore), EDPVS_NOROOM,
 * EDPVS_NOMEM, EDPVS_NOTREADY (msg_init() not done).  The multicast returns
 * the first error but still sends to the other workers. */
int msg_send_async(unsigned int lcore_id, uint32_t type, const void *data, size_t len);
int msg_multicast_async(uint32_t type, const void *data, size_t len);

/* Free the reply data of n results. */
void msg_result_free(struct msg_result *res, unsigned int n);

/* Process pending messages of the calling lcore (what its msg job does);
 * returns the number handled.  Exposed for tests and for waiting loops. */
unsigned int msg_process(unsigned int lcore_id);

/* Messages allocated and not yet freed (sync and async, all lcores); 0 once
 * every sent message was handled or abandoned.  For tests and leak checks. */
uint64_t msg_live_count(void);

/* Counters of one lcore's ring (written by senders and that lcore). */
struct msg_lcore_stats {
	uint64_t enqueued;	/* messages put on its ring */
	uint64_t handled;	/* messages it handled */
	uint64_t ring_full;	/* sends refused: ring full */
	uint64_t timeouts;	/* synchronous sends to it that gave up */
};
int msg_lcore_stats_get(unsigned int lcore_id, struct msg_lcore_stats *out);

/* Create one ring per enabled lcore and register the msg jobs (after
 * job_init(); idempotent).  EDPVS_NOMEM or a job_register() error. */
int msg_init(void);
/* Unregister the jobs; messages still queued are abandoned (freed, their
 * senders see EDPVS_NOTREADY); free the rings.  Not while loops run. */
void msg_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_MSG_H */
