// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Reconcile and verify: the switches' maps against the store, which is
 * the truth. Used at daemon start (after a kill), after a failed event,
 * and by the tests to compare full map dumps with what the store says. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "engine_int.h"

struct sync {
	struct osm_engine *e;
	int fix;
	void (*report)(const char *line, void *arg);
	void *arg;
	int diffs, err;
	unsigned fixed;
};

static void say(struct sync *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct sync *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	s->diffs++;
	if (!s->report)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->report(line, s->arg);
}

static void first_err(struct sync *s, int err)
{
	if (err && !s->err)
		s->err = err;
}

/* Equal as the fast path sees them; a lease may differ by the second
 * it was converted in. */
static int circuit_eq(const struct osm_circuit *a, const struct osm_circuit *b)
{
	struct osm_circuit x = *a, y = *b;
	uint64_t d = x.expires_ns > y.expires_ns ? x.expires_ns - y.expires_ns :
		     y.expires_ns - x.expires_ns;
	int eq;

	if (d <= 2000000000ULL && !!x.expires_ns == !!y.expires_ns)
		x.expires_ns = y.expires_ns;
	x.slot = y.slot;	/* the switch's own, not the store's */
	eq = !memcmp(&x, &y, sizeof(x));
	sodium_memzero(&x, sizeof(x));
	sodium_memzero(&y, sizeof(y));
	return eq;
}

/* One map entry: what switch si should hold for circuit id. */
static void check_entry(struct sync *s, int si, uint32_t id,
			const struct osm_circuit *want, uint32_t epoch)
{
	const char *sw = s->e->sws[si].r.name;
	struct osm_circuit have;
	struct osm_switch *h;
	int err = eng_sw_handle(s->e, si, &h);

	if (err == OSM_ENGINE_ENOSWITCH)
		return;		/* offline: no maps to compare */
	if (!err)
		err = osm_switch_circuit_get(h, id, &have);
	if (err == -ENOENT) {
		say(s, "%s: circuit %u missing", sw, id);
		err = s->fix ? osm_switch_circuit_add(h, want) : 0;
	} else if (!err && !circuit_eq(&have, want)) {
		say(s, "%s: circuit %u differs (epoch %u)", sw, id, epoch);
		if (s->fix)
			err = osm_switch_circuit_replace(h, want);
	} else {
		sodium_memzero(&have, sizeof(have));
		first_err(s, err);
		return;
	}
	sodium_memzero(&have, sizeof(have));
	if (!err && s->fix)
		s->fixed++;
	first_err(s, err);
}

static void one_circuit(struct sync *s, struct osmdb_txn *t,
			const struct osmdb_rec_circuit *c)
{
	struct osm_circuit want;
	struct osm_keys k, ko = { 0 };
	uint32_t old = eng_retiring(s->e, c->id);
	unsigned i;
	int err, si;

	err = osmdb_circuit_keys(t, c->id, c->epoch, &k) ?:
	      (old ? osmdb_circuit_keys(t, c->id, old, &ko) : 0);
	if (err) {
		say(s, "circuit %u: no keys: %s", c->id,
		    osm_engine_strerror(err));
		first_err(s, err);
		return;
	}
	for (i = 0; i < c->n_path; i++) {
		if (eng_offline(s->e, eng_sw_find(s->e, c->path[i])))
			continue;
		err = eng_expect(s->e, c, i, k.hop, &want, &si);
		if (err) {
			say(s, "circuit %u on %s: %s", c->id, c->path[i],
			    osm_engine_strerror(err));
			first_err(s, err);
			continue;
		}
		if (old)	/* rotated, not yet retired: still there */
			eng_set_key(&want, old, ko.hop);
		check_entry(s, si, c->id, &want, c->epoch);
		sodium_memzero(&want, sizeof(want));
	}
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(&ko, sizeof(ko));
}

/* The two control circuits of device di on every switch of their paths,
 * keyed at the join epoch and at its last session's. */
