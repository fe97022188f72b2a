/*
 * inet_wire.h - control requests of addresses (CTL_OP_ADDR_BASE), routes
 * (CTL_OP_ROUTE_BASE), neighbours (CTL_OP_NEIGH_BASE) and stack counters
 * (CTL_OP_STATS_BASE), served by src/inet_ctl.c and used by dpip.
 *
 * Integers in host order except IPv4 addresses, which are in network order
 * (as everywhere in dpvsd); strings fixed-size and NUL-terminated (the
 * daemon checks); every struct has a static size assert.  List replies are
 * arrays of the entry struct (reply len / sizeof).
 */
#ifndef DPVS_INET_WIRE_H
#define DPVS_INET_WIRE_H

#include <stdint.h>
#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INET_IFNAME_LEN 16
#define INET_STAT_NAME_LEN 32

enum inet_opcode {
	/* req: struct inet_addr_wire.  reply: none. */
	INET_OP_ADDR_ADD   = CTL_OP_ADDR_BASE + 0x00,
	/* req: struct inet_addr_wire (plen 0: any).  reply: none. */
	INET_OP_ADDR_DEL   = CTL_OP_ADDR_BASE + 0x01,
	/* req: struct inet_ifname_wire ("" = all).  reply: n inet_addr_wire. */
	INET_OP_ADDR_LIST  = CTL_OP_ADDR_BASE + 0x02,
	/* req: struct inet_ifname_wire (a port, required).  Deletes all its
	 * addresses (and their connected routes).  reply: none. */
	INET_OP_ADDR_FLUSH = CTL_OP_ADDR_BASE + 0x03,
	/* req: struct inet_route_wire.  reply: none. */
	INET_OP_ROUTE_ADD  = CTL_OP_ROUTE_BASE + 0x00,
	/* req: struct inet_route_wire; gw, metric, ifname only matched when
	 * the matching INET_RT_HAS_* flag is set.  reply: none. */
	INET_OP_ROUTE_DEL  = CTL_OP_ROUTE_BASE + 0x01,
	/* req: none.  reply: n inet_route_wire. */
	INET_OP_ROUTE_LIST = CTL_OP_ROUTE_BASE + 0x02,
	/* req: struct inet_route_get_wire (dst).  reply: the same, filled from
	 * the datapath's lookup (route_lookup).  EDPVS_NOTEXIST: no route. */
	INET_OP_ROUTE_GET  = CTL_OP_ROUTE_BASE + 0x03,
	/* req: struct inet_ifname_wire ("" = every port).  Deletes the routes
	 * that are not connected ones (ROUTE_F_CONNECTED).  reply: none. */
	INET_OP_ROUTE_FLUSH = CTL_OP_ROUTE_BASE + 0x04,
	/* req: struct inet_neigh_wire.  reply: none. */
	INET_OP_NEIGH_ADD  = CTL_OP_NEIGH_BASE + 0x00,
	/* req: struct inet_neigh_wire (addr, ifname).  reply: none. */
	INET_OP_NEIGH_DEL  = CTL_OP_NEIGH_BASE + 0x01,
	/* req: struct inet_ifname_wire.  reply: n inet_neigh_wire. */
	INET_OP_NEIGH_LIST = CTL_OP_NEIGH_BASE + 0x02,
	/* req: struct inet_ifname_wire.  reply: none. */
	INET_OP_NEIGH_FLUSH = CTL_OP_NEIGH_BASE + 0x03,
	/* req: none.  reply: n inet_stat_wire (group "ipv4", "icmp", "arp"). */
	INET_OP_STATS_GET  = CTL_OP_STATS_BASE + 0x00,
};

struct inet_ifname_wire {
	char ifname[INET_IFNAME_LEN];
};
_Static_assert(sizeof(struct inet_ifname_wire) == 16, "inet_ifname_wire size");

struct inet_addr_wire {
	uint32_t addr;			/* network order */
	uint8_t plen;
	uint8_t pad[3];
	uint32_t flags;			/* INET_ADDR_F_* */
	char ifname[INET_IFNAME_LEN];
};
_Static_assert(sizeof(struct inet_addr_wire) == 28, "inet_addr_wire size");

#define INET_RT_HAS_GW     0x1u
#define INET_RT_HAS_METRIC 0x2u
#define INET_RT_HAS_DEV    0x4u

struct inet_route_wire {
	uint32_t dst;			/* network order */
	uint32_t gw;			/* network order, 0: connected */
	uint32_t src;			/* network order, 0: none */
	uint32_t metric;
	uint32_t flags;			/* ROUTE_F_* (reply) */
	uint32_t match;			/* INET_RT_HAS_* (del) */
	uint16_t mtu;			/* 0: the port's */
	uint8_t plen;
	uint8_t pad;
	char ifname[INET_IFNAME_LEN];
};
_Static_assert(sizeof(struct inet_route_wire) == 44, "inet_route_wire size");

struct inet_route_get_wire {
	uint32_t dst;			/* req, reply: network order */
	uint32_t gw;			/* reply: next hop, 0: dst is on the link */
	uint32_t src;			/* reply: source dpvsd would use, 0: none */
	uint16_t mtu;			/* reply: path MTU (route's if lower, else port's) */
	uint8_t pad[2];
	char ifname[INET_IFNAME_LEN];	/* reply: outgoing port */
};
_Static_assert(sizeof(struct inet_route_get_wire) == 32, "inet_route_get_wire size");

struct inet_neigh_wire {
	uint32_t addr;			/* network order */
	uint8_t lladdr[6];
	uint8_t state;			/* enum neigh_state (reply) */
	uint8_t is_static;		/* reply */
	uint32_t lcores;		/* reply: lcores holding it */
	uint32_t qlen;			/* reply: packets waiting */
	char ifname[INET_IFNAME_LEN];
};
_Static_assert(sizeof(struct inet_neigh_wire) == 36, "inet_neigh_wire size");

struct inet_stat_wire {
	char group[8];			/* "ipv4", "icmp", "arp" */
	char name[INET_STAT_NAME_LEN];
	uint64_t value;
};
_Static_assert(sizeof(struct inet_stat_wire) == 48, "inet_stat_wire size");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_INET_WIRE_H */
