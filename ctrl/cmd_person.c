// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric person enter|move PERSON ROOM | leave PERSON | list: presence
 * events, applied by the engine (circuits and keys follow the person in
 * the store and the switches' maps), and the people present. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "line.h"
#include "osm_hex.h"

/* Options of enter, move and leave. */
struct popts {
	const char *netns_prefix, *socket;
};

static int parse(int argc, char **argv, struct popts *o)
{
	static const struct option opts[] = {
		{ "netns-prefix", required_argument, NULL, 'N' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "N:s:h", opts, NULL)) != -1) {
		if (c == 'N') {
			o->netns_prefix = optarg;
		} else if (c == 's') {
			o->socket = optarg;
		} else if (c == 'h') {
			printf("usage: osm-fabric [--store DIR] [-j] person %s "
			       "[--netns-prefix P] [--socket S] PERSON%s\n"
			       "(osm-fabric person --help for more)\n",
			       argv[0], strcmp(argv[0], "leave") ? " ROOM" : "");
			return -1;
		} else {
			return osm_err("person %s: unknown option '%s'",
				       argv[0], argv[optind - 1]);
		}
	}
	return 0;
}

/* The event's error line, in the words of the store commands (the
 * engine's, if one ran it, names what failed). */
static int event_err(const char *what, const char *person, const char *room,
		     int err, struct osm_engine *e)
{
	switch (err) {
	case OSM_ENGINE_ENOROOM:
		return osm_err("person %s: no room %s", what, room);
	case OSM_ENGINE_ENOPERSON:
		return osm_err("person %s: %s is not present", what, person);
	case OSM_ENGINE_ESAMEROOM:
		return osm_err("person %s: %s is in %s already", what, person,
			       room);
	case -EINVAL:
		return osm_err("person %s: bad name '%s'", what,
			       osmdb_name_ok(person) ? room : person);
	default:
		return osm_err("person %s: %s", what, e ?
			       osm_engine_error(e, err) :
			       osm_engine_strerror(err));
	}
}

/* The event through the daemon. Returns 0 (done, *ev filled), -ENOENT
 * (no daemon: apply it here), or 1 (error line printed). */
static int via_daemon(const struct popts *o, char **argv, const char *person,
		      const char *room, struct osm_engine_event *ev)
{
	char sbuf[4096], line[OSM_LINE_MAX], err[OSM_CLI_ERR_MAX], *msg;
	const char *sock = osm_cli_socket(o->socket, sbuf, sizeof(sbuf));
	json_t *j;
	int r;

	snprintf(line, sizeof(line), "%s %s%s%s", argv[0], person,
		 room ? " " : "", room ? room : "");
	r = osm_cli_request(sock, line, &j, err);
	if ((r == -ENOENT || r == -ECONNREFUSED) && !o->socket)
		return -ENOENT;
	if (r < 0)
		return osm_err("person %s: daemon at %s: %s", argv[0], sock,
			       r == -EPROTO ? "bad reply" : strerror(-r));
	if (!r) {
		r = osm_cli_event_from_json(j, ev);
		json_decref(j);
		return r ? osm_err("person %s: daemon: bad reply", argv[0])
			 : 0;
	}
	/* "CODE MESSAGE": the same lines as without a daemon. */
	msg = strchr(err, ' ');
	if (!strncmp(err, "not-present ", 12))
		return event_err(argv[0], person, room, OSM_ENGINE_ENOPERSON,
				 NULL);
	if (!strncmp(err, "no-room ", 8))
		return event_err(argv[0], person, room, OSM_ENGINE_ENOROOM,
				 NULL);
	if (!strncmp(err, "same-room ", 10))
		return event_err(argv[0], person, room, OSM_ENGINE_ESAMEROOM,
				 NULL);
	return osm_err("person %s: daemon: %s", argv[0],
		       msg ? msg + 1 : err);
}

/* enter/move PERSON ROOM, leave PERSON: one engine event, by the daemon
 * if one serves the store, else here. */
