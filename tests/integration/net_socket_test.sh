#!/usr/bin/env bash
# src/net on a real wire: two network namespaces created here, joined by a veth pair (server
# side `ens33` with 192.168.1.70/24, as the seed lab; client side with no address at all, like a
# PXE client before its lease). udp_probe runs in the server namespace on 0.0.0.0:67; a python3
# client broadcasts to 255.255.255.255:67 from 0.0.0.0:68 and captures what comes back with an
# AF_PACKET socket. Checked: arrival ifindex/name, header destination, the interface table, the
# broadcast reply out of that ifindex, a unicast with no ARP entry never leaving (the control),
# the unicast after ARP injection arriving with the client's MAC, TOS 0xC0 and DF clear on both,
# and the ARP entry left in the server's neighbour table. Run twice: with a socket udp_probe
# opened, and with one it adopted (as from socket activation).
# Usage: net_socket_test.sh PATH/TO/udp_probe      (root; exits 77 = skipped otherwise)
set -euo pipefail

probe=$(realpath "$1")
if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null || ! command -v python3 >/dev/null; then
  echo "SKIP: needs root, ip and python3"
  exit 77
fi

suffix=$$
server_ns="pxq-net-$suffix-srv"
client_ns="pxq-net-$suffix-cli"
client_mac="02:70:78:71:00:02"
work=$(mktemp -d)
probe_pid=""

cleanup() {
  if [[ -n $probe_pid ]] && kill -0 "$probe_pid" 2>/dev/null; then
    kill "$probe_pid" 2>/dev/null || true
    wait "$probe_pid" 2>/dev/null || true
  fi
  ip netns del "$server_ns" 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
check() {  # check DESCRIPTION COMMAND...
  local description=$1
  shift
  if "$@"; then
    echo "ok   - $description"
  else
    echo "FAIL - $description"
    failures=$((failures + 1))
  fi
}

ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add ens33 netns "$server_ns" type veth peer name eth0 netns "$client_ns"
ip -n "$client_ns" link set eth0 address "$client_mac"
# `brd +` as NetworkManager configures it (iproute2 sets no broadcast address otherwise).
ip -n "$server_ns" addr add 192.168.1.70/24 brd + dev ens33
ip -n "$server_ns" link set lo up
ip -n "$server_ns" link set ens33 up
ip -n "$client_ns" link set lo up
ip -n "$client_ns" link set eth0 up
ifindex=$(ip -n "$server_ns" -o link show ens33 | cut -d: -f1)

# The client: capture first (AF_PACKET sees frames for any address, and the client has none),
# then broadcast the probe; report every UDP frame to port 68 until both replies came, plus
# anything else that came within a short grace period.
cat >"$work/client.py" <<'PY'
import select, socket, struct, sys, time
iface, window = sys.argv[1], float(sys.argv[2])
ETH_P_IP = 0x0800
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
raw.bind((iface, ETH_P_IP))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
udp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
udp.bind(("0.0.0.0", 68))
udp.sendto(b"pxq-probe", ("255.255.255.255", 67))
print("client sent probe", flush=True)
deadline = time.monotonic() + window
while time.monotonic() < deadline:
    ready, _, _ = select.select([raw], [], [], max(0.0, deadline - time.monotonic()))
    if not ready:
        break
    frame, address = raw.recvfrom(65535)
    if address[2] == socket.PACKET_OUTGOING or len(frame) < 14 + 20 + 8:
        continue
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 17:
        continue
    sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
    if dport != 68:
        continue
    flags = struct.unpack("!H", ip[6:8])[0]
    payload = ip[ihl + 8:].decode(errors="replace")
    print("frame dst_mac=%s src=%s:%d dst=%s:%d tos=0x%02x df=%d payload=%s" % (
        frame[0:6].hex(":"), socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]),
        dport, ip[1], 1 if flags & 0x4000 else 0, payload), flush=True)
PY

# adopt.py: bind 0.0.0.0:67 as a socket unit would, then exec the probe with it as fd 3.
cat >"$work/adopt.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 67))
os.dup2(s.fileno(), 3)
os.execv(sys.argv[1], [sys.argv[1], "--adopt-fd", "3"] + sys.argv[2:])
PY

