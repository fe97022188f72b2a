/*
 * xmit.h - IPVS forwarding: header rewrite helpers shared by the modes
 * (src/ipvs/xmit.c) and, below them, the per-mode ops table bound to a
 * connection once at creation (src/ipvs/xmit_{fnat,nat,dr,tunnel}.c).
 *
 * Every helper works on an mbuf whose data pointer is at the IPv4 header
 * and whose headers (IPv4 + TCP/UDP incl. options, or ICMP + quoted packet)
 * sit in the first segment, together with the struct ipvs_pkt that
 * ipvs_pkt_parse() filled for it; helpers keep that struct in step with the
 * packet.  Checksums (IPv4 header, TCP/UDP incl. pseudo header, ICMP) are
 * updated incrementally (RFC 1624), so a packet that arrived with a bad
 * checksum still leaves with a bad one.  UDP checksum 0 (none) stays 0.
 * No helper allocates or locks; any lcore.
 */
#ifndef DPVS_IPVS_XMIT_H
#define DPVS_IPVS_XMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include "dpvs_err.h"
#include "ipvs/ipvs.h"
#include "ipvs/conn.h"
#include "ipvs/service.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- incremental checksum arithmetic (values as stored in the packet) ---- */

static inline uint16_t xmit_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checksum field csum after a 16-bit word changed from old to new. */
static inline uint16_t xmit_csum_replace2(uint16_t csum, uint16_t old, uint16_t new_)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old;
	sum += new_;
	return (uint16_t)~xmit_csum_fold(sum);
}

/* Checksum field csum after a 32-bit (16-bit aligned) field changed. */
static inline uint16_t xmit_csum_replace4(uint16_t csum, uint32_t old, uint32_t new_)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~(old & 0xffff);
	sum += (uint16_t)~(old >> 16);
	sum += new_ & 0xffff;
	sum += new_ >> 16;
	return (uint16_t)~xmit_csum_fold(sum);
}

/* Checksum field csum after a region whose 16-bit ones' complement sum was
 * old_sum now sums to new_sum (both from rte_raw_cksum()). */
static inline uint16_t xmit_csum_diff(uint16_t csum, uint16_t old_sum, uint16_t new_sum)
{
	return xmit_csum_replace2(csum, old_sum, new_sum);
}

/* A connection tuple as seen on the wire in one direction (network order). */
struct xmit_tuple {
	uint32_t saddr;
	uint32_t daddr;
	uint16_t sport;
	uint16_t dport;
};

/* ---- rewrite helpers (src/ipvs/xmit.c) ---- */

/* Set the IPv4 addresses and TCP/UDP/SCTP ports of the packet to t,
 * updating the IPv4, TCP and UDP checksums for what changed, and SCTP's
 * CRC32c (recomputed over the whole packet, any arrival error kept) when a
 * port changed.  p->proto must be TCP, UDP or SCTP. */
void xmit_set_tuple(struct rte_mbuf *m, struct ipvs_pkt *p, const struct xmit_tuple *t);

/* Translate an ICMP error (p->icmp_err): outer addresses become
 * outer_saddr/outer_daddr, the quoted packet's addresses and ports become
 * inner.  Updates the quoted IPv4 header checksum, the ICMP checksum and
 * the outer IPv4 checksum.  The quoted packet's own L4 checksum is left as
 * it is (it is usually truncated). */
void xmit_icmp_translate(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t outer_saddr,
			 uint32_t outer_daddr, const struct xmit_tuple *inner);

/* Decrement the IPv4 TTL (checksum updated).  false when the TTL was <= 1:
 * the packet must not be forwarded (caller sends ICMP time exceeded). */
bool xmit_ttl_dec(struct rte_mbuf *m);

/* Insert n bytes (even, <= 128) at byte offset off from the IPv4 header
 * (off even, inside the first segment, <= l3_len + l4_len): the headers
 * before off move into the headroom.  Updates the IPv4 total length and
 * checksum, the UDP length, and the TCP/UDP checksum (pseudo-header length
 * and the new bytes).  p->payload_len grows by n when off is at or past the
 * end of the L4 header.  EDPVS_NOROOM without headroom or past the MTU
 * limit max_len (total IPv4 length; 0 = only 65535), EDPVS_INVAL for a bad
 * offset/length. */
int xmit_ipv4_insert(struct rte_mbuf *m, struct ipvs_pkt *p, uint16_t off, const void *data,
		     uint16_t n, uint16_t max_len);

/* Insert a TCP option block (n a multiple of 4) right after the fixed TCP
 * header, so it is seen before any EOL.  Updates data offset and
 * checksums.  EDPVS_NOROOM when the header would exceed 60 bytes or
 * max_len (see xmit_ipv4_insert), EDPVS_INVAL otherwise bad. */
