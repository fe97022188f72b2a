/*
 * netif_redirect.c - software steering between forwarding lcores.  Each
 * FWD_WORKER owns one multi-producer / single-consumer ring of mbufs; any
 * lcore may put a received packet (data at L3, Ethernet header in the
 * headroom) on the ring of the lcore that owns its flow with
 * netif_redirect(), and the owner's recv_fwd job drains its ring and runs
 * the packet's ethertype handler as if it had received it.  This replaces
 * rte_flow steering, which no vdev here implements.
 */
#include <stdio.h>
#include <rte_errno.h>
#include <rte_ring.h>
#include "dpvs_log.h"
#include "job.h"
#include "netif_priv.h"

DPVS_LOG_DECLARE(netif);

static void netif_redirect_ring_free(struct netif_lcore *lc)
{
	struct rte_mbuf *m;

	if (!lc->redirect)
		return;
	while (rte_ring_dequeue(lc->redirect, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(lc->redirect);
	lc->redirect = NULL;
}

int netif_redirect_setup(void)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);
	char name[RTE_RING_NAMESIZE];

	for (i = 0; i < n; i++) {
		unsigned int lcore_id = job_role_lcore(JOB_ROLE_FWD_WORKER, i);
		struct netif_lcore *lc = &netif_lcores[lcore_id];

		if (lc->redirect)
			continue;
		snprintf(name, sizeof(name), "netif_redir_%u", lcore_id);
		lc->redirect = rte_ring_create(name, NETIF_REDIRECT_RING,
					       (int)rte_lcore_to_socket_id(lcore_id), RING_F_SC_DEQ);
		if (!lc->redirect) {
			DPVS_LOG(netif, ERR, "redirect ring of lcore %u: %s", lcore_id,
				 rte_strerror(rte_errno));
			netif_redirect_teardown();
			return EDPVS_NOMEM;
		}
	}
	return 0;
}

void netif_redirect_teardown(void)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		netif_redirect_ring_free(&netif_lcores[l]);
}

int netif_redirect(struct rte_mbuf *m, unsigned int lcore_id)
{
	unsigned int self = rte_lcore_id();
	struct netif_lcore *src = self < RTE_MAX_LCORE ? &netif_lcores[self] : NULL;
	struct rte_ring *r = lcore_id < RTE_MAX_LCORE ? netif_lcores[lcore_id].redirect : NULL;

	if (unlikely(!m))
		return EDPVS_INVAL;
	if (unlikely(!r)) {
		rte_pktmbuf_free(m);
		if (src)
			src->redirect_dropped++;
		return EDPVS_INVAL;
	}
	if (unlikely(rte_ring_mp_enqueue(r, m) != 0)) {
		rte_pktmbuf_free(m);
		if (src)
			src->redirect_dropped++;
		return EDPVS_NOROOM;
	}
	if (src)
		src->redirect_out++;
	return 0;
}

unsigned int netif_redirect_drain(unsigned int lcore_id)
{
	struct netif_lcore *lc = &netif_lcores[lcore_id];
	struct rte_mbuf *pkts[NETIF_RX_BURST];
	unsigned int i, n;

	if (!lc->redirect)
		return 0;
	n = rte_ring_sc_dequeue_burst(lc->redirect, (void **)pkts, NETIF_RX_BURST, NULL);
	for (i = 0; i < n; i++) {
		struct netif_port *port = netif_port_get(pkts[i]->port);

		if (unlikely(!port)) {
			lc->redirect_dropped++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		netif_rx_deliver(lc, pkts[i], port);
	}
	lc->redirect_in += n;
	return n;
}
