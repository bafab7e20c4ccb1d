// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric daemon: owns the store and the engine, reconciles the maps
 * with the store when it starts (it may have been killed), then serves
 * the line protocol on a Unix socket (docs/engine.md): one request a
 * line, one reply a line, any number of clients, one event at a time. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netdb.h>
#include <netinet/in.h>
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "cli_remote.h"
#include "line.h"
#include "controller.h"
#include "http.h"
#include "metrics.h"
#include "osm_arg.h"

#define MAX_CLIENTS	64
#define IDLE_S		30	/* default --client-timeout */
#define MIN_IDLE_NS	1000000000ULL	/* silent this long: yields its place */
#define OUT_MAX		(4u << 20)	/* a client that reads nothing */
#define MAX_WATCH	256		/* link watch sockets (switches) */
#define MAX_HTTP	8		/* metrics scrapes at once */
#define HTTP_IDLE_NS	5000000000ULL	/* to send a request head */
#define HTTP_LINGER_NS	1000000000ULL	/* reading what follows a reply */
#define HTTP_CHILD_S	60		/* a scrape's child, at most */

struct client {
	int fd;
	size_t in_len;
	int discard;		/* skipping the rest of an oversized line */
	int closing;		/* close once out is written */
	int deaf;		/* gone: its requests served, replies not */
	char in[OSM_LINE_MAX];
	char pend[4096];	/* read, not yet taken: one request a round */
	size_t pend_off, pend_len;
	char *out;
	size_t out_len, out_cap;
	uint64_t last;		/* CLOCK_MONOTONIC of its last request */
	int spoke;		/* has sent something */
};

/* A metrics client: its request head, then its reply, then (written
 * and shut down) what it still sends read and dropped, so that a close
 * with unread bytes does not reset the connection under the reply. */
struct hclient {
	int fd;
	char in[OSM_HTTP_REQ_MAX];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	int draining;
	uint64_t since;		/* CLOCK_MONOTONIC it came, or drained */
};

struct daemon {
	struct osm_engine *e;
	struct osmdb *st;
	struct osm_ctl *ctl;		/* the devices' control circuits */
	struct osm_engine_event *ev;
	struct client c[MAX_CLIENTS];
	int n;
	uint64_t idle_ns;		/* a client silent this long is closed */
	const char *prefix;		/* --netns-prefix */
	struct osm_metrics_daemon m;	/* since the start */
	uint64_t gw_last;		/* the gateway watch's last round */
	int hfd;			/* --metrics listener, or -1 */
	struct hclient h[MAX_HTTP];
	int nh;
	pid_t kid[MAX_HTTP];		/* children answering scrapes */
	int nkids;
};

static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void put(struct client *c, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (c->deaf)
		return;
	if (c->out_len + n > OUT_MAX) {
		c->closing = 2;		/* drop: it does not read */
		return;
	}
	if (c->out_len + n > c->out_cap) {
		c->out_cap = (c->out_len + n) * 2;
		p = realloc(c->out, c->out_cap);
		if (!p) {
			c->closing = 2;
			return;
		}
		c->out = p;
	}
	memcpy(c->out + c->out_len, s, n - 1);
	c->out[c->out_len + n - 1] = '\n';
	c->out_len += n;
}

/* One line always: a message may quote a file's bytes (apply). */
static void reply_err(struct client *c, const char *code, const char *msg)
{
	char line[1024], *p;

	snprintf(line, sizeof(line), "error %s %s", code, msg);
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	put(c, line);
}

static void reply_ok(struct client *c, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	size_t n = s ? strlen(s) + 4 : 0;
	char *line = s ? malloc(n) : NULL;

	json_decref(j);
	if (!line) {
		free(s);
		reply_err(c, "failed", "out of memory");
		return;
	}
	snprintf(line, n, "ok %s", s);
	put(c, line);
	free(line);
	free(s);
}

static const char *err_code(int err)
{
	switch (err) {
	case OSM_ENGINE_ENOPERSON: return "not-present";
	case OSM_ENGINE_ENOROOM: return "no-room";
	case OSM_ENGINE_ESAMEROOM: return "same-room";
	case -EINVAL: return "bad-request";
	default: return "failed";
	}
}

static void collect(const struct osm_engine_event *ev, void *arg)
{
	json_array_append_new(arg, osm_cli_event_json(ev));
}

static void log_event(struct daemon *d, const struct osm_engine_event *ev)
{
	osm_metrics_event(&d->m, ev);
	osm_cli_event_print(stdout, ev, 1);
	fflush(stdout);
}

/* The client runs as the daemon's user, or root. */
static int peer_is_owner(struct client *c)
{
	struct ucred cred;
	socklen_t n = sizeof(cred);

	return getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &n) == 0 &&
	       (cred.uid == 0 || cred.uid == geteuid());
}

/* apply reads a file as the daemon's user: only that user (or root) may
 * ask, and only for a regular file (a FIFO would stall the daemon). */
