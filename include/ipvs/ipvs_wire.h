/*
 * ipvs_wire.h - the control-socket payloads of the IPVS module (opcodes in
 * CTL_OP_IPVS_BASE), shared by dpvsd (src/ipvs/svc_ctl.c) and ipvsadm.
 *
 * Conventions (see ctl_proto.h): fixed-width fields only, integers in host
 * byte order, addresses as network-order bytes in union ipvs_wire_addr
 * (IPv4 in the first 4 bytes, the rest zero), ports in HOST order, strings
 * are fixed-size NUL-terminated char arrays (the daemon rejects a string
 * without NUL), every pad field must be zero, every struct has a static
 * assert on its size.  This header includes nothing from DPDK so that the
 * tools can use it.
 *
 * Requests and replies, by opcode:
 *   INFO          -                       -> ipvs_wire_info
 *   SVC_ADD/EDIT  ipvs_wire_svc_conf      -> -
 *   SVC_DEL       ipvs_wire_svc_key       -> -
 *   SVC_FLUSH     -                       -> -
 *   SVC_LIST      -                       -> list (below)
 *   SVC_GET       ipvs_wire_svc_key       -> list with one service
 *   DEST_ADD/EDIT/DEL ipvs_wire_dest_req  -> -
 *   DEST_LIST     ipvs_wire_svc_key       -> list with one service
 *   LADDR_ADD     ipvs_wire_laddr_req     -> ipvs_wire_laddr_add_reply
 *   LADDR_DEL     ipvs_wire_laddr_req     -> -
 *   LADDR_LIST    ipvs_wire_laddr_list_req -> ipvs_wire_laddr_list
 *   ZERO          ipvs_wire_zero_req      -> -
 *   TIMEOUT_GET   -                       -> ipvs_wire_timeout
 *   TIMEOUT_SET   ipvs_wire_timeout       -> -
 *   CONN_LIST     ipvs_wire_conn_req      -> ipvs_wire_conn_reply
 *
 * A list reply is an ipvs_wire_list header, then per service an
 * ipvs_wire_svc_entry immediately followed by its n_dests
 * ipvs_wire_dest_entry.  Counters and rates are summed over every
 * forwarding lcore at the time of the request.
 */
#ifndef DPVS_IPVS_WIRE_H
#define DPVS_IPVS_WIRE_H

#include <stdint.h>

/* C++ (the unit tests) spells the C11 keyword static_assert. */
#if defined(__cplusplus) && !defined(_Static_assert)
#define _Static_assert static_assert
#endif

#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPVS_WIRE_SCHED_NAME_LEN 16
#define IPVS_WIRE_IFNAME_LEN     16
#define IPVS_WIRE_STATE_NAME_LEN 16

/* Version reported by INFO ("IP Virtual Server version 1.0.0"). */
#define IPVS_WIRE_VERSION_MAJOR 1
#define IPVS_WIRE_VERSION_MINOR 0
#define IPVS_WIRE_VERSION_PATCH 0
#define IPVS_WIRE_VERSION \
	((IPVS_WIRE_VERSION_MAJOR << 16) | (IPVS_WIRE_VERSION_MINOR << 8) | IPVS_WIRE_VERSION_PATCH)

enum ipvs_wire_op {
	IPVS_OP_INFO        = CTL_OP_IPVS_BASE + 0x00,
	IPVS_OP_SVC_ADD     = CTL_OP_IPVS_BASE + 0x01,
	IPVS_OP_SVC_EDIT    = CTL_OP_IPVS_BASE + 0x02,
	IPVS_OP_SVC_DEL     = CTL_OP_IPVS_BASE + 0x03,
	IPVS_OP_SVC_FLUSH   = CTL_OP_IPVS_BASE + 0x04,
	IPVS_OP_SVC_LIST    = CTL_OP_IPVS_BASE + 0x05,
	IPVS_OP_SVC_GET     = CTL_OP_IPVS_BASE + 0x06,
	IPVS_OP_DEST_ADD    = CTL_OP_IPVS_BASE + 0x07,
	IPVS_OP_DEST_EDIT   = CTL_OP_IPVS_BASE + 0x08,
	IPVS_OP_DEST_DEL    = CTL_OP_IPVS_BASE + 0x09,
	IPVS_OP_DEST_LIST   = CTL_OP_IPVS_BASE + 0x0a,
	IPVS_OP_LADDR_ADD   = CTL_OP_IPVS_BASE + 0x0b,
	IPVS_OP_LADDR_DEL   = CTL_OP_IPVS_BASE + 0x0c,
	IPVS_OP_LADDR_LIST  = CTL_OP_IPVS_BASE + 0x0d,
	IPVS_OP_ZERO        = CTL_OP_IPVS_BASE + 0x0e,
	IPVS_OP_TIMEOUT_GET = CTL_OP_IPVS_BASE + 0x0f,
	IPVS_OP_TIMEOUT_SET = CTL_OP_IPVS_BASE + 0x10,
	IPVS_OP_CONN_LIST   = CTL_OP_IPVS_BASE + 0x11,
	IPVS_OP_END         = CTL_OP_IPVS_BASE + 0x12,	/* one past the last */
};

