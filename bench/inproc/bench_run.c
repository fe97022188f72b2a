/*
 * bench_run.c - the measurements, run on the forwarding lcore: a small
 * generator fills the port's rx ring with a burst of prebuilt frames, the
 * worker's registered jobs (recv_fwd, xmit, timer_manage, ... exactly the
 * FWD_WORKER job lists) run one loop iteration with the TSC read around
 * them, and the tx rings are drained.  Only the job calls are counted as
 * worker cycles; the generator's time is in the wall figures.  Owner: B2.
 *
 *   io   baseline: rte_eth_rx_burst + rte_eth_tx_burst of the same frames
 *   new  SYNs from distinct client ip:port: schedule, conn, timer arm
 *   est  ACKs of flows already in the table (pps, cycles per packet)
 *   mem  fill the table with mem_conns connections: RSS and pool use
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_mbuf.h>
#include <rte_lcore.h>
#include "job.h"
#include "netif.h"
#include "ipvs/conn.h"
#include "ipvs/ipvs.h"
#include "bench.h"

#define MAX_JOBS 16
#define FRAME_LEN 54u	/* Ethernet + IPv4 + TCP, no payload */

struct job_set {
	const struct job *j[JOB_TYPE_MAX][MAX_JOBS];
	unsigned int n[JOB_TYPE_MAX];
	uint64_t iter;
};

static int collect(const struct job *job, void *arg)
{
	struct job_set *s = arg;

	if (s->n[job->type] < MAX_JOBS)
		s->j[job->type][s->n[job->type]++] = job;
	return 0;
}

/* One iteration of the worker's loop, as job_loop() runs it. */
static inline void jobs_iterate(struct job_set *s)
{
	unsigned int i;

	for (i = 0; i < s->n[JOB_LOOP]; i++)
		s->j[JOB_LOOP][i]->fn(s->j[JOB_LOOP][i]->arg);
	for (i = 0; i < s->n[JOB_SLOW]; i++) {
		const struct job *j = s->j[JOB_SLOW][i];

		if ((s->iter + 1) % (j->skip_loops ? j->skip_loops : 1) == 0)
			j->fn(j->arg);
	}
	s->iter++;
}

/* The iterations of measured windows: not inlined, so that
 * `valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=bench_measured_iterate` counts exactly them. */
__attribute__((noinline)) void bench_measured_iterate(struct job_set *s);
__attribute__((noinline)) void bench_measured_iterate(struct job_set *s)
{
	jobs_iterate(s);
}

/* Client i: 10.1.0.0 + i / 60000, port 1025 + i % 60000. */
static inline void client_of(uint64_t i, uint32_t *ip, uint16_t *port)
{
	*ip = htonl(0x0a010000u + (uint32_t)(i / 60000));
	*port = htons((uint16_t)(1025 + i % 60000));
}

static void frame_fill(const struct bench_ctx *b, struct rte_mbuf *m, uint64_t client,
		       uint8_t flags)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	static const struct rte_ether_addr gw = { { 0x02, 0, 0, 0, 0xfe, 0x01 } };
	uint32_t cip;
	uint16_t cport;

	eth->dst_addr = b->port_mac;
	eth->src_addr = gw;
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip) + sizeof(*th));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons(40);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	client_of(client, &cip, &cport);
	ip->src_addr = cip;
	th->src_port = cport;
	ip->dst_addr = b->vip;
	th->dst_port = htons(80);
	th->sent_seq = htonl(flags & RTE_TCP_SYN_FLAG ? 1000 : 1001);
	th->recv_ack = htonl(flags & RTE_TCP_ACK_FLAG ? 5001 : 0);
	th->data_off = 5 << 4;
	th->tcp_flags = flags;
	th->rx_win = htons(65535);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

static unsigned int drain_tx(struct bench_ctx *b)
{
	struct rte_mbuf *m[BENCH_BURST];
	unsigned int n, total = 0, q;

	for (q = 0; q < 2; q++)
		while ((n = rte_ring_dequeue_burst(b->tx[q], (void **)m, BENCH_BURST, NULL)) > 0) {
			rte_pktmbuf_free_bulk(m, n);
			total += n;
		}
	return total;
}

/* Offer one burst of frames for clients first.. (cycling over span when
 * span > 0), return the packets enqueued. */
static unsigned int offer(struct bench_ctx *b, uint64_t first, uint64_t span, uint8_t flags)
{
	struct rte_mbuf *m[BENCH_BURST];
	unsigned int i, n;

	if (rte_pktmbuf_alloc_bulk(netif_pktmbuf_pool(), m, BENCH_BURST) != 0)
		return 0;
	for (i = 0; i < BENCH_BURST; i++)
		frame_fill(b, m[i], span ? (first + i) % span : first + i, flags);
	n = rte_ring_enqueue_burst(b->rx, (void **)m, BENCH_BURST, NULL);
	if (n < BENCH_BURST)
		rte_pktmbuf_free_bulk(m + n, BENCH_BURST - n);
	return n;
}

