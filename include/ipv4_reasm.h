/*
 * ipv4_reasm.h - bounded per-lcore reassembly of IPv4 fragments.
 *
 * Why reassembly (and not forwarding fragments by (src, dst, id)): IPVS
 * needs the ports, which only the first fragment carries, and NAT/FNAT
 * rewrite ports and addresses under a UDP checksum that covers the whole
 * datagram.  Reassembled, a datagram takes the ordinary path (conn lookup,
 * rewrite with incremental checksums, ipv4_fragment() to the path MTU on
 * output).  Not DPDK's rte_ip_frag: the distribution's DPDK 22.11 is built
 * with RTE_LIBRTE_IP_FRAG_MAX_FRAG 8 (about 11 kB at MTU 1500, so no 60 kB
 * datagram) and it does not refuse every overlap.
 *
 * Each FWD_WORKER owns one table; every fragment of a datagram is sent to
 * the worker chosen by a hash of (src, dst, id, proto) (redirect ring), so
 * one table sees all of them.  Bounds, each counted when hit:
 *   - at most max_dgrams datagrams in reassembly (fixed at start-up) and
 *     max_mbufs mbufs held per lcore: a fragment beyond either is dropped
 *     (table_full), what is held is kept;
 *   - at most IPV4_REASM_MAX_FRAGS fragments and 65535 bytes a datagram
 *     (bad);
 *   - a datagram not complete timeout_ms after its first fragment arrived
 *     is freed (timeout), checked on every fragment and by a slow job;
 *   - any overlap between two fragments, an exact duplicate included, or
 *     two different ends, drops the whole datagram (overlap: RFC 5722's
 *     rule, so no fragment can rewrite bytes another one brought);
 *   - a non-last fragment with fewer than IPV4_REASM_MIN_FRAG payload
 *     bytes, or any fragment at offset 8 (RFC 1858), is dropped (tiny).
 * The table's memory is allocated when it is created (master, start-up);
 * adding a fragment allocates nothing.
 *
 * Reassembled datagrams take the whole receive path: IPVS (then maybe the
 * redirect ring again), local delivery (a big ping is answered, its reply
 * fragmented on output), forwarding, or the kernel path.
 */
#ifndef DPVS_IPV4_REASM_H
#define DPVS_IPV4_REASM_H

#include <stdint.h>
#include <rte_mbuf.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPV4_REASM_MAX_FRAGS 64		/* fragments of one datagram */
#define IPV4_REASM_MIN_FRAG  256	/* payload bytes of a non-last fragment */

/* Per-table counters (datagrams, except tiny/table_full/bad: fragments). */
enum ipv4_reasm_counter {
	IPV4_REASM_C_OK = 0,	/* datagrams reassembled */
	IPV4_REASM_C_TIMEOUT,	/* datagrams freed incomplete at their timeout */
	IPV4_REASM_C_OVERLAP,	/* datagrams dropped for an overlap */
	IPV4_REASM_C_TINY,	/* tiny fragments dropped */
	IPV4_REASM_C_FULL,	/* fragments dropped: table or mbuf bound reached */
	IPV4_REASM_C_BAD,	/* fragments dropped: malformed, too many, too long */
	IPV4_REASM_C_MAX
};

extern const char *const ipv4_reasm_counter_names[IPV4_REASM_C_MAX]; /* "reasm_ok", ... */

/* What ipv4_reasm_add() did with a fragment. */
enum ipv4_reasm_result {
	IPV4_REASM_HELD = 0,	/* kept, datagram incomplete */
	IPV4_REASM_DONE,	/* datagram complete: returned */
	IPV4_REASM_DROPPED,	/* dropped and counted (see the counters) */
};

struct ipv4_reasm_tbl;

/* A table of at most max_dgrams datagrams (1..65536) and max_mbufs held
 * mbufs, timeout_ms per datagram (heap memory: about 1.1 kB a datagram).
 * NULL on bad arguments or no memory.  Master. */
struct ipv4_reasm_tbl *ipv4_reasm_tbl_create(uint32_t max_dgrams, uint32_t max_mbufs,
					     uint32_t timeout_ms);

/* Free the table and every mbuf it holds.  NULL is fine.  Its lcore must not
 * be using it. */
void ipv4_reasm_tbl_free(struct ipv4_reasm_tbl *t);

/* Change the mbuf bound and the timeout (the datagram bound is fixed).
 * Plain stores: the master while the owner lcore runs. */
void ipv4_reasm_tbl_limits(struct ipv4_reasm_tbl *t, uint32_t max_mbufs, uint32_t timeout_ms);

/* Add the fragment m (data at its validated IPv4 header, m->l3_len set,
 * pkt_len trimmed to the total length, MF or an offset set) at time now_us.
 * Consumes m.  On IPV4_REASM_DONE *out is the datagram: one mbuf chain (the
 * first fragment's mbuf and its Ethernet headroom first, the IP header with
 * no fragment bits but DF, the total length and checksum rewritten).
 * Otherwise *out is NULL.  The table's lcore only. */
enum ipv4_reasm_result ipv4_reasm_add(struct ipv4_reasm_tbl *t, struct rte_mbuf *m,
				      uint64_t now_us, struct rte_mbuf **out);

/* Free the datagrams whose timeout has passed at now_us (counted).
 * Returns how many.  The table's lcore only. */
unsigned int ipv4_reasm_expire(struct ipv4_reasm_tbl *t, uint64_t now_us);

/* Free every datagram in reassembly (not counted).  Returns how many. */
unsigned int ipv4_reasm_flush(struct ipv4_reasm_tbl *t);

/* Datagrams and mbufs held now; a counter.  Any thread (plain loads). */
uint32_t ipv4_reasm_dgrams(const struct ipv4_reasm_tbl *t);
uint32_t ipv4_reasm_mbufs(const struct ipv4_reasm_tbl *t);
uint64_t ipv4_reasm_counter(const struct ipv4_reasm_tbl *t, enum ipv4_reasm_counter c);

/* ---- the tables of the FWD_WORKER lcores ---- */

/* Create (first call) the table of every FWD_WORKER lcore, or (later
 * calls, loops may run) change their mbuf bound and timeout.  max_dgrams 0
 * turns reassembly off (fragments are dropped, counted as "fragment");
 * a later call may change max_dgrams only while the loops are stopped
 * (the tables are made anew), else EDPVS_BUSY.  EDPVS_NOMEM.
 * Master. */
int ipv4_reasm_setup(uint32_t max_dgrams, uint32_t max_mbufs, uint32_t timeout_ms);

/* Free every table (and what it holds).  Master, loops stopped. */
void ipv4_reasm_teardown(void);

/* The worker lcore that reassembles the datagram of this fragment
 * (hash of src, dst, id, proto over the workers), or RTE_MAX_LCORE when
 * reassembly is off. */
unsigned int ipv4_reasm_owner(uint32_t src, uint32_t dst, uint16_t id, uint8_t proto);

/* The table of lcore_id (NULL if none). */
struct ipv4_reasm_tbl *ipv4_reasm_lcore_tbl(unsigned int lcore_id);

/* Sum of a counter, and of the mbufs held, over the workers' tables. */
uint64_t ipv4_reasm_counter_sum(enum ipv4_reasm_counter c);
uint64_t ipv4_reasm_mbufs_sum(void);

/* ipv4_reasm_expire() of the calling lcore's table at timer_now_us(). */
unsigned int ipv4_reasm_expire_lcore(void);

/* ipv4_reasm_flush() of the calling lcore's table (the fuzz harness's drain). */
unsigned int ipv4_reasm_flush_lcore(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPV4_REASM_H */
