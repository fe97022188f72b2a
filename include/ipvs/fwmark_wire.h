/*
 * fwmark_wire.h - control payloads of the fwmark classifier (dpvsd
 * src/ipvs/fwmark.c, dpip mark), in CTL_OP_IPVS_BASE + 0x80..0x8f.
 *
 * A rule sets a packet's firewall mark (like iptables -t mangle -j MARK)
 * so that a fwmark virtual service (ipvsadm -f) can match it.  Fields in
 * network order unless said otherwise; fixed width; host byte order for
 * the framing as everywhere on the control socket.
 */
#ifndef DPVS_IPVS_FWMARK_WIRE_H
#define DPVS_IPVS_FWMARK_WIRE_H

#include <stdint.h>
#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

enum fwmark_opcode {
	FWMARK_OP_ADD   = CTL_OP_IPVS_BASE + 0x80,	/* struct fwmark_wire_rule */
	FWMARK_OP_DEL   = CTL_OP_IPVS_BASE + 0x81,	/* struct fwmark_wire_rule (exact) */
	FWMARK_OP_LIST  = CTL_OP_IPVS_BASE + 0x82,	/* -> n x struct fwmark_wire_rule */
	FWMARK_OP_FLUSH = CTL_OP_IPVS_BASE + 0x83,	/* no payload */
};

#define FWMARK_MAX_RULES 64u	/* rules per daemon (each worker keeps a copy) */

/* One rule.  A packet matches when every given field matches: proto 0 =
 * any; src/dst with prefix length 0 = any (host bits must be zero);
 * dport_lo..dport_hi inclusive (host order; 0..65535 = any).  Rules are
 * evaluated in the order they were added; the first match gives the mark. */
struct fwmark_wire_rule {
	uint32_t mark;		/* 1..UINT32_MAX */
	uint32_t src;		/* IPv4, network order */
	uint32_t dst;		/* IPv4, network order */
	uint16_t dport_lo;	/* host order */
	uint16_t dport_hi;	/* host order, >= dport_lo */
	uint8_t  proto;		/* 0, IPPROTO_TCP or IPPROTO_UDP */
	uint8_t  src_plen;	/* 0..32 */
	uint8_t  dst_plen;	/* 0..32 */
	uint8_t  pad;		/* 0 */
};
_Static_assert(sizeof(struct fwmark_wire_rule) == 20, "fwmark_wire_rule is 20 bytes");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_FWMARK_WIRE_H */