static int apply_ok(struct client *c, const char *path, char *why,
		    size_t len)
{
	struct stat st;
	int fd;

	if (!peer_is_owner(c)) {
		snprintf(why, len, "apply: only the daemon's "
			 "user may apply a topology file");
		return 0;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "apply: %s: %s", path, fd < 0 ?
			 strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	return 1;
}

static void verify_line(const char *line, void *arg)
{
	json_array_append_new(arg, json_string(line));
}

/* The topology again from the store, the controller's devices with it,
 * and the maps made to agree. */
static int reload(struct daemon *d, unsigned *fixed)
{
	return osm_engine_reload(d->e) ?:
	       (d->ctl ? osm_ctl_attach(d->ctl, d->e, d->st) : 0) ?:
	       osm_engine_reconcile(d->e, fixed);
}

/* Erasure: the person leaves (if present), the store forgets them, and
 * the log names nobody. */
static void forget(struct daemon *d, struct client *c, const char *person)
{
	unsigned long n = 0;
	int err;

	d->ev->seq = 0;
	err = osm_engine_forget(d->e, &d->st, person, d->ev, &n);
	if (d->ctl && d->st)	/* the store was opened anew */
		osm_ctl_set_store(d->ctl, d->st);
	if (d->ev->seq)
		log_event(d, d->ev);	/* the leave, naming nobody */
	if (!d->st) {
		/* the store could not be opened again: nothing to serve */
		fprintf(stderr, "osm-fabric: daemon: store lost after "
			"erasure: %s\n", osmdb_strerror(err));
		stop = 1;
		reply_err(c, "failed", "store lost; the daemon stops");
		return;
	}
	if (err == OSMDB_ENOTFOUND)
		reply_err(c, "not-found", "no record names that person");
	else if (err == -EBUSY)
		reply_err(c, "busy", "another process has the store open; "
			  "try again");
	else if (err)
		reply_err(c, err_code(err), osm_engine_error(d->e, err));
	else {
		printf("erasure: %lu record%s erased, audit chain re-sealed\n",
		       n, n == 1 ? "" : "s");
		fflush(stdout);
		reply_ok(c, json_pack("{s:I}", "erased", (json_int_t)n));
	}
}

/* The audit records up to seq leave the store: the client has archived
 * them (`osm-fabric audit archive`), and proves it with the last one's
 * hash. */
static void prune(struct daemon *d, struct client *c, uint64_t seq,
		  const uint8_t hash[32])
{
	struct osmdb_txn *t;
	uint64_t n = 0;
	int err;

	if (!peer_is_owner(c)) {
		reply_err(c, "denied", "prune: only the daemon's user may "
			  "prune the audit log");
		return;
	}
	err = osmdb_txn_begin(d->st, 0, &t);
	if (!err) {
		err = osmdb_audit_prune(t, seq, hash, &n);
		err = err ? (osmdb_txn_abort(t), err) : osmdb_txn_commit(t);
	}
	if (err == -ERANGE || err == -ESTALE) {
		reply_err(c, "stale", err == -ERANGE ?
			  "prune: no such record in the store" :
			  "prune: the hash is not that record's");
		return;
	}
	if (err) {
		reply_err(c, err_code(err), osm_engine_error(d->e, err));
		return;
	}
	printf("audit: records up to %llu archived and pruned (%llu)\n",
	       (unsigned long long)seq, (unsigned long long)n);
	fflush(stdout);
	reply_ok(c, json_pack("{s:I, s:I}", "pruned", (json_int_t)n, "base",
			      (json_int_t)seq));
}

/* The metrics: the switches' families (for a scrape; a CLI reads the
 * maps itself), then the daemon's own. Returns 0 or -errno. */
static int render(struct daemon *d, struct osm_mw *w, int switches)
{
	struct osm_ctl_stats cs = { 0 };
	int err = 0;

	osm_mw_init(w);
	if (switches)
		err = osm_metrics_switches(w, d->prefix);
	if (d->ctl)
		osm_ctl_stats(d->ctl, &cs);
	osm_metrics_daemon_write(w, &d->m, d->st, d->ctl ? &cs : NULL);
	return err ?: w->err;
}

static void request(struct daemon *d, struct client *c, uint64_t arrival)
{
	static const enum osm_engine_kind kind[] = {
		[OSM_LINE_ENTER] = OSM_EV_ENTER,
		[OSM_LINE_MOVE] = OSM_EV_MOVE,
		[OSM_LINE_LEAVE] = OSM_EV_LEAVE,
	};
	struct osm_line_req r;
	char why[256], why2[768];
	unsigned fixed = 0;
	json_t *a;
	int err;

	if (!d->st) {		/* lost after an erasure: stopping */
		reply_err(c, "failed", "the store is lost; the daemon stops");
		return;
	}
	if (osm_line_parse(c->in, c->in_len, &r, why, sizeof(why))) {
		reply_err(c, "bad-request", why);
		return;
	}
	if (osm_remote_req(&r)) {	/* peers and remote circuits */
		/* they open the building, and send the pair secret to the
		 * socket named: the daemon's user's (or root's) to ask */
		if (!peer_is_owner(c)) {
			reply_err(c, "denied", "peers and remote circuits: "
				  "only the daemon's user may change them");
			return;
		}
		if (osm_remote_do(d->e, &r, &a, why2, sizeof(why2))) {
			reply_err(c, "refused", why2);
			return;
		}
		/* a remote's device learns its keys, or loses them */
		if (d->ctl && (r.cmd == OSM_LINE_REMOTE_ADD ||
			       r.cmd == OSM_LINE_REMOTE_CLOSE))
			osm_ctl_remote(d->ctl, &r.remote,
				       r.cmd == OSM_LINE_REMOTE_ADD ?
				       OSM_CH_ADD : OSM_CH_DEL);
		printf("osm-fabric daemon: %s %s: done\n",
		       r.cmd <= OSM_LINE_PEER_DEL ? "peer" : "remote",
		       r.cmd <= OSM_LINE_PEER_DEL ? r.peer.name :
		       r.remote.name);
		fflush(stdout);
		reply_ok(c, a);
		return;
	}
	switch (r.cmd) {
	case OSM_LINE_ENTER:
	case OSM_LINE_MOVE:
	case OSM_LINE_LEAVE:
		err = osm_engine_event(d->e, kind[r.cmd], r.person,
				       r.cmd == OSM_LINE_LEAVE ? NULL : r.room,
				       arrival, d->ev);
		log_event(d, d->ev);
		if (err)
			reply_err(c, err_code(err), osm_engine_error(d->e, err));
		else
			reply_ok(c, osm_cli_event_json(d->ev));
		return;
	case OSM_LINE_EVENTS:
		a = json_array();
		osm_engine_events(d->e, r.n, collect, a);
		reply_ok(c, a);
		return;
	case OSM_LINE_VERIFY:
		a = json_array();
		err = osm_engine_verify(d->e, verify_line, a);
		/* and devices that do not hold the keys they should: a
		 * KEY_UPDATE unanswered for over a second */
		if (err >= 0 && d->ctl)
			err += osm_ctl_lacking(d->ctl, 1000000000ULL,
					       verify_line, a);
		if (err < 0) {
			json_decref(a);
			reply_err(c, "failed", osm_engine_error(d->e, err));
		} else {
			reply_ok(c, json_pack("{s:i, s:o}", "differences", err,
					      "lines", a));
		}
		return;
	case OSM_LINE_RECONCILE:
		err = osm_engine_reconcile(d->e, &fixed);
		if (err)
			reply_err(c, "failed", osm_engine_error(d->e, err));
		else
			reply_ok(c, json_pack("{s:i}", "fixed", (int)fixed));
		return;
	case OSM_LINE_RELOAD:
		err = reload(d, &fixed);
		if (err)
			reply_err(c, "failed", osm_engine_error(d->e, err));
		else
			reply_ok(c, json_pack("{s:i}", "fixed", (int)fixed));
		return;
	case OSM_LINE_APPLY:
		if (!apply_ok(c, r.path, why2, sizeof(why2))) {
			reply_err(c, "denied", why2);
			return;
		}
		if (osm_cli_topology_apply(d->st, r.path, &a, why2,
					   sizeof(why2))) {
			reply_err(c, "bad-topology", why2);
			return;
		}
		err = reload(d, &fixed);
		if (err) {
			json_decref(a);
			reply_err(c, "failed", osm_engine_error(d->e, err));
			return;
		}
		json_object_set_new(a, "fixed", json_integer(fixed));
		printf("topology applied from %s; %u map changes\n", r.path,
		       fixed);
		fflush(stdout);
		reply_ok(c, a);
		return;
	case OSM_LINE_FORGET:
		forget(d, c, r.person);
		return;
	case OSM_LINE_PRUNE:
		prune(d, c, r.seq, r.hash);
		return;
	case OSM_LINE_METRICS: {
		struct osm_mw w;

		if (render(d, &w, 0))
			reply_err(c, "failed", "out of memory");
		else
			reply_ok(c, json_pack("{s:s}", "text", w.buf));
		osm_mw_free(&w);
		return;
	}
	case OSM_LINE_CONTROLLER: {
		struct osm_ctl_stats cs = { 0 };

		if (!d->ctl) {
			reply_err(c, "failed", "no controller interface "
				  "(daemon --ctl IFNAME)");
			return;
		}
		osm_ctl_stats(d->ctl, &cs);
		reply_ok(c, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
				      "s:I, s:I, s:I, s:I, s:I, s:I}",
				      "rx", (json_int_t)cs.rx,
				      "rx_bad", (json_int_t)cs.rx_bad,
				      "hello", (json_int_t)cs.hello,
				      "presence", (json_int_t)cs.presence,
				      "acks", (json_int_t)cs.acks,
				      "sent", (json_int_t)cs.sent,
				      "resent", (json_int_t)cs.resent,
				      "slow", (json_int_t)cs.slow,
				      "sessions", (json_int_t)cs.sessions,
				      "stale_session",
				      (json_int_t)cs.stale_session,
				      "rejoin", (json_int_t)cs.rejoin,
				      "rekeyed", (json_int_t)cs.rekeyed,
				      "rekey_failed",
				      (json_int_t)cs.rekey_failed));
		return;
	}
	default:
		reply_ok(c, json_pack("{s:b}", "pong", 1));
	}
}

