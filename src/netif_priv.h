/*
 * netif_priv.h - internals shared by the netif files (netif_cfg.c,
 * netif_port.c, netif_rx.c, netif_tx.c, netif_redirect.c, netif_ctl.c) and
 * kni.c: the staged config, the module context, the per-lcore state and
 * the counters.  Not part of the API of other modules (use netif.h).
 */
#ifndef DPVS_NETIF_PRIV_H
#define DPVS_NETIF_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_spinlock.h>
#include "cfg.h"
#include "netif.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NETIF_RX_BURST        32
#define NETIF_TX_BURST        32
#define NETIF_PREFETCH_AHEAD  3
#define NETIF_MAX_LCORE_RXQ   32	/* rx queues one lcore may poll */
#define NETIF_MAX_HANDLERS    8
#define NETIF_REDIRECT_RING   1024
#define NETIF_KNI_RING        1024
#define NETIF_VDEV_LEN        256
#define NETIF_KNI_VDEV_FMT    "net_tap_kni%u"

/* ---- the staged "netif" config section ---- */
struct netif_port_conf {
	char name[NETIF_NAME_LEN];
	char vdev[NETIF_VDEV_LEN];	/* "" for a PCI port */
	char pci[32];			/* "" for a vdev */
	uint16_t mtu;
	bool promisc;
	uint16_t rx_queues;		/* 0: automatic */
	uint16_t tx_queues;		/* 0: automatic */
	uint16_t rx_desc, tx_desc;
	uint16_t n_rx_lcores;		/* 0: default queue map */
	uint16_t rx_lcores[NETIF_MAX_QUEUES];
	bool kni;
	char kni_ifname[NETIF_NAME_LEN];
	bool has_mac;			/* "mac" given: the port's (and KNI's) MAC */
	struct rte_ether_addr mac;
};

struct netif_conf {
	unsigned int pool_mbufs;
	unsigned int pool_cache;
	unsigned int n_ports;
	struct netif_port_conf ports[NETIF_MAX_PORTS];
};

/* Parse/validate a "netif" group (NULL: defaults).  NULL on error (errors
 * recorded).  Free with netif_conf_free(). */
struct netif_conf *netif_conf_parse(const config_setting_t *s, struct cfg_errors *errs);
void netif_conf_free(struct netif_conf *c);
/* Ethdev name of a configured port: the vdev name before ',' or the PCI
 * address. */
void netif_conf_dev_name(const struct netif_port_conf *pc, char *out, size_t len);
/* The EAL argument "--vdev=..." of a vdev port into out (len bytes): the
 * user's string, plus for net_af_packet "qpairs=" from rx_queues/rx_lcores
 * (when > 1) and "framecnt=" from rx_desc (rounded up to a power of two)
 * unless the string sets them.  0, or EDPVS_RANGE when out is too small. */
int netif_conf_vdev_arg(const struct netif_port_conf *pc, char *out, size_t len);
/* Bytes of memory the pool and queues of c need (for the EAL -m). */
size_t netif_conf_mem_bytes(const struct netif_conf *c);
/* Data room of the pool's mbufs for these ports' MTUs. */
uint16_t netif_conf_data_room(const struct netif_conf *c);

/* ---- pure helpers (unit-tested) ---- */
/* Map rx queues to lcores: explicit list (n_explicit == n_rxq, each an
 * element of workers) or queue i -> workers[i % n_workers].  0 or
 * EDPVS_CONFIG with a message in err. */
int netif_queue_map(uint16_t n_rxq, const unsigned int *workers, unsigned int n_workers,
		    const uint16_t *explicit_map, unsigned int n_explicit, uint16_t *out,
		    char *err, size_t errlen);
/* Tx queue of each transmitting lcore: workers[i] -> i % n_txq; the
 * control lcores (master, KNI worker) -> the last queue.  users[q] counts
 * the lcores on queue q (a queue with more than one is locked). */
void netif_txq_assign(uint16_t n_txq, unsigned int n_workers, unsigned int n_ctl,
		      uint16_t *worker_txq, uint16_t *ctl_txq, uint8_t *users);
/* Queue counts to configure: conf value (0: automatic) bounded by the
 * device.  EDPVS_RANGE if the conf value exceeds the device maximum. */
int netif_queue_counts(const struct netif_port_conf *pc, const char *driver,
		       uint16_t max_rxq, uint16_t max_txq, unsigned int n_workers,
		       uint16_t *n_rxq, uint16_t *n_txq);

/* ---- counters: per lcore, per port (by port index) ---- */
struct netif_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_dropped;		/* handler verdict DROP */
	uint64_t rx_otherhost;		/* unicast to another MAC */
	uint64_t rx_runt;		/* shorter than an Ethernet header */
	uint64_t rx_unhandled;		/* unknown ethertype or ACCEPT -> kni */
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_dropped;		/* tx_burst did not take them */
	uint64_t tx_down;		/* port down / no tx queue */
	uint64_t kni_in;		/* queued towards the kernel */
	uint64_t kni_dropped;		/* no KNI, ring full or tap tx full */
	uint64_t kni_out;		/* from the kernel, sent on the port */
};

