// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Topology files: YAML (libyaml document API, which keeps line marks)
 * into a struct osmdb_topo, validated as a whole before anything is
 * applied; then the apply into the store in the caller's transaction. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <yaml.h>
#include "osm_hex.h"
#include "osmdb_int.h"
#include "osmdb_topo.h"

struct ctx {
	const char *file;
	yaml_document_t *doc;
	struct osmdb_topo *t;
	char *err;
	size_t errlen;
	bool failed;
	size_t entries;
};

static void fail(struct ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The first problem wins: it is the one the operator fixes first. */
static void fail(struct ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return;
	c->failed = true;
	n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, line);
	if (n < 0 || (size_t)n >= c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int line_of(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static const char *type_name(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? "a value" :
	       n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
}

/* A scalar's text, or NULL (and an error) for anything else. */
static const char *scalar(struct ctx *c, const yaml_node_t *n,
			  const char *what)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE) {
		fail(c, line_of(n), "%s must be a value, not %s", what,
		     type_name(n));
		return NULL;
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		fail(c, line_of(n), "%s holds a NUL byte", what);
		return NULL;
	}
	return s;
}

/*
 * Collect the values of a mapping's keys into v[] (NULL if absent), in
 * the order of keys[]; unknown and repeated keys are errors.
 */
static bool fields(struct ctx *c, yaml_node_t *n, const char *what,
		   const char *const *keys, yaml_node_t **v)
{
	yaml_node_pair_t *p;
	size_t i;

	for (i = 0; keys[i]; i++)
		v[i] = NULL;
	if (n->type != YAML_MAPPING_NODE) {
		fail(c, line_of(n), "%s must be a mapping, not %s", what,
		     type_name(n));
		return false;
	}
	for (p = n->data.mapping.pairs.start;
	     !c->failed && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(c->doc, p->value);
		const char *ks;

		if (!k || !val)
			break;
		ks = scalar(c, k, "a key");
		if (!ks)
			break;
		for (i = 0; keys[i] && strcmp(keys[i], ks); i++)
			;
		if (!keys[i])
			fail(c, line_of(k), "unknown key '%s' in %s", ks, what);
		else if (v[i])
			fail(c, line_of(k), "key '%s' given twice in %s", ks,
			     what);
		else
			v[i] = val;
	}
	return !c->failed;
}

/* A name field into dst (required unless opt). */
static void name_field(struct ctx *c, const yaml_node_t *n,
		       const yaml_node_t *parent, const char *what,
		       const char *key, char *dst, size_t max, bool opt)
{
	const char *s;

	if (!n) {
		if (!opt)
			fail(c, line_of(parent), "%s has no %s", what, key);
		return;
	}
	s = scalar(c, n, key);
	if (!s)
		return;
	if (!osmdb_name_ok(s) || strlen(s) > max)
		fail(c, line_of(n), "bad %s '%.80s' in %s (1-%zu of A-Z a-z "
		     "0-9 . _ -)", key, s, what, max);
	else
		strcpy(dst, s);
}

/* A "switch/port" reference into dst. */
static void ref_field(struct ctx *c, const yaml_node_t *n, const char *what,
		      const char *key, char *dst)
{
	char sw[OSMDB_NAME_MAX + 2], *slash;
	const char *s = scalar(c, n, key);

	if (!s)
		return;
	slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) > OSMDB_NAME_MAX) {
		fail(c, line_of(n), "%s of %s must be SWITCH/PORT, not "
		     "'%.80s'", key, what, s);
		return;
	}
	memcpy(sw, s, (size_t)(slash - s));
	sw[slash - s] = '\0';
	if (!osmdb_name_ok(sw) || !osmdb_name_ok(slash + 1)) {
		fail(c, line_of(n), "bad %s '%.80s' in %s", key, s, what);
		return;
	}
	strcpy(dst, s);
}

