// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Metrics in the Prometheus text exposition format 0.0.4 (docs/engine.md,
 * "Metrics"): the writer, the switches' families and the daemon's. The
 * one place that renders them, for the CLI and the daemon alike. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include "metrics.h"
#include "cli_gateway.h"
#include "switch.h"
#include "cli_switch.h"

/* ---- the writer ---------------------------------------------------------- */

void osm_mw_init(struct osm_mw *w)
{
	memset(w, 0, sizeof(*w));
}

void osm_mw_free(struct osm_mw *w)
{
	free(w->buf);
	osm_mw_init(w);
}

static void put(struct osm_mw *w, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (w->err)
		return;
	if (w->len + n + 1 > w->cap) {
		cap = w->cap ? w->cap : 4096;
		while (cap < w->len + n + 1)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct osm_mw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void putf(struct osm_mw *w, const char *fmt, ...)
{
	char b[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	put(w, b, n < 0 ? 0 : (size_t)n < sizeof(b) ? (size_t)n :
	    sizeof(b) - 1);
}

/* Escapes of the format: HELP text '\' and newline; label values also
 * '"'. */
static void escaped(struct osm_mw *w, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(w, "\\\\");
		else if (*s == '\n')
			puts_(w, "\\n");
		else if (*s == '"' && quote)
			puts_(w, "\\\"");
		else
			put(w, s, 1);
	}
}

void osm_mw_family(struct osm_mw *w, const char *name, const char *type,
		   const char *help)
{
	putf(w, "# HELP %s ", name);
	escaped(w, help, 0);
	putf(w, "\n# TYPE %s %s\n", name, type);
}

/* name{labels[,le="le"]} */
static void series(struct osm_mw *w, const char *name,
		   const char *const *labels, const char *le)
{
	int n = 0;

	puts_(w, name);
	for (; labels && labels[0] && labels[1]; labels += 2, n++) {
		putf(w, "%s%s=\"", n ? "," : "{", labels[0]);
		escaped(w, labels[1], 1);
		puts_(w, "\"");
	}
	if (le)
		putf(w, "%sle=\"%s\"", n++ ? "," : "{", le);
	if (n)
		puts_(w, "}");
}

void osm_mw_u64(struct osm_mw *w, const char *name,
		const char *const *labels, uint64_t v)
{
	series(w, name, labels, NULL);
	putf(w, " %" PRIu64 "\n", v);
}

/* Bucket bounds: ns, and as the le label says them in seconds. */
static const uint64_t bound_ns[OSM_MHIST_BUCKETS] = {
	10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
	100000000, 250000000, 500000000, 1000000000,
};
static const char *const bound_le[OSM_MHIST_BUCKETS + 1] = {
	"1e-05", "2.5e-05", "5e-05", "0.0001", "0.00025", "0.0005",
	"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
	"0.1", "0.25", "0.5", "1", "+Inf",
};

void osm_mhist_add(struct osm_mhist *h, uint64_t ns)
{
	int i = 0;

	while (i < OSM_MHIST_BUCKETS && ns > bound_ns[i])
		i++;
	h->n[i]++;
	h->count++;
	h->sum_ns += ns;
}

void osm_mw_hist(struct osm_mw *w, const char *name,
		 const char *const *labels, const struct osm_mhist *h)
{
	char n[128];
	uint64_t cum = 0;
	int i;

	snprintf(n, sizeof(n), "%s_bucket", name);
	for (i = 0; i <= OSM_MHIST_BUCKETS; i++) {
		cum += h->n[i];
		series(w, n, labels, bound_le[i]);
		putf(w, " %" PRIu64 "\n", cum);
	}
	snprintf(n, sizeof(n), "%s_sum", name);
	series(w, n, labels, NULL);
	putf(w, " %" PRIu64 ".%09" PRIu64 "\n", h->sum_ns / 1000000000ULL,
	     h->sum_ns % 1000000000ULL);
	snprintf(n, sizeof(n), "%s_count", name);
	osm_mw_u64(w, n, labels, h->count);
}

/* ---- the daemon's figures ----------------------------------------------- */

static const char *const result_name[OSM_MRES_MAX] = {
	"ok", "not-present", "no-room", "same-room", "failed",
};

void osm_metrics_event(struct osm_metrics_daemon *m,
		       const struct osm_engine_event *ev)
{
	unsigned k = ev->kind;
	int r;

	if (k < 1 || k >= OSM_MKIND_MAX)
		return;
	switch (ev->err) {
	case 0: r = OSM_MRES_OK; break;
	case OSM_ENGINE_ENOPERSON: r = OSM_MRES_NOT_PRESENT; break;
	case OSM_ENGINE_ENOROOM: r = OSM_MRES_NO_ROOM; break;
	case OSM_ENGINE_ESAMEROOM: r = OSM_MRES_SAME_ROOM; break;
	default: r = OSM_MRES_FAILED;
	}
	m->events[k][r]++;
	m->map_ops += ev->map_ops;
	if (r != OSM_MRES_OK)
		return;		/* nothing applied: no latency */
	osm_mhist_add(&m->maps[k], ev->maps_ns);
	if (k == OSM_EV_MOVE || k == OSM_EV_LEAVE)
		osm_mhist_add(&m->kill[k], ev->kill_ns);
	if (k <= OSM_EV_LEAVE)
		osm_mhist_add(&m->commit[k], ev->total_ns);
}

/* The kinds a histogram is kept for, from first to last. */
static void hists(struct osm_mw *w, const char *name, const char *type_help,
		  const struct osm_mhist *h, unsigned first, unsigned last)
{
	unsigned k;

	osm_mw_family(w, name, "histogram", type_help);
	for (k = first; k <= last; k++)
		osm_mw_hist(w, name, (const char *const[]){
			"event", osm_engine_kind_name(k), NULL }, &h[k]);
}

static void store_figures(struct osm_mw *w, struct osmdb *st)
{
	struct osmdb_txn *t;
	size_t used, size;
	long people = -1, circuits = -1;

	if (!st)
		return;
	if (!osmdb_txn_begin(st, OSMDB_TXN_RDONLY, &t)) {
		people = osmdb_count(t, OSMDB_TAB_PEOPLE);
		circuits = osmdb_count(t, OSMDB_TAB_CIRCUITS);
		osmdb_txn_abort(t);
	}
	if (people >= 0) {
		osm_mw_family(w, "osm_engine_people_present", "gauge",
			      "People in the building (the store's person "
			      "records).");
		osm_mw_u64(w, "osm_engine_people_present", NULL,
			   (uint64_t)people);
	}
	if (circuits >= 0) {
		osm_mw_family(w, "osm_engine_circuits", "gauge",
			      "Circuits in the store (data and control).");
		osm_mw_u64(w, "osm_engine_circuits", NULL, (uint64_t)circuits);
	}
	if (osmdb_usage(st, &used, &size))
		return;
	osm_mw_family(w, "osm_store_used_bytes", "gauge",
		      "Bytes of the store's LMDB map in use.");
	osm_mw_u64(w, "osm_store_used_bytes", NULL, used);
	osm_mw_family(w, "osm_store_size_bytes", "gauge",
		      "Size of the store's LMDB map (it doubles when 3/4 "
		      "full).");
	osm_mw_u64(w, "osm_store_size_bytes", NULL, size);
}

static void ctl_figures(struct osm_mw *w, const struct osm_ctl_stats *cs)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} c[] = {
#define C(f, n, h) { "osm_controller_" n "_total", h, \
		     offsetof(struct osm_ctl_stats, f) }
		C(rx, "frames_received", "Frames the controller received "
		  "on its interface."),
		C(rx_bad, "bad_frames", "Frames received that did not open "
		  "or parse (dropped)."),
		C(sent, "frames_sent", "Frames the controller sent, "
		  "first sends and resends."),
		C(resent, "frames_resent", "Messages sent again, not yet "
		  "acknowledged."),
		C(slow, "slow_messages", "Messages past their ten quick "
		  "retries (now resent every second)."),
		C(sessions, "sessions", "Device sessions accepted."),
		C(stale_session, "stale_session_frames", "Frames of a device "
		  "session that was not accepted."),
		C(rejoin, "rejoins", "REJOINs sent."),
		C(rekeyed, "rekeyed_circuits", "Circuits rekeyed for a "
		  "device's new session."),
		C(rekey_failed, "rekey_failures", "Device sessions whose "
		  "rekey failed."),
#undef C
	};
	size_t i;

	osm_mw_family(w, "osm_controller_messages_received_total", "counter",
		      "Messages received from devices, by type.");
	osm_mw_u64(w, "osm_controller_messages_received_total",
		   (const char *const[]){ "type", "hello", NULL }, cs->hello);
	osm_mw_u64(w, "osm_controller_messages_received_total",
		   (const char *const[]){ "type", "presence", NULL },
		   cs->presence);
	osm_mw_u64(w, "osm_controller_messages_received_total",
		   (const char *const[]){ "type", "ack", NULL }, cs->acks);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		osm_mw_family(w, c[i].name, "counter", c[i].help);
		osm_mw_u64(w, c[i].name, NULL,
			   *(const uint64_t *)((const char *)cs + c[i].off));
	}
}

