/*
 * proto_tcp.c - the TCP connection state machine of IPVS as a table:
 * next_state[direction][event][state], with state names and default
 * timeouts indexed by the same enum (ipvs/proto.h).  Directions: IN (client
 * -> real server, both directions seen: FNAT/NAT), OUT (real server ->
 * client), IN_ONLY (DR/TUNNEL, only the client side is seen).  The
 * transitions are those of Linux IPVS (see the table).  A conn is "active"
 * (dest->active_conns) while ESTABLISHED, inactive otherwise (IPVS since
 * Linux 4.7 also counts the handshake states as active; we do not, so a
 * SYN flood does not weigh 256 times on lc/wlc: doc/architecture.md).
 */
#include <netinet/in.h>
#include "dpvs_err.h"
#include "ipvs/proto.h"
#include "ipvs/conn.h"

static const char *const tcp_state_names[TCP_S_MAX] = {
	[TCP_S_NONE] = "NONE",
	[TCP_S_ESTABLISHED] = "ESTABLISHED",
	[TCP_S_SYN_SENT] = "SYN_SENT",
	[TCP_S_SYN_RECV] = "SYN_RECV",
	[TCP_S_FIN_WAIT] = "FIN_WAIT",
	[TCP_S_TIME_WAIT] = "TIME_WAIT",
	[TCP_S_CLOSE] = "CLOSE",
	[TCP_S_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_S_LAST_ACK] = "LAST_ACK",
	[TCP_S_LISTEN] = "LISTEN",
	[TCP_S_SYNACK] = "SYNACK",
};

static const uint32_t tcp_timeout_defaults[TCP_S_MAX] = {
	[TCP_S_NONE] = 2,
	[TCP_S_ESTABLISHED] = PROTO_TCP_TIMEOUT_ESTABLISHED,
	[TCP_S_SYN_SENT] = 30,
	[TCP_S_SYN_RECV] = 30,
	[TCP_S_FIN_WAIT] = PROTO_TCP_TIMEOUT_FIN_WAIT,
	[TCP_S_TIME_WAIT] = 120,
	[TCP_S_CLOSE] = 10,
	[TCP_S_CLOSE_WAIT] = 60,
	[TCP_S_LAST_ACK] = 30,
	[TCP_S_LISTEN] = 120,
	[TCP_S_SYNACK] = 30,
};

/* Current values; written by proto_timeout_set() (master), read per packet. */
static uint32_t tcp_timeouts[TCP_S_MAX] = {
	[TCP_S_NONE] = 2,
	[TCP_S_ESTABLISHED] = PROTO_TCP_TIMEOUT_ESTABLISHED,
	[TCP_S_SYN_SENT] = 30,
	[TCP_S_SYN_RECV] = 30,
	[TCP_S_FIN_WAIT] = PROTO_TCP_TIMEOUT_FIN_WAIT,
	[TCP_S_TIME_WAIT] = 120,
	[TCP_S_CLOSE] = 10,
	[TCP_S_CLOSE_WAIT] = 60,
	[TCP_S_LAST_ACK] = 30,
	[TCP_S_LISTEN] = 120,
	[TCP_S_SYNACK] = 30,
};

/* Short names for the table. */
#define sNO TCP_S_NONE
#define sES TCP_S_ESTABLISHED
#define sSS TCP_S_SYN_SENT
#define sSR TCP_S_SYN_RECV
#define sFW TCP_S_FIN_WAIT
#define sTW TCP_S_TIME_WAIT
#define sCL TCP_S_CLOSE
#define sCW TCP_S_CLOSE_WAIT
#define sLA TCP_S_LAST_ACK
#define sLI TCP_S_LISTEN
#define sSA TCP_S_SYNACK

/*
 * next_state[dir][event][state]: the transitions of Linux IPVS's tcp_states
 * (net/netfilter/ipvs/ip_vs_proto_tcp.c, the normal table, not the
 * secure_tcp one), written out here.  The facts that matter most: a SYN
 * from the client does not move an ESTABLISHED conn (a stray or
 * retransmitted SYN must not cut its 900 s timeout to 30 s nor make it
 * inactive), a client RST in SYN_RECV leaves it in SYN_RECV (only the
 * server's RST closes a half-open conn), a SYN-ACK is the SYN event, and
 * FIN names follow IPVS: the client's FIN first gives CLOSE_WAIT, the
 * server's first gives FIN_WAIT, the second FIN gives TIME_WAIT.
 * Deliberate difference: a segment with none of SYN/FIN/ACK/RST (event
 * NONE) leaves the state alone, where IPVS moves the conn to CLOSE.
 * Columns in enum order:
 *                 NO   ES   SS   SR   FW   TW   CL   CW   LA   LI   SA */
