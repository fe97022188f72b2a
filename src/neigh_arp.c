/*
 * neigh_arp.c - ARP on dpvsd's ports and the glue between the per-lcore
 * neighbour tables (neigh.c): one table per lcore with a loop, the ARP
 * receive handler (replies for local addresses, learning), ARP requests,
 * replies and gratuitous ARP, the "neigh_sync" ageing job, and the
 * messages that carry learned entries, static entries, deletions, flushes
 * and dumps between lcores.
 *
 * Ownership: neigh_tables[l] is created by the master at init, then read
 * and written only by lcore l while the loops run (before they run, the
 * master applies changes to every table itself).
 */
#include <string.h>
#include <arpa/inet.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_addr.h"
#include "job.h"
#include "msg.h"
#include "neigh.h"
#include "netif.h"
#include "timer.h"

DPVS_LOG_REGISTER(neigh_arp);

#define NEIGH_MSG_TYPE       0x0501u	/* msg.h type (in CTL_OP_NEIGH_BASE's range) */
#define NEIGH_MSG_TIMEOUT_US 500000u
#define NEIGH_AGE_BUDGET     64u
#define NEIGH_SLOW_LOOPS     16u
#define ARP_LEN              ((uint32_t)sizeof(struct rte_arp_hdr))

enum neigh_msg_op {
	NMSG_CONFIRM = 1,	/* learned from ARP by another lcore */
	NMSG_STATIC,
	NMSG_DEL,
	NMSG_FLUSH,		/* port_id NETIF_NO_PORT: all ports */
	NMSG_GARP,		/* send a gratuitous ARP */
	NMSG_DUMP,		/* reply: struct neigh_info[] of this lcore */
};

struct neigh_msg {
	uint8_t op;
	uint8_t with_static;
	uint16_t port_id;
	uint32_t addr;
	struct rte_ether_addr mac;
	uint16_t pad;
};

static struct neigh_table *neigh_tables[RTE_MAX_LCORE];
static bool neigh_msg_registered;

static inline uint64_t now_ms(void)
{
	return timer_now_us() / 1000u;	/* per packet: no division by the TSC rate */
}

static inline struct neigh_table *my_table(void)
{
	unsigned int id = rte_lcore_id();

	return id < RTE_MAX_LCORE ? neigh_tables[id] : NULL;
}

uint64_t neigh_counter_sum(enum neigh_counter c)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++)
		if (neigh_tables[i])
			s += neigh_table_counter(neigh_tables[i], c);
	return s;
}

static void count(enum neigh_counter c)
{
	struct neigh_table *t = my_table();

	/* Counters live in the table; the table's own counter array is
	 * written by this lcore only. */
	if (t != NULL)
		neigh_table_count_inc(t, c);
}

/* ---- building frames ---- */