static void one_device(struct sync *s, struct osmdb_txn *t, int di)
{
	struct osm_keys k, ks;
	struct osm_circuit want;
	uint32_t id, session = 0;
	const int *hops;
	unsigned i, n;
	int dir, err, si;

	err = osmdb_device_session(t, s->e->devs[di].r.id, &session);
	if (err) {
		first_err(s, err);
		return;
	}
	for (dir = OSM_CTRL_UP; dir <= OSM_CTRL_DOWN; dir++) {
		id = osm_ctrl_circuit(s->e->devs[di].r.id, dir);
		err = eng_ctrl_path(s->e, di, dir, &hops, &n) ?:
		      osm_engine_ctrl_keys(s->e, di, dir, OSM_CTRL_JOIN_EPOCH,
					   &k) ?:
		      (session ? osm_engine_ctrl_keys(s->e, di, dir,
						      osm_ctrl_epoch(session),
						      &ks) : 0);
		for (i = 0; !err && i < n; i++) {
			if (eng_offline(s->e, hops[i]))
				continue;
			err = eng_ctrl_expect(s->e, di, dir, i, &k,
					      session ? &ks : NULL, &want, &si);
			if (!err)
				check_entry(s, si, id, &want,
					    osm_ctrl_epoch(session));
			sodium_memzero(&want, sizeof(want));
		}
		sodium_memzero(&k, sizeof(k));
		sodium_memzero(&ks, sizeof(ks));
		if (err) {
			say(s, "control circuit %u: %s", id,
			    osm_engine_strerror(err));
			first_err(s, err);
		}
	}
}

int osm_engine_ctrl_install(struct osm_engine *e, int di)
{
	struct sync s = { .e = e, .fix = 1 };
	struct osmdb_txn *t;
	int err;

	if (di < 0 || (size_t)di >= e->n_devs || !e->ctl)
		return -EINVAL;
	err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &t);
	if (err)
		return err;
	one_device(&s, t, di);
	osmdb_txn_abort(t);
	return s.err;
}

int eng_fix_circuit(struct osm_engine *e, struct osmdb_txn *t,
		    const struct osmdb_rec_circuit *c, unsigned *fixed)
{
	struct sync s = { .e = e, .fix = 1 };

	one_circuit(&s, t, c);
	*fixed = s.fixed;
	return s.err;
}

struct all {
	struct osmdb_rec_circuit *c;
	size_t n, cap;
};

static int all_cb(const void *rec, void *arg)
{
	struct all *a = arg;
	void *p;

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		p = realloc(a->c, a->cap * sizeof(*a->c));
		if (!p)
			return -ENOMEM;
		a->c = p;
	}
	a->c[a->n++] = *(const struct osmdb_rec_circuit *)rec;
	return 0;
}

static int on_path(const struct osmdb_rec_circuit *c, const char *sw)
{
	unsigned i;

	for (i = 0; i < c->n_path; i++)
		if (!strcmp(c->path[i], sw))
			return 1;
	return 0;
}

/* Data circuits in switch si that the store does not put there. */
static void extras(struct sync *s, struct osmdb_txn *t,
		   const struct eng_remotes *rs, int si)
{
	struct osmdb_rec_circuit c;
	struct osm_switch *h;
	uint32_t id, last, *gone = NULL;
	size_t n = 0, cap = 0, i;
	const uint32_t *prev = NULL;
	void *p;
	int err;

	if (s->e->sws[si].r.kind == OSMDB_SW_GATEWAY ||
	    eng_sw_handle(s->e, si, &h))
		return;		/* not loaded: nothing in it to remove */
	while (osm_switch_circuit_next(h, prev, &id) == 0) {
		last = id;
		prev = &last;
		if (osm_circuit_is_ctrl(id)) {
			/* Control circuits are ours only with a controller. */
			if (!s->e->ctl || eng_ctrl_on(s->e, id, si))
				continue;
			say(s, "%s: control circuit %u is not a device's",
			    s->e->sws[si].r.name, id);
			goto gone;
		}
		if (id >= OSM_REMOTE_CIRCUIT_MIN) {
			if (eng_remote_on(s->e, rs, id, si))
				continue;
			say(s, "%s: circuit %u is no open remote's",
			    s->e->sws[si].r.name, id);
			goto gone;
		}
		err = osmdb_circuit_get(t, id, &c);
		if (!err && on_path(&c, s->e->sws[si].r.name))
			continue;
		if (err && err != OSMDB_ENOTFOUND) {
			first_err(s, err);
			continue;
		}
		say(s, "%s: circuit %u is not in the store",
		    s->e->sws[si].r.name, id);
gone:
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			p = realloc(gone, cap * sizeof(*gone));
			if (!p) {
				first_err(s, -ENOMEM);
				break;
			}
			gone = p;
		}
		gone[n++] = id;
	}
	for (i = 0; s->fix && i < n; i++) {
		err = osm_switch_circuit_del(h, gone[i]);
		first_err(s, err == -ENOENT ? 0 : err);
		if (!err)
			s->fixed++;
	}
	free(gone);
}

