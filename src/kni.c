/*
 * kni.c - the kernel exception path (see kni.h): the net_tap "KNI"
 * interfaces of the ports, the per-lcore rings into the KNI lcore
 * (single producer: the lcore that received the packet; single consumer:
 * the KNI lcore), netif_kni_forward(), and the kni_loop job that moves
 * packets port -> tap and tap -> port.  Counters live in the netif
 * per-lcore stats (kni_in / kni_dropped on the receiving lcore, kni_out
 * and tap-side drops on the KNI lcore).
 */
#include <stdio.h>
#include <string.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include "dpvs_log.h"
#include "job.h"
#include "kni.h"
#include "netif_priv.h"

DPVS_LOG_REGISTER(kni);

#define KNI_DESC 512

/* Written by the master before the loops run; read by the KNI lcore. */
static struct {
	unsigned int lcore;
	bool started;
	uint16_t n_ports;	/* ports (by index) that may have a tap */
} kni;

unsigned int kni_lcore(void)
{
	return kni.lcore;
}

int netif_kni_forward(struct rte_mbuf *m, struct netif_port *port)
{
	unsigned int lcore_id = rte_lcore_id();
	struct netif_lcore *lc = lcore_id < RTE_MAX_LCORE ? &netif_lcores[lcore_id] : NULL;

	if (unlikely(!m || !port)) {
		rte_pktmbuf_free(m);
		return EDPVS_INVAL;
	}
	if (unlikely(!lc || !lc->to_kni || port->kni_port_id == NETIF_NO_PORT ||
		     !rte_pktmbuf_prepend(m, m->l2_len))) {
		if (lc)
			lc->st[port->index].kni_dropped++;
		rte_pktmbuf_free(m);
		return EDPVS_DISABLED;
	}
	if (unlikely(rte_ring_sp_enqueue(lc->to_kni, m) != 0)) {
		lc->st[port->index].kni_dropped++;
		rte_pktmbuf_free(m);
		return EDPVS_NOROOM;
	}
	lc->st[port->index].kni_in++;
	return 0;
}

/* ---- the KNI lcore ---- */

struct kni_txbuf {
	uint16_t n;
	struct rte_mbuf *pkts[NETIF_TX_BURST];
};

static void kni_tap_flush(struct netif_lcore *self, unsigned int idx, struct kni_txbuf *b)
{
	uint16_t sent = 0, i;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(netif_ctx.ports[idx].kni_port_id, 0, b->pkts, b->n);
	for (i = sent; i < b->n; i++)
		rte_pktmbuf_free(b->pkts[i]);
	self->st[idx].kni_dropped += b->n - sent;
	b->n = 0;
}

/* Packets for the kernel: every lcore's ring -> the taps. */
static unsigned int kni_to_kernel(struct netif_lcore *self)
{
	struct kni_txbuf bufs[NETIF_MAX_PORTS];
	struct rte_mbuf *pkts[NETIF_RX_BURST];
	unsigned int l, i, n, work = 0;

	for (i = 0; i < kni.n_ports; i++)
		bufs[i].n = 0;
	RTE_LCORE_FOREACH(l) {
		struct rte_ring *r = netif_lcores[l].to_kni;

		if (!r)
			continue;
		n = rte_ring_sc_dequeue_burst(r, (void **)pkts, NETIF_RX_BURST, NULL);
		for (i = 0; i < n; i++) {
			struct netif_port *p = netif_port_get(pkts[i]->port);
			struct kni_txbuf *b;

			if (unlikely(!p || p->kni_port_id == NETIF_NO_PORT)) {
				rte_pktmbuf_free(pkts[i]);
				continue;
			}
			b = &bufs[p->index];
			b->pkts[b->n++] = pkts[i];
			if (b->n == NETIF_TX_BURST)
				kni_tap_flush(self, p->index, b);
		}
		work += n;
	}
	for (i = 0; i < kni.n_ports; i++)
		kni_tap_flush(self, i, &bufs[i]);
	return work;
}

/* Packets from the kernel: each tap -> its port (buffered, xmit job). */
static unsigned int kni_from_kernel(struct netif_lcore *self)
{
	struct rte_mbuf *pkts[NETIF_RX_BURST];
	unsigned int i, work = 0;
	uint16_t n, j;

	for (i = 0; i < kni.n_ports; i++) {
		struct netif_port *p = &netif_ctx.ports[i];

		if (p->kni_port_id == NETIF_NO_PORT)
			continue;
		n = rte_eth_rx_burst(p->kni_port_id, 0, pkts, NETIF_RX_BURST);
		for (j = 0; j < n; j++)
			if (netif_xmit(pkts[j], p) == 0)
				self->st[i].kni_out++;
		work += n;
	}
	return work;
}

static unsigned int kni_loop(void *arg)
{
	unsigned int lcore_id = rte_lcore_id();
	struct netif_lcore *self = &netif_lcores[lcore_id];

	(void)arg;
	if (!kni.started || lcore_id != kni.lcore)
		return 0;
	return kni_to_kernel(self) + kni_from_kernel(self);
}

static struct job kni_jobs[] = {
	{ .name = "kni_loop", .type = JOB_LOOP, .fn = kni_loop },
	{ .name = "kni_loop", .type = JOB_LOOP, .fn = kni_loop },
};
static const enum job_role kni_job_roles[] = { JOB_ROLE_KNI_WORKER, JOB_ROLE_MASTER };

/* ---- set-up (master) ---- */

