/*
 * ipvs.h - the IPVS datapath: the IPv4 PRE_ROUTING hook that turns packets
 * for virtual services into connections and forwards them.
 *
 * Owned by src/ipvs/ipvs_core.c (hook, owner lcore, per-lcore counters) and
 * src/ipvs/ipvs_pkt.c (parsing L4 once into struct ipvs_pkt).
 *
 * Packet walk on a FWD_WORKER (details in doc/architecture.md):
 *   parse L3/L4 once -> conn lookup on this lcore (both directions) ->
 *   if missing: find the owner lcore and netif_redirect() there if it is not
 *   this one -> on the owner: service lookup, schedule, create the conn and
 *   bind its struct xmit_ops once -> proto state transition -> xmit in/out.
 *
 * Owner lcore of a connection (no rte_flow on our ports): the FWD_WORKER
 * with index ipvs_owner_index(client addr, client port) - port 0 for
 * persistent services, so a client's conns meet its template; for FNAT
 * replies the local port names it (lport % n_workers, see
 * ipvs_lport_owner_index()).
 */
#ifndef DPVS_IPVS_IPVS_H
#define DPVS_IPVS_IPVS_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What ipvs_pkt_parse() learned about one IPv4 packet.  All addresses and
 * ports in network byte order, lengths in host order. */
struct ipvs_pkt {
	uint8_t  proto;		/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP or IPPROTO_ICMP */
	uint8_t  tcp_flags;	/* RTE_TCP_*_FLAG (TCP only) */
	uint16_t l3_len;	/* IPv4 header bytes */
	uint16_t l4_len;	/* TCP/UDP header bytes incl. options; SCTP: 12; ICMP: 8 */
	uint16_t payload_len;	/* L4 payload bytes (ICMP: bytes after the 8-byte header) */
	uint32_t saddr;
	uint32_t daddr;
	uint16_t sport;		/* ICMP echo: the identifier, in both */
	uint16_t dport;
	uint32_t seq;		/* TCP, host order */
	uint32_t ack;		/* TCP, host order */
	uint32_t sctp_vtag;	/* SCTP verification tag, network order */
	uint8_t  sctp_chunk;	/* SCTP: type of the first chunk (PROTO_SCTP_CHUNK_*;
				 * ABORT when one follows a first COOKIE ECHO/ACK) */
	/* ICMP errors (dest unreachable, time exceeded, param problem, source
	 * quench) quoting a TCP/UDP packet: the quoted packet's tuple. */
	bool     icmp_err;
	uint8_t  icmp_type;
	uint8_t  icmp_code;
	uint8_t  inner_proto;
	uint16_t inner_off;	/* offset of the quoted IPv4 header from L3 start */
	uint16_t inner_l3_len;
	uint32_t inner_saddr;
	uint32_t inner_daddr;
	uint16_t inner_sport;
	uint16_t inner_dport;
};

/* Parse the IPv4 packet at m's data pointer (header validated by ipv4:
 * version, IHL, total length <= data).  TCP/UDP headers and, for ICMP
 * errors, the quoted IPv4 header plus 8 bytes must sit in the first
 * segment.  m is not a fragment (ipv4_rcv() drops fragments before the
 * PRE_ROUTING hook; a fragment's L4 bytes would be read as if complete).
 * Returns 0, EDPVS_NOTSUPP for another protocol or an ICMP that is neither
 * an error nor an echo, EDPVS_INVAL for a truncated or malformed header.
 * Any lcore; no side effects. */
int ipvs_pkt_parse(const struct rte_mbuf *m, struct ipvs_pkt *p);

/* ---- QUIC connection ids (the conhash key hash-quic-cid) ----
 *
 * Rule: the key of a QUIC packet is its destination connection id (DCID).
 *   - Long header (first byte bit 7 set; RFC 8999 5.1, RFC 9000 17.2): byte 0,
 *     version (4 bytes, not 0: version negotiation comes from servers only),
 *     DCID length (1..IPVS_QUIC_CID_MAX) and DCID, SCID length
 *     (0..IPVS_QUIC_CID_MAX) and SCID, all inside the datagram.  A client's
 *     Initial carries the DCID it chose.
 *   - Short header (bit 7 clear and the fixed bit 0x40 set, RFC 9000 17.3.1):
 *     the header does not say how long the DCID is; the receiver must know.
 *     dpvsd assumes IPVS_QUIC_SHORT_CID_LEN (8) bytes: the servers behind a
 *     hash-quic-cid service must issue 8-byte connection ids (the usual
 *     choice of QUIC stacks).  Then a client that changes address or port
 *     (NAT rebinding, migration: a new tuple, so a new conn) is hashed on
 *     the id the server gave it, which does not change.
 *   - Anything else (not QUIC, truncated, lengths out of range, another
 *     version's longer ids): no id; conhash falls back to the source address.
 */
