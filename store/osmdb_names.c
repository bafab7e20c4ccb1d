// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Names: what a valid name is, and the names of the store's enums. */
#include <string.h>
#include "osmdb_int.h"

bool osmdb_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if (n >= OSMDB_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return n > 0;
}

/* ---- enum names -----------------------------------------------------------
 */

static const char *const sw_kinds[] = { "room", "core", "gateway" };
static const char *const port_kinds[] = { "device", "uplink", "wan", "mgmt" };
static const char *const roles[] = { "sensor", "display", "microphone",
	"speaker", "lamp", "door", "controller" };
static const char *const classes[] = { "control", "sensor", "audio",
	"video", "bulk" };

#define NAME_OF(tab, v) ((v) < sizeof(tab) / sizeof(tab[0]) ? tab[v] : "?")

static int parse_of(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i], s))
			return (int)i;
	return -1;
}

#define PARSE_OF(tab, s) parse_of(tab, sizeof(tab) / sizeof(tab[0]), s)

_Static_assert(sizeof(sw_kinds) / sizeof(sw_kinds[0]) == OSMDB_SW_KIND_MAX, "");
_Static_assert(sizeof(port_kinds) / sizeof(port_kinds[0]) ==
	       OSMDB_PORT_KIND_MAX, "");
_Static_assert(sizeof(roles) / sizeof(roles[0]) == OSM_ROLE_CONTROLLER, "");
_Static_assert(sizeof(classes) / sizeof(classes[0]) == OSMDB_CLASS_MAX, "");

const char *osmdb_switch_kind_name(unsigned v) { return NAME_OF(sw_kinds, v); }
const char *osmdb_port_kind_name(unsigned v) { return NAME_OF(port_kinds, v); }
/* roles are the protocol's (osm_proto.h), numbered from 1 */
const char *osmdb_role_name(unsigned v)
{
	return v ? NAME_OF(roles, v - 1) : "?";
}
const char *osmdb_class_name(unsigned v) { return NAME_OF(classes, v); }
int osmdb_switch_kind_parse(const char *s) { return PARSE_OF(sw_kinds, s); }
int osmdb_port_kind_parse(const char *s) { return PARSE_OF(port_kinds, s); }
int osmdb_role_parse(const char *s)
{
	int v = PARSE_OF(roles, s);

	return v < 0 ? v : v + 1;
}
int osmdb_class_parse(const char *s) { return PARSE_OF(classes, s); }
