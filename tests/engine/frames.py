#!/usr/bin/env python3
# Circuit frames captured, checked and replayed by the engine's tests
# (fw-reboot.sh, endpoints.sh). A capture file holds one frame a line, in
# hex.
#
#   cap IF FILE [data]        every circuit frame on IF, sent or received
#                             (data: data circuits only); FILE.ready once
#                             listening; survives IF going away a while
#   reuse FILE...             "FRAMES TRIPLES REUSED": (circuit, sequence
#                             number, epoch) seen with different bytes
#   sessions FILE             the sessions (upper half of the sequence
#                             numbers) of its frames, in order
#   list FILE dst|src MAC [TO]  frames to or from MAC (addressed to TO)
#   epochs FILE MAC           of the control frames not from MAC (the
#                             controller): "JOIN SESSION BAD", how many
#                             under the join epoch (1), under their
#                             session's (2S, S the upper half of the
#                             sequence number), and under another, or
#                             under the join epoch after the session's
#   send IF FILE [IF FILE]... each frame of FILE out of IF, 3 ms apart
#   pcap FILE...              the circuit frames of pcap files (QEMU's
#                             filter-dump), one a line in hex
import socket, sys, time


def frames(path):
    return [bytes.fromhex(l) for l in open(path) if l.strip()]


def circuit(f):
    return int.from_bytes(f[18:22], "big")


def cap(ifname, path, data_only):
    out = open(path, "w", buffering=1)
    ready = False
    while True:		# a tap goes away while its QEMU reboots
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(3))	# ETH_P_ALL: sent too
            s.bind((ifname, 0))
            if not ready:
                open(path + ".ready", "w").close()
                ready = True
            while True:
                f = s.recv(4096)
                if len(f) < 58 or f[12:14] != b"\x88\xb5":
                    continue
                if data_only and circuit(f) >= 1 << 31:
                    continue
                out.write(f.hex() + "\n")
        except OSError:
            time.sleep(0.005)


def main(cmd, args):
    if cmd == "cap":
        cap(args[0], args[1], args[2:] == ["data"])
    elif cmd == "reuse":
        seen, bad, n = {}, 0, 0
        for p in args:
            for f in frames(p):
                n += 1
                key = f[18:34]	# circuit, sequence number, epoch
                body = f[6:]	# switches rewrite the destination
                if seen.setdefault(key, body) != body:
                    bad += 1
        print(n, len(seen), bad)
    elif cmd == "sessions":
        print(" ".join(str(s) for s in sorted(
            {int.from_bytes(f[22:30], "big") >> 32 for f in frames(args[0])})))
    elif cmd == "list":
        mac = bytes.fromhex(args[2].replace(":", ""))
        to = bytes.fromhex(args[3].replace(":", "")) if args[3:] else b""
        at = 0 if args[1] == "dst" else 6
        for f in frames(args[0]):
            if f[at:at + 6] == mac:
                print((to + f[len(to):]).hex())
    elif cmd == "epochs":
        mac = bytes.fromhex(args[1].replace(":", ""))
        moved, join, sess, bad = set(), 0, 0, 0
        for f in frames(args[0]):
            if f[6:12] == mac or circuit(f) < 1 << 31:
                continue
            dev = (f[6:12], int.from_bytes(f[22:30], "big") >> 32)
            epoch = int.from_bytes(f[30:34], "big")
            if epoch == 1 and dev not in moved:
                join += 1
            elif epoch == 2 * dev[1]:
                moved.add(dev)
                sess += 1
            else:
                bad += 1
        print(join, sess, bad)
    elif cmd == "pcap":
        for p in args:
            b = open(p, "rb").read()
            if len(b) < 24:
                continue
            end = "<" if b[:4] == b"\xd4\xc3\xb2\xa1" else ">"
            at = 24
            while at + 16 <= len(b):	# a record cut short ends it
                n = int.from_bytes(b[at + 8:at + 12],
                                   "little" if end == "<" else "big")
                f = b[at + 16:at + 16 + n]
                at += 16 + n
                if len(f) == n and len(f) >= 58 and f[12:14] == b"\x88\xb5":
                    print(f.hex())
    elif cmd == "send":
        for i in range(0, len(args) - 1, 2):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((args[i], 0))
            for f in frames(args[i + 1]):
                s.send(f)
                time.sleep(0.003)
    else:
        sys.exit("frames.py: cap, reuse, sessions, list, epochs, pcap or send")


main(sys.argv[1], sys.argv[2:])
