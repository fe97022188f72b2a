/*
 * ipv4_reasm.c - bounded per-lcore IPv4 reassembly (see ipv4_reasm.h for
 * the policy and why).
 *
 * A table: a pool of max_dgrams datagram slots (free list), a hash of the
 * slots in use by (src, dst, id, proto), and an age list of them, oldest
 * first (a datagram's timeout counts from its first fragment and the
 * timeout is the same for all, so the oldest expires first).  A slot keeps
 * its fragments sorted by offset: the payload range [off, off + len) and
 * the mbuf.  When the ranges cover [0, end) with the last fragment's end
 * known, the mbufs are chained behind the first fragment's.
 */
#include <stdlib.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include "dpvs_log.h"
#include "ipv4_reasm.h"
#include "job.h"
#include "timer.h"

DPVS_LOG_REGISTER(ipv4_reasm);

#define REASM_TBL_SEED   0x5eed1234u
#define REASM_OWNER_SEED 0x0f1a9e11u
#define REASM_MAX_TOTAL  65535u

const char *const ipv4_reasm_counter_names[IPV4_REASM_C_MAX] = {
	"reasm_ok", "reasm_timeout", "reasm_overlap", "reasm_tiny", "reasm_table_full",
	"reasm_bad",
};
_Static_assert(DPVS_ARRAY_SIZE(ipv4_reasm_counter_names) == IPV4_REASM_C_MAX,
	       "reasm counter names");

struct reasm_frag {
	struct rte_mbuf *m;
	uint16_t off;		/* payload offset in the datagram */
	uint16_t len;		/* payload bytes */
};

struct reasm_dgram {
	struct reasm_dgram *hnext;		/* hash chain / free list */
	struct reasm_dgram *older, *newer;	/* age list */
	uint64_t born_us;
	uint32_t src, dst;
	uint32_t bucket;
	uint32_t end;		/* payload length once the last fragment came, else 0 */
	uint32_t got;		/* payload bytes held */
	uint32_t segs;		/* mbuf segments held */
	uint16_t id;
	uint8_t proto;
	uint8_t n;		/* fragments held */
	struct reasm_frag f[IPV4_REASM_MAX_FRAGS];
};

struct ipv4_reasm_tbl {
	uint32_t max_dgrams, max_mbufs;
	uint64_t timeout_us;
	uint32_t n_dgrams, n_mbufs;
	uint32_t mask;				/* buckets - 1 */
	struct reasm_dgram *free;
	struct reasm_dgram *oldest, *newest;
	struct reasm_dgram **bucket;
	struct reasm_dgram *slots;
	uint64_t c[IPV4_REASM_C_MAX];
};

/* ---- one table ---- */

struct ipv4_reasm_tbl *ipv4_reasm_tbl_create(uint32_t max_dgrams, uint32_t max_mbufs,
					     uint32_t timeout_ms)
{
	struct ipv4_reasm_tbl *t;
	uint32_t nb, i;

	if (max_dgrams == 0 || max_dgrams > 65536 || max_mbufs == 0 || timeout_ms == 0)
		return NULL;
	nb = rte_align32pow2(max_dgrams * 2);
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->bucket = calloc(nb, sizeof(struct reasm_dgram *));
	t->slots = calloc(max_dgrams, sizeof(t->slots[0]));
	if (t->bucket == NULL || t->slots == NULL) {
		free(t->bucket);
		free(t->slots);
		free(t);
		return NULL;
	}
	t->mask = nb - 1;
	t->max_dgrams = max_dgrams;
	ipv4_reasm_tbl_limits(t, max_mbufs, timeout_ms);
	for (i = max_dgrams; i > 0; i--) {
		t->slots[i - 1].hnext = t->free;
		t->free = &t->slots[i - 1];
	}
	return t;
}

void ipv4_reasm_tbl_limits(struct ipv4_reasm_tbl *t, uint32_t max_mbufs, uint32_t timeout_ms)
{
	if (t == NULL)
		return;
	t->max_mbufs = max_mbufs;
	t->timeout_us = (uint64_t)timeout_ms * 1000u;
}

