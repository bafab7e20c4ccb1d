// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The switches of the topology as the engine reaches them: each one's
 * network namespace, its handle (opened on first use), loaded or not. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "engine_int.h"

int eng_in_netns(struct osm_engine *e, int si,
		 int (*fn)(struct osm_engine *e, int si, void *arg), void *arg)
{
	char path[32 + 2 * (OSMDB_NAME_MAX + 1)];
	int fd, home, err;

	if (!e->netns_prefix[0])
		return fn(e, si, arg);
	snprintf(path, sizeof(path), "/run/netns/%s%s", e->netns_prefix,
		 e->sws[si].r.name);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		err = -errno;
	} else {
		err = fn(e, si, arg);
		/* Back home; failing that, nothing else would be right. */
		if (setns(home, CLONE_NEWNET))
			abort();
	}
	if (fd >= 0)
		close(fd);
	if (home >= 0)
		close(home);
	return err;
}

int eng_sw_handle(struct osm_engine *e, int i, struct osm_switch **h)
{
	int err;

	if (i < 0)
		return OSMDB_EREF;
	if (!e->sws[i].h) {
		err = osm_switch_open(&e->sws[i].h, e->sws[i].r.name);
		if (err == -ENOENT)
			return OSM_ENGINE_ENOSWITCH;
		if (err)
			return err;
	}
	*h = e->sws[i].h;
	return 0;
}

int eng_offline(struct osm_engine *e, int si)
{
	struct osm_switch *h;

	return si >= 0 && eng_sw_handle(e, si, &h) == OSM_ENGINE_ENOSWITCH;
}
