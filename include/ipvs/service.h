/*
 * ipvs/service.h - the IPVS data model: virtual services and their real
 * servers (destinations), as each forwarding lcore sees them.
 *
 * Owner: H6 (model and helpers, src/ipvs/svc_model.c).  Service management
 * on the master, publication to the workers and the ctl handlers are H7's
 * (they create, edit and delete these objects through the helpers below);
 * the datapath (H8) reads them.
 *
 * Ownership: every FWD_WORKER owns its own copy of each service and of its
 * destinations (contracts.md).  A copy is written and read only by the lcore
 * that owns it (when it handles H7's config message, or per packet), so no
 * field needs a lock or an atomic.  The master may keep its own copies built
 * with the same helpers (they never touch another lcore's objects).
 *
 * Lifetime:
 *   - A service is reference counted: one reference for whoever holds it in
 *     a lookup table (H7) and one per destination object that still points
 *     at it (attached or detached-but-alive).  svc_put() frees it at zero.
 *   - A destination is reference counted by its connections (and templates)
 *     plus one reference while it is attached to its service.  Deleting a
 *     dest detaches it at once (no new conns are scheduled to it) and it is
 *     freed when its last conn ends (dest_put()).
 *
 * The helpers allocate with calloc()/free(): they run on the control path
 * (message handlers) or, for the final dest_put(), when a conn expires -
 * never per packet otherwise.
 */
#ifndef DPVS_IPVS_SERVICE_H
#define DPVS_IPVS_SERVICE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- addresses ---- */

#ifndef DPVS_UNION_INET_ADDR_DEFINED
#define DPVS_UNION_INET_ADDR_DEFINED
/* An IPv4 or IPv6 address, network byte order.  For AF_INET only in4 is
 * meaningful and the rest must be zero (the helpers below compare all 16
 * bytes for AF_INET6 and 4 bytes for AF_INET). */
union inet_addr {
	uint32_t in4;		/* AF_INET, network order */
	uint8_t  in6[16];	/* AF_INET6 */
	uint32_t in6_32[4];	/* AF_INET6 as words, for fast compares */
};
#endif
static_assert(sizeof(union inet_addr) == 16, "union inet_addr is 16 bytes");

/* Equality of two addresses of family af (AF_INET or AF_INET6). */
static inline bool inet_addr_equal(int af, const union inet_addr *a, const union inet_addr *b)
{
	if (af == AF_INET)
		return a->in4 == b->in4;
	return ((a->in6_32[0] ^ b->in6_32[0]) | (a->in6_32[1] ^ b->in6_32[1]) |
		(a->in6_32[2] ^ b->in6_32[2]) | (a->in6_32[3] ^ b->in6_32[3])) == 0;
}

/* Compare two addresses as big-endian numbers (memcmp order): <0, 0, >0. */
static inline int inet_addr_cmp(int af, const union inet_addr *a, const union inet_addr *b)
{
	return memcmp(a, b, af == AF_INET ? 4 : 16);
}

/* Apply a mask: AF_INET uses netmask4 (network order), AF_INET6 uses plen6
 * (prefix length 0..128).  out may equal in. */
void inet_addr_mask(int af, const union inet_addr *in, uint32_t netmask4, uint8_t plen6,
		    union inet_addr *out);

/* ---- counters ---- */

/* Counters of one service or dest on one lcore (summed by H7 for -L --stats). */
struct ipvs_stats {
	uint64_t conns;		/* connections scheduled */
	uint64_t inpkts;	/* client -> real server */
	uint64_t outpkts;	/* real server -> client */
	uint64_t inbytes;
	uint64_t outbytes;
};

/* ---- destinations (real servers) ---- */

enum ipvs_fwd_mode {
	IPVS_FWD_FNAT = 0,	/* full NAT: src -> local address, dst -> RS */
	IPVS_FWD_NAT,		/* DNAT: dst -> RS; replies route back through us */
	IPVS_FWD_DR,		/* direct routing: rewrite the MAC only */
	IPVS_FWD_TUNNEL,	/* IPIP to the RS */
	IPVS_FWD_MAX,
};

/* Name of a forwarding mode ("fnat", "nat", "dr", "tunnel"), "?" if bad. */
const char *ipvs_fwd_mode_name(enum ipvs_fwd_mode m);

/* dest flags */
#define DEST_F_AVAILABLE  0x0001u	/* attached to its service (cleared on delete) */
#define DEST_F_OVERLOAD   0x0002u	/* conns >= upper threshold: no new conns */

struct ipvs_service;

