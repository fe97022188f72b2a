/*
 * icmp.c - ICMP echo replies for dpvsd's addresses and rate-limited ICMP
 * error messages (see icmp.h).
 *
 * Per-lcore state (written by its lcore only): counters and the token
 * bucket of the error rate limit.  The limit parameters are written by the
 * master and read with plain loads.
 */
#include <string.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "icmp.h"
#include "inet_addr.h"
#include "ipv4.h"
#include "netif.h"
#include "route.h"

DPVS_LOG_REGISTER(icmp);

#define ICMP_ERR_MAX_LEN 576u	/* RFC 1812: an error fits in 576 bytes */
#define ICMP_HDR_LEN     8u

const char *const icmp_counter_names[ICMP_C_MAX] = {
	"in_packets", "in_echo_requests", "out_echo_replies", "in_other", "drop_truncated",
	"drop_bad_checksum", "out_errors", "errors_ratelimited", "errors_suppressed",
	"nomem",
};
_Static_assert(DPVS_ARRAY_SIZE(icmp_counter_names) == ICMP_C_MAX, "counter names");

struct icmp_lcore {
	uint64_t c[ICMP_C_MAX];
	uint64_t tokens;	/* in 1/1000 token */
	uint64_t last_cycles;
} __rte_cache_aligned;

static struct icmp_lcore icmp_lc[RTE_MAX_LCORE];
static uint32_t icmp_rate = 100, icmp_burst = 50;	/* master writes */

static inline struct icmp_lcore *my_lc(void)
{
	unsigned int id = rte_lcore_id();

	return &icmp_lc[id < RTE_MAX_LCORE ? id : 0];
}

uint64_t icmp_counter_sum(enum icmp_counter c)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE && (unsigned)c < ICMP_C_MAX; i++)
		s += icmp_lc[i].c[c];
	return s;
}

void icmp_set_ratelimit(uint32_t per_sec, uint32_t burst)
{
	icmp_rate = per_sec;
	icmp_burst = burst ? burst : 1;
}

/* Token bucket: true if an error may be sent now. */
static bool ratelimit_ok(struct icmp_lcore *lc)
{
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();
	uint64_t cap = (uint64_t)icmp_burst * 1000;

	if (icmp_rate == 0)
		return true;
	if (lc->last_cycles == 0) {
		lc->tokens = cap;
	} else {
		uint64_t dt_ms = (now - lc->last_cycles) * 1000 / hz;

		lc->tokens += dt_ms * icmp_rate;	/* rate tokens/s = rate/1000 per ms */
		if (lc->tokens > cap)
			lc->tokens = cap;
	}
	lc->last_cycles = now;
	if (lc->tokens < 1000)
		return false;
	lc->tokens -= 1000;
	return true;
}

static uint16_t icmp_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t sum = 0;

	if (rte_raw_cksum_mbuf(m, off, len, &sum) != 0)
		return 0;
	return sum;
}

/* Rewrite the echo request in m into its reply and send it. */
static void icmp_echo_reply(struct rte_mbuf *m, struct icmp_lcore *lc)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_ipv4_hdr old = *ip;
	struct rte_icmp_hdr *icmp;
	uint32_t icmp_len = rte_be_to_cpu_16(ip->total_length) - m->l3_len;

	rte_pktmbuf_adj(m, m->l3_len);	/* drop any IP options */
	icmp = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~icmp_cksum_mbuf(m, 0, icmp_len);
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip));
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		lc->c[ICMP_C_ERR_NOMEM]++;
		return;
	}
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = old.type_of_service;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + icmp_len));
	ip->packet_id = old.packet_id;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = old.dst_addr;
	ip->dst_addr = old.src_addr;
	m->l3_len = sizeof(*ip);
	lc->c[ICMP_C_OUT_ECHO_REPLY]++;
	ipv4_output(m);
}

