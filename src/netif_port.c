/*
 * netif_port.c - the life of dpvsd's DPDK ports: the mbuf pool, opening a
 * configured port (queue counts, RSS, descriptors, MTU, promiscuity,
 * start), the map of rx queues to FWD_WORKER lcores and of tx queues to
 * every transmitting lcore, run-time changes (up/down, MTU, promisc), and
 * closing.  Also the port lookups of netif.h.  Master only, except the
 * lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include "dpvs_log.h"
#include "job.h"
#include "kni.h"
#include "netif_priv.h"

DPVS_LOG_REGISTER(netif);

struct netif_ctx netif_ctx;
struct netif_lcore netif_lcores[RTE_MAX_LCORE];

/* ---- lookups (any lcore) ---- */

struct netif_port *netif_port_get(uint16_t port_id)
{
	return port_id < RTE_MAX_ETHPORTS ? netif_ctx.by_id[port_id] : NULL;
}

struct netif_port *netif_port_get_by_name(const char *name)
{
	unsigned int i;

	if (!name)
		return NULL;
	for (i = 0; i < netif_ctx.n_ports; i++)
		if (netif_ctx.by_id[netif_ctx.ports[i].port_id] == &netif_ctx.ports[i] &&
		    strcmp(netif_ctx.ports[i].name, name) == 0)
			return &netif_ctx.ports[i];
	return NULL;
}

unsigned int netif_port_count(void)
{
	return netif_ctx.n_ports;
}

struct netif_port *netif_port_get_by_index(unsigned int i)
{
	return i < netif_ctx.n_ports ? &netif_ctx.ports[i] : NULL;
}

struct rte_mempool *netif_pktmbuf_pool(void)
{
	return netif_ctx.pool;
}

/* ---- the pool ---- */

int netif_pool_create(const struct netif_conf *c)
{
	uint16_t room = netif_conf_data_room(c);

	if (netif_ctx.pool)
		return EDPVS_EXIST;
	netif_ctx.pool = rte_pktmbuf_pool_create("dpvsd_pkt", c->pool_mbufs, c->pool_cache, 0,
						 room, (int)rte_socket_id());
	if (!netif_ctx.pool) {
		DPVS_LOG(netif, ERR, "mbuf pool of %u x %u bytes: %s", c->pool_mbufs, room,
			 rte_strerror(rte_errno));
		return EDPVS_NOMEM;
	}
	netif_ctx.data_room = room;
	return 0;
}

void netif_pool_free(void)
{
	rte_mempool_free(netif_ctx.pool);
	netif_ctx.pool = NULL;
}

/* ---- lcores ---- */

unsigned int netif_workers(unsigned int *out, unsigned int max)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);

	for (i = 0; i < n && i < max; i++)
		out[i] = job_role_lcore(JOB_ROLE_FWD_WORKER, i);
	return RTE_MIN(n, max);
}

unsigned int netif_ctl_lcores(unsigned int *out, unsigned int max)
{
	unsigned int i, n = 0, nk = job_role_count(JOB_ROLE_KNI_WORKER);

	if (max > 0)
		out[n++] = rte_get_main_lcore();
	for (i = 0; i < nk && n < max; i++)
		out[n++] = job_role_lcore(JOB_ROLE_KNI_WORKER, i);
	return n;
}

/* ---- pure helpers ---- */

int netif_queue_map(uint16_t n_rxq, const unsigned int *workers, unsigned int n_workers,
		    const uint16_t *explicit_map, unsigned int n_explicit, uint16_t *out,
		    char *err, size_t errlen)
{
	unsigned int q, w;

	if (n_workers == 0) {
		snprintf(err, errlen, "no fwd_worker lcore to poll the rx queues");
		return EDPVS_CONFIG;
	}
	if (n_explicit == 0) {
		for (q = 0; q < n_rxq; q++)
			out[q] = (uint16_t)workers[q % n_workers];
		return 0;
	}
	if (n_explicit != n_rxq) {
		snprintf(err, errlen, "rx_lcores has %u entries for %u rx queues", n_explicit,
			 n_rxq);
		return EDPVS_CONFIG;
	}
	for (q = 0; q < n_rxq; q++) {
		for (w = 0; w < n_workers && workers[w] != explicit_map[q]; w++)
			;
		if (w == n_workers) {
			snprintf(err, errlen, "rx_lcores: lcore %u is not a fwd_worker",
				 explicit_map[q]);
			return EDPVS_CONFIG;
		}
		out[q] = explicit_map[q];
	}
	return 0;
}

