/*
 * fuzz_packet.c - libFuzzer target: arbitrary Ethernet frames into the
 * receive path of the forwarding worker of an in-process dpvsd (net_ring
 * port, netif + inet + ipvs up, FNAT/NAT TCP/UDP services, static
 * neighbours, a 256-conn table).  Frames go through the port's rx ring and
 * netif_rx_poll() on the worker lcore, so everything after rte_eth_rx_burst
 * runs as in the daemon: Ethernet checks, ARP, IPv4 validation and
 * reassembly (fragments of one input meet on their owner worker), ICMP, the
 * IPVS hook (L4 parse, conn lookup/creation, FNAT/NAT rewrite, TOA, PROXY
 * v2), neighbour output and tx.
 *
 * Input: one or more frames separated by the 4 bytes FUZZ_SEP (so that one
 * input can open a conn and answer it: SYN then the server's SYN-ACK).
 * Each frame: byte 0 = control (bit 0: set the destination MAC to the
 * port's; bits 1-3: advance the clock by that many seconds first, so conns
 * expire; bit 4: arrive on rx queue 1, i.e. on the second worker), then
 * the Ethernet frame (at most 2000 bytes).  At most 8 frames.  There are
 * two workers, so packets for the other one's conns take the redirect
 * rings (owner lcore, hop marks) as in the daemon.
 *
 * Mbuf leaks are invisible to LeakSanitizer (pool memory), so after each
 * input the harness drains every place dpvsd may hold an mbuf (the
 * neighbour queues by flushing the dynamic entries, the tx buffers of
 * every lcore, the redirect rings by polling until quiet, the fragments
 * held by each worker's reassembly table by flushing it, the port's rings
 * and the to-KNI rings, which nothing reads here) and aborts unless the
 * pool's available count (rte_mempool_avail_count(), which includes the
 * per-lcore caches) is exactly what it was before the input.  Conns hold
 * no mbufs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "ipv4_reasm.h"
#include "msg.h"
#include "neigh.h"
#include "netif.h"
#include "timer.h"
#include "inet_rcu.h"
#include "../../src/netif_priv.h"
#include "fuzz_env.h"

#define FUZZ_MAX_FRAME 2000
#define FUZZ_MAX_FRAMES 8
static const uint8_t FUZZ_SEP[4] = { 0xde, 0xad, 0xbe, 0xef };
#define FUZZ_MAX_RINGS 16	/* net_ring's rings: RTE_PMD_RING_MAX_{RX,TX}_RINGS */
#define FUZZ_DRAIN_ROUNDS 64	/* polls of both workers with nothing on rx */

static void fuzz_fatal(const char *what, unsigned int lcore)
{
	fprintf(stderr, "fuzz_packet: %s (lcore %u)\n", what, lcore);
	abort();
}

struct fuzz_pkt {
	const uint8_t *data;
	size_t len;
	uint8_t ctl;
};

static struct rte_ring *fuzz_rx_ring[FUZZ_N_WORKERS];
static struct rte_ring *fuzz_port_ring[FUZZ_MAX_RINGS];	/* every ring of net_ring0 */
static unsigned int fuzz_mbufs_free;	/* available mbufs when no input is in flight */

static unsigned int fuzz_drain(void);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	fuzz_env_up(NULL, 1, 0);
	/* net_ring's rx and tx queue i share ring i: what dpvsd sends on
	 * queue i comes back on rx (mostly dropped as for another host).  Rx
	 * queue i is polled by worker i. */
	fuzz_rx_ring[0] = rte_ring_lookup("ETH_RXTX0_net_ring0");
	fuzz_rx_ring[1] = rte_ring_lookup("ETH_RXTX1_net_ring0");
	if (!fuzz_rx_ring[0] || !fuzz_rx_ring[1])
		abort();
	for (i = 0; i < FUZZ_MAX_RINGS; i++) {
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "ETH_RXTX%u_net_ring0", i);
		fuzz_port_ring[i] = rte_ring_lookup(name);
	}
	fuzz_mbufs_free = fuzz_drain();
	return 0;
}

