/*
 * netif_ctl.c - the control requests of netif (include/netif_wire.h):
 * link list/show with device and dpvsd counters, link set up/down, mtu,
 * promisc, and the per-lcore counters with the mbuf pool's use.  Also the
 * module's init/term.  Handlers run on the master.  Counters are read
 * with plain loads while the workers write them (may be a burst stale).
 */
#include <stdio.h>
#include <string.h>
#include <rte_ethdev.h>
#include "ctl.h"
#include "dpvs_log.h"
#include "job.h"
#include "kni.h"
#include "netif_priv.h"
#include "netif_wire.h"

DPVS_LOG_DECLARE(netif);

#define NETIF_N_COUNTERS (sizeof(struct netif_wire_counters) / sizeof(uint64_t))
_Static_assert(sizeof(struct netif_port_stats) == sizeof(struct netif_wire_counters),
	       "sw counters and their wire form must match");

static void netif_counters_add(struct netif_wire_counters *sum,
			       const struct netif_port_stats *st)
{
	uint64_t v[NETIF_N_COUNTERS], s[NETIF_N_COUNTERS];
	unsigned int i;

	memcpy(v, st, sizeof(v));
	memcpy(s, sum, sizeof(s));
	for (i = 0; i < NETIF_N_COUNTERS; i++)
		s[i] += v[i];
	memcpy(sum, s, sizeof(s));
}

static void netif_link_hw(const struct netif_port *p, struct netif_wire_link *w)
{
	struct rte_eth_stats es;
	struct rte_eth_link link;
	unsigned int q;

	if (rte_eth_link_get_nowait(p->port_id, &link) == 0) {
		if (link.link_status)
			w->flags |= NETIF_LINK_F_CARRIER;
		if (link.link_duplex)
			w->flags |= NETIF_LINK_F_FULL_DUPLEX;
		w->speed_mbps = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
	}
	if (rte_eth_stats_get(p->port_id, &es) != 0)
		return;
	w->ipackets = es.ipackets;
	w->opackets = es.opackets;
	w->ibytes = es.ibytes;
	w->obytes = es.obytes;
	w->imissed = es.imissed;
	w->ierrors = es.ierrors;
	w->oerrors = es.oerrors;
	w->rx_nombuf = es.rx_nombuf;
	for (q = 0; q < NETIF_WIRE_QUEUES && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
		w->q_ipackets[q] = es.q_ipackets[q];
		w->q_opackets[q] = es.q_opackets[q];
	}
}

static void netif_link_fill(const struct netif_port *p, struct netif_wire_link *w)
{
	unsigned int l;

	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", p->name);
	snprintf(w->dev_name, sizeof(w->dev_name), "%s", p->dev_name);
	snprintf(w->driver, sizeof(w->driver), "%s", p->driver);
	if (p->kni_port_id != NETIF_NO_PORT)
		snprintf(w->kni_ifname, sizeof(w->kni_ifname), "%s", p->kni_ifname);
	memcpy(w->mac, p->mac.addr_bytes, sizeof(w->mac));
	w->mtu = p->mtu;
	w->port_id = p->port_id;
	w->kni_port_id = p->kni_port_id;
	w->n_rxq = p->n_rxq;
	w->n_txq = p->n_txq;
	w->rx_desc = p->rx_desc;
	w->tx_desc = p->tx_desc;
	w->flags = (p->up ? NETIF_LINK_F_UP : 0) | (p->promisc ? NETIF_LINK_F_PROMISC : 0) |
		   (p->rss ? NETIF_LINK_F_RSS : 0) |
		   (p->kni_port_id != NETIF_NO_PORT ? NETIF_LINK_F_KNI : 0);
	memcpy(w->rxq_lcore, p->rxq_lcore, sizeof(w->rxq_lcore));
	netif_link_hw(p, w);
	for (l = 0; l < RTE_MAX_LCORE; l++)
		netif_counters_add(&w->sw, &netif_lcores[l].st[p->index]);
}

static const char *netif_req_name(const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct netif_wire_link_req *r = req;

	if (len == 0)
		return "";
	if (len != sizeof(*r)) {
		ctl_reply_errmsg(rep, "request of %u bytes, expected 0 or %zu", len, sizeof(*r));
		return NULL;
	}
	if (memchr(r->name, '\0', sizeof(r->name)) == NULL) {
		ctl_reply_errmsg(rep, "device name is not NUL-terminated");
		return NULL;
	}
	return r->name;
}

static int netif_op_link_show(uint16_t op, const void *req, uint32_t len,
			      struct ctl_reply *rep)
{
	const char *name = netif_req_name(req, len, rep);
	struct netif_wire_link_hdr h = { 0, 0 };
	struct netif_wire_link w;
	unsigned int i;
	int rc;

	(void)op;
	if (!name)
		return EDPVS_INVAL;
	if (name[0] && !netif_port_get_by_name(name)) {
		ctl_reply_errmsg(rep, "Cannot find device \"%s\"", name);
		return EDPVS_NOTEXIST;
	}
	for (i = 0; i < netif_port_count(); i++)
		if (!name[0] || strcmp(netif_ctx.ports[i].name, name) == 0)
			h.n_links++;
	rc = ctl_reply_append(rep, &h, sizeof(h));
	for (i = 0; i < netif_port_count() && rc == 0; i++) {
		if (name[0] && strcmp(netif_ctx.ports[i].name, name) != 0)
			continue;
		netif_link_fill(&netif_ctx.ports[i], &w);
		rc = ctl_reply_append(rep, &w, sizeof(w));
	}
	return rc;
}

