// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness of the CLI's reading of the daemon's replies
 * (ctrl/cli_engine.c): a thread of the harness plays the daemon on a real
 * Unix socket and answers the request with the input's bytes;
 * osm_cli_daemon reads the reply line and osm_cli_reply takes it, as
 * osm_cli_request does (with a smaller buffer), and what it took as an
 * "ok" reply goes through osm_cli_event_from_json, as `events` (an
 * array of events) and `person enter` (one event) take it.
 * Checks: the reply line is the bytes up to the first newline (none:
 * -EPROTO, or -EMSGSIZE once the buffer is full); "ok JSON" gives that
 * JSON, "error CODE MESSAGE" the
 * message, anything else -EPROTO; an "ok" reply the CLI took, sent again
 * as the daemon writes it (compact JSON), gives the same JSON; an event
 * read from JSON has its changes within bounds and its names terminated,
 * has failed exactly when the daemon said so (an error code), prints, and goes back to JSON (osm_cli_event_json, what the daemon
 * sends) and from it to the same event.
 * Input: byte 0 = how many bytes the daemon writes at a time (0: all at
 * once); the rest is what it writes before it closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "cli_engine.h"

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int listen_fd = -1, done_pipe[2];
static FILE *devnull;

/* What the daemon writes for the next request (set before it connects). */
static const uint8_t *volatile reply;
static volatile size_t reply_len, chunk;

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_cli_reply: %s\n", why);
	abort();
}

/* The daemon: take one request line, write the reply, close. */
static void *daemon_thread(void *arg)
{
	const uint8_t *bytes;
	size_t off, n, len, at_a_time;
	char req[512];
	ssize_t r;
	int fd;

	(void)arg;
	for (;;) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		bytes = reply;
		len = reply_len;
		at_a_time = chunk;
		/* the request, to its newline, as the daemon reads it */
		while ((r = read(fd, req, sizeof(req))) > 0 &&
		       !memchr(req, '\n', (size_t)r))
			;
		for (off = 0; off < len; off += n) {
			n = at_a_time && at_a_time < len - off ? at_a_time :
			    len - off;
			if (send(fd, bytes + off, n, MSG_NOSIGNAL) !=
			    (ssize_t)n)
				break;
		}
		close(fd);
		/* the bytes are the caller's again */
		if (write(done_pipe[1], "", 1) != 1)
			abort();
	}
	return NULL;
}

static void cleanup(void)
{
	unlink(sock_path);
}

static void init_once(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	pthread_t t;

	if (listen_fd >= 0)
		return;
	snprintf(sock_path, sizeof(sock_path), "/tmp/fuzz_cli_reply.%d",
		 (int)getpid());
	strcpy(a.sun_path, sock_path);
	unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a))
	    || listen(listen_fd, 8) || pipe2(done_pipe, O_CLOEXEC) ||
	    pthread_create(&t, NULL, daemon_thread, NULL))
		fail("no socket for the daemon's end");
	atexit(cleanup);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		fail("no /dev/null");
}

/* The CLI's buffer for a reply line: osm_cli_request's is 8 MiB, this
 * one small enough to be filled (-EMSGSIZE). */
#define CAP	4096

/* Ask the daemon's end, which answers with bytes, as osm_cli_request
 * does: osm_cli_daemon reads the line, osm_cli_reply takes it. */
static int ask(const uint8_t *bytes, size_t len, size_t at_a_time,
	       json_t **out, char err[OSM_CLI_ERR_MAX])
{
	static char line[CAP];
	char c;
	int r;

	reply = bytes;
	reply_len = len;
	chunk = at_a_time;
	*out = NULL;
	r = osm_cli_daemon(sock_path, "events 10", line, sizeof(line));
	if (r < 0 && r != -EPROTO && r != -EMSGSIZE)
		fail("the daemon's end cannot be asked");
	/* it is done with the bytes: they are the caller's again */
	if (read(done_pipe[0], &c, 1) != 1)
		fail("the daemon's end is gone");
	return r ?: osm_cli_reply(line, out, err);
}

/* 1 if every name of ev is valid UTF-8 (jansson takes nothing else). */
static int utf8_names(const struct osm_engine_event *ev)
{
	const char *s[3 + 3 * OSM_ENGINE_CHANGES];
	size_t n = 0, i;
	json_t *j;

	s[n++] = ev->person;
	s[n++] = ev->from;
	s[n++] = ev->room;
	for (i = 0; i < ev->n_changes && i < OSM_ENGINE_CHANGES; i++) {
		s[n++] = ev->changes[i].owner;
		s[n++] = ev->changes[i].src;
		s[n++] = ev->changes[i].dst;
	}
	for (i = 0; i < n; i++) {
		j = json_string(s[i]);
		if (!j)
			return 0;
		json_decref(j);
	}
	return 1;
}