void osm_metrics_daemon_write(struct osm_mw *w,
			      const struct osm_metrics_daemon *m,
			      struct osmdb *st, const struct osm_ctl_stats *cs)
{
	unsigned k;
	int r;

	osm_mw_family(w, "osm_daemon_start_time_seconds", "gauge",
		      "When the daemon started, in seconds since the epoch.");
	osm_mw_u64(w, "osm_daemon_start_time_seconds", NULL, m->start_s);
	osm_mw_family(w, "osm_engine_events_total", "counter",
		      "Events the daemon handled, by kind and result (ok: "
		      "applied; otherwise nothing was).");
	for (k = 1; k < OSM_MKIND_MAX; k++)
		for (r = 0; r < OSM_MRES_MAX; r++)
			/* every kind's ok and failed; the rest once seen */
			if (r == OSM_MRES_OK || r == OSM_MRES_FAILED ||
			    m->events[k][r])
				osm_mw_u64(w, "osm_engine_events_total",
					   (const char *const[]){
						   "event",
						   osm_engine_kind_name(k),
						   "result", result_name[r],
						   NULL }, m->events[k][r]);
	osm_mw_family(w, "osm_engine_map_operations_total", "counter",
		      "Map updates and deletes the events made on the "
		      "switches.");
	osm_mw_u64(w, "osm_engine_map_operations_total", NULL, m->map_ops);
	hists(w, "osm_engine_event_kill_seconds", "Applied moves and "
	      "leaves: from arrival to the leaver's circuits gone from "
	      "every switch.", m->kill, OSM_EV_MOVE, OSM_EV_LEAVE);
	hists(w, "osm_engine_event_maps_seconds", "Applied events: from "
	      "arrival to every map holding the new state.", m->maps,
	      OSM_EV_ENTER, OSM_EV_LINK_UP);
	hists(w, "osm_engine_event_commit_seconds", "Applied presence "
	      "events: from arrival to the store committed.", m->commit,
	      OSM_EV_ENTER, OSM_EV_LEAVE);
	store_figures(w, st);
	if (cs)
		ctl_figures(w, cs);
}

