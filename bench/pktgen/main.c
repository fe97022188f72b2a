/*
 * main.c - dpvs-pktgen: a one-lcore DPDK traffic generator for the datapath
 * benchmark (scripts/bench/datapath.sh).  Port A (DPDK port 0) transmits
 * prebuilt packets of many flows, port B (DPDK port 1) receives and counts.
 *
 *   dpvs-pktgen EAL-ARGS -- --dst-mac MAC --dst-ip A.B.C.D [options]
 *
 * Phases: wait until both links are up; optionally "prime" (each flow once:
 * a SYN for TCP, the datagram for UDP, so the device under test creates its
 * connections), then wait; warm-up; the measured window.  One JSON line per
 * second on stdout ({"t":..,"phase":..,"tx_mpps":..,"rx_mpps":..}) and a
 * final JSON object (also written to --out FILE).
 *
 * Packets are built once; each flow's mbuf is sent again and again: its
 * reference count is set high before each pass over the flows, so the
 * driver's free after its copy (memif, ring) never returns it to the pool.
 * That only works with drivers that copy or finish with the mbuf inside
 * tx_burst, which is what this tool is for (memif).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sched.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_tcp.h>
#include "pktgen.h"

#define PG_PORT_A 0
#define PG_PORT_B 1
#define PG_BURST 32
#define PG_DESC 1024
#define PG_MAX_SECS 3600
#define PG_PRIME_AHEAD 256

struct pg_txq {
	struct rte_mbuf **pkts;
	uint32_t n, cur;
};

struct pg_opts {
	struct pg_flowspec fs;
	double rate_mpps, duration_s, warmup_s, link_timeout_s, hold_s;
	bool prime, steer;
	uint32_t steer_seed, prime_wait_ms, expect_dst;
	uint16_t txq, rxq;
	const char *out;
};

struct pg_counts {
	uint64_t tx, rx, a_rx, checked, bad;
	uint64_t cyc, cyc_full;	/* TSC of the loop; of iterations a full ring cut short */
};

struct pg_ctx {
	struct pg_opts o;
	struct rte_mempool *mp;
	struct pg_txq q[PG_MAX_QUEUES];
	struct pg_counts c;		/* since the last reset */
	uint64_t prime_tx, prime_rx, hz;
	double hzf;			/* hz as a double, for rates */
	double per_sec[PG_MAX_SECS];
	bool full;			/* this iteration's tx was cut short */
	unsigned int n_secs;
};

static volatile sig_atomic_t pg_quit;

static void pg_on_signal(int sig)
{
	(void)sig;
	pg_quit = 1;
}

static void pg_usage(void)
{
	fprintf(stderr,
		"usage: dpvs-pktgen EAL-ARGS -- --dst-mac MAC --dst-ip A.B.C.D [options]\n"
		"  --proto udp|tcp      default udp (tcp: ACK segments; --prime sends SYNs)\n"
		"  --flows N            flows, default 4096 (1..1048576)\n"
		"  --size N             frame bytes without FCS, default 64 (60..1514)\n"
		"  --src-ip A.B.C.D     first client address, default 10.0.1.1 (flow i:\n"
		"                       address + i%%256, port --src-port + i/256)\n"
		"  --src-port N         default 1024\n"
		"  --dst-port N         default 9000\n"
		"  --rate MPPS          transmit cap, default 0 (no cap)\n"
		"  --duration S         measured window, default 10\n"
		"  --warmup S           before the window, default 1\n"
		"  --prime              send each flow once first, then wait --prime-wait-ms\n"
		"  --prime-wait-ms N    default 300\n"
		"  --txq N --rxq N      queues per port, default 1 (1..16)\n"
		"  --steer-seed X       tx queue of a flow = jhash_2words(src ip, src port,\n"
		"                       X) %% txq (the device's owner hash); default flow %% txq\n"
		"  --link-timeout S     default 10\n"
		"  --expect-dst A.B.C.D every 16th packet received on port B is checked:\n"
		"                       IPv4 to this address, valid IP and TCP/UDP checksums\n"
		"                       (without it: checksums only)\n"
		"  --hold S             after the report, keep the links up (draining) for\n"
		"                       S seconds, so the peer can read its counters first\n"
		"  --out FILE           also write the final JSON there\n");
}