static bool number(struct ctx *c, const yaml_node_t *n, const char *what,
		   long long min, long long max, long long *out)
{
	const char *s = scalar(c, n, what);
	char *end;

	if (!s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (!*s || *end || errno || *out < min || *out > max) {
		fail(c, line_of(n), "%s must be a number from %lld to %lld, "
		     "not '%.40s'", what, min, max, s);
		return false;
	}
	return true;
}

/* Grow an array by one element; counts towards the entry limit, which
 * also bounds the work an alias-heavy file can cause. */
static void *grow(struct ctx *c, void **arr, size_t *n, size_t size,
		  const yaml_node_t *at)
{
	void *p;

	if (++c->entries > OSMDB_TOPO_MAX_ENTRIES) {
		fail(c, line_of(at), "more than %u entries",
		     OSMDB_TOPO_MAX_ENTRIES);
		return NULL;
	}
	if ((*n & (*n - 1)) == 0) {	/* at powers of two: double */
		p = realloc(*arr, (*n ? 2 * *n : 1) * size);
		if (!p) {
			fail(c, line_of(at), "out of memory");
			return NULL;
		}
		*arr = p;
	}
	p = (char *)*arr + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

#define GROW(c, arr, n, at) grow(c, (void **)&(arr), &(n), sizeof(*(arr)), at)

/* Walk a list, calling item() on each element. */
static void list(struct ctx *c, yaml_node_t *n, const char *what,
		 void (*item)(struct ctx *, yaml_node_t *, void *), void *arg)
{
	yaml_node_item_t *i;

	if (n->type != YAML_SEQUENCE_NODE) {
		fail(c, line_of(n), "%s must be a list, not %s", what,
		     type_name(n));
		return;
	}
	for (i = n->data.sequence.items.start;
	     !c->failed && i < n->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *i);

		if (e)
			item(c, e, arg);
	}
}

static void room_item(struct ctx *c, yaml_node_t *n, void *floor)
{
	static const char *const keys[] = { "name", "switch", NULL };
	yaml_node_t *v[2];
	struct osmdb_topo_room *r;

	if (!fields(c, n, "a room", keys, v))
		return;
	r = GROW(c, c->t->rooms, c->t->n_rooms, n);
	if (!r)
		return;
	r->line = line_of(n);
	strcpy(r->r.floor, floor);
	name_field(c, v[0], n, "a room", "name", r->r.name, OSMDB_NAME_MAX,
		   false);
	name_field(c, v[1], n, "a room", "switch", r->r.sw, OSMDB_NAME_MAX,
		   false);
	r->sw_line = v[1] ? line_of(v[1]) : r->line;
}

static void floor_item(struct ctx *c, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "name", "level", "rooms", NULL };
	yaml_node_t *v[3];
	struct osmdb_topo_floor *f;
	long long level = 0;

	(void)arg;
	if (!fields(c, n, "a floor", keys, v))
		return;
	f = GROW(c, c->t->floors, c->t->n_floors, n);
	if (!f)
		return;
	f->line = line_of(n);
	name_field(c, v[0], n, "a floor", "name", f->r.name, OSMDB_NAME_MAX,
		   false);
	if (v[1] && number(c, v[1], "level", -1000, 1000, &level))
		f->r.level = (int32_t)level;
	if (v[2] && !c->failed)
		list(c, v[2], "rooms", room_item, f->r.name);
}

