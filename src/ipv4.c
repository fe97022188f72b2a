/*
 * ipv4.c - IPv4 receive (validation, hooks, local delivery, forwarding)
 * and output (route, MTU, next hop).  See ipv4.h for the policy.
 *
 * Per-lcore state: counters only (ipv4_stats[lcore], written by their
 * lcore).  Hooks: a small sorted array per hook point, written by the
 * master before the loops run, read-only afterwards.
 */
#include <string.h>
#include <arpa/inet.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "icmp.h"
#include "inet_addr.h"
#include "ipv4.h"
#include "ipv4_reasm.h"
#include "job.h"
#include "neigh.h"
#include "netif.h"
#include "route.h"
#include "timer.h"

DPVS_LOG_REGISTER(ipv4);

#define IPV4_DEFAULT_TTL 64

const char *const ipv4_drop_names[IPV4_DROP_MAX] = {
	"ok", "truncated", "bad_version", "bad_ihl", "bad_total_length", "bad_checksum",
	"ttl_zero", "bad_source", "fragment", "ttl_exceeded", "no_route", "too_big",
	"unknown_protocol", "hook_drop", "neigh_drop", "not_forwarded",
};
_Static_assert(DPVS_ARRAY_SIZE(ipv4_drop_names) == IPV4_DROP_MAX, "drop names");

const char *const ipv4_counter_names[IPV4_C_MAX] = {
	"in_packets", "in_local", "forwarded", "out_packets", "to_kernel", "fragmented",
	"frags_out", "frags_in", "frags_redirected",
};
_Static_assert(DPVS_ARRAY_SIZE(ipv4_counter_names) == IPV4_C_MAX, "counter names");

struct ipv4_stats {
	uint64_t c[IPV4_C_MAX];
	uint64_t drop[IPV4_DROP_MAX];
} __rte_cache_aligned;

struct ipv4_hook {
	int prio;
	ipv4_hook_fn fn;
	void *priv;
};

static struct ipv4_stats ipv4_stats[RTE_MAX_LCORE];
static struct ipv4_hook ipv4_hooks[IPV4_HOOK_MAX][IPV4_HOOKS_PER_POINT];
static unsigned int ipv4_n_hooks[IPV4_HOOK_MAX];
static bool ipv4_forward;	/* written by master, read with plain loads */

static inline struct ipv4_stats *my_stats(void)
{
	unsigned int id = rte_lcore_id();

	return &ipv4_stats[id < RTE_MAX_LCORE ? id : 0];
}

static inline void drop_count(enum ipv4_drop_reason r)
{
	my_stats()->drop[r]++;
}

uint64_t ipv4_drop_sum(enum ipv4_drop_reason r)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE && (unsigned)r < IPV4_DROP_MAX; i++)
		s += ipv4_stats[i].drop[r];
	return s;
}

uint64_t ipv4_counter_sum(enum ipv4_counter c)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE && (unsigned)c < IPV4_C_MAX; i++)
		s += ipv4_stats[i].c[c];
	return s;
}

void ipv4_set_forward(bool on)
{
	ipv4_forward = on;
}

bool ipv4_get_forward(void)
{
	return ipv4_forward;
}

/* ---- hooks ---- */

int ipv4_hook_register(enum ipv4_hook_point hp, int priority, ipv4_hook_fn fn, void *priv)
{
	struct ipv4_hook *h;
	unsigned int i;

	if ((unsigned)hp >= IPV4_HOOK_MAX || fn == NULL)
		return EDPVS_INVAL;
	if (job_running())
		return EDPVS_BUSY;
	if (ipv4_n_hooks[hp] == IPV4_HOOKS_PER_POINT)
		return EDPVS_NOROOM;
	h = ipv4_hooks[hp];
	for (i = ipv4_n_hooks[hp]; i > 0 && h[i - 1].prio > priority; i--)
		h[i] = h[i - 1];
	h[i] = (struct ipv4_hook){ .prio = priority, .fn = fn, .priv = priv };
	ipv4_n_hooks[hp]++;
	return 0;
}

