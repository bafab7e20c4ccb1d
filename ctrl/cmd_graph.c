// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* osm-fabric graph [--room R] [-o FILE]: the circuit graph of the store as
 * DOT (devices as nodes grouped by room, circuits as edges, coloured by
 * owner), or rendered by graphviz's dot into FILE (.svg, .png, .pdf). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "cli.h"
#include "cli_store.h"

struct graph {
	const char *room;	/* only this room's devices and circuits */
	FILE *f;
	struct osmdb_txn *t;
	char cur[OSMDB_NAME_MAX + 1];	/* room of the open cluster */
	int err;
};

static int dev_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_device *d = rec;
	struct graph *g = arg;
	const char *role = osmdb_role_name(d->role);
	int same = !strcmp(d->name, role);

	/* the role under the name, unless the name says it already */
	if (!strcmp(d->room, g->cur))
		fprintf(g->f, "    d%u [label=\"%s%s%s\"];\n", d->id, d->name,
			same ? "" : "\\n", same ? "" : role);
	return 0;
}

/* A cluster a room, with its devices. */
static int room_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_room *r = rec;
	struct graph *g = arg;

	if (g->room && strcmp(g->room, r->name))
		return 0;
	fprintf(g->f, "  subgraph \"cluster_%s\" {\n    label=\"room %s "
		"(switch %s)\";\n", r->name, r->name, r->sw);
	snprintf(g->cur, sizeof(g->cur), "%s", r->name);
	g->err = osmdb_foreach(g->t, OSMDB_TAB_DEVICES, dev_cb, g);
	fprintf(g->f, "  }\n");
	return g->err;
}

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c",
	"#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

static int circuit_cb(const void *rec, void *arg)
{
	const struct osmdb_rec_circuit *c = rec;
	struct graph *g = arg;
	struct osmdb_rec_device s, d;
	unsigned h = 5381;
	const char *p;

	if (osmdb_device_get(g->t, c->src_dev, &s) ||
	    osmdb_device_get(g->t, c->dst_dev, &d))
		return 0;
	if (g->room && strcmp(s.room, g->room) && strcmp(d.room, g->room))
		return 0;
	for (p = c->owner; *p; p++)
		h = h * 33 + (unsigned char)*p;
	fprintf(g->f, "  d%u -> d%u [label=\"%u %s e%u%s%s\", color=\"%s\", "
		"fontcolor=\"%s\"%s];\n", c->src_dev, c->dst_dev, c->id,
		osmdb_class_name(c->cls), c->epoch, c->owner[0] ? "\\n" : "",
		c->owner, c->owner[0] ? colours[h % 8] : "gray40",
		c->owner[0] ? colours[h % 8] : "gray40",
		c->n_path > 1 ? ", style=bold" : "");
	return 0;
}

static int graph(struct osmdb_txn *t, void *arg)
{
	struct graph *g = arg;
	char building[OSMDB_NAME_MAX + 1];
	int err;

	g->t = t;
	if (g->room) {
		struct osmdb_rec_room r;

		if (osmdb_room_get(t, g->room, &r))
			return osm_err("graph: no room %s", g->room);
	}
	err = osmdb_building_get(t, building);
	if (err)
		return osm_cli_store_err("graph", err);
	fprintf(g->f, "digraph \"%s\" {\n  label=\"building %s: circuits "
		"(grey: a room's own; coloured: a person's; bold: across "
		"switches)\";\n  rankdir=LR;\n  node [shape=box, "
		"style=rounded, fontname=\"Helvetica\"];\n  edge "
		"[fontname=\"Helvetica\", fontsize=10];\n", building,
		building);
	err = osmdb_foreach(t, OSMDB_TAB_ROOMS, room_cb, g) ?:
	      osmdb_foreach(t, OSMDB_TAB_CIRCUITS, circuit_cb, g);
	fprintf(g->f, "}\n");
	if (err)
		return osm_cli_store_err("graph", err);
	return 0;
}

/* Pipe the DOT text into `dot -T<format> -o out`. */
static int render(const char *text, size_t len, const char *out)
{
	const char *ext = strrchr(out, '.');
	char fmt[8];
	int fd[2], st;
	pid_t pid;

	if (!ext || (strcmp(ext, ".svg") && strcmp(ext, ".png") &&
		     strcmp(ext, ".pdf")))
		return osm_err("graph: -o FILE must end in .svg, .png, .pdf "
			       "or .dot");
	snprintf(fmt, sizeof(fmt), "-T%s", ext + 1);
	if (pipe(fd))
		return osm_err("graph: pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		execlp("dot", "dot", fmt, "-o", out, (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	if (pid < 0) {
		close(fd[1]);
		return osm_err("graph: fork: %s", strerror(errno));
	}
	if (write(fd[1], text, len) != (ssize_t)len)
		st = -1;
	close(fd[1]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return osm_err("graph: dot failed (is graphviz installed?)");
	return 0;
}

int osm_cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "room", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct graph g = { 0 };
	const char *out = NULL;
	char *text = NULL;
	size_t len = 0;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': g.room = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			printf("usage: osm-fabric [--store DIR] graph [--room "
			       "ROOM] [-o FILE]\nThe circuit graph as DOT on "
			       "stdout, or drawn by graphviz into FILE\n(.svg, "
			       ".png, .pdf; .dot writes the text).\n");
			return 0;
		default:
			return osm_err("graph: unknown option '%s'",
				       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return osm_err("graph: unexpected '%s'", argv[optind]);
	if (osm_opts.json)
		return osm_err("graph: the output is DOT (or SVG, PNG); there "
			       "is no JSON form ('engine circuits -j' has the "
			       "circuits)");
	if (g.room && !osmdb_name_ok(g.room))
		return osm_err("graph: bad room name '%s'", g.room);
	g.f = open_memstream(&text, &len);
	if (!g.f)
		return osm_err("graph: out of memory");
	err = osm_cli_read("graph", graph, &g);
	fclose(g.f);
	if (!err && !out) {
		fwrite(text, 1, len, stdout);
	} else if (!err && strlen(out) > 4 &&
		   !strcmp(out + strlen(out) - 4, ".dot")) {
		FILE *f = fopen(out, "w");

		if (!f || fwrite(text, 1, len, f) != len || fclose(f))
			err = osm_err("graph: cannot write %s", out);
	} else if (!err) {
		err = render(text, len, out);
	}
	free(text);
	return err;
}
