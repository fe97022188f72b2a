/*
 * xmit.c - header rewrite helpers shared by the IPVS forwarding modes:
 * tuple rewrite, ICMP error translation, TTL, byte insertion (TCP options,
 * payload prefixes), TCP sequence/SACK adjustment and MSS clamping, all
 * with incremental checksums, and SCTP's CRC32c after a port change (the
 * TUNNEL encapsulations are xmit_tunnel.c's).  Stateless, any lcore; see
 * include/ipvs/xmit.h for the contract of each helper.
 */
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include "ipvs/proto.h"
#include "ipvs/xmit.h"

#define TCP_OPT_EOL	0
#define TCP_OPT_NOP	1
#define TCP_OPT_MSS	2
#define TCP_OPT_SACK	5
#define TCP_HDR_MAX	60
#define XMIT_INSERT_MAX	128

/* Header fields are reached by byte pointer (DPDK's headers are packed):
 * FLD(hdr, type, member) and unaligned-safe loads/stores. */
#define FLD(h, type, member) ((uint8_t *)(h) + offsetof(type, member))

static inline uint16_t rd16(const void *f)
{
	uint16_t v;

	memcpy(&v, f, sizeof(v));
	return v;
}

static inline void wr16(void *f, uint16_t v)
{
	memcpy(f, &v, sizeof(v));
}

static inline uint32_t rd32(const void *f)
{
	uint32_t v;

	memcpy(&v, f, sizeof(v));
	return v;
}

static inline void wr32(void *f, uint32_t v)
{
	memcpy(f, &v, sizeof(v));
}

/* Fold a 32-bit field change into the checksum at csum (NULL: none). */
static inline void csum_upd4(void *csum, uint32_t old, uint32_t new_)
{
	if (csum)
		wr16(csum, xmit_csum_replace4(rd16(csum), old, new_));
}

static inline void csum_upd2(void *csum, uint16_t old, uint16_t new_)
{
	if (csum)
		wr16(csum, xmit_csum_replace2(rd16(csum), old, new_));
}

static inline struct rte_ipv4_hdr *ip_hdr(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
}

static inline struct rte_tcp_hdr *tcp_hdr(struct rte_mbuf *m, const struct ipvs_pkt *p)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, p->l3_len);
}

/* The TCP or UDP checksum field, or NULL when there is none to maintain
 * (UDP without checksum, other protocols). */
static uint8_t *l4_csum(struct rte_mbuf *m, const struct ipvs_pkt *p)
{
	uint8_t *l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l3_len);

	if (p->proto == IPPROTO_TCP)
		return FLD(l4, struct rte_tcp_hdr, cksum);
	if (p->proto == IPPROTO_UDP) {
		uint8_t *c = FLD(l4, struct rte_udp_hdr, dgram_cksum);

		return rd16(c) ? c : NULL;
	}
	return NULL;
}

/* UDP transmits a computed 0 as 0xffff (0 means "no checksum"). */
static inline void l4_csum_fixup(const struct ipvs_pkt *p, uint8_t *csum)
{
	if (csum && p->proto == IPPROTO_UDP && rd16(csum) == 0)
		wr16(csum, 0xffff);
}

/* An IPv4 address field of header ip: IP checksum and l4csum follow. */
static void set_addr(struct rte_ipv4_hdr *ip, uint8_t *field, uint32_t v, uint8_t *l4csum)
{
	uint32_t old = rd32(field);

	if (old == v)
		return;
	csum_upd4(FLD(ip, struct rte_ipv4_hdr, hdr_checksum), old, v);
	csum_upd4(l4csum, old, v);
	wr32(field, v);
}

static void set_port(uint8_t *field, uint16_t v, uint8_t *csum)
{
	uint16_t old = rd16(field);

	if (old == v)
		return;
	csum_upd2(csum, old, v);
	wr16(field, v);
}

/* Ones' complement sum of a field's change (RFC 1624 eqn. 3 terms ~m + m'),
 * to be added to ~csum; several changes add up before one fold. */
static inline uint32_t csum_delta4(uint32_t old, uint32_t new_)
{
	return (uint32_t)(uint16_t)~(old & 0xffff) + (uint16_t)~(old >> 16) +
	       (new_ & 0xffff) + (new_ >> 16);
}

static inline uint32_t csum_delta2(uint16_t old, uint16_t new_)
{
	return (uint32_t)(uint16_t)~old + new_;
}