/* ---- the switches -------------------------------------------------------- */

struct m_circuit {
	uint32_t id;
	struct osm_circuit_stats s;
};

struct m_port {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	uint64_t tx_errors;
	int egress;
};

/* What one switch's maps say, read once: families are written one
 * after the other, each over every switch. */
struct m_switch {
	char name[OSM_SWITCH_NAME_MAX];
	int ok;				/* its maps could be read */
	uint64_t drops[OSM_REASON_MAX];
	uint32_t prog_id, insns, max, n_down;
	struct m_circuit *c;
	size_t n_c;
	struct m_port *p;
	size_t n_p;
};

struct m_all {
	struct m_switch *sw;
	size_t n, cap;
};

static int collect_name(const char *name, void *arg)
{
	struct m_all *a = arg;
	struct m_switch *p;

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 8;
		p = realloc(a->sw, a->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		a->sw = p;
	}
	memset(&a->sw[a->n], 0, sizeof(a->sw[0]));
	snprintf(a->sw[a->n].name, sizeof(a->sw[0].name), "%s", name);
	a->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct m_switch *)a)->name,
		      ((const struct m_switch *)b)->name);
}

/* The names of ports p[0..n) in the switch's namespace. */
static void port_names(struct m_switch *s, const struct osm_switch *sw,
		       const char *prefix)
{
	struct osm_switch_info info;
	char path[64 + OSM_NETNS_NAME_MAX + OSM_SWITCH_NAME_MAX];
	int fd = -1, home = -1, here;
	size_t i;

	path[0] = '\0';
	here = !osm_switch_info(sw, &info) &&
	       info.netns_cookie == osm_switch_netns_cookie();
	if (!here) {
		if (!osm_switch_info(sw, &info) && info.netns[0])
			snprintf(path, sizeof(path), "/run/netns/%s",
				 info.netns);
		else if (prefix && prefix[0])
			snprintf(path, sizeof(path), "/run/netns/%s%s", prefix,
				 s->name);
		else
			goto out;	/* nowhere known: if<N>, not the
					 * names of this namespace */
	}
	if (path[0]) {
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET))
			goto out;	/* unnamed: if<N> */
	}
	for (i = 0; i < s->n_p; i++)
		if (!if_indextoname(s->p[i].ifindex, s->p[i].name))
			s->p[i].name[0] = '\0';
	/* Back home; failing that, nothing else would be right. */
	if (path[0] && setns(home, CLONE_NEWNET))
		abort();
