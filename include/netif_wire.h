/*
 * netif_wire.h - wire structs of the netif control requests
 * (CTL_OP_NETIF_BASE range), served by src/netif_ctl.c and used by
 * `dpip link` and `dpip stats`.  All integers host order; strings
 * fixed-size and NUL-terminated.
 */
#ifndef DPVS_NETIF_WIRE_H
#define DPVS_NETIF_WIRE_H

#include <stdint.h>
#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

enum netif_opcode {
	/* req: none (all ports) or struct netif_wire_link_req.
	 * reply: struct netif_wire_link_hdr, then n_links struct netif_wire_link.
	 * EDPVS_NOTEXIST for an unknown name. */
	NETIF_OP_LINK_SHOW = CTL_OP_NETIF_BASE + 0x00,
	/* req: struct netif_wire_link_set.  reply: none.
	 * EDPVS_NOTEXIST, EDPVS_INVAL (what), EDPVS_RANGE (mtu), EDPVS_NOTSUPP. */
	NETIF_OP_LINK_SET  = CTL_OP_NETIF_BASE + 0x01,
	/* req: none.  reply: struct netif_wire_stats_hdr, then n_lcores times
	 * { struct netif_wire_lcore, then n_ports struct netif_wire_counters
	 * in port order }, then n_ports struct netif_wire_link_req (names). */
	NETIF_OP_STATS     = CTL_OP_NETIF_BASE + 0x02,
};

#define NETIF_WIRE_NAME   16
#define NETIF_WIRE_QUEUES 16

struct netif_wire_link_req {
	char name[NETIF_WIRE_NAME];
};
_Static_assert(sizeof(struct netif_wire_link_req) == 16, "netif_wire_link_req size");

enum netif_link_set_what {
	NETIF_LINK_SET_UP = 1,		/* value: 1 up, 0 down */
	NETIF_LINK_SET_MTU = 2,		/* value: 68..9000 */
	NETIF_LINK_SET_PROMISC = 3,	/* value: 1 on, 0 off */
};

struct netif_wire_link_set {
	char name[NETIF_WIRE_NAME];
	uint32_t what;			/* enum netif_link_set_what */
	uint32_t value;
};
_Static_assert(sizeof(struct netif_wire_link_set) == 24, "netif_wire_link_set size");

/* Software counters of one (lcore, port), or their sum over lcores. */
struct netif_wire_counters {
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_otherhost, rx_runt, rx_unhandled;
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_down;
	uint64_t kni_in, kni_dropped, kni_out;
};
_Static_assert(sizeof(struct netif_wire_counters) == 104, "netif_wire_counters size");

struct netif_wire_link_hdr {
	uint32_t n_links;
	uint32_t pad;
};
_Static_assert(sizeof(struct netif_wire_link_hdr) == 8, "netif_wire_link_hdr size");

enum netif_link_flags {
	NETIF_LINK_F_UP = 1u << 0,	/* administratively up */
	NETIF_LINK_F_CARRIER = 1u << 1,	/* link detected */
	NETIF_LINK_F_PROMISC = 1u << 2,
	NETIF_LINK_F_RSS = 1u << 3,
	NETIF_LINK_F_KNI = 1u << 4,
	NETIF_LINK_F_FULL_DUPLEX = 1u << 5,
};

struct netif_wire_link {
	char name[NETIF_WIRE_NAME];
	char dev_name[64];
	char driver[32];
	char kni_ifname[NETIF_WIRE_NAME];	/* "" without KNI */
	uint8_t mac[6];
	uint16_t mtu;
	uint16_t port_id;
	uint16_t kni_port_id;			/* 0xffff without KNI */
	uint16_t n_rxq, n_txq;
	uint16_t rx_desc, tx_desc;
	uint32_t flags;				/* enum netif_link_flags */
	uint32_t speed_mbps;			/* 0 unknown */
	uint32_t pad;
	uint16_t rxq_lcore[NETIF_WIRE_QUEUES];	/* lcore polling rx queue i */
	/* device (rte_eth_stats) counters */
	uint64_t ipackets, opackets, ibytes, obytes, imissed, ierrors, oerrors, rx_nombuf;
	uint64_t q_ipackets[NETIF_WIRE_QUEUES], q_opackets[NETIF_WIRE_QUEUES];
	struct netif_wire_counters sw;		/* dpvsd's counters, all lcores */
};
_Static_assert(sizeof(struct netif_wire_link) == 616, "netif_wire_link size");

struct netif_wire_stats_hdr {
	uint32_t n_lcores;
	uint32_t n_ports;
	uint64_t pool_size;		/* mbufs in the packet pool */
	uint64_t pool_avail;		/* free (including per-lcore caches) */
	uint64_t pool_in_use;
};
_Static_assert(sizeof(struct netif_wire_stats_hdr) == 32, "netif_wire_stats_hdr size");

struct netif_wire_lcore {
	uint32_t lcore_id;
	uint32_t role;			/* enum job_role */
	char role_name[NETIF_WIRE_NAME];
	uint64_t redirect_in, redirect_out, redirect_dropped;
	uint64_t tx_nolcore;
};
_Static_assert(sizeof(struct netif_wire_lcore) == 56, "netif_wire_lcore size");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_NETIF_WIRE_H */