/* Take the client's pending bytes up to and through its next request,
 * and serve that one: one request a client a round, so that a client
 * that pipelines expensive requests (verify, reconcile) delays another's
 * event by one of them at most. A line longer than OSM_LINE_MAX gets one
 * error and is skipped up to its newline. */
static void input(struct daemon *d, struct client *c, uint64_t now)
{
	char ch;

	c->last = now;
	while (c->pend_off < c->pend_len && !c->closing) {
		ch = c->pend[c->pend_off++];
		if (c->discard) {
			c->discard = ch != '\n';
			continue;
		}
		if (ch == '\n') {
			request(d, c, now);
			c->in_len = 0;
			return;
		} else if (c->in_len == OSM_LINE_MAX - 1) {
			reply_err(c, "too-long", "line longer than 511 bytes");
			c->in_len = 0;
			c->discard = 1;
		} else {
			c->in[c->in_len++] = ch;
		}
	}
}

/* 1 if the client has read bytes not yet taken. */
static int pending(const struct client *c)
{
	return c->pend_off < c->pend_len && !c->closing;
}

static void drop(struct daemon *d, int i)
{
	close(d->c[i].fd);
	free(d->c[i].out);
	d->c[i] = d->c[--d->n];
	memset(&d->c[d->n], 0, sizeof(d->c[d->n]));
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(a.sun_path))
		return osm_err("daemon: socket path too long: %s", path), -1;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return osm_err("daemon: socket: %s", strerror(errno)), -1;
	/* A socket file nobody serves is left by a killed daemon; anything
	 * else at path is not ours to remove. */
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		close(fd);
		return osm_err("daemon: %s exists and is not a socket", path),
		       -1;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		return osm_err("daemon: another daemon serves %s", path), -1;
	}
	if (errno == ECONNREFUSED)
		unlink(path);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return osm_err("daemon: socket: %s", strerror(errno)), -1;
	old = umask(0117);	/* rw for owner and group */
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (r || listen(fd, 64)) {
		osm_err("daemon: cannot listen on %s: %s", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* path made absolute (for clients elsewhere), in buf; NULL if too long. */
static const char *abs_path(const char *path, char *buf, size_t len)
{
	char cwd[4096];
	size_t n;

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		n = (size_t)snprintf(buf, len, "%s", path);
	else
		n = (size_t)snprintf(buf, len, "%s/%s", cwd, path);
	return n < len ? buf : NULL;
}

static void log_cb(const struct osm_engine_event *ev, void *arg)
{
	log_event(arg, ev);
}

/* One "error busy WHY" line to a client about to be closed, outside its
 * reply queue (best effort: it is not waited for). */
static void say_busy(int fd, const char *why)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "error busy %s\n", why);

	send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* A new client. When all places are taken, one with no reply pending
 * and no line begun makes room, so that idle connections cannot lock
 * everyone out: the oldest of those that never sent anything, however
 * new (else connections opened again as soon as they are closed would
 * hold every place, each younger than a second), or else the one silent
 * the longest, at least a second. If none can, the newcomer gets one
 * "error busy" line. */
static void accept_client(struct daemon *d, int lfd)
{
	uint64_t now = now_ns(), oldest = now - MIN_IDLE_NS;
	int fd, i, victim = -1, mute = -1;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; d->n == MAX_CLIENTS && i < d->n; i++) {
		struct client *c = &d->c[i];

		if (c->out_len || c->in_len || c->closing || pending(c))
			continue;
		if (!c->spoke) {
			if (mute < 0 || c->last < d->c[mute].last)
				mute = i;
		} else if (c->last < oldest) {
			oldest = c->last;
			victim = i;
		}
	}
	if (mute >= 0)
		victim = mute;
	if (d->n == MAX_CLIENTS && victim < 0) {
		say_busy(fd, "too many clients");
		close(fd);
		return;
	}
	if (victim >= 0) {
		say_busy(d->c[victim].fd, "closed: idle, and another client "
			 "waits");
		drop(d, victim);
	}
	d->c[d->n++] = (struct client){ .fd = fd, .last = now };
}

