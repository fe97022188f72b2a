/*
 * ipvs/svc.h - virtual service management (H7): the master's authoritative
 * table of services, real servers and FNAT local addresses, its validation,
 * its publication to the forwarding lcores, and the per-lcore service
 * tables the datapath looks up.
 *
 * Publication: per-lcore copies built from messages (contracts.md).  The
 * master validates a change completely, records it in its own table, then
 * sends it with msg_multicast_sync() to every FWD_WORKER; each worker
 * applies it to its own struct ipvs_service objects (service.h helpers)
 * and its scheduler's update_service runs there.  If a worker fails (out
 * of memory, timeout) the change is undone everywhere and the request
 * fails.  A worker's table is read and written only by that worker, so
 * ipvs_svc_lookup() takes no lock and touches no shared cache line.
 *
 * Files: src/ipvs/svc.c (master table, validation, publication, rate
 * estimator), src/ipvs/svc_lcore.c (per-lcore tables, lookup, message
 * handlers), src/ipvs/laddr.c (local address pools), src/ipvs/svc_ctl.c
 * (control requests of include/ipvs/ipvs_wire.h).
 */
#ifndef DPVS_IPVS_SVC_H
#define DPVS_IPVS_SVC_H

#include <stddef.h>
#include <stdint.h>
#include "ipvs/service.h"
#include "ipvs/ipvs_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- datapath (any FWD_WORKER, per packet) ---- */

/*
 * The service a packet belongs to, in the calling lcore's table: with
 * fwmark != 0 the fwmark service of that family first, then the service
 * (af, proto, vaddr, vport), then a persistent port-zero service (af,
 * proto, vaddr, 0).  vport in network order.  NULL if none.  No lock, no
 * allocation; the pointer stays valid until this lcore handles its next
 * control message.
 */
struct ipvs_service *ipvs_svc_lookup(int af, uint8_t proto, const union inet_addr *vaddr,
				     uint16_t vport, uint32_t fwmark);

/*
 * Hook the datapath may set (master, before the loops) to release what it
 * keeps in struct ipvs_laddr.priv (e.g. a port allocator).  Called on the
 * owner lcore when a local address leaves a service (laddr delete, service
 * delete, flush), before the array entry is overwritten.  Connections that
 * still use ports of that address keep running; the hook must not free
 * state they will need on release.
 */
typedef void (*ipvs_laddr_release_fn)(struct ipvs_service *svc, struct ipvs_laddr *la);
void ipvs_laddr_set_release_hook(ipvs_laddr_release_fn fn);

/* ---- master API (MASTER lcore, control path; may block on workers) ----
 *
 * Every function returns 0 or an EDPVS_* code and, when errmsg is not NULL,
 * writes an ipvsadm-style message there ("Service not defined", ...):
 *   EDPVS_INVAL / EDPVS_RANGE  malformed or out-of-range field
 *   EDPVS_NOTSUPP  IPv6 service, "Local" forwarding
 *   EDPVS_NOTEXIST no such service / real server / local address, or
 *                  unknown scheduler (add/edit)
 *   EDPVS_EXIST    already there
 *   EDPVS_NOMEM, EDPVS_TIMEOUT (a worker failed; the change was undone)
 */

#define IPVS_SVC_ERRLEN 128

/* Field checks alone (no table access); used by the handlers and tests. */
int ipvs_svc_key_check(const struct ipvs_wire_svc_key *k, char *errmsg);
int ipvs_svc_conf_check(const struct ipvs_wire_svc_conf *c, char *errmsg);
int ipvs_dest_conf_check(const struct ipvs_wire_svc_key *svc, struct ipvs_wire_dest_conf *d,
			 char *errmsg);	/* normalises d->port for DR/TUNNEL */
/* The fields of a local address request alone (not whether ifname is a
 * port: the config file is checked before ports exist). */
int ipvs_laddr_req_check(const struct ipvs_wire_laddr_req *r, char *errmsg);
/* What add/edit store for c: persistence fields cleared without
 * persistence, the default netmask.  So c compares with the table's. */
void ipvs_svc_conf_normalise(struct ipvs_wire_svc_conf *c);

int ipvs_svc_add(const struct ipvs_wire_svc_conf *c, char *errmsg);
/* -E: replace scheduler, flags, persistence; dests and conns stay. */
int ipvs_svc_edit(const struct ipvs_wire_svc_conf *c, char *errmsg);
/* Delete a service; its conns run until they expire. */
int ipvs_svc_del(const struct ipvs_wire_svc_key *k, char *errmsg);
int ipvs_svc_flush(char *errmsg);

int ipvs_dest_add(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *d,
		  char *errmsg);
/* -e: weight (0 quiesces), thresholds, forwarding method; conns stay. */
int ipvs_dest_edit(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *d,
		   char *errmsg);
int ipvs_dest_del(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *d,
		  char *errmsg);

/* FNAT local addresses of a service (src/ipvs/laddr.c). */
#define IPVS_LADDR_MAX 64u	/* per service */
int ipvs_laddr_add(const struct ipvs_wire_laddr_req *r, char *errmsg);
int ipvs_laddr_del(const struct ipvs_wire_laddr_req *r, char *errmsg);

/* IPVS_WIRE_LADDR_W_* for a (valid) local address request: not one of
 * dpvsd's addresses (inet_addr.h), or on another port than r->ifname's.
 * The address is accepted either way (it may be configured later); the
 * reply and a log line warn.  Master only. */
uint32_t ipvs_laddr_warnings(const struct ipvs_wire_laddr_req *r);

/* Zero the counters of one service (k) or of all (k NULL). */
int ipvs_svc_zero(const struct ipvs_wire_svc_key *k, char *errmsg);

/* Number of services in the master's table. */
unsigned int ipvs_svc_count(void);

/* Copy the configuration of service k (its conf, n_dests dests up to max,
 * n_laddrs) from the master's table; EDPVS_NOTEXIST if none.  For tests and
 * diagnostics. */
int ipvs_svc_get_conf(const struct ipvs_wire_svc_key *k, struct ipvs_wire_svc_conf *conf,
		      struct ipvs_wire_dest_conf *dests, unsigned int max, unsigned int *n_dests,
		      unsigned int *n_laddrs);

/* Module (src/modules.c "ipvs_svc"): message types, control requests, rate
 * estimator.  Master. */
int ipvs_svc_init(void);
void ipvs_svc_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_SVC_H */