static void check_name(const char *s, size_t cap)
{
	if (strnlen(s, cap) >= cap)
		fail("a name of an event is not terminated");
}

/* One event as the CLI reads it from the daemon's JSON. */
static void check_event(json_t *o)
{
	static struct osm_engine_event ev, again;
	json_t *j;
	size_t i;

	if (osm_cli_event_from_json(o, &ev)) {
		if (json_is_object(o))
			fail("an object is refused as an event");
		return;
	}
	if (ev.kind >= 6)
		fail("an event of no kind the engine has");
	if (!ev.err != !json_integer_value(json_object_get(o, "error_code")))
		fail("an event the daemon says failed reads as applied, or "
		     "the other way");
	check_name(ev.person, sizeof(ev.person));
	check_name(ev.from, sizeof(ev.from));
	check_name(ev.room, sizeof(ev.room));
	if (ev.n_changes > OSM_ENGINE_CHANGES)
		fail("more changes than an event holds");
	for (i = 0; i < ev.n_changes; i++) {
		if (ev.changes[i].op >= 6)
			fail("a change of no op the engine has");
		check_name(ev.changes[i].owner, sizeof(ev.changes[i].owner));
		check_name(ev.changes[i].src, sizeof(ev.changes[i].src));
		check_name(ev.changes[i].dst, sizeof(ev.changes[i].dst));
	}
	osm_cli_event_print(devnull, &ev, 0);
	osm_cli_event_print(devnull, &ev, 1);
	/* back as the daemon sends it, and read again */
	j = osm_cli_event_json(&ev);
	if (!j) {
		if (utf8_names(&ev))
			fail("an event read does not go back to JSON");
		return;
	}
	if (osm_cli_event_from_json(j, &again) ||
	    memcmp(&ev, &again, sizeof(ev)))
		fail("an event through JSON and back is another event");
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[OSM_CLI_ERR_MAX], *text, *line;
	const uint8_t *nl;
	json_t *out = NULL, *want, *again = NULL, *o;
	size_t len, i;
	int r, r2;

	if (size < 1)
		return 0;
	init_once();
	r = ask(data + 1, size - 1, data[0], &out, err);
	/* the reply line: up to the first newline, if it is in the
	 * buffer with room for its terminating NUL; read as a C string */
	nl = memchr(data + 1, '\n', size - 1 < CAP - 1 ? size - 1 : CAP - 1);
	if (!nl) {
		if (r != (size - 1 >= CAP - 1 ? -EMSGSIZE : -EPROTO))
			fail("a reply without a newline in the buffer is not "
			     "-EMSGSIZE (full) or -EPROTO (closed)");
		return 0;
	}
	len = (size_t)(nl - (data + 1));
	line = malloc(len + 1);
	if (!line)
		return 0;
	memcpy(line, data + 1, len);
	line[len] = '\0';
	if (!strncmp(line, "ok ", 3)) {
		want = json_loads(line + 3, 0, NULL);
		if (want ? r != 0 || !json_equal(out, want) : r != -EPROTO)
			fail("an ok reply is not its JSON");
		json_decref(want);
	} else if (!strncmp(line, "error ", 6)) {
		if (r != 1 || strncmp(err, line + 6, OSM_CLI_ERR_MAX - 1) ||
		    strlen(err) >= OSM_CLI_ERR_MAX)
			fail("an error reply is not its message");
	} else if (r != -EPROTO) {
		fail("a reply neither ok nor error is not -EPROTO");
	}
	free(line);
	if (r != 0)
		return 0;
	/* the daemon writes its JSON compact, on one line */
	text = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text && strlen(text) + 4 < CAP) {
		size_t n = strlen(text);
		char *again_line = malloc(n + 5);

		if (again_line) {
			memcpy(again_line, "ok ", 3);
			memcpy(again_line + 3, text, n);
			again_line[n + 3] = '\n';
			r2 = ask((const uint8_t *)again_line, n + 4, 0, &again,
				 err);
			if (r2 != 0 || !json_equal(out, again))
				fail("an ok reply sent again is another "
				     "reply");
			json_decref(again);
			free(again_line);
		}
		free(text);
	}
	if (json_is_array(out))
		json_array_foreach(out, i, o)
			check_event(o);
	else
		check_event(out);
	json_decref(out);
	return 0;
}