/* Apply an accumulated change (< 2^20) to the checksum at csum. */
static inline void csum_add(uint8_t *csum, uint32_t delta)
{
	wr16(csum, (uint16_t)~xmit_csum_fold((uint16_t)~rd16(csum) + delta));
}

/* One pass over the four fields, one checksum update each for the IPv4
 * header and the L4 header (per packet on every NAT/FNAT conn). */
static void set_tuple(struct rte_mbuf *m, struct ipvs_pkt *p, const struct xmit_tuple *t);

/* SCTP's CRC32c covers the ports (and no addresses): recomputed when a
 * port changes, keeping the error of a packet that arrived with a bad one. */
void xmit_set_tuple(struct rte_mbuf *m, struct ipvs_pkt *p, const struct xmit_tuple *t)
{
	uint32_t len, err;

	if (likely(p->proto != IPPROTO_SCTP) || (p->sport == t->sport && p->dport == t->dport)) {
		set_tuple(m, p, t);
		return;
	}
	len = (uint32_t)rte_be_to_cpu_16(ip_hdr(m)->total_length) - p->l3_len;
	err = proto_sctp_csum_error(m, p->l3_len, len);
	set_tuple(m, p, t);
	proto_sctp_csum_set(m, p->l3_len, len, err);
}

static void set_tuple(struct rte_mbuf *m, struct ipvs_pkt *p, const struct xmit_tuple *t)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m);
	uint8_t *sa = FLD(ip, struct rte_ipv4_hdr, src_addr);
	uint8_t *da = FLD(ip, struct rte_ipv4_hdr, dst_addr);
	uint8_t *ports = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l3_len);
	uint8_t *csum = l4_csum(m, p);
	uint32_t osa = rd32(sa), oda = rd32(da), a_sum = 0, p_sum = 0;
	uint16_t osp = rd16(ports), odp = rd16(ports + 2);
	bool a_chg = false, p_chg = false;

	if (osa != t->saddr) {
		a_sum += csum_delta4(osa, t->saddr);
		wr32(sa, t->saddr);
		a_chg = true;
	}
	if (oda != t->daddr) {
		a_sum += csum_delta4(oda, t->daddr);
		wr32(da, t->daddr);
		a_chg = true;
	}
	if (osp != t->sport) {
		p_sum += csum_delta2(osp, t->sport);
		wr16(ports, t->sport);
		p_chg = true;
	}
	if (odp != t->dport) {
		p_sum += csum_delta2(odp, t->dport);
		wr16(ports + 2, t->dport);
		p_chg = true;
	}
	if (a_chg)
		csum_add(FLD(ip, struct rte_ipv4_hdr, hdr_checksum), a_sum);
	if (csum && (a_chg || p_chg))
		csum_add(csum, a_sum + p_sum);
	l4_csum_fixup(p, csum);
	p->saddr = t->saddr;
	p->daddr = t->daddr;
	p->sport = t->sport;
	p->dport = t->dport;
}

/* Rewrite a 32-bit field inside the ICMP message, keeping the quoted IPv4
 * header checksum (iph_csum, may be NULL) and the ICMP checksum right. */
static void icmp_set32(uint8_t *field, uint32_t v, uint8_t *iph_csum, uint8_t *icmp_csum)
{
	uint32_t old = rd32(field);
	uint16_t old_iph = rd16(iph_csum);

	if (old == v)
		return;
	csum_upd4(iph_csum, old, v);
	csum_upd2(icmp_csum, old_iph, rd16(iph_csum));
	csum_upd4(icmp_csum, old, v);
	wr32(field, v);
}

void xmit_icmp_translate(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t outer_saddr,
			 uint32_t outer_daddr, const struct xmit_tuple *inner)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m);
	uint8_t *icmp_csum = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l3_len + 2);
	uint8_t *in = rte_pktmbuf_mtod_offset(m, uint8_t *, p->inner_off);
	uint8_t *in_csum = FLD(in, struct rte_ipv4_hdr, hdr_checksum);
	uint8_t *ports = in + p->inner_l3_len;

	icmp_set32(FLD(in, struct rte_ipv4_hdr, src_addr), inner->saddr, in_csum, icmp_csum);
	icmp_set32(FLD(in, struct rte_ipv4_hdr, dst_addr), inner->daddr, in_csum, icmp_csum);
	set_port(ports, inner->sport, icmp_csum);
	set_port(ports + 2, inner->dport, icmp_csum);
	set_addr(ip, FLD(ip, struct rte_ipv4_hdr, src_addr), outer_saddr, NULL);
	set_addr(ip, FLD(ip, struct rte_ipv4_hdr, dst_addr), outer_daddr, NULL);
	p->saddr = outer_saddr;
	p->daddr = outer_daddr;
	p->inner_saddr = inner->saddr;
	p->inner_daddr = inner->daddr;
	p->inner_sport = inner->sport;
	p->inner_dport = inner->dport;
}

