/*
 * pktgen.h - dpvs-pktgen, the datapath benchmark's traffic generator: shared
 * types of its two files (pkt.c builds the packets, main.c runs the ports).
 * One process, one lcore: port A (DPDK port 0) transmits prebuilt packets of
 * many flows, port B (DPDK port 1) receives and counts.
 */
#ifndef DPVS_PKTGEN_H
#define DPVS_PKTGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define PG_MAX_QUEUES 16

enum pg_proto { PG_UDP, PG_TCP };

/* What a packet of a flow looks like (the command line fills it). */
struct pg_flowspec {
	enum pg_proto proto;
	uint32_t flows;		/* number of flows */
	uint32_t size;		/* frame length in bytes, without FCS (>= 60) */
	struct rte_ether_addr src_mac, dst_mac;
	uint32_t src_ip;	/* host order: client i = src_ip + (i % 256) */
	uint16_t src_port;	/* host order: client i port = src_port + i / 256 */
	uint32_t dst_ip;	/* host order */
	uint16_t dst_port;	/* host order */
};

/* Flow i's addresses (host order). */
void pg_flow_tuple(const struct pg_flowspec *fs, uint32_t i, uint32_t *sip,
		   uint16_t *sport);

/*
 * Build flow i's packet into a fresh mbuf from mp: Ethernet, IPv4 and UDP
 * (payload to fill fs->size), or TCP with flags `tcp_flags` (SYN: no
 * payload, frame padded to 60 bytes; otherwise payload to fill fs->size).
 * Checksums are computed in full.  Returns NULL when the pool is empty or the
 * size does not fit one segment.
 */
struct rte_mbuf *pg_build(const struct pg_flowspec *fs, struct rte_mempool *mp,
			  uint32_t i, uint8_t tcp_flags);

/*
 * Check a received frame: IPv4 with a valid header checksum, destination
 * `expect_dst` (host order; 0 = any), and for TCP/UDP a valid L4 checksum.
 * Returns true when it passes.
 */
bool pg_check(const struct rte_mbuf *m, uint32_t expect_dst);

#endif