static int pg_parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

static int pg_parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return (errno || end == s || *end || *out < lo || *out > hi) ? -1 : 0;
}

static void pg_defaults(struct pg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->fs.proto = PG_UDP;
	o->fs.flows = 4096;
	o->fs.size = 64;
	o->fs.src_ip = 0x0a000101;	/* 10.0.1.1 */
	o->fs.src_port = 1024;
	o->fs.dst_port = 9000;
	o->duration_s = 10;
	o->warmup_s = 1;
	o->link_timeout_s = 10;
	o->prime_wait_ms = 300;
	o->txq = o->rxq = 1;
}

enum { O_PROTO = 256, O_FLOWS, O_SIZE, O_SRCIP, O_SRCPORT, O_DSTIP, O_DSTPORT,
       O_DSTMAC, O_RATE, O_DUR, O_WARM, O_PRIME, O_PWAIT, O_TXQ, O_RXQ, O_STEER,
       O_LINK, O_OUT, O_HOLD, O_EXPECT };

static const struct option pg_longopts[] = {
	{ "proto", 1, NULL, O_PROTO }, { "flows", 1, NULL, O_FLOWS },
	{ "size", 1, NULL, O_SIZE }, { "src-ip", 1, NULL, O_SRCIP },
	{ "src-port", 1, NULL, O_SRCPORT }, { "dst-ip", 1, NULL, O_DSTIP },
	{ "dst-port", 1, NULL, O_DSTPORT }, { "dst-mac", 1, NULL, O_DSTMAC },
	{ "rate", 1, NULL, O_RATE }, { "duration", 1, NULL, O_DUR },
	{ "warmup", 1, NULL, O_WARM }, { "prime", 0, NULL, O_PRIME },
	{ "prime-wait-ms", 1, NULL, O_PWAIT }, { "txq", 1, NULL, O_TXQ },
	{ "rxq", 1, NULL, O_RXQ }, { "steer-seed", 1, NULL, O_STEER },
	{ "link-timeout", 1, NULL, O_LINK }, { "out", 1, NULL, O_OUT },
	{ "hold", 1, NULL, O_HOLD }, { "expect-dst", 1, NULL, O_EXPECT },
	{ NULL, 0, NULL, 0 },
};

/* One option; returns 0, or -1 with a message printed. */
static int pg_opt(struct pg_opts *o, int c, const char *a, bool *have_mac, bool *have_ip)
{
	double v;
	int bad = 0;

	switch (c) {
	case O_PROTO:
		o->fs.proto = strcmp(a, "tcp") == 0 ? PG_TCP : PG_UDP;
		bad = strcmp(a, "tcp") != 0 && strcmp(a, "udp") != 0;
		break;
	case O_FLOWS: bad = pg_parse_num(a, 1, 1048576, &v); o->fs.flows = (uint32_t)v; break;
	case O_SIZE: bad = pg_parse_num(a, 60, 1514, &v); o->fs.size = (uint32_t)v; break;
	case O_SRCIP: bad = pg_parse_ip(a, &o->fs.src_ip); break;
	case O_SRCPORT: bad = pg_parse_num(a, 1, 65535, &v); o->fs.src_port = (uint16_t)v; break;
	case O_DSTIP: bad = pg_parse_ip(a, &o->fs.dst_ip); *have_ip = true; break;
	case O_DSTPORT: bad = pg_parse_num(a, 1, 65535, &v); o->fs.dst_port = (uint16_t)v; break;
	case O_DSTMAC: bad = rte_ether_unformat_addr(a, &o->fs.dst_mac); *have_mac = true; break;
	case O_RATE: bad = pg_parse_num(a, 0, 1000, &o->rate_mpps); break;
	case O_DUR: bad = pg_parse_num(a, 0.1, PG_MAX_SECS - 1, &o->duration_s); break;
	case O_WARM: bad = pg_parse_num(a, 0, 600, &o->warmup_s); break;
	case O_PRIME: o->prime = true; break;
	case O_PWAIT: bad = pg_parse_num(a, 0, 60000, &v); o->prime_wait_ms = (uint32_t)v; break;
	case O_TXQ: bad = pg_parse_num(a, 1, PG_MAX_QUEUES, &v); o->txq = (uint16_t)v; break;
	case O_RXQ: bad = pg_parse_num(a, 1, PG_MAX_QUEUES, &v); o->rxq = (uint16_t)v; break;
	case O_STEER:
		bad = pg_parse_num(a, 0, 4294967295.0, &v);
		o->steer_seed = (uint32_t)v;
		o->steer = true;
		break;
	case O_LINK: bad = pg_parse_num(a, 0.1, 600, &o->link_timeout_s); break;
	case O_OUT: o->out = a; break;
	case O_HOLD: bad = pg_parse_num(a, 0, 600, &o->hold_s); break;
	case O_EXPECT: bad = pg_parse_ip(a, &o->expect_dst); break;
	default: return -1;
	}
	if (bad)
		fprintf(stderr, "dpvs-pktgen: bad value '%s' for --%s\n", a,
			pg_longopts[c - O_PROTO].name);
	return bad ? -1 : 0;
}