static void port_item(struct ctx *c, yaml_node_t *n, void *sw)
{
	static const char *const keys[] = { "name", "kind", "ifname", "link",
					     NULL };
	yaml_node_t *v[4];
	struct osmdb_topo_port *p;
	const char *s;
	int kind;

	if (!fields(c, n, "a port", keys, v))
		return;
	p = GROW(c, c->t->ports, c->t->n_ports, n);
	if (!p)
		return;
	p->line = line_of(n);
	strcpy(p->r.sw, sw);
	name_field(c, v[0], n, "a port", "name", p->r.name, OSMDB_NAME_MAX,
		   false);
	p->r.kind = OSMDB_PORT_DEVICE;
	if (v[1] && (s = scalar(c, v[1], "kind"))) {
		kind = osmdb_port_kind_parse(s);
		if (kind < 0)
			fail(c, line_of(v[1]), "unknown port kind '%.40s' "
			     "(device, uplink, wan, mgmt)", s);
		p->r.kind = (uint8_t)kind;
	}
	p->ifname_line = v[2] ? line_of(v[2]) : p->line;
	if (v[2])
		name_field(c, v[2], n, "a port", "ifname", p->r.ifname,
			   sizeof(p->r.ifname) - 1, false);
	else if (strlen(p->r.name) < sizeof(p->r.ifname))
		strcpy(p->r.ifname, p->r.name);
	else
		fail(c, p->line, "port name '%s' is too long for an interface "
		     "name: give an ifname", p->r.name);
	if (v[3]) {
		p->link_line = line_of(v[3]);
		ref_field(c, v[3], "a port", "link", p->link);
	}
	snprintf(p->full, sizeof(p->full), "%s/%s", p->r.sw, p->r.name);
	snprintf(p->full_if, sizeof(p->full_if), "%s/%s", p->r.sw,
		 p->r.ifname);
}

static void switch_item(struct ctx *c, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "name", "kind", "ports", NULL };
	yaml_node_t *v[3];
	struct osmdb_topo_switch *w;
	const char *s;
	int kind;

	(void)arg;
	if (!fields(c, n, "a switch", keys, v))
		return;
	w = GROW(c, c->t->switches, c->t->n_switches, n);
	if (!w)
		return;
	w->line = line_of(n);
	name_field(c, v[0], n, "a switch", "name", w->r.name, OSMDB_NAME_MAX,
		   false);
	if (!v[1]) {
		fail(c, w->line, "switch has no kind (room, core, gateway)");
	} else if ((s = scalar(c, v[1], "kind"))) {
		kind = osmdb_switch_kind_parse(s);
		if (kind < 0)
			fail(c, line_of(v[1]), "unknown switch kind '%.40s' "
			     "(room, core, gateway)", s);
		w->r.kind = (uint8_t)kind;
	}
	if (v[2] && !c->failed)
		list(c, v[2], "ports", port_item, w->r.name);
}

/* Exactly xx:xx:xx:xx:xx:xx (osm_mac_parse alone takes looser forms),
 * a unicast address, not all zeros. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	int i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	if (osm_mac_parse(s, mac))
		return false;
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
				 mac[5]);
}

static void device_item(struct ctx *c, yaml_node_t *n, void *arg)
{
	static const char *const keys[] = { "id", "name", "role", "room",
					     "port", "mac", NULL };
	yaml_node_t *v[6];
	struct osmdb_topo_device *d;
	long long id;
	const char *s;
	int role;

	(void)arg;
	if (!fields(c, n, "a device", keys, v))
		return;
	d = GROW(c, c->t->devices, c->t->n_devices, n);
	if (!d)
		return;
	d->line = line_of(n);
	if (!v[0])
		fail(c, d->line, "device has no id");
	else if (number(c, v[0], "device id", 1, OSM_DEVICE_ID_MAX, &id))
		d->r.id = (uint32_t)id;
	d->id_line = v[0] ? line_of(v[0]) : d->line;
	snprintf(d->id_s, sizeof(d->id_s), "%u", d->r.id);
	name_field(c, v[1], n, "a device", "name", d->r.name, OSMDB_NAME_MAX,
		   false);
	d->name_line = v[1] ? line_of(v[1]) : d->line;
	if (!v[2]) {
		fail(c, d->line, "device has no role");
	} else if ((s = scalar(c, v[2], "role"))) {
		role = osmdb_role_parse(s);
		if (role < 0)
			fail(c, line_of(v[2]), "unknown role '%.40s' (sensor, "
			     "display, microphone, speaker, lamp, door, "
			     "controller)", s);
		d->r.role = (uint8_t)role;
	}
	name_field(c, v[3], n, "a device", "room", d->r.room, OSMDB_NAME_MAX,
		   false);
	d->room_line = v[3] ? line_of(v[3]) : d->line;
	if (!v[4] && !c->failed)
		fail(c, d->line, "device '%s' is on no port", d->r.name);
	else if (v[4])
		ref_field(c, v[4], "a device", "port", d->port);
	d->port_line = v[4] ? line_of(v[4]) : d->line;
	if (!v[5]) {
		fail(c, d->line, "device has no mac");
	} else if ((s = scalar(c, v[5], "mac"))) {
		if (!parse_mac(s, d->r.mac))
			fail(c, line_of(v[5]), "bad MAC '%.40s' (a unicast "
			     "address, xx:xx:xx:xx:xx:xx)", s);
		d->mac_line = line_of(v[5]);
		osm_mac_format(d->mac_s, d->r.mac);
	}
}

/* ---- validation: sorted indexes for duplicates and references ---------- */

