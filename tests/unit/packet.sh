#!/usr/bin/env bash
# AF_PACKET I/O of the host library over a veth pair in a private netns:
#
#   [ ns osmu<pid>n:  pa <==veth==> pb ]
set -eu
cd "$(dirname "$0")/../.."
. tests/lib.sh
osm_fixture_init osmu
osm_netns_new n
osm_veth "$OSM_NS" pa "$OSM_NS" pb
ip netns exec "$OSM_NS" build/tests/unit/test_packet pa pb
