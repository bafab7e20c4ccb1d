// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Peer and remote requests on an engine, for the daemon and the commands
 * alike (cli_remote.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cli_engine.h"
#include "cli_store.h"
#include "cli_remote.h"

int osm_remote_req(const struct osm_line_req *req)
{
	return req->cmd >= OSM_LINE_PEER_ADD &&
	       req->cmd <= OSM_LINE_REMOTE_CLOSE;
}

static int fail(char *msg, size_t cap, const char *fmt, const char *a)
{
	snprintf(msg, cap, fmt, a);
	return 1;
}

static int peer(struct osm_engine *e, struct osm_line_req *req, json_t **out,
		char *msg, size_t cap)
{
	struct osmdb_peer *p = &req->peer;
	char why[256];
	int err;

	why[0] = '\0';
	if (req->cmd == OSM_LINE_PEER_ADD)
		err = osm_engine_peer_add(e, p, why, sizeof(why));
	else if (req->cmd == OSM_LINE_PEER_EPOCH)
		err = osm_engine_peer_epoch(e, p->name, p->epoch, why,
					    sizeof(why));
	else
		err = osm_engine_peer_del(e, p->name);
	if (err == OSMDB_EEXIST)
		return fail(msg, cap, "%s is a peer already", p->name);
	if (err == OSMDB_ENOTFOUND)
		return fail(msg, cap, "no peer %s", p->name);
	if (err == OSMDB_EREF)
		return fail(msg, cap, "%s is no gateway switch of the "
			    "topology", p->gateway);
	if (err == -EINVAL)
		return fail(msg, cap, "%s", "that key is ours, or no usable "
			    "X25519 public key");
	if (err == -ESTALE)
		return fail(msg, cap, "%s is at that epoch or a later one",
			    p->name);
	if (err == OSMDB_EINUSE)
		return fail(msg, cap, "remote circuits with %s are open "
			    "(remote close them first)", p->name);
	if (err)
		return fail(msg, cap, "%s", why[0] ? why :
			    osm_engine_error(e, err));
	*out = req->cmd == OSM_LINE_PEER_DEL ?
	       json_pack("{s:s}", "removed", p->name) :
	       json_pack("{s:s, s:I}", "peer", p->name, "epoch",
			 (json_int_t)p->epoch);
	return 0;
}

static int remote(struct osm_engine *e, struct osm_line_req *req,
		  json_t **out, char *msg, size_t cap)
{
	struct osmdb_remote *r = &req->remote;
	char why[256];
	int err;

	why[0] = '\0';
	if (req->cmd == OSM_LINE_REMOTE_ADD)
		err = osm_engine_remote_open(e, r, why, sizeof(why));
	else
		err = osm_engine_remote_close(e, r->name, r);
	if (err == OSMDB_EEXIST)
		return fail(msg, cap, "%s is open already", r->name);
	if (err == OSMDB_ENOTFOUND)
		return fail(msg, cap, "no remote %s open", r->name);
	if (err == OSMDB_EREF)
		return fail(msg, cap, "no peer %s (peer add it first), or no "
			    "such device", r->peer);
	if (err == -EALREADY)
		return fail(msg, cap, "%s was open with that peer before: its "
			    "keys were used; open it under another name",
			    r->name);
	if (err)
		return fail(msg, cap, "%s", why[0] ? why :
			    osm_engine_error(e, err));
	if (req->cmd == OSM_LINE_REMOTE_CLOSE) {
		*out = json_pack("{s:s}", "closed", r->name);
		return 0;
	}
	*out = json_pack("{s:s, s:s}", "opened", r->name, "peer", r->peer);
	if (r->dirs & 1 << OSMDB_REMOTE_SEND)
		json_object_set_new(*out, "send",
				    json_integer(r->id[OSMDB_REMOTE_SEND]));
	if (r->dirs & 1 << OSMDB_REMOTE_RECV)
		json_object_set_new(*out, "receive",
				    json_integer(r->id[OSMDB_REMOTE_RECV]));
	return 0;
}

int osm_remote_do(struct osm_engine *e, struct osm_line_req *req,
		  json_t **out, char *msg, size_t cap)
{
	*out = NULL;
	if (req->cmd >= OSM_LINE_REMOTE_ADD)
		return remote(e, req, out, msg, cap);
	return peer(e, req, out, msg, cap);
}

int osm_remote_run(const char *what, const char *line,
		   const char *netns_prefix, json_t **out)
{
	struct osm_line_req req;
	struct osm_engine *e;
	struct osmdb *s;
	char msg[512];
	int r = osm_cli_via_daemon(what, line, out);

	if (r != -ENOENT)
		return r;
	if (osm_line_parse(line, strlen(line), &req, msg, sizeof(msg)))
		return osm_err("%s: %s", what, msg);
	r = osm_cli_engine_try(&s, &e, &(struct osm_engine_opts){
			       .netns_prefix = netns_prefix });
	if (r == -EAGAIN) {	/* a daemon took the store meanwhile */
		r = osm_cli_via_daemon(what, line, out);
		return r == -ENOENT ? osm_cli_writer_err(osm_cli_store_dir()) :
		       r;
	}
	if (r)
		return 1;
	osm_cli_engine_mark(s, e, 1);
	r = osm_remote_do(e, &req, out, msg, sizeof(msg));
	osm_cli_engine_close(s, e);
	return r ? osm_err("%s: %s", what, msg) : 0;
}