struct ent {
	const char *key;
	int line;
	size_t idx;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : (x->line > y->line) - (x->line < y->line);
}

/* Index n items of size stride: key at key_off, line at line_off. */
static struct ent *index_of(struct ctx *c, const void *arr, size_t n,
			    size_t stride, size_t key_off, size_t line_off)
{
	struct ent *e = calloc(n ? n : 1, sizeof(*e));
	size_t i;

	if (!e) {
		fail(c, 1, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const char *item = (const char *)arr + i * stride;

		e[i].key = item + key_off;
		memcpy(&e[i].line, item + line_off, sizeof(int));
		e[i].idx = i;
	}
	qsort(e, n, sizeof(*e), ent_cmp);
	return e;
}

#define INDEX(c, arr, n, key, line) index_of(c, arr, n, sizeof(*(arr)), \
	offsetof(__typeof__(*(arr)), key), offsetof(__typeof__(*(arr)), line))

/* Report the duplicate key that comes first in the file. */
static void no_dups(struct ctx *c, const struct ent *e, size_t n,
		    const char *what)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++)
		if (!strcmp(e[i - 1].key, e[i].key) &&
		    (!best || e[i].line < e[best].line))
			best = i;
	if (best)
		fail(c, e[best].line, "duplicate %s '%s' (first at line %d)",
		     what, e[best].key, e[best - 1].line);
}

