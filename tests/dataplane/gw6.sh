#!/bin/sh
# tests/dataplane/gw.sh over IPv6: the gateways' outer packets in
# IPv6 and UDP with its checksum, neighbour solicitations answered.
GW_FAMILY=6 exec "$(dirname "$0")/gw.sh"