bool xmit_ttl_dec(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m);
	uint16_t old, new_;

	if (ip->time_to_live <= 1)
		return false;
	memcpy(&old, &ip->time_to_live, sizeof(old));
	ip->time_to_live--;
	memcpy(&new_, &ip->time_to_live, sizeof(new_));
	ip->hdr_checksum = xmit_csum_replace2(ip->hdr_checksum, old, new_);
	return true;
}

/* Lengths (IPv4 total, UDP length, pseudo header) after n more bytes. */
static void insert_fix_lengths(struct rte_mbuf *m, struct ipvs_pkt *p, uint16_t n,
			       uint16_t data_sum)
{
	struct rte_ipv4_hdr *ip = ip_hdr(m);
	uint16_t tot = rte_be_to_cpu_16(ip->total_length);
	uint16_t old_l4 = rte_cpu_to_be_16((uint16_t)(tot - p->l3_len));
	uint16_t new_l4 = rte_cpu_to_be_16((uint16_t)(tot + n - p->l3_len));
	uint16_t new_tot = rte_cpu_to_be_16((uint16_t)(tot + n));
	uint8_t *csum = l4_csum(m, p);

	ip->hdr_checksum = xmit_csum_replace2(ip->hdr_checksum, ip->total_length, new_tot);
	ip->total_length = new_tot;
	if (p->proto == IPPROTO_UDP) {
		uint8_t *ulen = rte_pktmbuf_mtod_offset(m, uint8_t *, p->l3_len) +
				offsetof(struct rte_udp_hdr, dgram_len);

		csum_upd2(csum, rd16(ulen), new_l4);
		wr16(ulen, new_l4);
	}
	csum_upd2(csum, old_l4, new_l4);	/* pseudo header */
	csum_upd2(csum, 0, data_sum);		/* the new bytes */
	l4_csum_fixup(p, csum);
}

int xmit_ipv4_insert(struct rte_mbuf *m, struct ipvs_pkt *p, uint16_t off, const void *data,
		     uint16_t n, uint16_t max_len)
{
	uint16_t tot = rte_be_to_cpu_16(ip_hdr(m)->total_length);
	uint32_t limit = max_len ? max_len : UINT16_MAX;
	char *start;

	if (n == 0 || n > XMIT_INSERT_MAX || (n & 1) || (off & 1) || off < p->l3_len ||
	    off > p->l3_len + p->l4_len || off > rte_pktmbuf_data_len(m) ||
	    (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP))
		return EDPVS_INVAL;
	if ((uint32_t)tot + n > limit || rte_pktmbuf_headroom(m) < n)
		return EDPVS_NOROOM;
	start = rte_pktmbuf_prepend(m, n);
	if (!start)
		return EDPVS_NOROOM;
	memmove(start, start + n, off);
	memcpy(start + off, data, n);
	insert_fix_lengths(m, p, n, rte_raw_cksum(data, n));
	if (off < p->l3_len + p->l4_len)
		p->l4_len = (uint16_t)(p->l4_len + n);
	else
		p->payload_len = (uint16_t)(p->payload_len + n);
	return 0;
}

int xmit_tcp_opt_insert(struct rte_mbuf *m, struct ipvs_pkt *p, const void *opt, uint16_t n,
			uint16_t max_len)
{
	struct rte_tcp_hdr *th;
	uint16_t old, new_;
	int rc;

	if (p->proto != IPPROTO_TCP || n == 0 || (n & 3))
		return EDPVS_INVAL;
	if (p->l4_len + n > TCP_HDR_MAX)
		return EDPVS_NOROOM;
	rc = xmit_ipv4_insert(m, p, (uint16_t)(p->l3_len + sizeof(*th)), opt, n, max_len);
	if (rc != 0)
		return rc;
	th = tcp_hdr(m, p);
	memcpy(&old, &th->data_off, sizeof(old));	/* data_off + flags word */
	th->data_off = (uint8_t)(((p->l4_len / 4) << 4) | (th->data_off & 0x0f));
	memcpy(&new_, &th->data_off, sizeof(new_));
	th->cksum = xmit_csum_replace2(th->cksum, old, new_);
	return 0;
}