/* Address: IPv4 in in4 (network order), IPv6 in in6. */
union ipvs_wire_addr {
	uint32_t in4;
	uint8_t in6[16];
};
_Static_assert(sizeof(union ipvs_wire_addr) == 16, "wire addr is 16 bytes");

/* Which service.  A fwmark service has fwmark != 0, proto 0, port 0 and a
 * zero address (af says whether it matches IPv4 or IPv6 packets). */
struct ipvs_wire_svc_key {
	uint8_t af;		/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP; 0 with fwmark */
	uint16_t port;		/* host order; 0 only for fwmark or persistent */
	uint32_t fwmark;
	union ipvs_wire_addr addr;
};
_Static_assert(sizeof(struct ipvs_wire_svc_key) == 24, "svc key is 24 bytes");

/* Service flags. */
#define IPVS_WIRE_SVC_F_PERSISTENT 0x0001u	/* -p: persistence (templates) */
#define IPVS_WIRE_SVC_F_ONEPACKET  0x0004u	/* -o: one-packet scheduling (UDP) */
#define IPVS_WIRE_SVC_F_NOTOA      0x0008u	/* --no-toa: FNAT TCP without the TOA option */
#define IPVS_WIRE_SVC_F_MASK       0x000du

/* Scheduler flags (--sched-flags a,b,...). */
#define IPVS_WIRE_SCHED_F_FALLBACK   0x0001u	/* sh/dh/mh: try the next dest if unusable */
#define IPVS_WIRE_SCHED_F_PORT       0x0002u	/* sh/mh: hash the source port too */
#define IPVS_WIRE_SCHED_F_KEY_SHIFT  8		/* conhash key, enum below, bits 8..11 */
#define IPVS_WIRE_SCHED_F_KEY_MASK   0x0f00u
enum ipvs_wire_hash_key {
	IPVS_WIRE_HASH_SIP = 0,		/* source address (default) */
	IPVS_WIRE_HASH_SIP_SPORT,	/* source address and port */
	IPVS_WIRE_HASH_QUIC_CID,	/* QUIC connection id */
	IPVS_WIRE_HASH_MAX,
};
#define IPVS_WIRE_SCHED_F_MASK       0x0f03u

/* Proxy protocol sent to real servers of FNAT TCP services. */
#define IPVS_WIRE_PP_OFF 0
#define IPVS_WIRE_PP_V2  2

/* A service's configuration (add, edit, and in list replies). */
struct ipvs_wire_svc_conf {
	struct ipvs_wire_svc_key key;
	char sched[IPVS_WIRE_SCHED_NAME_LEN];	/* scheduler name, e.g. "wlc" */
	uint32_t flags;		/* IPVS_WIRE_SVC_F_* */
	uint32_t timeout;	/* persistence, seconds (with F_PERSISTENT) */
	uint32_t netmask;	/* persistence granularity: IPv4 mask (network
				 * order, contiguous), IPv6 prefix length */
	uint32_t sched_flags;	/* IPVS_WIRE_SCHED_F_* */
	uint8_t proxy_protocol;	/* IPVS_WIRE_PP_* */
	uint8_t pad[7];
};
_Static_assert(sizeof(struct ipvs_wire_svc_conf) == 64, "svc conf is 64 bytes");

/* Forwarding methods of a real server. */
enum ipvs_wire_fwd {
	IPVS_WIRE_FWD_MASQ = 0,		/* NAT */
	IPVS_WIRE_FWD_LOCAL = 1,
	IPVS_WIRE_FWD_TUNNEL = 2,	/* IPIP, GUE or GRE (tun_type) */
	IPVS_WIRE_FWD_DR = 3,		/* direct routing ("Route") */
	IPVS_WIRE_FWD_FNAT = 4,		/* full NAT */
	IPVS_WIRE_FWD_MAX,
};

/* Encapsulation of a TUNNEL real server (ipvsadm --tun-type). */
enum ipvs_wire_tun_type {
	IPVS_WIRE_TUN_IPIP = 0,		/* IPv4 in IPv4 (protocol 4), the default */
	IPVS_WIRE_TUN_GUE = 1,		/* UDP to tun_port + 4-byte GUE header */
	IPVS_WIRE_TUN_GRE = 2,		/* GRE (RFC 2784), protocol type 0x0800 */
	IPVS_WIRE_TUN_MAX,
};

