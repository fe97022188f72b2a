/*
 * ctl_proto.h - the wire format of the control socket, shared by dpvsd and
 * the tools (ipvsadm, dpip).  Modelled on OpenBSD imsg: a fixed header then
 * a payload of exactly hdr.len bytes, all integers in host byte order (the
 * socket is local).  Every request gets exactly one reply with the same seq
 * and opcode; status is 0 or an EDPVS_* code, and a failed reply's payload
 * is a NUL-terminated error message.
 *
 * Payload structs of each module live in include/<module>_wire.h; they use
 * fixed-width fields only, strings are fixed-size char arrays that must be
 * NUL-terminated (the daemon checks), and every struct has a static assert
 * on its size.
 */
#ifndef DPVS_CTL_PROTO_H
#define DPVS_CTL_PROTO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Wire headers use C11 _Static_assert; let C++ (unit tests) read them too. */
#if defined(__cplusplus) && !defined(_Static_assert)
#define _Static_assert static_assert
#endif

#define CTL_MAGIC        0x44505653u	/* "DPVS" */
#define CTL_VERSION      1u
#define CTL_MAX_REQUEST  (64u * 1024u)		/* bound on a request payload */
#define CTL_MAX_REPLY    (64u << 20)	/* bound on a reply payload */
#define CTL_DEFAULT_SOCK "/run/dpvsd/dpvsd.sock"

/* Version of dpvsd and its tools (reported by ping, dpip -V, ipvsadm -V). */
#ifndef DPVSD_VERSION
#define DPVSD_VERSION "0.1.0"
#endif

struct ctl_hdr {
	uint32_t magic;		/* CTL_MAGIC */
	uint16_t version;	/* CTL_VERSION */
	uint16_t opcode;	/* enum ctl_opcode */
	uint32_t seq;		/* chosen by the client, echoed in the reply */
	int32_t  status;	/* request: 0; reply: 0 or EDPVS_* */
	uint32_t len;		/* payload bytes that follow */
};
_Static_assert(sizeof(struct ctl_hdr) == 20, "ctl_hdr is 20 bytes on the wire");

/*
 * Flags of a request type (struct ctl_op.flags in ctl.h; listed by
 * CORE_OP_CTL_LIST).  Access rule, fail-safe by default: a request type
 * WITHOUT CTL_OP_F_GET changes state and is refused with EDPVS_PERM unless
 * the peer's uid (SO_PEERCRED) is 0.  Mark read-only requests (show, list,
 * get, ping) with CTL_OP_F_GET.
 */
#define CTL_OP_F_GET 0x1u	/* read-only: any peer that can connect may call it */

/* Opcode ranges, one per module.  A module owns its range. */
enum ctl_opcode_range {
	CTL_OP_CORE_BASE  = 0x0100,	/* ctl, job, log, cfg: see core_wire.h */
	CTL_OP_NETIF_BASE = 0x0200,	/* links, port stats */
	CTL_OP_ADDR_BASE  = 0x0300,	/* interface addresses */
	CTL_OP_ROUTE_BASE = 0x0400,	/* routes */
	CTL_OP_NEIGH_BASE = 0x0500,	/* neighbours / ARP */
	CTL_OP_STATS_BASE = 0x0600,	/* stack counters (ipv4, icmp, ...) */
	CTL_OP_IPVS_BASE  = 0x1000,	/* services, dests, conns, laddrs */
	CTL_OP_RANGE_SIZE = 0x0100,
};

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CTL_PROTO_H */
