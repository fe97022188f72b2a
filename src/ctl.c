/*
 * ctl.c - the daemon side of the control socket (include/ctl.h).
 *
 * Owns: the registry of request types (a sorted array of const struct
 * ctl_op pointers, binary-searched by opcode), the listening unix socket,
 * the master's libev loop and the "ctl" LOOP job that runs it without
 * blocking, and one struct ctl_conn per connected client.
 *
 * Each client is a small state machine: READ_HDR (collect the 20-byte
 * struct ctl_hdr) -> READ_BODY (collect or discard hdr.len bytes) ->
 * WRITE (flush the one reply) -> READ_HDR.  Everything a header says is
 * checked before any allocation: magic, version and len <= CTL_MAX_REQUEST
 * (a violation gets an EDPVS_PROTO reply and the connection is closed,
 * since the stream can no longer be trusted); then the opcode, the op's
 * payload bounds and the access rule (a failure gets its error reply after
 * the body was discarded, and the connection stays usable).  While a reply
 * is pending the client is not read (back-pressure).  A per-client libev
 * timer closes clients that stall mid-request or do not read their reply.
 * Every request of an op that changes state is logged at NOTICE here, in
 * conn_audit() (the audit trail: op, uid, pid, arguments, outcome).
 *
 * Everything here runs on the master lcore only; no locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <ev.h>
#include <rte_cycles.h>

#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"

DPVS_LOG_REGISTER(ctl);

#define CTL_MAX_OPS      512
#define CTL_ERRMSG_LEN   256
#define CTL_ACCEPT_BURST 16
#define CTL_REPLY_MIN    4096u
#define CTL_SLOW_HANDLER_US 100000u	/* warn about handlers slower than this */
#define CTL_AUDIT_ARGS_LEN 192		/* ctl_reply_audit() text */
#define CTL_PATH_LEN     sizeof(((struct sockaddr_un *)0)->sun_path)
/* Reply buffers hold [4 bytes pad][struct ctl_hdr][payload] so that the
 * payload is 8-byte aligned for handlers that build structs in place. */
#define CTL_HDR_OFF      4u
#define CTL_PAYLOAD_OFF  (CTL_HDR_OFF + sizeof(struct ctl_hdr))
_Static_assert(CTL_PAYLOAD_OFF % 8 == 0, "reply payload must be 8-byte aligned");

struct ctl_reply {
	uint8_t *buf;		/* pad, struct ctl_hdr, then the payload */
	size_t len;		/* payload bytes */
	size_t cap;		/* payload capacity */
	uint32_t peer_uid;
	bool has_errmsg;
	char errmsg[CTL_ERRMSG_LEN];
	char audit[CTL_AUDIT_ARGS_LEN];	/* ctl_reply_audit(): key arguments */
};

enum conn_state { CONN_READ_HDR, CONN_READ_BODY, CONN_WRITE };

struct ctl_conn {
	int fd;
	uint32_t uid;			/* peer credentials at accept */
	int32_t pid;
	enum conn_state state;
	bool close_after;		/* close once the reply is flushed */
	int watched;			/* EV_READ or EV_WRITE */
	uint64_t served;		/* requests answered on this connection */
	ev_tstamp last_active;		/* loop time of the last progress */
	struct ctl_hdr hdr;
	size_t hdr_got;
	const struct ctl_op *op;	/* set when the request passed every check */
	const char *op_name;		/* for logs: the op's name, or "-" if unknown */
	uint8_t *body;			/* NULL: the body is discarded */
	size_t body_got;
	int pending_err;		/* error decided from the header */
	char pending_msg[CTL_ERRMSG_LEN];
	uint8_t *out;			/* the reply being written */
	size_t out_len, out_off;
	ev_io io;
	ev_timer timer;
	struct ctl_conn *next;
};

/* A registered request type and its counters. */
struct ctl_op_slot {
	const struct ctl_op *op;
	struct ctl_op_stats st;
};

