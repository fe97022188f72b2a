/*
 * msg.c - messages between lcores (see include/msg.h).
 *
 * Owns: one rte_ring (multi-producer, single-consumer) per enabled lcore,
 * the table of message types and handlers, and the msg jobs that drain the
 * rings (msg_master, msg_worker, msg_kni).
 *
 * A message is one malloc'd struct msg carrying a copy of the payload.  It
 * is reference counted: an asynchronous message has one reference (the
 * receiver's), a synchronous one two (sender and receiver).  The receiver
 * runs the handler, stores status and reply, publishes `done` (release) and
 * drops its reference; the sender polls `done` (acquire) until its
 * deadline, takes the reply if done, and drops its reference.  Whoever
 * drops the last reference frees the message and any reply left in it, so
 * a reply that arrives after the sender gave up is freed exactly once.
 * msg_live counts allocated messages (leak checks in tests).
 *
 * Threads: the type table is appended to with release stores (readers on
 * any lcore see a complete entry) and only shrinks while no loop runs.
 * Each ring is dequeued only by its own lcore.  Messages are control-plane
 * traffic: malloc per message is fine here, never on the packet path.
 */
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "msg.h"

DPVS_LOG_REGISTER(msg);

#define MSG_RING_SIZE   4096u	/* per lcore; power of two */
#define MSG_MAX_TYPES   256u
#define MSG_BURST       32u	/* messages handled per msg_process() call */
#define MSG_SPIN_US     100u	/* busy wait this long, then sleep between polls */
#define MSG_POLL_SLEEP_US 10u

struct msg_reply {
	void *data;		/* malloc'd copy, owned by the message until taken */
	size_t len;
	bool wanted;		/* sync message: keep the reply */
};

struct msg {
	uint32_t type;
	uint32_t refcnt;	/* atomic */
	uint32_t done;		/* atomic: handler finished, status/reply valid */
	int status;
	unsigned int dst;
	struct msg_reply reply;
	size_t len;
	uint8_t data[];
};

struct msg_type_ent {
	uint32_t type;
	msg_handler_t fn;	/* atomic; NULL: free slot */
};

static struct {
	bool up;
	struct rte_ring *ring[RTE_MAX_LCORE];
	bool in_handler[RTE_MAX_LCORE];	/* written by that lcore */
	bool waiting[RTE_MAX_LCORE];	/* atomic: in a sync wait, handling its ring */
	struct msg_lcore_stats stats[RTE_MAX_LCORE];
	struct msg_type_ent types[MSG_MAX_TYPES];
	uint64_t live;			/* atomic */
} msg_ctx;

static unsigned int msg_job_fn(void *arg);

static struct job msg_jobs[] = {
	{ .name = "msg_master", .type = JOB_LOOP, .fn = msg_job_fn },
	{ .name = "msg_worker", .type = JOB_LOOP, .fn = msg_job_fn },
	{ .name = "msg_kni", .type = JOB_LOOP, .fn = msg_job_fn },
};
static const enum job_role msg_job_roles[] = {
	JOB_ROLE_MASTER, JOB_ROLE_FWD_WORKER, JOB_ROLE_KNI_WORKER,
};
_Static_assert(DPVS_ARRAY_SIZE(msg_jobs) == DPVS_ARRAY_SIZE(msg_job_roles),
	       "one role per msg job");

static uint64_t msg_now_us(void)
{
	uint64_t c = rte_get_timer_cycles(), hz = rte_get_timer_hz();

	return c / hz * 1000000u + c % hz * 1000000u / hz;
}

static void msg_stat_add(uint64_t *ctr)
{
	__atomic_fetch_add(ctr, 1, __ATOMIC_RELAXED);
}

/* ---- types ---- */

static msg_handler_t msg_lookup(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < MSG_MAX_TYPES; i++) {
		msg_handler_t fn = __atomic_load_n(&msg_ctx.types[i].fn, __ATOMIC_ACQUIRE);

		if (fn && msg_ctx.types[i].type == type)
			return fn;
	}
	return NULL;
}

