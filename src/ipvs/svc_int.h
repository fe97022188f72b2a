/*
 * svc_int.h - private to the service management files (svc.c,
 * svc_lcore.c, laddr.c, svc_ctl.c): the master's records, the messages
 * sent to the forwarding lcores, and the functions the files share.
 */
#ifndef DPVS_IPVS_SVC_INT_H
#define DPVS_IPVS_SVC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include "msg.h"
#include "ipvs/svc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the master's table (written and read by the master only) ---- */

#define SVC_N_COUNTERS 5	/* conns, inpkts, outpkts, inbytes, outbytes */

/* Rate estimator of one object, as IPVS's: sampled every 2 s, each rate
 * kept in fixed point (per second x 2^10 for conns and packets, x 2^5 for
 * bytes) and smoothed with weight 1/4, so a steady rate is read exactly and
 * a stopped one decays to 0. */
#define SVC_EST_SHIFT_COUNT 10u	/* conns/s, packets/s */
#define SVC_EST_SHIFT_BYTES 5u	/* bytes/s */
struct svc_est {
	uint64_t last[SVC_N_COUNTERS];
	uint64_t last_us;
	uint64_t rate[SVC_N_COUNTERS];	/* per second, scaled (above) */
	bool primed;
};

/* Feed the estimator the counters c (SVC_N_COUNTERS: conns, inpkts,
 * outpkts, inbytes, outbytes) read at now_us.  The first call only records
 * them.  Master (the estimator timer; tests). */
void svc_est_update(struct svc_est *e, const uint64_t *c, uint64_t now_us);

/* Rate i of e per second, rounded (0 for a bad i). */
uint64_t svc_est_rate(const struct svc_est *e, unsigned int i);

struct msvc_dest {
	struct ipvs_wire_dest_conf conf;
	struct svc_est est;
};

struct msvc_laddr {
	uint8_t af;
	union ipvs_wire_addr addr;
	char ifname[IPVS_WIRE_IFNAME_LEN];
};

struct msvc {
	TAILQ_ENTRY(msvc) link;		/* ascending id order */
	uint32_t id;			/* never reused */
	struct ipvs_wire_svc_conf conf;
	struct msvc_dest *dests;
	uint32_t n_dests, cap_dests;
	struct msvc_laddr *laddrs;
	uint32_t n_laddrs, cap_laddrs;
	struct svc_est est;
};

TAILQ_HEAD(msvc_list, msvc);