/* The module's state: written by the master only. */
static struct {
	char path[CTL_PATH_LEN];
	int lfd;
	dev_t sock_dev;
	ino_t sock_ino;
	struct ev_loop *loop;
	ev_io lio;
	struct ctl_conn *conns;
	unsigned int n_conns;
	unsigned int events;		/* callbacks run, for ctl_poll() */
	unsigned int idle_ms;
	struct ctl_op_slot ops[CTL_MAX_OPS];	/* sorted by opcode */
	unsigned int n_ops;
	struct ctl_stats stats;
} ctl_ctx = {
	.path = CTL_DEFAULT_SOCK,
	.lfd = -1,
	.idle_ms = CTL_CLIENT_IDLE_MS,
};

static unsigned int ctl_job_fn(void *arg)
{
	(void)arg;
	return ctl_poll();
}

static struct job ctl_job = {
	.name = "ctl",
	.type = JOB_LOOP,
	.fn = ctl_job_fn,
};

/* ---- registry ---- */

/* Index of the first op with opcode >= code. */
static unsigned int op_lower_bound(uint16_t code)
{
	unsigned int lo = 0, hi = ctl_ctx.n_ops;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (ctl_ctx.ops[mid].op->opcode < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ctl_op_slot *slot_find(uint16_t code)
{
	unsigned int i = op_lower_bound(code);

	if (i < ctl_ctx.n_ops && ctl_ctx.ops[i].op->opcode == code)
		return &ctl_ctx.ops[i];
	return NULL;
}

static const struct ctl_op *op_find(uint16_t code)
{
	struct ctl_op_slot *sl = slot_find(code);

	return sl ? sl->op : NULL;
}

static int op_check(const struct ctl_op *ops, unsigned int i)
{
	const struct ctl_op *op = &ops[i];
	unsigned int j;

	if (!op->handler || !op->name || op->min_len > op->max_len ||
	    op->max_len > CTL_MAX_REQUEST || (op->flags & ~CTL_OP_F_GET))
		return EDPVS_INVAL;
	if (op_find(op->opcode))
		return EDPVS_EXIST;
	for (j = 0; j < i; j++)
		if (ops[j].opcode == op->opcode)
			return EDPVS_EXIST;
	return 0;
}

static void op_insert(const struct ctl_op *op)
{
	unsigned int i = op_lower_bound(op->opcode);

	memmove(&ctl_ctx.ops[i + 1], &ctl_ctx.ops[i],
		(ctl_ctx.n_ops - i) * sizeof(ctl_ctx.ops[0]));
	memset(&ctl_ctx.ops[i], 0, sizeof(ctl_ctx.ops[i]));
	ctl_ctx.ops[i].op = op;
	ctl_ctx.n_ops++;
}

int ctl_register(const struct ctl_op *ops, unsigned int n)
{
	unsigned int i;
	int rc;

	if (!ops || n == 0)
		return EDPVS_INVAL;
	if (ctl_ctx.n_ops + n > CTL_MAX_OPS)
		return EDPVS_NOROOM;
	for (i = 0; i < n; i++) {
		rc = op_check(ops, i);
		if (rc) {
			DPVS_LOG(ctl, ERR, "cannot register request 0x%04x (%s): %s",
				 ops[i].opcode, ops[i].name ? ops[i].name : "?",
				 dpvs_strerror(rc));
			return rc;
		}
	}
	for (i = 0; i < n; i++)
		op_insert(&ops[i]);
	return 0;
}

int ctl_unregister(const struct ctl_op *ops, unsigned int n)
{
	unsigned int i, k;
	int rc = 0;

	if (!ops)
		return EDPVS_INVAL;
	for (i = 0; i < n; i++) {
		k = op_lower_bound(ops[i].opcode);
		if (k >= ctl_ctx.n_ops || ctl_ctx.ops[k].op != &ops[i]) {
			rc = EDPVS_NOTEXIST;
			continue;
		}
		memmove(&ctl_ctx.ops[k], &ctl_ctx.ops[k + 1],
			(ctl_ctx.n_ops - k - 1) * sizeof(ctl_ctx.ops[0]));
		ctl_ctx.n_ops--;
	}
	return rc;
}

int ctl_op_foreach(int (*cb)(const struct ctl_op *op, void *arg), void *arg)
{
	unsigned int i;

	if (!cb)
		return EDPVS_INVAL;
	for (i = 0; i < ctl_ctx.n_ops; i++) {
		int rc = cb(ctl_ctx.ops[i].op, arg);

		if (rc)
			return rc;
	}
	return 0;
}

int ctl_op_stats_get(uint16_t opcode, struct ctl_op_stats *out)
{
	struct ctl_op_slot *sl = slot_find(opcode);

	if (!sl)
		return EDPVS_NOTEXIST;
	*out = sl->st;
	return 0;
}

/* Run op's handler, count it, and warn about slow ones. */
static int op_run(const struct ctl_op *op, uint16_t code, const void *req, uint32_t len,
		  struct ctl_reply *rep)
{
	uint64_t t0 = rte_get_tsc_cycles(), us;
	struct ctl_op_slot *sl;
	int rc = op->handler(code, req, len, rep);

	if (rc > 0 || rc <= EDPVS_ERR_MIN) {
		DPVS_LOG_RL(ctl, ERR, "handler of %s returned bad status %d", op->name, rc);
		rc = EDPVS_INVAL;
	}
	us = (rte_get_tsc_cycles() - t0) * 1000000u / rte_get_tsc_hz();
	if (us >= CTL_SLOW_HANDLER_US)
		DPVS_LOG_RL(ctl, WARNING, "request %s took %" PRIu64 " ms on the master",
			    op->name, us / 1000);
	sl = slot_find(code);	/* the handler may have changed the registry */
	if (sl && sl->op == op) {
		sl->st.calls++;
		sl->st.failed += rc != 0;
		sl->st.total_us += us;
		if (us > sl->st.max_us)
			sl->st.max_us = us;
	}
	return rc;
}

/* ---- replies ---- */

static void reply_init(struct ctl_reply *rep, uint32_t uid)
{
	memset(rep, 0, sizeof(*rep));
	rep->peer_uid = uid;
}

void *ctl_reply_reserve(struct ctl_reply *rep, size_t len)
{
	size_t need, cap;
	uint8_t *nb;

	if (len > CTL_MAX_REPLY || rep->len > CTL_MAX_REPLY - len)
		return NULL;
	need = rep->len + len;
	if (need > rep->cap || !rep->buf) {
		cap = rep->cap ? rep->cap : CTL_REPLY_MIN;
		while (cap < need)
			cap *= 2;
		if (cap > CTL_MAX_REPLY)
			cap = CTL_MAX_REPLY;
		nb = realloc(rep->buf, CTL_PAYLOAD_OFF + cap);
		if (!nb)
			return NULL;
		rep->buf = nb;
		rep->cap = cap;
	}
	nb = rep->buf + CTL_PAYLOAD_OFF + rep->len;
	memset(nb, 0, len);
	rep->len = need;
	return nb;
}

int ctl_reply_append(struct ctl_reply *rep, const void *data, size_t len)
{
	void *p;

	if (len > CTL_MAX_REPLY || rep->len > CTL_MAX_REPLY - len)
		return EDPVS_RANGE;
	if (len == 0)
		return 0;
	p = ctl_reply_reserve(rep, len);
	if (!p)
		return EDPVS_NOMEM;
	memcpy(p, data, len);
	return 0;
}

void ctl_reply_errmsg(struct ctl_reply *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep->errmsg, sizeof(rep->errmsg), fmt, ap);
	va_end(ap);
	rep->has_errmsg = true;
}

size_t ctl_reply_len(const struct ctl_reply *rep)
{
	return rep->len;
}

void *ctl_reply_data(struct ctl_reply *rep)
{
	return rep->buf && rep->len ? rep->buf + CTL_PAYLOAD_OFF : NULL;
}

void ctl_reply_audit(struct ctl_reply *rep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep->audit, sizeof(rep->audit), fmt, ap);
	va_end(ap);
}

