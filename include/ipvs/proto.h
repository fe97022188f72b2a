/*
 * ipvs/proto.h - per-L4-protocol connection state for IPVS: one const
 * struct proto_ops per protocol (src/ipvs/proto_tcp.c, proto_udp.c,
 * proto_sctp.c), state
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

/* SCTP states (conn->state for IPPROTO_SCTP), a simpler table than Linux
 * IPVS's 13 states (src/ipvs/proto_sctp.c says why).  Names as ipvsadm
 * -lnc shows them follow Linux IPVS's spelling. */
enum sctp_state {
	SCTP_S_NONE = 0,		/* nothing seen yet */
	SCTP_S_INIT1,			/* client INIT seen ("INIT1") */
	SCTP_S_INIT2,			/* server INIT ACK seen ("INIT") */
	SCTP_S_COOKIE_ECHOED,		/* client COOKIE ECHO seen ("C-ECHOED") */
	SCTP_S_ESTABLISHED,		/* COOKIE ACK (or data after the echo) ("active") */
	SCTP_S_SHUTDOWN_SENT,		/* client SHUTDOWN seen ("S-SENT") */
	SCTP_S_SHUTDOWN_RECEIVED,	/* server SHUTDOWN seen ("S-RECEIVED") */
	SCTP_S_SHUTDOWN_ACK_SENT,	/* SHUTDOWN ACK seen ("S-ACK-SENT") */
	SCTP_S_CLOSED,			/* SHUTDOWN COMPLETE, or ABORT once established */
	SCTP_S_REJECTED,		/* ABORT before the association was up */
	SCTP_S_MAX,
};

/* SCTP events: the type of the first chunk (ABORT when an ABORT follows a
 * first COOKIE ECHO / COOKIE ACK); every other chunk type is DATA. */
enum sctp_event {
	SCTP_E_DATA = 0,		/* DATA, SACK, HEARTBEAT(-ACK), ERROR, others */
	SCTP_E_INIT,
	SCTP_E_INIT_ACK,
	SCTP_E_COOKIE_ECHO,
	SCTP_E_COOKIE_ACK,
	SCTP_E_SHUTDOWN,
	SCTP_E_SHUTDOWN_ACK,
	SCTP_E_SHUTDOWN_COMPLETE,
	SCTP_E_ABORT,
	SCTP_E_MAX,
};

/* SCTP chunk types (RFC 9260 section 3.2). */
#define PROTO_SCTP_CHUNK_DATA              0u
#define PROTO_SCTP_CHUNK_INIT              1u
#define PROTO_SCTP_CHUNK_INIT_ACK          2u
#define PROTO_SCTP_CHUNK_ABORT             6u
#define PROTO_SCTP_CHUNK_SHUTDOWN          7u
#define PROTO_SCTP_CHUNK_SHUTDOWN_ACK      8u
#define PROTO_SCTP_CHUNK_COOKIE_ECHO       10u
#define PROTO_SCTP_CHUNK_COOKIE_ACK        11u
#define PROTO_SCTP_CHUNK_SHUTDOWN_COMPLETE 14u

#define PROTO_SCTP_TIMEOUT_ESTABLISHED 900u

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
	const char *name;		/* "TCP", "UDP", "SCTP" */
	uint8_t proto;			/* IPPROTO_* */
	uint8_t n_states;
	uint8_t init_state;		/* state of a new conn */
	const char *const *state_names;	/* [n_states], upper case as ipvsadm -lnc shows */
	uint32_t *timeouts;		/* [n_states] current values, seconds (see above) */
	const uint32_t *timeout_defaults; /* [n_states] */
	/* Move c by one packet.  l4flags: TCP flags byte, SCTP (first)
	 * chunk type (struct ipvs_pkt.sctp_chunk), ignored by UDP.
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

/* SCTP, exposed for tests: the event of a first chunk type, and one step
 * of the table (no side effects; CLOSED for bad arguments). */
enum sctp_event proto_sctp_event(uint8_t chunk_type);
enum sctp_state proto_sctp_next(enum proto_dir dir, enum sctp_event ev, enum sctp_state s);

/* May a client INIT on a conn in state s start a new association that is
 * scheduled afresh (CLOSED, REJECTED)? */
bool proto_sctp_reusable(unsigned int s);

/* ---- SCTP's CRC32c checksum (proto_sctp.c) ---- */

struct rte_mbuf;

#define PROTO_SCTP_HDR_LEN  12u	/* common header: ports, verification tag, checksum */
#define PROTO_SCTP_CSUM_OFF 8u	/* checksum field in the common header */

/* CRC32c (Castagnoli, reflected, initial value and final xor 0xffffffff)
 * of len bytes of m from byte off, across segments: the value an SCTP
 * packet stores, as little-endian bytes, in its checksum field.  Any lcore;
 * off + len must lie inside the packet. */
uint32_t proto_sctp_crc32c(const struct rte_mbuf *m, uint32_t off, uint32_t len);

/* The SCTP packet at off (len bytes, common header in the first segment):
 * is its checksum right?  The error (stored xor computed, 0 when right),
 * and setting the field to the computed value xor error - so a rewrite
 * that takes the error before and gives it back after keeps a bad packet
 * exactly as bad (like the incremental updates of TCP and UDP).  Any lcore. */
bool proto_sctp_csum_ok(struct rte_mbuf *m, uint32_t off, uint32_t len);
uint32_t proto_sctp_csum_error(struct rte_mbuf *m, uint32_t off, uint32_t len);
void proto_sctp_csum_set(struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t error);

/* TCP only, exposed for tests: the event of a flags byte, and one step of
 * the table (no side effects). */
enum tcp_event proto_tcp_event(uint8_t tcp_flags);
enum tcp_state proto_tcp_next(enum proto_dir dir, enum tcp_event ev, enum tcp_state s);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_PROTO_H */
