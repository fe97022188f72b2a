/*
 * ipvs_stats_wire.h - the IPVS datapath counters on the control socket
 * (dpvsd src/ipvs/ipvs_stats_ctl.c, `dpip ipvs stats`), in
 * CTL_OP_IPVS_BASE + 0x90..0x9f.
 *
 * The reply is a flat array of named counters, one record per (forwarding
 * lcore, counter), grouped "ipvs" (struct ipvs_lcore_stats: the hook) and
 * "xmit" (struct xmit_lcore_stats: the forwarding modes), lcores in
 * FWD_WORKER order, counters in a fixed order per group.  Names let the
 * daemon add counters without a new tool.
 */
#ifndef DPVS_IPVS_STATS_WIRE_H
#define DPVS_IPVS_STATS_WIRE_H

#include <stdint.h>
#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ipvs_stats_opcode {
	/* req: none.  reply: n struct ipvs_stat_wire (read-only). */
	IPVS_STATS_OP_GET = CTL_OP_IPVS_BASE + 0x90,
};

#define IPVS_STAT_GROUP_LEN 8
#define IPVS_STAT_NAME_LEN  24

struct ipvs_stat_wire {
	uint32_t lcore;				/* lcore id */
	uint32_t pad;				/* 0 */
	char group[IPVS_STAT_GROUP_LEN];	/* "ipvs" or "xmit", NUL-padded */
	char name[IPVS_STAT_NAME_LEN];		/* NUL-padded */
	uint64_t value;
};
_Static_assert(sizeof(struct ipvs_stat_wire) == 48, "ipvs_stat_wire is 48 bytes");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_STATS_WIRE_H */