#define TCP_ROW_SAME { sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA }
static const uint8_t tcp_next[PROTO_DIR_MAX][TCP_E_MAX][TCP_S_MAX] = {
	[PROTO_DIR_IN] = {
		[TCP_E_SYN]  = { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
		[TCP_E_FIN]  = { sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW },
		[TCP_E_ACK]  = { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
		[TCP_E_RST]  = { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR },
		[TCP_E_NONE] = TCP_ROW_SAME,
	},
	[PROTO_DIR_OUT] = {
		[TCP_E_SYN]  = { sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR },
		[TCP_E_FIN]  = { sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW },
		[TCP_E_ACK]  = { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES },
		[TCP_E_RST]  = { sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL },
		[TCP_E_NONE] = TCP_ROW_SAME,
	},
	[PROTO_DIR_IN_ONLY] = {
		[TCP_E_SYN]  = { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
		[TCP_E_FIN]  = { sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW },
		[TCP_E_ACK]  = { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
		[TCP_E_RST]  = { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
		[TCP_E_NONE] = TCP_ROW_SAME,
	},
};

static_assert(DPVS_ARRAY_SIZE(tcp_state_names) == TCP_S_MAX, "a name per state");
static_assert(DPVS_ARRAY_SIZE(tcp_timeout_defaults) == TCP_S_MAX, "a timeout per state");
static_assert(DPVS_ARRAY_SIZE(tcp_timeouts) == TCP_S_MAX, "a timeout per state");
static_assert(DPVS_ARRAY_SIZE(tcp_next[0][0]) == TCP_S_MAX, "a column per state");
static_assert(DPVS_ARRAY_SIZE(tcp_next[0]) == TCP_E_MAX, "a row per event");
static_assert(DPVS_ARRAY_SIZE(tcp_next) == PROTO_DIR_MAX, "a table per direction");
static_assert(TCP_S_MAX <= 256, "states fit conn->state");

enum tcp_event proto_tcp_event(uint8_t f)
{
	if (f & PROTO_TCP_RST)
		return TCP_E_RST;
	if (f & PROTO_TCP_SYN)
		return TCP_E_SYN;
	if (f & PROTO_TCP_FIN)
		return TCP_E_FIN;
	if (f & PROTO_TCP_ACK)
		return TCP_E_ACK;
	return TCP_E_NONE;
}

enum tcp_state proto_tcp_next(enum proto_dir dir, enum tcp_event ev, enum tcp_state s)
{
	if ((unsigned int)dir >= PROTO_DIR_MAX || (unsigned int)ev >= TCP_E_MAX ||
	    (unsigned int)s >= TCP_S_MAX)
		return TCP_S_CLOSE;
	return (enum tcp_state)tcp_next[dir][ev][s];
}

static bool tcp_state_active(unsigned int s)
{
	return s == TCP_S_ESTABLISHED;
}

/* Before the client's ACK ends the handshake (NONE: a conn just made). */
static bool tcp_state_half_open(unsigned int s)
{
	return s == TCP_S_NONE || s == TCP_S_SYN_SENT || s == TCP_S_SYN_RECV ||
	       s == TCP_S_SYNACK;
}

static unsigned int tcp_state_update(struct ipvs_conn *c, enum proto_dir dir, uint8_t flags)
{
	unsigned int old = c->state, now;

	if (unlikely(old >= TCP_S_MAX || (unsigned int)dir >= PROTO_DIR_MAX))
		old = TCP_S_CLOSE;
	now = tcp_next[dir][proto_tcp_event(flags)][old];
	if (now != c->state) {
		if (!(c->flags & CONN_F_TEMPLATE))
			conn_account(c, tcp_state_active(c->state), tcp_state_active(now));
		c->state = (uint8_t)now;
	}
	return now;
}

const struct proto_ops proto_tcp_ops = {
	.name = "TCP",
	.proto = IPPROTO_TCP,
	.n_states = TCP_S_MAX,
	.init_state = TCP_S_NONE,
	.state_names = tcp_state_names,
	.timeouts = tcp_timeouts,
	.timeout_defaults = tcp_timeout_defaults,
	.state_update = tcp_state_update,
	.state_active = tcp_state_active,
	.state_half_open = tcp_state_half_open,
};