out:
	if (fd >= 0)
		close(fd);
	if (home >= 0)
		close(home);
	for (i = 0; i < s->n_p; i++)
		if (!s->p[i].name[0])
			snprintf(s->p[i].name, IF_NAMESIZE, "if%u",
				 s->p[i].ifindex);
}

static int read_switch(struct m_switch *s, const char *prefix)
{
	struct osm_switch *sw;
	struct osm_circuit c;
	uint32_t id, prev = 0, *ids = NULL;
	size_t i, n, cap = 0;
	void *p;
	int first = 1, err;

	err = osm_switch_open(&sw, s->name);
	if (err)
		return err;
	err = osm_switch_drop_stats(sw, s->drops);
	if (err)
		goto out;
	osm_switch_prog_info(sw, &s->prog_id, &s->insns);
	s->max = osm_switch_max_circuits(sw);
	/* in id order */
	if (osm_swcli_circuit_ids(sw, &ids, &n) ||
	    !(s->c = calloc(n ? n : 1, sizeof(*s->c)))) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* gone since the walk found it: not counted */
		if (osm_switch_circuit_stats(sw, ids[i], &s->c[s->n_c].s))
			continue;
		s->c[s->n_c++].id = ids[i];
		if (osm_switch_circuit_get(sw, ids[i], &c) == 0 &&
		    (c.flags & OSM_CF_DOWN))
			s->n_down++;
		osm_wipe(&c, sizeof(c));
	}
	while (osm_switch_port_next(sw, first ? NULL : &prev, &id) == 0) {
		first = 0;
		prev = id;
		if (s->n_p == cap) {
			cap = cap ? 2 * cap : 8;
			p = realloc(s->p, cap * sizeof(*s->p));
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			s->p = p;
		}
		s->p[s->n_p] = (struct m_port){
			.ifindex = id,
			.tx_errors = osm_switch_port_tx_errors(sw, id),
			.egress = osm_switch_port_tx(sw, id) == 1 };
		s->n_p++;
	}
	port_names(s, sw, prefix);
	s->ok = 1;