static uint64_t conns_created(void)
{
	return ipvs_lcore_stats_get(rte_lcore_id())->conn_new;
}

/*
 * Run windows of secs seconds: offer frames from clients [cursor, ...)
 * (cycling over span if span > 0), drive the jobs, drain.  kind: 0 worker
 * jobs, 1 io baseline.  counter: what "done" counts.
 */
enum win_kind { WIN_JOBS, WIN_IO };
enum win_count { COUNT_TX, COUNT_CONNS };

static void run_window(struct bench_ctx *b, struct job_set *s, struct bench_win *w,
		       uint64_t *cursor, uint64_t span, uint8_t flags, enum win_kind kind,
		       enum win_count count, uint64_t max_pkts)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), end = start + (uint64_t)(b->secs * hz);
	uint64_t c0 = conns_created(), c_it = c0, preempt = hz / 1000;	/* 1 ms */
	struct rte_mbuf *m[BENCH_BURST];

	memset(w, 0, sizeof(*w));
	while (rte_rdtsc() < end && (max_pkts == 0 || w->pkts < max_pkts)) {
		unsigned int n = offer(b, *cursor, span, flags);
		uint64_t t0, t1;

		*cursor += n;
		w->pkts += n;
		t0 = rte_rdtsc();
		if (kind == WIN_JOBS) {
			bench_measured_iterate(s);
		} else {
			uint16_t k = rte_eth_rx_burst(b->port_id, 0, m, BENCH_BURST), sent;

			sent = k ? rte_eth_tx_burst(b->port_id, 0, m, k) : 0;
			if (sent < k)
				rte_pktmbuf_free_bulk(m + sent, k - sent);
		}
		t1 = rte_rdtsc();
		w->cycles += t1 - t0;
		n = drain_tx(b);
		if (count == COUNT_TX)
			w->done += n;
		else
			n = (unsigned int)(conns_created() - c_it);
		c_it = conns_created();
		/* An iteration the OS preempted (TSC runs on meanwhile) is left
		 * out of the clean figures: a shared machine's noise. */
		if (t1 - t0 > preempt) {
			w->preempted++;
		} else {
			w->clean_cycles += t1 - t0;
			w->clean_done += n;
		}
	}
	/* let the worker empty its rx ring and tx buffers */
	if (kind == WIN_JOBS) {
		unsigned int i;

		for (i = 0; i < 4; i++)
			jobs_iterate(s);
	}
	w->done += count == COUNT_TX ? drain_tx(b) : conns_created() - c0;
	w->wall_cycles = rte_rdtsc() - start;
}

/* Offer frames for clients [first, first + n) with no timing. */
static void feed(struct bench_ctx *b, struct job_set *s, uint64_t first, uint64_t n,
		 uint8_t flags)
{
	uint64_t i = 0;

	while (i < n) {
		i += offer(b, first + i, first + n, flags);
		jobs_iterate(s);
		drain_tx(b);
	}
	jobs_iterate(s);
	drain_tx(b);
}

/* Resident bytes per mapping (start address -> Rss + hugetlb pages) from
 * /proc/self/smaps, to say where the memory went (conn pool, buckets,
 * anything else).  hugetlb mappings (the conn pool when huge pages are
 * reserved) are not counted in Rss/statm, so they are added here. */
#define MAX_MAPS 4096
struct rss_map {
	uintptr_t start[MAX_MAPS];
	uint64_t rss[MAX_MAPS], size[MAX_MAPS];
	unsigned int n;
};

static void rss_maps(struct rss_map *r)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long a, e, kb;

	r->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &a, &e) == 2 && r->n < MAX_MAPS) {
			r->start[r->n] = a;
			r->size[r->n] = e - a;
			r->rss[r->n++] = 0;
		} else if (r->n && (sscanf(line, "Rss: %lu kB", &kb) == 1 ||
				    sscanf(line, "Private_Hugetlb: %lu kB", &kb) == 1 ||
				    sscanf(line, "Shared_Hugetlb: %lu kB", &kb) == 1)) {
			r->rss[r->n - 1] += (uint64_t)kb * 1024;	/* hugetlb is not in Rss */
		}
	}
	fclose(f);
}

static uint64_t rss_total(const struct rss_map *r)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < r->n; i++)
		sum += r->rss[i];
	return sum;
}

