/*
 * ipvs/proto.h - per-L4-protocol connection state for IPVS: one const
 * struct proto_ops per protocol (src/ipvs/proto_tcp.c, proto_udp.c), state
 * machines as tables, per-state timeouts settable at run time
 * (`ipvsadm --set tcp tcpfin udp`).  Owner: H6.
 *
 * The TCP state machine is a table next_state[direction][event][state];
 * names and default timeouts are indexed by the same enum (static asserts
 * keep the sizes in step).  The datapath (H8) calls proto_conn_update() for
 * every packet of a connection; it moves the state and keeps the dest's
 * active/inactive counters right, then the caller re-arms the conn timer
 * (conn_touch(), whose timeout is proto_timeout_get(proto, state)) unless
 * proto_conn_rearm() says the packet must not extend a half-open conn.
 *
 * Timeouts: one table for the whole daemon, written by the master
 * (proto_timeout_set(), from a ctl handler or config) and read by the
 * workers per packet.  Each entry is a naturally aligned 32-bit value
 * accessed with relaxed atomic loads/stores (plain moves on x86): a worker
 * sees the new value on its next packet; no lock.
 */
#ifndef DPVS_IPVS_PROTO_H
#define DPVS_IPVS_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ipvs_conn;

/* Direction of a packet relative to its connection. */
enum proto_dir {
	PROTO_DIR_IN = 0,	/* client -> real server (we see both directions) */
	PROTO_DIR_OUT,		/* real server -> client */
	PROTO_DIR_IN_ONLY,	/* client -> real server, replies bypass us (DR, TUNNEL) */
	PROTO_DIR_MAX,
};

/* TCP states (conn->state for IPPROTO_TCP). */
enum tcp_state {
	TCP_S_NONE = 0,		/* nothing seen yet */
	TCP_S_ESTABLISHED,	/* handshake done / data flowing ("active") */
	TCP_S_SYN_SENT,		/* SYN seen from the server side */
	TCP_S_SYN_RECV,		/* client SYN seen */
	TCP_S_FIN_WAIT,		/* server sent FIN first (IPVS's naming) */
	TCP_S_TIME_WAIT,	/* both FINs seen */
	TCP_S_CLOSE,		/* RST seen */
	TCP_S_CLOSE_WAIT,	/* client sent FIN first (IPVS's naming) */
	TCP_S_LAST_ACK,		/* not entered by the table (as in IPVS); kept for names */
	TCP_S_LISTEN,		/* unused by the table; kept for ipvsadm names */
	TCP_S_SYNACK,		/* not entered by the table (IPVS's secure_tcp state) */
	TCP_S_MAX,
};

/* TCP events, derived from the flags of a segment as IPVS does (priority
 * RST > SYN > FIN > ACK; a SYN-ACK is a SYN); NONE: none of these flags
 * (the state does not move). */
enum tcp_event {
	TCP_E_SYN = 0,
	TCP_E_FIN,
	TCP_E_ACK,
	TCP_E_RST,
	TCP_E_NONE,
	TCP_E_MAX,
};

/* UDP has one state. */
enum udp_state {
	UDP_S_NORMAL = 0,
	UDP_S_MAX,
};

/* TCP flag bits as in the header's flags byte. */
#define PROTO_TCP_FIN 0x01u
#define PROTO_TCP_SYN 0x02u
#define PROTO_TCP_RST 0x04u
#define PROTO_TCP_ACK 0x10u

/* Default timeouts, seconds. */
#define PROTO_TCP_TIMEOUT_ESTABLISHED 900u
#define PROTO_TCP_TIMEOUT_FIN_WAIT    120u
#define PROTO_UDP_TIMEOUT             300u

struct proto_ops {
	const char *name;		/* "TCP", "UDP" */
	uint8_t proto;			/* IPPROTO_* */
	uint8_t n_states;
	uint8_t init_state;		/* state of a new conn */
	const char *const *state_names;	/* [n_states], upper case as ipvsadm -lnc shows */
	uint32_t *timeouts;		/* [n_states] current values, seconds (see above) */
	const uint32_t *timeout_defaults; /* [n_states] */
	/* Move c by one packet.  l4flags: TCP flags byte (ignored by UDP).
	 * Updates c->state and the dest counters.  Returns the new state.
	 * Owner lcore, per packet. */
	unsigned int (*state_update)(struct ipvs_conn *c, enum proto_dir dir, uint8_t l4flags);
	/* Is state s counted as active (dest->active_conns)? */
	bool (*state_active)(unsigned int s);
	/* Is state s half-open (handshake not done: may be dropped early when
	 * the table is full, not re-armed by the server's retransmissions)? */
	bool (*state_half_open)(unsigned int s);
};

/* The ops of an L4 protocol, NULL if not handled. */
const struct proto_ops *proto_get(uint8_t proto);

/* Convenience for the datapath: proto_get(c->proto)->state_update(...),
 * with PROTO_DIR_IN turned into PROTO_DIR_IN_ONLY for conns flagged
 * CONN_F_IN_ONLY (DR, TUNNEL); a conn of an unknown protocol keeps its
 * state.  Returns the new state. */
unsigned int proto_conn_update(struct ipvs_conn *c, enum proto_dir dir, uint8_t l4flags);

/* Is c (not a template) in a half-open state of its protocol? */
bool proto_conn_half_open(const struct ipvs_conn *c);

/* Should the packet that just moved c from old_state (dir as given to
 * proto_conn_update()) re-arm c's timer?  Yes, except for a packet from the
 * server side that left a half-open conn in its state: a SYN-ACK the server
 * retransmits to a client that never answers (a spoofed SYN) must not keep
 * the entry alive, so a half-open conn expires its state's timeout after
 * the client's last packet.  Owner lcore, per packet. */
bool proto_conn_rearm(const struct ipvs_conn *c, enum proto_dir dir, unsigned int old_state);

/* Name of state s of protocol proto ("ESTABLISHED", "NORMAL"...), "?" if bad. */
const char *proto_state_name(uint8_t proto, unsigned int s);

/* Timeout of state s of protocol proto, seconds (0 for a bad state). */
uint32_t proto_timeout_get(uint8_t proto, unsigned int s);

/* Set the timeout of one state, seconds (1..PROTO_TIMEOUT_MAX).  EDPVS_INVAL
 * for a bad proto/state, EDPVS_RANGE for a bad value.  Master (or config
 * apply); workers see it on their next packet. */
#define PROTO_TIMEOUT_MAX 604800u	/* 7 days */
int proto_timeout_set(uint8_t proto, unsigned int s, uint32_t seconds);

/* ipvsadm --set tcp tcpfin udp: tcp -> ESTABLISHED, tcpfin -> FIN_WAIT (and
 * the states that follow a FIN: CLOSE_WAIT, LAST_ACK, TIME_WAIT keep their
 * own values), udp -> UDP NORMAL.  A 0 argument leaves that value unchanged
 * (as ipvsadm does).  EDPVS_RANGE if a value is too big (nothing changed). */
int proto_timeout_set_ipvsadm(uint32_t tcp, uint32_t tcpfin, uint32_t udp);

/* Read back the three ipvsadm values (ipvsadm -L --timeout). */
void proto_timeout_get_ipvsadm(uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp);

/* Restore every timeout to its default (tests, config reload). */
void proto_timeout_reset(void);

/* TCP only, exposed for tests: the event of a flags byte, and one step of
 * the table (no side effects). */
enum tcp_event proto_tcp_event(uint8_t tcp_flags);
enum tcp_state proto_tcp_next(enum proto_dir dir, enum tcp_event ev, enum tcp_state s);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_PROTO_H */
