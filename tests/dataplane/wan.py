#!/usr/bin/env python3
# The test's hands on a veth 'WAN' between two gateways (run inside a
# namespace with ip netns exec):
#   wan.py capture IFACE COUNT SECONDS   hex of the next COUNT UDP frames
#                                        whose payload is a DATA (type 4);
#                                        "ready" on stderr once listening
#   wan.py send IFACE HEX...             send raw frames
#   wan.py forge HEX KIND                a frame made from a captured DATA:
#                                        flip (a ciphertext bit and a new
#                                        counter), src IP
#                                        10.99.0.9 (checksum fixed), short
#                                        (3 payload bytes), index (a random
#                                        receiver index)
import os
import socket
import struct
import sys
import time


def ip_sum(h):
    s = sum(struct.unpack("!10H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def capture(iface, count, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.settimeout(0.2)
    print("ready", file=sys.stderr, flush=True)     # bound: nothing missed
    end, got = time.time() + seconds, 0
    while got < count and time.time() < end:
        try:
            f, addr = s.recvfrom(4096)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if len(f) > 42 + 16 and f[12:14] == b"\x08\x00" and f[23] == 17 \
                and f[42] == 4:
            print(f.hex(), flush=True)
            got += 1
    return 0 if got == count else 1


def send(iface, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for h in frames:
        s.send(bytes.fromhex(h))
    return 0


def forge(h, kind):
    f = bytearray(bytes.fromhex(h))
    if kind == "flip":          # a fresh counter, a flipped bit: only the
        f[50:58] = struct.pack("!Q", 1 << 40)   # tag can tell
        f[42 + 16 + 3] ^= 1
    elif kind == "src":
        f[26:30] = bytes([10, 99, 0, 9])
        f[24:26] = b"\0\0"
        f[24:26] = struct.pack("!H", ip_sum(bytes(f[14:34])))
    elif kind == "short":
        f = f[:42] + f[42:45]
        f[16:18] = struct.pack("!H", 20 + 8 + 3)
        f[38:40] = struct.pack("!H", 8 + 3)
        f[24:26] = b"\0\0"
        f[24:26] = struct.pack("!H", ip_sum(bytes(f[14:34])))
    elif kind == "index":
        f[46:50] = os.urandom(4)
    print(bytes(f).hex())
    return 0


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "capture":
        sys.exit(capture(a[2], int(a[3]), float(a[4])))
    if a[1] == "send":
        sys.exit(send(a[2], a[3:]))
    if a[1] == "forge":
        sys.exit(forge(a[2], a[3]))
    sys.exit("usage: wan.py capture|send|forge ...")
