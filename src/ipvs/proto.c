/*
 * proto.c - the registry of IPVS L4 protocols (struct proto_ops from
 * proto_tcp.c, proto_udp.c and proto_sctp.c) and their run-time timeout table
 * (`ipvsadm --set`).  Timeouts are written by the master and read by the
 * workers with relaxed atomic accesses (see ipvs/proto.h).
 */
#include <netinet/in.h>
#include "dpvs_err.h"
#include "ipvs/proto.h"
#include "ipvs/conn.h"

extern const struct proto_ops proto_tcp_ops, proto_udp_ops, proto_sctp_ops;

const struct proto_ops *proto_get(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return &proto_tcp_ops;
	case IPPROTO_UDP:
		return &proto_udp_ops;
	case IPPROTO_SCTP:
		return &proto_sctp_ops;
	default:
		return NULL;
	}
}

unsigned int proto_conn_update(struct ipvs_conn *c, enum proto_dir dir, uint8_t l4flags)
{
	const struct proto_ops *ops = proto_get(c->proto);

	if (unlikely(!ops))
		return c->state;
	if (dir == PROTO_DIR_IN && (c->flags & CONN_F_IN_ONLY))
		dir = PROTO_DIR_IN_ONLY;
	return ops->state_update(c, dir, l4flags);
}

bool proto_conn_half_open(const struct ipvs_conn *c)
{
	const struct proto_ops *ops = proto_get(c->proto);

	return ops && !(c->flags & CONN_F_TEMPLATE) && ops->state_half_open(c->state);
}

bool proto_conn_rearm(const struct ipvs_conn *c, enum proto_dir dir, unsigned int old_state)
{
	return dir != PROTO_DIR_OUT || c->state != old_state || !proto_conn_half_open(c);
}

/* Declared in ipvs/conn.h; lives here because only state changes use it. */
void conn_account(struct ipvs_conn *c, bool was_active, bool is_active)
{
	struct ipvs_dest *d = c->dest;

	if (!d || was_active == is_active)
		return;
	if (was_active) {
		if (d->active_conns)
			d->active_conns--;
		d->inactive_conns++;
	} else {
		if (d->inactive_conns)
			d->inactive_conns--;
		d->active_conns++;
	}
	dest_update_overload(d);
}

const char *proto_state_name(uint8_t proto, unsigned int s)
{
	const struct proto_ops *ops = proto_get(proto);

	if (!ops || s >= ops->n_states)
		return "?";
	return ops->state_names[s];
}

uint32_t proto_timeout_get(uint8_t proto, unsigned int s)
{
	const struct proto_ops *ops = proto_get(proto);

	if (unlikely(!ops || s >= ops->n_states))
		return 0;
	return __atomic_load_n(&ops->timeouts[s], __ATOMIC_RELAXED);
}

int proto_timeout_set(uint8_t proto, unsigned int s, uint32_t seconds)
{
	const struct proto_ops *ops = proto_get(proto);

	if (!ops || s >= ops->n_states)
		return EDPVS_INVAL;
	if (seconds == 0 || seconds > PROTO_TIMEOUT_MAX)
		return EDPVS_RANGE;
	__atomic_store_n(&ops->timeouts[s], seconds, __ATOMIC_RELAXED);
	return 0;
}

int proto_timeout_set_ipvsadm(uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	if (tcp > PROTO_TIMEOUT_MAX || tcpfin > PROTO_TIMEOUT_MAX || udp > PROTO_TIMEOUT_MAX)
		return EDPVS_RANGE;
	if (tcp)
		proto_timeout_set(IPPROTO_TCP, TCP_S_ESTABLISHED, tcp);
	if (tcpfin)
		proto_timeout_set(IPPROTO_TCP, TCP_S_FIN_WAIT, tcpfin);
	if (udp)
		proto_timeout_set(IPPROTO_UDP, UDP_S_NORMAL, udp);
	return 0;
}

void proto_timeout_get_ipvsadm(uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp)
{
	*tcp = proto_timeout_get(IPPROTO_TCP, TCP_S_ESTABLISHED);
	*tcpfin = proto_timeout_get(IPPROTO_TCP, TCP_S_FIN_WAIT);
	*udp = proto_timeout_get(IPPROTO_UDP, UDP_S_NORMAL);
}

static void reset_one(const struct proto_ops *ops)
{
	unsigned int s;

	for (s = 0; s < ops->n_states; s++)
		__atomic_store_n(&ops->timeouts[s], ops->timeout_defaults[s], __ATOMIC_RELAXED);
}

void proto_timeout_reset(void)
{
	reset_one(&proto_tcp_ops);
	reset_one(&proto_udp_ops);
	reset_one(&proto_sctp_ops);
}