static inline uint32_t dgram_hash(uint32_t src, uint32_t dst, uint16_t id, uint8_t proto,
				  uint32_t seed)
{
	return rte_jhash_3words(src, dst, (uint32_t)id | ((uint32_t)proto << 16), seed);
}

static struct reasm_dgram *dgram_find(const struct ipv4_reasm_tbl *t,
				      const struct rte_ipv4_hdr *ip, uint32_t *bucket)
{
	struct reasm_dgram *d;

	*bucket = dgram_hash(ip->src_addr, ip->dst_addr, ip->packet_id, ip->next_proto_id,
			     REASM_TBL_SEED) & t->mask;
	for (d = t->bucket[*bucket]; d != NULL; d = d->hnext)
		if (d->src == ip->src_addr && d->dst == ip->dst_addr &&
		    d->id == ip->packet_id && d->proto == ip->next_proto_id)
			return d;
	return NULL;
}

static struct reasm_dgram *dgram_new(struct ipv4_reasm_tbl *t, const struct rte_ipv4_hdr *ip,
				     uint32_t bucket, uint64_t now_us)
{
	struct reasm_dgram *d = t->free;

	t->free = d->hnext;
	d->src = ip->src_addr;
	d->dst = ip->dst_addr;
	d->id = ip->packet_id;
	d->proto = ip->next_proto_id;
	d->born_us = now_us;
	d->bucket = bucket;
	d->end = d->got = d->segs = 0;
	d->n = 0;
	d->hnext = t->bucket[bucket];
	t->bucket[bucket] = d;
	d->newer = NULL;
	d->older = t->newest;
	if (t->newest)
		t->newest->newer = d;
	else
		t->oldest = d;
	t->newest = d;
	t->n_dgrams++;
	return d;
}

/* Take d out of the hash and the age list, back to the free list; its
 * mbufs are the caller's. */
static void dgram_release(struct ipv4_reasm_tbl *t, struct reasm_dgram *d)
{
	struct reasm_dgram **pp = &t->bucket[d->bucket];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	if (d->older)
		d->older->newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		t->newest = d->older;
	t->n_mbufs -= d->segs;
	t->n_dgrams--;
	d->hnext = t->free;
	t->free = d;
}

/* Free d and its fragments; count c (IPV4_REASM_C_MAX: not counted). */
static void dgram_drop(struct ipv4_reasm_tbl *t, struct reasm_dgram *d,
		       enum ipv4_reasm_counter c)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		rte_pktmbuf_free(d->f[i].m);
	dgram_release(t, d);
	if (c < IPV4_REASM_C_MAX)
		t->c[c]++;
}

static enum ipv4_reasm_result frag_reject(struct ipv4_reasm_tbl *t, struct rte_mbuf *m,
					  enum ipv4_reasm_counter c)
{
	rte_pktmbuf_free(m);
	t->c[c]++;
	return IPV4_REASM_DROPPED;
}

/* Chain the fragments of the complete d behind the first; NULL (and every
 * mbuf freed) if the datagram is too long or has too many segments. */
static struct rte_mbuf *dgram_chain(struct reasm_dgram *d)
{
	struct rte_mbuf *head = d->f[0].m;
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(head, struct rte_ipv4_hdr *);
	uint32_t tot = (uint32_t)head->l3_len + d->end;
	unsigned int i = 1;

	if (tot > REASM_MAX_TOTAL) {
		i = 0;
		goto free_rest;
	}
	for (; i < d->n; i++) {
		struct rte_mbuf *s = d->f[i].m;

		if (rte_pktmbuf_adj(s, (uint16_t)s->l3_len) == NULL ||
		    rte_pktmbuf_chain(head, s) != 0)
			break;
	}
	if (i == d->n) {
		ip->total_length = rte_cpu_to_be_16((uint16_t)tot);
		ip->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		return head;
	}
	rte_pktmbuf_free(head);	/* with what was chained so far */
free_rest:
	for (; i < d->n; i++)
		rte_pktmbuf_free(d->f[i].m);
	return NULL;
}