uint32_t ctl_reply_peer_uid(const struct ctl_reply *rep)
{
	return rep->peer_uid;
}

/* Turn a failed reply's payload into its NUL-terminated error text. */
static int reply_set_error(struct ctl_reply *rep, int status)
{
	const char *msg = rep->has_errmsg ? rep->errmsg : dpvs_strerror(status);
	char copy[CTL_ERRMSG_LEN];

	snprintf(copy, sizeof(copy), "%s", msg);
	rep->len = 0;
	return ctl_reply_append(rep, copy, strlen(copy) + 1);
}

/* Finish rep as the answer to req with status; returns the buffer
 * (ownership passes to the caller) whose bytes CTL_HDR_OFF..*end are the
 * wire reply (header + payload). */
static uint8_t *reply_finish(struct ctl_reply *rep, const struct ctl_hdr *req, int status,
			     size_t *end)
{
	struct ctl_hdr h = {
		.magic = CTL_MAGIC, .version = CTL_VERSION, .opcode = req->opcode,
		.seq = req->seq, .status = status,
	};
	uint8_t *buf;

	if (status != 0 && reply_set_error(rep, status) != 0)
		rep->len = 0;
	if (!rep->buf) {
		rep->buf = malloc(CTL_PAYLOAD_OFF);
		if (!rep->buf)
			return NULL;
	}
	h.len = (uint32_t)rep->len;
	memcpy(rep->buf + CTL_HDR_OFF, &h, sizeof(h));
	*end = CTL_PAYLOAD_OFF + rep->len;
	buf = rep->buf;
	rep->buf = NULL;
	return buf;
}

