/*
 * icmp.h - ICMP for dpvsd's own addresses: echo replies, and error
 * messages (destination/protocol unreachable, time exceeded, fragmentation
 * needed) rate-limited per lcore with a token bucket.
 */
#ifndef DPVS_ICMP_H
#define DPVS_ICMP_H

#include <stdint.h>
#include <rte_mbuf.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netif_port;

/* Counters (per lcore, summed for the tools). */
enum icmp_counter {
	ICMP_C_IN = 0,		/* ICMP packets delivered locally */
	ICMP_C_IN_ECHO,		/* echo requests */
	ICMP_C_OUT_ECHO_REPLY,	/* echo replies sent */
	ICMP_C_IN_OTHER,	/* other types (passed to the kernel path) */
	ICMP_C_DROP_TRUNCATED,	/* shorter than an ICMP header */
	ICMP_C_DROP_CSUM,	/* bad ICMP checksum */
	ICMP_C_OUT_ERRORS,	/* error messages sent */
	ICMP_C_ERR_RATELIMITED,	/* error messages suppressed by the rate limit */
	ICMP_C_ERR_SUPPRESSED,	/* not sent: about an ICMP error, broadcast, fragment... */
	ICMP_C_ERR_NOMEM,	/* no mbuf for an error or reply */
	ICMP_C_MAX,
};

/* Counter names, indexed by enum icmp_counter. */
extern const char *const icmp_counter_names[ICMP_C_MAX];

/* Sum of a counter over every lcore.  Any thread (stale by a burst). */
uint64_t icmp_counter_sum(enum icmp_counter c);

/* Local delivery of an ICMP packet (m at the validated IPv4 header,
 * m->l3_len set).  Echo requests are answered; other types are left to the
 * kernel path (VERDICT_ACCEPT).  FWD_WORKER or master. */
enum dpvs_verdict icmp_rcv(struct rte_mbuf *m, struct netif_port *port);

/* Send an ICMP error about orig (data at its validated IPv4 header) to
 * orig's source.  Does not consume orig (the caller still owns it).
 * info: the 32-bit rest-of-header in host order (next-hop MTU for
 * fragmentation needed, else 0).  Never sent about ICMP errors,
 * non-first fragments, or from/to broadcast and multicast addresses; at
 * most icmp_ratelimit per second (burst icmp_burst) per lcore.  Any lcore
 * with a loop. */
void icmp_send_error(struct rte_mbuf *orig, uint8_t type, uint8_t code, uint32_t info);

/* Rate limit (config inet.icmp_ratelimit / icmp_burst; 0 rate: no limit).
 * Master; read by every lcore. */
void icmp_set_ratelimit(uint32_t per_sec, uint32_t burst);

int icmp_init(void);
void icmp_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_ICMP_H */