struct netif_txbuf {
	uint16_t n;
	uint16_t txq;			/* UINT16_MAX: none */
	bool locked;			/* queue shared with other lcores */
	struct rte_mbuf *pkts[NETIF_TX_BURST];
};

struct netif_rxq_ref {
	uint16_t port_index;
	uint16_t queue;
};

/* Per-lcore state: written by its lcore only (the rx/tx maps and rings by
 * the master before the loops start), read by the master for counters. */
struct netif_lcore {
	uint16_t n_rxq;
	struct netif_rxq_ref rxq[NETIF_MAX_LCORE_RXQ];
	struct netif_txbuf tx[NETIF_MAX_PORTS];
	struct rte_ring *redirect;	/* inbound redirected packets (MP/SC) */
	struct rte_ring *to_kni;	/* this lcore -> KNI lcore (SP/SC) */
	uint64_t redirect_in, redirect_out, redirect_dropped;
	uint64_t tx_nolcore;		/* netif_xmit on an lcore without tx queues */
	struct netif_port_stats st[NETIF_MAX_PORTS];
} __rte_cache_aligned;

struct netif_handler {
	uint16_t ethertype;		/* network order */
	netif_rx_handler_t fn;
};

/* The module context.  Written by the master only (start-up, ctl); the
 * workers read ports/handlers/pool with plain loads. */
struct netif_ctx {
	struct rte_mempool *pool;
	unsigned int n_ports;
	struct netif_port ports[NETIF_MAX_PORTS];
	struct netif_port *by_id[RTE_MAX_ETHPORTS];
	struct netif_conf *conf;	/* running config */
	unsigned int n_handlers;
	struct netif_handler handlers[NETIF_MAX_HANDLERS];
	rte_spinlock_t txq_lock[NETIF_MAX_PORTS][NETIF_MAX_QUEUES];
	uint16_t data_room;
	bool started;
};

extern struct netif_ctx netif_ctx;
extern struct netif_lcore netif_lcores[RTE_MAX_LCORE];

/* netif_port.c */
int netif_pool_create(const struct netif_conf *c);
void netif_pool_free(void);
/* A unicast, locally administered MAC from seed (the host's machine-id)
 * and dev (the port's device name): the default MAC of a port with a KNI
 * interface whose device has no MAC of its own.  Pure. */
void netif_mac_derive(const char *seed, const char *dev, struct rte_ether_addr *out);
/* Open (configure, set the MAC, start) port pc on ethdev port_id as ctx
 * port index idx, polled by workers[0..n_workers-1] (control lcores
 * ctl[0..n_ctl-1]). */
int netif_port_open(unsigned int idx, const struct netif_port_conf *pc, uint16_t port_id,
		    const unsigned int *workers, unsigned int n_workers,
		    const unsigned int *ctl, unsigned int n_ctl, char *err, size_t errlen);
void netif_port_close(unsigned int idx);
/* Open every port of c (start-up); on failure the opened ones are closed,
 * *bad is the index of the failing port and err says why. */
int netif_ports_start(const struct netif_conf *c, unsigned int *bad, char *err, size_t errlen);
void netif_ports_stop(void);
int netif_port_set_up(struct netif_port *p, bool up);
int netif_port_set_mtu(struct netif_port *p, uint16_t mtu);
int netif_port_set_promisc(struct netif_port *p, bool on);
/* The transmitting lcores: FWD_WORKERs, then the control lcores. */
unsigned int netif_workers(unsigned int *out, unsigned int max);
unsigned int netif_ctl_lcores(unsigned int *out, unsigned int max);

/* netif_rx.c */
unsigned int netif_rx_poll(unsigned int lcore_id);
/* Run the handler of m's ethertype (m at L3, l2 header in the headroom). */
void netif_rx_deliver(struct netif_lcore *lc, struct rte_mbuf *m, struct netif_port *port);
int netif_rx_jobs_register(void);
void netif_rx_jobs_unregister(void);

/* netif_tx.c */
unsigned int netif_tx_flush_lcore(unsigned int lcore_id);
void netif_tx_discard_lcore(unsigned int lcore_id);
int netif_tx_jobs_register(void);
void netif_tx_jobs_unregister(void);

/* netif_redirect.c */
int netif_redirect_setup(void);
void netif_redirect_teardown(void);
unsigned int netif_redirect_drain(unsigned int lcore_id);

/* netif_ctl.c */
int netif_ctl_register(void);
void netif_ctl_unregister(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_NETIF_PRIV_H */
