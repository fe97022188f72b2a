/*
 * proto_sctp.c - the SCTP association state machine of IPVS as a table:
 * next_state[direction][event][state] (ipvs/proto.h), events from the
 * first chunk of a packet, state names and default timeouts indexed by the
 * same enum; and SCTP's CRC32c checksum (RFC 9260 appendix A / RFC 3309),
 * which a rewrite of the ports must recompute (it covers the whole SCTP
 * packet and no pseudo header, so address changes alone leave it valid).
 *
 * Why 10 states and not Linux IPVS's 13: there a table also follows an
 * association started by the real server and INIT collisions (both ends
 * sending INIT: COOKIE_SENT/REPLIED/WAIT).  Here only a client INIT creates
 * a conn (ipvs_core.c), so the handshake is one sequence - INIT (INIT1),
 * INIT ACK (INIT2), COOKIE ECHO (COOKIE_ECHOED), COOKIE ACK (ESTABLISHED) -
 * and what the balancer needs from the states is the timeout of each phase
 * and whether the association is up (the dest's active count).  A packet
 * that fits no step keeps the state (e.g. a server INIT on an up
 * association: its restart is the endpoints' business).  Shutdown is
 * followed from either side; ABORT ends in REJECTED before ESTABLISHED
 * (the association was refused) and in CLOSED after it.  IN_ONLY (DR,
 * TUNNEL) never sees the server's chunks: the client's COOKIE ECHO then
 * its next chunk (DATA, SACK, ...) mean the association is up.
 */
#include <string.h>
#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_hash_crc.h>
#include "dpvs_err.h"
#include "ipvs/proto.h"
#include "ipvs/conn.h"

static const char *const sctp_state_names[SCTP_S_MAX] = {
	[SCTP_S_NONE] = "NONE",
	[SCTP_S_INIT1] = "INIT1",
	[SCTP_S_INIT2] = "INIT",
	[SCTP_S_COOKIE_ECHOED] = "C-ECHOED",
	[SCTP_S_ESTABLISHED] = "ESTABLISHED",
	[SCTP_S_SHUTDOWN_SENT] = "S-SENT",
	[SCTP_S_SHUTDOWN_RECEIVED] = "S-RECEIVED",
	[SCTP_S_SHUTDOWN_ACK_SENT] = "S-ACK-SENT",
	[SCTP_S_CLOSED] = "CLOSED",
	[SCTP_S_REJECTED] = "REJECTED",
};

/* Handshake and shutdown phases get 30 s (an INIT is retransmitted with
 * RTO.Initial 1 s doubling, RFC 9260 section 16), the up association 15
 * minutes like TCP, the ends 10 s like TCP's CLOSE. */
#define SCTP_DEFAULT_TIMEOUTS {						\
	[SCTP_S_NONE] = 2,						\
	[SCTP_S_INIT1] = 30,						\
	[SCTP_S_INIT2] = 30,						\
	[SCTP_S_COOKIE_ECHOED] = 30,					\
	[SCTP_S_ESTABLISHED] = PROTO_SCTP_TIMEOUT_ESTABLISHED,		\
	[SCTP_S_SHUTDOWN_SENT] = 30,					\
	[SCTP_S_SHUTDOWN_RECEIVED] = 30,				\
	[SCTP_S_SHUTDOWN_ACK_SENT] = 30,				\
	[SCTP_S_CLOSED] = 10,						\
	[SCTP_S_REJECTED] = 10,						\
}

static const uint32_t sctp_timeout_defaults[SCTP_S_MAX] = SCTP_DEFAULT_TIMEOUTS;

/* Current values; written by proto_timeout_set() (master), read per packet. */
static uint32_t sctp_timeouts[SCTP_S_MAX] = SCTP_DEFAULT_TIMEOUTS;

/* Short names for the table. */
#define sNO SCTP_S_NONE
#define sI1 SCTP_S_INIT1
#define sI2 SCTP_S_INIT2
#define sCE SCTP_S_COOKIE_ECHOED
#define sES SCTP_S_ESTABLISHED
#define sSS SCTP_S_SHUTDOWN_SENT
#define sSR SCTP_S_SHUTDOWN_RECEIVED
#define sSA SCTP_S_SHUTDOWN_ACK_SENT
#define sCL SCTP_S_CLOSED
#define sRJ SCTP_S_REJECTED

/* next_state[dir][event][state]; columns in enum order:
 *                   NO   I1   I2   CE   ES   SS   SR   SA   CL   RJ */