/* The index of the item with key, or -1. */
static long lookup(const struct ent *e, size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(e[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(e[lo].key, key) ? (long)e[lo].idx : -1;
}

static void link_ports(struct ctx *c, const struct ent *pi)
{
	struct osmdb_topo *t = c->t;
	size_t i;

	for (i = 0; !c->failed && i < t->n_ports; i++) {
		struct osmdb_topo_port *p = &t->ports[i], *q;
		long j;

		if (!p->link[0])
			continue;
		j = lookup(pi, t->n_ports, p->link);
		if (j < 0) {
			fail(c, p->link_line, "port %s: unknown port '%s'",
			     p->full, p->link);
			return;
		}
		q = &t->ports[j];
		if (q == p || p->r.kind != OSMDB_PORT_UPLINK ||
		    q->r.kind != OSMDB_PORT_UPLINK) {
			fail(c, p->link_line, "port %s: only two uplink ports "
			     "of different switches can be linked", p->full);
			return;
		}
		if (!strcmp(q->r.sw, p->r.sw)) {
			fail(c, p->link_line, "port %s: links to its own "
			     "switch", p->full);
			return;
		}
		/* both ends may name each other; nothing else may */
		if ((p->r.peer_sw[0] && (strcmp(p->r.peer_sw, q->r.sw) ||
					 strcmp(p->r.peer_port, q->r.name))) ||
		    (q->r.peer_sw[0] && (strcmp(q->r.peer_sw, p->r.sw) ||
					 strcmp(q->r.peer_port, p->r.name)))) {
			fail(c, p->link_line, "port %s or %s is already "
			     "linked elsewhere", p->full, q->full);
			return;
		}
		strcpy(p->r.peer_sw, q->r.sw);
		strcpy(p->r.peer_port, q->r.name);
		strcpy(q->r.peer_sw, p->r.sw);
		strcpy(q->r.peer_port, p->r.name);
	}
}

static void check_rooms(struct ctx *c, const struct ent *si,
			const struct ent *fi)
{
	struct osmdb_topo *t = c->t;
	size_t i;

	(void)fi;
	for (i = 0; !c->failed && i < t->n_rooms; i++) {
		struct osmdb_topo_room *r = &t->rooms[i];
		long j = lookup(si, t->n_switches, r->r.sw);
		struct osmdb_topo_switch *w;

		if (j < 0) {
			fail(c, r->sw_line, "room %s: unknown switch '%s'",
			     r->r.name, r->r.sw);
			return;
		}
		w = &t->switches[j];
		if (w->r.kind != OSMDB_SW_ROOM)
			fail(c, r->sw_line, "room %s: switch '%s' is a %s "
			     "switch, not a room switch", r->r.name, r->r.sw,
			     osmdb_switch_kind_name(w->r.kind));
		else if (w->r.room[0])
			fail(c, r->sw_line, "room %s: switch '%s' already "
			     "serves room %s", r->r.name, r->r.sw, w->r.room);
		else
			strcpy(w->r.room, r->r.name);
	}
	for (i = 0; !c->failed && i < t->n_switches; i++)
		if (t->switches[i].r.kind == OSMDB_SW_ROOM &&
		    !t->switches[i].r.room[0])
			fail(c, t->switches[i].line, "room switch '%s' serves "
			     "no room", t->switches[i].r.name);
}

static void check_devices(struct ctx *c, const struct ent *ri,
			  const struct ent *pi)
{
	struct osmdb_topo *t = c->t;
	size_t i;

	for (i = 0; !c->failed && i < t->n_devices; i++) {
		struct osmdb_topo_device *d = &t->devices[i];
		struct osmdb_topo_room *r;
		struct osmdb_topo_port *p;
		long j = lookup(ri, t->n_rooms, d->r.room);

		if (j < 0) {
			fail(c, d->room_line, "device %s: unknown room '%s'",
			     d->r.name, d->r.room);
			return;
		}
		r = &t->rooms[j];
		j = lookup(pi, t->n_ports, d->port);
		if (j < 0) {
			fail(c, d->port_line, "device %s: unknown port '%s'",
			     d->r.name, d->port);
			return;
		}
		p = &t->ports[j];
		if (p->r.kind != OSMDB_PORT_DEVICE)
			fail(c, d->port_line, "device %s: port '%s' is an %s "
			     "port, not a device port", d->r.name, d->port,
			     osmdb_port_kind_name(p->r.kind));
		else if (strcmp(p->r.sw, r->r.sw))
			fail(c, d->port_line, "device %s: port '%s' is not on "
			     "switch '%s' of room %s", d->r.name, d->port,
			     r->r.sw, r->r.name);
		strcpy(d->r.sw, p->r.sw);
		strcpy(d->r.port, p->r.name);
	}
}

static void validate(struct ctx *c)
{
	struct osmdb_topo *t = c->t;
	struct ent *fi, *ri, *si, *pi, *ii, *di, *dn, *dm, *dp;

	fi = INDEX(c, t->floors, t->n_floors, r.name, line);
	ri = INDEX(c, t->rooms, t->n_rooms, r.name, line);
	si = INDEX(c, t->switches, t->n_switches, r.name, line);
	pi = INDEX(c, t->ports, t->n_ports, full, line);
	ii = INDEX(c, t->ports, t->n_ports, full_if, ifname_line);
	di = INDEX(c, t->devices, t->n_devices, id_s, id_line);
	dn = INDEX(c, t->devices, t->n_devices, r.name, name_line);
	dm = INDEX(c, t->devices, t->n_devices, mac_s, mac_line);
	dp = INDEX(c, t->devices, t->n_devices, port, port_line);
	if (!c->failed) {
		no_dups(c, fi, t->n_floors, "floor");
		no_dups(c, ri, t->n_rooms, "room");
		no_dups(c, si, t->n_switches, "switch");
		no_dups(c, pi, t->n_ports, "port");
		no_dups(c, ii, t->n_ports, "interface");
		no_dups(c, di, t->n_devices, "device id");
		no_dups(c, dn, t->n_devices, "device name");
		no_dups(c, dm, t->n_devices, "MAC");
		no_dups(c, dp, t->n_devices, "device on port");
	}
	if (!c->failed)
		check_rooms(c, si, fi);
	if (!c->failed)
		link_ports(c, pi);
	if (!c->failed)
		check_devices(c, ri, pi);
	free(fi), free(ri), free(si), free(pi), free(ii);
	free(di), free(dn), free(dm), free(dp);
}

/* ---- entry points ---------------------------------------------------- */

static void top(struct ctx *c, yaml_node_t *root)
{
	static const char *const keys[] = { "building", "floors", "switches",
					     "devices", NULL };
	yaml_node_t *v[4];

	if (!fields(c, root, "the building file", keys, v))
		return;
	name_field(c, v[0], root, "the building file", "building",
		   c->t->building, OSMDB_NAME_MAX, false);
	if (!c->failed && v[1])
		list(c, v[1], "floors", floor_item, NULL);
	if (!c->failed && v[2])
		list(c, v[2], "switches", switch_item, NULL);
	if (!c->failed && v[3])
		list(c, v[3], "devices", device_item, NULL);
	if (!c->failed && !c->t->n_rooms)
		fail(c, line_of(root), "the building has no rooms");
	if (!c->failed)
		validate(c);
}

int osmdb_topo_parse(const void *buf, size_t len, const char *name,
		     struct osmdb_topo **out, char *err, size_t errlen)
{
	struct ctx c = { .file = name, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	c.t = calloc(1, sizeof(*c.t));
	if (!c.t)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		free(c.t);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.context)
			fail(&c, (int)parser.problem_mark.line + 1,
			     "%s (%s at line %d)", parser.problem,
			     parser.context,
			     (int)parser.context_mark.line + 1);
		else
			fail(&c, (int)parser.problem_mark.line + 1, "%s",
			     parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		osmdb_topo_free(c.t);
		return -EINVAL;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		fail(&c, 1, "empty file");
	else
		top(&c, root);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (c.failed) {
		osmdb_topo_free(c.t);
		return -EINVAL;
	}
	*out = c.t;
	return 0;
}

int osmdb_topo_parse_file(const char *path, struct osmdb_topo **out, char *err,
			  size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > OSMDB_TOPO_MAX_BYTES) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file of at most %u "
			 "bytes", path, OSMDB_TOPO_MAX_BYTES);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		snprintf(err, errlen, "%s: short read", path);
		return -EIO;
	}
	rc = osmdb_topo_parse(buf, (size_t)n, path, out, err, errlen);
	free(buf);
	return rc;
}

