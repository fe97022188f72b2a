/*
 * bench_setup.c - start-up of the in-process benchmark: a dpvsd config
 * written to a temp file, the EAL, a ring port pair made with
 * rte_eth_from_rings() (an rx ring the benchmark fills, tx rings it
 * drains, so forwarded packets never loop back), dpvsd's modules and the
 * config applied the way main does, then one virtual service with its real
 * servers and local addresses added through the master API while the
 * worker loops run briefly.  Owner: B2.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_ring.h>
#include <rte_lcore.h>
#include "cfg.h"
#include "ctl.h"
#include "job.h"
#include "module.h"
#include "dpvs_err.h"
#include "ipvs/svc.h"
#include "ipvs/ipvs_wire.h"
#include "bench.h"

static int bench_write_config(struct bench_ctx *b)
{
	FILE *f = fopen(b->cfg_path, "w");
	unsigned int i;

	if (!f)
		return -1;
	fprintf(f, "global = { log_level = \"warning\"; ctl_socket = \"%s\";\n"
		"  idle = { mode = \"busy_poll\"; }; };\n", b->sock_path);
	fprintf(f, "eal = { file_prefix = \"dpvsbench%d\"; hugepages = \"%s\";"
		" memory_mb = %u; extra_args = [ \"--log-level=lib.*:error\" ]; };\n",
		(int)getpid(), b->hugepages, b->eal_mb);
	fprintf(f, "lcores = ( { id = 0; role = \"master\"; }, { id = 1; role = \"fwd_worker\"; } );\n");
	fprintf(f, "netif = { pool = { mbufs = 8191; cache = 256; };\n"
		"  ports = ( { name = \"dpdk0\"; vdev = \"%s\"; rx_queues = 1; tx_queues = 2;"
		" rx_desc = 1024; tx_desc = 1024; } ); };\n", BENCH_DEV);
	fprintf(f, "inet = { addresses = ( { dev = \"dpdk0\"; addr = \"192.168.0.1/24\"; },\n"
		"  { dev = \"dpdk0\"; addr = \"172.16.0.1/16\"; }");
	for (i = 0; i < b->n_laddrs; i++)
		fprintf(f, ",\n  { dev = \"dpdk0\"; addr = \"172.16.2.%u/16\"; }", i + 1);
	fprintf(f, " );\n  routes = ( { dst = \"10.0.0.0/8\"; via = \"192.168.0.254\"; dev = \"dpdk0\"; } );\n"
		"  neighbours = ( { dev = \"dpdk0\"; addr = \"192.168.0.254\"; lladdr = \"02:00:00:00:fe:01\"; }");
	for (i = 0; i < b->n_rs; i++)
		fprintf(f, ",\n  { dev = \"dpdk0\"; addr = \"172.16.1.%u\"; lladdr = \"02:00:00:00:01:%02x\"; }",
			i + 1, i + 1);
	fprintf(f, " ); };\n");
	fprintf(f, "ipvs = { conn_max = %u; conn_buckets = %u;\n"
		"  timeouts = { syn_recv = 3600; established = 3600; }; };\n",
		b->conn_max, b->conn_buckets);
	return fclose(f) == 0 ? 0 : -1;
}

/* The EAL arguments of the config, minus the --vdev of our own ring port. */
static int bench_eal_start(struct bench_ctx *b, struct cfg_tree *t)
{
	struct cfg_eal_args a;
	char *argv[CFG_MAX_EAL_ARGS];
	int argc, i, n = 0, rc;

	argc = cfg_build_eal_args(t, 0, NULL, &a);
	if (argc < 0)
		return argc;
	for (i = 0; i < argc; i++)
		if (strncmp(a.argv[i], "--vdev=" BENCH_DEV, strlen("--vdev=" BENCH_DEV)) != 0)
			argv[n++] = a.argv[i];
	rc = rte_eal_init(n, argv);
	cfg_eal_args_free(&a);
	if (rc < 0) {
		fprintf(stderr, "bench: rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	b->rx = rte_ring_create("bench_rx", BENCH_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	b->tx[0] = rte_ring_create("bench_tx0", BENCH_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	b->tx[1] = rte_ring_create("bench_tx1", BENCH_RING, 0, 0);
	if (!b->rx || !b->tx[0] || !b->tx[1])
		return -1;
	rc = rte_eth_from_rings("bench0", &b->rx, 1, b->tx, 2, 0);
	if (rc < 0) {
		fprintf(stderr, "bench: rte_eth_from_rings failed\n");
		return -1;
	}
	b->port_id = (uint16_t)rc;
	return 0;
}

static void bench_key(struct ipvs_wire_svc_key *k, const struct bench_ctx *b)
{
	memset(k, 0, sizeof(*k));
	k->af = AF_INET;
	k->proto = IPPROTO_TCP;
	k->port = 80;
	k->addr.in4 = b->vip;
}

/* Service, real servers, local addresses (master API; worker loops run). */
static int bench_add_service(struct bench_ctx *b)
{
	struct ipvs_wire_svc_conf sc;
	struct ipvs_wire_dest_conf d;
	struct ipvs_wire_laddr_req lr;
	char err[256] = "";
	unsigned int i;
	int rc;

	memset(&sc, 0, sizeof(sc));
	bench_key(&sc.key, b);
	snprintf(sc.sched, sizeof(sc.sched), "%s", b->sched);
	rc = ipvs_svc_add(&sc, err);
	for (i = 0; rc == 0 && i < b->n_rs; i++) {
		memset(&d, 0, sizeof(d));
		d.af = AF_INET;
		d.fwd = (uint8_t)b->fwd;
		d.port = b->fwd == IPVS_WIRE_FWD_DR ? 80 : 8080;
		d.weight = 1;
		d.addr.in4 = htonl(0xac100100u + i + 1);	/* 172.16.1.x */
		rc = ipvs_dest_add(&sc.key, &d, err);
	}
	for (i = 0; rc == 0 && b->fwd == IPVS_WIRE_FWD_FNAT && i < b->n_laddrs; i++) {
		memset(&lr, 0, sizeof(lr));
		lr.svc = sc.key;
		lr.af = AF_INET;
		lr.addr.in4 = htonl(0xac100200u + i + 1);	/* 172.16.2.x */
		snprintf(lr.ifname, sizeof(lr.ifname), "dpdk0");
		rc = ipvs_laddr_add(&lr, err);
	}
	if (rc != 0)
		fprintf(stderr, "bench: service set-up failed: %s (%s)\n", dpvs_strerror(rc), err);
	return rc;
}

int bench_setup(struct bench_ctx *b)
{
	struct cfg_tree *t = NULL;
	struct cfg_errors errs;
	unsigned int i;
	int rc;

	snprintf(b->cfg_path, sizeof(b->cfg_path), "/tmp/dpvs-bench-%d.conf", (int)getpid());
	snprintf(b->sock_path, sizeof(b->sock_path), "/tmp/dpvs-bench-%d.sock", (int)getpid());
	if (bench_write_config(b) != 0)
		return -1;
	memset(&errs, 0, sizeof(errs));
	rc = cfg_load(b->cfg_path, &t, &errs);
	if (rc != 0) {
		for (i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++) {
			char line[512];

			cfg_error_format(&errs.err[i], line, sizeof(line));
			fprintf(stderr, "bench: %s\n", line);
		}
		return -1;
	}
	if (bench_eal_start(b, t) != 0)
		return -1;
	if (job_set_role(0, JOB_ROLE_MASTER) != 0 || job_set_role(1, JOB_ROLE_FWD_WORKER) != 0)
		return -1;
	if (ctl_set_path(t->global.ctl_socket) != 0 || module_init_all() != 0)
		return -1;
	memset(&errs, 0, sizeof(errs));
	if (cfg_apply(t, false, &errs) != 0) {
		for (i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++) {
			char line[512];

			cfg_error_format(&errs.err[i], line, sizeof(line));
			fprintf(stderr, "bench: %s\n", line);
		}
		return -1;
	}
	cfg_set_running(t);
	b->tree = t;
	rte_eth_macaddr_get(b->port_id, &b->port_mac);
	/* The worker's loop serves the config messages, then stops: the
	 * benchmark drives its jobs itself afterwards. */
	if (job_launch_workers() != 0)
		return -1;
	rc = bench_add_service(b);
	job_request_stop();
	job_join_workers();
	return rc;
}

/* The EAL's runtime directory (/var/run/dpdk/<prefix>, ~2 MB of tmpfs
 * with --no-huge) stays after rte_eal_cleanup(): remove it. */
static void bench_runtime_dir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void bench_teardown(struct bench_ctx *b)
{
	char runtime_dir[PATH_MAX];

	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	module_term_all();
	cfg_set_running(NULL);
	cfg_free(b->tree);
	rte_eal_cleanup();
	if (strstr(runtime_dir, "dpvsbench"))
		bench_runtime_dir_remove(runtime_dir);
	unlink(b->cfg_path);
	unlink(b->sock_path);
}