static const uint8_t sctp_next[PROTO_DIR_MAX][SCTP_E_MAX][SCTP_S_MAX] = {
	[PROTO_DIR_IN] = {	/* client -> server, replies seen too */
		[SCTP_E_DATA]    = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_INIT]    = { sI1, sI1, sI1, sI1, sES, sSS, sSR, sSA, sI1, sI1 },
		[SCTP_E_INIT_ACK] = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_COOKIE_ECHO] = { sCE, sCE, sCE, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_COOKIE_ACK] = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN] = { sNO, sI1, sI2, sSS, sSS, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN_ACK] = { sNO, sI1, sI2, sCE, sES, sSA, sSA, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN_COMPLETE] = { sNO, sI1, sI2, sCE, sES, sCL, sCL, sCL, sCL, sRJ },
		[SCTP_E_ABORT]   = { sRJ, sRJ, sRJ, sRJ, sCL, sCL, sCL, sCL, sCL, sRJ },
	},
	[PROTO_DIR_OUT] = {	/* server -> client */
		[SCTP_E_DATA]    = { sNO, sI1, sI2, sES, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_INIT]    = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_INIT_ACK] = { sI2, sI2, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_COOKIE_ECHO] = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_COOKIE_ACK] = { sNO, sES, sES, sES, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN] = { sNO, sI1, sI2, sSR, sSR, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN_ACK] = { sNO, sI1, sI2, sCE, sES, sSA, sSA, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN_COMPLETE] = { sNO, sI1, sI2, sCE, sES, sCL, sCL, sCL, sCL, sRJ },
		[SCTP_E_ABORT]   = { sRJ, sRJ, sRJ, sRJ, sCL, sCL, sCL, sCL, sCL, sRJ },
	},
	[PROTO_DIR_IN_ONLY] = {	/* client -> server, replies bypass us (DR, TUNNEL) */
		[SCTP_E_DATA]    = { sNO, sI1, sI2, sES, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_INIT]    = { sI1, sI1, sI1, sI1, sES, sSS, sSR, sSA, sI1, sI1 },
		[SCTP_E_INIT_ACK] = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_COOKIE_ECHO] = { sCE, sCE, sCE, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_COOKIE_ACK] = { sNO, sI1, sI2, sCE, sES, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN] = { sNO, sI1, sI2, sSS, sSS, sSS, sSR, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN_ACK] = { sNO, sI1, sI2, sCE, sES, sSA, sSA, sSA, sCL, sRJ },
		[SCTP_E_SHUTDOWN_COMPLETE] = { sNO, sI1, sI2, sCE, sES, sCL, sCL, sCL, sCL, sRJ },
		[SCTP_E_ABORT]   = { sRJ, sRJ, sRJ, sRJ, sCL, sCL, sCL, sCL, sCL, sRJ },
	},
};

static_assert(DPVS_ARRAY_SIZE(sctp_state_names) == SCTP_S_MAX, "a name per state");
static_assert(DPVS_ARRAY_SIZE(sctp_timeout_defaults) == SCTP_S_MAX, "a timeout per state");
static_assert(DPVS_ARRAY_SIZE(sctp_timeouts) == SCTP_S_MAX, "a timeout per state");
static_assert(DPVS_ARRAY_SIZE(sctp_next[0][0]) == SCTP_S_MAX, "a column per state");
static_assert(DPVS_ARRAY_SIZE(sctp_next[0]) == SCTP_E_MAX, "a row per event");
static_assert(DPVS_ARRAY_SIZE(sctp_next) == PROTO_DIR_MAX, "a table per direction");
static_assert(SCTP_S_MAX <= 256, "states fit conn->state");

enum sctp_event proto_sctp_event(uint8_t chunk_type)
{
	switch (chunk_type) {
	case PROTO_SCTP_CHUNK_INIT: return SCTP_E_INIT;
	case PROTO_SCTP_CHUNK_INIT_ACK: return SCTP_E_INIT_ACK;
	case PROTO_SCTP_CHUNK_COOKIE_ECHO: return SCTP_E_COOKIE_ECHO;
	case PROTO_SCTP_CHUNK_COOKIE_ACK: return SCTP_E_COOKIE_ACK;
	case PROTO_SCTP_CHUNK_SHUTDOWN: return SCTP_E_SHUTDOWN;
	case PROTO_SCTP_CHUNK_SHUTDOWN_ACK: return SCTP_E_SHUTDOWN_ACK;
	case PROTO_SCTP_CHUNK_SHUTDOWN_COMPLETE: return SCTP_E_SHUTDOWN_COMPLETE;
	case PROTO_SCTP_CHUNK_ABORT: return SCTP_E_ABORT;
	default: return SCTP_E_DATA;
	}
}

enum sctp_state proto_sctp_next(enum proto_dir dir, enum sctp_event ev, enum sctp_state s)
{
	if ((unsigned int)dir >= PROTO_DIR_MAX || (unsigned int)ev >= SCTP_E_MAX ||
	    (unsigned int)s >= SCTP_S_MAX)
		return SCTP_S_CLOSED;
	return (enum sctp_state)sctp_next[dir][ev][s];
}