out:
	free(ids);
	osm_switch_close(sw);
	return err;
}

/* One gauge or counter over every switch that could be read. */
static void per_switch(struct osm_mw *w, const struct m_all *a,
		       const char *name, const char *type, const char *help,
		       uint64_t (*val)(const struct m_switch *s))
{
	size_t i;

	osm_mw_family(w, name, type, help);
	for (i = 0; i < a->n; i++)
		if (a->sw[i].ok)
			osm_mw_u64(w, name, (const char *const[]){
				"switch", a->sw[i].name, NULL },
				val(&a->sw[i]));
}

static uint64_t v_circuits(const struct m_switch *s) { return s->n_c; }
static uint64_t v_max(const struct m_switch *s) { return s->max; }
static uint64_t v_down(const struct m_switch *s) { return s->n_down; }
static uint64_t v_insns(const struct m_switch *s) { return s->insns; }
static uint64_t v_up(const struct m_switch *s) { return s->ok; }

static void circuit_family(struct osm_mw *w, const struct m_all *a,
			   const char *name, const char *help, int field)
{
	char id[16];
	size_t i, j;
	uint64_t v;

	osm_mw_family(w, name, "counter", help);
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->sw[i].n_c; j++) {
			const struct osm_circuit_stats *s = &a->sw[i].c[j].s;

			v = field == 0 ? s->frames : field == 1 ? s->bytes :
			    s->drops;
			snprintf(id, sizeof(id), "%u", a->sw[i].c[j].id);
			osm_mw_u64(w, name, (const char *const[]){
				"switch", a->sw[i].name, "circuit", id, NULL },
				v);
		}
	}
}

/* One family over every port of every switch: field 0 its tx errors,
 * 1 whether it takes frames (egress). */
static void port_family(struct osm_mw *w, const struct m_all *a,
			const char *name, const char *type, const char *help,
			int field)
{
	char ifx[16];
	size_t i, j;

	osm_mw_family(w, name, type, help);
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->sw[i].n_p; j++) {
			const struct m_port *p = &a->sw[i].p[j];

			snprintf(ifx, sizeof(ifx), "%u", p->ifindex);
			osm_mw_u64(w, name, (const char *const[]){
				"switch", a->sw[i].name, "port", p->name,
				"ifindex", ifx, NULL },
				field ? (uint64_t)p->egress : p->tx_errors);
		}
	}
}

