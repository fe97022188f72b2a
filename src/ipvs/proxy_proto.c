/*
 * proxy_proto.c - encode the PROXY protocol v2 header and prepend it to a
 * packet's payload.  Stateless; see include/ipvs/proxy_proto.h.
 */
#include <string.h>
#include <netinet/in.h>
#include "dpvs_err.h"
#include "ipvs/proxy_proto.h"
#include "ipvs/xmit.h"

const uint8_t pp2_signature[PP2_SIG_LEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

#define PP2_VER_CMD_PROXY 0x21	/* version 2 << 4 | PROXY */
#define PP2_FAM_INET      0x10
#define PP2_TRANS_STREAM  0x01
#define PP2_TRANS_DGRAM   0x02
#define PP2_ADDR_V4_LEN   12

int pp2_encode_v4(uint8_t *buf, size_t len, uint8_t proto, uint32_t saddr, uint16_t sport,
		  uint32_t daddr, uint16_t dport)
{
	uint16_t alen = rte_cpu_to_be_16(PP2_ADDR_V4_LEN);

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return EDPVS_INVAL;
	if (len < PP2_HDR_V4_LEN)
		return EDPVS_NOROOM;
	memcpy(buf, pp2_signature, PP2_SIG_LEN);
	buf[12] = PP2_VER_CMD_PROXY;
	buf[13] = PP2_FAM_INET | (proto == IPPROTO_TCP ? PP2_TRANS_STREAM : PP2_TRANS_DGRAM);
	memcpy(buf + 14, &alen, 2);
	memcpy(buf + 16, &saddr, 4);
	memcpy(buf + 20, &daddr, 4);
	memcpy(buf + 24, &sport, 2);
	memcpy(buf + 26, &dport, 2);
	return PP2_HDR_V4_LEN;
}

int pp2_insert(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t saddr, uint16_t sport,
	       uint32_t daddr, uint16_t dport, uint16_t max_len)
{
	uint8_t hdr[PP2_HDR_V4_LEN];
	int n;

	if (p->proto != IPPROTO_TCP)
		return EDPVS_INVAL;
	n = pp2_encode_v4(hdr, sizeof(hdr), p->proto, saddr, sport, daddr, dport);
	if (n < 0)
		return n;
	return xmit_ipv4_insert(m, p, (uint16_t)(p->l3_len + p->l4_len), hdr, (uint16_t)n,
				max_len);
}