static void tcp_set32(uint8_t *field, uint32_t v, uint8_t *csum)
{
	uint32_t old = rd32(field);

	if (old == v)
		return;
	csum_upd4(csum, old, v);
	wr32(field, v);
}

void xmit_tcp_seq_adjust(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t dseq, uint32_t dack)
{
	struct rte_tcp_hdr *th = tcp_hdr(m, p);
	uint8_t *csum = FLD(th, struct rte_tcp_hdr, cksum);

	if (dseq) {
		p->seq += dseq;
		tcp_set32(FLD(th, struct rte_tcp_hdr, sent_seq), rte_cpu_to_be_32(p->seq), csum);
	}
	if (dack && (p->tcp_flags & RTE_TCP_ACK_FLAG)) {
		p->ack += dack;
		tcp_set32(FLD(th, struct rte_tcp_hdr, recv_ack), rte_cpu_to_be_32(p->ack), csum);
	}
}

/* Walk the TCP options; cb may modify one option in place.  The checksum
 * is fixed once for the whole (16-bit aligned) options area. */
typedef unsigned int (*tcp_opt_cb)(uint8_t *opt, uint8_t len, void *arg);

static unsigned int tcp_opts_walk(struct rte_mbuf *m, struct ipvs_pkt *p, uint8_t kind,
				  tcp_opt_cb cb, void *arg)
{
	struct rte_tcp_hdr *th = tcp_hdr(m, p);
	uint8_t *o = (uint8_t *)(th + 1);
	int left = (int)p->l4_len - (int)sizeof(*th);
	uint16_t old_sum = rte_raw_cksum(o, (size_t)(left > 0 ? left : 0));
	unsigned int changed = 0;
	int optlen = left;

	while (left > 0 && o[0] != TCP_OPT_EOL) {
		if (o[0] == TCP_OPT_NOP) {
			o++;
			left--;
			continue;
		}
		if (left < 2 || o[1] < 2 || o[1] > left)
			break;
		if (o[0] == kind)
			changed += cb(o, o[1], arg);
		left -= o[1];
		o += o[1];
	}
	if (changed) {
		uint8_t *opts = (uint8_t *)(th + 1);

		th->cksum = xmit_csum_diff(th->cksum, old_sum, rte_raw_cksum(opts, (size_t)optlen));
	}
	return changed;
}

static unsigned int sack_cb(uint8_t *opt, uint8_t len, void *arg)
{
	uint32_t d = *(const uint32_t *)arg;
	unsigned int blocks = 0;
	uint8_t off;

	for (off = 2; off + 8 <= len; off += 8, blocks++) {
		uint32_t e[2];

		memcpy(e, opt + off, sizeof(e));
		e[0] = rte_cpu_to_be_32(rte_be_to_cpu_32(e[0]) + d);
		e[1] = rte_cpu_to_be_32(rte_be_to_cpu_32(e[1]) + d);
		memcpy(opt + off, e, sizeof(e));
	}
	return blocks;
}

unsigned int xmit_tcp_sack_adjust(struct rte_mbuf *m, struct ipvs_pkt *p, uint32_t d)
{
	if (p->proto != IPPROTO_TCP || d == 0 || p->l4_len <= sizeof(struct rte_tcp_hdr))
		return 0;
	return tcp_opts_walk(m, p, TCP_OPT_SACK, sack_cb, &d);
}

static unsigned int mss_cb(uint8_t *opt, uint8_t len, void *arg)
{
	uint16_t mss = *(const uint16_t *)arg;
	uint16_t v;

	if (len != 4)
		return 0;
	memcpy(&v, opt + 2, sizeof(v));
	if (rte_be_to_cpu_16(v) <= mss)
		return 0;
	v = rte_cpu_to_be_16(mss);
	memcpy(opt + 2, &v, sizeof(v));
	return 1;
}

bool xmit_tcp_mss_clamp(struct rte_mbuf *m, struct ipvs_pkt *p, uint16_t mss)
{
	if (p->proto != IPPROTO_TCP || p->l4_len <= sizeof(struct rte_tcp_hdr))
		return false;
	return tcp_opts_walk(m, p, TCP_OPT_MSS, mss_cb, &mss) != 0;
}