int ipv4_hook_unregister(enum ipv4_hook_point hp, ipv4_hook_fn fn, void *priv)
{
	unsigned int i;

	if ((unsigned)hp >= IPV4_HOOK_MAX)
		return EDPVS_INVAL;
	if (job_running())
		return EDPVS_BUSY;
	for (i = 0; i < ipv4_n_hooks[hp]; i++) {
		if (ipv4_hooks[hp][i].fn == fn && ipv4_hooks[hp][i].priv == priv) {
			memmove(&ipv4_hooks[hp][i], &ipv4_hooks[hp][i + 1],
				sizeof(ipv4_hooks[hp][0]) * (ipv4_n_hooks[hp] - i - 1));
			ipv4_n_hooks[hp]--;
			return 0;
		}
	}
	return EDPVS_NOTEXIST;
}

/* Run the hooks of hp; a DROP verdict is counted (hook_drop) here. */
static inline enum dpvs_verdict hooks_run(enum ipv4_hook_point hp, struct rte_mbuf *m,
					  struct netif_port *port)
{
	unsigned int i;

	for (i = 0; i < ipv4_n_hooks[hp]; i++) {
		const struct ipv4_hook *h = &ipv4_hooks[hp][i];
		enum dpvs_verdict v = h->fn(h->priv, m, port);

		if (v == VERDICT_DROP)
			drop_count(IPV4_DROP_HOOK);
		if (v != VERDICT_ACCEPT)
			return v;
	}
	return VERDICT_ACCEPT;
}

/* ---- validation ---- */

static bool bad_source(uint32_t saddr)
{
	uint32_t h = rte_be_to_cpu_32(saddr);

	return (h >> 28) == 0xe || h == 0xffffffffu || (h >> 24) == 127;
}

enum ipv4_drop_reason ipv4_validate(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t hlen, tot;
	uint64_t csum_flags;

	if (rte_pktmbuf_data_len(m) < sizeof(*ip))
		return IPV4_DROP_TRUNCATED;
	if ((ip->version_ihl >> 4) != 4)
		return IPV4_DROP_VERSION;
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (hlen < sizeof(*ip) || hlen > rte_pktmbuf_data_len(m))
		return IPV4_DROP_IHL;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < hlen || tot > rte_pktmbuf_pkt_len(m))
		return IPV4_DROP_TOTLEN;
	csum_flags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (csum_flags == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return IPV4_DROP_CSUM;
	if (csum_flags != RTE_MBUF_F_RX_IP_CKSUM_GOOD && rte_raw_cksum(ip, hlen) != 0xffff)
		return IPV4_DROP_CSUM;
	if (ip->time_to_live == 0)
		return IPV4_DROP_TTL0;
	if (bad_source(ip->src_addr))
		return IPV4_DROP_BAD_SRC;
	m->l3_len = hlen;
	return IPV4_OK;
}