#define IPVS_QUIC_CID_MAX       20	/* RFC 9000 17.2: v1 ids are at most 20 bytes */
#define IPVS_QUIC_SHORT_CID_LEN 8	/* DCID length assumed in short headers */
#define IPVS_QUIC_PEEK          (7 + 2 * IPVS_QUIC_CID_MAX)	/* bytes a long header needs */

/* The DCID in the first len bytes b of a UDP payload, by the rule above.
 * Returns its length (1..IPVS_QUIC_CID_MAX) with *off its offset in b, or 0
 * (then *off is not written).  Reads at most IPVS_QUIC_PEEK bytes and never
 * past len.  Pure; any thread. */
uint8_t ipvs_quic_dcid(const uint8_t *b, size_t len, size_t *off);

/* The DCID of the UDP packet m parsed as p: the first IPVS_QUIC_PEEK bytes
 * of its payload are read and the id is copied to the start of buf (give
 * it 4-byte alignment: the hash reads words), *cid = buf.  Returns its
 * length, or 0 with *cid NULL (not UDP, no id).  Any lcore. */
uint8_t ipvs_pkt_quic_dcid(const struct rte_mbuf *m, const struct ipvs_pkt *p,
			   uint8_t buf[IPVS_QUIC_PEEK], const uint8_t **cid);

/* Index (0..n-1) among the FWD_WORKERs of the lcore that owns connections
 * of this client (addr, port network order).  n > 0. */
unsigned int ipvs_owner_index(uint32_t caddr, uint16_t cport, unsigned int n);

/* Index of the FWD_WORKER that owns FNAT local port lport (network
 * order): the per-lcore port sets are {p : p % n == index}. */
static inline unsigned int ipvs_lport_owner_index(uint16_t lport, unsigned int n)
{
	return (unsigned int)rte_be_to_cpu_16(lport) % n;
}

/* Number of FWD_WORKERs, and the index (0..n-1) of lcore_id among them
 * (-1 if it is not one).  Fixed once ipvs_init() ran.  Any lcore. */
unsigned int ipvs_n_workers(void);
int ipvs_worker_index(unsigned int lcore_id);

/* Set the forwarding lcores the owner rule spreads flows over (ipvs_init()
 * takes them from the FWD_WORKER roles; unit tests model workers with it).
 * n <= RTE_MAX_LCORE, ids < RTE_MAX_LCORE, distinct.  EDPVS_INVAL otherwise.
 * Master, before the loops run. */
int ipvs_set_workers(const unsigned int *lcore_ids, unsigned int n);

struct netif_port;

/* The hook registered at IPV4_HOOK_PRE_ROUTING (exposed for unit tests):
 * m at a validated IPv4 header.  ACCEPT (not ours: continue in the stack),
 * DROP (caller frees) or STOLEN (forwarded, redirected or freed).
 * FWD_WORKER. */
enum dpvs_verdict ipvs_pre_routing(void *priv, struct rte_mbuf *m, struct netif_port *in_port);

/* Per-lcore datapath counters (written by the owning lcore only, read by
 * anyone as plain 64-bit loads). */
struct ipvs_lcore_stats {
	uint64_t pkts;			/* packets seen by the hook (IPv4 TCP/UDP/ICMP) */
	uint64_t conn_hit;		/* matched an existing connection */
	uint64_t conn_new;		/* connections created */
	uint64_t conn_reused;		/* SYN on a TIME_WAIT/CLOSE conn: old one dropped */
	uint64_t redirected;		/* handed to the owner lcore */
	uint64_t redirect_fail;		/* netif_redirect() refused (ring full) */
	uint64_t no_service;		/* no conn, no service: left to the IPv4 stack */
	uint64_t sched_fail;		/* no real server available */
	uint64_t conn_fail;		/* conn table full / no local port / no memory */
	uint64_t tcp_no_syn;		/* TCP without conn and not a SYN: dropped */
	uint64_t icmp_fwd;		/* ICMP errors translated and forwarded */
	uint64_t icmp_drop;		/* ICMP errors about unknown connections */
	uint64_t xmit_fail;		/* forwarding op failed */
	uint64_t malformed;		/* ipvs_pkt_parse() said EDPVS_INVAL */
	uint64_t sctp_no_init;		/* SCTP without conn and not an INIT: dropped */
} __rte_cache_aligned;

/* Counters of an lcore (NULL for a bad lcore id). */
const struct ipvs_lcore_stats *ipvs_lcore_stats_get(unsigned int lcore_id);

/* Register the PRE_ROUTING hook and the redirect mbuf flag.  Master, once,
 * after inet and the IPVS model modules.  EDPVS_* on failure. */
int ipvs_init(void);
void ipvs_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_IPVS_H */
