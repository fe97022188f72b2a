/*
 * proxy_proto.h - the PROXY protocol version 2 header (binary form) that
 * FNAT puts at the start of the client's stream (sent with the ACK that
 * completes the handshake, so servers that speak first get it too), so
 * real servers (e.g. nginx `listen ... proxy_protocol`) learn the client
 * address.
 * Owned by src/ipvs/proxy_proto.c.
 *
 * Header for IPv4 (28 bytes): the 12-byte signature
 * "\r\n\r\n\0\r\nQUIT\n", 0x21 (version 2, command PROXY), 0x11 (AF_INET,
 * STREAM) or 0x12 (AF_INET, DGRAM), address block length 12 (2 bytes,
 * network order), source address, destination address, source port,
 * destination port (network order).  Source = the client, destination =
 * the virtual service the client connected to.
 *
 * After the header went into the client -> server stream at sequence s0
 * (the client's ISN + 1), every later client sequence number is shifted by
 * PP2_HDR_V4_LEN on the way in and every acknowledgment (and SACK edge)
 * from the server shifted back on the way out; the FNAT mode keeps that
 * state per connection (src/ipvs/xmit_fnat.c).
 */
#ifndef DPVS_IPVS_PROXY_PROTO_H
#define DPVS_IPVS_PROXY_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include "ipvs/ipvs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PP2_SIG_LEN     12
#define PP2_HDR_V4_LEN  28	/* 16 fixed + 12 address bytes */

extern const uint8_t pp2_signature[PP2_SIG_LEN];

/* Write the IPv4 header for proto (IPPROTO_TCP or IPPROTO_UDP) into buf.
 * Addresses and ports network order.  Returns PP2_HDR_V4_LEN, EDPVS_NOROOM
 * if len is too small, EDPVS_INVAL for another proto. */
int pp2_encode_v4(uint8_t *buf, size_t len, uint8_t proto, uint32_t saddr, uint16_t sport,
		  uint32_t daddr, uint16_t dport);

/* Prepend the header for (saddr:sport -> daddr:dport) to the payload of
 * the TCP packet m (parsed as p), updating lengths and checksums; the
 * sequence number is left as it is.  max_len: bound on the resulting IPv4
 * total length (0: 65535).  0, EDPVS_NOROOM, EDPVS_INVAL.  Any lcore. */
int pp2_insert(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t saddr, uint16_t sport,
	       uint32_t daddr, uint16_t dport, uint16_t max_len);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_PROXY_PROTO_H */
