/*
 * toa.c - encode and insert the TOA option (client address for FNAT real
 * servers running kmod/toa).  Stateless; see include/ipvs/toa.h.
 */
#include <string.h>
#include <netinet/in.h>
#include <rte_tcp.h>
#include "dpvs_err.h"
#include "ipvs/toa.h"
#include "ipvs/xmit.h"

void toa_encode(uint8_t out[TOA_OPT_LEN], uint32_t caddr, uint16_t cport)
{
	out[0] = TOA_OPT_KIND;
	out[1] = TOA_OPT_LEN;
	memcpy(out + 2, &cport, sizeof(cport));
	memcpy(out + 4, &caddr, sizeof(caddr));
}

/* Does the TCP header already hold a TOA option? */
static bool toa_present(const struct rte_mbuf *m, const struct ipvs_pkt *p)
{
	const uint8_t *o = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						   p->l3_len + sizeof(struct rte_tcp_hdr));
	int left = (int)p->l4_len - (int)sizeof(struct rte_tcp_hdr);

	while (left > 0 && o[0] != 0) {
		if (o[0] == 1) {
			o++;
			left--;
			continue;
		}
		if (left < 2 || o[1] < 2 || o[1] > left)
			return false;
		if (o[0] == TOA_OPT_KIND)
			return true;
		left -= o[1];
		o += o[1];
	}
	return false;
}

int toa_insert(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t caddr, uint16_t cport,
	       uint16_t max_len)
{
	uint8_t opt[TOA_OPT_LEN];

	if (p->proto != IPPROTO_TCP)
		return EDPVS_INVAL;
	if (toa_present(m, p))
		return EDPVS_EXIST;
	toa_encode(opt, caddr, cport);
	return xmit_tcp_opt_insert(m, p, opt, sizeof(opt), max_len);
}