int msg_type_register(uint32_t type, msg_handler_t fn)
{
	unsigned int i;

	if (type == 0 || !fn)
		return EDPVS_INVAL;
	if (msg_lookup(type))
		return EDPVS_EXIST;
	for (i = 0; i < MSG_MAX_TYPES; i++) {
		if (!msg_ctx.types[i].fn) {
			msg_ctx.types[i].type = type;
			__atomic_store_n(&msg_ctx.types[i].fn, fn, __ATOMIC_RELEASE);
			return 0;
		}
	}
	return EDPVS_NOROOM;
}

int msg_type_unregister(uint32_t type)
{
	unsigned int i;

	if (type == 0)
		return EDPVS_INVAL;
	if (job_running())
		return EDPVS_BUSY;
	for (i = 0; i < MSG_MAX_TYPES; i++) {
		if (msg_ctx.types[i].fn && msg_ctx.types[i].type == type) {
			__atomic_store_n(&msg_ctx.types[i].fn, NULL, __ATOMIC_RELEASE);
			msg_ctx.types[i].type = 0;
			return 0;
		}
	}
	return EDPVS_NOTEXIST;
}

/* ---- messages ---- */

static struct msg *msg_alloc(uint32_t type, const void *data, size_t len, bool sync,
			     unsigned int dst)
{
	struct msg *m = malloc(sizeof(*m) + len);

	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->refcnt = sync ? 2 : 1;
	m->dst = dst;
	m->reply.wanted = sync;
	m->len = len;
	if (len)
		memcpy(m->data, data, len);
	__atomic_fetch_add(&msg_ctx.live, 1, __ATOMIC_RELAXED);
	return m;
}

