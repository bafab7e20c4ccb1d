#!/usr/bin/env bash
# AF_PACKET I/O of the host library over a veth pair in a private netns:
#
#   [ ns osmu-PID:  pa <==veth==> pb ]
set -eu
ns=osmu-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add pa type veth peer name pb
for i in pa pb; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.$i.disable_ipv6=1
	ip -n "$ns" link set "$i" up
done
ip netns exec "$ns" build/tests/unit/test_packet pa pb