/* Put the fragment [off, off + len) into d; drops d on an overlap. */
static enum ipv4_reasm_result dgram_put(struct ipv4_reasm_tbl *t, struct reasm_dgram *d,
					struct rte_mbuf *m, uint32_t off, uint32_t len,
					bool more, struct rte_mbuf **out)
{
	unsigned int i = 0;

	while (i < d->n && d->f[i].off <= off)
		i++;
	if ((i > 0 && (uint32_t)d->f[i - 1].off + d->f[i - 1].len > off) ||
	    (i < d->n && off + len > d->f[i].off) ||
	    (!more && (d->end != 0 || i < d->n)) ||	/* a second end, or data after it */
	    (more && d->end != 0 && off + len > d->end)) {
		rte_pktmbuf_free(m);
		dgram_drop(t, d, IPV4_REASM_C_OVERLAP);
		return IPV4_REASM_DROPPED;
	}
	if (d->n == IPV4_REASM_MAX_FRAGS) {
		rte_pktmbuf_free(m);
		dgram_drop(t, d, IPV4_REASM_C_BAD);
		return IPV4_REASM_DROPPED;
	}
	memmove(&d->f[i + 1], &d->f[i], sizeof(d->f[0]) * (d->n - i));
	d->f[i] = (struct reasm_frag){ .m = m, .off = (uint16_t)off, .len = (uint16_t)len };
	d->n++;
	d->got += len;
	d->segs += m->nb_segs;
	t->n_mbufs += m->nb_segs;
	if (!more)
		d->end = off + len;
	if (d->end == 0 || d->got != d->end)
		return IPV4_REASM_HELD;
	/* No overlaps and got == end: the ranges tile [0, end). */
	*out = dgram_chain(d);
	d->n = 0;		/* the mbufs are *out's now (or freed) */
	dgram_release(t, d);
	t->c[*out ? IPV4_REASM_C_OK : IPV4_REASM_C_BAD]++;
	return *out ? IPV4_REASM_DONE : IPV4_REASM_DROPPED;
}

enum ipv4_reasm_result ipv4_reasm_add(struct ipv4_reasm_tbl *t, struct rte_mbuf *m,
				      uint64_t now_us, struct rte_mbuf **out)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t hlen = m->l3_len, tot = rte_be_to_cpu_16(ip->total_length);
	uint32_t off = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * 8, len, bucket;
	bool more = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	struct reasm_dgram *d;

	*out = NULL;
	ipv4_reasm_expire(t, now_us);
	len = tot > hlen ? tot - hlen : 0;
	if (len == 0 || hlen + off + len > REASM_MAX_TOTAL || (more && (len & 7)))
		return frag_reject(t, m, IPV4_REASM_C_BAD);
	if ((more && len < IPV4_REASM_MIN_FRAG) || off == 8)
		return frag_reject(t, m, IPV4_REASM_C_TINY);
	d = dgram_find(t, ip, &bucket);
	if (t->n_mbufs + m->nb_segs > t->max_mbufs || (d == NULL && t->free == NULL))
		return frag_reject(t, m, IPV4_REASM_C_FULL);
	if (d == NULL)
		d = dgram_new(t, ip, bucket, now_us);
	return dgram_put(t, d, m, off, len, more, out);
}

unsigned int ipv4_reasm_expire(struct ipv4_reasm_tbl *t, uint64_t now_us)
{
	unsigned int n = 0;

	while (t->oldest != NULL && t->oldest->born_us + t->timeout_us <= now_us) {
		dgram_drop(t, t->oldest, IPV4_REASM_C_TIMEOUT);
		n++;
	}
	return n;
}

unsigned int ipv4_reasm_flush(struct ipv4_reasm_tbl *t)
{
	unsigned int n = 0;

	while (t != NULL && t->oldest != NULL) {
		dgram_drop(t, t->oldest, IPV4_REASM_C_MAX);
		n++;
	}
	return n;
}