/* Each open direction of remote r on every switch of its path. */
static void one_remote(struct sync *s, struct osmdb_txn *t,
		       const struct osmdb_remote *r, const struct osmdb_peer *p)
{
	struct osm_circuit want;
	struct osm_keys k;
	const int *hops;
	unsigned i, n;
	int dir, err, si;

	for (dir = 0; dir < 2; dir++) {
		if (!(r->dirs & 1 << dir))
			continue;
		err = p ? eng_remote_path(s->e, r, p, dir, &hops, &n) ?:
			  osmdb_remote_keys(t, r, dir, OSM_REMOTE_EPOCH, &k) :
			  OSMDB_EREF;
		for (i = 0; !err && i < n; i++) {
			if (eng_offline(s->e, hops[i]))
				continue;
			err = eng_remote_expect(s->e, r, p, dir, i, &k, &want,
						&si);
			if (!err)
				check_entry(s, si, r->id[dir], &want,
					    OSM_REMOTE_EPOCH);
			sodium_memzero(&want, sizeof(want));
		}
		sodium_memzero(&k, sizeof(k));
		if (err) {
			say(s, "remote %s: %s", r->name,
			    osm_engine_strerror(err));
			first_err(s, err);
		}
	}
}

/* Does the gateway's list (its `list` reply) hold id? */
static int listed(const char *list, uint32_t id)
{
	const char *q = strchr(list, '[');
	char *end;

	while (q && *q && *q != ']') {
		unsigned long v = strtoul(q + 1, &end, 10);

		if (end == q + 1)
			break;
		if (v == id)
			return 1;
		q = end;
	}
	return 0;
}

/* Peer p's gateway: its link configured, the remote circuits of p open
 * in it and no other. A gateway that does not answer is offline. */
static void one_gateway(struct sync *s, struct osmdb_txn *t,
			const struct eng_remotes *rs,
			const struct osmdb_peer *p)
{
	const size_t cap = 2 << 20;	/* `list` of osm-gw's largest table */
	char *reply = malloc(cap), why[256], *q, *end;
	size_t i;
	int err, dir;

	why[0] = '\0';
	if (!reply) {
		first_err(s, -ENOMEM);
		return;
	}
	err = osm_engine_gw_ask(p->socket, "hello", reply, cap);
	if (err) {
		free(reply);
		if (err != -ENOENT && err != -ECONNREFUSED)
			say(s, "gateway %s: %s", p->gateway,
			    err == 1 ? "refused hello" : strerror(-err));
		return;
	}
	if (strstr(reply, "\"peer\":false")) {
		say(s, "gateway %s: no link to %s", p->gateway, p->name);
		if (s->fix) {
			err = eng_peer_gw_set(s->e, p, why, sizeof(why));
			s->fixed += !err;
			first_err(s, err);
		}
	}
	err = osm_engine_gw_ask(p->socket, "list", reply, cap);
	for (i = 0; !err && i < rs->n_r; i++) {
		if (strcmp(rs->r[i].peer, p->name))
			continue;
		for (dir = 0; dir < 2; dir++) {
			if (!(rs->r[i].dirs & 1 << dir) ||
			    listed(reply, rs->r[i].id[dir]))
				continue;
			say(s, "%s: circuit %u missing", p->gateway,
			    rs->r[i].id[dir]);
			if (!s->fix)
				continue;
			err = eng_remote_gw_set(s->e, t, &rs->r[i], p, dir,
						why, sizeof(why));
			s->fixed += !err;
		}
	}
	/* Whatever else it holds is no remote of ours. */
	for (q = strchr(reply, '['); !err && q && *q && *q != ']'; q = end) {
		unsigned long id = strtoul(q + 1, &end, 10);
		const struct osmdb_remote *r = NULL;

		if (end == q + 1)
			break;
		for (i = 0; i < rs->n_r && !r; i++)
			if ((rs->r[i].id[0] | 1) == (id | 1) &&
			    !strcmp(rs->r[i].peer, p->name) &&
			    rs->r[i].dirs & 1 << (rs->r[i].id[0] != id))
				r = &rs->r[i];
		if (r)
			continue;
		say(s, "%s: circuit %lu is no open remote's", p->gateway, id);
		if (s->fix) {
			err = eng_remote_gw_del(p, (uint32_t)id);
			s->fixed += !err;
		}
	}
	if (err)
		say(s, "gateway %s: %s", p->gateway,
		    err == -EPROTO && why[0] ? why : osm_engine_strerror(err));
	first_err(s, err == -ENOENT || err == -ECONNREFUSED ? 0 : err);
	free(reply);
}

