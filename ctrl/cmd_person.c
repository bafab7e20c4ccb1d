// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric person enter PERSON ROOM | leave PERSON | list: presence and
 * session keys in the store, with their audit records. (Programming the
 * switches on these events is the engine's job.) */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "cli.h"
#include "cli_store.h"
#include "osm_hex.h"

static int change(const char *what, const char *person, const char *room)
{
	struct osm_rec_person p;
	struct osm_store *s;
	struct osm_txn *t;
	int err;

	if (!osm_name_ok(person))
		return osm_err("person: bad name '%s'", person);
	if (room && !osm_name_ok(room))
		return osm_err("person: bad room name '%s'", room);
	if (osm_cli_store_open(&s, 0))
		return 1;
	err = osm_txn_begin(s, 0, &t);
	if (!err) {
		if (!room)
			err = osm_person_leave(t, person);
		else if (osm_person_get(t, person, &p) == 0)
			err = osm_person_move(t, person, room);
		else
			err = osm_person_enter(t, person, room);
		if (err)
			osm_txn_abort(t);
		else
			err = osm_txn_commit(t);
	}
	osm_store_close(s);
	if (err == OSM_STORE_EREF)
		return osm_err("person %s: no room %s", what, room);
	if (err == OSM_STORE_ENOTFOUND)
		return osm_err("person %s: %s is not present", what, person);
	if (err == OSM_STORE_EINUSE)
		return osm_err("person %s: %s still has circuits", what,
			       person);
	if (err)
		return osm_cli_store_err("person", err);
	return 0;
}

struct list {
	struct osm_txn *t;
	json_t *out;
	int err;
};

static int list_cb(const void *rec, void *arg)
{
	const struct osm_rec_person *p = rec;
	struct list *l = arg;
	uint8_t key[OSM_SESSION_KEY_LEN];
	char hex[2 * OSM_SESSION_KEY_LEN + 1] = "(hidden)", when[32];
	json_t *o;

	if (osm_opts.show_keys) {
		l->err = osm_person_session_key(l->t, p->name, key);
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
		printf("%-16s %-12s since %s session %llu key %s\n", p->name,
		       p->room, when, (unsigned long long)p->session, hex);
	}
	sodium_memzero(hex, sizeof(hex));
	return 0;
}

static int list(struct osm_txn *t, void *arg)
{
	struct list l = { .t = t };
	int err;

	(void)arg;
	if (osm_opts.json)
		l.out = json_array();
	err = osm_store_foreach(t, OSM_TAB_PEOPLE, list_cb, &l);
	if (err == 1)
		err = l.err;
	if (err) {
		json_decref(l.out);
		return osm_cli_store_err("person list", err);
	}
	return l.out ? osm_json_print(l.out) : 0;
}

int osm_cmd_person(int argc, char **argv)
{
	if (argc >= 2 && osm_is_help(argv[1])) {
		printf("usage: osm-fabric [--store DIR] person enter PERSON "
		       "ROOM   (enters, or moves if present)\n"
		       "       osm-fabric [--store DIR] person leave PERSON\n"
		       "       osm-fabric [--store DIR] [--show-keys] person "
		       "list [--json]\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "enter"))
		return change("enter", argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "leave"))
		return change("leave", argv[2], NULL);
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		if (argc == 3 && !strcmp(argv[2], "--json"))
			osm_opts.json = true;
		else if (argc != 2)
			return osm_err("usage: person list [--json]");
		return osm_cli_read("person list", list, NULL);
	}
	return osm_err("usage: person enter PERSON ROOM | person leave PERSON "
		       "| person list [--json]");
}