static struct rte_mbuf *arp_build(struct netif_port *port, uint16_t op,
				  const struct rte_ether_addr *eth_dst,
				  const struct rte_ether_addr *tha, uint32_t sip, uint32_t tip)
{
	struct rte_mempool *mp = netif_pktmbuf_pool();
	struct rte_mbuf *m = mp ? rte_pktmbuf_alloc(mp) : NULL;
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL) {
		count(NEIGH_C_NOMEM);
		return NULL;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + ARP_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		count(NEIGH_C_NOMEM);
		return NULL;
	}
	rte_ether_addr_copy(eth_dst, &eth->dst_addr);
	rte_ether_addr_copy(&port->mac, &eth->src_addr);
	eth->ether_type = htons(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = htons(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = htons(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = htons(op);
	rte_ether_addr_copy(&port->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = tip;
	m->l2_len = sizeof(*eth);
	m->port = port->port_id;
	return m;
}

static const struct rte_ether_addr eth_bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct rte_ether_addr eth_zero;

/* neigh_table_ops.send_req: a request for addr (unicast to mac if set). */
static void arp_send_req(void *ctx, struct netif_port *port, uint32_t addr,
			 const struct rte_ether_addr *mac)
{
	uint32_t sip = inet_addr_select_src(port, addr);
	struct rte_mbuf *m;

	(void)ctx;
	if (sip == 0) {
		count(NEIGH_C_NO_SOURCE);
		return;
	}
	m = arp_build(port, RTE_ARP_OP_REQUEST, mac ? mac : &eth_bcast, &eth_zero, sip, addr);
	if (m != NULL)
		netif_xmit(m, port);
}

/* neigh_table_ops.xmit: prepend Ethernet to an IPv4 packet and send it. */
static int neigh_eth_xmit(void *ctx, struct rte_mbuf *m, struct netif_port *port,
			  const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth;

	(void)ctx;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return EDPVS_NOROOM;
	}
	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(&port->mac, &eth->src_addr);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	m->l2_len = sizeof(*eth);
	return netif_xmit(m, port);
}

static const struct neigh_table_ops neigh_ops = {
	.send_req = arp_send_req,
	.xmit = neigh_eth_xmit,
};

int neigh_output(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop)
{
	struct neigh_table *t = my_table();
	int rc;

	if (unlikely(t == NULL || port == NULL)) {
		rte_pktmbuf_free(m);
		return EDPVS_NOTREADY;
	}
	if (likely(neigh_table_xmit_resolved(t, m, port, nexthop, &rc)))
		return rc;	/* no clock read per packet */
	return neigh_table_resolve(t, m, port, nexthop, now_ms());
}

static int garp_send_here(struct netif_port *port, uint32_t addr)
{
	struct rte_mbuf *m = arp_build(port, RTE_ARP_OP_REQUEST, &eth_bcast, &eth_zero, addr,
				       addr);

	if (m == NULL)
		return EDPVS_NOMEM;
	count(NEIGH_C_ARP_REQ_OUT);
	return netif_xmit(m, port);
}

int neigh_gratuitous(struct netif_port *port, uint32_t addr)
{
	struct neigh_msg msg = { .op = NMSG_GARP, .port_id = port->port_id, .addr = addr };
	unsigned int worker = job_role_lcore(JOB_ROLE_FWD_WORKER, 0);

	if (job_lcore_role(rte_lcore_id()) == JOB_ROLE_FWD_WORKER)
		return garp_send_here(port, addr);
	/* The master may have no tx queue: ask the first worker (it sends
	 * when its loop runs). */
	if (worker < RTE_MAX_LCORE && neigh_msg_registered)
		return msg_send_async(worker, NEIGH_MSG_TYPE, &msg, sizeof(msg));
	return garp_send_here(port, addr);
}

/* ---- ARP receive ---- */

/* Tell every other lcore with a table what this one learned. */
static void neigh_tell_others(struct netif_port *port, uint32_t addr,
			      const struct rte_ether_addr *mac)
{
	struct neigh_msg msg = { .op = NMSG_CONFIRM, .port_id = port->port_id, .addr = addr };
	unsigned int self = rte_lcore_id(), l;

	if (!neigh_msg_registered)
		return;
	rte_ether_addr_copy(mac, &msg.mac);
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		if (l == self || neigh_tables[l] == NULL)
			continue;
		if (msg_send_async(l, NEIGH_MSG_TYPE, &msg, sizeof(msg)) == 0)
			count(NEIGH_C_SYNC_SENT);
		else
			count(NEIGH_C_SYNC_FAILED);
	}
}

static int arp_check(const struct rte_mbuf *m, const struct rte_arp_hdr *arp)
{
	if (rte_pktmbuf_data_len(m) < ARP_LEN)
		return NEIGH_C_ARP_TRUNCATED;
	if (arp->arp_hardware != htons(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != htons(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return NEIGH_C_ARP_BAD_HDR;
	if (arp->arp_opcode != htons(RTE_ARP_OP_REQUEST) &&
	    arp->arp_opcode != htons(RTE_ARP_OP_REPLY))
		return NEIGH_C_ARP_BAD_OP;
	if (!rte_is_unicast_ether_addr(&arp->arp_data.arp_sha) ||
	    rte_is_zero_ether_addr(&arp->arp_data.arp_sha))
		return NEIGH_C_ARP_BAD_SENDER;
	return -1;
}

/* Turn the request in m into our reply and send it. */
static void arp_reply(struct rte_mbuf *m, struct netif_port *port, struct rte_arp_hdr *arp)
{
	uint32_t our = arp->arp_data.arp_tip;
	struct rte_ether_hdr *eth;

	arp->arp_opcode = htons(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&port->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = our;
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - ARP_LEN);	/* no padding */
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_ether_addr_copy(&arp->arp_data.arp_tha, &eth->dst_addr);
	rte_ether_addr_copy(&port->mac, &eth->src_addr);
	eth->ether_type = htons(RTE_ETHER_TYPE_ARP);
	m->l2_len = sizeof(*eth);
	count(NEIGH_C_ARP_REPLY_OUT);
	netif_xmit(m, port);
}

enum dpvs_verdict neigh_arp_rcv(struct rte_mbuf *m, struct netif_port *port)
{
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod(m, struct rte_arp_hdr *);
	struct neigh_table *t = my_table();
	uint32_t sip, tip;
	bool for_us;
	int bad;

	count(NEIGH_C_ARP_IN);
	bad = arp_check(m, arp);
	if (bad >= 0) {
		count((enum neigh_counter)bad);
		return VERDICT_DROP;
	}
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	if (sip != 0 && inet_addr_is_local(sip)) {	/* our address from elsewhere */
		count(NEIGH_C_ARP_BAD_SENDER);
		return VERDICT_DROP;
	}
	for_us = inet_addr_is_local_on(port, tip);
	if (t != NULL && sip != 0 &&
	    neigh_table_confirm(t, port, sip, &arp->arp_data.arp_sha, for_us, now_ms()))
		neigh_tell_others(port, sip, &arp->arp_data.arp_sha);
	if (!for_us) {
		count(NEIGH_C_ARP_TO_KERNEL);
		return VERDICT_ACCEPT;
	}
	if (arp->arp_opcode == htons(RTE_ARP_OP_REQUEST)) {
		count(NEIGH_C_ARP_REQ_IN);
		arp_reply(m, port, arp);
	} else {
		rte_pktmbuf_free(m);
	}
	return VERDICT_STOLEN;
}

/* ---- messages between lcores ---- */

static int neigh_msg_dump(struct neigh_table *t, const struct neigh_msg *msg,
			  struct msg_reply *reply)
{
	unsigned int max = NEIGH_TABLE_SIZE, n;
	struct neigh_info *buf = rte_malloc("neigh_dump", sizeof(*buf) * max, 0);
	struct netif_port *port = msg->port_id == NETIF_NO_PORT ? NULL
				 : netif_port_get(msg->port_id);
	int rc;

	if (buf == NULL)
		return EDPVS_NOMEM;
	n = neigh_table_dump(t, port, buf, max);
	rc = msg_reply_set(reply, buf, sizeof(*buf) * (n < max ? n : max));
	rte_free(buf);
	return rc;
}

/* Apply a message to table t (on t's lcore, or on the master before the
 * loops run). */
static int neigh_msg_apply(struct neigh_table *t, const struct neigh_msg *msg,
			   struct msg_reply *reply)
{
	struct netif_port *port = NULL;

	if (msg->port_id != NETIF_NO_PORT) {
		port = netif_port_get(msg->port_id);
		if (port == NULL)
			return EDPVS_NOTEXIST;
	}
	switch (msg->op) {
	case NMSG_CONFIRM:
		neigh_table_confirm(t, port, msg->addr, &msg->mac, true, now_ms());
		return 0;
	case NMSG_STATIC:
		return neigh_table_set_static(t, port, msg->addr, &msg->mac);
	case NMSG_DEL:
		return neigh_table_delete(t, port, msg->addr);
	case NMSG_FLUSH:
		neigh_table_flush(t, port, msg->with_static);
		return 0;
	case NMSG_GARP:
		return port ? garp_send_here(port, msg->addr) : EDPVS_INVAL;
	case NMSG_DUMP:
		return reply ? neigh_msg_dump(t, msg, reply) : EDPVS_INVAL;
	default:
		return EDPVS_INVAL;
	}
}

static int neigh_msg_handler(unsigned int lcore_id, const void *req, size_t len,
			     struct msg_reply *reply)
{
	struct neigh_table *t = lcore_id < RTE_MAX_LCORE ? neigh_tables[lcore_id] : NULL;

	if (len != sizeof(struct neigh_msg) || t == NULL)
		return EDPVS_INVAL;
	return neigh_msg_apply(t, req, reply);
}

/* Master: apply msg to its own table and every worker's.  Returns the
 * first error (EDPVS_NOTEXIST only if no table had the entry). */
static int neigh_apply_all(const struct neigh_msg *msg)
{
	unsigned int nw = job_role_count(JOB_ROLE_FWD_WORKER), nres = 0, i, l;
	struct msg_result res[RTE_MAX_LCORE];
	int rc_master, rc = 0, found;

	rc_master = neigh_tables[rte_get_main_lcore()] ?
		neigh_msg_apply(neigh_tables[rte_get_main_lcore()], msg, NULL) : EDPVS_NOTEXIST;
	found = rc_master == 0;
	if (!job_running() || !neigh_msg_registered || nw == 0) {
		for (l = 0; l < RTE_MAX_LCORE; l++) {
			int r;

			if (neigh_tables[l] == NULL || l == rte_get_main_lcore())
				continue;
			r = neigh_msg_apply(neigh_tables[l], msg, NULL);
			found |= r == 0;
			if (r != 0 && r != EDPVS_NOTEXIST && rc == 0)
				rc = r;
		}
	} else {
		rc = msg_multicast_sync(NEIGH_MSG_TYPE, msg, sizeof(*msg), NEIGH_MSG_TIMEOUT_US,
					res, &nres);
		for (i = 0; i < nres; i++) {
			found |= res[i].status == 0;
			if (res[i].status != 0 && res[i].status != EDPVS_NOTEXIST && rc == 0)
				rc = res[i].status;
		}
		msg_result_free(res, nres);
	}
	if (rc == 0 && !found)
		rc = rc_master;
	return rc;
}

int neigh_add_static(struct netif_port *port, uint32_t addr, const struct rte_ether_addr *mac)
{
	struct neigh_msg msg = { .op = NMSG_STATIC, .addr = addr };

	if (port == NULL || addr == 0 || !rte_is_unicast_ether_addr(mac) ||
	    rte_is_zero_ether_addr(mac))
		return EDPVS_INVAL;
	msg.port_id = port->port_id;
	rte_ether_addr_copy(mac, &msg.mac);
	return neigh_apply_all(&msg);
}

int neigh_del(struct netif_port *port, uint32_t addr)
{
	struct neigh_msg msg = { .op = NMSG_DEL, .addr = addr };

	if (port == NULL)
		return EDPVS_INVAL;
	msg.port_id = port->port_id;
	return neigh_apply_all(&msg);
}

int neigh_flush(struct netif_port *port, bool with_static)
{
	struct neigh_msg msg = { .op = NMSG_FLUSH, .with_static = with_static,
				 .port_id = port ? port->port_id : NETIF_NO_PORT };

	return neigh_apply_all(&msg);
}

/* ---- dump, merged over lcores ---- */

static int state_rank(uint8_t s)
{
	static const int rank[NEIGH_S_MAX] = {
		[NEIGH_S_NONE] = 0, [NEIGH_S_FAILED] = 1, [NEIGH_S_INCOMPLETE] = 2,
		[NEIGH_S_STALE] = 3, [NEIGH_S_PROBE] = 4, [NEIGH_S_REACHABLE] = 5,
		[NEIGH_S_STATIC] = 6,
	};
	return s < NEIGH_S_MAX ? rank[s] : 0;
}

static unsigned int merge_one(struct neigh_info *out, unsigned int n, unsigned int max,
			      const struct neigh_info *e)
{
	unsigned int i;

	for (i = 0; i < n && i < max; i++) {
		struct neigh_info *o = &out[i];

		if (o->addr != e->addr || o->port_id != e->port_id)
			continue;
		o->lcores++;
		o->qlen += e->qlen;
		if (state_rank(e->state) > state_rank(o->state)) {
			o->state = e->state;
			o->mac = e->mac;
			o->static_ = e->static_;
		}
		return n;
	}
	if (n < max)
		out[n] = *e;
	return n + 1;
}

static unsigned int merge_many(struct neigh_info *out, unsigned int n, unsigned int max,
			       const struct neigh_info *in, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < k; i++)
		n = merge_one(out, n, max, &in[i]);
	return n;
}

static unsigned int dump_direct(const struct netif_port *port, struct neigh_info *out,
				unsigned int max, struct neigh_info *tmp)
{
	unsigned int l, n = 0, k;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		if (neigh_tables[l] == NULL)
			continue;
		k = neigh_table_dump(neigh_tables[l], port, tmp, NEIGH_TABLE_SIZE);
		n = merge_many(out, n, max, tmp, k < NEIGH_TABLE_SIZE ? k : NEIGH_TABLE_SIZE);
	}
	return n;
}

static unsigned int dump_via_msgs(const struct netif_port *port, struct neigh_info *out,
				  unsigned int max, struct neigh_info *tmp)
{
	struct neigh_msg msg = { .op = NMSG_DUMP,
				 .port_id = port ? port->port_id : NETIF_NO_PORT };
	struct msg_result res[RTE_MAX_LCORE];
	unsigned int nres = 0, i, n, k;
	struct neigh_table *mt = neigh_tables[rte_get_main_lcore()];

	k = mt ? neigh_table_dump(mt, port, tmp, NEIGH_TABLE_SIZE) : 0;
	n = merge_many(out, 0, max, tmp, k < NEIGH_TABLE_SIZE ? k : NEIGH_TABLE_SIZE);
	msg_multicast_sync(NEIGH_MSG_TYPE, &msg, sizeof(msg), NEIGH_MSG_TIMEOUT_US, res, &nres);
	for (i = 0; i < nres; i++) {
		if (res[i].status == 0 && res[i].data != NULL)
			n = merge_many(out, n, max, res[i].data,
				       (unsigned int)(res[i].len / sizeof(struct neigh_info)));
	}
	msg_result_free(res, nres);
	return n;
}

unsigned int neigh_dump(const struct netif_port *port, struct neigh_info *out, unsigned int max)
{
	struct neigh_info *tmp = rte_malloc("neigh_tmp", sizeof(*tmp) * NEIGH_TABLE_SIZE, 0);
	unsigned int n;

	if (tmp == NULL)
		return 0;
	if (job_running() && neigh_msg_registered && job_role_count(JOB_ROLE_FWD_WORKER) > 0)
		n = dump_via_msgs(port, out, max, tmp);
	else
		n = dump_direct(port, out, max, tmp);
	rte_free(tmp);
	return n;
}

/* ---- the neigh_sync job ---- */

static unsigned int neigh_sync_job(void *arg)
{
	struct neigh_table *t = my_table();

	(void)arg;
	return t ? neigh_table_age(t, now_ms(), NEIGH_AGE_BUDGET) : 0;
}

static struct job neigh_job_master = {
	.name = "neigh_sync", .type = JOB_LOOP, .fn = neigh_sync_job,
};
static struct job neigh_job_worker = {
	.name = "neigh_sync", .type = JOB_SLOW, .skip_loops = NEIGH_SLOW_LOOPS,
	.fn = neigh_sync_job,
};

static void tables_free(void)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		neigh_table_free(neigh_tables[l]);
		neigh_tables[l] = NULL;
	}
}