static int pg_parse_args(struct pg_opts *o, int argc, char **argv)
{
	bool have_mac = false, have_ip = false;
	int c;

	pg_defaults(o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", pg_longopts, NULL)) != -1) {
		if (c == 'h' || pg_opt(o, c, optarg, &have_mac, &have_ip) < 0)
			goto usage;
	}
	if (optind != argc || !have_mac || !have_ip) {
		fprintf(stderr, "dpvs-pktgen: --dst-mac and --dst-ip are required\n");
		goto usage;
	}
	return 0;
usage:
	pg_usage();
	return -1;
}

static int pg_port_init(uint16_t port, uint16_t nrx, uint16_t ntx, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, nrx, ntx, &conf);
	for (uint16_t q = 0; rc == 0 && q < nrx; q++)
		rc = rte_eth_rx_queue_setup(port, q, PG_DESC, rte_eth_dev_socket_id(port),
					    NULL, mp);
	for (uint16_t q = 0; rc == 0 && q < ntx; q++)
		rc = rte_eth_tx_queue_setup(port, q, PG_DESC, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc)
		fprintf(stderr, "dpvs-pktgen: port %u: %s\n", port, rte_strerror(-rc));
	return rc;
}

static bool pg_links_up(void)
{
	struct rte_eth_link a, b;

	return rte_eth_link_get_nowait(PG_PORT_A, &a) == 0 &&
	       rte_eth_link_get_nowait(PG_PORT_B, &b) == 0 &&
	       a.link_status == RTE_ETH_LINK_UP && b.link_status == RTE_ETH_LINK_UP;
}

static uint16_t pg_queue_of(const struct pg_opts *o, uint32_t i)
{
	uint32_t sip;
	uint16_t sport;

	if (!o->steer)
		return (uint16_t)(i % o->txq);
	pg_flow_tuple(&o->fs, i, &sip, &sport);
	return (uint16_t)(rte_jhash_2words(rte_cpu_to_be_32(sip), rte_cpu_to_be_16(sport),
					   o->steer_seed) % o->txq);
}

/* Build one packet per flow into per-queue lists q[] (tcp_flags for TCP). */
static int pg_build_lists(struct pg_ctx *g, struct pg_txq *q, uint8_t tcp_flags)
{
	for (uint16_t k = 0; k < g->o.txq; k++) {
		q[k].pkts = calloc(g->o.fs.flows, sizeof(struct rte_mbuf *));
		q[k].n = q[k].cur = 0;
		if (q[k].pkts == NULL)
			return -1;
	}
	for (uint32_t i = 0; i < g->o.fs.flows; i++) {
		struct pg_txq *t = &q[pg_queue_of(&g->o, i)];
		struct rte_mbuf *m = pg_build(&g->o.fs, g->mp, i, tcp_flags);

		if (m == NULL) {
			fprintf(stderr, "dpvs-pktgen: cannot build packet %u (pool/size)\n", i);
			return -1;
		}
		t->pkts[t->n++] = m;
	}
	return 0;
}

/*
 * Free lists built by pg_build_lists().  A reused list (the main run) still
 * owns every mbuf (their counts were kept high); a one-pass list (prime)
 * owns only the mbufs the driver did not take (from the cursor on).
 */