static int change(int argc, char **argv, enum osm_engine_kind kind)
{
	struct osm_engine_event *ev;
	struct osm_engine *e;
	struct osmdb *s;
	struct popts o;
	const char *person, *room = NULL;
	int err, want = kind == OSM_EV_LEAVE ? 1 : 2;

	err = parse(argc, argv, &o);
	if (err)
		return err < 0 ? 0 : 1;
	if (argc - optind != want)
		return osm_err("usage: person %s PERSON%s", argv[0],
			       want == 2 ? " ROOM" : "");
	person = argv[optind];
	if (want == 2)
		room = argv[optind + 1];
	if (!osmdb_name_ok(person))
		return osm_err("person: bad name '%s'", person);
	if (room && !osmdb_name_ok(room))
		return osm_err("person: bad room name '%s'", room);
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return osm_err("person: out of memory");
	/* through the daemon, or here; a daemon that started between
	 * the two is asked after all */
	err = via_daemon(&o, argv, person, room, ev);
	if (err == -ENOENT) {
		err = osm_cli_engine_try(&s, &e, &(struct osm_engine_opts){
				.netns_prefix = o.netns_prefix });
		if (err == -EAGAIN) {
			err = via_daemon(&o, argv, person, room, ev);
			if (err == -ENOENT)	/* gone again */
				err = osm_cli_writer_err(osm_cli_store_dir());
		} else if (!err) {
			osm_cli_engine_mark(s, e, 1);
			err = osm_engine_event(e, kind, person, room, 0, ev);
			if (err)
				err = event_err(argv[0], person, room, err, e);
			osm_cli_engine_close(s, e);
		}
	}
	if (err)
		;
	else if (osm_opts.json)
		err = osm_json_print(osm_cli_event_json(ev));
	else
		osm_cli_event_print(stdout, ev, 0);
	free(ev);
	return err;
}

struct list {
	struct osmdb_txn *t;
	json_t *out;
	int err;
	unsigned long n;
};

static int list_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_person *p = rec;
	struct list *l = arg;
	uint8_t key[OSM_SESSION_KEY_LEN];
	char hex[2 * OSM_SESSION_KEY_LEN + 1] = "(hidden)", when[32];
	json_t *o;

	if (osm_opts.show_keys) {
		l->err = osmdb_person_session_key(l->t, p->name, key);
		if (l->err)
			return 1;
		osm_hex_format(hex, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
	}
	osm_cli_time(when, p->since_ns);
	if (l->out) {
		o = json_pack("{s:s, s:s, s:s, s:I}", "name", p->name, "room",
			      p->room, "since", when, "session",
			      (json_int_t)p->session);
		if (osm_opts.show_keys)
			json_object_set_new(o, "session_key", json_string(hex));
		json_array_append_new(l->out, o);
	} else {
		l->n++;
		printf("%-16s %-12s since %s session %llu key %s\n", p->name,
		       p->room, when, (unsigned long long)p->session, hex);
	}
	sodium_memzero(hex, sizeof(hex));
	return 0;
}

static int list(struct osmdb_txn *t, void *arg)
{
	struct list l = { .t = t };
	int err;

	(void)arg;
	if (osm_opts.json)
		l.out = json_array();
	err = osmdb_foreach(t, OSMDB_TAB_PEOPLE, list_cb, &l);
	if (err == 1)
		err = l.err;
	if (err) {
		json_decref(l.out);
		return osm_cli_store_err("person list", err);
	}
	if (!l.out && !l.n)
		printf("nobody is present\n");
	return l.out ? osm_json_print(l.out) : 0;
}

int osm_cmd_person(int argc, char **argv)
{
	if (osm_wants_help(argc, argv)) {
		printf("usage: osm-fabric [--store DIR] [-j] person enter "
		       "[--netns-prefix P] [--socket S] PERSON ROOM\n"
		       "       osm-fabric [--store DIR] [-j] person move "
		       "[--netns-prefix P] PERSON ROOM\n"
		       "       osm-fabric [--store DIR] [-j] person leave "
		       "[--netns-prefix P] PERSON\n"
		       "       osm-fabric [--store DIR] [--show-keys] person "
		       "list [--json]\n"
		       "enter: enters the building into ROOM (moves there if "
		       "present); the engine\nprovisions the circuits the "
		       "person and the room need and rotates the room's\n"
		       "keys (docs/engine.md). A daemon serving "
		       "STORE/engine.sock (or --socket S)\napplies it; "
		       "without one it is applied here, switch X being in "
		       "network\nnamespace P+X (default: this one).\n");
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "enter"))
		return change(argc - 1, argv + 1, OSM_EV_ENTER);
	if (argc >= 2 && !strcmp(argv[1], "move"))
		return change(argc - 1, argv + 1, OSM_EV_MOVE);
	if (argc >= 2 && !strcmp(argv[1], "leave"))
		return change(argc - 1, argv + 1, OSM_EV_LEAVE);
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		if (argc != 2)
			return osm_err("usage: person list [--json]");
		return osm_cli_read("person list", list, NULL);
	}
	return osm_err("usage: person enter|move PERSON ROOM | person leave "
		       "PERSON | person list [--json]");
}
