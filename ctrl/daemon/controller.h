/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The controller's end of every device's control circuits (docs/protocol.md
 * 7.1, 8, 8.1; docs/engine.md "Devices"): it accepts a device's new
 * session (stored first) and answers its HELLO with the keys the device
 * should hold, turns PRESENCE from door sensors into engine events, asks
 * devices of a stale session to start a new one (REJOIN), and delivers
 * each circuit change as KEY_UPDATEs sealed under the device's control
 * keys, sent again every 100 ms 10 times, then every second, until
 * ACKed. */
#ifndef OSM_CONTROLLER_H
#define OSM_CONTROLLER_H

#include <stdint.h>
#include "engine.h"

struct osm_ctl;

/* Counters, for the daemon's log and tests. */
struct osm_ctl_stats {
	uint64_t rx, rx_bad, hello, presence, acks;
	uint64_t sent, resent;
	uint64_t slow;		/* messages past their quick retries */
	uint64_t sessions;	/* device sessions accepted */
	uint64_t stale_session;	/* frames of a session not accepted */
	uint64_t rejoin;	/* REJOINs sent */
	uint64_t rekeyed;	/* circuits rekeyed for a new session */
	uint64_t rekey_failed;	/* sessions whose rekey failed */
};

/*
 * Open the controller's interface ifname (in network namespace netns, or
 * this one if NULL) for circuit frames; *mac gets its address, which the
 * engine needs (struct osm_engine_opts.ctl_mac). Returns 0, -ENODEV,
 * -ENOENT (no such namespace), -ENOMEM, -errno.
 */
int osm_ctl_open(struct osm_ctl **out, const char *ifname, const char *netns,
		 uint8_t mac[6]);
/* As osm_ctl_open, on a socket the caller opened (a packet socket on the
 * controller's interface, or one end of a datagram socket pair in the
 * fuzzing harness), whose address is mac. The controller owns fd from
 * then on (nonblocking). Returns 0 or -ENOMEM. */
int osm_ctl_open_fd(struct osm_ctl **out, int fd, const uint8_t mac[6]);
void osm_ctl_close(struct osm_ctl *c);

/* Work for engine e on store st (again after the engine reloads its
 * topology): a new run is stored, device state is made anew (devices
 * that joined before are asked to start a new session), and every
 * circuit change the engine commits is queued for delivery; the
 * devices' control keys are kept in locked memory. Returns 0, -ENOMEM,
 * -errno of mlock, or a store code. */
int osm_ctl_attach(struct osm_ctl *c, struct osm_engine *e,
		   struct osmdb *st);

/* Remote r was opened (op OSM_CH_ADD) or closed (OSM_CH_DEL): its
 * device, if in a session, gets its keys (TX to send, RX to receive)
 * or their removal in KEY_UPDATEs. */
void osm_ctl_remote(struct osm_ctl *c, const struct osmdb_remote *r,
		    unsigned op);

/* The store was opened anew (after an erasure): use st from now on. */
void osm_ctl_set_store(struct osm_ctl *c, struct osmdb *st);

/* Devices with KEY_UPDATEs first sent at least older_ns ago and not
 * ACKed: one line of text each to line (may be NULL). Returns how many. */
int osm_ctl_lacking(const struct osm_ctl *c, uint64_t older_ns,
		    void (*line)(const char *text, void *arg), void *arg);

/* The socket to poll for input. */
int osm_ctl_fd(const struct osm_ctl *c);

/* Take every frame waiting on the socket. A PRESENCE becomes an engine
 * event, passed to on_event (may be NULL). Returns 0 or -errno. */
int osm_ctl_input(struct osm_ctl *c,
		  void (*on_event)(const struct osm_engine_event *ev,
				   void *arg), void *arg);

/* Send what is due (new messages, retries). Returns the milliseconds
 * until something is due again, or -1 if nothing is queued. */
int osm_ctl_tick(struct osm_ctl *c);

void osm_ctl_stats(const struct osm_ctl *c, struct osm_ctl_stats *out);

#endif