static void write_switches(struct osm_mw *w, const struct m_all *a)
{
	char id[16];
	size_t i;
	int r;

	/* a switch pinned but unreadable (another build's layout) is 0 */
	osm_mw_family(w, "osm_switch_up", "gauge", "1 if the switch's pinned "
		      "maps could be read, 0 if not (loaded by another build, "
		      "or half unloaded).");
	for (i = 0; i < a->n; i++)
		osm_mw_u64(w, "osm_switch_up", (const char *const[]){
			"switch", a->sw[i].name, NULL }, v_up(&a->sw[i]));
	osm_mw_family(w, "osm_switch_program_info", "gauge", "The switch's "
		      "XDP program: its id (bpftool prog show id ID); always "
		      "1.");
	for (i = 0; i < a->n; i++) {
		if (!a->sw[i].ok)
			continue;
		snprintf(id, sizeof(id), "%u", a->sw[i].prog_id);
		osm_mw_u64(w, "osm_switch_program_info", (const char *const[]){
			"switch", a->sw[i].name, "prog_id", id, NULL }, 1);
	}
	per_switch(w, a, "osm_switch_program_verified_insns", "gauge",
		   "Instructions the verifier processed loading the switch's "
		   "program.", v_insns);
	osm_mw_family(w, "osm_switch_drops_total", "counter", "Frames the "
		      "switch dropped, by reason (docs/protocol.md 6.1), "
		      "summed over CPUs.");
	for (i = 0; i < a->n; i++) {
		if (!a->sw[i].ok)
			continue;
		for (r = OSM_DROP_MALFORMED; r < OSM_REASON_MAX; r++) {
			if (r == OSM_DROP_BAD_AEAD)	/* endpoints only */
				continue;
			osm_mw_u64(w, "osm_switch_drops_total",
				   (const char *const[]){
					   "switch", a->sw[i].name, "reason",
					   osm_reason_name(r), NULL },
				   a->sw[i].drops[r]);
		}
	}
	per_switch(w, a, "osm_switch_circuits", "gauge", "Circuits installed "
		   "in the switch's circuit table.", v_circuits);
	per_switch(w, a, "osm_switch_circuits_capacity", "gauge", "Circuits "
		   "the switch's table holds at most (map max_entries).",
		   v_max);
	per_switch(w, a, "osm_switch_circuits_down", "gauge", "Circuits "
		   "marked down (a port on their path is down).", v_down);
	circuit_family(w, a, "osm_switch_circuit_frames_total", "Frames the "
		       "switch forwarded on the circuit.", 0);
	circuit_family(w, a, "osm_switch_circuit_bytes_total", "Bytes the "
		       "switch forwarded on the circuit.", 1);
	circuit_family(w, a, "osm_switch_circuit_drops_total", "Frames of "
		       "the circuit the switch dropped after finding it.", 2);
	port_family(w, a, "osm_switch_port_tx_errors_total", "counter",
		    "Frames the kernel refused to transmit by the port after "
		    "the switch redirected them.", 0);
	port_family(w, a, "osm_switch_port_egress", "gauge", "1 if frames "
		    "may leave by the port (it is in tx_ports), 0 if its link "
		    "was taken out as down.", 1);
}

int osm_metrics_switches(struct osm_mw *w, const char *netns_prefix)
{
	struct m_all a = { 0 };
	size_t i;
	int err;

	err = osm_switch_each(collect_name, &a);
	if (!err) {
		qsort(a.sw, a.n, sizeof(*a.sw), by_name);
		for (i = 0; i < a.n; i++)
			if (read_switch(&a.sw[i], netns_prefix) == -ENOMEM)
				err = -ENOMEM;
		if (!err)
			write_switches(w, &a);
	}
	for (i = 0; i < a.n; i++) {
		free(a.sw[i].c);
		free(a.sw[i].p);
	}
	free(a.sw);
	return err ?: w->err;
}

/* ---- gateways ------------------------------------------------------------ */

static uint64_t jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) :
	       json_is_true(v) ? 1 : 0;
}

/* A per-gateway family from its stats (key k), reachable ones only. */
static void per_gw(struct osm_mw *w, json_t *g, const char *name,
		   const char *type, const char *help, const char *k)
{
	const char *gw, *peer;
	json_t *o, *st;
	size_t i;

	osm_mw_family(w, name, type, help);
	json_array_foreach(g, i, o) {
		st = json_object_get(o, "stats");
		gw = json_string_value(json_object_get(o, "gateway"));
		peer = json_string_value(json_object_get(o, "peer"));
		if (!k)
			osm_mw_u64(w, name, (const char *const[]){ "gateway",
				   gw, "peer", peer, NULL }, !!st);
		else if (st)
			osm_mw_u64(w, name, (const char *const[]){ "gateway",
				   gw, "peer", peer, NULL }, jnum(st, k));
	}
}

