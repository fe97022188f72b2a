/*
 * dpvs_log.h - per-module logging on DPDK log types.
 *
 * Each module declares its own log type once, in its .c file:
 *     DPVS_LOG_REGISTER(job);            -> log type "dpvsd.job", level INFO
 * and logs with
 *     DPVS_LOG(job, ERR, "lcore %u failed: %s", id, dpvs_strerror(rc));
 * Levels change at run time (dpip log set dpvsd.job debug) through
 * rte_log_set_level_pattern().  Anything reachable per packet uses
 * DPVS_LOG_RL (at most one line per second per call site) or a counter.
 */
#ifndef DPVS_LOG_H
#define DPVS_LOG_H

#include <rte_log.h>
#include <rte_cycles.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DPVS_LOG_REGISTER(mod) \
	RTE_LOG_REGISTER(dpvs_logtype_##mod, dpvsd.mod, INFO)

#define DPVS_LOG_DECLARE(mod) extern int dpvs_logtype_##mod

#define DPVS_LOG(mod, lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, dpvs_logtype_##mod, \
		"dpvsd." #mod ": " fmt "\n", ##__VA_ARGS__)

/* Rate-limited: at most one message per second from this call site. */
#define DPVS_LOG_RL(mod, lvl, fmt, ...) do { \
	static uint64_t dpvs_log_rl_next_; \
	uint64_t dpvs_log_rl_now_ = rte_get_timer_cycles(); \
	if (dpvs_log_rl_now_ >= dpvs_log_rl_next_) { \
		dpvs_log_rl_next_ = dpvs_log_rl_now_ + rte_get_timer_hz(); \
		DPVS_LOG(mod, lvl, fmt, ##__VA_ARGS__); \
	} \
} while (0)

#ifdef __cplusplus
}
#endif
#endif /* DPVS_LOG_H */