static inline bool is_fragment(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset &
		rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* ---- output ---- */

static inline void ip_set_csum(struct rte_ipv4_hdr *ip)
{
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static uint16_t path_mtu(const struct route_entry *rt, const struct netif_port *port)
{
	if (rt != NULL && rt->mtu != 0 && rt->mtu < port->mtu)
		return rt->mtu;
	return port->mtu;
}

/* ---- fragmentation (RFC 791) ---- */

#define IPV4_OPT_END	0
#define IPV4_OPT_NOP	1
#define IPV4_OPT_COPIED	0x80

/* The options of a non-first fragment: those without the copied bit become
 * NOPs (the header keeps its length); a malformed rest is NOPed too. */
static void frag_options(uint8_t *opt, uint32_t len)
{
	uint32_t i = 0;

	while (i < len && opt[i] != IPV4_OPT_END) {
		uint32_t olen;

		if (opt[i] == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		olen = i + 1 < len ? opt[i + 1] : 0;
		if (olen < 2 || olen > len - i) {
			memset(opt + i, IPV4_OPT_NOP, len - i);
			return;
		}
		if (!(opt[i] & IPV4_OPT_COPIED))
			memset(opt + i, IPV4_OPT_NOP, olen);
		i += olen;
	}
}

/* One fragment: m's header, then len bytes of its payload from off. */
static struct rte_mbuf *frag_one(const struct rte_mbuf *m, uint32_t hlen, uint32_t off,
				 uint32_t len, bool last, struct rte_mempool *mp)
{
	const struct rte_ipv4_hdr *oip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t ofrag = rte_be_to_cpu_16(oip->fragment_offset);
	struct rte_mbuf *f = rte_pktmbuf_alloc(mp);
	struct rte_ipv4_hdr *ip;
	const void *src;
	uint8_t *data;
	uint16_t frag;

	if (f == NULL)
		return NULL;
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(f, (uint16_t)(hlen + len));
	if (ip == NULL) {
		rte_pktmbuf_free(f);
		return NULL;
	}
	memcpy(ip, oip, hlen);
	data = (uint8_t *)ip + hlen;
	src = rte_pktmbuf_read(m, hlen + off, len, data);
	if (src == NULL) {
		rte_pktmbuf_free(f);
		return NULL;
	}
	if (src != data)
		memcpy(data, src, len);
	if (off > 0)
		frag_options((uint8_t *)(ip + 1), hlen - (uint32_t)sizeof(*ip));
	frag = (uint16_t)((ofrag & RTE_IPV4_HDR_OFFSET_MASK) + off / 8);
	if (!last || (ofrag & RTE_IPV4_HDR_MF_FLAG))
		frag |= RTE_IPV4_HDR_MF_FLAG;
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hlen + len));
	ip_set_csum(ip);
	f->l3_len = hlen;
	f->packet_type = m->packet_type;
	return f;
}

int ipv4_fragment(const struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *mp,
		  struct rte_mbuf **out, unsigned int max)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t tot = rte_be_to_cpu_16(ip->total_length), plen, chunk, off;
	unsigned int n = 0;

	if (mp == NULL)
		return EDPVS_NOMEM;
	if ((ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) ||
	    hlen < sizeof(*ip) || tot < hlen || tot > rte_pktmbuf_pkt_len(m) ||
	    mtu < hlen + 8)
		return EDPVS_INVAL;
	plen = tot - hlen;
	chunk = (mtu - hlen) & ~7u;
	if ((plen + chunk - 1) / chunk > max)
		return EDPVS_NOROOM;
	for (off = 0; off < plen; off += chunk) {
		uint32_t len = RTE_MIN(chunk, plen - off);

		out[n] = frag_one(m, hlen, off, len, off + len == plen, mp);
		if (out[n] == NULL) {
			while (n > 0)
				rte_pktmbuf_free(out[--n]);
			return EDPVS_NOMEM;
		}
		n++;
	}
	return (int)n;
}

/* POST_ROUTING, then the neighbour.  Consumes m. */
static int ipv4_post(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop,
		     bool is_output)
{
	enum dpvs_verdict v = hooks_run(IPV4_HOOK_POST_ROUTING, m, NULL);

	if (v != VERDICT_ACCEPT) {
		if (v == VERDICT_DROP)
			rte_pktmbuf_free(m);
		return v == VERDICT_DROP ? EDPVS_PERM : 0;
	}
	if (is_output)
		my_stats()->c[IPV4_C_OUT]++;
	return neigh_output(m, port, nexthop);
}

/* A packet longer than mtu: DF -> fragmentation needed and drop; else sent
 * as fragments.  Consumes m. */
static int ipv4_too_big(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop,
			uint16_t mtu, bool is_output)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct rte_mbuf *frags[IPV4_FRAG_MAX];
	int n, i, rc = 0;

	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) {
		icmp_send_error(m, 3, 4, mtu);	/* fragmentation needed */
		n = EDPVS_RANGE;
	} else {
		n = ipv4_fragment(m, mtu, netif_pktmbuf_pool(), frags, IPV4_FRAG_MAX);
	}
	rte_pktmbuf_free(m);
	if (n < 0) {
		drop_count(IPV4_DROP_TOO_BIG);
		return EDPVS_RANGE;
	}
	my_stats()->c[IPV4_C_FRAGMENTED]++;
	my_stats()->c[IPV4_C_FRAG_OUT] += (uint64_t)n;
	for (i = 0; i < n; i++) {
		int r = ipv4_post(frags[i], port, nexthop, is_output);

		if (r != 0 && rc == 0)
			rc = r;
	}
	return rc;
}

/* Send a routed packet: MTU, POST_ROUTING, neighbour.  Consumes m. */
static int ipv4_finish(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop,
		       uint16_t mtu, bool is_output)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

	if (unlikely(rte_be_to_cpu_16(ip->total_length) > mtu))
		return ipv4_too_big(m, port, nexthop, mtu, is_output);
	return ipv4_post(m, port, nexthop, is_output);
}

