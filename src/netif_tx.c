/*
 * netif_tx.c - the transmit side: one tx buffer per (lcore, port) filled
 * by netif_xmit() and flushed by the xmit LOOP job of every lcore that
 * transmits (FWD_WORKER, MASTER, KNI_WORKER), or at once when a buffer
 * holds a full burst.  What tx_burst does not take is freed and counted.
 * A tx queue shared by several lcores (a device with fewer queues than
 * transmitting lcores) is taken under its spinlock, once per burst; a
 * queue owned by one lcore never locks.
 */
#include <rte_ethdev.h>
#include "dpvs_log.h"
#include "job.h"
#include "netif_priv.h"

DPVS_LOG_DECLARE(netif);

static unsigned int netif_txbuf_flush(struct netif_lcore *lc, unsigned int idx)
{
	struct netif_txbuf *tb = &lc->tx[idx];
	struct netif_port_stats *st = &lc->st[idx];
	uint16_t port_id = netif_ctx.ports[idx].port_id;
	uint16_t i, sent, n = tb->n;
	uint64_t bytes = 0;

	for (i = 0; i < n; i++)
		bytes += tb->pkts[i]->pkt_len;
	if (unlikely(tb->locked)) {
		rte_spinlock_lock(&netif_ctx.txq_lock[idx][tb->txq]);
		sent = rte_eth_tx_burst(port_id, tb->txq, tb->pkts, n);
		rte_spinlock_unlock(&netif_ctx.txq_lock[idx][tb->txq]);
	} else {
		sent = rte_eth_tx_burst(port_id, tb->txq, tb->pkts, n);
	}
	for (i = sent; i < n; i++) {
		bytes -= tb->pkts[i]->pkt_len;
		rte_pktmbuf_free(tb->pkts[i]);
	}
	st->tx_packets += sent;
	st->tx_bytes += bytes;
	st->tx_dropped += n - sent;
	tb->n = 0;
	return sent;
}

int netif_xmit(struct rte_mbuf *m, struct netif_port *port)
{
	unsigned int lcore_id = rte_lcore_id();
	struct netif_lcore *lc;
	struct netif_txbuf *tb;

	if (unlikely(!m || !port || lcore_id >= RTE_MAX_LCORE)) {
		rte_pktmbuf_free(m);
		return m && port ? EDPVS_NOTSUPP : EDPVS_INVAL;
	}
	lc = &netif_lcores[lcore_id];
	tb = &lc->tx[port->index];
	if (unlikely(!port->up || tb->txq == UINT16_MAX)) {
		lc->st[port->index].tx_down++;
		lc->tx_nolcore += port->up;
		rte_pktmbuf_free(m);
		return port->up ? EDPVS_NOTSUPP : EDPVS_DISABLED;
	}
	tb->pkts[tb->n++] = m;
	if (unlikely(tb->n == NETIF_TX_BURST))
		netif_txbuf_flush(lc, port->index);
	return 0;
}

unsigned int netif_tx_flush_lcore(unsigned int lcore_id)
{
	struct netif_lcore *lc = &netif_lcores[lcore_id];
	unsigned int i, sent = 0;

	for (i = 0; i < netif_ctx.n_ports; i++)
		if (lc->tx[i].n)
			sent += netif_txbuf_flush(lc, i);
	return sent;
}

unsigned int netif_tx_flush(void)
{
	unsigned int lcore_id = rte_lcore_id();

	return lcore_id < RTE_MAX_LCORE ? netif_tx_flush_lcore(lcore_id) : 0;
}

void netif_tx_discard_lcore(unsigned int lcore_id)
{
	struct netif_lcore *lc = &netif_lcores[lcore_id];
	unsigned int i;
	uint16_t j;

	for (i = 0; i < NETIF_MAX_PORTS; i++) {
		for (j = 0; j < lc->tx[i].n; j++)
			rte_pktmbuf_free(lc->tx[i].pkts[j]);
		lc->st[i].tx_dropped += lc->tx[i].n;
		lc->tx[i].n = 0;
	}
}

static unsigned int netif_xmit_job_fn(void *arg)
{
	(void)arg;
	return netif_tx_flush();
}

#define NETIF_XMIT_JOB { .name = "xmit", .type = JOB_LOOP, .fn = netif_xmit_job_fn }

static struct job netif_xmit_jobs[] = { NETIF_XMIT_JOB, NETIF_XMIT_JOB, NETIF_XMIT_JOB };
static const enum job_role netif_xmit_roles[] = {
	JOB_ROLE_FWD_WORKER, JOB_ROLE_MASTER, JOB_ROLE_KNI_WORKER,
};

int netif_tx_jobs_register(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < DPVS_ARRAY_SIZE(netif_xmit_jobs); i++) {
		rc = job_register(&netif_xmit_jobs[i], netif_xmit_roles[i]);
		if (rc != 0)
			goto err;
	}
	return 0;
err:
	while (i-- > 0)
		job_unregister(&netif_xmit_jobs[i]);
	return rc;
}

void netif_tx_jobs_unregister(void)
{
	unsigned int i;

	for (i = 0; i < DPVS_ARRAY_SIZE(netif_xmit_jobs); i++)
		job_unregister(&netif_xmit_jobs[i]);
}
