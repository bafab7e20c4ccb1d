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
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "line.h"
#include "controller.h"
#include "osm_arg.h"

#define MAX_CLIENTS	64
#define IDLE_S		30	/* default --client-timeout */
#define MIN_IDLE_NS	1000000000ULL	/* silent this long: yields its place */
#define OUT_MAX		(4u << 20)	/* a client that reads nothing */
#define MAX_WATCH	256		/* link watch sockets (switches) */

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
};

struct daemon {
	struct osm_engine *e;
	struct osmdb *st;
	struct osm_ctl *ctl;		/* the devices' control circuits */
	struct osm_engine_event *ev;
	struct client c[MAX_CLIENTS];
	int n;
	uint64_t idle_ns;		/* a client silent this long is closed */
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

static void log_event(const struct osm_engine_event *ev)
{
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
		log_event(d->ev);	/* the leave, naming nobody */
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
	switch (r.cmd) {
	case OSM_LINE_ENTER:
	case OSM_LINE_MOVE:
	case OSM_LINE_LEAVE:
		err = osm_engine_event(d->e, kind[r.cmd], r.person,
				       r.cmd == OSM_LINE_LEAVE ? NULL : r.room,
				       arrival, d->ev);
		log_event(d->ev);
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
			reply_err(c, "too-long", "line longer than 255 bytes");
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
	(void)arg;
	log_event(ev);
}

/* One "error busy WHY" line to a client about to be closed, outside its
 * reply queue (best effort: it is not waited for). */
static void say_busy(int fd, const char *why)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "error busy %s\n", why);

	send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* A new client. When all places are taken, the one silent the longest
 * (at least a second, with no reply pending and no line begun) makes
 * room, so that idle connections cannot lock everyone out; if none can,
 * the newcomer gets one "error busy" line. */
static void accept_client(struct daemon *d, int lfd)
{
	uint64_t now = now_ns(), oldest = now - MIN_IDLE_NS;
	int fd, i, victim = -1;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; d->n == MAX_CLIENTS && i < d->n; i++) {
		struct client *c = &d->c[i];

		if (!c->out_len && !c->in_len && !c->closing &&
		    !pending(c) && c->last < oldest) {
			oldest = c->last;
			victim = i;
		}
	}
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

static void serve(struct daemon *d, int lfd)
{
	struct pollfd p[MAX_CLIENTS + 2 + MAX_WATCH];
	int wfd[MAX_WATCH + 1], nw, i, wait, more;
	ssize_t r;

	while (!stop) {
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
		/* wake at least once a second to close idle clients */
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (more)
			wait = 0;
		if (poll(p, (nfds_t)(d->n + 1 + nw), wait) < 0)
			continue;	/* EINTR: a signal, check stop */
		for (i = 0; i < nw; i++) {
			if (!(p[d->n + 1 + i].revents & POLLIN))
				continue;
			if (d->ctl && wfd[i] == osm_ctl_fd(d->ctl))
				osm_ctl_input(d->ctl, log_cb, NULL);
			else
				osm_engine_watch_read(d->e, wfd[i], log_cb,
						      NULL);
		}
		for (i = d->n - 1; i >= 0; i--) {
			struct client *c = &d->c[i];
			short re = p[i + 1].revents;

			if (pending(c)) {
				input(d, c, now_ns());
			} else if (re & POLLIN) {
				r = read(c->fd, c->pend, sizeof(c->pend));
				if (r > 0) {
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
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: osm-fabric [--store DIR] daemon [--socket PATH] [--netns-prefix P]\n"
"                                      [--ctl IFNAME [--ctl-netns NS]]\n"
"                                      [--client-timeout SEC]\n"
"Owns the store and programs the switches: reconciles their maps with the\n"
"store, then serves presence events on a Unix socket (default\n"
"STORE/engine.sock), one request a line, one reply a line:\n"
"  enter PERSON ROOM | move PERSON ROOM | leave PERSON | events [N] |\n"
"  verify | reconcile | reload | controller | ping | apply /PATH |\n"
"  forget PERSON\n"
"A client silent for --client-timeout seconds (default 30) is closed; with\n"
"64 clients, one silent for a second makes room for a new one.\n"
"--ctl: the controller's interface, wired to the topology's management\n"
"port: devices' control circuits end there (HELLO, PRESENCE, KEY_UPDATE).\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct daemon d = { 0 };
	uint64_t idle = IDLE_S;
	int rc = 1, lfd = -1;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *sock = NULL, *prefix = NULL, *ctl = NULL, *ctl_ns = NULL;
	struct osm_engine_opts eo = { 0 };
	uint8_t mac[6];
	char sbuf[4096], abuf[4096];
	unsigned fixed = 0;
	int c, err, i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'N': prefix = optarg; break;
		case 'c': ctl = optarg; break;
		case 'C': ctl_ns = optarg; break;
		case 'T':
			if (osm_arg_u64(optarg, 86400, &idle) || !idle)
				return osm_err("daemon: --client-timeout is "
					       "1..86400 seconds, not '%s'",
					       optarg);
			break;
		case 'h': usage(stdout); return 0;
		default:
			return osm_err("daemon: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return osm_err("daemon: unexpected '%s'", argv[optind]);
	d.idle_ns = idle * 1000000000ULL;
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
	if (d.ctl && (err = osm_ctl_attach(d.ctl, d.e, d.st))) {
		rc = osm_err("daemon: controller: %s", strerror(-err));
		goto out;
	}
	/* Tell clients where we listen. */
	lfd = listen_on(sock);
	if (lfd < 0)
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
	fflush(stdout);
	serve(&d, lfd);
	for (i = d.n - 1; i >= 0; i--)
		drop(&d, i);
	rc = d.st ? 0 : 1;	/* the store lost after an erasure */
out:
	if (lfd >= 0) {
		close(lfd);
		unlink(sock);
	}
	osm_ctl_close(d.ctl);
	osm_cli_engine_close(d.st, d.e);	/* either may be NULL */
	free(d.ev);
	return rc;
}
