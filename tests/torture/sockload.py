#!/usr/bin/env python3
# Load on the daemon's socket, for tests/torture/resources.sh.
#
#   events SOCKET N BLOCK SECONDS ARCHIVE_EVERY CMD...
#       up to N presence events (enter, move, leave of 16 people between
#       rooms r101 and r102), one at a time on one connection, for at
#       most SECONDS; every ARCHIVE_EVERY events (0: never) CMD runs (the
#       audit archive). A line a block of BLOCK events:
#         block I EVENTS MEDIAN_US P99_US MAX_US
#       then "done EVENTS FAILED SECONDS"; each failed reply on stderr.
#   flood SOCKET IDLE BUSY SECONDS PROBES
#       IDLE clients that connect and send nothing (reconnecting when the
#       daemon closes them), BUSY clients that send requests without a
#       pause (ping, verify, events), and one more client that connects
#       and sends "ping" PROBES times, spread over SECONDS; then
#         idle OPEN CLOSED_BY_DAEMON
#         busy REQUESTS ERRORS
#         probe SERVED REFUSED MEDIAN_MS MAX_MS
import os, resource, select, socket, statistics, subprocess, sys, threading
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s


def ask(f, s, line):
    s.sendall((line + "\n").encode())
    return f.readline()


def events(path, n, block, seconds, every, cmd):
    s = connect(path)
    f = s.makefile()
    rooms = ("r101", "r102")
    where = {}
    lat, done, failed, t_end = [], 0, 0, time.monotonic() + seconds
    t0 = time.monotonic()
    people = ["load%02d" % i for i in range(16)]
    while done < n and time.monotonic() < t_end:
        who = people[done % len(people)]
        step = (done // len(people)) % 4	# enter, move, move, leave
        if step == 0:
            line = "enter %s %s" % (who, rooms[done % 2])
        elif step < 3:
            line = "move %s %s" % (who, rooms[(done + step) % 2])
        else:
            line = "leave %s" % who
        a = time.perf_counter_ns()
        r = ask(f, s, line)
        lat.append((time.perf_counter_ns() - a) // 1000)
        if not r.startswith("ok"):
            failed += 1
            sys.stderr.write("%s: %s" % (line, r or "(closed)\n"))
            if not r:
                break
        done += 1
        if len(lat) == block:
            lat.sort()
            print("block %d %d %d %d %d" % (done // block, done,
                  lat[len(lat) // 2], lat[len(lat) * 99 // 100], lat[-1]),
                  flush=True)
            lat = []
        if every and done % every == 0:
            subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
    # everyone out: the store holds no one of these after
    for who in people:
        ask(f, s, "leave %s" % who)
    print("done %d %d %.1f" % (done, failed, time.monotonic() - t0))


def flood(path, nidle, nbusy, seconds, probes):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stop = threading.Event()
    stats = {"busy": 0, "busy_err": 0, "closed": 0}
    lock = threading.Lock()

    def busy(k):
        reqs = ["ping", "verify", "events 8", "enter flood%d r101" % k,
                "leave flood%d" % k]
        i = 0
        while not stop.is_set():
            try:
                s = connect(path)
                f = s.makefile()
                while not stop.is_set():
                    r = ask(f, s, reqs[i % len(reqs)])
                    i += 1
                    with lock:
                        stats["busy"] += 1
                        if not r.startswith("ok"):
                            stats["busy_err"] += 1
                    if not r:
                        break
                s.close()
            except OSError:
                with lock:
                    stats["busy_err"] += 1
                time.sleep(0.01)

    threads = [threading.Thread(target=busy, args=(k,)) for k in range(nbusy)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    idle = []
    for _ in range(nidle):
        try:
            idle.append(connect(path))
        except OSError:
            break

    def keep_idle():	# the daemon closes some: open them again
        p, by_fd = select.poll(), {}	# (select takes no fd over 1023)
        for s in idle:
            p.register(s, select.POLLIN)
            by_fd[s.fileno()] = s
        while not stop.is_set():
            for fd, _ in p.poll(100):
                s = by_fd.pop(fd)
                p.unregister(fd)
                try:
                    s.recv(256)
                except OSError:
                    pass
                s.close()
                idle.remove(s)
                with lock:
                    stats["closed"] += 1
                try:
                    s = connect(path)
                except OSError:
                    continue
                idle.append(s)
                p.register(s, select.POLLIN)
                by_fd[s.fileno()] = s
        stats["kept"] = 1
    kt = threading.Thread(target=keep_idle)
    kt.start()
    time.sleep(1.5)	# every idle one silent for more than a second
    lat, refused = [], 0
    gap = max(seconds - 1.5, 0) / max(probes, 1)
    for _ in range(probes):
        a = time.perf_counter()
        try:
            s = connect(path)
            f = s.makefile()
            r = ask(f, s, "ping")
            s.close()
        except OSError:
            r = ""
        ms = (time.perf_counter() - a) * 1000
        if r.startswith("ok"):
            lat.append(ms)
        else:
            refused += 1
            sys.stderr.write("probe: %s" % (r or "(closed)\n"))
        time.sleep(gap)
    stop.set()
    for t in threads + [kt]:
        t.join()
    if "kept" not in stats:
        sys.exit("sockload.py: the idle clients' thread failed")
    print("idle %d %d" % (len(idle), stats["closed"]))
    print("busy %d %d" % (stats["busy"], stats["busy_err"]))
    print("probe %d %d %.1f %.1f" % (len(lat), refused,
          statistics.median(lat) if lat else -1, max(lat) if lat else -1))
    for s in idle:
        s.close()


def main(a):
    if a[0] == "events":
        events(a[1], int(a[2]), int(a[3]), float(a[4]), int(a[5]), a[6:])
    elif a[0] == "flood":
        flood(a[1], int(a[2]), int(a[3]), float(a[4]), int(a[5]))
    else:
        sys.exit("sockload.py: events or flood")


main(sys.argv[1:])