/* ---- the metrics endpoint (--metrics ADDR:PORT) ------------------------ */

static int http_listen(const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (osm_http_addr(spec, &ss, &len))
		return osm_err("daemon: --metrics: bad address '%s' (PORT, "
			       ":PORT, A.B.C.D:PORT or [IPV6]:PORT)", spec),
		       -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		osm_err("daemon: --metrics: cannot listen on %s: %s", spec,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Where the endpoint listens, in the log (a port 0 was chosen here). */
static void http_say(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[64], port[8];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
			sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	printf("osm-fabric daemon: metrics on http://%s%s%s:%s%s\n",
	       ss.ss_family == AF_INET6 ? "[" : "", host,
	       ss.ss_family == AF_INET6 ? "]" : "", port, OSM_HTTP_PATH);
}

static void http_drop(struct daemon *d, int i)
{
	close(d->h[i].fd);
	free(d->h[i].out);
	d->h[i] = d->h[--d->nh];
}

/* A reply made here: a status and its one-line body. */
static void http_reply(struct hclient *h, int status)
{
	char head[256], body[64];
	size_t blen;
	int n;

	blen = (size_t)snprintf(body, sizeof(body), "%d %s\n", status,
				osm_http_reason(status));
	n = osm_http_head(head, sizeof(head), status, blen);
	h->out = n < 0 ? NULL : malloc((size_t)n + blen);
	if (h->out) {
		memcpy(h->out, head, (size_t)n);
		memcpy(h->out + n, body, blen);
		h->out_len = (size_t)n + blen;
	}
}

static void send_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n && (r = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
		p += r;
		n -= (size_t)r;
	}
}

/* The child that answers a scrape: it reads every switch's maps, sends
 * them and the daemon's part (own, rendered before the fork), and
 * exits. It keeps only the client's socket: no lock, store, listener
 * or log of the daemon lives on in it (0, 1, 2 are /dev/null). */
static void __attribute__((noreturn))
http_child(struct daemon *d, int fd, const struct osm_mw *own,
	   int head_only)
{
	struct timeval tv = { .tv_sec = HTTP_IDLE_NS / 1000000000ULL };
	struct osm_mw w;
	char head[256], sink[1024];
	int n, status = 200;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	alarm(HTTP_CHILD_S);	/* a client that reads a byte at a time */
	if (dup2(fd, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	n = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (n < 0 || dup2(n, 0) < 0 || dup2(n, 1) < 0 || dup2(n, 2) < 0)
		_exit(1);
	if (n > 3)
		close(n);
	fd = 3;
	fcntl(fd, F_SETFL, 0);		/* blocking, bounded in time: */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){
		.tv_sec = 1 }, sizeof(tv));
	osm_mw_init(&w);
	/* the gateways' from the store opened here read-only: the
	 * parent's environment is not for a child */
	if (osm_metrics_switches(&w, d->prefix) ||
	    osm_metrics_gateways(&w, NULL))
		status = 500;
	n = osm_http_head(head, sizeof(head), status,
			  status == 200 ? w.len + own->len : 0);
	if (n > 0)
		send_all(fd, head, (size_t)n);
	if (n > 0 && status == 200 && !head_only) {
		send_all(fd, w.buf ? w.buf : "", w.len);
		send_all(fd, own->buf ? own->buf : "", own->len);
	}
	/* what the client still sends, read: no reset under the reply */
	shutdown(fd, SHUT_WR);
	while (read(fd, sink, sizeof(sink)) > 0)
		;
	_exit(0);
}

/* A scrape: the daemon's part rendered here, the rest in a child
 * (reading every circuit's counters is a syscall each: 2 s for 100,000
 * circuits on the test VM, which the events must not wait for). 0 if a
 * child has the client, else the status to answer here. */
static int http_fork(struct daemon *d, struct hclient *h, int head_only)
{
	struct osm_mw own;
	pid_t pid;

	if (d->nkids == MAX_HTTP)
		return 503;
	if (render(d, &own, 0)) {
		osm_mw_free(&own);
		return 500;
	}
	fflush(stdout);		/* nothing of the log written twice */
	pid = fork();
	if (pid == 0)
		http_child(d, h->fd, &own, head_only);
	osm_mw_free(&own);
	if (pid < 0)
		return 503;
	d->kid[d->nkids++] = pid;
	return 0;
}

/* Children done with their scrape. */
static void http_reap(struct daemon *d)
{
	int i;

	for (i = d->nkids - 1; i >= 0; i--)
		if (waitpid(d->kid[i], NULL, WNOHANG) != 0)
			d->kid[i] = d->kid[--d->nkids];
}

/* Serve metrics client h a round; 1 when it is done with (to drop). A
 * client never makes the daemon wait: reads and writes do not block, a
 * head is at most OSM_HTTP_REQ_MAX bytes and has HTTP_IDLE_NS to come, a
 * scrape is answered by a child (http_fork), an error reply here. */
static int http_serve(struct daemon *d, struct hclient *h, short re,
		      uint64_t now)
{
	struct osm_http_req req;
	char sink[1024];
	ssize_t r;
	int n;

	if (h->draining) {
		if (now - h->since > HTTP_LINGER_NS)
			return 1;
		if (!(re & (POLLIN | POLLHUP | POLLERR)))
			return 0;
		r = read(h->fd, sink, sizeof(sink));
		return r == 0 || (r < 0 && errno != EAGAIN);
	}
	if (now - h->since > HTTP_IDLE_NS || (re & (POLLERR | POLLNVAL)))
		return 1;
	if (!h->out && (re & (POLLIN | POLLHUP))) {
		r = read(h->fd, h->in + h->in_len,
			 sizeof(h->in) - h->in_len);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			return 1;	/* gone before its request ended */
		if (r < 0)
			return 0;
		h->in_len += (size_t)r;
		n = osm_http_parse(h->in, h->in_len, &req);
		if (n == 0)
			return 0;
		n = n < 0 ? 431 : req.status == 200 ?
		    http_fork(d, h, req.method == OSM_HTTP_HEAD) : req.status;
		if (!n)
			return 1;	/* the child has it */
		http_reply(h, n);
		if (!h->out)
			return 1;	/* out of memory */
		re |= POLLOUT;		/* try at once */
	}
	if (h->out && (re & POLLOUT)) {
		r = send(h->fd, h->out + h->out_off, h->out_len - h->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && errno != EAGAIN)
			return 1;
		if (r > 0)
			h->out_off += (size_t)r;
		if (h->out_off == h->out_len) {
			shutdown(h->fd, SHUT_WR);
			h->draining = 1;
			h->since = now;
		}
	}
	return 0;
}

static void http_accept(struct daemon *d)
{
	int fd = accept4(d->hfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (d->nh + d->nkids >= MAX_HTTP) {	/* not polled then */
		close(fd);
		return;
	}
	d->h[d->nh++] = (struct hclient){ .fd = fd, .since = now_ns() };
}

static short http_events(const struct hclient *h)
{
	if (h->draining || !h->out)
		return POLLIN;
	return POLLOUT;
}

/* The devices' frames; an error of the socket said once in the log. */
static void ctl_input(struct daemon *d)
{
	int err = osm_ctl_input(d->ctl, log_cb, d);

	if (err < 0)
		printf("osm-fabric daemon: controller interface: %s\n",
		       strerror(-err));
	fflush(stdout);
}

/* A line of the gateway watch, into the daemon's log. */
static void gw_line(const char *line, void *arg)
{
	(void)arg;
	printf("osm-fabric daemon: %s\n", line);
	fflush(stdout);
}

/* Once a second: a restarted gateway gets its link and circuits back. */
static void gw_watch(struct daemon *d)
{
	uint64_t now = now_ns();
	int n;

	if (now - d->gw_last < 1000000000ULL)
		return;
	d->gw_last = now;
	n = osm_engine_gw_watch(d->e, gw_line, d);
	if (n > 0)
		printf("osm-fabric daemon: gateway restored (%d changes)\n", n);
	else if (n < 0)
		printf("osm-fabric daemon: gateway watch: %s\n",
		       osm_engine_strerror(n));
	fflush(stdout);
}

static void serve(struct daemon *d, int lfd)
{
	struct pollfd p[MAX_CLIENTS + 2 + MAX_WATCH + 1 + MAX_HTTP];
	int wfd[MAX_WATCH + 1], nw, nh, hp, i, wait, more;
	ssize_t r;

	while (!stop) {
		gw_watch(d);
		/* Control frames due (new KEY_UPDATEs, retries) first. */
		wait = d->ctl ? osm_ctl_tick(d->ctl) : -1;
		p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		/* a client with requests read and not yet served is not read
		 * from, and no one waits for it */
		for (i = 0, more = 0; i < d->n; i++) {
			more |= pending(&d->c[i]);
			p[i + 1] = (struct pollfd){ .fd = d->c[i].fd,
				.events = (d->c[i].closing || pending(&d->c[i]) ?
					   0 : POLLIN) |
					  (d->c[i].out_len ? POLLOUT : 0) };
		}
		/* After the clients: their indexes stay those of d->c. */
		nw = osm_engine_watch_fds(d->e, wfd, MAX_WATCH);
		if (d->ctl)
			wfd[nw++] = osm_ctl_fd(d->ctl);
		for (i = 0; i < nw; i++)
			p[d->n + 1 + i] = (struct pollfd){ .fd = wfd[i],
							   .events = POLLIN };
		/* Last, the metrics listener (while there is room) and its
		 * clients: served after the events of the round. */
		hp = d->n + 1 + nw;
		nh = d->nh;
		if (d->hfd >= 0) {
			p[hp] = (struct pollfd){ .fd = d->hfd,
				.events = d->nh + d->nkids < MAX_HTTP ?
					  POLLIN : 0 };
			for (i = 0; i < nh; i++)
				p[hp + 1 + i] = (struct pollfd){
					.fd = d->h[i].fd,
					.events = http_events(&d->h[i]) };
		}
		/* wake at least once a second to close idle clients */
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (more)
			wait = 0;
		if (poll(p, (nfds_t)(hp + (d->hfd >= 0 ? 1 + nh : 0)),
			 wait) < 0)
			continue;	/* EINTR: a signal, check stop */
		for (i = 0; i < nw; i++) {
			/* An error pending (the controller's interface gone:
			 * ENETDOWN) is read, which clears it: poll would
			 * otherwise report it at once, for ever. */
			if (!(p[d->n + 1 + i].revents & (POLLIN | POLLERR)))
				continue;
			if (d->ctl && wfd[i] == osm_ctl_fd(d->ctl))
				ctl_input(d);
			else
				osm_engine_watch_read(d->e, wfd[i], log_cb,
						      d);
		}
		for (i = d->n - 1; i >= 0; i--) {
			struct client *c = &d->c[i];
			short re = p[i + 1].revents;

			if (pending(c)) {
				input(d, c, now_ns());
			} else if (re & POLLIN) {
				r = read(c->fd, c->pend, sizeof(c->pend));
				if (r > 0) {
					c->spoke = 1;
					c->pend_off = 0;
					c->pend_len = (size_t)r;
					input(d, c, now_ns());
				} else if (r == 0 || errno != EAGAIN) {
					/* Gone mid-line: say so, if it
					 * still reads; then close. */
					if (c->in_len && !c->discard)
						reply_err(c, "bad-request",
							  "incomplete line");
					c->closing = 1;
				}
			}
			if (c->out_len && c->closing != 2 && !c->deaf &&
			    (re & (POLLOUT | POLLIN))) {
				r = send(c->fd, c->out, c->out_len,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
				if (r > 0) {
					memmove(c->out, c->out + r,
						c->out_len - (size_t)r);
					c->out_len -= (size_t)r;
					c->last = now_ns();
				} else if (r < 0 && errno != EAGAIN) {
					/* it closed: what it sent is still
					 * read and served, up to its end */
					c->deaf = 1;
					c->out_len = 0;
				}
			}
			if ((re & POLLNVAL) || c->closing == 2 ||
			    (!pending(c) &&
			     ((re & POLLERR) ||
			      (c->closing && !c->out_len) ||
			      ((re & POLLHUP) && !(re & POLLIN)) ||
			      (!c->out_len &&
			       now_ns() - c->last > d->idle_ns))))
				drop(d, i);
		}
		if (p[0].revents & POLLIN)
			accept_client(d, lfd);
		if (d->hfd < 0)
			continue;
		http_reap(d);
		for (i = nh - 1; i >= 0; i--)
			if (http_serve(d, &d->h[i], p[hp + 1 + i].revents,
				       now_ns()))
				http_drop(d, i);
		if (p[hp].revents & POLLIN)
			http_accept(d);
	}
}

/* --detach: fork; the parent waits until the child serves (it writes a
 * byte on the pipe) or fails (the pipe closes empty: it said why).
 * Returns, in the child, the pipe's write end; in the parent -2 when the
 * child serves, -1 when it failed (the command's exit status: 0, 1). */
static int detach_now(void)
{
	ssize_t n;
	int p[2];
	char c = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe2(p, O_CLOEXEC))
		return osm_err("daemon: --detach: %s", strerror(errno)), -1;
	pid = fork();
	if (pid < 0)
		return osm_err("daemon: --detach: %s", strerror(errno)), -1;
	if (pid == 0) {
		close(p[0]);
		return p[1];
	}
	close(p[1]);
	do
		n = read(p[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	return n == 1 && c == '1' ? -2 : -1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric [--store DIR] daemon [--socket PATH] [--netns-prefix P]\n"
"                                      [--ctl IFNAME [--ctl-netns NS]]\n"
"                                      [--client-timeout SEC]\n"
"                                      [--metrics [ADDR:]PORT] [--detach]\n"
"Owns the store and programs the switches: reconciles their maps with the\n"
"store, then serves presence events on a Unix socket (default\n"
"STORE/engine.sock), one request a line, one reply a line:\n"
"  enter PERSON ROOM | move PERSON ROOM | leave PERSON | events [N] |\n"
"  verify | reconcile | reload | controller | ping | apply /PATH |\n"
"  forget PERSON | metrics\n"
"A client silent for --client-timeout seconds (default 30) is closed; with\n"
"64 clients, one that never sent anything, or else one silent for a second,\n"
"makes room for a new one.\n"
"--ctl: the controller's interface, wired to the topology's management\n"
"port: devices' control circuits end there (HELLO, PRESENCE, KEY_UPDATE).\n"
"--metrics: serve GET /metrics over HTTP (Prometheus text format) on ADDR\n"
"(default 127.0.0.1; [IPV6]:PORT for IPv6): switches, engine, controller.\n"
"--detach: go on in the background once serving (exit 0 then; 1 if it\n"
"could not start): the next command of a script finds it.\n"
"Replies: 'ok JSON' or 'error CODE MESSAGE' (docs/engine.md).\n");
}

int osm_cmd_daemon(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "ctl-netns", required_argument, NULL, 'C' },
		{ "client-timeout", required_argument, NULL, 'T' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "detach", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct daemon d = { 0 };
	uint64_t idle = IDLE_S;
	int rc = 1, lfd = -1;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *sock = NULL, *prefix = NULL, *ctl = NULL, *ctl_ns = NULL;
	const char *metrics = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct osm_engine_opts eo = { 0 };
	uint8_t mac[6];
	char sbuf[4096], abuf[4096];
	unsigned fixed = 0;
	int c, err, i, detach = 0, ready = -1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'N': prefix = optarg; break;
		case 'c': ctl = optarg; break;
		case 'C': ctl_ns = optarg; break;
		case 'M':
			if (osm_http_addr(optarg, &ss, &sslen))
				return osm_err("daemon: --metrics: bad address "
					       "'%s' (PORT, :PORT, A.B.C.D:PORT "
					       "or [IPV6]:PORT)", optarg);
			metrics = optarg;
			break;
		case 'T':
			if (osm_arg_u64(optarg, 86400, &idle) || !idle)
				return osm_err("daemon: --client-timeout is "
					       "1..86400 seconds, not '%s'",
					       optarg);
			break;
		case 'D': detach = 1; break;
		case 'h': usage(stdout); return 0;
		default:
			return osm_err("daemon: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return osm_err("daemon: unexpected '%s'", argv[optind]);
	if (detach && (ready = detach_now()) < 0)
		return ready == -2 ? 0 : 1;	/* the parent, done */
	d.idle_ns = idle * 1000000000ULL;
	d.prefix = prefix;
	d.hfd = -1;
	d.m.start_s = (uint64_t)time(NULL);
	if (ctl_ns && !ctl)
		return osm_err("daemon: --ctl-netns without --ctl");
	sock = osm_cli_socket(sock, sbuf, sizeof(sbuf));
	if (!abs_path(sock, abuf, sizeof(abuf)))
		return osm_err("daemon: socket path too long: %s", sock);
	d.ev = calloc(1, sizeof(*d.ev));
	if (!d.ev)
		return osm_err("daemon: out of memory");
	if (ctl) {
		err = osm_ctl_open(&d.ctl, ctl, ctl_ns, mac);
		if (err) {
			rc = osm_err("daemon: controller interface %s: %s",
				     ctl, strerror(-err));
			goto out;
		}
		eo.ctl_mac = mac;
	}
	eo.netns_prefix = prefix;
	/* The store's writer lock first: a second daemon, or any other
	 * writer, is refused here, before it touches a map. */
	if (osm_cli_engine_open(&d.st, &d.e, &eo))
		goto out;
	/* marked before its first map write, unmarked at its end: a
	 * command after a SIGKILL reconciles first */
	osm_cli_engine_mark(d.st, d.e, 1);
	if (d.ctl && (err = osm_ctl_attach(d.ctl, d.e, d.st))) {
		rc = osm_err("daemon: controller: %s", strerror(-err));
		goto out;
	}
	/* Tell clients where we listen. */
	lfd = listen_on(sock);
	if (lfd < 0)
		goto out;
	if (metrics && (d.hfd = http_listen(metrics)) < 0)
		goto out;
	err = osmdb_set_note(d.st, abuf);
	if (err) {
		rc = osm_err("daemon: store %s: %s", osmdb_dir(d.st),
			     osmdb_strerror(err));
		goto out;
	}
	/* Link states from here on, then (killed before?) the store is the
	 * truth: make the maps agree with it and with the links. */
	err = osm_engine_watch(d.e);
	if (err)
		fprintf(stderr, "osm-fabric: daemon: link watch: %s\n",
			osm_engine_strerror(err));
	err = osm_engine_reconcile(d.e, &fixed);
	if (err)
		fprintf(stderr, "osm-fabric: daemon: reconcile: %s\n",
			osm_engine_strerror(err));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("osm-fabric daemon: reconciled (%u map changes); serving %s\n",
	       fixed, sock);
	if (d.hfd >= 0)
		http_say(d.hfd);
	fflush(stdout);
	if (ready >= 0) {	/* --detach: the parent may go (if it is
				 * gone, nobody is left to tell) */
		(void)!write(ready, "1", 1);
		close(ready);
		ready = -1;
	}
	serve(&d, lfd);
	for (i = d.n - 1; i >= 0; i--)
		drop(&d, i);
	for (i = d.nh - 1; i >= 0; i--)
		http_drop(&d, i);
	for (i = 0; i < d.nkids; i++) {	/* scrapes under way end too */
		kill(d.kid[i], SIGTERM);
		waitpid(d.kid[i], NULL, 0);
	}
	rc = d.st ? 0 : 1;	/* the store lost after an erasure */
out:
	if (lfd >= 0) {
		close(lfd);
		unlink(sock);
	}
	if (d.hfd >= 0)
		close(d.hfd);
	osm_ctl_close(d.ctl);
	osm_cli_engine_close(d.st, d.e);	/* either may be NULL */
	free(d.ev);
	if (ready >= 0)		/* failed before serving: the parent's
				 * read sees the pipe close empty */
		close(ready);
	return rc;
}
