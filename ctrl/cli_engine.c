// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Starting an engine for a command, and events as text and JSON. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "cli_switch.h"

int osm_cli_engine_try(struct osmdb **st, struct osm_engine **e,
		       const struct osm_engine_opts *o)
{
	int err;

	/* Mounts bpffs if missing, so that the switches' pins are found. */
	if (osm_swcli_setup(NULL))
		return 1;
	err = osm_cli_store_try(st, 0);
	if (err)
		return err;
	err = osm_engine_open(e, *st, o);
	if (err) {
		osmdb_close(*st);
		*st = NULL;	/* a caller's cleanup closes nothing twice */
		*e = NULL;
		return osm_err("engine: %s", osm_engine_strerror(err));
	}
	return 0;
}

int osm_cli_engine_open(struct osmdb **st, struct osm_engine **e,
			const struct osm_engine_opts *o)
{
	int err = osm_cli_engine_try(st, e, o);

	return err == -EAGAIN ? osm_cli_writer_err(osm_cli_store_dir()) : err;
}

/* the mark this process made, if any (osm_cli_engine_mark) */
static char mark_path[4200];

void osm_cli_engine_close(struct osmdb *st, struct osm_engine *e)
{
	/* still the writer: nobody else can have made it since */
	if (mark_path[0]) {
		unlink(mark_path);
		mark_path[0] = '\0';
	}
	osm_engine_close(e);
	osmdb_close(st);
}

void osm_cli_engine_mark(struct osmdb *st, struct osm_engine *e,
			int reconcile)
{
	char path[sizeof(mark_path)];
	unsigned fixed = 0;
	int fd, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/maps.dirty",
			     osmdb_dir(st)) >= sizeof(path))
		return;
	if (reconcile && access(path, F_OK) == 0) {
		/* its writer died mid-change: the store is the truth */
		err = osm_engine_reconcile(e, &fixed);
		if (err) {
			fprintf(stderr, "osm-fabric: the maps' last writer "
				"died mid-change, and reconcile failed: %s\n",
				osm_engine_strerror(err));
			return;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;		/* unmarked: as before the mark existed */
	close(fd);
	memcpy(mark_path, path, sizeof(path));
}

static double us(uint64_t ns)	/* text output only: JSON has ns */
{
	return (double)ns / 1000.0;
}

json_t *osm_cli_event_json(const struct osm_engine_event *ev)
{
	json_t *o, *ch = json_array();
	char when[32];
	uint32_t i;

	for (i = 0; i < ev->n_changes && i < OSM_ENGINE_CHANGES; i++) {
		const struct osm_engine_change *c = &ev->changes[i];

		json_array_append_new(ch, json_pack(
			"{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:I}",
			"op", osm_engine_op_name(c->op), "circuit",
			(json_int_t)c->id, "owner", c->owner, "src", c->src,
			"dst", c->dst, "class", osmdb_class_name(c->cls),
			"epoch", (json_int_t)c->epoch, "hops",
			(json_int_t)c->n_path));
	}
	osm_cli_time(when, ev->time_ns);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I,"
		      " s:I, s:I, s:I, s:o}",
		      "seq", (json_int_t)ev->seq, "time", when,
		      "event", osm_engine_kind_name(ev->kind),
		      "person", ev->person, "from", ev->from, "room", ev->room,
		      "added", (json_int_t)ev->added,
		      "removed", (json_int_t)ev->removed,
		      "rotated", (json_int_t)ev->rotated,
		      "map_ops", (json_int_t)ev->map_ops,
		      "kill_ns", (json_int_t)ev->kill_ns,
		      "maps_ns", (json_int_t)ev->maps_ns,
		      "total_ns", (json_int_t)ev->total_ns, "changes", ch);
	if (ev->err) {
		json_object_set_new(o, "error",
				    json_string(osm_engine_strerror(ev->err)));
		json_object_set_new(o, "error_code", json_integer(ev->err));
	}
	return o;
}