void osmdb_topo_free(struct osmdb_topo *t)
{
	if (!t)
		return;
	free(t->floors);
	free(t->rooms);
	free(t->switches);
	free(t->ports);
	free(t->devices);
	free(t);
}

/* ---- apply ----------------------------------------------------------- */

struct still_used {
	struct osmdb_txn *t;
	char *why;
	size_t why_len;
};

static int person_room_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_person *p = rec;
	struct still_used *u = arg;
	struct osmdb_rec_room r;
	int err = osmdb_room_get(u->t, p->room, &r);

	if (err == OSMDB_ENOTFOUND) {
		snprintf(u->why, u->why_len, "room %s has people present",
			 p->room);
		return OSMDB_EINUSE;
	}
	return err;
}

static int circuit_dev_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;
	struct still_used *u = arg;
	struct osmdb_rec_device d;
	struct osmdb_rec_switch w;
	int err = osmdb_device_get(u->t, c->src_dev, &d) ?:
		  osmdb_device_get(u->t, c->dst_dev, &d);
	unsigned i;

	for (i = 0; !err && i < c->n_path; i++)
		err = osmdb_switch_get(u->t, c->path[i], &w);
	if (err == OSMDB_ENOTFOUND) {
		snprintf(u->why, u->why_len, "circuit %u uses a device or "
			 "switch that the new topology drops", c->id);
		return OSMDB_EINUSE;
	}
	return err;
}

