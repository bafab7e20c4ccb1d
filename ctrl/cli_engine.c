// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Starting an engine for a command, and events as text and JSON. */
#include <stdio.h>
#include "cli.h"
#include "cli_store.h"
#include "cli_engine.h"
#include "switch_cli.h"

int osm_cli_engine_open(struct osm_store **st, struct osm_engine **e,
			const char *netns_prefix)
{
	struct osm_engine_opts o = { .netns_prefix = netns_prefix };
	int err;

	/* Mounts bpffs if missing, so that the switches' pins are found. */
	if (osm_swcli_setup(NULL))
		return 1;
	if (osm_cli_store_open(st, 0))
		return 1;
	err = osm_engine_open(e, *st, &o);
	if (err) {
		osm_store_close(*st);
		return osm_err("engine: %s", osm_engine_strerror(err));
	}
	return 0;
}

void osm_cli_engine_close(struct osm_store *st, struct osm_engine *e)
{
	osm_engine_close(e);
	osm_store_close(st);
}

static double us(uint64_t ns)
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
			"dst", c->dst, "class", osm_class_name(c->cls),
			"epoch", (json_int_t)c->epoch, "hops",
			(json_int_t)c->n_path));
	}
	osm_cli_time(when, ev->time_ns);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I,"
		      " s:f, s:f, s:f, s:o}",
		      "seq", (json_int_t)ev->seq, "time", when,
		      "event", osm_engine_kind_name(ev->kind),
		      "person", ev->person, "from", ev->from, "room", ev->room,
		      "added", (json_int_t)ev->added,
		      "removed", (json_int_t)ev->removed,
		      "rotated", (json_int_t)ev->rotated,
		      "map_ops", (json_int_t)ev->map_ops,
		      "kill_us", us(ev->kill_ns), "maps_us", us(ev->maps_ns),
		      "total_us", us(ev->total_ns), "changes", ch);
	if (ev->err)
		json_object_set_new(o, "error",
				    json_string(osm_engine_strerror(ev->err)));
	return o;
}

void osm_cli_event_print(FILE *f, const struct osm_engine_event *ev)
{
	uint32_t i;

	fprintf(f, "#%llu %s %s", (unsigned long long)ev->seq,
		osm_engine_kind_name(ev->kind), ev->person);
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
	for (i = 0; i < ev->n_changes && i < OSM_ENGINE_CHANGES; i++) {
		const struct osm_engine_change *c = &ev->changes[i];

		fprintf(f, "    %-6s circuit %-4u %s -> %s (%s, %s%s, "
			"epoch %u, %u hop%s)\n", osm_engine_op_name(c->op),
			c->id, c->src, c->dst, osm_class_name(c->cls),
			c->owner[0] ? "of " : "room", c->owner, c->epoch,
			c->n_path, c->n_path == 1 ? "" : "s");
	}
	if (ev->n_changes > OSM_ENGINE_CHANGES)
		fprintf(f, "    ... %u more\n",
			ev->n_changes - OSM_ENGINE_CHANGES);
}
