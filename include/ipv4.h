/*
 * ipv4.h - IPv4 receive, local delivery, forwarding and output.
 *
 * Receive (ethertype 0x0800 handler, FWD_WORKER): validate the header
 * (each failure counted under its reason), reassemble fragments before any
 * hook (ipv4_reasm.h: the owner lcore of the datagram's (src, dst, id,
 * proto) holds them; TCP fragments, and all when inet.ipv4_reasm_max is 0,
 * are dropped and counted under "fragment"), run the
 * PRE_ROUTING hooks (IPVS), then deliver locally (ICMP echo here; TCP and
 * UDP to the kernel path; other protocols answered with ICMP protocol
 * unreachable and counted), forward (if inet.ipv4_forward), or hand the
 * packet to the kernel path.
 *
 * Hooks are registered before the loops run and never change afterwards,
 * so the per-packet walk reads them without synchronisation.
 */
#ifndef DPVS_IPV4_H
#define DPVS_IPV4_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netif_port;

enum ipv4_hook_point {
	IPV4_HOOK_PRE_ROUTING,
	IPV4_HOOK_LOCAL_IN,
	IPV4_HOOK_FORWARD,
	IPV4_HOOK_LOCAL_OUT,
	IPV4_HOOK_POST_ROUTING,
	IPV4_HOOK_MAX
};

#define IPV4_HOOKS_PER_POINT 8

/* m data at the (validated) IPv4 header; m->l3_len set.  in_port is NULL
 * for LOCAL_OUT and POST_ROUTING of locally generated packets.  Return
 * ACCEPT to continue, DROP (the caller frees and counts) or STOLEN. */
typedef enum dpvs_verdict (*ipv4_hook_fn)(void *priv, struct rte_mbuf *m,
					  struct netif_port *in_port);

/* Register a hook (lower priority runs first).  Master only, before the
 * loops run.  EDPVS_INVAL (bad point/fn), EDPVS_NOROOM, EDPVS_BUSY
 * (loops running). */
int ipv4_hook_register(enum ipv4_hook_point hp, int priority, ipv4_hook_fn fn, void *priv);
int ipv4_hook_unregister(enum ipv4_hook_point hp, ipv4_hook_fn fn, void *priv);

/* Why a packet was dropped (or diverted); counters per lcore. */
enum ipv4_drop_reason {
	IPV4_OK = 0,
	IPV4_DROP_TRUNCATED,	/* fewer bytes than a minimal IPv4 header */
	IPV4_DROP_VERSION,	/* version != 4 */
	IPV4_DROP_IHL,		/* IHL < 5 or header longer than the data */
	IPV4_DROP_TOTLEN,	/* total length < IHL or > the frame */
	IPV4_DROP_CSUM,		/* bad header checksum */
	IPV4_DROP_TTL0,		/* TTL 0 on the wire */
	IPV4_DROP_BAD_SRC,	/* source multicast, broadcast or loopback */
	IPV4_DROP_FRAG,		/* fragment not reassembled (TCP, or reassembly off) */
	IPV4_DROP_TTL_EXCEEDED,	/* TTL would expire when forwarding */
	IPV4_DROP_NO_ROUTE,	/* no route to the destination */
	IPV4_DROP_TOO_BIG,	/* larger than the route MTU with DF set (ICMP
				 * fragmentation needed sent), or it could not be
				 * fragmented (no mbuf, too many fragments) */
	IPV4_DROP_UNKNOWN_PROTO,/* local delivery of a protocol dpvsd does not serve */
	IPV4_DROP_HOOK,		/* a hook said drop */
	IPV4_DROP_NEIGH,	/* next hop unresolved / queue full */
	IPV4_DROP_NOT_FORWARDED,/* not local, forwarding off, no kernel path took it */
	IPV4_DROP_MAX
};