void ipv4_reasm_tbl_free(struct ipv4_reasm_tbl *t)
{
	if (t == NULL)
		return;
	ipv4_reasm_flush(t);
	free(t->bucket);
	free(t->slots);
	free(t);
}

uint32_t ipv4_reasm_dgrams(const struct ipv4_reasm_tbl *t)
{
	return t ? t->n_dgrams : 0;
}

uint32_t ipv4_reasm_mbufs(const struct ipv4_reasm_tbl *t)
{
	return t ? t->n_mbufs : 0;
}

uint64_t ipv4_reasm_counter(const struct ipv4_reasm_tbl *t, enum ipv4_reasm_counter c)
{
	return t && (unsigned)c < IPV4_REASM_C_MAX ? t->c[c] : 0;
}

/* ---- the workers' tables ---- */

static struct ipv4_reasm_tbl *reasm_tbls[RTE_MAX_LCORE];
static unsigned int reasm_worker[RTE_MAX_LCORE];	/* index -> lcore */
static unsigned int reasm_n_workers;	/* 0: reassembly off */
static uint32_t reasm_max_dgrams;
static bool reasm_done_setup;

int ipv4_reasm_setup(uint32_t max_dgrams, uint32_t max_mbufs, uint32_t timeout_ms)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);

	if (reasm_done_setup && max_dgrams == reasm_max_dgrams) {
		for (i = 0; i < reasm_n_workers; i++)
			ipv4_reasm_tbl_limits(reasm_tbls[reasm_worker[i]], max_mbufs, timeout_ms);
		return 0;
	}
	if (reasm_done_setup && job_running())
		return EDPVS_BUSY;
	ipv4_reasm_teardown();
	for (i = 0; i < n && max_dgrams > 0; i++) {
		unsigned int l = job_role_lcore(JOB_ROLE_FWD_WORKER, i);

		reasm_tbls[l] = ipv4_reasm_tbl_create(max_dgrams, max_mbufs, timeout_ms);
		if (reasm_tbls[l] == NULL) {
			DPVS_LOG(ipv4_reasm, ERR, "no memory for the reassembly table of lcore %u",
				 l);
			ipv4_reasm_teardown();
			return EDPVS_NOMEM;
		}
		reasm_worker[i] = l;
	}
	reasm_n_workers = max_dgrams > 0 ? n : 0;
	reasm_max_dgrams = max_dgrams;
	reasm_done_setup = true;
	return 0;
}

void ipv4_reasm_teardown(void)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		ipv4_reasm_tbl_free(reasm_tbls[l]);
		reasm_tbls[l] = NULL;
	}
	reasm_n_workers = 0;
	reasm_max_dgrams = 0;
	reasm_done_setup = false;
}

unsigned int ipv4_reasm_owner(uint32_t src, uint32_t dst, uint16_t id, uint8_t proto)
{
	if (reasm_n_workers == 0)
		return RTE_MAX_LCORE;
	return reasm_worker[dgram_hash(src, dst, id, proto, REASM_OWNER_SEED) % reasm_n_workers];
}

struct ipv4_reasm_tbl *ipv4_reasm_lcore_tbl(unsigned int lcore_id)
{
	return lcore_id < RTE_MAX_LCORE ? reasm_tbls[lcore_id] : NULL;
}

uint64_t ipv4_reasm_counter_sum(enum ipv4_reasm_counter c)
{
	uint64_t s = 0;
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		s += ipv4_reasm_counter(reasm_tbls[l], c);
	return s;
}

uint64_t ipv4_reasm_mbufs_sum(void)
{
	uint64_t s = 0;
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		s += ipv4_reasm_mbufs(reasm_tbls[l]);
	return s;
}

unsigned int ipv4_reasm_expire_lcore(void)
{
	struct ipv4_reasm_tbl *t = ipv4_reasm_lcore_tbl(rte_lcore_id());

	return t ? ipv4_reasm_expire(t, timer_now_us()) : 0;
}

unsigned int ipv4_reasm_flush_lcore(void)
{
	return ipv4_reasm_flush(ipv4_reasm_lcore_tbl(rte_lcore_id()));
}
