/*
 * pidfile.c - the daemon's pid file: created (or a stale one taken over),
 * written with our pid, and held under flock(LOCK_EX) until release, so a
 * second dpvsd using the same file can tell a live owner from a stale file
 * without trusting the pid number (pids get reused).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dpvs_err.h"
#include "pidfile.h"

/* The pid written in the file at fd, 0 if none or unreadable. */
static pid_t pidfile_read(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v <= 0 || v > 0x3fffffff)
		return 0;
	return (pid_t)v;
}

/* mkdir -p of path's parent directory. */
static int pidfile_mkdir_parent(const char *path)
{
	char dir[CFG_PATH_LEN];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = dirname(dir);
	if (p != dir)
		memmove(dir, p, strlen(p) + 1);
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int pidfile_write(struct pidfile *pf, char *err, size_t errlen)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(pf->fd, 0) != 0 || pwrite(pf->fd, buf, (size_t)len, 0) != len) {
		snprintf(err, errlen, "cannot write pid file %s: %s", pf->path, strerror(errno));
		return EDPVS_SYSCALL;
	}
	return 0;
}

int pidfile_acquire(struct pidfile *pf, const char *path, pid_t *holder, char *err,
		    size_t errlen)
{
	int rc;

	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	*holder = 0;
	if (!path || !*path || strlen(path) >= sizeof(pf->path)) {
		snprintf(err, errlen, "bad pid file path");
		return EDPVS_INVAL;
	}
	snprintf(pf->path, sizeof(pf->path), "%s", path);
	if (pidfile_mkdir_parent(path) != 0) {
		snprintf(err, errlen, "cannot create the directory of pid file %s: %s", path,
			 strerror(errno));
		return EDPVS_SYSCALL;
	}
	pf->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (pf->fd < 0) {
		snprintf(err, errlen, "cannot open pid file %s: %s", path, strerror(errno));
		return EDPVS_SYSCALL;
	}
	if (flock(pf->fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? EDPVS_BUSY : EDPVS_SYSCALL;
		if (rc == EDPVS_BUSY) {
			*holder = pidfile_read(pf->fd);
			snprintf(err, errlen, "another dpvsd is running (pid %d, pid file %s)",
				 (int)*holder, path);
		} else {
			snprintf(err, errlen, "cannot lock pid file %s: %s", path, strerror(errno));
		}
		close(pf->fd);
		pf->fd = -1;
		return rc;
	}
	pf->stale_pid = pidfile_read(pf->fd);
	rc = pidfile_write(pf, err, errlen);
	if (rc != 0) {
		unlink(path);
		close(pf->fd);
		pf->fd = -1;
	}
	return rc;
}

void pidfile_release(struct pidfile *pf)
{
	if (pf->fd < 0)
		return;
	unlink(pf->path);
	close(pf->fd);
	pf->fd = -1;
}