void netif_txq_assign(uint16_t n_txq, unsigned int n_workers, unsigned int n_ctl,
		      uint16_t *worker_txq, uint16_t *ctl_txq, uint8_t *users)
{
	unsigned int i;

	memset(users, 0, n_txq * sizeof(*users));
	for (i = 0; i < n_workers; i++) {
		worker_txq[i] = (uint16_t)(i % n_txq);
		users[worker_txq[i]]++;
	}
	for (i = 0; i < n_ctl; i++) {
		ctl_txq[i] = (uint16_t)(n_txq - 1);
		users[n_txq - 1]++;
	}
}

int netif_queue_counts(const struct netif_port_conf *pc, const char *driver,
		       uint16_t max_rxq, uint16_t max_txq, unsigned int n_workers,
		       uint16_t *n_rxq, uint16_t *n_txq)
{
	unsigned int rx, tx;

	if (max_rxq == 0 || max_txq == 0)
		return EDPVS_NOTSUPP;
	max_rxq = RTE_MIN(max_rxq, NETIF_MAX_QUEUES);
	max_txq = RTE_MIN(max_txq, NETIF_MAX_QUEUES);
	if (strcmp(driver, "net_af_packet") == 0)
		rx = max_rxq;	/* every socket of the fanout group receives */
	else if (pc->rx_queues)
		rx = pc->rx_queues;
	else if (pc->n_rx_lcores)
		rx = pc->n_rx_lcores;
	else
		rx = RTE_MIN(max_rxq, RTE_MAX(n_workers, 1u));
	tx = pc->tx_queues ? pc->tx_queues : RTE_MIN(max_txq, n_workers + 1);
	if (strcmp(driver, "net_tap") == 0 && rx != tx) {
		/* tap needs as many rx as tx queues, and every rx queue gets
		 * traffic from the kernel: follow whichever count was set. */
		if ((pc->rx_queues || pc->n_rx_lcores) && pc->tx_queues)
			return EDPVS_RANGE;
		if (pc->rx_queues || pc->n_rx_lcores)
			tx = rx;
		else if (pc->tx_queues)
			rx = tx;
		else
			rx = tx = RTE_MAX(rx, tx);
	}
	if (rx > max_rxq || tx > max_txq)
		return EDPVS_RANGE;
	*n_rxq = (uint16_t)rx;
	*n_txq = (uint16_t)tx;
	return 0;
}

/* ---- opening a port ---- */

static void netif_port_conf_eth(const struct rte_eth_dev_info *di, uint16_t n_rxq,
				struct netif_port *p, struct rte_eth_conf *ec)
{
	uint64_t rss = di->flow_type_rss_offloads &
		       (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);

	memset(ec, 0, sizeof(*ec));
	p->rss = n_rxq > 1 && rss != 0;
	if (p->rss) {
		ec->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ec->rx_adv_conf.rss_conf.rss_hf = rss;
	}
	p->tx_offload = di->tx_offload_capa & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	ec->txmode.offloads = p->tx_offload;
}

static int netif_port_queues(struct netif_port *p, const struct netif_port_conf *pc,
			     char *err, size_t errlen)
{
	uint16_t q, nrx = pc->rx_desc, ntx = pc->tx_desc;
	int rc;

	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nrx, &ntx);
	if (rc != 0) {
		snprintf(err, errlen, "descriptors: %s", rte_strerror(-rc));
		return EDPVS_IO;
	}
	p->rx_desc = nrx;
	p->tx_desc = ntx;
	for (q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nrx, (unsigned)p->socket_id, NULL,
					    netif_ctx.pool);
		if (rc != 0) {
			snprintf(err, errlen, "rx queue %u: %s", q, rte_strerror(-rc));
			return EDPVS_IO;
		}
	}
	for (q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, ntx, (unsigned)p->socket_id, NULL);
		if (rc != 0) {
			snprintf(err, errlen, "tx queue %u: %s", q, rte_strerror(-rc));
			return EDPVS_IO;
		}
	}
	return 0;
}