/* Tunnel flags (--tun-csum; --tun-nocsum is 0). */
#define IPVS_WIRE_TUN_F_CSUM 0x01u	/* GUE: UDP checksum; GRE: GRE checksum */
#define IPVS_WIRE_TUN_F_MASK 0x01u

#define IPVS_WIRE_WEIGHT_MAX    65535u
#define IPVS_WIRE_THRESHOLD_MAX 65535u	/* ipvsadm(8): -x/-y are 0..65535 */

/* A real server's configuration. */
struct ipvs_wire_dest_conf {
	union ipvs_wire_addr addr;
	uint8_t af;		/* AF_INET or AF_INET6 */
	uint8_t fwd;		/* enum ipvs_wire_fwd */
	uint16_t port;		/* host order */
	uint32_t weight;	/* 0..IPVS_WIRE_WEIGHT_MAX; 0 quiesces */
	uint32_t u_threshold;	/* max connections, 0 = unlimited */
	uint32_t l_threshold;	/* resume below this, 0 = none */
	uint8_t tun_type;	/* enum ipvs_wire_tun_type; IPIP (0) unless TUNNEL */
	uint8_t tun_flags;	/* IPVS_WIRE_TUN_F_*; GUE and GRE only */
	uint16_t tun_port;	/* GUE's UDP destination port, host order; else 0 */
	uint32_t pad;
};
_Static_assert(sizeof(struct ipvs_wire_dest_conf) == 40, "dest conf is 40 bytes");

/* DEST_ADD / DEST_EDIT / DEST_DEL (del uses dest.af/addr/port only). */
struct ipvs_wire_dest_req {
	struct ipvs_wire_svc_key svc;
	struct ipvs_wire_dest_conf dest;
};
_Static_assert(sizeof(struct ipvs_wire_dest_req) == 64, "dest req is 64 bytes");

/* Counters (totals) and rates (per second, averaged over a few seconds). */
struct ipvs_wire_stats {
	uint64_t conns;
	uint64_t inpkts;
	uint64_t outpkts;
	uint64_t inbytes;
	uint64_t outbytes;
	uint64_t cps;
	uint64_t inpps;
	uint64_t outpps;
	uint64_t inbps;
	uint64_t outbps;
};
_Static_assert(sizeof(struct ipvs_wire_stats) == 80, "stats are 80 bytes");

struct ipvs_wire_list {
	uint32_t n_svcs;	/* ipvs_wire_svc_entry records that follow */
	uint32_t pad;
};
_Static_assert(sizeof(struct ipvs_wire_list) == 8, "list header is 8 bytes");

struct ipvs_wire_svc_entry {
	struct ipvs_wire_svc_conf conf;
	uint32_t n_dests;	/* ipvs_wire_dest_entry records that follow */
	uint32_t n_laddrs;
	struct ipvs_wire_stats stats;
};
_Static_assert(sizeof(struct ipvs_wire_svc_entry) == 152, "svc entry is 152 bytes");

struct ipvs_wire_dest_entry {
	struct ipvs_wire_dest_conf conf;
	uint32_t activeconns;
	uint32_t inactconns;
	uint32_t persistconns;	/* persistence templates pointing here */
	uint32_t pad;
	struct ipvs_wire_stats stats;
};
_Static_assert(sizeof(struct ipvs_wire_dest_entry) == 136, "dest entry is 136 bytes");

/* LADDR_ADD / LADDR_DEL: a FNAT local address of a service. */
struct ipvs_wire_laddr_req {
	struct ipvs_wire_svc_key svc;
	union ipvs_wire_addr addr;
	uint8_t af;
	uint8_t pad[7];
	char ifname[IPVS_WIRE_IFNAME_LEN];	/* port it is reached on ("" = any) */
};
_Static_assert(sizeof(struct ipvs_wire_laddr_req) == 64, "laddr req is 64 bytes");

/* LADDR_ADD's reply: the address was added; warnings say why it cannot
 * carry traffic yet.  dpvsd answers ARP for and receives only its own
 * addresses (dpip addr), so an FNAT connection given a local address that
 * no port has gets no reply from its real server. */
#define IPVS_WIRE_LADDR_W_NOT_LOCAL  0x1u	/* no port has the address */
#define IPVS_WIRE_LADDR_W_OTHER_PORT 0x2u	/* it is on a port, not on ifname's */
struct ipvs_wire_laddr_add_reply {
	uint32_t warnings;	/* IPVS_WIRE_LADDR_W_* */
	uint32_t pad;
};
_Static_assert(sizeof(struct ipvs_wire_laddr_add_reply) == 8, "laddr add reply is 8 bytes");

#define IPVS_WIRE_LADDR_F_ALL 0x1u	/* every service (svc ignored) */