/* csum_ok: the caller kept the header checksum right (ipv4_output_csum_ok);
 * it is recomputed anyway when the source address is filled in here. */
static void output_prepare(struct rte_mbuf *m, const struct route_entry *rt, bool csum_ok)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

	if (ip->src_addr == 0) {
		ip->src_addr = rt && rt->src ? rt->src
			: inet_addr_select_src(rt ? rt->port : NULL, ip->dst_addr);
		csum_ok = false;
	}
	if (!csum_ok)
		ip_set_csum(ip);
	m->l3_len = (uint64_t)(ip->version_ihl & 0xf) * 4;
}

static inline int output_by_route(struct rte_mbuf *m, bool csum_ok)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	const struct route_entry *rt;
	enum dpvs_verdict v;

	m->l3_len = (uint64_t)(ip->version_ihl & 0xf) * 4;
	v = hooks_run(IPV4_HOOK_LOCAL_OUT, m, NULL);
	if (v != VERDICT_ACCEPT) {
		if (v == VERDICT_DROP)
			rte_pktmbuf_free(m);
		return v == VERDICT_DROP ? EDPVS_PERM : 0;
	}
	rt = route_lookup(ip->dst_addr);
	if (unlikely(rt == NULL)) {
		drop_count(IPV4_DROP_NO_ROUTE);
		rte_pktmbuf_free(m);
		return EDPVS_NOTEXIST;
	}
	output_prepare(m, rt, csum_ok);
	return ipv4_finish(m, rt->port, rt->gw ? rt->gw : ip->dst_addr, path_mtu(rt, rt->port),
			   true);
}

int ipv4_output(struct rte_mbuf *m)
{
	return output_by_route(m, false);
}

int ipv4_output_csum_ok(struct rte_mbuf *m)
{
	return output_by_route(m, true);
}

int ipv4_xmit_nexthop(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop)
{
	if (unlikely(port == NULL)) {
		rte_pktmbuf_free(m);
		return EDPVS_INVAL;
	}
	output_prepare(m, NULL, false);
	return ipv4_finish(m, port, nexthop, port->mtu, true);
}

/* ---- receive ---- */

static enum dpvs_verdict ipv4_local(struct rte_mbuf *m, struct netif_port *port)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	enum dpvs_verdict v;

	my_stats()->c[IPV4_C_IN_LOCAL]++;
	v = hooks_run(IPV4_HOOK_LOCAL_IN, m, port);
	if (v != VERDICT_ACCEPT)
		return v;
	switch (ip->next_proto_id) {
	case IPPROTO_ICMP:
		v = icmp_rcv(m, port);
		break;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		v = VERDICT_ACCEPT;	/* the kernel behind the exception path */
		break;
	default:
		drop_count(IPV4_DROP_UNKNOWN_PROTO);
		icmp_send_error(m, 3, 2, 0);	/* protocol unreachable */
		return VERDICT_DROP;
	}
	if (v == VERDICT_ACCEPT)
		my_stats()->c[IPV4_C_TO_KERNEL]++;
	return v;
}

static enum dpvs_verdict ipv4_forward_pkt(struct rte_mbuf *m, struct netif_port *port)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	const struct route_entry *rt;
	enum dpvs_verdict v;
	uint32_t sum;

	if (ip->time_to_live <= 1) {
		drop_count(IPV4_DROP_TTL_EXCEEDED);
		icmp_send_error(m, 11, 0, 0);
		return VERDICT_DROP;
	}
	rt = route_lookup(ip->dst_addr);
	if (rt == NULL) {
		drop_count(IPV4_DROP_NO_ROUTE);
		icmp_send_error(m, 3, 0, 0);	/* network unreachable */
		return VERDICT_DROP;
	}
	v = hooks_run(IPV4_HOOK_FORWARD, m, port);
	if (v != VERDICT_ACCEPT)
		return v;
	/* TTL - 1 with an incremental checksum update (RFC 1624). */
	ip->time_to_live--;
	sum = (uint32_t)rte_be_to_cpu_16(ip->hdr_checksum) + 0x0100;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)(sum + (sum >> 16)));
	my_stats()->c[IPV4_C_FORWARDED]++;
	ipv4_finish(m, rt->port, rt->gw ? rt->gw : ip->dst_addr, path_mtu(rt, rt->port), false);
	return VERDICT_STOLEN;
}