/* MTU at start: -ENOTSUP (memif) keeps the device's own MTU. */
static int netif_port_mtu_init(struct netif_port *p, uint16_t mtu, char *err, size_t errlen)
{
	int rc = rte_eth_dev_set_mtu(p->port_id, mtu);

	if (rc == -ENOTSUP) {
		DPVS_LOG(netif, NOTICE, "%s: driver cannot set the MTU, keeping its default",
			 p->name);
	} else if (rc != 0) {
		snprintf(err, errlen, "mtu %u: %s", mtu, rte_strerror(-rc));
		return EDPVS_IO;
	}
	if (rte_eth_dev_get_mtu(p->port_id, &p->mtu) != 0)
		p->mtu = mtu;
	return 0;
}

static void netif_port_map_lcores(unsigned int idx, const struct netif_port *p,
				  const unsigned int *workers, unsigned int n_workers,
				  const unsigned int *ctl, unsigned int n_ctl)
{
	uint16_t wtxq[RTE_MAX_LCORE], ctxq[RTE_MAX_LCORE];
	uint8_t users[NETIF_MAX_QUEUES];
	unsigned int i;
	uint16_t q;

	for (q = 0; q < p->n_rxq; q++) {
		struct netif_lcore *lc = &netif_lcores[p->rxq_lcore[q]];

		if (lc->n_rxq < NETIF_MAX_LCORE_RXQ)
			lc->rxq[lc->n_rxq++] = (struct netif_rxq_ref){ (uint16_t)idx, q };
	}
	netif_txq_assign(p->n_txq, n_workers, n_ctl, wtxq, ctxq, users);
	for (i = 0; i < n_workers; i++) {
		netif_lcores[workers[i]].tx[idx].txq = wtxq[i];
		netif_lcores[workers[i]].tx[idx].locked = users[wtxq[i]] > 1;
	}
	for (i = 0; i < n_ctl; i++) {
		netif_lcores[ctl[i]].tx[idx].txq = ctxq[i];
		netif_lcores[ctl[i]].tx[idx].locked = users[ctxq[i]] > 1;
	}
	for (q = 0; q < NETIF_MAX_QUEUES; q++)
		rte_spinlock_init(&netif_ctx.txq_lock[idx][q]);
}

static int netif_port_setup(struct netif_port *p, const struct netif_port_conf *pc,
			    unsigned int n_workers, char *err, size_t errlen)
{
	struct rte_eth_dev_info di;
	struct rte_eth_conf ec;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &di);
	if (rc != 0) {
		snprintf(err, errlen, "device info: %s", rte_strerror(-rc));
		return EDPVS_IO;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", di.driver_name);
	rc = netif_queue_counts(pc, p->driver, di.max_rx_queues, di.max_tx_queues, n_workers,
				&p->n_rxq, &p->n_txq);
	if (rc != 0) {
		snprintf(err, errlen, "queues: device has at most %u rx / %u tx",
			 di.max_rx_queues, di.max_tx_queues);
		return rc;
	}
	netif_port_conf_eth(&di, p->n_rxq, p, &ec);
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &ec);
	if (rc != 0) {
		snprintf(err, errlen, "configure %u rx / %u tx queues: %s", p->n_rxq, p->n_txq,
			 rte_strerror(-rc));
		return EDPVS_IO;
	}
	rc = netif_port_queues(p, pc, err, errlen);
	if (rc == 0)
		rc = netif_port_mtu_init(p, pc->mtu, err, errlen);
	return rc;
}

void netif_mac_derive(const char *seed, const char *dev, struct rte_ether_addr *out)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a 64 */
	const char *parts[] = { seed, "/", dev };
	unsigned int i;

	for (i = 0; i < DPVS_ARRAY_SIZE(parts); i++)
		for (const char *c = parts[i] ? parts[i] : ""; *c; c++)
			h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		out->addr_bytes[i] = (uint8_t)(h >> (8 * i));
	/* unicast, locally administered */
	out->addr_bytes[0] = (uint8_t)((out->addr_bytes[0] & ~RTE_ETHER_GROUP_ADDR) |
				       RTE_ETHER_LOCAL_ADMIN_ADDR);
}