/* Drops by reason of the gateways' decision (inner_drops) or link. */
static void gw_drops(struct osm_mw *w, json_t *g, const char *name,
		     const char *help, const char *k)
{
	const char *gw, *r;
	json_t *o, *v;
	size_t i;

	osm_mw_family(w, name, "counter", help);
	json_array_foreach(g, i, o) {
		gw = json_string_value(json_object_get(o, "gateway"));
		json_object_foreach(json_object_get(json_object_get(o, "stats"),
						    k), r, v)
			osm_mw_u64(w, name, (const char *const[]){ "gateway",
				   gw, "reason", r, NULL },
				   (uint64_t)json_integer_value(v));
	}
}

static void gw_circuits(struct osm_mw *w, json_t *g, const char *name,
			const char *help, const char *k)
{
	const char *gw;
	json_t *o, *c;
	char id[16];
	size_t i, j;

	osm_mw_family(w, name, "counter", help);
	json_array_foreach(g, i, o) {
		gw = json_string_value(json_object_get(o, "gateway"));
		json_array_foreach(json_object_get(o, "circuits"), j, c) {
			snprintf(id, sizeof(id), "%llu", (unsigned long long)
				 jnum(c, "id"));
			osm_mw_u64(w, name, (const char *const[]){ "gateway",
				   gw, "circuit", id, NULL }, jnum(c, k));
		}
	}
}

int osm_metrics_gateways(struct osm_mw *w, struct osmdb *st)
{
	static const char *const ports[2] = { "inner", "outer" };
	json_t *g = osm_cli_gateways(st, NULL, 1), *o, *s;
	char key[16];
	size_t i;
	int p, tx;

	if (!g)
		return -ENOMEM;
	if (!json_array_size(g)) {
		json_decref(g);
		return 0;
	}
	per_gw(w, g, "osm_gateway_up", "gauge", "1 if the gateway (osm-gw) "
	       "answers on its control socket, 0 if not.", NULL);
	per_gw(w, g, "osm_gateway_link_session", "gauge", "1 if the link to "
	       "the peer building has a session (docs/protocol.md 11.3).",
	       "session");
	per_gw(w, g, "osm_gateway_pair_epoch", "gauge", "The epoch of the "
	       "pair key the gateway uses now.", "epoch");
	osm_mw_family(w, "osm_gateway_frames_total", "counter", "Frames the "
		      "gateway received (rx) or sent (tx) by port.");
	json_array_foreach(g, i, o) {
		s = json_object_get(o, "stats");
		for (p = 0; s && p < 2; p++)
			for (tx = 0; tx < 2; tx++) {
				snprintf(key, sizeof(key), "%s_%s",
					 tx ? "tx" : "rx", ports[p]);
				osm_mw_u64(w, "osm_gateway_frames_total",
					   (const char *const[]){ "gateway",
					   json_string_value(json_object_get(o,
					   "gateway")), "port", ports[p], "dir",
					   tx ? "tx" : "rx", NULL },
					   jnum(s, key));
			}
	}
	per_gw(w, g, "osm_gateway_local_only_total", "counter", "Frames of "
	       "circuits not marked remote that reached the gateway: never "
	       "sent.", "local_only");
	gw_drops(w, g, "osm_gateway_drops_total", "Frames the gateway's "
		 "decision dropped, both ways, by reason (docs/protocol.md "
		 "6.1).", "inner_drops");
	gw_drops(w, g, "osm_gateway_link_drops_total", "Link messages the "
		 "gateway dropped, by reason (docs/protocol.md 11.7).",
		 "outer_drops");
	gw_circuits(w, g, "osm_gateway_circuit_frames_total", "Frames the "
		    "gateway forwarded on the remote circuit.", "frames");
	gw_circuits(w, g, "osm_gateway_circuit_bytes_total", "Bytes the "
		    "gateway forwarded on the remote circuit.", "bytes");
	gw_circuits(w, g, "osm_gateway_circuit_drops_total", "Frames of the "
		    "remote circuit the gateway dropped.", "drops");
	json_decref(g);
	return w->err;
}