static void pg_free_lists(struct pg_txq *q, uint16_t n, bool reused)
{
	for (uint16_t k = 0; k < n; k++) {
		for (uint32_t i = reused ? 0 : q[k].cur; i < q[k].n; i++) {
			if (reused)
				rte_mbuf_refcnt_set(q[k].pkts[i], 1);
			rte_pktmbuf_free(q[k].pkts[i]);
		}
		free(q[k].pkts);
		q[k].pkts = NULL;
		q[k].n = q[k].cur = 0;
	}
}

static void pg_refill_refcnt(struct pg_txq *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		rte_mbuf_refcnt_set(t->pkts[i], UINT16_MAX);
}

/* Drain every rx queue of both ports; returns packets seen on port B. */
static uint32_t pg_rx(struct pg_ctx *g)
{
	struct rte_mbuf *pkts[PG_BURST];
	uint32_t got = 0;
	uint16_t n;

	for (uint16_t q = 0; q < g->o.rxq; q++) {
		n = rte_eth_rx_burst(PG_PORT_B, q, pkts, PG_BURST);
		if (n) {
			for (uint16_t k = 0; k < n; k++) {
				if (((g->c.rx + got + k) & 15) != 0)
					continue;
				g->c.checked++;
				g->c.bad += !pg_check(pkts[k], g->o.expect_dst);
			}
			got += n;
			rte_pktmbuf_free_bulk(pkts, n);
		}
		n = rte_eth_rx_burst(PG_PORT_A, q, pkts, PG_BURST);
		if (n) {
			g->c.a_rx += n;
			rte_pktmbuf_free_bulk(pkts, n);
		}
	}
	g->c.rx += got;
	return got;
}

/* Send up to `budget` packets from queue lists q; reused lists wrap around. */
static uint64_t pg_tx(struct pg_ctx *g, struct pg_txq *q, uint64_t budget, bool reuse)
{
	uint64_t sent = 0;

	for (uint16_t k = 0; k < g->o.txq && sent < budget; k++) {
		struct pg_txq *t = &q[k];
		uint32_t n = RTE_MIN(t->n - t->cur, (uint32_t)PG_BURST);
		uint16_t s;

		n = (uint32_t)RTE_MIN((uint64_t)n, budget - sent);
		if (n == 0)
			continue;
		s = rte_eth_tx_burst(PG_PORT_A, k, t->pkts + t->cur, (uint16_t)n);
		g->full |= s < n;
		t->cur += s;
		sent += s;
		if (reuse && t->cur == t->n) {
			t->cur = 0;
			pg_refill_refcnt(t);
		}
	}
	g->c.tx += sent;
	return sent;
}

static void pg_print_sec(struct pg_ctx *g, double t, const char *phase,
			 const struct pg_counts *d, double secs)
{
	printf("{\"t\":%.2f,\"phase\":\"%s\",\"tx_mpps\":%.4f,\"rx_mpps\":%.4f}\n", t, phase,
	       (double)d->tx / secs / 1e6, (double)d->rx / secs / 1e6);
	fflush(stdout);
	if (strcmp(phase, "measure") == 0 && g->n_secs < PG_MAX_SECS)
		g->per_sec[g->n_secs++] = (double)d->rx / secs / 1e6;
}

/* Prime: each flow once, then wait while draining.  0 or -1. */
static int pg_prime(struct pg_ctx *g)
{
	struct pg_txq q[PG_MAX_QUEUES];
	uint8_t flags = g->o.fs.proto == PG_TCP ? RTE_TCP_SYN_FLAG : 0;
	uint64_t left = g->o.fs.flows, deadline;
	int rc = pg_build_lists(g, q, flags);

	memset(&g->c, 0, sizeof(g->c));
	deadline = rte_get_tsc_cycles() + g->hz * 30;
	/* at most PG_PRIME_AHEAD packets in flight, so a short stall of this
	 * lcore cannot overflow the ring of port B; a device that drops is
	 * given 50 ms before we send on regardless */
	uint64_t last_rx = g->c.rx, t_rx = rte_get_tsc_cycles(), now;

	while (rc == 0 && left && !pg_quit && (now = rte_get_tsc_cycles()) < deadline) {
		if (g->c.tx - g->c.rx < PG_PRIME_AHEAD || now - t_rx > g->hz / 20)
			left -= pg_tx(g, q, RTE_MIN(left, (uint64_t)PG_BURST), false);
		pg_rx(g);
		if (g->c.rx != last_rx) {
			last_rx = g->c.rx;
			t_rx = now;
		}
	}
	deadline = rte_get_tsc_cycles() + g->hz * g->o.prime_wait_ms / 1000;
	while (rc == 0 && !pg_quit && rte_get_tsc_cycles() < deadline)
		pg_rx(g);
	g->prime_tx = g->c.tx;
	g->prime_rx = g->c.rx;
	pg_free_lists(q, g->o.txq, false);
	if (left && rc == 0)
		fprintf(stderr, "dpvs-pktgen: prime: %" PRIu64 " flows not sent\n", left);
	return rc;
}

