/*
 * fwmark.c - the fwmark classifier: rules that give packets a firewall
 * mark (like iptables -t mangle -j MARK) so fwmark virtual services
 * (ipvsadm -f MARK) match them; the control requests FWMARK_OP_* (dpip
 * mark) and the message that publishes a change to the workers.
 *
 * Ownership: `fwmark_ctx.master` is the master's authoritative list
 * (control handlers, master lcore only).  `fwmark_tabs[i]` is lcore i's
 * copy, written and read only by lcore i (its message handler and its
 * packets) while the loops run; before they run (or after they stopped)
 * the master writes every copy directly, since nobody reads them then.
 * A change is checked and applied on the master first, then sent with
 * msg_multicast_sync() to every FWD_WORKER; the rings are FIFO, so a worker
 * that answers late still applies changes in the master's order.
 *
 * Rules are few (FWMARK_MAX_RULES) and evaluated in order, first match
 * wins; each copy keeps them with precomputed masks.  The IPVS hook asks
 * only for packets no (af, proto, vip, vport) service matched.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_byteorder.h>
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "msg.h"
#include "ipvs/fwmark.h"

DPVS_LOG_REGISTER(fwmark);

#define FWMARK_MSG_TYPE       0x49505310u	/* struct fwmark_msg */
#define FWMARK_MSG_TIMEOUT_US 2000000u

enum fwmark_msg_op { FWMARK_MSG_ADD, FWMARK_MSG_DEL, FWMARK_MSG_FLUSH };

struct fwmark_msg {
	uint32_t op;			/* enum fwmark_msg_op */
	struct fwmark_wire_rule rule;	/* ADD, DEL */
};

/* A rule ready for matching (masks network order, ports host order). */
struct fwmark_crule {
	uint32_t src, smask, dst, dmask;
	uint16_t lo, hi;
	uint8_t proto;
	uint32_t mark;
};

struct fwmark_tab {
	uint32_t n;
	struct fwmark_crule c[FWMARK_MAX_RULES];
	struct fwmark_wire_rule w[FWMARK_MAX_RULES];	/* as added (for del, list) */
} __rte_cache_aligned;

/* [i]: lcore i's copy (see the file comment for who writes it when). */
static struct fwmark_tab fwmark_tabs[RTE_MAX_LCORE];

static struct {
	struct fwmark_tab master;	/* the master's list */
	bool msg_registered;
	bool ctl_registered;
} fwmark_ctx;

static uint32_t plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - plen));
}

int fwmark_rule_check(const struct fwmark_wire_rule *r, const char **why)
{
	*why = NULL;
	if (r->mark == 0)
		*why = "mark must be 1..4294967295";
	else if (r->proto != 0 && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		*why = "proto must be tcp or udp";
	else if (r->src_plen > 32 || r->dst_plen > 32)
		*why = "prefix length must be 0..32";
	else if ((r->src & ~plen_mask(r->src_plen)) != 0 || (r->dst & ~plen_mask(r->dst_plen)) != 0)
		*why = "prefix has host bits set";
	else if (r->dport_lo > r->dport_hi)
		*why = "port range is empty (low > high)";
	else if (r->pad != 0)
		*why = "padding must be zero";
	return *why ? EDPVS_INVAL : 0;
}

/* ---- one table (any copy) ---- */

static int tab_find(const struct fwmark_tab *t, const struct fwmark_wire_rule *r)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		if (memcmp(&t->w[i], r, sizeof(*r)) == 0)
			return (int)i;
	return -1;
}

static int tab_add(struct fwmark_tab *t, const struct fwmark_wire_rule *r)
{
	struct fwmark_crule *c;

	if (tab_find(t, r) >= 0)
		return EDPVS_EXIST;
	if (t->n >= FWMARK_MAX_RULES)
		return EDPVS_NOROOM;
	c = &t->c[t->n];
	c->src = r->src;
	c->smask = plen_mask(r->src_plen);
	c->dst = r->dst;
	c->dmask = plen_mask(r->dst_plen);
	c->lo = r->dport_lo;
	c->hi = r->dport_hi;
	c->proto = r->proto;
	c->mark = r->mark;
	t->w[t->n] = *r;
	t->n++;
	return 0;
}