static void msg_put(struct msg *m)
{
	if (__atomic_sub_fetch(&m->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(m->reply.data);
	free(m);
	__atomic_fetch_sub(&msg_ctx.live, 1, __ATOMIC_RELAXED);
}

static bool msg_done(struct msg *m)
{
	return __atomic_load_n(&m->done, __ATOMIC_ACQUIRE) != 0;
}

/* Finish m on the receiving side with status: publish, drop the reference. */
static void msg_complete(struct msg *m, int status)
{
	m->status = status;
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
	msg_put(m);
}

int msg_reply_set(struct msg_reply *reply, const void *data, size_t len)
{
	void *copy = NULL;

	if (!reply || (len && !data))
		return EDPVS_INVAL;
	if (len > MSG_MAX_REPLY)
		return EDPVS_RANGE;
	if (!reply->wanted)
		return 0;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return EDPVS_NOMEM;
		memcpy(copy, data, len);
	}
	free(reply->data);
	reply->data = copy;
	reply->len = len;
	return 0;
}

static void msg_handle(unsigned int lcore, struct msg *m)
{
	msg_handler_t fn = msg_lookup(m->type);
	int status = EDPVS_NOTEXIST;

	if (fn) {
		msg_ctx.in_handler[lcore] = true;
		status = fn(lcore, m->data, m->len, &m->reply);
		msg_ctx.in_handler[lcore] = false;
	} else {
		DPVS_LOG_RL(msg, WARNING, "lcore %u: no handler for message type %u", lcore,
			    m->type);
	}
	msg_ctx.stats[lcore].handled++;
	msg_complete(m, status);
}

unsigned int msg_process(unsigned int lcore_id)
{
	void *ms[MSG_BURST];
	unsigned int i, n;

	if (lcore_id >= RTE_MAX_LCORE || lcore_id != rte_lcore_id() || !msg_ctx.ring[lcore_id])
		return 0;
	n = rte_ring_sc_dequeue_burst(msg_ctx.ring[lcore_id], ms, MSG_BURST, NULL);
	for (i = 0; i < n; i++)
		msg_handle(lcore_id, ms[i]);
	return n;
}

static unsigned int msg_job_fn(void *arg)
{
	(void)arg;
	return msg_process(rte_lcore_id());
}

/* ---- sending ---- */

static int msg_check_args(uint32_t type, const void *data, size_t len)
{
	if (!msg_ctx.up)
		return EDPVS_NOTREADY;
	if (len > MSG_MAX_DATA || (len && !data))
		return EDPVS_INVAL;
	return msg_lookup(type) ? 0 : EDPVS_NOTEXIST;
}

/* Will lcore handle its ring soon: its loop runs, or it is in a sync wait
 * (which handles its own ring), or it is the caller (which will wait). */
static bool msg_lcore_answers(unsigned int lcore)
{
	return lcore == rte_lcore_id() || job_lcore_running(lcore) ||
	       __atomic_load_n(&msg_ctx.waiting[lcore], __ATOMIC_ACQUIRE);
}

/* Can lcore receive a message now?  sync: it must answer (see above). */
static int msg_check_target(unsigned int lcore, bool sync)
{
	if (lcore >= RTE_MAX_LCORE)
		return EDPVS_INVAL;
	if (!msg_ctx.ring[lcore] || job_lcore_role(lcore) == JOB_ROLE_IDLE)
		return EDPVS_NOTEXIST;
	if (sync && !msg_lcore_answers(lcore))
		return EDPVS_NOTREADY;
	return 0;
}

static int msg_post(unsigned int lcore, struct msg *m)
{
	if (rte_ring_mp_enqueue(msg_ctx.ring[lcore], m) != 0) {
		msg_stat_add(&msg_ctx.stats[lcore].ring_full);
		DPVS_LOG_RL(msg, WARNING, "ring of lcore %u is full", lcore);
		return EDPVS_NOROOM;
	}
	msg_stat_add(&msg_ctx.stats[lcore].enqueued);
	return 0;
}

static int msg_send_one_async(unsigned int lcore, uint32_t type, const void *data, size_t len)
{
	struct msg *m;
	int rc = msg_check_target(lcore, false);

	if (rc != 0)
		return rc;
	m = msg_alloc(type, data, len, false, lcore);
	if (!m)
		return EDPVS_NOMEM;
	rc = msg_post(lcore, m);
	if (rc != 0)
		msg_put(m);
	return rc;
}

int msg_send_async(unsigned int lcore_id, uint32_t type, const void *data, size_t len)
{
	int rc = msg_check_args(type, data, len);

	return rc != 0 ? rc : msg_send_one_async(lcore_id, type, data, len);
}

int msg_multicast_async(uint32_t type, const void *data, size_t len)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);
	int rc = msg_check_args(type, data, len), first = 0;

	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++) {
		rc = msg_send_one_async(job_role_lcore(JOB_ROLE_FWD_WORKER, i), type, data, len);
		if (rc != 0 && first == 0)
			first = rc;
	}
	return first;
}

/* A synchronous exchange with n lcores: the messages in flight. */
struct msg_wait {
	unsigned int n;
	struct msg *m[RTE_MAX_LCORE];	/* NULL: not sent (res[i].status says why) */
	struct msg_result *res;
};

/* Post one synchronous message; on failure record the error in res. */
static void msg_wait_post(struct msg_wait *w, unsigned int i, uint32_t type,
			  const void *data, size_t len)
{
	unsigned int lcore = w->res[i].lcore_id;
	int rc = msg_check_target(lcore, true);
	struct msg *m = NULL;

	if (rc == 0) {
		m = msg_alloc(type, data, len, true, lcore);
		rc = m ? msg_post(lcore, m) : EDPVS_NOMEM;
	}
	if (rc != 0 && m) {
		msg_put(m);
		msg_put(m);
		m = NULL;
	}
	w->m[i] = m;
	w->res[i].status = rc;
}

/* Messages still unanswered whose receiver can still answer. */
static unsigned int msg_wait_pending(const struct msg_wait *w)
{
	unsigned int i, alive = 0;

	for (i = 0; i < w->n; i++) {
		if (w->m[i] && !msg_done(w->m[i]) && msg_lcore_answers(w->m[i]->dst))
			alive++;
	}
	return alive;
}

