/*
 * neigh.h - ARP and the IPv4 neighbour cache.
 *
 * Every lcore with a loop (MASTER, FWD_WORKER) owns its own neighbour
 * table; only that lcore reads or writes it, so the per-packet path takes
 * no lock.  Tables are kept in step by messages: an lcore that learns or
 * changes an entry from an ARP packet sends it to every other lcore (so an
 * ARP reply seen by one lcore reaches all), and the master sends static
 * entries, deletions and flushes to every lcore.  The "neigh_sync" job
 * (MASTER: LOOP, FWD_WORKER: SLOW) ages each table with a budget.
 *
 * Entry states and what moves them are a table (neigh.c, neigh_fsm_next):
 * INCOMPLETE (request sent, packets queued up to a bound) -> REACHABLE on
 * a reply -> STALE after reachable_ms -> PROBE (unicast request) when
 * used -> REACHABLE on a reply, FAILED after the last probe; FAILED entries
 * drop packets for failed_hold_ms and are then removed; STALE entries unused
 * for gc_stale_ms are removed; STATIC entries never change.
 */
#ifndef DPVS_NEIGH_H
#define DPVS_NEIGH_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netif_port;

enum neigh_state {
	NEIGH_S_NONE = 0,	/* no entry (table rows only) */
	NEIGH_S_INCOMPLETE,
	NEIGH_S_REACHABLE,
	NEIGH_S_STALE,
	NEIGH_S_PROBE,
	NEIGH_S_FAILED,
	NEIGH_S_STATIC,
	NEIGH_S_MAX
};

enum neigh_event {
	NEIGH_EV_RESOLVE = 0,	/* a packet needs the address */
	NEIGH_EV_CONFIRM,	/* ARP from the neighbour (its lladdr known) */
	NEIGH_EV_TIMEOUT,	/* the state's timer expired, probes left */
	NEIGH_EV_EXHAUSTED,	/* the state's timer expired, no probes left */
	NEIGH_EV_MAX
};

/* Actions of a transition (bit set). */
#define NEIGH_A_QUEUE      0x001u	/* queue the packet (bounded) */
#define NEIGH_A_XMIT       0x002u	/* send the packet now */
#define NEIGH_A_DROP_PKT   0x004u	/* drop the packet */
#define NEIGH_A_SEND_BCAST 0x008u	/* broadcast an ARP request */
#define NEIGH_A_SEND_UCAST 0x010u	/* unicast an ARP request (probe) */
#define NEIGH_A_FLUSH_Q    0x020u	/* send the queued packets */
#define NEIGH_A_DROP_Q     0x040u	/* drop the queued packets */
#define NEIGH_A_DELETE     0x080u	/* remove the entry */

struct neigh_transition {
	uint8_t next;		/* enum neigh_state */
	uint16_t actions;	/* NEIGH_A_* */
};

/* The state machine: next state and actions for (state, event). */
struct neigh_transition neigh_fsm_next(enum neigh_state s, enum neigh_event ev);
const char *neigh_state_name(enum neigh_state s);

/* Tunables (config inet.neigh.*), shared by every lcore (plain loads). */
struct neigh_params {
	uint32_t reachable_ms;	/* REACHABLE -> STALE */
	uint32_t retrans_ms;	/* between requests in INCOMPLETE / PROBE */
	uint32_t probes;	/* requests before FAILED */
	uint32_t gc_stale_ms;	/* STALE entries removed after this */
	uint32_t failed_hold_ms;/* FAILED entries removed after this */
	uint32_t queue_len;	/* packets waiting per entry, <= NEIGH_QUEUE_MAX */
};
#define NEIGH_QUEUE_MAX   16u
#define NEIGH_QUEUE_TOTAL 256u	/* packets waiting in one lcore's table, all entries */
#define NEIGH_TABLE_SIZE  1024u	/* entries per lcore */
void neigh_set_params(const struct neigh_params *p);
void neigh_get_params(struct neigh_params *p);

/* Counters (per lcore, summed for the tools). */
enum neigh_counter {
	NEIGH_C_ARP_IN = 0,	/* ARP packets received */
	NEIGH_C_ARP_TRUNCATED,	/* shorter than an ARP header */
	NEIGH_C_ARP_BAD_HDR,	/* not Ethernet/IPv4 ARP */
	NEIGH_C_ARP_BAD_OP,	/* opcode not request/reply */
	NEIGH_C_ARP_BAD_SENDER,	/* sender lladdr multicast/zero, or our own address */
	NEIGH_C_ARP_REQ_IN,	/* requests for one of our addresses */
	NEIGH_C_ARP_REPLY_OUT,	/* replies sent */
	NEIGH_C_ARP_REQ_OUT,	/* requests sent (resolve, probe, gratuitous) */
	NEIGH_C_ARP_TO_KERNEL,	/* ARP not for us, left to the kernel path */
	NEIGH_C_QUEUE_FULL,	/* packets dropped: entry or table queue bound reached */
	NEIGH_C_TABLE_FULL,	/* packets dropped: no free entry */
	NEIGH_C_UNRESOLVED,	/* packets dropped: FAILED entry or resolution gave up */
	NEIGH_C_NO_SOURCE,	/* requests not sent: no source address on the port */
	NEIGH_C_NOMEM,		/* no mbuf to build a request/reply */
	NEIGH_C_SYNC_SENT,	/* updates sent to other lcores */
	NEIGH_C_SYNC_FAILED,	/* updates that could not be sent */
	NEIGH_C_MAX
};
extern const char *const neigh_counter_names[NEIGH_C_MAX];
uint64_t neigh_counter_sum(enum neigh_counter c);