int xmit_tcp_opt_insert(struct rte_mbuf *m, struct ipvs_pkt *p, const void *opt, uint16_t n,
			uint16_t max_len);

/* Add dseq to the sequence number and dack to the acknowledgment number
 * (mod 2^32; the ack only if ACK is set), TCP checksum updated. */
void xmit_tcp_seq_adjust(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t dseq, uint32_t dack);

/* Add d to both edges of every SACK block (mod 2^32).  Returns the number
 * of blocks changed. */
unsigned int xmit_tcp_sack_adjust(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t d);

/* Lower the MSS option to mss if it is larger.  Returns true if changed. */
bool xmit_tcp_mss_clamp(struct rte_mbuf *m, struct ipvs_pkt *p, uint16_t mss);

/* One TUNNEL encapsulation (enum ipvs_wire_tun_type of ipvs_wire.h):
 * outer addresses saddr -> daddr (network order); GUE's UDP ports
 * (network order); IPVS_WIRE_TUN_F_CSUM for a GUE UDP checksum or a GRE
 * checksum. */
struct xmit_tun {
	uint32_t saddr;
	uint32_t daddr;
	uint8_t type;
	uint8_t flags;
	uint16_t sport;		/* GUE only */
	uint16_t dport;		/* GUE only */
};

/* Bytes the encapsulation adds before the inner packet: IPIP 20, GUE 32
 * (IPv4 + UDP + GUE), GRE 24, or 28 with its checksum.  The MTU check of
 * a TUNNEL packet subtracts it; 20 for an unknown type. */
uint16_t xmit_tun_overhead(uint8_t type, uint8_t flags);

/* Prepend the outer headers of t in front of the IPv4 packet at m's data:
 * IPv4 (TOS, ID and DF from the inner header, TTL 64, checksum computed);
 * GUE: UDP t->sport -> t->dport, then the 4-byte GUE header (version 0,
 * no options, protocol 4 = IPv4), UDP checksum over the whole datagram
 * with F_CSUM, else 0; GRE (RFC 2784): protocol type 0x0800, with F_CSUM
 * the C bit and the checksum over GRE header and inner packet.  p is not
 * changed.  EDPVS_NOROOM without the headroom or when the result would be
 * longer than max_len (0 = 65535), EDPVS_INVAL for an unknown type.  Any
 * lcore; no allocation. */
int xmit_tun_encap(struct rte_mbuf *m, const struct xmit_tun *t, uint16_t max_len);

/* The GUE UDP source port of a flow (network order): a hash of the client
 * address and port into 49152..65535, so a receiver can spread flows and a
 * flow stays on one path. */
uint16_t xmit_gue_sport(uint32_t caddr, uint16_t cport);

struct netif_port;

/* ---- forwarding modes ---- */

/*
 * One const table per forwarding mode (xmit_fnat.c, xmit_nat.c, xmit_dr.c,
 * xmit_tunnel.c), bound to a conn once when it is created (c->xmit).  Every
 * op runs on the conn's owner lcore.  The packet ops either consume m and
 * return VERDICT_STOLEN (sent, or dropped and counted) or leave m to the
 * caller with VERDICT_DROP (caller frees) / VERDICT_ACCEPT (continue in the
 * IPv4 stack).
 */
struct xmit_ops {
	const char *name;		/* "fnat", "nat", "dr", "tunnel" */
	uint8_t fwd;			/* enum ipvs_fwd_mode */
	uint16_t conn_flags;		/* CONN_F_* every conn of the mode gets */
	/* Fill the local side of a new conn (cp->laddr/lport): FNAT picks a
	 * local address of svc and a port of this lcore's set; the others
	 * use the client.  0, or EDPVS_RESOURCE (no local address/port). */
	int (*conn_prepare)(struct ipvs_service *svc, struct conn_param *cp);
	/* The conn is being freed (may be NULL). */
	void (*conn_release)(struct ipvs_conn *c);
	/* conn_prepare() succeeded but the conn could not be created: give
	 * back what it took (may be NULL). */
	void (*conn_unprepare)(struct ipvs_service *svc, const struct conn_param *cp);
	/* Client -> real server. */
	enum dpvs_verdict (*in)(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p);
	/* Real server -> client; NULL when replies bypass dpvsd (DR, TUNNEL). */
	enum dpvs_verdict (*out)(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p);
	/* ICMP error from the client side about a packet we sent to the client. */
	enum dpvs_verdict (*icmp_in)(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p);
	/* ICMP error from the real-server side about a packet we sent there;
	 * NULL when such errors do not come back through dpvsd (DR, TUNNEL). */
	enum dpvs_verdict (*icmp_out)(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p);
};

