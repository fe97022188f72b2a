/*
 * ipvs_stats.h - module "ipvs_stats" (src/ipvs/ipvs_stats_ctl.c): serves
 * the per-lcore IPVS datapath counters (ipvs.h, xmit.h) on the control
 * socket; payloads in ipvs_stats_wire.h.
 */
#ifndef DPVS_IPVS_STATS_H
#define DPVS_IPVS_STATS_H

#include "ipvs/ipvs_stats_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Register / unregister IPVS_STATS_OP_GET.  Master, once; init returns
 * ctl_register()'s error (EDPVS_EXIST if the opcode is taken). */
int ipvs_stats_ctl_init(void);
void ipvs_stats_ctl_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_STATS_H */
