/*
 * ipvs/svc_cfg.h - the "services" config section (src/ipvs/svc_cfg.c):
 * virtual services, their real servers and FNAT local addresses declared
 * in dpvsd.conf, validated by the same checks as ipvsadm's requests
 * (svc.h), applied at start-up through the same master functions, and on
 * reload applied as the difference with undo (all or nothing).
 *
 * Ownership rule: the file owns the services it declares.  A reload makes
 * each declared service exactly what the file says (edited in place like
 * ipvsadm -E/-e, so its connections stay; a run-time change to it is
 * reverted), deletes the services the previous file declared and this one
 * does not, and leaves services added at run time and not declared alone.
 */
#ifndef DPVS_IPVS_SVC_CFG_H
#define DPVS_IPVS_SVC_CFG_H

#include <stdbool.h>
#include <stdint.h>
#include "ipvs/ipvs_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SVC_CFG_MAX_SVCS  1024u
#define SVC_CFG_MAX_DESTS 1024u	/* per service */

struct svc_cfg_svc {
	struct ipvs_wire_svc_conf conf;		/* normalised as the table stores it */
	bool owned;				/* declared by the file */
	unsigned int n_dests, n_laddrs;
	struct ipvs_wire_dest_conf *dests;	/* normalised (ipvs_dest_conf_check) */
	struct ipvs_wire_laddr_req *laddrs;
};

/* The staged section: services in file order. */
struct svc_cfg {
	unsigned int n;
	struct svc_cfg_svc *svc;
};

/* Index in c of the service with key k, or -1. */
int svc_cfg_find(const struct svc_cfg *c, const struct ipvs_wire_svc_key *k);

/* Whether the running table's service k is declared by the applied file
 * (false when nothing is applied).  Master only. */
bool svc_cfg_owns(const struct ipvs_wire_svc_key *k);

/* The section's ops (parse, apply, free, check, snapshot), for the unit
 * tests that drive the section without the other ones. */
struct cfg_section_ops;
const struct cfg_section_ops *svc_cfg_section(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_SVC_CFG_H */