/* The two mappings that grew most between a and b. */
static void rss_top_growth(const struct rss_map *a, const struct rss_map *b,
			   uint64_t grow[2], uint64_t size[2])
{
	unsigned int i, j;

	grow[0] = grow[1] = size[0] = size[1] = 0;
	for (i = 0; i < b->n; i++) {
		uint64_t before = 0, g;

		for (j = 0; j < a->n; j++)
			if (a->start[j] == b->start[i]) {
				before = a->rss[j];
				break;
			}
		g = b->rss[i] > before ? b->rss[i] - before : 0;
		if (g > grow[0]) {
			grow[1] = grow[0];
			size[1] = size[0];
			grow[0] = g;
			size[0] = b->size[i];
		} else if (g > grow[1]) {
			grow[1] = g;
			size[1] = b->size[i];
		}
	}
}

static bool match_all(const struct ipvs_conn *c, void *arg)
{
	(void)c;
	(void)arg;
	return true;
}

static void bench_new(struct bench_ctx *b, struct job_set *s)
{
	uint64_t cursor = 0;
	unsigned int r;

	for (r = 0; r < b->repeat && r < BENCH_MAX_WIN; r++) {
		conn_flush(conn_table_this(), match_all, NULL);
		cursor = 0;
		run_window(b, s, &b->new_w[r], &cursor, 0, RTE_TCP_SYN_FLAG, WIN_JOBS, COUNT_CONNS,
			   b->conn_max * 9ull / 10);
		b->n_new++;
	}
	conn_flush(conn_table_this(), match_all, NULL);
}

static void bench_est(struct bench_ctx *b, struct job_set *s)
{
	uint64_t cursor = 0;
	unsigned int r;

	/* handshake: SYN then the ACK that completes it (TOA goes there) */
	feed(b, s, 0, b->flows, RTE_TCP_SYN_FLAG);
	feed(b, s, 0, b->flows, RTE_TCP_ACK_FLAG);
	for (r = 0; r < b->repeat && r < BENCH_MAX_WIN; r++) {
		run_window(b, s, &b->est_w[r], &cursor, b->flows, RTE_TCP_ACK_FLAG, WIN_JOBS,
			   COUNT_TX, 0);
		b->n_est++;
	}
	conn_flush(conn_table_this(), match_all, NULL);
}

static void bench_io(struct bench_ctx *b, struct job_set *s)
{
	uint64_t cursor = 0;
	unsigned int r;

	for (r = 0; r < b->repeat && r < BENCH_MAX_WIN; r++) {
		run_window(b, s, &b->io_w[r], &cursor, b->flows, RTE_TCP_ACK_FLAG, WIN_IO,
			   COUNT_TX, 0);
		b->n_io++;
	}
}

static void bench_mem(struct bench_ctx *b, struct job_set *s)
{
	struct rte_mempool *mp = netif_pktmbuf_pool();
	struct conn_stats cs;
	uint64_t t0, w0, c0, i = 0;

	static struct rss_map before, after;

	conn_flush(conn_table_this(), match_all, NULL);
	rss_maps(&before);
	b->mem.rss_before = rss_total(&before);
	b->mem.pool_in_use_before = rte_mempool_in_use_count(mp);
	c0 = conns_created();
	w0 = rte_rdtsc();
	while (i < b->mem_conns) {
		unsigned int n = offer(b, i, 0, RTE_TCP_SYN_FLAG);

		i += n;
		t0 = rte_rdtsc();
		jobs_iterate(s);
		b->mem.fill_cycles += rte_rdtsc() - t0;
		drain_tx(b);
	}
	jobs_iterate(s);
	drain_tx(b);
	b->mem.fill_wall_cycles = rte_rdtsc() - w0;
	b->mem.conns = conns_created() - c0;
	b->mem.failed = b->mem_conns - b->mem.conns;
	rss_maps(&after);
	b->mem.rss_after = rss_total(&after);
	rss_top_growth(&before, &after, b->mem.map_grow, b->mem.map_size);
	b->mem.pool_in_use_after = rte_mempool_in_use_count(mp);
	b->mem.table_bytes_per_conn = conn_table_bytes_per_conn(conn_table_this());
	conn_table_stats(conn_table_this(), &cs);
	b->mem.done = 1;
}

int bench_worker_main(void *arg)
{
	struct bench_ctx *b = arg;
	struct job_set s;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	job_foreach(JOB_ROLE_FWD_WORKER, collect, &s);
	for (i = 0; i < s.n[JOB_INIT]; i++)
		s.j[JOB_INIT][i]->fn(s.j[JOB_INIT][i]->arg);
	if (strstr(b->tests, "io"))
		bench_io(b, &s);
	if (strstr(b->tests, "new"))
		bench_new(b, &s);
	if (strstr(b->tests, "est"))
		bench_est(b, &s);
	if (strstr(b->tests, "mem"))
		bench_mem(b, &s);
	return 0;
}