int neigh_init(void)
{
	unsigned int l;
	int rc;

	RTE_LCORE_FOREACH(l) {
		enum job_role r = job_lcore_role(l);

		if (r != JOB_ROLE_MASTER && r != JOB_ROLE_FWD_WORKER)
			continue;	/* no loop that sends IPv4: no table */
		neigh_tables[l] = neigh_table_create(l, &neigh_ops, NULL);
		if (neigh_tables[l] == NULL) {
			rc = EDPVS_NOMEM;
			goto err_tables;
		}
	}
	rc = msg_type_register(NEIGH_MSG_TYPE, neigh_msg_handler);
	if (rc != 0)
		goto err_tables;
	neigh_msg_registered = true;
	rc = job_register(&neigh_job_master, JOB_ROLE_MASTER);
	if (rc != 0)
		goto err_msg;
	rc = job_register(&neigh_job_worker, JOB_ROLE_FWD_WORKER);
	if (rc != 0)
		goto err_job;
	rc = netif_register_ethertype(RTE_ETHER_TYPE_ARP, neigh_arp_rcv);
	if (rc != 0)
		goto err_job2;
	return 0;

err_job2:
	job_unregister(&neigh_job_worker);
err_job:
	job_unregister(&neigh_job_master);
err_msg:
	msg_type_unregister(NEIGH_MSG_TYPE);
	neigh_msg_registered = false;
err_tables:
	tables_free();
	DPVS_LOG(neigh_arp, ERR, "init failed: %s", dpvs_strerror(rc));
	return rc;
}

void neigh_term(void)
{
	netif_unregister_ethertype(RTE_ETHER_TYPE_ARP);
	job_unregister(&neigh_job_worker);
	job_unregister(&neigh_job_master);
	if (neigh_msg_registered)
		msg_type_unregister(NEIGH_MSG_TYPE);
	neigh_msg_registered = false;
	tables_free();
}