static int kni_rings_create(void)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int l;

	RTE_LCORE_FOREACH(l) {
		if (job_lcore_role(l) == JOB_ROLE_IDLE || netif_lcores[l].to_kni)
			continue;
		snprintf(name, sizeof(name), "kni_q_%u", l);
		netif_lcores[l].to_kni = rte_ring_create(name, NETIF_KNI_RING,
			(int)rte_lcore_to_socket_id(l), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!netif_lcores[l].to_kni)
			return EDPVS_NOMEM;
	}
	return 0;
}

static void kni_rings_free(void)
{
	struct rte_mbuf *m;
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct rte_ring *r = netif_lcores[l].to_kni;

		if (!r)
			continue;
		while (rte_ring_dequeue(r, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(r);
		netif_lcores[l].to_kni = NULL;
	}
}

static int kni_tap_open(struct netif_port *p, uint16_t tap, char *err, size_t errlen)
{
	struct rte_eth_conf ec;
	int rc;

	memset(&ec, 0, sizeof(ec));
	rc = rte_eth_dev_configure(tap, 1, 1, &ec);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(tap, 0, KNI_DESC, (unsigned)p->socket_id, NULL,
					    netif_pktmbuf_pool());
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(tap, 0, KNI_DESC, (unsigned)p->socket_id, NULL);
	if (rc == 0)
		rc = rte_eth_dev_default_mac_addr_set(tap, &p->mac);
	if (rc == 0 && rte_eth_dev_set_mtu(tap, p->mtu) != 0)
		DPVS_LOG(kni, WARNING, "%s: cannot set mtu %u on %s", p->name, p->mtu,
			 p->kni_ifname);
	if (rc == 0)
		rc = rte_eth_dev_start(tap);
	if (rc != 0) {
		snprintf(err, errlen, "tap %s: %s", p->kni_ifname, rte_strerror(-rc));
		return EDPVS_IO;
	}
	p->kni_port_id = tap;
	DPVS_LOG(kni, INFO, "%s: exception path on kernel interface %s", p->name,
		 p->kni_ifname);
	return 0;
}

int kni_start(const struct netif_conf *c, unsigned int *bad, char *err, size_t errlen)
{
	char dev[NETIF_DEV_NAME_LEN];
	unsigned int i;
	uint16_t tap;
	int rc;

	kni.lcore = job_role_count(JOB_ROLE_KNI_WORKER) > 0 ?
		    job_role_lcore(JOB_ROLE_KNI_WORKER, 0) : rte_get_main_lcore();
	kni.n_ports = (uint16_t)c->n_ports;
	*bad = 0;
	rc = kni_rings_create();
	if (rc != 0) {
		snprintf(err, errlen, "rings: %s", dpvs_strerror(rc));
		goto err;
	}
	for (i = 0; i < c->n_ports; i++) {
		struct netif_port *p = &netif_ctx.ports[i];

		if (!c->ports[i].kni)
			continue;
		*bad = i;
		snprintf(p->kni_ifname, sizeof(p->kni_ifname), "%s", c->ports[i].kni_ifname);
		snprintf(dev, sizeof(dev), NETIF_KNI_VDEV_FMT, i);
		if (rte_eth_dev_get_port_by_name(dev, &tap) != 0) {
			snprintf(err, errlen, "%s (%s) was not probed (see the EAL log)", dev,
				 p->kni_ifname);
			rc = EDPVS_NOTEXIST;
			goto err;
		}
		rc = kni_tap_open(p, tap, err, errlen);
		if (rc != 0)
			goto err;
	}
	kni.started = true;
	return 0;
err:
	kni_stop();
	return rc;
}

void kni_stop(void)
{
	unsigned int i;

	kni.started = false;
	for (i = 0; i < kni.n_ports; i++) {
		struct netif_port *p = &netif_ctx.ports[i];

		if (p->kni_port_id == NETIF_NO_PORT)
			continue;
		rte_eth_dev_stop(p->kni_port_id);
		rte_eth_dev_close(p->kni_port_id);
		p->kni_port_id = NETIF_NO_PORT;
	}
	kni_rings_free();
}

void kni_port_set_up(struct netif_port *p, bool up)
{
	if (p->kni_port_id == NETIF_NO_PORT)
		return;
	if ((up ? rte_eth_dev_set_link_up(p->kni_port_id) :
		  rte_eth_dev_set_link_down(p->kni_port_id)) != 0)
		DPVS_LOG(kni, WARNING, "%s: cannot set %s %s", p->name, p->kni_ifname,
			 up ? "up" : "down");
}

void kni_port_set_mtu(struct netif_port *p, uint16_t mtu)
{
	if (p->kni_port_id != NETIF_NO_PORT && rte_eth_dev_set_mtu(p->kni_port_id, mtu) != 0)
		DPVS_LOG(kni, WARNING, "%s: cannot set mtu %u on %s", p->name, mtu, p->kni_ifname);
}

int kni_init(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < DPVS_ARRAY_SIZE(kni_jobs); i++) {
		/* The master runs the exception path only without a KNI worker
		 * (roles are set before the modules are initialised). */
		if (kni_job_roles[i] == JOB_ROLE_MASTER &&
		    job_role_count(JOB_ROLE_KNI_WORKER) > 0)
			continue;
		rc = job_register(&kni_jobs[i], kni_job_roles[i]);
		if (rc != 0)
			goto err;
	}
	return 0;
err:
	while (i-- > 0)
		job_unregister(&kni_jobs[i]);
	return rc;
}

void kni_term(void)
{
	unsigned int i;

	kni_stop();
	for (i = 0; i < DPVS_ARRAY_SIZE(kni_jobs); i++)
		job_unregister(&kni_jobs[i]);
}