struct ipvs_dest {
	union inet_addr addr;		/* real server address */
	uint16_t port;			/* network order */
	uint8_t af;			/* AF_INET / AF_INET6 */
	uint8_t fwd;			/* enum ipvs_fwd_mode */
	int32_t weight;			/* 0..65535; 0 = quiesced (no new conns) */
	uint8_t tun_type;		/* TUNNEL: enum ipvs_wire_tun_type (IPIP/GUE/GRE) */
	uint8_t tun_flags;		/* TUNNEL: IPVS_WIRE_TUN_F_* */
	uint16_t tun_port;		/* TUNNEL GUE: UDP destination port, network order */
	uint32_t flags;			/* DEST_F_* */
	uint32_t u_threshold;		/* upper conn limit, 0 = none */
	uint32_t l_threshold;		/* overload clears below this (0: 3/4 of upper) */
	uint32_t active_conns;		/* conns in an "active" state (TCP established) */
	uint32_t inactive_conns;	/* other conns (not templates) */
	uint32_t persist_conns;		/* persistence templates pointing here */
	uint32_t refcnt;		/* conns + templates + 1 while attached */
	struct ipvs_service *svc;	/* owning service (holds a reference) */
	struct ipvs_stats stats;	/* this lcore's counters */
	void *fwd_priv;			/* datapath (H8) per-dest state, e.g. cached route */
	void (*fwd_priv_free)(void *);	/* called on fwd_priv when the dest is freed */
};

/* May the scheduler pick d for a new connection?  (Attached, weight > 0, not
 * overloaded.) */
static inline bool dest_usable(const struct ipvs_dest *d)
{
	return (d->flags & (DEST_F_AVAILABLE | DEST_F_OVERLOAD)) == DEST_F_AVAILABLE &&
	       d->weight > 0;
}

/* Conns counted against the thresholds (active + inactive). */
static inline uint32_t dest_total_conns(const struct ipvs_dest *d)
{
	return d->active_conns + d->inactive_conns;
}

/* Recompute DEST_F_OVERLOAD from the counters and thresholds: set when
 * u_threshold != 0 and conns >= u_threshold; cleared when conns fall below
 * l_threshold (or below 3/4 of u_threshold when l_threshold is 0), or when
 * u_threshold is 0.  Call after changing counters or thresholds. */
static inline void dest_update_overload(struct ipvs_dest *d)
{
	uint32_t n = dest_total_conns(d);
	uint32_t low;

	if (d->u_threshold == 0) {
		d->flags &= ~DEST_F_OVERLOAD;
		return;
	}
	if (n >= d->u_threshold) {
		d->flags |= DEST_F_OVERLOAD;
		return;
	}
	low = d->l_threshold ? d->l_threshold : (d->u_threshold * 3u) / 4u;
	if (n < low || low == 0)
		d->flags &= ~DEST_F_OVERLOAD;
}

/* Allocate a dest (refcnt 0, not attached, zeroed stats).  NULL on ENOMEM.
 * port network order.  Any lcore, control path. */
struct ipvs_dest *dest_alloc(int af, const union inet_addr *addr, uint16_t port,
			     enum ipvs_fwd_mode fwd, int32_t weight);

/* Take / drop a reference.  dest_put() frees the dest (and drops its
 * service reference) when the count reaches 0.  Owner lcore only. */
static inline void dest_hold(struct ipvs_dest *d)
{
	d->refcnt++;
}
void dest_put(struct ipvs_dest *d);

/* ---- services ---- */

/* service flags (IPVS's -p, plus dpvsd's own) */
#define SVC_F_PERSISTENT   0x0001u	/* -p: persistence templates */
#define SVC_F_HASHED       0x0002u	/* in the owner's lookup table (H7) */
#define SVC_F_ONEPACKET    0x0004u	/* -o: UDP one-packet scheduling */
#define SVC_F_SCHED_FALLBACK 0x0010u	/* sh/dh/mh: if the hashed dest is unusable, try the next */
#define SVC_F_SCHED_PORT   0x0020u	/* sh/mh: hash source port too */
#define SVC_F_PROXY_PROTO  0x0100u	/* FNAT: send proxy protocol v2 (H8) */
#define SVC_F_TOA          0x0200u	/* FNAT: insert TOA option (H8) */

/* conhash key (svc->conhash_key) */
enum sched_hash_key {
	SCHED_KEY_SIP = 0,	/* source address */
	SCHED_KEY_SIP_SPORT,	/* source address and port */
	SCHED_KEY_QUIC_CID,	/* QUIC destination connection id (falls back to sip) */
	SCHED_KEY_MAX,
};

/* FNAT local address (placeholder owned by H7/H8: H7 fills the array, H8
 * allocates ports from it). */
