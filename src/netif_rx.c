/*
 * netif_rx.c - the receive side: the table of ethertype handlers and the
 * recv_fwd LOOP job of every FWD_WORKER.  Each iteration polls the rx
 * queues the queue map gave this lcore (burst, prefetch a few packets
 * ahead), drops runts and unicast frames for other hosts, strips the
 * Ethernet header and runs the handler of the ethertype; unknown types and
 * packets no handler wants go to the kernel exception path.  The job then
 * drains this lcore's redirect ring (netif_redirect.c).
 */
#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include "dpvs_log.h"
#include "job.h"
#include "netif_priv.h"

DPVS_LOG_DECLARE(netif);

int netif_register_ethertype(uint16_t ethertype, netif_rx_handler_t fn)
{
	uint16_t be = rte_cpu_to_be_16(ethertype);
	unsigned int i;

	if (!fn)
		return EDPVS_INVAL;
	for (i = 0; i < netif_ctx.n_handlers; i++)
		if (netif_ctx.handlers[i].ethertype == be)
			return EDPVS_EXIST;
	if (netif_ctx.n_handlers >= NETIF_MAX_HANDLERS)
		return EDPVS_NOROOM;
	netif_ctx.handlers[netif_ctx.n_handlers].ethertype = be;
	netif_ctx.handlers[netif_ctx.n_handlers].fn = fn;
	netif_ctx.n_handlers++;
	return 0;
}

int netif_unregister_ethertype(uint16_t ethertype)
{
	uint16_t be = rte_cpu_to_be_16(ethertype);
	unsigned int i;

	for (i = 0; i < netif_ctx.n_handlers; i++) {
		if (netif_ctx.handlers[i].ethertype != be)
			continue;
		netif_ctx.handlers[i] = netif_ctx.handlers[--netif_ctx.n_handlers];
		return 0;
	}
	return EDPVS_NOTEXIST;
}

static inline netif_rx_handler_t netif_handler_find(uint16_t type_be)
{
	unsigned int i;

	for (i = 0; i < netif_ctx.n_handlers; i++)
		if (netif_ctx.handlers[i].ethertype == type_be)
			return netif_ctx.handlers[i].fn;
	return NULL;
}

void netif_rx_deliver(struct netif_lcore *lc, struct rte_mbuf *m, struct netif_port *port)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod_offset(m, const struct rte_ether_hdr *, -(int)m->l2_len);
	struct netif_port_stats *st = &lc->st[port->index];
	netif_rx_handler_t fn = netif_handler_find(eth->ether_type);
	enum dpvs_verdict v = fn ? fn(m, port) : VERDICT_ACCEPT;

	if (v == VERDICT_ACCEPT) {
		st->rx_unhandled++;
		netif_kni_forward(m, port);
	} else if (v == VERDICT_DROP) {
		st->rx_dropped++;
		rte_pktmbuf_free(m);
	}
}

static inline void netif_rx_one(struct netif_lcore *lc, struct netif_port *port,
				struct rte_mbuf *m)
{
	struct netif_port_stats *st = &lc->st[port->index];
	const struct rte_ether_hdr *eth;

	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
		st->rx_runt++;
		rte_pktmbuf_free(m);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(rte_is_unicast_ether_addr(&eth->dst_addr) &&
		     !rte_is_same_ether_addr(&eth->dst_addr, &port->mac))) {
		st->rx_otherhost++;
		rte_pktmbuf_free(m);
		return;
	}
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->port = port->port_id;
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	netif_rx_deliver(lc, m, port);
}

static void netif_rx_burst(struct netif_lcore *lc, struct netif_port *port,
			   struct rte_mbuf **pkts, uint16_t n)
{
	struct netif_port_stats *st = &lc->st[port->index];
	uint16_t i;

	for (i = 0; i < n && i < NETIF_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	st->rx_packets += n;
	for (i = 0; i < n; i++) {
		if (i + NETIF_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + NETIF_PREFETCH_AHEAD], void *));
		st->rx_bytes += pkts[i]->pkt_len;
		netif_rx_one(lc, port, pkts[i]);
	}
}

unsigned int netif_rx_poll(unsigned int lcore_id)
{
	struct netif_lcore *lc = &netif_lcores[lcore_id];
	struct rte_mbuf *pkts[NETIF_RX_BURST];
	unsigned int i, work = 0;

	for (i = 0; i < lc->n_rxq; i++) {
		struct netif_port *port = &netif_ctx.ports[lc->rxq[i].port_index];
		uint16_t n;

		if (unlikely(!port->up))
			continue;
		n = rte_eth_rx_burst(port->port_id, lc->rxq[i].queue, pkts, NETIF_RX_BURST);
		if (n == 0)
			continue;
		netif_rx_burst(lc, port, pkts, n);
		work += n;
	}
	return work;
}

static unsigned int netif_recv_fwd(void *arg)
{
	unsigned int lcore_id = rte_lcore_id();

	(void)arg;
	return netif_rx_poll(lcore_id) + netif_redirect_drain(lcore_id);
}

static struct job netif_recv_job = {
	.name = "recv_fwd",
	.type = JOB_LOOP,
	.fn = netif_recv_fwd,
};

int netif_rx_jobs_register(void)
{
	return job_register(&netif_recv_job, JOB_ROLE_FWD_WORKER);
}

void netif_rx_jobs_unregister(void)
{
	job_unregister(&netif_recv_job);
}