enum dpvs_verdict icmp_rcv(struct rte_mbuf *m, struct netif_port *port)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct icmp_lcore *lc = my_lc();
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - m->l3_len;
	const struct rte_icmp_hdr *icmp;

	(void)port;
	lc->c[ICMP_C_IN]++;
	if (len < ICMP_HDR_LEN || rte_pktmbuf_data_len(m) < m->l3_len + ICMP_HDR_LEN) {
		lc->c[ICMP_C_DROP_TRUNCATED]++;
		return VERDICT_DROP;
	}
	if (icmp_cksum_mbuf(m, m->l3_len, len) != 0xffff) {
		lc->c[ICMP_C_DROP_CSUM]++;
		return VERDICT_DROP;
	}
	icmp = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, m->l3_len);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		lc->c[ICMP_C_IN_OTHER]++;
		return VERDICT_ACCEPT;
	}
	lc->c[ICMP_C_IN_ECHO]++;
	icmp_echo_reply(m, lc);
	return VERDICT_STOLEN;
}

static bool addr_special(uint32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return h == 0 || h == 0xffffffffu || (h >> 28) == 0xe || (h >> 24) == 127;
}

/* May an error be sent about orig at all (RFC 1122 3.2.2)? */
static bool error_allowed(const struct rte_mbuf *orig, const struct rte_ipv4_hdr *ip)
{
	if (addr_special(ip->src_addr) || addr_special(ip->dst_addr))
		return false;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		uint32_t hl = (ip->version_ihl & 0xf) * 4;
		const uint8_t *type;
		uint8_t buf;

		type = rte_pktmbuf_read(orig, hl, 1, &buf);
		if (type == NULL || (*type != RTE_IP_ICMP_ECHO_REQUEST &&
				     *type != RTE_IP_ICMP_ECHO_REPLY))
			return false;
	}
	return true;
}

static struct rte_mbuf *error_build(const struct rte_mbuf *orig, const struct rte_ipv4_hdr *oip,
				    uint8_t type, uint8_t code, uint32_t info)
{
	struct rte_mempool *mp = netif_pktmbuf_pool();
	uint32_t olen = rte_be_to_cpu_16(oip->total_length), plen;
	struct rte_mbuf *m = mp ? rte_pktmbuf_alloc(mp) : NULL;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	const void *src;
	uint8_t *data;

	if (m == NULL)
		return NULL;
	plen = RTE_MIN(olen, ICMP_ERR_MAX_LEN - (uint32_t)sizeof(*ip) - ICMP_HDR_LEN);
	plen = RTE_MIN(plen, rte_pktmbuf_pkt_len(orig));
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, sizeof(*ip) + ICMP_HDR_LEN + plen);
	if (ip == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	data = (uint8_t *)icmp + ICMP_HDR_LEN;
	src = rte_pktmbuf_read(orig, 0, plen, data);
	if (src == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (src != data)
		memcpy(data, src, plen);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	*(uint32_t *)((uint8_t *)icmp + 4) = rte_cpu_to_be_32(info);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, ICMP_HDR_LEN + plen);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0;	/* internetwork control */
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + ICMP_HDR_LEN + plen));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->dst_addr = oip->src_addr;
	m->l3_len = sizeof(*ip);
	return m;
}

void icmp_send_error(struct rte_mbuf *orig, uint8_t type, uint8_t code, uint32_t info)
{
	const struct rte_ipv4_hdr *oip = rte_pktmbuf_mtod(orig, const struct rte_ipv4_hdr *);
	struct icmp_lcore *lc = my_lc();
	const struct route_entry *rt;
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;

	if (!error_allowed(orig, oip)) {
		lc->c[ICMP_C_ERR_SUPPRESSED]++;
		return;
	}
	if (!ratelimit_ok(lc)) {
		lc->c[ICMP_C_ERR_RATELIMITED]++;
		return;
	}
	m = error_build(orig, oip, type, code, info);
	if (m == NULL) {
		lc->c[ICMP_C_ERR_NOMEM]++;
		return;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	rt = route_lookup(ip->dst_addr);
	ip->src_addr = inet_addr_is_local(oip->dst_addr) ? oip->dst_addr
		: inet_addr_select_src(rt ? rt->port : NULL, ip->dst_addr);
	lc->c[ICMP_C_OUT_ERRORS]++;
	ipv4_output(m);
}

int icmp_init(void)
{
	memset(icmp_lc, 0, sizeof(icmp_lc));
	return 0;
}

void icmp_term(void)
{
}