/* The English plural's ending for a count: "" for one, else ending. */
static const char *plural(size_t n, const char *ending)
{
	return n == 1 ? "" : ending;
}

int osmdb_topo_apply(struct osmdb_txn *t, const struct osmdb_topo *topo,
		     char *why, size_t why_len)
{
	char dummy[1];
	struct still_used u = { t, why ? why : dummy,
				why ? why_len : sizeof(dummy) };
	struct osmdb_key k;
	size_t i;
	int err = 0;

	if (u.why_len)
		u.why[0] = '\0';
	for (i = OSMDB_TAB_FLOORS; !err && i <= OSMDB_TAB_DEVICES; i++)
		err = osmdb_tab_clear(t, (enum osmdb_table)i);
	for (i = 0; !err && i < topo->n_floors; i++)
		err = osmdb_key_name(&k, topo->floors[i].r.name) ?:
		      osmdb_tab_put(t, OSMDB_TAB_FLOORS, &k, &topo->floors[i].r,
				    true);
	for (i = 0; !err && i < topo->n_rooms; i++)
		err = osmdb_key_name(&k, topo->rooms[i].r.name)
			?: osmdb_tab_put(t, OSMDB_TAB_ROOMS, &k,
					 &topo->rooms[i].r, true);
	for (i = 0; !err && i < topo->n_switches; i++)
		err = osmdb_key_name(&k, topo->switches[i].r.name)
			?: osmdb_tab_put(t, OSMDB_TAB_SWITCHES, &k,
					 &topo->switches[i].r, true);
	for (i = 0; !err && i < topo->n_ports; i++)
		err = osmdb_key_port(&k, topo->ports[i].r.sw,
				     topo->ports[i].r.name)
			?: osmdb_tab_put(t, OSMDB_TAB_PORTS, &k,
					 &topo->ports[i].r, true);
	for (i = 0; !err && i < topo->n_devices; i++) {
		osmdb_key_u32(&k, topo->devices[i].r.id);
		err = osmdb_tab_put(t, OSMDB_TAB_DEVICES, &k,
				    &topo->devices[i].r, true);
	}
	if (!err)
		err = osmdb_meta_put(t, "building", topo->building,
				     strlen(topo->building));
	/* what lives on must still have its room, devices and switches */
	if (!err)
		err = osmdb_foreach(t, OSMDB_TAB_PEOPLE, person_room_cb, &u);
	if (!err)
		err = osmdb_tab_foreach(t, OSMDB_TAB_CIRCUITS, circuit_dev_cb,
					&u);
	if (!err)
		err = osmdb_audit_append(t, OSMDB_AUDIT_TOPOLOGY, NULL,
			"building %s: %zu floor%s, %zu room%s, %zu switch%s, "
			"%zu port%s, %zu device%s", topo->building,
			topo->n_floors, plural(topo->n_floors, "s"),
			topo->n_rooms, plural(topo->n_rooms, "s"),
			topo->n_switches, plural(topo->n_switches, "es"),
			topo->n_ports, plural(topo->n_ports, "s"),
			topo->n_devices, plural(topo->n_devices, "s"));
	return err;
}
