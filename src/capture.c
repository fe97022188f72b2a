/*
 * capture.c - what DPDK secondary processes need from the primary: the
 * pdump server (rte_pdump_init/uninit) when the EAL runs shared
 * (eal.secondary_processes), the hugetlbfs check of start-up and the
 * removal of the prefix's hugepage files at stop.  See capture.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <rte_errno.h>
#include <rte_pdump.h>

#include "capture.h"
#include "dpvs_err.h"
#include "dpvs_log.h"

DPVS_LOG_REGISTER(capture);

/* Written by the master at start-up and stop only. */
static struct {
	bool shared;		/* eal.secondary_processes */
	bool pdump_up;		/* rte_pdump_init() succeeded */
} capture_ctx;

void capture_set_shared(bool shared)
{
	capture_ctx.shared = shared;
}

int capture_init(void)
{
	if (!capture_ctx.shared)
		return 0;
	if (rte_pdump_init() != 0) {
		DPVS_LOG(capture, ERR, "rte_pdump_init failed: %s", rte_strerror(rte_errno));
		return EDPVS_IO;
	}
	capture_ctx.pdump_up = true;
	DPVS_LOG(capture, INFO, "pdump server up: dpdk-dumpcap and other secondaries "
		 "may attach");
	return 0;
}

void capture_term(void)
{
	if (!capture_ctx.pdump_up)
		return;
	rte_pdump_uninit();
	capture_ctx.pdump_up = false;
}

/* Call fn(mount point, arg) for every hugetlbfs in /proc/mounts; stops
 * when fn returns false.  Returns how many were visited. */
static unsigned int capture_each_hugetlbfs(bool (*fn)(const char *dir, void *arg), void *arg)
{
	struct mntent ent, *m;
	char buf[1024];
	unsigned int n = 0;
	FILE *f = setmntent("/proc/mounts", "r");

	if (!f)
		return 0;
	while ((m = getmntent_r(f, &ent, buf, sizeof(buf))) != NULL) {
		if (strcmp(m->mnt_type, "hugetlbfs") != 0)
			continue;
		n++;
		if (!fn(m->mnt_dir, arg))
			break;
	}
	endmntent(f);
	return n;
}

struct capture_dir_arg {
	char *dir;
	size_t len;
};

static bool capture_first_dir(const char *dir, void *arg)
{
	struct capture_dir_arg *a = arg;

	if (a->dir && a->len)
		snprintf(a->dir, a->len, "%s", dir);
	return false;
}

bool capture_hugetlbfs_mounted(char *dir, size_t len)
{
	struct capture_dir_arg a = { .dir = dir, .len = len };

	return capture_each_hugetlbfs(capture_first_dir, &a) > 0;
}

struct capture_rm_arg {
	const char *prefix;
	unsigned int removed;
};

/* name is "<prefix>map_" followed by digits and '_' only (the EAL's
 * names; a longer prefix that starts with ours does not match). */
static bool capture_is_hugefile(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p;

	if (strncmp(name, prefix, pl) != 0 || strncmp(name + pl, "map_", 4) != 0)
		return false;
	p = name + pl + 4;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static bool capture_rm_in(const char *dir, void *arg)
{
	struct capture_rm_arg *a = arg;
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return true;
	while ((e = readdir(d)) != NULL) {
		if (!capture_is_hugefile(e->d_name, a->prefix))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (unlink(path) == 0)
			a->removed++;
	}
	closedir(d);
	return true;
}

unsigned int capture_hugefiles_remove(const char *prefix)
{
	struct capture_rm_arg a = { .prefix = prefix, .removed = 0 };

	if (!prefix || !prefix[0])
		return 0;
	capture_each_hugetlbfs(capture_rm_in, &a);
	return a.removed;
}