/* This host's /etc/machine-id (systemd's stable host id), else its name. */
static void netif_host_seed(char *buf, size_t len)
{
	FILE *f = fopen("/etc/machine-id", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
		buf[strcspn(buf, "\n")] = '\0';
	}
	if (!buf[0] && gethostname(buf, len) != 0)
		buf[0] = '\0';
}

/* The MAC the port gets before it starts: pc's "mac"; else, for a port
 * with a KNI interface whose device made its MAC up at probe (locally
 * administered, and not af_packet/af_xdp, which show their kernel
 * interface's own MAC), one derived from the host and the device name, so
 * that the port and its KNI interface keep their MAC across restarts. */
static int netif_port_start_mac(struct netif_port *p, const struct netif_port_conf *pc,
				char *err, size_t errlen)
{
	struct rte_ether_addr cur, mac;
	char seed[128];
	int rc;

	if (rte_eth_macaddr_get(p->port_id, &cur) != 0)
		memset(&cur, 0, sizeof(cur));
	if (pc->has_mac) {
		mac = pc->mac;
	} else if (pc->kni && (cur.addr_bytes[0] & RTE_ETHER_LOCAL_ADMIN_ADDR) &&
		   strcmp(p->driver, "net_af_packet") != 0 && strcmp(p->driver, "net_af_xdp") != 0) {
		netif_host_seed(seed, sizeof(seed));
		netif_mac_derive(seed, p->dev_name, &mac);
	} else {
		return 0;
	}
	if (rte_is_same_ether_addr(&cur, &mac))
		return 0;
	rc = rte_eth_dev_default_mac_addr_set(p->port_id, &mac);
	if (rc == 0)
		return 0;
	if (!pc->has_mac) {
		DPVS_LOG(netif, NOTICE, "%s: driver cannot set a stable MAC (%s), keeping its own",
			 p->name, rte_strerror(-rc));
		return 0;
	}
	snprintf(err, errlen, "mac: %s", rte_strerror(-rc));
	return EDPVS_IO;
}

int netif_port_open(unsigned int idx, const struct netif_port_conf *pc, uint16_t port_id,
		    const unsigned int *workers, unsigned int n_workers,
		    const unsigned int *ctl, unsigned int n_ctl, char *err, size_t errlen)
{
	struct netif_port *p = &netif_ctx.ports[idx];
	int rc;

	memset(p, 0, sizeof(*p));
	p->port_id = port_id;
	p->index = idx;
	p->kni_port_id = NETIF_NO_PORT;
	p->socket_id = rte_eth_dev_socket_id(port_id) < 0 ? 0 : rte_eth_dev_socket_id(port_id);
	snprintf(p->name, sizeof(p->name), "%s", pc->name);
	netif_conf_dev_name(pc, p->dev_name, sizeof(p->dev_name));
	rc = netif_port_setup(p, pc, n_workers, err, errlen);
	if (rc == 0)
		rc = netif_queue_map(p->n_rxq, workers, n_workers, pc->rx_lcores, pc->n_rx_lcores,
				     p->rxq_lcore, err, errlen);
	if (rc == 0)
		rc = netif_port_start_mac(p, pc, err, errlen);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, errlen, "start: %s", rte_strerror(-rc));
		return EDPVS_IO;
	}
	rte_eth_macaddr_get(port_id, &p->mac);
	netif_port_set_promisc(p, pc->promisc);
	rte_eth_dev_set_link_up(port_id);	/* -ENOTSUP on some vdevs: fine */
	netif_port_map_lcores(idx, p, workers, n_workers, ctl, n_ctl);
	if (netif_ctx.n_ports <= idx)
		netif_ctx.n_ports = idx + 1;
	netif_ctx.by_id[port_id] = p;
	p->up = true;
	DPVS_LOG(netif, INFO, "%s: %s (%s) up, %u rx / %u tx queues, mtu %u%s", p->name,
		 p->dev_name, p->driver, p->n_rxq, p->n_txq, p->mtu, p->rss ? ", rss" : "");
	return 0;
}