static bool is_bcast_or_mcast(uint32_t daddr)
{
	uint32_t h = rte_be_to_cpu_32(daddr);

	return (h >> 28) == 0xe || h == 0xffffffffu;
}

/*
 * A fragment: TCP ones, and all when reassembly is off, are dropped
 * (counted "fragment"); others go to the lcore that owns their datagram
 * (redirect ring) or into this lcore's table.  Returns the reassembled
 * datagram, or NULL with *v the verdict for m (STOLEN: held, redirected or
 * dropped and counted by the table).
 */
static struct rte_mbuf *ipv4_defrag(struct rte_mbuf *m, enum dpvs_verdict *v)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	unsigned int owner = ipv4_reasm_owner(ip->src_addr, ip->dst_addr, ip->packet_id,
					      ip->next_proto_id);
	struct ipv4_reasm_tbl *t;
	struct rte_mbuf *out;

	*v = VERDICT_STOLEN;
	if (owner != rte_lcore_id() && owner != RTE_MAX_LCORE &&
	    ip->next_proto_id != IPPROTO_TCP) {
		my_stats()->c[IPV4_C_FRAG_REDIRECTED]++;
		netif_redirect(m, owner);
		return NULL;
	}
	t = ipv4_reasm_lcore_tbl(rte_lcore_id());
	if (t == NULL || ip->next_proto_id == IPPROTO_TCP) {
		drop_count(IPV4_DROP_FRAG);
		*v = VERDICT_DROP;
		return NULL;
	}
	my_stats()->c[IPV4_C_FRAG_IN]++;
	ipv4_reasm_add(t, m, timer_now_us(), &out);
	return out;
}

enum dpvs_verdict ipv4_rcv(struct rte_mbuf *m, struct netif_port *port)
{
	struct rte_ipv4_hdr *ip;
	enum ipv4_drop_reason r;
	enum dpvs_verdict v;
	uint32_t tot;

	my_stats()->c[IPV4_C_IN]++;
	r = ipv4_validate(m);
	if (unlikely(r != IPV4_OK)) {
		drop_count(r);
		return VERDICT_DROP;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (rte_pktmbuf_pkt_len(m) > tot)	/* Ethernet padding */
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - tot);
	if (unlikely(is_fragment(ip))) {
		m = ipv4_defrag(m, &v);
		if (m == NULL)
			return v;
		ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	}
	v = hooks_run(IPV4_HOOK_PRE_ROUTING, m, port);
	if (v != VERDICT_ACCEPT)
		return v;
	if (inet_addr_is_local(ip->dst_addr))
		return ipv4_local(m, port);
	if (!ipv4_forward || is_bcast_or_mcast(ip->dst_addr)) {
		my_stats()->c[IPV4_C_TO_KERNEL]++;
		return VERDICT_ACCEPT;
	}
	return ipv4_forward_pkt(m, port);
}

static unsigned int ipv4_reasm_job_fn(void *arg)
{
	(void)arg;
	return ipv4_reasm_expire_lcore();
}

/* Expiry of incomplete datagrams when no fragment comes to do it. */
static struct job ipv4_reasm_job = {
	.name = "ipv4_reasm",
	.type = JOB_SLOW,
	.skip_loops = 1024,
	.fn = ipv4_reasm_job_fn,
};

int ipv4_init(void)
{
	int rc = netif_register_ethertype(RTE_ETHER_TYPE_IPV4, ipv4_rcv);

	if (rc != 0) {
		DPVS_LOG(ipv4, ERR, "cannot register the IPv4 handler: %s", dpvs_strerror(rc));
		return rc;
	}
	rc = job_register(&ipv4_reasm_job, JOB_ROLE_FWD_WORKER);
	if (rc != 0) {
		DPVS_LOG(ipv4, ERR, "cannot register the reassembly job: %s", dpvs_strerror(rc));
		netif_unregister_ethertype(RTE_ETHER_TYPE_IPV4);
	}
	return rc;
}

void ipv4_term(void)
{
	job_unregister(&ipv4_reasm_job);
	ipv4_reasm_teardown();
	netif_unregister_ethertype(RTE_ETHER_TYPE_IPV4);
}
