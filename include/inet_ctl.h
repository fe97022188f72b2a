/*
 * inet_ctl.h - registration of the control requests of addresses, routes,
 * neighbours and L3 counters (src/inet_ctl.c; wire format in inet_wire.h).
 */
#ifndef DPVS_INET_CTL_H
#define DPVS_INET_CTL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Register / unregister the request types (module table; master). */
int inet_ctl_init(void);
void inet_ctl_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_INET_CTL_H */