/* ---- connections ---- */

static void conn_close(struct ctl_conn *c)
{
	struct ctl_conn **pp;

	for (pp = &ctl_ctx.conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ev_io_stop(ctl_ctx.loop, &c->io);
	ev_timer_stop(ctl_ctx.loop, &c->timer);
	close(c->fd);
	free(c->body);
	free(c->out);
	free(c);
	ctl_ctx.n_conns--;
}

/* True when the client is in the middle of a request or reply. */
static bool conn_busy(const struct ctl_conn *c)
{
	return c->state != CONN_READ_HDR || c->hdr_got > 0;
}

/* (Re)arm the client's timer for its current state: short while busy or
 * before its first request, long between requests. */
static void conn_touch(struct ctl_conn *c)
{
	unsigned int ms = conn_busy(c) || c->served == 0 ? ctl_ctx.idle_ms
							  : CTL_CLIENT_KEEP_MS;

	c->timer.repeat = ms / 1000.0;
	c->last_active = ev_now(ctl_ctx.loop);
	ev_timer_again(ctl_ctx.loop, &c->timer);
}

static void conn_watch(struct ctl_conn *c, int events)
{
	if (c->watched == events)
		return;
	ev_io_stop(ctl_ctx.loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(ctl_ctx.loop, &c->io);
	c->watched = events;
}

static void conn_reset_request(struct ctl_conn *c)
{
	free(c->body);
	c->body = NULL;
	c->body_got = 0;
	c->hdr_got = 0;
	c->op = NULL;
	c->pending_err = 0;
	c->pending_msg[0] = '\0';
	c->state = CONN_READ_HDR;
}

/* Write what is pending; returns false if the client was closed. */
static bool conn_flush(struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			conn_watch(c, EV_WRITE);
			conn_touch(c);
			return true;
		}
		ctl_ctx.stats.io_errors++;
		conn_close(c);
		return false;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	if (c->close_after) {
		conn_close(c);
		return false;
	}
	conn_reset_request(c);
	conn_watch(c, EV_READ);
	conn_touch(c);
	return true;
}

/* Queue the reply to the current request and start writing it. */
static bool conn_send_reply(struct ctl_conn *c, struct ctl_reply *rep, int status)
{
	size_t end = 0;

	ctl_ctx.stats.requests++;
	c->served++;
	if (status != 0)
		ctl_ctx.stats.failed++;
	c->out = reply_finish(rep, &c->hdr, status, &end);
	free(rep->buf);
	if (!c->out) {
		DPVS_LOG_RL(ctl, ERR, "out of memory for a reply; closing client");
		conn_close(c);
		return false;
	}
	c->out_len = end;
	c->out_off = CTL_HDR_OFF;
	c->state = CONN_WRITE;
	return conn_flush(c);
}

/* A header that cannot be trusted: answer EDPVS_PROTO, then close. */
static bool conn_proto_error(struct ctl_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool conn_proto_error(struct ctl_conn *c, const char *fmt, ...)
{
	struct ctl_reply rep;
	va_list ap;

	reply_init(&rep, c->uid);
	va_start(ap, fmt);
	vsnprintf(rep.errmsg, sizeof(rep.errmsg), fmt, ap);
	va_end(ap);
	rep.has_errmsg = true;
	DPVS_LOG_RL(ctl, WARNING, "client uid %u: %s", c->uid, rep.errmsg);
	ctl_ctx.stats.proto_errors++;
	c->close_after = true;
	return conn_send_reply(c, &rep, EDPVS_PROTO);
}

static void conn_pending(struct ctl_conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void conn_pending(struct ctl_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	c->pending_err = err;
	va_start(ap, fmt);
	vsnprintf(c->pending_msg, sizeof(c->pending_msg), fmt, ap);
	va_end(ap);
}

/* Decide from the (trusted-length) header what happens to the request. */
static void conn_check_request(struct ctl_conn *c)
{
	const struct ctl_op *op = op_find(c->hdr.opcode);
	uint32_t len = c->hdr.len;

	c->op_name = op ? op->name : "-";
	if (c->hdr.status != 0) {
		conn_pending(c, EDPVS_PROTO, "request status must be 0, got %d", c->hdr.status);
	} else if (!op) {
		conn_pending(c, EDPVS_NOTSUPP, "unknown request type 0x%04x", c->hdr.opcode);
	} else if (len < op->min_len || len > op->max_len) {
		conn_pending(c, EDPVS_INVAL, "request %s needs %u..%u payload bytes, got %u",
			     op->name, op->min_len, op->max_len, len);
	} else if (!(op->flags & CTL_OP_F_GET) && c->uid != 0) {
		ctl_ctx.stats.perm_denied++;
		conn_pending(c, EDPVS_PERM, "request %s changes state: root only (uid %u)",
			     op->name, c->uid);
	} else if (len > 0 && !(c->body = malloc(len))) {
		conn_pending(c, EDPVS_NOMEM, "out of memory for a %u-byte request", len);
	} else {
		c->op = op;
	}
}

/* Header complete: validate it.  Returns false if the client was closed. */
static bool conn_got_header(struct ctl_conn *c)
{
	if (c->hdr.magic != CTL_MAGIC)
		return conn_proto_error(c, "bad magic 0x%08x (expected 0x%08x)", c->hdr.magic,
					CTL_MAGIC);
	if (c->hdr.version != CTL_VERSION)
		return conn_proto_error(c, "unsupported protocol version %u (dpvsd speaks %u)",
					c->hdr.version, CTL_VERSION);
	if (c->hdr.len > CTL_MAX_REQUEST)
		return conn_proto_error(c, "request of %u bytes exceeds the limit of %u",
					c->hdr.len, CTL_MAX_REQUEST);
	conn_check_request(c);
	c->state = CONN_READ_BODY;
	return true;
}

/* The audit trail, in this one place: every request of an op that changes
 * state (no CTL_OP_F_GET) gets one NOTICE line with the op's name, the
 * peer's uid and pid, the key arguments its handler gave with
 * ctl_reply_audit(), and the outcome, whether it ran, failed or was refused.  Read-only and unknown
 * requests stay at DEBUG (conn_dispatch). */
static void conn_audit(const struct ctl_conn *c, const struct ctl_reply *rep, int rc)
{
	const struct ctl_op *op = c->op ? c->op : op_find(c->hdr.opcode);
	const char *args = rep->audit;

	if (!op || (op->flags & CTL_OP_F_GET))
		return;
	if (rc == 0)
		DPVS_LOG(ctl, NOTICE, "audit: uid %u pid %d: %s%s%s: ok", c->uid, (int)c->pid,
			 op->name, args[0] ? " " : "", args);
	else
		DPVS_LOG(ctl, NOTICE, "audit: uid %u pid %d: %s%s%s: %s: %s", c->uid, (int)c->pid,
			 op->name, args[0] ? " " : "", args, c->op ? "failed" : "refused",
			 rep->has_errmsg ? rep->errmsg : dpvs_strerror(rc));
}

/* Body complete: run the handler (or report the pending error). */
static bool conn_dispatch(struct ctl_conn *c)
{
	struct ctl_reply rep;
	int rc;

	reply_init(&rep, c->uid);
	if (!c->op) {
		ctl_reply_errmsg(&rep, "%s", c->pending_msg);
		rc = c->pending_err;
	} else {
		rc = op_run(c->op, c->hdr.opcode, c->body, c->hdr.len, &rep);
	}
	DPVS_LOG(ctl, DEBUG, "request 0x%04x (%s) uid %u len %u: %s", c->hdr.opcode,
		 c->op_name, c->uid, c->hdr.len, dpvs_strerror(rc));
	conn_audit(c, &rep, rc);
	free(c->body);
	c->body = NULL;
	return conn_send_reply(c, &rep, rc);
}

/* One recv into buf; returns bytes, 0 when nothing more now, -1 when the
 * client is gone (closed here). */
static ssize_t conn_recv(struct ctl_conn *c, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = recv(c->fd, buf, len, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0 || conn_busy(c))
		ctl_ctx.stats.io_errors++;	/* EOF between requests is normal */
	conn_close(c);
	return -1;
}

/* Read body bytes (or discard them); returns -1 closed, 0 need more, 1 done. */
static int conn_read_body(struct ctl_conn *c)
{
	uint8_t scratch[4096];

	while (c->body_got < c->hdr.len) {
		size_t want = c->hdr.len - c->body_got;
		ssize_t n;

		if (!c->body && want > sizeof(scratch))
			want = sizeof(scratch);
		n = conn_recv(c, c->body ? c->body + c->body_got : scratch, want);
		if (n <= 0)
			return (int)n;
		c->body_got += (size_t)n;
	}
	return 1;
}

/* Read until one request is complete or the socket is drained. */
static void conn_read(struct ctl_conn *c)
{
	ssize_t n;
	int rc;

	if (c->state == CONN_READ_HDR) {
		n = conn_recv(c, (uint8_t *)&c->hdr + c->hdr_got, sizeof(c->hdr) - c->hdr_got);
		if (n < 0)
			return;
		c->hdr_got += (size_t)n;
		if (c->hdr_got < sizeof(c->hdr)) {
			conn_touch(c);
			return;
		}
		if (!conn_got_header(c) || c->state != CONN_READ_BODY)
			return;
	}
	rc = conn_read_body(c);
	if (rc < 0)
		return;
	if (rc == 0) {
		conn_touch(c);
		return;
	}
	conn_dispatch(c);
}

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = w->data;

	(void)loop;
	ctl_ctx.events++;
	if (c->state == CONN_WRITE) {
		if (revents & EV_WRITE)
			conn_flush(c);
		return;
	}
	if (revents & EV_READ)
		conn_read(c);
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_conn *c = w->data;

	(void)loop;
	(void)revents;
	ctl_ctx.events++;
	if (conn_busy(c)) {
		ctl_ctx.stats.timeouts++;
		DPVS_LOG_RL(ctl, WARNING, "client uid %u stalled mid-request; closing", c->uid);
	}
	conn_close(c);
}

/* ---- listening socket ---- */

/* The peer's uid (UINT32_MAX if unknown: treated as non-root) and pid
 * (0 if unknown), from SO_PEERCRED at accept. */
static uint32_t peer_cred(int fd, int32_t *pid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	*pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || len != sizeof(cr))
		return UINT32_MAX;
	*pid = (int32_t)cr.pid;
	return cr.uid;
}

/* At the client limit, make room by closing the longest-idle client that
 * is between requests (never one mid-request).  False if none can go. */
static bool conn_evict_idle(void)
{
	struct ctl_conn *c, *victim = NULL;

	for (c = ctl_ctx.conns; c; c = c->next)
		if (!conn_busy(c) && (!victim || c->last_active < victim->last_active))
			victim = c;
	if (!victim)
		return false;
	ctl_ctx.stats.evicted++;
	DPVS_LOG_RL(ctl, WARNING, "client limit (%u) reached: closing an idle client",
		    CTL_MAX_CLIENTS);
	conn_close(victim);
	return true;
}

static void conn_new(int fd)
{
	struct ctl_conn *c = NULL;

	if (ctl_ctx.n_conns < CTL_MAX_CLIENTS || conn_evict_idle())
		c = calloc(1, sizeof(*c));
	if (!c) {
		ctl_ctx.stats.refused++;
		DPVS_LOG_RL(ctl, WARNING, "too many control clients (%u); refusing one",
			    ctl_ctx.n_conns);
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = peer_cred(fd, &c->pid);
	c->state = CONN_READ_HDR;
	ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
	c->watched = EV_READ;
	c->io.data = c;
	ev_init(&c->timer, conn_timer_cb);
	c->timer.data = c;
	c->next = ctl_ctx.conns;
	ctl_ctx.conns = c;
	ctl_ctx.n_conns++;
	ctl_ctx.stats.accepted++;
	ev_io_start(ctl_ctx.loop, &c->io);
	conn_touch(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	unsigned int i;

	(void)loop;
	(void)revents;
	ctl_ctx.events++;
	for (i = 0; i < CTL_ACCEPT_BURST; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				DPVS_LOG_RL(ctl, WARNING, "accept: %s", strerror(errno));
			return;
		}
		conn_new(fd);
	}
}

/* mkdir -p of the directory holding path, mode 0755. */
static int sock_make_dir(const char *path)
{
	char dir[CTL_PATH_LEN];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			DPVS_LOG(ctl, ERR, "cannot create %s: %s", dir, strerror(errno));
			return EDPVS_SYSCALL;
		}
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

static void sock_addr(struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, ctl_ctx.path, strlen(ctl_ctx.path) + 1);
}

/* Remove a socket file left by a dead daemon; refuse to touch a live one
 * or anything that is not a socket. */
static int sock_remove_stale(void)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	if (lstat(ctl_ctx.path, &st) != 0)
		return errno == ENOENT ? 0 : EDPVS_SYSCALL;
	if (!S_ISSOCK(st.st_mode)) {
		DPVS_LOG(ctl, ERR, "%s exists and is not a socket", ctl_ctx.path);
		return EDPVS_EXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return EDPVS_SYSCALL;
	sock_addr(&sa);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc == 0 || errno == EAGAIN) {
		close(fd);
		DPVS_LOG(ctl, ERR, "another dpvsd is serving %s", ctl_ctx.path);
		return EDPVS_BUSY;
	}
	close(fd);
	if (unlink(ctl_ctx.path) != 0 && errno != ENOENT)
		return EDPVS_SYSCALL;
	DPVS_LOG(ctl, INFO, "removed stale socket %s", ctl_ctx.path);
	return 0;
}

