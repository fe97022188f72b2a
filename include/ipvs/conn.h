/*
 * ipvs/conn.h - per-lcore IPVS connection tables.  Owner: H6
 * (src/ipvs/conn.c; the "ipvs" config section and module in
 * src/ipvs/ipvs_cfg.c).
 *
 * Share nothing: every FWD_WORKER owns one struct conn_table (a pre-allocated
 * pool of struct ipvs_conn plus one hash) and is the only lcore that touches
 * it, its conns and their timers.  No lock, no atomic, no allocation per
 * packet.
 *
 * Both directions of a conn are in the same hash: each conn embeds two
 * tuple nodes (32-bit chain links, node id = conn index * 2 + direction):
 *   CONN_DIR_IN   client -> VIP:        (caddr, cport) -> (vaddr, vport)
 *   CONN_DIR_OUT  real server -> back:  (daddr, dport) -> (laddr, lport)
 * where laddr:lport is the FNAT local address, or the client for NAT/DR/
 * TUNNEL (set laddr = caddr, lport = cport in struct conn_param then).
 * A lookup with a packet's (saddr, sport, daddr, dport) finds either.
 *
 * Every conn has a timer (timer.h) on its lcore's wheel; when it fires the
 * conn is unhashed, its dest reference dropped, and it returns to the pool.
 * Its timeout is the protocol's per-state timeout (proto.h), or the
 * service's persistence timeout for a template.
 *
 * Persistence templates are conns flagged CONN_F_TEMPLATE, keyed by
 * (client address masked with the service netmask, cport 0, vaddr or
 * fwmark, vport), hashed in the inbound direction only.  They hold the
 * chosen dest (kept while that dest is attached, weight 0 included, unless
 * expire_quiescent_template is on); a conn created through a template "is
 * controlled" by it and the template does not expire while it controls
 * conns.
 */
#ifndef DPVS_IPVS_CONN_H
#define DPVS_IPVS_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include "timer.h"
#include "ipvs/service.h"