void netif_port_close(unsigned int idx)
{
	struct netif_port *p = &netif_ctx.ports[idx];
	unsigned int l;

	if (netif_ctx.by_id[p->port_id] != p)
		return;
	p->up = false;
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		struct netif_lcore *lc = &netif_lcores[l];
		uint16_t i, n = 0;

		netif_tx_discard_lcore(l);
		for (i = 0; i < lc->n_rxq; i++)
			if (lc->rxq[i].port_index != idx)
				lc->rxq[n++] = lc->rxq[i];
		lc->n_rxq = n;
		lc->tx[idx].txq = UINT16_MAX;
	}
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
	netif_ctx.by_id[p->port_id] = NULL;
	DPVS_LOG(netif, INFO, "%s closed", p->name);
}

static void netif_lcores_reset(void)
{
	unsigned int l, i;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		netif_lcores[l].n_rxq = 0;
		for (i = 0; i < NETIF_MAX_PORTS; i++)
			netif_lcores[l].tx[i].txq = UINT16_MAX;
	}
}

int netif_ports_start(const struct netif_conf *c, unsigned int *bad, char *err, size_t errlen)
{
	unsigned int workers[RTE_MAX_LCORE], ctl[RTE_MAX_LCORE], nw, nc, i;
	char dev[NETIF_DEV_NAME_LEN];
	uint16_t pid;
	int rc = 0;

	nw = netif_workers(workers, RTE_MAX_LCORE);
	nc = netif_ctl_lcores(ctl, RTE_MAX_LCORE);
	netif_lcores_reset();
	for (i = 0; i < c->n_ports && rc == 0; i++) {
		netif_conf_dev_name(&c->ports[i], dev, sizeof(dev));
		if (rte_eth_dev_get_port_by_name(dev, &pid) != 0) {
			snprintf(err, errlen, "device %s was not probed (see the EAL log above)",
				 dev);
			rc = EDPVS_NOTEXIST;
		} else {
			rc = netif_port_open(i, &c->ports[i], pid, workers, nw, ctl, nc, err,
					     errlen);
		}
		if (rc != 0) {
			*bad = i;
			netif_port_close(i);
		}
	}
	if (rc != 0)
		netif_ports_stop();
	return rc;
}

void netif_ports_stop(void)
{
	while (netif_ctx.n_ports > 0)
		netif_port_close(--netif_ctx.n_ports);
}

/* ---- run-time changes (master) ---- */

int netif_port_set_up(struct netif_port *p, bool up)
{
	int rc = up ? rte_eth_dev_set_link_up(p->port_id) : rte_eth_dev_set_link_down(p->port_id);

	if (rc != 0 && rc != -ENOTSUP && rc != -EOPNOTSUPP)
		DPVS_LOG(netif, WARNING, "%s: link %s: %s", p->name, up ? "up" : "down",
			 rte_strerror(-rc));
	p->up = up;
	kni_port_set_up(p, up);
	DPVS_LOG(netif, INFO, "%s set %s", p->name, up ? "up" : "down");
	return 0;
}

int netif_port_set_mtu(struct netif_port *p, uint16_t mtu)
{
	int rc;

	if (mtu == p->mtu)
		return 0;
	if (mtu < RTE_ETHER_MIN_MTU ||
	    (unsigned)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 8 >
	    (unsigned)netif_ctx.data_room - RTE_PKTMBUF_HEADROOM)
		return EDPVS_RANGE;
	rc = rte_eth_dev_set_mtu(p->port_id, mtu);
	if (rc == -ENOTSUP)
		return EDPVS_NOTSUPP;
	if (rc != 0) {
		DPVS_LOG(netif, ERR, "%s: mtu %u: %s", p->name, mtu, rte_strerror(-rc));
		return rc == -EINVAL ? EDPVS_RANGE : EDPVS_IO;
	}
	p->mtu = mtu;
	kni_port_set_mtu(p, mtu);
	return 0;
}

int netif_port_set_promisc(struct netif_port *p, bool on)
{
	int rc = on ? rte_eth_promiscuous_enable(p->port_id) :
		      rte_eth_promiscuous_disable(p->port_id);

	if (rc == -ENOTSUP)
		return on ? EDPVS_NOTSUPP : 0;
	if (rc != 0)
		return EDPVS_IO;
	p->promisc = on;
	return 0;
}