static int sync_all(struct sync *s)
{
	struct eng_remotes rs = { 0 };
	struct all a = { 0 };
	struct osmdb_txn *t;
	size_t i;
	int err;

	err = osmdb_txn_begin(s->e->st, OSMDB_TXN_RDONLY, &t);
	if (err)
		return err;
	err = osmdb_foreach(t, OSMDB_TAB_CIRCUITS, all_cb, &a) ?:
	      eng_remotes_load(t, &rs);
	for (i = 0; !err && i < a.n; i++)
		one_circuit(s, t, &a.c[i]);
	for (i = 0; !err && s->e->ctl && i < s->e->n_devs; i++)
		one_device(s, t, (int)i);
	for (i = 0; !err && i < rs.n_r; i++)
		one_remote(s, t, &rs.r[i], eng_remote_peer(&rs, &rs.r[i]));
	for (i = 0; !err && i < s->e->n_sw; i++)
		extras(s, t, &rs, (int)i);
	for (i = 0; !err && i < rs.n_p; i++)
		one_gateway(s, t, &rs, &rs.p[i]);
	osmdb_txn_abort(t);
	eng_remotes_free(&rs);
	free(a.c);
	return err ?: s->err;
}

int osm_engine_reconcile(struct osm_engine *e, unsigned *fixed)
{
	struct sync s = { .e = e, .fix = 1 };
	int err = sync_all(&s);

	if (fixed)
		*fixed = s.fixed;
	return err;
}

int osm_engine_verify(struct osm_engine *e,
		      void (*report)(const char *line, void *arg), void *arg)
{
	struct sync s = { .e = e, .report = report, .arg = arg };
	int err = sync_all(&s);

	return err ? err : s.diffs;
}

/* The boot id in a hello reply ("" if none). */
static void boot_of(const char *reply, char boot[24])
{
	const char *b = strstr(reply, "\"boot\":\"");
	size_t n = b ? strcspn(b + 8, "\"") : 0;

	boot[0] = '\0';
	if (b && n < 24) {
		memcpy(boot, b + 8, n);
		boot[n] = '\0';
	}
}

static struct eng_gw_seen *seen(struct osm_engine *e, const char *peer)
{
	struct eng_gw_seen *g;
	size_t i;

	for (i = 0; i < e->n_gw_seen; i++)
		if (!strcmp(e->gw_seen[i].peer, peer))
			return &e->gw_seen[i];
	g = realloc(e->gw_seen, (e->n_gw_seen + 1) * sizeof(*g));
	if (!g)
		return NULL;
	e->gw_seen = g;
	g = &e->gw_seen[e->n_gw_seen++];
	snprintf(g->peer, sizeof(g->peer), "%s", peer);
	g->boot[0] = '\0';
	return g;
}

int osm_engine_gw_watch(struct osm_engine *e,
			void (*report)(const char *line, void *arg), void *arg)
{
	struct sync s = { .e = e, .fix = 1, .report = report, .arg = arg };
	struct eng_remotes rs = { 0 };
	struct eng_gw_seen *g;
	struct osmdb_txn *t;
	char reply[512], boot[24];
	size_t i;
	int first = 0, err = osmdb_txn_begin(e->st, OSMDB_TXN_RDONLY, &t);

	if (err)
		return err;
	err = eng_remotes_load(t, &rs);
	for (i = 0; !err && i < rs.n_p; i++) {
		if (osm_engine_gw_ask(rs.p[i].socket, "hello", reply,
				      sizeof(reply)))
			continue;	/* not there: nothing to give it */
		boot_of(reply, boot);
		g = seen(e, rs.p[i].name);
		if (!g) {
			err = -ENOMEM;
			break;
		}
		if (!strcmp(g->boot, boot) &&
		    !strstr(reply, "\"peer\":false"))
			continue;
		/* New to us, or restarted: given all it should hold; seen
		 * once that worked (one gateway's error is its own). */
		s.err = 0;
		one_gateway(&s, t, &rs, &rs.p[i]);
		if (!s.err)
			strcpy(g->boot, boot);
		else if (!first)
			first = s.err;
	}
	osmdb_txn_abort(t);
	eng_remotes_free(&rs);
	return err ?: first ?: (int)s.fixed;
}