/* On a worker: enqueue the frame (if any) on its rx ring. */
static int fuzz_inject(void *arg)
{
	const struct fuzz_pkt *p = arg;
	struct netif_port *port = netif_port_get_by_index(0);
	struct rte_mbuf *m = rte_pktmbuf_alloc(netif_pktmbuf_pool());
	char *dst;

	if (m == NULL)
		return 0;
	dst = rte_pktmbuf_append(m, (uint16_t)p->len);
	if (dst == NULL) {
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(dst, p->data, p->len);
	if ((p->ctl & 1) && p->len >= RTE_ETHER_ADDR_LEN)
		memcpy(dst, &port->mac, RTE_ETHER_ADDR_LEN);
	if (rte_ring_enqueue(fuzz_rx_ring[(p->ctl >> 4) & 1], m) != 0)
		rte_pktmbuf_free(m);
	return 0;
}

/* On a worker: one pass of what its loop does; *work is set. */
static int fuzz_poll(void *arg)
{
	unsigned int lcore = rte_lcore_id(), *work = arg;

	*work = netif_rx_poll(lcore) + netif_redirect_drain(lcore);
	*work += timer_manage(1024) + msg_process(lcore);
	netif_tx_flush_lcore(lcore);
	return 0;
}

static void fuzz_settle(void)
{
	unsigned int i, w, work;

	/* What one packet causes (replies looping back, redirects between the
	 * workers, timers) settles within a few rounds; bounded anyway. */
	for (i = 0; i < 16; i++) {
		work = 0;
		for (w = 0; w < FUZZ_N_WORKERS; w++) {
			unsigned int n = 0;

			fuzz_on_worker(w, fuzz_poll, &n);
			work += n;
		}
		if (work == 0)
			break;
	}
}

/* On a worker: free what its reassembly table holds; *n is how many
 * datagrams. */
static int fuzz_reasm_flush(void *arg)
{
	unsigned int *n = arg;

	*n = ipv4_reasm_flush_lcore();
	return 0;
}

/* Free what sits in ring r (nothing reads it here). */
static void fuzz_ring_free(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/* Free what the port's rings and the to-KNI rings hold. */
static void fuzz_rings_free(void)
{
	unsigned int i;

	for (i = 0; i < FUZZ_MAX_RINGS; i++)
		fuzz_ring_free(fuzz_port_ring[i]);
	for (i = 0; i < RTE_MAX_LCORE; i++)
		fuzz_ring_free(netif_lcores[i].to_kni);
}

/* Return every mbuf dpvsd holds to the pool; returns the pool's available
 * count afterwards (caches included).  Aborts if the workers do not go
 * quiet or a tx buffer or redirect ring is left non-empty. */
static unsigned int fuzz_drain(void)
{
	unsigned int i, w, work, l, p;

	neigh_flush(NULL, false);	/* dynamic entries and their queued mbufs */
	for (i = 0; i < FUZZ_DRAIN_ROUNDS; i++) {
		fuzz_rings_free();	/* nothing new arrives on rx */
		work = 0;
		for (w = 0; w < FUZZ_N_WORKERS; w++) {
			unsigned int n = 0;

			fuzz_on_worker(w, fuzz_poll, &n);
			work += n;
		}
		work += msg_process(rte_get_main_lcore());
		netif_tx_flush_lcore(rte_get_main_lcore());
		if (work == 0)
			break;
	}
	if (i == FUZZ_DRAIN_ROUNDS)	/* no rx left: a packet loop */
		fuzz_fatal("workers still busy after the drain rounds", rte_get_main_lcore());
	for (w = 0; w < FUZZ_N_WORKERS; w++) {
		unsigned int n = 0;

		fuzz_on_worker(w, fuzz_reasm_flush, &n);
	}
	if (ipv4_reasm_mbufs_sum() != 0)
		fuzz_fatal("reassembly tables hold mbufs after the flush", rte_get_main_lcore());
	fuzz_rings_free();
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		for (p = 0; p < NETIF_MAX_PORTS; p++)
			if (netif_lcores[l].tx[p].n != 0)
				fuzz_fatal("tx buffer not empty after the drain", l);
		if (netif_lcores[l].redirect && rte_ring_count(netif_lcores[l].redirect) != 0)
			fuzz_fatal("redirect ring not empty after the drain", l);
	}
	return rte_mempool_avail_count(netif_pktmbuf_pool());
}

static void fuzz_frame(const uint8_t *data, size_t size)
{
	struct fuzz_pkt p;

	if (size < 1 || size - 1 > FUZZ_MAX_FRAME)
		return;
	p.ctl = data[0];
	p.data = data + 1;
	p.len = size - 1;
	fuzz_clock_advance((uint64_t)((p.ctl >> 1) & 7) * 1000000u);
	fuzz_on_worker((p.ctl >> 4) & 1, fuzz_inject, &p);
	fuzz_settle();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int n, free_now;

	for (n = 0; n < FUZZ_MAX_FRAMES && size > 0; n++) {
		const uint8_t *sep = memmem(data, size, FUZZ_SEP, sizeof(FUZZ_SEP));
		size_t len = sep ? (size_t)(sep - data) : size;

		fuzz_frame(data, len);
		if (!sep)
			break;
		size -= len + sizeof(FUZZ_SEP);
		data = sep + sizeof(FUZZ_SEP);
	}
	/* The master's side: messages from the worker, deferred frees. */
	msg_process(rte_get_main_lcore());
	timer_manage(1024);
	inet_rcu_reclaim();
	free_now = fuzz_drain();
	if (free_now != fuzz_mbufs_free) {
		fprintf(stderr, "fuzz_packet: mbuf leak: %u mbufs available after the input "
			"and the drain, %u before\n", free_now, fuzz_mbufs_free);
		abort();
	}
	return 0;
}