void osm_cli_event_print(FILE *f, const struct osm_engine_event *ev,
			 int anon)
{
	uint32_t i;

	if (ev->kind == OSM_EV_LINK_DOWN || ev->kind == OSM_EV_LINK_UP) {
		fprintf(f, "#%llu %s %s/%s: %u circuit%s %s, %u map ops, maps "
			"%.0f us%s%s\n", (unsigned long long)ev->seq,
			osm_engine_kind_name(ev->kind), ev->from, ev->room,
			ev->added + ev->removed,
			ev->added + ev->removed == 1 ? "" : "s",
			ev->kind == OSM_EV_LINK_UP ? "up" : "down",
			ev->map_ops, us(ev->maps_ns), ev->err ? ": " : "",
			ev->err ? osm_engine_strerror(ev->err) : "");
		goto changes;
	}
	fprintf(f, "#%llu %s %s", (unsigned long long)ev->seq,
		osm_engine_kind_name(ev->kind), anon ? "someone" : ev->person);
	if (ev->from[0])
		fprintf(f, " %s ->", ev->from);
	fprintf(f, " %s", ev->room[0] ? ev->room : "(out)");
	if (ev->err) {
		fprintf(f, ": failed, nothing applied: %s\n",
			osm_engine_strerror(ev->err));
		return;
	}
	fprintf(f, ": +%u -%u circuits, %u rekeyed, %u map ops; ",
		ev->added, ev->removed, ev->rotated, ev->map_ops);
	if (ev->kind != OSM_EV_ENTER)
		fprintf(f, "old circuits dead %.0f us, ", us(ev->kill_ns));
	fprintf(f, "maps %.0f us, committed %.0f us\n", us(ev->maps_ns),
		us(ev->total_ns));
changes:
	for (i = 0; i < ev->n_changes && i < OSM_ENGINE_CHANGES; i++) {
		const struct osm_engine_change *c = &ev->changes[i];
		int hide = anon && c->owner[0];	/* personal: names them */

		fprintf(f, "    %-6s circuit %-4u %s -> %s (%s, %s%s, "
			"epoch %u, %u hop%s)\n", osm_engine_op_name(c->op),
			c->id, hide ? "-" : c->src, hide ? "-" : c->dst,
			osmdb_class_name(c->cls),
			c->owner[0] ? (anon ? "personal" : "of ") : "room",
			hide ? "" : c->owner, c->epoch,
			c->n_path, c->n_path == 1 ? "" : "s");
	}
	if (ev->n_changes > OSM_ENGINE_CHANGES)
		fprintf(f, "    ... %u more\n",
			ev->n_changes - OSM_ENGINE_CHANGES);
}

const char *osm_cli_socket(const char *given, char *buf, size_t len)
{
	long pid;

	if (given)
		return given;
	/* the socket the store's writer (a daemon) left in its lock */
	if (osmdb_writer(osm_cli_store_dir(), &pid, buf, len) == 0 && buf[0])
		return buf;
	snprintf(buf, len, "%s/engine.sock", osm_cli_store_dir());
	return buf;
}

int osm_cli_daemon(const char *sock, const char *line, char *reply,
		   size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t got = 0, n = strlen(line);
	ssize_t r;
	int fd, err = 0;
	char *nl;

	if (strlen(sock) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a daemon that stops answering is reported, not waited for */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
		       &(struct timeval){ .tv_sec = 120 },
		       sizeof(struct timeval)) ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		goto out;
	}
	/* A daemon with no room answers "error busy" and closes: read that
	 * line even if the request could not be sent. */
	if ((send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n ||
	     send(fd, "\n", 1, MSG_NOSIGNAL) != 1) &&
	    errno != EPIPE && errno != ECONNRESET) {
		err = -errno;
		goto out;
	}
	for (;;) {
		if (got + 1 >= len) {
			err = -EMSGSIZE;
			break;
		}
		r = read(fd, reply + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : -EPROTO;
			break;
		}
		got += (size_t)r;
		reply[got] = '\0';
		nl = memchr(reply, '\n', got);
		if (nl) {
			*nl = '\0';
			break;
		}
	}
out:
	close(fd);
	return err;
}