bool proto_sctp_reusable(unsigned int s)
{
	return s == SCTP_S_CLOSED || s == SCTP_S_REJECTED;
}

static bool sctp_state_active(unsigned int s)
{
	return s == SCTP_S_ESTABLISHED;
}

/* Before the client's COOKIE ECHO, which shows it got the server's INIT
 * ACK (as TCP's last handshake ACK does; NONE: a conn just made). */
static bool sctp_state_half_open(unsigned int s)
{
	return s == SCTP_S_NONE || s == SCTP_S_INIT1 || s == SCTP_S_INIT2;
}

static unsigned int sctp_state_update(struct ipvs_conn *c, enum proto_dir dir, uint8_t chunk)
{
	unsigned int old = c->state, now;

	if (unlikely(old >= SCTP_S_MAX || (unsigned int)dir >= PROTO_DIR_MAX))
		old = SCTP_S_CLOSED;
	now = sctp_next[dir][proto_sctp_event(chunk)][old];
	if (now != c->state) {
		if (!(c->flags & CONN_F_TEMPLATE))
			conn_account(c, sctp_state_active(c->state), sctp_state_active(now));
		c->state = (uint8_t)now;
	}
	return now;
}

const struct proto_ops proto_sctp_ops = {
	.name = "SCTP",
	.proto = IPPROTO_SCTP,
	.n_states = SCTP_S_MAX,
	.init_state = SCTP_S_NONE,
	.state_names = sctp_state_names,
	.timeouts = sctp_timeouts,
	.timeout_defaults = sctp_timeout_defaults,
	.state_update = sctp_state_update,
	.state_active = sctp_state_active,
	.state_half_open = sctp_state_half_open,
};

/* ---- CRC32c ---- */

/* rte_hash_crc() loads 8 bytes through a possibly misaligned pointer;
 * packet data has no alignment, so the words are copied first (the same
 * CRC32 instructions or tables underneath, byte order as in memory). */
static uint32_t crc32c_buf(const uint8_t *p, uint32_t n, uint32_t crc)
{
	uint64_t v8;
	uint32_t v4;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&v8, p, sizeof(v8));
		crc = rte_hash_crc_8byte(v8, crc);
	}
	if (n >= 4) {
		memcpy(&v4, p, sizeof(v4));
		crc = rte_hash_crc_4byte(v4, crc);
		p += 4;
		n -= 4;
	}
	for (; n > 0; n--, p++)
		crc = rte_hash_crc_1byte(*p, crc);
	return crc;
}

uint32_t proto_sctp_crc32c(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t crc = 0xffffffffu, done = 0;
	const struct rte_mbuf *s;

	for (s = m; s != NULL && done < len; s = s->next) {
		uint32_t dl = rte_pktmbuf_data_len(s), n;

		if (off >= dl) {
			off -= dl;
			continue;
		}
		n = RTE_MIN(dl - off, len - done);
		crc = crc32c_buf(rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n, crc);
		done += n;
		off = 0;
	}
	return ~crc;
}

/* The checksum of the SCTP packet at off (len bytes) with its checksum
 * field taken as zero, as the field stores it (little-endian bytes). */
static uint32_t sctp_cksum_of(struct rte_mbuf *m, uint32_t off, uint32_t len, uint8_t *field)
{
	uint8_t saved[4];
	uint32_t crc;

	memcpy(saved, field, sizeof(saved));
	memset(field, 0, sizeof(saved));
	crc = rte_cpu_to_le_32(proto_sctp_crc32c(m, off, len));
	memcpy(field, saved, sizeof(saved));
	return crc;
}

bool proto_sctp_csum_ok(struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint8_t *field = rte_pktmbuf_mtod_offset(m, uint8_t *, off + PROTO_SCTP_CSUM_OFF);
	uint32_t stored;

	memcpy(&stored, field, sizeof(stored));
	return stored == sctp_cksum_of(m, off, len, field);
}

uint32_t proto_sctp_csum_error(struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint8_t *field = rte_pktmbuf_mtod_offset(m, uint8_t *, off + PROTO_SCTP_CSUM_OFF);
	uint32_t stored;

	memcpy(&stored, field, sizeof(stored));
	return stored ^ sctp_cksum_of(m, off, len, field);
}

void proto_sctp_csum_set(struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t error)
{
	uint8_t *field = rte_pktmbuf_mtod_offset(m, uint8_t *, off + PROTO_SCTP_CSUM_OFF);
	uint32_t v = sctp_cksum_of(m, off, len, field) ^ error;

	memcpy(field, &v, sizeof(v));
}
