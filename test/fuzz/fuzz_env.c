/*
 * fuzz_env.c - brings the daemon up inside a libFuzzer process the way
 * main.c does (config file -> EAL -> roles -> modules -> apply), with one
 * net_ring port, two addresses, static neighbours and a small conn table,
 * plus FNAT and NAT services added through the master API.  Owned by the
 * fuzz targets (test/fuzz/); not part of the daemon.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "cfg.h"
#include "ctl.h"
#include "dpvs_err.h"
#include "job.h"
#include "module.h"
#include "timer.h"
#include "ipvs/ipvs_wire.h"
#include "ipvs/svc.h"
#include "fuzz_env.h"

static char fuzz_dir[64];
static char fuzz_runtime_dir[256];	/* the EAL's, removed at exit too */
static uint64_t fuzz_clock_us = 1000000;

static uint64_t fuzz_clock(void)
{
	return fuzz_clock_us;
}

void fuzz_clock_advance(uint64_t us)
{
	fuzz_clock_us += us;
}

const char *fuzz_tmpdir(void)
{
	return fuzz_dir;
}

static void fuzz_die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_env: %s failed: %d (%s)\n", what, rc, dpvs_strerror(rc));
	exit(1);
}

static void fuzz_cleanup(void)
{
	char cmd[512];

	if (fuzz_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", fuzz_dir, fuzz_runtime_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_env: cannot remove %s\n", fuzz_dir);
}

static void fuzz_write_conf(const char *path, const char *extra)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fuzz_die("fopen config", EDPVS_IO);
	fprintf(f,
		"global = { log_level = \"emerg\"; pid_file = \"%s/pid\";\n"
		"  ctl_socket = \"%s/sock\"; };\n"
		"eal = { file_prefix = \"dpvsd-fuzz-%d\"; hugepages = \"no\";\n"
		"  extra_args = [ \"--log-level=lib.*:emerg\" ]; };\n"
		"lcores = ( { id = 0; role = \"master\"; }, { id = 1; role = \"fwd_worker\"; },\n"
		"  { id = 2; role = \"fwd_worker\"; cpu = 1; } );\n"
		"netif = { pool = { mbufs = 4095; cache = 32; };\n"
		"  ports = ( { name = \"dpdk0\"; vdev = \"net_ring0\"; } ); };\n"
		"inet = { ipv4_forward = true;\n"
		"  addresses = ( { dev = \"dpdk0\"; addr = \"" FUZZ_ADDR_PORT "/24\"; },\n"
		"                { dev = \"dpdk0\"; addr = \"" FUZZ_ADDR_LOCAL "/24\"; } );\n"
		"  neighbours = ( { dev = \"dpdk0\"; addr = \"" FUZZ_CLIENT "\"; lladdr = \"02:00:00:00:00:02\"; },\n"
		"    { dev = \"dpdk0\"; addr = \"" FUZZ_RS1 "\"; lladdr = \"02:00:00:00:00:10\"; },\n"
		"    { dev = \"dpdk0\"; addr = \"" FUZZ_RS2 "\"; lladdr = \"02:00:00:00:00:11\"; } ); };\n"
		"ipvs = { conn_max = 256; maglev_table_size = 251;\n"
		"  timeouts = { none = 1; established = 5; syn_recv = 3; fin_wait = 2;\n"
		"    time_wait = 2; close = 1; udp = 3; }; };\n"
		"%s\n", fuzz_dir, fuzz_dir, (int)getpid(), extra ? extra : "");
	fclose(f);
}

static void fuzz_eal(const struct cfg_tree *t)
{
	struct cfg_eal_args a;
	char *argv[CFG_MAX_EAL_ARGS];
	int argc = cfg_build_eal_args(t, 0, NULL, &a);

	if (argc < 0)
		fuzz_die("cfg_build_eal_args", argc);
	memcpy(argv, a.argv, sizeof(argv));
	if (rte_eal_init(argc, argv) < 0)
		fuzz_die("rte_eal_init", EDPVS_IO);
	cfg_eal_args_free(&a);
	snprintf(fuzz_runtime_dir, sizeof(fuzz_runtime_dir), "%s", rte_eal_get_runtime_dir());
}

static struct ipvs_wire_svc_key fuzz_key(const char *vip, uint8_t proto, uint16_t port)
{
	struct ipvs_wire_svc_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.proto = proto;
	k.port = port;
	k.addr.in4 = inet_addr(vip);
	return k;
}