extern const struct xmit_ops xmit_fnat_ops;
extern const struct xmit_ops xmit_nat_ops;
extern const struct xmit_ops xmit_dr_ops;
extern const struct xmit_ops xmit_tunnel_ops;

/* The ops of forwarding mode fwd (enum ipvs_fwd_mode), NULL if unknown. */
const struct xmit_ops *xmit_ops_get(unsigned int fwd);

/* Per-lcore forwarding counters (owner lcore writes, anyone reads). */
struct xmit_lcore_stats {
	uint64_t sent;			/* handed to ipv4_output / ipv4_xmit_nexthop */
	uint64_t out_err;		/* those calls failed (packet gone) */
	uint64_t no_route;		/* no route to the real server / client */
	uint64_t ttl_expired;		/* TTL ran out: ICMP time exceeded sent */
	uint64_t toa_added;		/* TOA options inserted */
	uint64_t toa_noroom;		/* TOA skipped: no option space / MTU */
	uint64_t pp2_added;		/* PROXY v2 headers inserted (incl. retransmits) */
	uint64_t pp2_fail;		/* PROXY v2 could not be inserted: packet dropped */
	uint64_t mss_clamped;		/* SYN/SYN-ACK MSS lowered */
	uint64_t no_lport;		/* FNAT: no local address or port free */
	uint64_t frag_needed;		/* DF packet too big for the next hop: ICMP
					 * fragmentation needed sent to its source */
	uint64_t no_headroom;		/* no headroom for the encapsulation: dropped */
} __rte_cache_aligned;

const struct xmit_lcore_stats *xmit_lcore_stats_get(unsigned int lcore_id);

/* FNAT local port range [min, max] (host order, 1024..65535 by default),
 * split between the FWD_WORKERs by ipvs_lport_owner_index().  Master,
 * before the loops.  EDPVS_RANGE if min > max or the range holds fewer
 * ports than workers. */
int xmit_fnat_set_port_range(uint16_t min, uint16_t max);

/* ---- shared by the mode files (xmit.c) ---- */

/* Per-lcore counters of the calling lcore. */
struct xmit_lcore_stats *xmit_stats_this(void);

/* Send m (IPv4 at data): by route (port NULL: ipv4_output()) or to an
 * explicit next hop on port (ipv4_xmit_nexthop()), counted.  Consumes m;
 * returns VERDICT_STOLEN. */
enum dpvs_verdict xmit_send(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop);

static inline enum dpvs_verdict xmit_output(struct rte_mbuf *m)
{
	return xmit_send(m, NULL, 0);
}

/* xmit_output() for a packet whose IPv4 header checksum the mode kept right
 * (xmit_set_tuple, xmit_ttl_dec and the insert helpers all update it
 * incrementally, and the received header was verified): by route with
 * ipv4_output_csum_ok(), which skips recomputing it.  Counted; consumes m;
 * returns VERDICT_STOLEN. */
enum dpvs_verdict xmit_output_csum_ok(struct rte_mbuf *m);

/* Test seam: replace what xmit_send() calls (fn consumes m; port NULL
 * means "by route").  NULL restores the IPv4 stack.  Before the loops. */
typedef int (*xmit_send_fn)(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop);
void xmit_set_send_hook(xmit_send_fn fn);

/* Decrement the TTL; when it ran out send ICMP time exceeded about m and
 * return false (the caller returns VERDICT_DROP). */
bool xmit_forward_ttl(struct rte_mbuf *m);

/* MTU toward daddr: the route's MTU when it has one and it is below its
 * port's, else the port's (ipv4_output() applies the same), else 1500. */
uint16_t xmit_path_mtu(uint32_t daddr);

/*
 * Path MTU check of a packet before the mode rewrites it (m still as it was
 * received, so an error is about what its source sent), toward daddr, for a
 * mode that will add overhead bytes (0 for NAT/FNAT rewrites, the
 * encapsulation header for TUNNEL, the PROXY header for the FNAT segment
 * that gets it).  true: it fits, or it does not but DF is clear (the IPv4
 * output fragments it).  false: DF set and it does not fit; ICMP
 * fragmentation needed with next-hop MTU = path MTU - overhead was sent to
 * m's source (rate-limited by icmp.c), frag_needed counted; the caller
 * returns VERDICT_DROP.  m is not changed.
 */
bool xmit_mtu_ok(struct rte_mbuf *m, uint32_t daddr, uint16_t overhead);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_XMIT_H */