/* Warm-up then the measured window; fills g->c with the window's counts. */
static void pg_run(struct pg_ctx *g, double *measured_s)
{
	const uint64_t t0 = rte_get_tsc_cycles();
	const uint64_t t_meas = t0 + (uint64_t)(g->o.warmup_s * g->hzf);
	const uint64_t t_end = t_meas + (uint64_t)(g->o.duration_s * g->hzf);
	const double rate = g->o.rate_mpps * 1e6;
	uint64_t now = t0, prev, t_sec = t0, t_cap = t0, capped = 0, t_start = t0;
	struct pg_counts last = { .tx = 0 }, total = { .tx = 0 };
	bool measuring = false;

	memset(&g->c, 0, sizeof(g->c));
	while (!pg_quit && now < t_end) {
		uint64_t budget = UINT64_MAX;

		if (rate > 0) {
			uint64_t allowed = (uint64_t)((double)(now - t_cap) / g->hzf * rate);

			budget = allowed > capped ? allowed - capped : 0;
		}
		g->full = false;
		capped += pg_tx(g, g->q, budget, true);
		pg_rx(g);
		prev = now;
		now = rte_get_tsc_cycles();
		g->c.cyc += now - prev;
		if (g->full)
			g->c.cyc_full += now - prev;
		if (!measuring && now >= t_meas) {	/* window starts: reset */
			measuring = true;
			total = g->c;
			last = g->c;
			t_start = t_sec = now;
			printf("{\"t\":%.2f,\"phase\":\"window\"}\n", (double)(now - t0) / g->hzf);
			fflush(stdout);
		}
		if (now - t_sec >= g->hz) {
			struct pg_counts d = { .tx = g->c.tx - last.tx, .rx = g->c.rx - last.rx };

			pg_print_sec(g, (double)(now - t0) / g->hzf,
				     measuring ? "measure" : "warmup", &d,
				     (double)(now - t_sec) / g->hzf);
			last = g->c;
			t_sec = now;
		}
	}
	*measured_s = measuring ? (double)(now - t_start) / g->hzf : 0;
	g->c.tx -= total.tx;
	g->c.rx -= total.rx;
	g->c.cyc -= total.cyc;
	g->c.cyc_full -= total.cyc_full;
}

static void pg_report(struct pg_ctx *g, double secs, FILE *f)
{
	double s = secs > 0 ? secs : 1;

	fprintf(f, "{\"tool\":\"dpvs-pktgen\",\"proto\":\"%s\",\"flows\":%u,\"size\":%u,"
		"\"txq\":%u,\"rxq\":%u,\"rate_cap_mpps\":%.3f,\"cpu\":%d,\"tsc_hz\":%" PRIu64 ","
		"\"prime_tx\":%" PRIu64 ",\"prime_rx\":%" PRIu64 ",\"warmup_s\":%.2f,"
		"\"duration_s\":%.3f,\"tx_pkts\":%" PRIu64 ",\"rx_pkts\":%" PRIu64 ","
		"\"port_a_rx\":%" PRIu64 ",\"rx_checked\":%" PRIu64 ",\"rx_bad\":%" PRIu64 ","
		"\"tx_full_pct\":%.2f,\"tx_mpps\":%.4f,\"rx_mpps\":%.4f,\"rx_mpps_per_sec\":[",
		g->o.fs.proto == PG_TCP ? "tcp" : "udp", g->o.fs.flows, g->o.fs.size,
		g->o.txq, g->o.rxq, g->o.rate_mpps, sched_getcpu(), g->hz, g->prime_tx,
		g->prime_rx, g->o.warmup_s, secs, g->c.tx, g->c.rx, g->c.a_rx, g->c.checked, g->c.bad,
		g->c.cyc ? 100.0 * (double)g->c.cyc_full / (double)g->c.cyc : 0.0,
		(double)g->c.tx / s / 1e6, (double)g->c.rx / s / 1e6);
	for (unsigned int i = 0; i < g->n_secs; i++)
		fprintf(f, "%s%.4f", i ? "," : "", g->per_sec[i]);
	fprintf(f, "]}\n");
}