static int tab_del(struct fwmark_tab *t, const struct fwmark_wire_rule *r)
{
	int i = tab_find(t, r);

	if (i < 0)
		return EDPVS_NOTEXIST;
	memmove(&t->c[i], &t->c[i + 1], (t->n - (uint32_t)i - 1) * sizeof(t->c[0]));
	memmove(&t->w[i], &t->w[i + 1], (t->n - (uint32_t)i - 1) * sizeof(t->w[0]));
	t->n--;
	return 0;
}

static int tab_apply(struct fwmark_tab *t, const struct fwmark_msg *m)
{
	switch (m->op) {
	case FWMARK_MSG_ADD:
		return tab_add(t, &m->rule);
	case FWMARK_MSG_DEL:
		return tab_del(t, &m->rule);
	case FWMARK_MSG_FLUSH:
		t->n = 0;
		return 0;
	default:
		return EDPVS_INVAL;
	}
}

uint32_t fwmark_classify(uint8_t proto, uint32_t saddr, uint32_t daddr, uint16_t dport)
{
	unsigned int lcore = rte_lcore_id();
	const struct fwmark_tab *t;
	uint16_t port;
	uint32_t i;

	if (unlikely(lcore >= RTE_MAX_LCORE))
		return 0;
	t = &fwmark_tabs[lcore];
	if (likely(t->n == 0))
		return 0;
	port = rte_be_to_cpu_16(dport);
	for (i = 0; i < t->n; i++) {
		const struct fwmark_crule *c = &t->c[i];

		if ((c->proto == 0 || c->proto == proto) && (daddr & c->dmask) == c->dst &&
		    (saddr & c->smask) == c->src && port >= c->lo && port <= c->hi)
			return c->mark;
	}
	return 0;
}

/* ---- publication (master) ---- */

static int fwmark_msg_handler(unsigned int lcore_id, const void *req, size_t len,
			      struct msg_reply *reply)
{
	struct fwmark_msg m;

	(void)reply;
	if (len != sizeof(m) || lcore_id >= RTE_MAX_LCORE)
		return EDPVS_INVAL;
	memcpy(&m, req, sizeof(m));
	return tab_apply(&fwmark_tabs[lcore_id], &m);
}

/* Apply m to the master's list, then to every worker's copy. */
static int fwmark_publish(const struct fwmark_msg *m)
{
	static struct msg_result res[RTE_MAX_LCORE];
	unsigned int i, nres = 0;
	int rc, first = 0;

	rc = tab_apply(&fwmark_ctx.master, m);
	if (rc != 0)
		return rc;
	if (!job_running()) {
		for (i = 0; i < RTE_MAX_LCORE; i++)
			(void)tab_apply(&fwmark_tabs[i], m);
		return 0;
	}
	if (job_role_count(JOB_ROLE_FWD_WORKER) == 0)
		return 0;
	rc = msg_multicast_sync(FWMARK_MSG_TYPE, m, sizeof(*m), FWMARK_MSG_TIMEOUT_US, res, &nres);
	for (i = 0; i < nres; i++)
		if (res[i].status != 0 && first == 0)
			first = res[i].status;
	msg_result_free(res, nres);
	if (first != 0 || rc != 0)
		DPVS_LOG(fwmark, WARNING, "rule change %u not applied by every worker: %s", m->op,
			 dpvs_strerror(first ? first : rc));
	return first != 0 ? first : rc;
}

static int fwmark_change(uint32_t op, const struct fwmark_wire_rule *r)
{
	struct fwmark_msg m;
	const char *why;

	memset(&m, 0, sizeof(m));
	m.op = op;
	if (r != NULL) {
		if (fwmark_rule_check(r, &why) != 0)
			return EDPVS_INVAL;
		m.rule = *r;
	}
	return fwmark_publish(&m);
}