int osm_cli_request(const char *sock, const char *line, json_t **out,
		    char err[OSM_CLI_ERR_MAX])
{
	size_t len = 8u << 20;	/* more than the daemon ever queues */
	char *reply = malloc(len);
	int r;

	*out = NULL;
	if (!reply)
		return -ENOMEM;
	r = osm_cli_daemon(sock, line, reply, len) ?:
	    osm_cli_reply(reply, out, err);
	free(reply);
	return r;
}

int osm_cli_reply(const char *reply, json_t **out,
		  char err[OSM_CLI_ERR_MAX])
{
	*out = NULL;
	if (!strncmp(reply, "ok ", 3)) {
		*out = json_loads(reply + 3, 0, NULL);
		return *out ? 0 : -EPROTO;
	}
	if (!strncmp(reply, "error ", 6)) {
		snprintf(err, OSM_CLI_ERR_MAX, "%s", reply + 6);
		return 1;
	}
	return -EPROTO;
}

int osm_cli_via_daemon(const char *what, const char *line, json_t **out)
{
	char sock[256], err[OSM_CLI_ERR_MAX], *msg;
	long pid;
	int r;

	*out = NULL;
	/* a daemon starting is waited for, until it listens */
	if (osm_cli_writer_wait(&pid, sock, sizeof(sock)) != 1)
		return -ENOENT;
	if (!line[0])
		return osm_err("%s: the store's daemon (pid %ld) takes no path "
			       "with spaces or over 240 bytes: move the file",
			       what, pid);
	r = osm_cli_request(sock, line, out, err);
	if (r < 0)
		return osm_err("%s: the store's daemon (pid %ld) at %s: %s",
			       what, pid, sock, strerror(-r));
	if (r) {	/* "CODE MESSAGE" */
		msg = strchr(err, ' ');
		return osm_err("%s: %s", what, msg ? msg + 1 : err);
	}
	return 0;
}

static void str(json_t *o, const char *k, char *dst, size_t len)
{
	const char *v = json_string_value(json_object_get(o, k));

	snprintf(dst, len, "%s", v ? v : "");
}

static uint64_t num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

int osm_cli_event_from_json(json_t *o, struct osm_engine_event *ev)
{
	json_t *ch, *c;
	char kind[16], op[16], cls[16];
	json_int_t code;
	size_t i;
	unsigned k;

	if (!json_is_object(o))
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->seq = num(o, "seq");
	str(o, "event", kind, sizeof(kind));
	for (k = 1; k < 6; k++)
		if (!strcmp(kind, osm_engine_kind_name(k)))
			ev->kind = (uint8_t)k;
	str(o, "person", ev->person, sizeof(ev->person));
	str(o, "from", ev->from, sizeof(ev->from));
	str(o, "room", ev->room, sizeof(ev->room));
	ev->added = (uint32_t)num(o, "added");
	ev->removed = (uint32_t)num(o, "removed");
	ev->rotated = (uint32_t)num(o, "rotated");
	ev->map_ops = (uint32_t)num(o, "map_ops");
	ev->kill_ns = num(o, "kill_ns");
	ev->maps_ns = num(o, "maps_ns");
	ev->total_ns = num(o, "total_ns");
	code = json_integer_value(json_object_get(o, "error_code"));
	/* a failed event reads as failed: a code past an int's range too */
	ev->err = code >= INT_MIN && code <= INT_MAX ? (int)code : -ERANGE;
	ch = json_object_get(o, "changes");
	json_array_foreach(ch, i, c) {
		struct osm_engine_change *x;

		if (i >= OSM_ENGINE_CHANGES)
			break;
		x = &ev->changes[i];
		str(c, "op", op, sizeof(op));
		for (k = 1; k < 6; k++)
			if (!strcmp(op, osm_engine_op_name(k)))
				x->op = (uint8_t)k;
		str(c, "class", cls, sizeof(cls));
		x->cls = (uint8_t)osmdb_class_parse(cls);
		x->id = (uint32_t)num(c, "circuit");
		x->epoch = (uint32_t)num(c, "epoch");
		x->n_path = (uint8_t)num(c, "hops");
		str(c, "owner", x->owner, sizeof(x->owner));
		str(c, "src", x->src, sizeof(x->src));
		str(c, "dst", x->dst, sizeof(x->dst));
		ev->n_changes = (uint32_t)i + 1;
	}
	return 0;
}