/* ---- datapath ---- */

/* Send m (data at the IPv4 header) to nexthop (network order) on port:
 * prepend Ethernet and netif_xmit if the neighbour is known, else queue it
 * and resolve.  Consumes m.  Returns 0 (sent or queued), EDPVS_NOROOM
 * (queue or table full), EDPVS_NOTEXIST (resolution failed),
 * EDPVS_NOTREADY (calling lcore has no table).  MASTER or FWD_WORKER. */
int neigh_output(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop);

/* The ARP ethertype handler (registered by neigh_init()). */
enum dpvs_verdict neigh_arp_rcv(struct rte_mbuf *m, struct netif_port *port);

/* Send a gratuitous ARP for addr on port (from a forwarding lcore: the
 * master asks one).  Master or FWD_WORKER. */
int neigh_gratuitous(struct netif_port *port, uint32_t addr);

/* ---- management (master only) ---- */

/* A static entry on every lcore.  EDPVS_INVAL (multicast/zero lladdr, zero
 * address), EDPVS_NOROOM, EDPVS_TIMEOUT (a worker did not answer). */
int neigh_add_static(struct netif_port *port, uint32_t addr, const struct rte_ether_addr *mac);
/* Remove an entry (any state) from every lcore.  EDPVS_NOTEXIST. */
int neigh_del(struct netif_port *port, uint32_t addr);
/* Remove dynamic entries (and static ones if with_static) of port (NULL:
 * all) from every lcore; returns 0 or an error. */
int neigh_flush(struct netif_port *port, bool with_static);

/* One entry as the tools see it (merged over lcores). */
struct neigh_info {
	uint32_t addr;
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint8_t state;		/* the most resolved state over the lcores */
	uint8_t static_;	/* 1 if static */
	uint32_t lcores;	/* how many lcores have it */
	uint32_t qlen;		/* packets waiting, summed */
};
/* Collect the entries of port (NULL: all) of every lcore into out (up to
 * max); returns the number of distinct entries (may exceed max). */
unsigned int neigh_dump(const struct netif_port *port, struct neigh_info *out, unsigned int max);

/* ---- the table object (neigh.c; exposed for unit tests) ---- */

struct neigh_table;
struct neigh_table_ops {
	/* Send an ARP request for addr on port (to mac if unicast, else
	 * broadcast). */
	void (*send_req)(void *ctx, struct netif_port *port, uint32_t addr,
			 const struct rte_ether_addr *mac);
	/* Send m (data at L3) to mac on port; consumes m. */
	int (*xmit)(void *ctx, struct rte_mbuf *m, struct netif_port *port,
		    const struct rte_ether_addr *mac);
};

struct neigh_table *neigh_table_create(unsigned int lcore_id, const struct neigh_table_ops *ops,
				       void *ctx);
void neigh_table_free(struct neigh_table *t);
/* Resolve for m (as neigh_output), at time now_ms. */
int neigh_table_resolve(struct neigh_table *t, struct rte_mbuf *m, struct netif_port *port,
			uint32_t addr, uint64_t now_ms);
/* Fast path of neigh_output (B2): if addr is resolved (REACHABLE or STATIC,
 * where RESOLVE changes nothing) send m, set *rc and return true; else
 * return false with m untouched (then neigh_table_resolve()).  Needs no
 * clock.  The lcore owning t. */
bool neigh_table_xmit_resolved(struct neigh_table *t, struct rte_mbuf *m,
			       struct netif_port *port, uint32_t addr, int *rc);
/* An ARP from addr/mac on port.  create: make an entry if none.  Returns
 * true if the entry is new, changed lladdr, or changed state (worth
 * telling the other lcores). */
bool neigh_table_confirm(struct neigh_table *t, struct netif_port *port, uint32_t addr,
			 const struct rte_ether_addr *mac, bool create, uint64_t now_ms);
int neigh_table_set_static(struct neigh_table *t, struct netif_port *port, uint32_t addr,
			   const struct rte_ether_addr *mac);
int neigh_table_delete(struct neigh_table *t, const struct netif_port *port, uint32_t addr);
unsigned int neigh_table_flush(struct neigh_table *t, const struct netif_port *port,
			       bool with_static);
/* Visit up to budget entries and fire their expired state timers; returns
 * how many fired. */
unsigned int neigh_table_age(struct neigh_table *t, uint64_t now_ms, unsigned int budget);
/* State / queue length of an entry (NEIGH_S_NONE if absent). */
enum neigh_state neigh_table_state(const struct neigh_table *t, const struct netif_port *port,
				   uint32_t addr, unsigned int *qlen);
unsigned int neigh_table_count(const struct neigh_table *t);
uint64_t neigh_table_counter(const struct neigh_table *t, enum neigh_counter c);
void neigh_table_count_inc(struct neigh_table *t, enum neigh_counter c);
/* Copy up to max entries of port (NULL: all) into out (lcores = 1);
 * returns the number of entries that matched. */
unsigned int neigh_table_dump(const struct neigh_table *t, const struct netif_port *port,
			      struct neigh_info *out, unsigned int max);

int neigh_init(void);
void neigh_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_NEIGH_H */