static int netif_op_link_set(uint16_t op, const void *req, uint32_t len,
			     struct ctl_reply *rep)
{
	const struct netif_wire_link_set *r = req;
	struct netif_port *p;
	int rc;

	(void)op;
	(void)len;
	if (memchr(r->name, '\0', sizeof(r->name)) == NULL) {
		ctl_reply_errmsg(rep, "device name is not NUL-terminated");
		return EDPVS_INVAL;
	}
	p = netif_port_get_by_name(r->name);
	if (!p) {
		ctl_reply_errmsg(rep, "Cannot find device \"%s\"", r->name);
		return EDPVS_NOTEXIST;
	}
	switch (r->what) {
	case NETIF_LINK_SET_UP:
	case NETIF_LINK_SET_PROMISC:
		if (r->value > 1) {
			ctl_reply_errmsg(rep, "value must be 0 or 1");
			return EDPVS_INVAL;
		}
		rc = r->what == NETIF_LINK_SET_UP ? netif_port_set_up(p, r->value) :
						    netif_port_set_promisc(p, r->value);
		break;
	case NETIF_LINK_SET_MTU:
		rc = r->value > UINT16_MAX ? EDPVS_RANGE : netif_port_set_mtu(p, (uint16_t)r->value);
		if (rc == EDPVS_RANGE)
			ctl_reply_errmsg(rep, "mtu %u out of range 68..%u for %s", r->value,
					 (unsigned)(netif_ctx.data_room - RTE_PKTMBUF_HEADROOM -
						    RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN - 8),
					 p->name);
		break;
	default:
		ctl_reply_errmsg(rep, "unknown link attribute %u", r->what);
		return EDPVS_INVAL;
	}
	return rc;
}

static int netif_stats_lcore(unsigned int l, struct ctl_reply *rep)
{
	const struct netif_lcore *lc = &netif_lcores[l];
	struct netif_wire_lcore w;
	struct netif_wire_counters c;
	unsigned int i;
	int rc;

	memset(&w, 0, sizeof(w));
	w.lcore_id = l;
	w.role = job_lcore_role(l);
	snprintf(w.role_name, sizeof(w.role_name), "%s", job_role_name(job_lcore_role(l)));
	w.redirect_in = lc->redirect_in;
	w.redirect_out = lc->redirect_out;
	w.redirect_dropped = lc->redirect_dropped;
	w.tx_nolcore = lc->tx_nolcore;
	rc = ctl_reply_append(rep, &w, sizeof(w));
	for (i = 0; i < netif_port_count() && rc == 0; i++) {
		memset(&c, 0, sizeof(c));
		netif_counters_add(&c, &lc->st[i]);
		rc = ctl_reply_append(rep, &c, sizeof(c));
	}
	return rc;
}

static int netif_op_stats(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct netif_wire_stats_hdr h;
	struct netif_wire_link_req name;
	struct rte_mempool *mp = netif_ctx.pool;
	unsigned int l, i;
	int rc;

	(void)op;
	(void)req;
	(void)len;
	memset(&h, 0, sizeof(h));
	RTE_LCORE_FOREACH(l)
		h.n_lcores++;
	h.n_ports = netif_port_count();
	if (mp) {
		h.pool_size = mp->size;
		h.pool_avail = rte_mempool_avail_count(mp);
		h.pool_in_use = rte_mempool_in_use_count(mp);
	}
	rc = ctl_reply_append(rep, &h, sizeof(h));
	RTE_LCORE_FOREACH(l) {
		if (rc == 0)
			rc = netif_stats_lcore(l, rep);
	}
	for (i = 0; i < netif_port_count() && rc == 0; i++) {
		memset(&name, 0, sizeof(name));
		snprintf(name.name, sizeof(name.name), "%s", netif_ctx.ports[i].name);
		rc = ctl_reply_append(rep, &name, sizeof(name));
	}
	return rc;
}

static const struct ctl_op netif_ctl_ops[] = {
	{ NETIF_OP_LINK_SHOW, "netif.link_show", 0, sizeof(struct netif_wire_link_req),
	  netif_op_link_show, CTL_OP_F_GET },
	{ NETIF_OP_LINK_SET, "netif.link_set", sizeof(struct netif_wire_link_set),
	  sizeof(struct netif_wire_link_set), netif_op_link_set, 0 },
	{ NETIF_OP_STATS, "netif.stats", 0, 0, netif_op_stats, CTL_OP_F_GET },
};

int netif_ctl_register(void)
{
	return ctl_register(netif_ctl_ops, DPVS_ARRAY_SIZE(netif_ctl_ops));
}

void netif_ctl_unregister(void)
{
	ctl_unregister(netif_ctl_ops, DPVS_ARRAY_SIZE(netif_ctl_ops));
}

/* ---- module init/term ---- */

int netif_init(void)
{
	int rc;

	rc = netif_rx_jobs_register();
	if (rc != 0)
		goto err;
	rc = netif_tx_jobs_register();
	if (rc != 0)
		goto err_rx;
	rc = netif_ctl_register();
	if (rc != 0)
		goto err_tx;
	return 0;
err_tx:
	netif_tx_jobs_unregister();
err_rx:
	netif_rx_jobs_unregister();
err:
	DPVS_LOG(netif, ERR, "init: %s", dpvs_strerror(rc));
	return rc;
}

void netif_term(void)
{
	unsigned int l;

	netif_ctl_unregister();
	for (l = 0; l < RTE_MAX_LCORE; l++)
		netif_tx_discard_lcore(l);
	netif_ports_stop();
	netif_redirect_teardown();
	netif_pool_free();
	netif_conf_free(netif_ctx.conf);
	netif_ctx.conf = NULL;
	netif_tx_jobs_unregister();
	netif_rx_jobs_unregister();
}
