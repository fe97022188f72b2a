/*
 * inet_addr.h - dpvsd's own IPv4 addresses, per port.
 *
 * The master holds the authoritative list and, on every change, builds a
 * new immutable view (array plus a small open-addressing hash) that it
 * publishes with one pointer store; the old view is freed after a grace
 * period (inet_rcu.h).  Readers on any lcore load the pointer and never
 * lock.  Adding an address also adds its connected route (unless one for
 * that prefix and port exists) and sends a gratuitous ARP; deleting it
 * removes the connected route when no other address on the port covers the
 * prefix.
 */
#ifndef DPVS_INET_ADDR_H
#define DPVS_INET_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netif_port;

#define INET_ADDR_MAX 256u	/* addresses in the whole daemon */

#define INET_ADDR_F_STATIC 0x1u	/* from the config file */

struct inet_ifaddr {
	uint32_t addr;			/* network order */
	uint8_t plen;			/* 0..32 */
	uint32_t flags;			/* INET_ADDR_F_* */
	struct netif_port *port;
};

/* True if addr (network order) is one of dpvsd's addresses.  Any lcore,
 * per packet. */
bool inet_addr_is_local(uint32_t addr);

/* True if addr is an address of port.  Any lcore, per packet. */
bool inet_addr_is_local_on(const struct netif_port *port, uint32_t addr);

/* Source address for a packet to daddr leaving port: an address of port
 * whose prefix covers daddr, else the port's first address, else (port
 * NULL or without address) the first address of any port; 0 if dpvsd has
 * none.  Any lcore. */
uint32_t inet_addr_select_src(const struct netif_port *port, uint32_t daddr);

/* May addr/plen (network order) be a local address?  False for plen > 32,
 * 0.0.0.0, 255.255.255.255, 127/8, multicast and class E: what
 * inet_addr_add() refuses with EDPVS_INVAL.  Pure; any thread (the inet
 * config section checks its addresses with it before anything starts). */
bool inet_addr_valid(uint32_t addr, uint8_t plen);

/* Add addr/plen on port (master only).  plen 0..32 as Linux (a /0 or /32
 * address adds no connected route).  Returns 0, EDPVS_INVAL (not a unicast
 * address, plen > 32, NULL port), EDPVS_EXIST (the address is on a port
 * already), EDPVS_NOROOM, EDPVS_NOMEM. */
int inet_addr_add(struct netif_port *port, uint32_t addr, uint8_t plen, uint32_t flags);

/* Delete addr (plen 0: any plen) from port (NULL: whichever has it).
 * EDPVS_NOTEXIST if absent.  Master only. */
int inet_addr_del(const struct netif_port *port, uint32_t addr, uint8_t plen);

/* Delete every address of port (inet_addr_del() each, so their connected
 * routes go too).  Returns 0, or EDPVS_NOMEM (no memory for a new view: the
 * addresses not yet deleted stay).  Master only. */
int inet_addr_flush(const struct netif_port *port);

/* Copy up to max addresses of port (NULL: all) into out; returns the
 * number that matched (may exceed max).  Master only. */
unsigned int inet_addr_list(const struct netif_port *port, struct inet_ifaddr *out,
			    unsigned int max);

int inet_addr_init(void);
void inet_addr_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_INET_ADDR_H */