/* Wait until every message is answered, the deadline passes, or no
 * receiver that could answer is left; handle our own ring meanwhile. */
static void msg_wait_loop(struct msg_wait *w, unsigned int timeout_us)
{
	unsigned int self = rte_lcore_id();
	uint64_t start = msg_now_us(), now = start;
	bool own_ring = self < RTE_MAX_LCORE && msg_ctx.ring[self];

	if (own_ring)
		__atomic_store_n(&msg_ctx.waiting[self], true, __ATOMIC_RELEASE);
	while (msg_wait_pending(w) > 0 && now - start < timeout_us) {
		bool handled = own_ring && msg_process(self) > 0;

		if (!handled && now - start < MSG_SPIN_US)
			rte_pause();
		else if (!handled)
			rte_delay_us_sleep(MSG_POLL_SLEEP_US);
		now = msg_now_us();
	}
	if (own_ring)
		__atomic_store_n(&msg_ctx.waiting[self], false, __ATOMIC_RELEASE);
}

/* Take the answers (or record why there is none) and drop our references.
 * Returns the first delivery error (0 if every message was answered). */
static int msg_wait_collect(struct msg_wait *w)
{
	unsigned int i;
	int first = 0;

	for (i = 0; i < w->n; i++) {
		struct msg_result *r = &w->res[i];
		struct msg *m = w->m[i];
		bool answered = m && msg_done(m);

		if (answered) {
			r->status = m->status;
			r->data = m->reply.data;
			r->len = m->reply.len;
			m->reply.data = NULL;
		} else if (m) {
			r->status = msg_lcore_answers(m->dst) ? EDPVS_TIMEOUT : EDPVS_NOTREADY;
			msg_stat_add(&msg_ctx.stats[m->dst].timeouts);
			DPVS_LOG_RL(msg, WARNING, "lcore %u did not answer message type %u: %s",
				    m->dst, m->type, dpvs_strerror(r->status));
		}
		if (!answered && first == 0)
			first = r->status;
		if (m)
			msg_put(m);
	}
	return first;
}

static int msg_sync_check(uint32_t type, const void *data, size_t len, unsigned int timeout_us,
			  const struct msg_result *res)
{
	unsigned int self = rte_lcore_id();

	if (!res || timeout_us == 0)
		return EDPVS_INVAL;
	if (self < RTE_MAX_LCORE && msg_ctx.in_handler[self])
		return EDPVS_BUSY;
	return msg_check_args(type, data, len);
}

/* Send to the n lcores named in res[].lcore_id and wait for them. */
static int msg_sync_many(struct msg_result *res, unsigned int n, uint32_t type,
			 const void *data, size_t len, unsigned int timeout_us)
{
	struct msg_wait w = { .n = n, .res = res };
	unsigned int i;

	for (i = 0; i < n; i++)
		msg_wait_post(&w, i, type, data, len);
	msg_wait_loop(&w, timeout_us);
	return msg_wait_collect(&w);
}

int msg_send_sync(unsigned int lcore_id, uint32_t type, const void *data, size_t len,
		  unsigned int timeout_us, struct msg_result *res)
{
	int rc = msg_sync_check(type, data, len, timeout_us, res);

	if (rc != 0) {
		if (res)
			*res = (struct msg_result){ .lcore_id = lcore_id, .status = rc };
		return rc;
	}
	*res = (struct msg_result){ .lcore_id = lcore_id };
	return msg_sync_many(res, 1, type, data, len, timeout_us);
}

