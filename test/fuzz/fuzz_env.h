/*
 * fuzz_env.h - the in-process daemon the libFuzzer targets share: the
 * configuration a fuzz target starts from, EAL + module table + config
 * applied exactly as main.c does it, and helpers to run code on the
 * forwarding worker (lcore 1) synchronously.
 */
#ifndef DPVSD_FUZZ_ENV_H
#define DPVSD_FUZZ_ENV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* IPv4 addresses of the fuzz topology (network order via inet_addr()). */
#define FUZZ_ADDR_PORT   "10.0.0.1"	/* dpdk0's address (client side) */
#define FUZZ_ADDR_LOCAL  "10.0.1.1"	/* dpdk0's second address (FNAT laddr) */
#define FUZZ_VIP_FNAT    "10.0.0.100"	/* TCP :80 FNAT, TCP :81 FNAT+PP2, UDP :53 FNAT */
#define FUZZ_VIP_NAT     "10.0.0.101"	/* TCP :80 NAT, UDP :53 NAT, UDP :443 NAT conhash
					 * hash-quic-cid */
#define FUZZ_CLIENT      "10.0.0.2"
#define FUZZ_RS1         "10.0.1.10"
#define FUZZ_RS2         "10.0.1.11"

/* Start the whole daemon in this process: write a config (the fixed one
 * above plus extra_conf), cfg_load, EAL, roles (lcore 0 master, lcore 1
 * and 2 fwd_workers), module_init_all, cfg_apply.  With services true the IPVS
 * services above are added through the master API while the worker loop
 * runs.  with_loops: leave the worker loop running on return (for ctl
 * fuzzing); otherwise the worker is idle and fuzz_on_worker() runs code
 * on it.  Exits the process on any failure (a fuzz harness cannot go on). */
void fuzz_env_up(const char *extra_conf, int services, int with_loops);

#define FUZZ_N_WORKERS 2	/* lcores 1 and 2, both on CPU 1: the harness runs
				 * one at a time while the main thread spins on CPU 0 */

/* Run fn(arg) on forwarding worker idx (0..FUZZ_N_WORKERS-1) and wait. */
void fuzz_on_worker(unsigned int idx, int (*fn)(void *), void *arg);

/* The lcore id of forwarding worker idx. */
unsigned int fuzz_worker_lcore(unsigned int idx);

/* A private temp directory made at start (removed at exit). */
const char *fuzz_tmpdir(void);

/* The test clock (µs) used by timers; fuzz targets advance it. */
void fuzz_clock_advance(uint64_t us);

#ifdef __cplusplus
}
#endif
#endif
