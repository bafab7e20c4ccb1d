/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the switch commands (load, unload, status, circuit, port, stats)
 * share: namespace and bpffs set-up, opening a switch, interface names and
 * numbers from the command line. Each prints its one error line and
 * returns 1 on failure, 0 on success. */
#ifndef OSM_CLI_SWITCH_H
#define OSM_CLI_SWITCH_H

#include <stdint.h>
#include <net/if.h>
#include "switch.h"

/* Long option every switch command takes: -n/--netns NAME. */
#define OSM_SWCLI_NETNS_OPT { "netns", required_argument, NULL, 'n' }

/* libbpf output (only with -v), enter netns (NULL: stay), mount bpffs. */
int osm_swcli_setup(const char *netns);

/* Open loaded switch `name`; _any: whatever its maps' layout (unload). */
int osm_swcli_open(const char *name, struct osm_switch **sw);
int osm_swcli_open_any(const char *name, struct osm_switch **sw);

/* Interface name -> ifindex in the current namespace. */
int osm_swcli_ifindex(const char *ifname, uint32_t *ifindex);

/* ifindex -> name, or "if<N>" when it has none here. */
const char *osm_swcli_ifname(uint32_t ifindex, char buf[IF_NAMESIZE]);

/* 1 if the interface's link is up (administratively up, carrier on),
 * 0 if down, -1 if there is no such interface (in the current netns). */
int osm_swcli_link_up(uint32_t ifindex);
/* The interface's MTU, -1 if there is no such interface. */
int osm_swcli_mtu(uint32_t ifindex);
/* Options of a command that takes only -n NETNS and --help: 0 with
 * *netns set (NULL: none) and optind at the first operand; 1 after a bad
 * option (said); -1 after --help (printed: exit 0). */
int osm_swcli_netns_only(int argc, char **argv, const char **netns,
			 void (*usage)(FILE *f));
/* The error line for the option getopt_long just refused. */
int osm_swcli_badopt(char **argv);
/* 0 if switch name lives in another network namespace than the current
 * one (*netns: its name, to free; NULL if unnamed), else 1. */
int osm_swcli_here(const char *name, char **netns);

/* The switch's circuit ids in ascending order, in *ids (malloc'ed: free
 * it; NULL when there are none), *n of them. 0, or 1 (error said). */
int osm_swcli_circuit_ids(const struct osm_switch *sw, uint32_t **ids,
			  size_t *n);

/* Numbers: what names the argument in the error ("circuit id"). */
int osm_swcli_u32(const char *s, const char *what, uint32_t *v);
int osm_swcli_u64(const char *s, const char *what, uint64_t *v);

#endif