static int sock_listen(void)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return EDPVS_SYSCALL;
	sock_addr(&sa);
	old = umask(0177);		/* the file is born 0600 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || chmod(ctl_ctx.path, 0600) != 0 || listen(fd, 64) != 0 ||
	    stat(ctl_ctx.path, &st) != 0) {
		DPVS_LOG(ctl, ERR, "cannot listen on %s: %s", ctl_ctx.path, strerror(errno));
		if (rc == 0)
			unlink(ctl_ctx.path);
		close(fd);
		return EDPVS_SYSCALL;
	}
	ctl_ctx.sock_dev = st.st_dev;
	ctl_ctx.sock_ino = st.st_ino;
	ctl_ctx.lfd = fd;
	return 0;
}

/* Unlink the socket file only if it is still the one we created. */
static void sock_unlink(void)
{
	struct stat st;

	if (lstat(ctl_ctx.path, &st) == 0 && st.st_dev == ctl_ctx.sock_dev &&
	    st.st_ino == ctl_ctx.sock_ino)
		unlink(ctl_ctx.path);
}

/* ---- module ---- */

int ctl_set_path(const char *path)
{
	if (!path || !path[0] || strlen(path) >= sizeof(ctl_ctx.path))
		return EDPVS_INVAL;
	if (ctl_ctx.loop)
		return EDPVS_BUSY;
	snprintf(ctl_ctx.path, sizeof(ctl_ctx.path), "%s", path);
	return 0;
}