/* The master's list (ascending ids); find by key or id. */
struct msvc_list *svc_master_list(void);
struct msvc *svc_master_find(const struct ipvs_wire_svc_key *k);
struct msvc *svc_master_find_id(uint32_t id);
int svc_key_equal(const struct ipvs_wire_svc_key *a, const struct ipvs_wire_svc_key *b);
void svc_errmsg(char *errmsg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- messages master -> FWD_WORKERs ---- */

#define SVC_MSG_CONF  0x49505301u	/* struct svc_msg: a config change */
#define SVC_MSG_STATS 0x49505302u	/* struct svc_stats_req -> records */
#define SVC_MSG_CONNS 0x49505303u	/* struct svc_conns_req -> conn entries */
#define SVC_MSG_TIMEOUT_US 2000000u

enum svc_msg_op {
	SVC_OP_SVC_ADD = 1,
	SVC_OP_SVC_EDIT,
	SVC_OP_SVC_DEL,
	SVC_OP_FLUSH,
	SVC_OP_DEST_ADD,
	SVC_OP_DEST_EDIT,
	SVC_OP_DEST_DEL,
	SVC_OP_LADDR_ADD,
	SVC_OP_LADDR_DEL,
	SVC_OP_ZERO,		/* svc.key, or every service with SVC_MSG_F_ALL */
};

#define SVC_MSG_F_ALL 0x1u

struct svc_msg {
	uint32_t op;		/* enum svc_msg_op */
	uint32_t svc_id;	/* SVC_OP_SVC_ADD: the master's id */
	uint32_t flags;		/* SVC_MSG_F_* */
	uint8_t laddr_af;
	uint8_t pad[3];
	union ipvs_wire_addr laddr;
	struct ipvs_wire_svc_conf svc;	/* key always; whole conf for add/edit */
	struct ipvs_wire_dest_conf dest;
};

/* Stats collection: records of services with id >= min_id (and == only_id
 * when non-zero), in ascending id order, until the reply is full. */
struct svc_stats_req {
	uint32_t min_id;
	uint32_t only_id;
};

enum svc_stat_kind { SVC_STAT_SVC = 0, SVC_STAT_DEST, SVC_STAT_LADDR };

struct svc_stat_rec {
	uint32_t svc_id;
	uint8_t kind;		/* enum svc_stat_kind */
	uint8_t af;
	uint16_t port;		/* dest, host order */
	union ipvs_wire_addr addr;	/* dest or laddr */
	uint32_t active, inactive, persist;
	uint32_t laddr_conns;
	uint64_t laddr_conflicts;	/* FNAT port allocations that failed */
	uint64_t c[SVC_N_COUNTERS];
};

struct svc_stats_rep {
	uint32_t n;		/* records that follow */
	uint32_t next_id;	/* 0: done; else ask again with min_id = next_id */
};

/* Connection listing on one worker. */
struct svc_conns_req {
	uint32_t cursor;	/* conn_walk() cursor */
	uint32_t max;		/* entries wanted (<= IPVS_WIRE_CONN_CHUNK) */
};

struct svc_conns_rep {
	uint32_t n;		/* struct ipvs_wire_conn_entry records that follow */
	uint32_t cursor;	/* next cursor; CONN_WALK_END when walked */
};

/* Publish m to every FWD_WORKER (no-op without workers).  0, or the first
 * worker's error / EDPVS_TIMEOUT. */
int svc_publish(const struct svc_msg *m);

/* Worker side (svc_lcore.c): apply m to the calling lcore's table.  Also
 * used directly by unit tests on lcore 0. */
int svc_lcore_apply(unsigned int lcore_id, const struct svc_msg *m);
/* Free every lcore's table (module term, loops stopped). */
void svc_lcore_free_all(void);
int svc_lcore_register_msgs(void);
void svc_lcore_unregister_msgs(void);

/* laddr.c, worker side: apply SVC_OP_LADDR_ADD/DEL to svc. */
int svc_lcore_laddr_apply(struct ipvs_service *svc, const struct svc_msg *m);
/* Release every laddr of svc (service delete). */
void svc_lcore_laddr_release_all(struct ipvs_service *svc);

/* ---- aggregation of per-lcore counters (svc.c) ---- */

struct svc_agg_dest {
	uint64_t c[SVC_N_COUNTERS];
	uint32_t active, inactive, persist;
};

struct svc_agg {
	struct msvc *m;
	uint64_t c[SVC_N_COUNTERS];
	struct svc_agg_dest *dests;	/* m->n_dests */
	uint64_t *laddr_conns;		/* m->n_laddrs */
	uint64_t *laddr_conflicts;	/* m->n_laddrs */
};

/* Sum the counters of every worker for one service (only != NULL) or all.
 * *out (n entries, master list order) is freed with svc_agg_free(). */
int svc_collect(struct msvc *only, struct svc_agg **out, uint32_t *n);
void svc_agg_free(struct svc_agg *a, uint32_t n);

/* Map between the wire forwarding method and the model's. */
int svc_fwd_from_wire(uint8_t wire);	/* enum ipvs_fwd_mode or -1 */
uint8_t svc_fwd_to_wire(uint8_t fwd);

/* svc_ctl.c */
int svc_ctl_register(void);
void svc_ctl_unregister(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_SVC_INT_H */
