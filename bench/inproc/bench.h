/*
 * bench.h - shared state of the in-process connection benchmark
 * (bench/inproc/, build/dpvs-bench-inproc).  Owner: B2.
 */
#ifndef DPVS_BENCH_INPROC_H
#define DPVS_BENCH_INPROC_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_ring.h>
#include "cfg.h"

#define BENCH_DEV      "net_ring_bench0"	/* rte_eth_from_rings("bench0") */
#define BENCH_RING     4096
#define BENCH_BURST    32
#define BENCH_MAX_WIN  64

/* One measured window. */
struct bench_win {
	uint64_t pkts;		/* packets offered */
	uint64_t done;		/* conns created (new/mem) or packets sent out (est/io) */
	uint64_t cycles;	/* TSC cycles inside the worker's jobs */
	uint64_t wall_cycles;	/* TSC cycles of the whole window (generator included) */
	uint64_t clean_cycles;	/* cycles of the iterations not preempted (each < 1 ms) */
	uint64_t clean_done;	/* what those iterations did */
	uint64_t preempted;	/* iterations left out (> 1 ms: the OS ran something else) */
};

struct bench_ctx {
	/* options */
	char tests[64];		/* comma list: io,new,est,mem */
	char sched[16];
	char hugepages[8];	/* "no", "yes", "auto" */
	int fwd;		/* enum ipvs_wire_fwd */
	unsigned int n_rs, n_laddrs;
	unsigned int flows;	/* established flows */
	unsigned int mem_conns;	/* connections for the memory test */
	unsigned int conn_max, conn_buckets, eal_mb;
	unsigned int repeat;
	double secs;		/* window length */
	/* set-up */
	char cfg_path[128], sock_path[128];
	struct cfg_tree *tree;
	struct rte_ring *rx, *tx[2];
	uint16_t port_id;
	struct rte_ether_addr port_mac;
	uint32_t vip;		/* network order */
	/* results */
	unsigned int n_new, n_est, n_io;
	struct bench_win new_w[BENCH_MAX_WIN], est_w[BENCH_MAX_WIN], io_w[BENCH_MAX_WIN];
	struct {
		int done;
		uint64_t conns, rss_before, rss_after, pool_in_use_before, pool_in_use_after;
		uint64_t table_bytes_per_conn, fill_cycles, fill_wall_cycles, failed;
		uint64_t map_grow[2], map_size[2];	/* the two mappings that grew most */
	} mem;
	int rc;
};

/* bench_setup.c: config, EAL, ring port, modules, service.  0 or -1 / EDPVS_*. */
int bench_setup(struct bench_ctx *b);
void bench_teardown(struct bench_ctx *b);

/* bench_run.c: the benchmark itself, launched on the forwarding lcore. */
int bench_worker_main(void *arg);

#endif /* DPVS_BENCH_INPROC_H */
