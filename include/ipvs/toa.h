/*
 * toa.h - TOA ("TCP option address"): the FNAT client address carried to
 * the real server in a TCP option, read there by kmod/toa.
 * Owned by src/ipvs/toa.c.
 *
 * Wire format (8 bytes, inserted right after the fixed TCP header):
 *     kind 254, length 8, client port (2 bytes), client IPv4 address (4
 *     bytes), both in network order.
 */
#ifndef DPVS_IPVS_TOA_H
#define DPVS_IPVS_TOA_H

#include <stdint.h>
#include <rte_mbuf.h>
#include "ipvs/ipvs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TOA_OPT_KIND 254
#define TOA_OPT_LEN  8

/* Write the 8 option bytes for client caddr:cport (network order). */
void toa_encode(uint8_t out[TOA_OPT_LEN], uint32_t caddr, uint16_t cport);

/* Insert the option into the TCP packet m (parsed as p) before any other
 * option, updating lengths and checksums (xmit_tcp_opt_insert()).
 * max_len: bound on the resulting IPv4 total length (0: 65535).
 * 0, EDPVS_NOROOM (TCP header would exceed 60 bytes, no headroom, or
 * max_len), EDPVS_INVAL (not TCP), EDPVS_EXIST (already carries a TOA
 * option: left as it is).  Any lcore. */
int toa_insert(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t caddr, uint16_t cport,
	       uint16_t max_len);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_TOA_H */