# round MODE UNICAST CONTROL
round() {
  local mode=$1 unicast=$2 control=$3
  local out="$work/probe-$mode.out" client_out="$work/client-$mode.out"
  echo "--- round: $mode socket, unicast to $unicast, control $control"
  local args=(--timeout-ms 10000 --unicast "$unicast" --mac "$client_mac" --control "$control")
  if [[ $mode == adopted ]]; then
    ip netns exec "$server_ns" timeout 20 python3 "$work/adopt.py" "$probe" "${args[@]}" \
      >"$out" 2>&1 &
  else
    ip netns exec "$server_ns" timeout 20 "$probe" --port 67 "${args[@]}" >"$out" 2>&1 &
  fi
  probe_pid=$!
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q '^ready$' "$out" 2>/dev/null && break
    kill -0 "$probe_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^ready$' "$out"; then
    cat "$out"
    echo "FAIL - probe never became ready"
    failures=$((failures + 1))
    return
  fi
  # 4 s covers the kernel's ARP resolution (3 probes, 1 s apart) for the control unicast.
  ip netns exec "$client_ns" timeout 15 python3 "$work/client.py" eth0 4 >"$client_out" 2>&1 ||
    true
  local status=0
  wait "$probe_pid" || status=$?
  probe_pid=""
  sed 's/^/  probe:  /' "$out"
  sed 's/^/  client: /' "$client_out"

  check "$mode: probe finished (status $status)" test "$status" -eq 0
  check "$mode: bound to 0.0.0.0:67" grep -q "^bound local=0.0.0.0:67 mode=$mode$" "$out"
  check "$mode: idle non-blocking read would block" \
    grep -q "^idle-receive result=Resource temporarily unavailable$" "$out"
  check "$mode: datagram from 0.0.0.0:68 on ifindex $ifindex (ens33) to 255.255.255.255" \
    grep -Eq "^received bytes=9 src=0\.0\.0\.0:68 ifindex=$ifindex ifname=ens33 dst=255\.255\.255\.255 .*payload=pxq-probe$" "$out"
  check "$mode: interface table: ens33 up, MTU 1500, 192.168.1.70/24 brd 192.168.1.255" \
    grep -Eq "^interface index=$ifindex name=ens33 up=1 loopback=0 mtu=1500 primary=192\.168\.1\.70 address=192\.168\.1\.70/24 brd=192\.168\.1\.255 label=ens33$" "$out"
  check "$mode: seed config (interface=ens33) allows ens33" grep -q "^policy seed-allows=1$" "$out"
  check "$mode: ARP injection into an unknown interface is an error value (ENODEV)" \
    grep -q "^arp-check unknown-interface result=No such device$" "$out"
  check "$mode: ARP injection of an empty MAC is an error value (EINVAL)" \
    grep -q "^arp-check empty-mac result=Invalid argument$" "$out"
  check "$mode: ARP injection succeeded" grep -q "^arp inject address=$unicast result=ok$" "$out"
  check "$mode: three sends succeeded" test "$(grep -c '^sent .* result=ok$' "$out")" -eq 3
  check "$mode: client got the broadcast (ff:ff.., 192.168.1.70:67 -> 255.255.255.255:68, TOS 0xc0, DF clear)" \
    grep -q "^frame dst_mac=ff:ff:ff:ff:ff:ff src=192.168.1.70:67 dst=255.255.255.255:68 tos=0xc0 df=0 payload=pxq-reply-broadcast$" "$client_out"
  check "$mode: client got the unicast to $unicast at its own MAC (TOS 0xc0, DF clear)" \
    grep -q "^frame dst_mac=$client_mac src=192.168.1.70:67 dst=$unicast:68 tos=0xc0 df=0 payload=pxq-reply-unicast$" "$client_out"
  check "$mode: the control unicast (no ARP entry) never reached the wire" \
    bash -c "! grep -q 'payload=pxq-reply-control' '$client_out'"
  check "$mode: server neighbour table holds $unicast -> $client_mac, not permanent" \
    bash -c "ip -n '$server_ns' neigh show '$unicast' dev ens33 | grep -q 'lladdr $client_mac' &&
             ! ip -n '$server_ns' neigh show '$unicast' dev ens33 | grep -q PERMANENT"
}

round opened 192.168.1.240 192.168.1.241
round adopted 192.168.1.242 192.168.1.243

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