/* Other per-lcore counters. */
enum ipv4_counter {
	IPV4_C_IN = 0,		/* packets received */
	IPV4_C_IN_LOCAL,	/* delivered to a local address */
	IPV4_C_FORWARDED,	/* forwarded */
	IPV4_C_OUT,		/* sent by ipv4_output / ipv4_xmit_nexthop */
	IPV4_C_TO_KERNEL,	/* handed to the kernel exception path */
	IPV4_C_FRAGMENTED,	/* packets without DF longer than the MTU, fragmented */
	IPV4_C_FRAG_OUT,	/* fragments those made */
	IPV4_C_FRAG_IN,		/* fragments given to this lcore's reassembly */
	IPV4_C_FRAG_REDIRECTED,	/* fragments sent to the lcore owning their datagram */
	IPV4_C_MAX
};

extern const char *const ipv4_drop_names[IPV4_DROP_MAX];	/* "ok", "truncated", ... */
extern const char *const ipv4_counter_names[IPV4_C_MAX];

/* Sum over lcores.  Any thread (may be one burst stale). */
uint64_t ipv4_drop_sum(enum ipv4_drop_reason r);
uint64_t ipv4_counter_sum(enum ipv4_counter c);

/* Validate the IPv4 header at m's data (the first segment must hold the
 * whole header).  Checks length, version, IHL, total length against the
 * frame, checksum (unless the port flagged it good/bad), TTL != 0 and the
 * source address.  Returns IPV4_OK and sets m->l3_len, or the reason.  Does
 * not count.  Pure: any thread. */
enum ipv4_drop_reason ipv4_validate(struct rte_mbuf *m);

/* The ethertype handler (registered by ipv4_init()). FWD_WORKER. */
enum dpvs_verdict ipv4_rcv(struct rte_mbuf *m, struct netif_port *port);

/* Send a complete IPv4 packet (data at the IPv4 header) by its
 * destination: LOCAL_OUT hooks, route lookup, MTU check, POST_ROUTING hooks,
 * next-hop resolution, Ethernet header, netif_xmit.  A packet longer than
 * the MTU is dropped with ICMP fragmentation needed when it has DF set and
 * sent as fragments (ipv4_fragment()) otherwise.  The header checksum is
 * computed here (callers need not set it); a zero source address is
 * replaced by the route's preferred source.  Consumes m in every case.
 * Returns 0, EDPVS_NOTEXIST (no route), EDPVS_RANGE (too big with DF, or
 * not fragmentable), or the
 * error of neigh_output()/netif_xmit().  Any lcore with a loop. */
int ipv4_output(struct rte_mbuf *m);

/* ipv4_output() for a packet whose IPv4 header checksum the caller already
 * kept right (e.g. the IPVS NAT/FNAT rewrite, by incremental updates): the
 * header checksum is not recomputed, unless the source address was 0 and is
 * filled in here.  LOCAL_OUT hooks must keep it right too.  Same returns;
 * consumes m.  Any lcore with a loop. */
int ipv4_output_csum_ok(struct rte_mbuf *m);

/* Most fragments one packet is split into on output (a longer split is
 * refused and counted too_big). */
#define IPV4_FRAG_MAX 64

/* Split the IPv4 packet m (data at its header, DF clear) into fragments
 * whose total length is at most mtu: new mbufs from mp in out[0..n), each
 * with m's header (on non-first fragments the options without the copied
 * bit replaced by NOPs), its offset and MF flag (MF kept on the last one
 * if m itself was a non-last fragment), a computed header checksum and
 * payload of a multiple of 8 bytes except the last.  m is not consumed.
 * Returns n, EDPVS_INVAL (DF set, bad lengths, or mtu below header + 8),
 * EDPVS_NOROOM (more than max fragments) or EDPVS_NOMEM (no pool, or it ran
 * out: nothing is kept).  Any lcore. */
int ipv4_fragment(const struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *mp,
		  struct rte_mbuf **out, unsigned int max);

/* Like ipv4_output() but to an explicit next hop on a port (DR mode), no
 * route lookup; the port's MTU applies.  Consumes m. */
int ipv4_xmit_nexthop(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop);

/* Forwarding of packets not addressed to dpvsd (config inet.ipv4_forward,
 * default off: they go to the kernel path).  Master. */
void ipv4_set_forward(bool on);
bool ipv4_get_forward(void);

int ipv4_init(void);
void ipv4_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPV4_H */