static int pg_setup(struct pg_ctx *g)
{
	uint32_t n = g->o.fs.flows * 2 + 2u * g->o.rxq * PG_DESC + 4096;
	uint64_t deadline;

	if (rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "dpvs-pktgen: needs two ports (port A = 0, port B = 1)\n");
		return -1;
	}
	g->mp = rte_pktmbuf_pool_create("pg_pool", n, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (g->mp == NULL) {
		fprintf(stderr, "dpvs-pktgen: pool of %u mbufs: %s\n", n, rte_strerror(rte_errno));
		return -1;
	}
	if (pg_port_init(PG_PORT_A, g->o.rxq, g->o.txq, g->mp) ||
	    pg_port_init(PG_PORT_B, g->o.rxq, g->o.txq, g->mp))
		return -1;
	rte_eth_macaddr_get(PG_PORT_A, &g->o.fs.src_mac);
	deadline = rte_get_tsc_cycles() + (uint64_t)(g->o.link_timeout_s * g->hzf);
	while (!pg_links_up() && !pg_quit) {
		if (rte_get_tsc_cycles() > deadline) {
			fprintf(stderr, "dpvs-pktgen: links not up after %.1f s\n",
				g->o.link_timeout_s);
			return -1;
		}
		rte_delay_us_sleep(10000);
	}
	return pg_quit ? -1 : 0;
}

/* Keep the links (and so the peer's port counters) up, draining, for hold_s. */
static void pg_hold(struct pg_ctx *g)
{
	const uint64_t end = rte_get_tsc_cycles() + (uint64_t)(g->o.hold_s * g->hzf);

	while (!pg_quit && rte_get_tsc_cycles() < end) {
		if (pg_rx(g) == 0)
			rte_delay_us_sleep(1000);
	}
}

static int pg_main(struct pg_ctx *g)
{
	double secs = 0;
	FILE *f;

	if (pg_setup(g) < 0)
		return 1;
	if (g->o.prime && pg_prime(g) < 0)
		return 1;
	if (pg_build_lists(g, g->q, RTE_TCP_ACK_FLAG) < 0)
		return 1;
	for (uint16_t k = 0; k < g->o.txq; k++)
		pg_refill_refcnt(&g->q[k]);
	pg_run(g, &secs);
	pg_free_lists(g->q, g->o.txq, true);
	pg_report(g, secs, stdout);
	if (g->o.out) {	/* written whole, then renamed: readers never see half */
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", g->o.out);
		f = fopen(tmp, "w");
		if (f == NULL) {
			fprintf(stderr, "dpvs-pktgen: %s: %s\n", tmp, strerror(errno));
			return 1;
		}
		pg_report(g, secs, f);
		if (fclose(f) != 0 || rename(tmp, g->o.out) != 0) {
			fprintf(stderr, "dpvs-pktgen: %s: %s\n", g->o.out, strerror(errno));
			return 1;
		}
	}
	pg_hold(g);
	return pg_quit ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct pg_ctx g;
	uint16_t p;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dpvs-pktgen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argv[n] = argv[0];
	if (pg_parse_args(&g.o, argc - n, argv + n) < 0) {
		rte_eal_cleanup();
		return 2;
	}
	signal(SIGINT, pg_on_signal);
	signal(SIGTERM, pg_on_signal);
	g.hz = rte_get_tsc_hz();
	g.hzf = (double)g.hz;
	rc = pg_main(&g);
	RTE_ETH_FOREACH_DEV(p) {
		int src = rte_eth_dev_stop(p);

		if (src == 0)
			rte_eth_dev_close(p);
		else
			fprintf(stderr, "dpvs-pktgen: stop port %u: %s\n", p, rte_strerror(-src));
	}
	rte_eal_cleanup();
	return rc;
}