int fwmark_add(const struct fwmark_wire_rule *r)
{
	return fwmark_change(FWMARK_MSG_ADD, r);
}

int fwmark_del(const struct fwmark_wire_rule *r)
{
	return fwmark_change(FWMARK_MSG_DEL, r);
}

int fwmark_flush(void)
{
	return fwmark_change(FWMARK_MSG_FLUSH, NULL);
}

unsigned int fwmark_list(struct fwmark_wire_rule *out, unsigned int max)
{
	unsigned int n = fwmark_ctx.master.n;

	memcpy(out, fwmark_ctx.master.w, (size_t)RTE_MIN(n, max) * sizeof(*out));
	return n;
}

/* ---- control requests (master) ---- */

static int h_change(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct fwmark_wire_rule r;
	const char *why;
	int rc;

	(void)len;
	memcpy(&r, req, sizeof(r));
	if (fwmark_rule_check(&r, &why) != 0) {
		ctl_reply_errmsg(rep, "%s", why);
		return EDPVS_INVAL;
	}
	rc = op == FWMARK_OP_ADD ? fwmark_add(&r) : fwmark_del(&r);
	if (rc == EDPVS_EXIST)
		ctl_reply_errmsg(rep, "rule already exists");
	else if (rc == EDPVS_NOTEXIST)
		ctl_reply_errmsg(rep, "no such rule");
	else if (rc == EDPVS_NOROOM)
		ctl_reply_errmsg(rep, "too many rules (at most %u)", FWMARK_MAX_RULES);
	return rc;
}

static int h_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	(void)op, (void)req, (void)len;
	if (fwmark_ctx.master.n == 0)
		return 0;
	return ctl_reply_append(rep, fwmark_ctx.master.w,
				fwmark_ctx.master.n * sizeof(struct fwmark_wire_rule));
}

static int h_flush(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	(void)op, (void)req, (void)len, (void)rep;
	return fwmark_flush();
}

static const struct ctl_op fwmark_ops[] = {
	{ .opcode = FWMARK_OP_ADD, .name = "fwmark.add", .handler = h_change,
	  .min_len = sizeof(struct fwmark_wire_rule), .max_len = sizeof(struct fwmark_wire_rule) },
	{ .opcode = FWMARK_OP_DEL, .name = "fwmark.del", .handler = h_change,
	  .min_len = sizeof(struct fwmark_wire_rule), .max_len = sizeof(struct fwmark_wire_rule) },
	{ .opcode = FWMARK_OP_LIST, .name = "fwmark.list", .handler = h_list,
	  .flags = CTL_OP_F_GET },
	{ .opcode = FWMARK_OP_FLUSH, .name = "fwmark.flush", .handler = h_flush },
};

/* ---- module ---- */

int fwmark_init(void)
{
	int rc;

	rc = msg_type_register(FWMARK_MSG_TYPE, fwmark_msg_handler);
	if (rc != 0)
		goto err_msg;
	fwmark_ctx.msg_registered = true;
	rc = ctl_register(fwmark_ops, RTE_DIM(fwmark_ops));
	if (rc != 0)
		goto err_ctl;
	fwmark_ctx.ctl_registered = true;
	return 0;
err_ctl:
	msg_type_unregister(FWMARK_MSG_TYPE);
	fwmark_ctx.msg_registered = false;
err_msg:
	DPVS_LOG(fwmark, ERR, "init failed: %s", dpvs_strerror(rc));
	return rc;
}

void fwmark_term(void)
{
	unsigned int i;

	if (fwmark_ctx.ctl_registered)
		ctl_unregister(fwmark_ops, RTE_DIM(fwmark_ops));
	if (fwmark_ctx.msg_registered)
		msg_type_unregister(FWMARK_MSG_TYPE);
	fwmark_ctx.ctl_registered = fwmark_ctx.msg_registered = false;
	fwmark_ctx.master.n = 0;
	for (i = 0; i < RTE_MAX_LCORE; i++)
		fwmark_tabs[i].n = 0;
}
