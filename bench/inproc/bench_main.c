/*
 * bench_main.c - build/dpvs-bench-inproc: dpvsd's connection path measured
 * in one process (no kernel, no generator core): options, set-up, the run
 * on the forwarding lcore, JSON on stdout.  scripts/bench/conn.sh runs it.
 * Owner: B2.
 *
 *   dpvs-bench-inproc [--tests io,new,est,mem] [--secs S] [--repeat N]
 *       [--mode fnat|nat|dr] [--sched rr] [--rs N] [--laddrs N] [--flows N]
 *       [--mem-conns N] [--conn-max N] [--conn-buckets N] [--hugepages no|yes|auto]
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include "ipvs/ipvs_wire.h"
#include "bench.h"

static void usage(void)
{
	fprintf(stderr, "usage: dpvs-bench-inproc [--tests io,new,est,mem] [--secs S] "
		"[--repeat N]\n  [--mode fnat|nat|dr] [--sched NAME] [--rs N] [--laddrs N] "
		"[--flows N]\n  [--mem-conns N] [--conn-max N] [--conn-buckets N] "
		"[--hugepages no|yes|auto]\n");
}

static int num(const char *s, unsigned long min, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "bad number '%s' (expected %lu..%lu)\n", s, min, max);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_mode(const char *s, int *fwd)
{
	if (strcmp(s, "fnat") == 0)
		*fwd = IPVS_WIRE_FWD_FNAT;
	else if (strcmp(s, "nat") == 0)
		*fwd = IPVS_WIRE_FWD_MASQ;
	else if (strcmp(s, "dr") == 0)
		*fwd = IPVS_WIRE_FWD_DR;
	else
		return -1;
	return 0;
}

static int parse_args(struct bench_ctx *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tests", 1, NULL, 't' }, { "secs", 1, NULL, 's' }, { "repeat", 1, NULL, 'r' },
		{ "mode", 1, NULL, 'm' }, { "sched", 1, NULL, 'S' }, { "rs", 1, NULL, 'R' },
		{ "laddrs", 1, NULL, 'L' }, { "flows", 1, NULL, 'f' },
		{ "mem-conns", 1, NULL, 'M' }, { "conn-max", 1, NULL, 'c' },
		{ "conn-buckets", 1, NULL, 'b' }, { "hugepages", 1, NULL, 'H' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': snprintf(b->tests, sizeof(b->tests), "%s", optarg); break;
		case 's': b->secs = atof(optarg); rc = b->secs > 0 && b->secs < 600 ? 0 : -1; break;
		case 'r': rc = num(optarg, 1, BENCH_MAX_WIN, &b->repeat); break;
		case 'm': rc = parse_mode(optarg, &b->fwd); break;
		case 'S': snprintf(b->sched, sizeof(b->sched), "%s", optarg); break;
		case 'R': rc = num(optarg, 1, 200, &b->n_rs); break;
		case 'L': rc = num(optarg, 1, 200, &b->n_laddrs); break;
		case 'f': rc = num(optarg, 1, 1u << 24, &b->flows); break;
		case 'M': rc = num(optarg, 0, 1u << 26, &b->mem_conns); break;
		case 'c': rc = num(optarg, 64, 1u << 26, &b->conn_max); break;
		case 'b': rc = num(optarg, 0, 1u << 26, &b->conn_buckets); break;
		case 'H': snprintf(b->hugepages, sizeof(b->hugepages), "%s", optarg); break;
		default: rc = -1; break;
		}
	}
	if (rc != 0 || optind != argc) {
		usage();
		return -1;
	}
	return 0;
}

static void print_wins(const char *name, const struct bench_win *w, unsigned int n,
		       const char *done_name, int last)
{
	double hz = (double)rte_get_tsc_hz();
	unsigned int i;

	printf("  \"%s\": [", name);
	for (i = 0; i < n; i++) {
		double secs = (double)w[i].cycles / hz, wall = (double)w[i].wall_cycles / hz;

		printf("%s\n    {\"offered\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"cycles\": %" PRIu64
		       ", \"worker_secs\": %.6f, \"wall_secs\": %.6f, \"per_sec\": %.0f, "
		       "\"wall_per_sec\": %.0f, \"cycles_per\": %.1f, \"preempted\": %" PRIu64
		       ", \"clean_per_sec\": %.0f, \"clean_cycles_per\": %.1f}",
		       i ? "," : "", w[i].pkts, done_name, w[i].done, w[i].cycles, secs, wall,
		       secs > 0 ? (double)w[i].done / secs : 0, wall > 0 ? (double)w[i].done / wall : 0,
		       w[i].done ? (double)w[i].cycles / (double)w[i].done : 0, w[i].preempted,
		       w[i].clean_cycles ? (double)w[i].clean_done * hz / (double)w[i].clean_cycles : 0,
		       w[i].clean_done ? (double)w[i].clean_cycles / (double)w[i].clean_done : 0);
	}
	printf("\n  ]%s\n", last ? "" : ",");
}

static void print_json(const struct bench_ctx *b)
{
	static const char *const modes[] = { "nat", "local", "tunnel", "dr", "fnat" };
	double hz = (double)rte_get_tsc_hz();

	printf("{\n  \"tool\": \"dpvs-bench-inproc\", \"mode\": \"%s\", \"sched\": \"%s\", "
	       "\"rs\": %u, \"laddrs\": %u, \"flows\": %u,\n  \"tsc_hz\": %.0f, \"frame_bytes\": 54, "
	       "\"conn_max\": %u, \"conn_buckets\": %u, \"hugepages\": \"%s\",\n",
	       modes[b->fwd], b->sched, b->n_rs, b->n_laddrs, b->flows, hz, b->conn_max,
	       b->conn_buckets, b->hugepages);
	print_wins("io", b->io_w, b->n_io, "sent", 0);
	print_wins("new", b->new_w, b->n_new, "conns", 0);
	print_wins("est", b->est_w, b->n_est, "sent", 0);
	if (b->mem.done) {
		double delta = (double)(b->mem.rss_after - b->mem.rss_before);
		double fill = (double)b->mem.fill_cycles / hz;

		printf("  \"mem\": {\"conns\": %" PRIu64 ", \"failed\": %" PRIu64 ", \"rss_before\": %"
		       PRIu64 ", \"rss_after\": %" PRIu64 ", \"rss_bytes_per_conn\": %.1f, "
		       "\"table_bytes_per_conn\": %" PRIu64 ", \"mbufs_in_use_before\": %" PRIu64
		       ", \"mbufs_in_use_after\": %" PRIu64 ", \"fill_worker_secs\": %.3f, "
		       "\"fill_wall_secs\": %.3f, \"fill_per_sec\": %.0f,\n    \"top_mappings\": "
		       "[{\"size\": %" PRIu64 ", \"rss_growth\": %" PRIu64 "}, {\"size\": %" PRIu64
		       ", \"rss_growth\": %" PRIu64 "}]}\n",
		       b->mem.conns, b->mem.failed, b->mem.rss_before, b->mem.rss_after,
		       b->mem.conns ? delta / (double)b->mem.conns : 0, b->mem.table_bytes_per_conn,
		       b->mem.pool_in_use_before, b->mem.pool_in_use_after, fill,
		       (double)b->mem.fill_wall_cycles / hz,
		       fill > 0 ? (double)b->mem.conns / fill : 0, b->mem.map_size[0],
		       b->mem.map_grow[0], b->mem.map_size[1], b->mem.map_grow[1]);
	} else {
		printf("  \"mem\": null\n");
	}
	printf("}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct bench_ctx b;
	unsigned int worker;
	bool conn_max_set;

	snprintf(b.tests, sizeof(b.tests), "io,new,est");
	snprintf(b.sched, sizeof(b.sched), "rr");
	snprintf(b.hugepages, sizeof(b.hugepages), "no");
	b.fwd = IPVS_WIRE_FWD_FNAT;
	b.n_rs = 17;		/* 17 servers x 11 local addresses x 64512 ports: > 10M */
	b.n_laddrs = 11;	/* distinct FNAT tuples with rr (coprime to the port count) */
	b.flows = 4096;
	b.conn_max = 1u << 22;
	b.repeat = 3;
	b.secs = 1.0;
	b.vip = htonl(0x0a000064u);	/* 10.0.0.100 */
	if (parse_args(&b, argc, argv) != 0)
		return 2;
	conn_max_set = b.conn_max != (1u << 22);
	if (strstr(b.tests, "mem") && b.mem_conns == 0)
		b.mem_conns = 1000000;
	/* The memory test sizes the table for its connections (+1/64), as an
	 * operator would set ipvs.conn_max, unless --conn-max says otherwise. */
	if (b.mem_conns && (!conn_max_set || b.mem_conns + b.mem_conns / 64 > b.conn_max))
		b.conn_max = b.mem_conns + b.mem_conns / 64;
	if (bench_setup(&b) != 0) {
		fprintf(stderr, "bench: set-up failed\n");
		return 1;
	}
	worker = 1;
	if (rte_eal_remote_launch(bench_worker_main, &b, worker) != 0) {
		fprintf(stderr, "bench: cannot launch on lcore %u\n", worker);
		return 1;
	}
	rte_eal_wait_lcore(worker);
	print_json(&b);
	bench_teardown(&b);
	return 0;
}
