/*
 * pidfile.h - the daemon's pid file, held under an exclusive flock() for
 * the whole life of the process.  A second dpvsd with the same pid file
 * finds the lock taken and refuses to start, naming the running pid; a
 * file left behind by a dead process is not locked, so it is stale and is
 * simply rewritten.
 */
#ifndef DPVS_PIDFILE_H
#define DPVS_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>
#include "cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pidfile {
	int fd;				/* -1 when not held */
	char path[CFG_PATH_LEN];
	pid_t stale_pid;		/* pid found in a stale file (0: none) */
};

/*
 * Create (or take over a stale) pid file at path, write our pid, keep it
 * locked.  Creates a missing parent directory (mode 0755).  Returns 0;
 * EDPVS_BUSY when another live process holds it (*holder = its pid, or 0
 * if unreadable); EDPVS_SYSCALL / EDPVS_INVAL with a reason in err.
 * Call once, from main, before the EAL starts.
 */
int pidfile_acquire(struct pidfile *pf, const char *path, pid_t *holder, char *err,
		    size_t errlen);

/* Remove the file and drop the lock (no-op if not held). */
void pidfile_release(struct pidfile *pf);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_PIDFILE_H */
