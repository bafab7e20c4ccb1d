#!/usr/bin/env python3
# The test's hands on a veth 'WAN' between two gateways, IPv4 or IPv6 (run
# inside a namespace with ip netns exec):
#   wan.py capture IFACE COUNT SECONDS   hex of the next COUNT UDP frames
#                                        whose payload is a DATA (type 4);
#                                        "ready" on stderr once listening
#   wan.py send IFACE HEX...             send raw frames
#   wan.py nd IFACE ADDRESS              ARP or neighbour solicitation for
#                                        ADDRESS: the MAC of the answer
#   wan.py forge HEX KIND                a frame made from a captured DATA:
#                                        flip (a ciphertext bit and a new
#                                        counter), src IP
#                                        10.99.0.9 (checksum fixed), short
#                                        (3 payload bytes), index (a random
#                                        receiver index)
#   wan.py index HEX                     the receiver index of a captured
#                                        DATA, in hex
import os
import socket
import struct
import sys
import time


def ip_sum(data):
    """The Internet checksum of data (RFC 1071), padded to 16 bits."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def payload_at(f):
    """Offset of the UDP payload of an IPv4 or IPv6 frame, or None."""
    if f[12:14] == b"\x08\x00" and len(f) > 42 and f[23] == 17:
        return 42
    if f[12:14] == b"\x86\xdd" and len(f) > 62 and f[20] == 17:
        return 62
    return None


def udp_sum6(f):
    """Set the UDP checksum of IPv6 frame f (RFC 8200 8.1)."""
    n = struct.unpack("!H", f[18:20])[0]
    f[60:62] = b"\0\0"
    data = bytes(f[22:54]) + struct.pack("!IxxxB", n, 17) + bytes(f[54:54 + n])
    f[60:62] = struct.pack("!H", ip_sum(data) or 0xFFFF)


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
        o = payload_at(f)
        if o and len(f) > o + 16 and f[o] == 4:
            print(f.hex(), flush=True)
            got += 1
    return 0 if got == count else 1


def nd(iface, target):
    """ARP request (IPv4) or neighbour solicitation (IPv6) for target
    from a made-up host; prints the MAC the answer gives."""
    me = bytes.fromhex("020000000abc")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    s.settimeout(0.2)
    if ":" not in target:
        t = socket.inet_pton(socket.AF_INET, target)
        f = b"\xff" * 6 + me + b"\x08\x06" + struct.pack(
            "!HHBBH", 1, 0x0800, 6, 4, 1) + me + bytes([10, 99, 0, 200]) + \
            bytes(6) + t
    else:
        t = socket.inet_pton(socket.AF_INET6, target)
        src = socket.inet_pton(socket.AF_INET6, "fd00:99::c8")
        icmp = bytearray(struct.pack("!BBHI", 135, 0, 0, 0) + t +
                         b"\x01\x01" + me)
        f = bytearray(b"\x33\x33\xff" + t[13:16] + me + b"\x86\xdd" +
                      struct.pack("!IHBB", 0x60000000, len(icmp), 58, 255) +
                      src + b"\xff\x02" + bytes(9) + b"\x01\xff" + t[13:16])
        data = bytes(f[22:54]) + struct.pack("!IxxxB", len(icmp), 58) + \
            bytes(icmp)
        icmp[2:4] = struct.pack("!H", ip_sum(data))
        f = bytes(f) + bytes(icmp)
    s.send(f)
    end = time.time() + 3
    while time.time() < end:
        try:
            r, addr = s.recvfrom(4096)
        except socket.timeout:
            continue
        if r[0:6] != me:
            continue
        if r[12:14] == b"\x08\x06" and r[20:22] == b"\x00\x02":
            print(r[22:28].hex(":"))
            return 0
        if r[12:14] == b"\x86\xdd" and r[20] == 58 and r[54] == 136:
            print(r[54 + 26:54 + 32].hex(":"))
            return 0
    return 1


def send(iface, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for h in frames:
        s.send(bytes.fromhex(h))
    return 0


def forge(h, kind):
    f = bytearray(bytes.fromhex(h))
    o = payload_at(f)
    v6 = o == 62
    if kind == "flip":          # a fresh counter, a flipped bit: only the
        f[o + 8:o + 16] = struct.pack("!Q", 1 << 40)   # tag can tell
        f[o + 16 + 3] ^= 1
    elif kind == "src":
        if v6:
            f[22 + 15] ^= 0x55
        else:
            f[26:30] = bytes([10, 99, 0, 9])
    elif kind == "short":
        f = f[:o + 3]
        if v6:
            f[18:20] = struct.pack("!H", 8 + 3)
        else:
            f[16:18] = struct.pack("!H", 20 + 8 + 3)
        f[o - 4:o - 2] = struct.pack("!H", 8 + 3)
    elif kind == "index":
        f[o + 4:o + 8] = os.urandom(4)
    if v6:
        udp_sum6(f)
    else:
        f[24:26] = b"\0\0"
        f[24:26] = struct.pack("!H", ip_sum(bytes(f[14:34])))
    print(bytes(f).hex())
    return 0


def index(h):
    f = bytes.fromhex(h)
    o = payload_at(f)
    print(f[o + 4:o + 8].hex())
    return 0


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "capture":
        sys.exit(capture(a[2], int(a[3]), float(a[4])))
    if a[1] == "send":
        sys.exit(send(a[2], a[3:]))
    if a[1] == "forge":
        sys.exit(forge(a[2], a[3]))
    if a[1] == "nd":
        sys.exit(nd(a[2], a[3]))
    if a[1] == "index":
        sys.exit(index(a[2]))
    sys.exit("usage: wan.py capture|send|forge|nd|index ...")
