/*
 * kni.h - the kernel exception path.  For every port with "kni.enabled",
 * dpvsd creates a net_tap vdev (net_tap_kni<N>, kernel name from
 * "kni.ifname", default the port's name) with the port's MAC.  Packets
 * that dpvsd does not handle itself (netif_kni_forward(), netif.h) travel
 * from the receiving lcore through a bounded per-lcore ring to the KNI
 * lcore, which writes them to the tap; whatever the kernel sends on the tap
 * the KNI lcore transmits on the port.  The KNI lcore is the first
 * KNI_WORKER, or the master when none is configured (kni_loop job).
 */
#ifndef DPVS_KNI_H
#define DPVS_KNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "netif.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netif_conf;

/* Open the taps of the ports of c that have kni enabled (after the ports
 * are open; master, at start-up).  On failure nothing stays open, *bad is
 * the port index and err says why.  EDPVS_NOTEXIST (tap not probed),
 * EDPVS_NOMEM (rings), EDPVS_IO (device). */
int kni_start(const struct netif_conf *c, unsigned int *bad, char *err, size_t errlen);

/* Close the taps and free the rings (master, loops stopped). */
void kni_stop(void);

/* Follow the port's admin state / MTU on its tap (master; no-op without KNI). */
void kni_port_set_up(struct netif_port *p, bool up);
void kni_port_set_mtu(struct netif_port *p, uint16_t mtu);

/* The lcore running the exception path (valid after kni_start()). */
unsigned int kni_lcore(void);

/* Module init/term: register / unregister the kni_loop jobs. */
int kni_init(void);
void kni_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_KNI_H */