struct ipvs_laddr {
	union inet_addr addr;
	uint8_t af;
	uint8_t pad[3];
	uint32_t conns;		/* conns using it on this lcore */
	void *priv;		/* H8: per-lcore port allocator state */
	uint64_t conflicts;	/* FNAT: new conns that found no free local port
				 * toward their server (ipvsadm -G Conflicts) */
};

struct sched_ops;

struct ipvs_service {
	/* key */
	uint8_t af;			/* AF_INET / AF_INET6 */
	uint8_t proto;			/* IPPROTO_TCP / UDP / SCTP; 0 for fwmark */
	uint16_t vport;			/* network order */
	union inet_addr vaddr;
	uint32_t fwmark;		/* non-zero: fwmark service (vaddr/vport unused) */

	uint32_t flags;			/* SVC_F_* */
	uint32_t timeout;		/* persistence timeout, seconds (-p) */
	uint32_t netmask;		/* persistence netmask, AF_INET, network order (-M) */
	uint8_t plen6;			/* persistence prefix length, AF_INET6 */
	uint8_t conhash_key;		/* enum sched_hash_key, for conhash */
	uint16_t conhash_vnodes;	/* conhash ring points of the lightest dest, 0: default */
	uint32_t mh_table_size;		/* Maglev table size (prime), 0: config default */

	/* scheduler (bound by sched_bind()) */
	const struct sched_ops *sched;
	void *sched_data;		/* scheduler private state */

	/* attached dests, in the order they were added */
	struct ipvs_dest **dests;
	uint32_t n_dests;
	uint32_t cap_dests;

	/* FNAT local addresses (H7/H8) */
	struct ipvs_laddr *laddrs;
	uint32_t n_laddrs;
	uint32_t laddr_next;		/* round-robin cursor for H8 */

	uint32_t refcnt;		/* table + dest objects */
	uint32_t lcore_id;		/* owner (informational) */
	struct ipvs_stats stats;	/* this lcore's counters */
	void *priv;			/* H7: hash-table linkage or similar */
};

/* Allocate a service (refcnt 1, no dests, no scheduler).  Key fields are set
 * from the arguments; port network order.  NULL on ENOMEM.  Control path. */
struct ipvs_service *svc_alloc(int af, uint8_t proto, const union inet_addr *vaddr,
			       uint16_t vport, uint32_t fwmark);

/* Take / drop a reference.  At zero svc_put() unbinds the scheduler, frees the
 * dest array, the laddr array and the service.  It must not have attached
 * dests then (svc_flush_dests() first).  Owner lcore only. */
static inline void svc_hold(struct ipvs_service *svc)
{
	svc->refcnt++;
}
void svc_put(struct ipvs_service *svc);

/* Attach dest d to svc: appends it, takes a dest reference and a service
 * reference, sets DEST_F_AVAILABLE and calls the scheduler's
 * update_service.  EDPVS_EXIST if the same addr:port is attached,
 * EDPVS_NOMEM, or the scheduler's error (then nothing changed). */
int svc_dest_attach(struct ipvs_service *svc, struct ipvs_dest *d);

/* Detach d from svc: removes it from the array, clears DEST_F_AVAILABLE,
 * calls update_service and drops the attach reference (d may be freed here
 * if no conn uses it).  EDPVS_NOTEXIST if d is not attached. */
int svc_dest_detach(struct ipvs_service *svc, struct ipvs_dest *d);

/* Detach every dest (svc deletion). */
void svc_flush_dests(struct ipvs_service *svc);

/* Find an attached dest by address and port (network order); NULL if none. */
struct ipvs_dest *svc_dest_find(const struct ipvs_service *svc, const union inet_addr *addr,
				uint16_t port);

/* Edit a dest's weight/thresholds/fwd mode in place (-e) and tell the
 * scheduler.  Existing conns keep their dest and mode.  Returns the
 * scheduler's update status. */
int svc_dest_edit(struct ipvs_service *svc, struct ipvs_dest *d, int32_t weight,
		  uint32_t u_threshold, uint32_t l_threshold);

/* Tell the scheduler that dests or their weights changed (H7 calls it after
 * editing fields directly).  0 or the scheduler's error. */
int svc_sched_update(struct ipvs_service *svc);

/* Persistence key: the client address masked with the service netmask. */
static inline void svc_persist_addr(const struct ipvs_service *svc, const union inet_addr *caddr,
				    union inet_addr *out)
{
	inet_addr_mask(svc->af, caddr, svc->netmask, svc->plen6, out);
}

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_SERVICE_H */
