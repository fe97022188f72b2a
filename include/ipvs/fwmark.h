/*
 * fwmark.h - the fwmark classifier: rules that set a packet's firewall
 * mark (like iptables -t mangle -j MARK), so that fwmark virtual services
 * (ipvsadm -f MARK) match packets.  Owned by src/ipvs/fwmark.c.
 *
 * The master keeps the authoritative rule list (changed by the control
 * requests FWMARK_OP_*, dpip mark).  Each FWD_WORKER has its own copy,
 * changed only by messages it handles itself (before the loops run the
 * master writes the copies directly), so fwmark_classify() reads memory of
 * its own lcore only: no lock, no atomic.  The IPVS hook classifies a
 * packet only when no (af, proto, vip, vport) service matched it.
 */
#ifndef DPVS_IPVS_FWMARK_H
#define DPVS_IPVS_FWMARK_H

#include <stdint.h>
#include "ipvs/fwmark_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Check a rule's fields.  0, or EDPVS_INVAL with *why set to a static
 * text (mark 0, proto not 0/TCP/UDP, prefix length > 32, host bits set,
 * dport_lo > dport_hi, pad not 0).  Any thread. */
int fwmark_rule_check(const struct fwmark_wire_rule *r, const char **why);

/* Append a rule on the master and every worker's copy.  0; EDPVS_INVAL
 * (fwmark_rule_check), EDPVS_EXIST (an equal rule exists), EDPVS_NOROOM
 * (FWMARK_MAX_RULES), or the first worker's error / EDPVS_TIMEOUT (the
 * master's list then has the rule, and a late worker applies it when it
 * handles the message).  Master only; waits for the workers. */
int fwmark_add(const struct fwmark_wire_rule *r);

/* Remove the rule equal to r (every field).  0 or EDPVS_NOTEXIST, or a
 * worker's error as for fwmark_add().  Master only. */
int fwmark_del(const struct fwmark_wire_rule *r);

/* Remove every rule.  0 or a worker's error.  Master only. */
int fwmark_flush(void);

/* Copy up to max rules of the master's list, in evaluation order, into
 * out; returns how many there are (may exceed max).  Master only. */
unsigned int fwmark_list(struct fwmark_wire_rule *out, unsigned int max);

/* The mark of a packet (addresses network order, dport network order)
 * from the calling lcore's copy: the first matching rule's mark, 0 when
 * none matches or the lcore has no rules.  FWD_WORKER, per packet. */
uint32_t fwmark_classify(uint8_t proto, uint32_t saddr, uint32_t daddr, uint16_t dport);

/* Module: message type and control requests.  Master, once. */
int fwmark_init(void);
void fwmark_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_FWMARK_H */
