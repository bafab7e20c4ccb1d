/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside the engine: its copy of the topology with resolved ifindexes,
 * shared by engine.c (events, maps), engine_policy.c (what circuits the
 * building wants) and engine_maps.c (map values from circuit records). */
#ifndef OSM_ENGINE_INT_H
#define OSM_ENGINE_INT_H

#include "engine.h"
#include "switch.h"

struct eng_sw {
	struct osm_rec_switch r;
	struct osm_switch *h;		/* NULL until opened */
};

struct eng_port {
	struct osm_rec_port r;
	int sw;				/* index into e->sws */
	int peer;			/* uplink: index of the peer switch */
	uint32_t ifindex;		/* 0: interface not found */
};

struct eng_dev {
	struct osm_rec_device r;
	int room, sw, port;		/* indexes */
	int personal;			/* owned by the person in owner */
	char owner[OSM_NAME_MAX + 1];
};

struct eng_room {
	struct osm_rec_room r;
};

struct osm_engine {
	struct osm_store *st;
	char netns_prefix[OSM_NAME_MAX + 1];
	struct eng_sw *sws;
	struct eng_port *ports;
	struct eng_dev *devs;
	struct eng_room *rooms;
	size_t n_sw, n_ports, n_devs, n_rooms;
	uint64_t seq;
	struct osm_engine_event *ring;	/* OSM_ENGINE_RING entries */
	unsigned ring_head, ring_n;
};

/* A circuit the policy wants: devices by index, its class and owner
 * (NULL: a room circuit). */
struct eng_want {
	int src, dst;
	uint8_t cls;
	const char *owner;
	int matched;
};

/* Lookups in the topology copy: index or -1. */
int eng_room_find(const struct osm_engine *e, const char *name);
int eng_sw_find(const struct osm_engine *e, const char *name);
int eng_dev_find(const struct osm_engine *e, uint32_t id);

/* Wants of person (in room ri) and of room ri's group, appended to
 * w[*n] (capacity cap). -E2BIG if they do not fit. */
int eng_policy_person(const struct osm_engine *e, const char *person,
		      int ri, struct eng_want *w, size_t *n, size_t cap);
int eng_policy_room(const struct osm_engine *e, int ri, struct eng_want *w,
		    size_t *n, size_t cap);

/* Rate and burst of a class (bytes/s, bytes). */
void eng_policy_rate(unsigned cls, uint64_t *rate, uint64_t *burst);

/* Fill c's path (switch names, in order) from src to dst device. */
int eng_path(const struct osm_engine *e, struct osm_rec_circuit *c);

/* The switch handle of index i, opened on first use. -ENOENT -> engine
 * code ENOSWITCH. */
int eng_sw_handle(struct osm_engine *e, int i, struct osm_switch **h);

/* The map value circuit c should have on hop `hop` of its path, with the
 * hop key of its current epoch. *sw gets the switch index. */
int eng_expect(struct osm_engine *e, const struct osm_rec_circuit *c,
	       unsigned hop, const uint8_t hop_key[OSM_HOP_KEY_LEN],
	       struct osm_circuit *out, int *sw);

uint64_t eng_now_ns(void);

#endif