int msg_multicast_sync(uint32_t type, const void *data, size_t len, unsigned int timeout_us,
		       struct msg_result *res, unsigned int *nres)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);
	int rc = msg_sync_check(type, data, len, timeout_us, res);

	if (nres)
		*nres = 0;
	if (rc != 0)
		return rc;
	if (!nres)
		return EDPVS_INVAL;
	for (i = 0; i < n; i++)
		res[i] = (struct msg_result){ .lcore_id = job_role_lcore(JOB_ROLE_FWD_WORKER, i) };
	*nres = n;
	return msg_sync_many(res, n, type, data, len, timeout_us);
}

void msg_result_free(struct msg_result *res, unsigned int n)
{
	unsigned int i;

	for (i = 0; res && i < n; i++) {
		free(res[i].data);
		res[i].data = NULL;
		res[i].len = 0;
	}
}

uint64_t msg_live_count(void)
{
	return __atomic_load_n(&msg_ctx.live, __ATOMIC_RELAXED);
}

int msg_lcore_stats_get(unsigned int lcore_id, struct msg_lcore_stats *out)
{
	if (lcore_id >= RTE_MAX_LCORE || !out)
		return EDPVS_INVAL;
	out->enqueued = __atomic_load_n(&msg_ctx.stats[lcore_id].enqueued, __ATOMIC_RELAXED);
	out->handled = msg_ctx.stats[lcore_id].handled;
	out->ring_full = __atomic_load_n(&msg_ctx.stats[lcore_id].ring_full, __ATOMIC_RELAXED);
	out->timeouts = __atomic_load_n(&msg_ctx.stats[lcore_id].timeouts, __ATOMIC_RELAXED);
	return 0;
}

/* ---- init / term ---- */

/* Abandon what is left on a ring (no loop runs) and free it. */
static void msg_ring_free(unsigned int lcore)
{
	struct rte_ring *r = msg_ctx.ring[lcore];
	void *m;

	if (!r)
		return;
	while (rte_ring_sc_dequeue(r, &m) == 0)
		msg_complete(m, EDPVS_NOTREADY);
	rte_ring_free(r);
	msg_ctx.ring[lcore] = NULL;
}

static int msg_rings_create(void)
{
	unsigned int lcore;
	char name[RTE_RING_NAMESIZE];

	RTE_LCORE_FOREACH(lcore) {
		snprintf(name, sizeof(name), "dpvs_msg_%u", lcore);
		msg_ctx.ring[lcore] = rte_ring_create(name, MSG_RING_SIZE,
						      (int)rte_lcore_to_socket_id(lcore),
						      RING_F_SC_DEQ);
		if (!msg_ctx.ring[lcore]) {
			DPVS_LOG(msg, ERR, "cannot create ring %s: %s", name,
				 rte_strerror(rte_errno));
			return EDPVS_NOMEM;
		}
	}
	return 0;
}

static void msg_jobs_unregister(void)
{
	unsigned int i;

	for (i = 0; i < DPVS_ARRAY_SIZE(msg_jobs); i++)
		job_unregister(&msg_jobs[i]);
}

int msg_init(void)
{
	unsigned int i, lcore;
	int rc;

	if (msg_ctx.up)
		return 0;
	rc = msg_rings_create();
	if (rc != 0)
		goto err_rings;
	for (i = 0; i < DPVS_ARRAY_SIZE(msg_jobs); i++) {
		rc = job_register(&msg_jobs[i], msg_job_roles[i]);
		if (rc != 0) {
			DPVS_LOG(msg, ERR, "cannot register job %s: %s", msg_jobs[i].name,
				 dpvs_strerror(rc));
			goto err_jobs;
		}
	}
	msg_ctx.up = true;
	return 0;

err_jobs:
	msg_jobs_unregister();
err_rings:
	RTE_LCORE_FOREACH(lcore)
		msg_ring_free(lcore);
	return rc;
}

void msg_term(void)
{
	unsigned int lcore;

	if (!msg_ctx.up)
		return;
	if (job_running()) {
		DPVS_LOG(msg, ERR, "msg_term while loops run: refused");
		return;
	}
	msg_ctx.up = false;
	msg_jobs_unregister();
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
		msg_ring_free(lcore);
}
