/*
 * proto_udp.c - UDP for IPVS: one state (NORMAL) with one timeout (300 s
 * by default, `ipvsadm --set ... udp`).  UDP conns count as inactive on
 * their dest, as ipvsadm shows them.
 */
#include <netinet/in.h>
#include "dpvs_err.h"
#include "ipvs/proto.h"
#include "ipvs/conn.h"

static const char *const udp_state_names[UDP_S_MAX] = {
	[UDP_S_NORMAL] = "UDP",
};

static const uint32_t udp_timeout_defaults[UDP_S_MAX] = {
	[UDP_S_NORMAL] = PROTO_UDP_TIMEOUT,
};

static uint32_t udp_timeouts[UDP_S_MAX] = {
	[UDP_S_NORMAL] = PROTO_UDP_TIMEOUT,
};

static_assert(DPVS_ARRAY_SIZE(udp_state_names) == UDP_S_MAX, "a name per state");
static_assert(DPVS_ARRAY_SIZE(udp_timeouts) == UDP_S_MAX, "a timeout per state");

static bool udp_state_active(unsigned int s)
{
	(void)s;
	return false;
}

/* UDP has no handshake: nothing is half-open. */
static bool udp_state_half_open(unsigned int s)
{
	(void)s;
	return false;
}

static unsigned int udp_state_update(struct ipvs_conn *c, enum proto_dir dir, uint8_t flags)
{
	(void)dir;
	(void)flags;
	c->state = UDP_S_NORMAL;
	return UDP_S_NORMAL;
}

const struct proto_ops proto_udp_ops = {
	.name = "UDP",
	.proto = IPPROTO_UDP,
	.n_states = UDP_S_MAX,
	.init_state = UDP_S_NORMAL,
	.state_names = udp_state_names,
	.timeouts = udp_timeouts,
	.timeout_defaults = udp_timeout_defaults,
	.state_update = udp_state_update,
	.state_active = udp_state_active,
	.state_half_open = udp_state_half_open,
};