struct ipvs_wire_laddr_list_req {
	uint32_t flags;		/* IPVS_WIRE_LADDR_F_* */
	uint32_t pad;
	struct ipvs_wire_svc_key svc;
};
_Static_assert(sizeof(struct ipvs_wire_laddr_list_req) == 32, "laddr list req is 32 bytes");

struct ipvs_wire_laddr_entry {
	struct ipvs_wire_svc_key svc;
	union ipvs_wire_addr addr;
	uint8_t af;
	uint8_t pad[7];
	char ifname[IPVS_WIRE_IFNAME_LEN];
	uint64_t conns;		/* connections using it now, all lcores */
	uint64_t port_conflicts; /* local port allocations that failed */
};
_Static_assert(sizeof(struct ipvs_wire_laddr_entry) == 80, "laddr entry is 80 bytes");

struct ipvs_wire_laddr_list {
	uint32_t n;		/* ipvs_wire_laddr_entry records that follow */
	uint32_t pad;
};
_Static_assert(sizeof(struct ipvs_wire_laddr_list) == 8, "laddr list is 8 bytes");

#define IPVS_WIRE_ZERO_F_ALL 0x1u	/* zero every service (svc ignored) */

struct ipvs_wire_zero_req {
	uint32_t flags;		/* IPVS_WIRE_ZERO_F_* */
	uint32_t pad;
	struct ipvs_wire_svc_key svc;
};
_Static_assert(sizeof(struct ipvs_wire_zero_req) == 32, "zero req is 32 bytes");

/* Connection timeouts in seconds (ipvsadm --set tcp tcpfin udp).  On SET a
 * zero field leaves that timeout unchanged. */
#define IPVS_WIRE_TIMEOUT_MAX (24u * 3600u * 31u)
struct ipvs_wire_timeout {
	uint32_t tcp;		/* established TCP */
	uint32_t tcp_fin;	/* TCP after FIN */
	uint32_t udp;
	uint32_t pad;
};
_Static_assert(sizeof(struct ipvs_wire_timeout) == 16, "timeout is 16 bytes");

struct ipvs_wire_info {
	uint32_t version;	/* IPVS_WIRE_VERSION */
	uint32_t conn_tab_size;	/* connection table capacity per lcore */
	uint32_t n_svcs;
	uint32_t n_workers;	/* forwarding lcores */
};
_Static_assert(sizeof(struct ipvs_wire_info) == 16, "info is 16 bytes");

/*
 * Connection listing is chunked: the client starts with a zeroed request
 * and repeats it with the cursor of each reply (next_worker, next_pos)
 * until the reply has done = 1.  A reply holds at most IPVS_WIRE_CONN_CHUNK
 * entries (fewer when max is smaller); the listing is not a snapshot (a
 * connection created or deleted meanwhile may or may not appear).
 */
#define IPVS_WIRE_CONN_CHUNK 8192u

struct ipvs_wire_conn_req {
	uint32_t worker;	/* cursor: index among the forwarding lcores */
	uint32_t max;		/* entries wanted, 0 = IPVS_WIRE_CONN_CHUNK */
	uint64_t pos;		/* cursor: opaque position in that lcore's table */
};
_Static_assert(sizeof(struct ipvs_wire_conn_req) == 16, "conn req is 16 bytes");

struct ipvs_wire_conn_reply {
	uint32_t n;		/* ipvs_wire_conn_entry records that follow */
	uint32_t done;		/* 1: no more connections after these */
	uint32_t next_worker;
	uint32_t pad;
	uint64_t next_pos;
};
_Static_assert(sizeof(struct ipvs_wire_conn_reply) == 24, "conn reply is 24 bytes");

#define IPVS_WIRE_CONN_F_TEMPLATE 0x1u	/* a persistence template */

struct ipvs_wire_conn_entry {
	union ipvs_wire_addr caddr;	/* client */
	union ipvs_wire_addr vaddr;	/* virtual service */
	union ipvs_wire_addr laddr;	/* FNAT local address (zero otherwise) */
	union ipvs_wire_addr daddr;	/* real server */
	uint16_t cport, vport, lport, dport;	/* host order */
	uint8_t af;
	uint8_t proto;
	uint8_t fwd;		/* enum ipvs_wire_fwd */
	uint8_t pad;
	uint32_t flags;		/* IPVS_WIRE_CONN_F_* */
	uint32_t expire_ms;	/* time left before it expires */
	uint32_t lcore;		/* owning lcore */
	char state[IPVS_WIRE_STATE_NAME_LEN];	/* "ESTABLISHED", ... */
};
_Static_assert(sizeof(struct ipvs_wire_conn_entry) == 104, "conn entry is 104 bytes");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_WIRE_H */
