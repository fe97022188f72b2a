/*
 * netif.h - dpvsd's DPDK ports: configuration, receive dispatch by
 * ethertype, per-lcore transmit buffers, redirection of packets between
 * forwarding lcores, and the hand-off to the kernel exception path (KNI).
 *
 * Ports come from the "netif" config section (vdevs or PCI devices) and are
 * named dpdk0, dpdk1, ... in the order of the file.  Each FWD_WORKER polls
 * the rx queues the queue map gives it (recv_fwd LOOP job), and owns one
 * tx buffer per port which the xmit LOOP job flushes every iteration.
 *
 * Ownership: struct netif_port is written by the master only (at start-up,
 * and for the run-time fields up/promisc/mtu by ctl handlers); workers read
 * it with plain loads (a worker may see a change one burst late).  Counters
 * are per lcore, written by their lcore only, read by the master.
 */
#ifndef DPVS_NETIF_H
#define DPVS_NETIF_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NETIF_MAX_PORTS     16	/* dpdk0..dpdk15 */
#define NETIF_MAX_QUEUES    16	/* rx or tx queues per port */
#define NETIF_NAME_LEN      16	/* IFNAMSIZ */
#define NETIF_DEV_NAME_LEN  64
#define NETIF_NO_PORT       UINT16_MAX

struct netif_port {
	uint16_t port_id;		/* DPDK ethdev port id */
	char name[NETIF_NAME_LEN];	/* dpdk0.. */
	struct rte_ether_addr mac;
	uint16_t mtu;
	uint16_t n_rxq, n_txq;
	bool up;			/* administratively up (dpip link set) */
	bool promisc;
	/* ---- below: informational, fixed after start-up ---- */
	unsigned int index;		/* position in the config (dpdk<index>) */
	char dev_name[NETIF_DEV_NAME_LEN];	/* ethdev name ("net_af_packet0", PCI addr) */
	char driver[32];		/* PMD name */
	int socket_id;
	bool rss;			/* rx spread by RSS */
	uint64_t tx_offload;		/* RTE_ETH_TX_OFFLOAD_* enabled on the port */
	uint16_t rx_desc, tx_desc;
	uint16_t rxq_lcore[NETIF_MAX_QUEUES];	/* lcore polling rx queue i */
	uint16_t kni_port_id;		/* tap of the exception path, NETIF_NO_PORT if none */
	char kni_ifname[NETIF_NAME_LEN];	/* kernel name of that tap */
};

/* Port by DPDK port id (NULL if it is not one of dpvsd's ports). Any lcore. */
struct netif_port *netif_port_get(uint16_t port_id);

/* Port by name ("dpdk0"); NULL if none.  Any lcore (not per packet). */
struct netif_port *netif_port_get_by_name(const char *name);

/* Does a staged "netif" config section (cfg_tree_section(t, "netif"))
 * declare a port of this name?  For other sections' check(): their
 * references to ports are validated against the file, not against the
 * running ports, so that `dpvsd -t`, start-up and reload agree.  Any
 * thread; c NULL gives false. */
struct netif_conf;
bool netif_conf_has_port(const struct netif_conf *c, const char *name);

/* Number of configured ports, and the i-th of them (config order, NULL if
 * i >= count).  Any lcore. */
unsigned int netif_port_count(void);
struct netif_port *netif_port_get_by_index(unsigned int i);

/* L3 handlers get m with data at the L3 header (the Ethernet header has
 * been stripped with rte_pktmbuf_adj and is still in the headroom),
 * m->l2_len = 14, m->port set.  Verdicts: VERDICT_STOLEN - the handler owns
 * m; VERDICT_DROP - netif frees and counts it; VERDICT_ACCEPT - not wanted
 * by dpvsd: netif hands it to the kernel exception path. */
typedef enum dpvs_verdict (*netif_rx_handler_t)(struct rte_mbuf *m, struct netif_port *port);

/* Register the handler of an ethertype (host byte order).  Master only,
 * before the loops run.  EDPVS_EXIST (taken), EDPVS_NOROOM (table full),
 * EDPVS_INVAL (NULL fn). */
int netif_register_ethertype(uint16_t ethertype, netif_rx_handler_t fn);
int netif_unregister_ethertype(uint16_t ethertype);

/* Queue a complete Ethernet frame on the calling lcore's tx buffer for the
 * port (flushed by the xmit job, or at once when the buffer is full).
 * Consumes m: on failure it is freed and counted.  Returns 0,
 * EDPVS_DISABLED (port down), EDPVS_NOTSUPP (calling lcore has no tx queue
 * on the port), EDPVS_INVAL (NULL args).  Any lcore with a loop
 * (MASTER, FWD_WORKER, KNI_WORKER). */
int netif_xmit(struct rte_mbuf *m, struct netif_port *port);

/* Send the calling lcore's buffered frames now (what the xmit job does).
 * Returns the number of frames handed to the driver. */
unsigned int netif_tx_flush(void);

/* Hand a received packet (as given to an L3 handler) to the kernel
 * exception path of its port; consumes m.  EDPVS_DISABLED (no KNI on the
 * port), EDPVS_NOROOM (queue to the KNI lcore full); both counted.
 * Any lcore with a loop. */
int netif_kni_forward(struct rte_mbuf *m, struct netif_port *port);

/* Send a packet (as given to an L3 handler) to another FWD_WORKER lcore,
 * which runs the same ethertype handler on it; consumes m.  EDPVS_NOROOM
 * (ring full, counted), EDPVS_INVAL (lcore is not a FWD_WORKER).  Any
 * lcore. */
int netif_redirect(struct rte_mbuf *m, unsigned int lcore_id);

/* The packet mbuf pool (for building packets); NULL before start-up. */
struct rte_mempool *netif_pktmbuf_pool(void);

/* Module init/term (module table).  init registers the jobs, ctl ops and
 * the default handlers; the ports are opened when the config is applied. */
int netif_init(void);
void netif_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_NETIF_H */