#ifdef __cplusplus
extern "C" {
#endif

enum conn_dir {
	CONN_DIR_IN = 0,	/* client -> VIP */
	CONN_DIR_OUT = 1,	/* real server -> client / local address */
	CONN_DIR_MAX,
};

/* conn flags */
#define CONN_F_INUSE     0x0001u	/* allocated from the pool */
#define CONN_F_HASHED    0x0002u	/* in the hash */
#define CONN_F_TEMPLATE  0x0004u	/* persistence template */
#define CONN_F_NO_OUT    0x0008u	/* outbound tuple not hashed (templates) */
#define CONN_F_IN_ONLY   0x0010u	/* DR/TUNNEL: replies bypass us (state by PROTO_DIR_IN_ONLY) */
#define CONN_F_ONEPACKET 0x0020u	/* UDP one-packet scheduling: expire after the first packet */
#define CONN_F_DEAD      0x0040u	/* template deleted while controlling conns (private) */
#define CONN_F_XMIT0     0x0100u	/* free bits for the datapath (H8) */
#define CONN_F_XMIT1     0x0200u
#define CONN_F_XMIT2     0x0400u
#define CONN_F_XMIT3     0x0800u

#define CONN_IDX_NONE UINT32_MAX

struct xmit_ops;	/* H8: include/ipvs/xmit.h */

/*
 * One connection.  Written only by the owner lcore.  Field order keeps what
 * a hash compare reads (links, flags, af, proto, addresses, ports) in the
 * first 96 bytes.  Size: see CONN_SIZE (152 bytes with both hash nodes and
 * the timer).
 */
struct ipvs_conn {
	uint32_t hnext[CONN_DIR_MAX];	/* hash chain links (node ids), private */
	uint16_t flags;			/* CONN_F_* */
	uint8_t af;			/* AF_INET / AF_INET6 */
	uint8_t proto;			/* IPPROTO_TCP / UDP (0: fwmark template) */
	union inet_addr caddr;		/* client */
	union inet_addr vaddr;		/* virtual (or fwmark as in4, templates) */
	union inet_addr laddr;		/* FNAT local address; client otherwise */
	union inet_addr daddr;		/* real server */
	uint16_t cport, vport, lport, dport;	/* network order */
	uint8_t state;			/* protocol state (proto.h) */
	uint8_t fwd;			/* enum ipvs_fwd_mode */
	uint16_t xmit_priv16;		/* datapath scratch (H8) */
	uint32_t ctrl;			/* index of the controlling template, CONN_IDX_NONE */
	union {
		uint32_t xmit_priv32;	/* conns: datapath scratch, e.g. seq delta (H8) */
		uint32_t n_control;	/* templates: conns it controls */
	};
	struct ipvs_dest *dest;		/* holds a dest reference */
	struct timer_entry timer;	/* expiry, on the owner lcore's wheel */
};	/* the forwarding ops are xmit_ops_get(fwd) (H8): no pointer per conn */

/* Bytes per connection including both hash nodes and the timer (the hash
 * bucket array adds 4 bytes per bucket on top). */
#define CONN_SIZE 152u
static_assert(sizeof(struct ipvs_conn) <= CONN_SIZE, "struct ipvs_conn fits its budget");

/* What a new conn is made from. */
struct conn_param {
	uint8_t af;
	uint8_t proto;
	uint8_t fwd;			/* enum ipvs_fwd_mode */
	uint16_t flags;			/* CONN_F_IN_ONLY, CONN_F_ONEPACKET, CONN_F_XMIT* */
	union inet_addr caddr, vaddr, laddr, daddr;
	uint16_t cport, vport, lport, dport;	/* network order */
};

/* Sizing of one lcore's table. */
struct conn_table_params {
	uint32_t max_conns;	/* pool size (conns + templates), >= 1 */
	uint32_t n_buckets;	/* power of two; 0: next power of two >= max_conns */
};

#define CONN_MAX_CONNS    (1u << 26)	/* per lcore */
#define CONN_MAX_BUCKETS  (1u << 26)

/* Counters of one table (owner lcore writes; readers may see stale values). */
struct conn_stats {
	uint64_t created;	/* conns made (not templates) */
	uint64_t tmpl_created;	/* templates made */
	uint64_t expired;	/* freed by their timer */
	uint64_t deleted;	/* freed by conn_del()/flush */
	uint64_t full;		/* refused: pool exhausted, nothing could give way */
	uint64_t early_drop;	/* half-open conns freed to make room (see conn_new()) */
	uint64_t timer_err;	/* timer_schedule failed (conn freed at once) */
	uint64_t cancel_err;	/* timer_cancel failed: conn left to its timer (conn_del()) */
	uint32_t count;		/* conns in use now (incl. templates) */
	uint32_t tmpl_count;	/* templates in use now */
	uint32_t max_conns;
	uint32_t n_buckets;
};

struct conn_table;

/* Create a table (pool + buckets, memory from mmap, huge pages when the
 * kernel gives them).  Control path, any thread.  0 and *out, EDPVS_INVAL
 * (bad params), EDPVS_NOMEM. */
int conn_table_create(const struct conn_table_params *p, struct conn_table **out);

/* Free a table.  Conns still in it are dropped without their release hook;
 * their timers are cancelled if the caller is the lcore that armed them
 * (otherwise the caller guarantees that lcore's wheel is gone or will never
 * run again).  NULL is a no-op. */
void conn_table_destroy(struct conn_table *t);

/* The table of an lcore (set up by the "ipvs" config apply for every
 * FWD_WORKER), NULL if none.  conn_table_this(): the calling lcore's. */
struct conn_table *conn_table_get(unsigned int lcore_id);
struct conn_table *conn_table_this(void);
/* Install t as lcore_id's table (tests; the module does it itself). */
int conn_table_set(unsigned int lcore_id, struct conn_table *t);

/* Optional hook run just before any conn (not template) is freed, on the
 * owner lcore: the datapath releases what it holds (FNAT local port...).
 * Set once before the loops start (master). */
typedef void (*conn_release_fn)(struct ipvs_conn *c);
void conn_set_release_hook(conn_release_fn fn);

/*
 * Make a conn: take one from the pool, fill it from p, bind dest (reference,
 * inactive_conns++, stats.conns++ on dest and its service, overload flag
 * update), link it to tmpl when not NULL (tmpl->n_control++), hash both
 * directions and arm its timer with the timeout of its initial state.
 * Does not check for an existing conn with the same tuples: the caller
 * looked up first.  When the pool is exhausted, a half-open conn gives way
 * (early drop: the one that expires first among the next 32 slots of a
 * clock hand; stats.early_drop); only if those slots hold none is the new
 * conn refused.  Returns the conn, or NULL with *err = EDPVS_NOROOM (table
 * full, counted in stats.full) or EDPVS_INVAL (bad af/proto, NULL dest).
 * Owner lcore, per new connection.
 */
struct ipvs_conn *conn_new(struct conn_table *t, const struct conn_param *p,
			   struct ipvs_dest *dest, struct ipvs_conn *tmpl, int *err);

/*
 * Find the conn (not template) of a packet: af, proto, and the packet's
 * source and destination (network order).  On a hit *dir (may be NULL) says
 * which tuple matched.  NULL if none.  Owner lcore, per packet.
 */
struct ipvs_conn *conn_lookup(struct conn_table *t, int af, uint8_t proto,
			      const union inet_addr *saddr, uint16_t sport,
			      const union inet_addr *daddr, uint16_t dport, enum conn_dir *dir);

/* Timeout of c now, seconds: template -> its service's persistence timeout;
 * otherwise proto_timeout_get(c->proto, c->state). */
uint32_t conn_timeout(const struct ipvs_conn *c);

/* Re-arm c's timer with conn_timeout(c) (after a packet / state change).
 * 0 or the timer's error.  Owner lcore, per packet. */
int conn_touch(struct conn_table *t, struct ipvs_conn *c);

/* Free c now: cancel its timer, unhash, run the release hook, unbind its
 * dest, drop its template's n_control.  A template that still controls
 * conns is unhashed at once (no new lookups find it) and returned to the
 * pool when its last controlled conn goes.  Returns 0 (also for a conn
 * already free), or the error of timer_cancel() when the caller is not the
 * lcore whose wheel holds c's timer: then c is left untouched (still
 * hashed, freed when its timer fires on its owner), counted in
 * stats.cancel_err and logged (rate-limited).  Owner lcore. */
int conn_del(struct conn_table *t, struct ipvs_conn *c);

/* Index of c in its table (for cursors and template links). */
uint32_t conn_index(const struct conn_table *t, const struct ipvs_conn *c);

/* The template controlling c, or NULL. */
struct ipvs_conn *conn_ctrl(struct conn_table *t, const struct ipvs_conn *c);

/* Move c's counters on its dest when its state changes from "active" to
 * "inactive" or back (proto.h calls this; exposed for it). */
void conn_account(struct ipvs_conn *c, bool was_active, bool is_active);

/* ---- persistence templates ---- */

/* The template of (svc, client address) if any and its dest is still
 * attached, also while that dest has weight 0 (drained): as IPVS, a
 * persistent client keeps going to its server until the template expires
 * or the server is deleted.  A template whose dest was detached - or, with
 * conn_set_expire_quiescent_template(true), whose dest has weight 0 - is
 * deleted (freed once it controls no conns) and NULL returned, so the
 * client is scheduled afresh.  Owner lcore, per new connection. */
struct ipvs_conn *conn_tmpl_lookup(struct conn_table *t, const struct ipvs_service *svc,
				   const union inet_addr *caddr);

/* IPVS's expire_quiescent_template (config ipvs.expire_quiescent_template,
 * default false): see conn_tmpl_lookup().  Master (config apply); workers
 * see the change at their next new conn (relaxed atomic, no lock). */
void conn_set_expire_quiescent_template(bool on);
bool conn_expire_quiescent_template(void);

/* Make a template for (svc, client address) pointing at dest, armed with
 * svc->timeout.  NULL and *err as conn_new(). */
struct ipvs_conn *conn_tmpl_new(struct conn_table *t, const struct ipvs_service *svc,
				const union inet_addr *caddr, struct ipvs_dest *dest, int *err);

/* ---- listing, flush, counters ---- */

#define CONN_WALK_END UINT32_MAX

/* Visit at most budget pool slots from *cursor (start with 0), calling fn
 * for each conn in use (templates included: check CONN_F_TEMPLATE).  fn may
 * conn_del() the conn it is given; a non-zero return stops the walk there
 * (that conn will be visited again on the next call).  *cursor becomes the
 * next slot, or CONN_WALK_END when the pool has been walked.  Returns the
 * number of conns passed to fn.  Owner lcore (e.g. in a msg handler, so
 * `ipvsadm -lnc` can be chunked). */
typedef int (*conn_walk_fn)(struct ipvs_conn *c, void *arg);
uint32_t conn_walk(struct conn_table *t, uint32_t *cursor, uint32_t budget, conn_walk_fn fn,
		   void *arg);

/* Delete every conn for which match returns true (match NULL: all), templates
 * included.  Returns how many were deleted.  Owner lcore, control path
 * (walks the whole pool). */
uint32_t conn_flush(struct conn_table *t, bool (*match)(const struct ipvs_conn *c, void *arg),
		    void *arg);

/* Copy the table's counters. */
void conn_table_stats(const struct conn_table *t, struct conn_stats *out);

/* Bytes of memory per connection (CONN_SIZE-style measure: sizeof the conn
 * plus the buckets divided by max_conns, rounded up). */
uint32_t conn_table_bytes_per_conn(const struct conn_table *t);

/* Module "ipvs" (src/ipvs/ipvs_cfg.c): conn_init() has nothing to set up;
 * the tables are made when the "ipvs" config section is applied at start-up
 * (one per FWD_WORKER, sized from it); conn_term() destroys them (after the
 * loops stopped; see conn_table_destroy()).  Master. */
int conn_init(void);
void conn_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_CONN_H */