static void fuzz_service(const char *vip, uint8_t proto, uint16_t port, uint8_t fwd, uint8_t pp)
{
	struct ipvs_wire_svc_conf c;
	struct ipvs_wire_dest_conf d;
	struct ipvs_wire_laddr_req l;
	char err[256];
	const char *rs[] = { FUZZ_RS1, FUZZ_RS2 };
	unsigned int i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.key = fuzz_key(vip, proto, port);
	snprintf(c.sched, sizeof(c.sched), "%s",
		 port == 53 ? "mh" : port == 443 ? "conhash" : "rr");
	if (port == 443)	/* the QUIC connection id parser (ipvs_pkt.c) */
		c.sched_flags = IPVS_WIRE_HASH_QUIC_CID << IPVS_WIRE_SCHED_F_KEY_SHIFT;
	c.proxy_protocol = pp;
	rc = ipvs_svc_add(&c, err);
	if (rc != 0)
		fuzz_die(err, rc);
	for (i = 0; i < 2; i++) {
		memset(&d, 0, sizeof(d));
		d.af = AF_INET;
		d.addr.in4 = inet_addr(rs[i]);
		d.port = 8080;
		d.fwd = fwd;
		d.weight = 1 + i;
		rc = ipvs_dest_add(&c.key, &d, err);
		if (rc != 0)
			fuzz_die(err, rc);
	}
	if (fwd != IPVS_WIRE_FWD_FNAT)
		return;
	memset(&l, 0, sizeof(l));
	l.svc = c.key;
	l.af = AF_INET;
	l.addr.in4 = inet_addr(FUZZ_ADDR_LOCAL);
	rc = ipvs_laddr_add(&l, err);
	if (rc != 0)
		fuzz_die(err, rc);
}

static void fuzz_services(void)
{
	int rc = job_launch_workers();

	if (rc != 0)
		fuzz_die("job_launch_workers", rc);
	fuzz_service(FUZZ_VIP_FNAT, IPPROTO_TCP, 80, IPVS_WIRE_FWD_FNAT, 0);
	fuzz_service(FUZZ_VIP_FNAT, IPPROTO_TCP, 81, IPVS_WIRE_FWD_FNAT, IPVS_WIRE_PP_V2);
	fuzz_service(FUZZ_VIP_FNAT, IPPROTO_UDP, 53, IPVS_WIRE_FWD_FNAT, 0);
	fuzz_service(FUZZ_VIP_NAT, IPPROTO_TCP, 80, IPVS_WIRE_FWD_MASQ, 0);
	fuzz_service(FUZZ_VIP_NAT, IPPROTO_UDP, 53, IPVS_WIRE_FWD_MASQ, 0);
	fuzz_service(FUZZ_VIP_NAT, IPPROTO_UDP, 443, IPVS_WIRE_FWD_MASQ, 0);
	fuzz_service(FUZZ_VIP_FNAT, IPPROTO_SCTP, 3868, IPVS_WIRE_FWD_FNAT, 0);
	fuzz_service(FUZZ_VIP_NAT, IPPROTO_SCTP, 3868, IPVS_WIRE_FWD_MASQ, 0);
	rc = job_join_workers();
	if (rc != 0)
		fuzz_die("job_join_workers", rc);
}

void fuzz_env_up(const char *extra_conf, int services, int with_loops)
{
	struct cfg_errors errs;
	struct cfg_tree *t = NULL;
	char conf[128];
	unsigned int i;
	int rc;

	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/dpvsd-fuzz-XXXXXX");
	if (!mkdtemp(fuzz_dir))
		fuzz_die("mkdtemp", EDPVS_IO);
	atexit(fuzz_cleanup);
	snprintf(conf, sizeof(conf), "%s/dpvsd.conf", fuzz_dir);
	fuzz_write_conf(conf, extra_conf);
	rc = cfg_load(conf, &t, &errs);
	if (rc != 0) {
		char line[512];

		for (i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++) {
			cfg_error_format(&errs.err[i], line, sizeof(line));
			fprintf(stderr, "%s\n", line);
		}
		fuzz_die("cfg_load", rc);
	}
	fuzz_eal(t);
	for (i = 0; i < t->n_lcores; i++)
		job_set_role(t->lcores[i].id, (enum job_role)t->lcores[i].role);
	timer_set_clock(fuzz_clock);
	ctl_set_path(t->global.ctl_socket);
	rc = module_init_all();
	if (rc != 0)
		fuzz_die("module_init_all", rc);
	rc = cfg_apply(t, false, &errs);
	if (rc != 0)
		fuzz_die("cfg_apply", rc);
	cfg_set_running(t);
	if (services)
		fuzz_services();
	if (with_loops) {
		rc = job_launch_workers();
		if (rc != 0)
			fuzz_die("job_launch_workers", rc);
	}
}

void fuzz_on_worker(unsigned int idx, int (*fn)(void *), void *arg)
{
	unsigned int lcore = fuzz_worker_lcore(idx);

	if (rte_eal_remote_launch(fn, arg, lcore) != 0)
		fuzz_die("rte_eal_remote_launch", EDPVS_BUSY);
	rte_eal_wait_lcore(lcore);
}

unsigned int fuzz_worker_lcore(unsigned int idx)
{
	return job_role_lcore(JOB_ROLE_FWD_WORKER, idx % FUZZ_N_WORKERS);
}

/* Leaks that are not dpvsd's: libconfig's lexer loses its string buffer
 * on unterminated strings (libconfig 1.5, Debian 12). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* Quiet: the suppressed libconfig leaks would be listed after every input
 * that triggers them. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