const char *ctl_get_path(void)
{
	return ctl_ctx.path;
}

void ctl_set_client_timeout_ms(unsigned int ms)
{
	ctl_ctx.idle_ms = ms ? ms : CTL_CLIENT_IDLE_MS;
}

void ctl_stats_get(struct ctl_stats *out)
{
	*out = ctl_ctx.stats;
}

unsigned int ctl_client_count(void)
{
	return ctl_ctx.n_conns;
}

struct ev_loop *ctl_ev_loop(void)
{
	return ctl_ctx.loop;
}

unsigned int ctl_poll(void)
{
	unsigned int before = ctl_ctx.events;

	if (!ctl_ctx.loop)
		return 0;
	ev_run(ctl_ctx.loop, EVRUN_NOWAIT);
	return ctl_ctx.events - before;
}

int ctl_init(void)
{
	int rc;

	if (ctl_ctx.loop)
		return EDPVS_BUSY;
	memset(&ctl_ctx.stats, 0, sizeof(ctl_ctx.stats));
	rc = sock_make_dir(ctl_ctx.path);
	if (rc == 0)
		rc = sock_remove_stale();
	if (rc == 0)
		rc = sock_listen();
	if (rc)
		goto err;
	ctl_ctx.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK | EVFLAG_NOENV);
	if (!ctl_ctx.loop) {
		rc = EDPVS_NOMEM;
		goto err_sock;
	}
	ev_io_init(&ctl_ctx.lio, accept_cb, ctl_ctx.lfd, EV_READ);
	ev_io_start(ctl_ctx.loop, &ctl_ctx.lio);
	rc = job_register(&ctl_job, JOB_ROLE_MASTER);
	if (rc)
		goto err_loop;
	DPVS_LOG(ctl, INFO, "listening on %s", ctl_ctx.path);
	return 0;

err_loop:
	ev_io_stop(ctl_ctx.loop, &ctl_ctx.lio);
	ev_loop_destroy(ctl_ctx.loop);
	ctl_ctx.loop = NULL;
err_sock:
	close(ctl_ctx.lfd);
	ctl_ctx.lfd = -1;
	sock_unlink();
err:
	DPVS_LOG(ctl, ERR, "control socket %s: %s", ctl_ctx.path, dpvs_strerror(rc));
	return rc;
}

void ctl_term(void)
{
	if (!ctl_ctx.loop)
		return;
	job_unregister(&ctl_job);
	while (ctl_ctx.conns)
		conn_close(ctl_ctx.conns);
	ev_io_stop(ctl_ctx.loop, &ctl_ctx.lio);
	ev_loop_destroy(ctl_ctx.loop);
	ctl_ctx.loop = NULL;
	close(ctl_ctx.lfd);
	ctl_ctx.lfd = -1;
	sock_unlink();
}
