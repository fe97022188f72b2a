/*
 * capture.h - DPDK secondary processes (module "capture"): packet capture
 * with dpdk-dumpcap (the pdump server), port statistics with
 * dpdk-proc-info, dpdk-telemetry.py.
 *
 * They attach only to a primary whose memory and runtime files they can
 * map: eal.secondary_processes = true gives an EAL on hugepage files of a
 * mounted hugetlbfs (no --in-memory, no --no-huge) under the EAL file
 * prefix; then this module runs rte_pdump_init() at start and
 * rte_pdump_uninit() at stop, and main removes the prefix's hugepage
 * files after rte_eal_cleanup() (the EAL leaves them; --huge-unlink
 * would remove them at start-up, which secondaries cannot live with).
 *
 * Ownership: master only (start-up and stop); the pdump callbacks that a
 * capture installs run on the forwarding lcores inside DPDK.
 */
#ifndef DPVS_CAPTURE_H
#define DPVS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Say whether the EAL runs shared (eal.secondary_processes), before
 * capture_init().  Master, before module_init_all(). */
void capture_set_shared(bool shared);

/* Module init: with the shared EAL, rte_pdump_init() (the server that
 * dpdk-dumpcap asks to install capture callbacks on a port).  0, or
 * EDPVS_IO (logged) when it fails, e.g. the EAL's multi-process channel
 * is off.  Master, after rte_eal_init(). */
int capture_init(void);

/* Module term: rte_pdump_uninit() when capture_init() ran it. Master. */
void capture_term(void);

/* Is a hugetlbfs mounted (/proc/mounts)?  The mount point of the first
 * into dir (dir may be NULL).  Any thread. */
bool capture_hugetlbfs_mounted(char *dir, size_t len);

/* Remove the hugepage map files of EAL file prefix prefix
 * (<mount>/<prefix>map_<N>) from every mounted hugetlbfs; returns how
 * many.  Master, after rte_eal_cleanup(): the EAL leaves them. */
unsigned int capture_hugefiles_remove(const char *prefix);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CAPTURE_H */
