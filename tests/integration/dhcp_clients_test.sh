#!/usr/bin/env bash
# Real DHCP clients against pxemasq on the seed config (issue 3, Acceptance "Integration").
#
# The lab: network namespaces created here, all joined by a bridge in a "switch" namespace.
# The server side is `ens33` with 192.168.1.70/24, as the seed's box; each client has its own
# namespace and MAC, and a "squatter" namespace holds an address to provoke a DECLINE.
#
#   switch ns: br0 ── ens33 (server ns, 192.168.1.70/24, pxemasq -d on seed.conf)
#                 ├── eth0  (udhcpc ns)      busybox udhcpc
#                 ├── eth0  (dhclient ns)    ISC dhclient
#                 ├── dcN   (dhcpcd ns)      dhcpcd (skipped with a message when not installed)
#                 └── eth0  (squatter ns)    answers ARP (not ping) for the address to decline
#
# Checked for each client: an address in 192.168.1.230-250, router 192.168.1.254, DNS
# 192.168.1.24, lease 43200 s, boot file bootx64.efi and siaddr 192.168.1.70 (as the client
# reports them to its script, or from its lease file), the lease in pxemasq's lease file in
# dnsmasq's format (EXPIRY MAC IP HOSTNAME CLIENTID); then renew (udhcpc SIGUSR1, dhcpcd -N),
# INIT-REBOOT (dhclient restarted on its lease file), rebind (a broadcast REQUEST with ciaddr),
# release (udhcpc -R, dhclient -r, dhcpcd -k) which removes the lease; DECLINE (udhcpc -a with an
# ARP conflict); and, with a dhcp-match config, BIOS (arch 0) and UEFI (arch 7, 9) clients get
# different boot files while a client without option 93 gets none.
#
# Usage: dhcp_clients_test.sh PATH/TO/pxemasq     (root; exits 77 = skipped otherwise)
# PXQ_TEST_KEEP=1 keeps the work directory (daemon logs, lease files, client events).
# Packages: busybox (udhcpc), isc-dhcp-client (dhclient), dhcpcd-base (optional), iproute2, python3.
set -euo pipefail

pxemasq=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seed="$here/../lab/seed.conf"

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces)"
  exit 77
fi
for tool in ip ss python3 busybox dhclient; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (packages: iproute2, python3, busybox, isc-dhcp-client)"
    exit 77
  fi
done
if ! busybox --list | grep -qx udhcpc; then
  echo "SKIP: this busybox has no udhcpc applet"
  exit 77
fi
IP=$(command -v ip)

suffix=$$
ns_srv="pxq-cl-$suffix-srv"
ns_sw="pxq-cl-$suffix-sw"
ns_u="pxq-cl-$suffix-u"
ns_d="pxq-cl-$suffix-d"
ns_p="pxq-cl-$suffix-p"
ns_q="pxq-cl-$suffix-q"
namespaces=("$ns_srv" "$ns_sw" "$ns_u" "$ns_d" "$ns_p" "$ns_q")
dcd_if="dc$suffix"          # dhcpcd keeps files named after the interface in /var/lib/dhcpcd
dcd_if=${dcd_if:0:15}
mac_u="02:70:78:71:01:01"
mac_d="02:70:78:71:01:02"
mac_p="02:70:78:71:01:03"
mac_decline="02:70:78:71:01:04"
mac_bios="02:70:78:71:01:10"
mac_efi7="02:70:78:71:01:11"
mac_efi9="02:70:78:71:01:12"
mac_plain="02:70:78:71:01:13"
mac_rebind_stranger="02:70:78:71:01:20"
work=$(mktemp -d /tmp/pxemasq-dhcp-clients.XXXXXX)
daemon_pid=""
client_pids=()

cleanup() {
  local pid
  for pid in "${client_pids[@]}" "$daemon_pid"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  # Clients that wrote a pid file (udhcpc, dhclient): their own process, in case a wrapper died.
  for pidfile in "$work"/*.pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -f "/var/lib/dhcpcd/$dcd_if.lease" "/var/lib/dhcpcd/$dcd_if"*.lease 2>/dev/null || true
  if [[ -n ${PXQ_TEST_KEEP:-} ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=0
passes=0
ok() { echo "ok   - $1"; passes=$((passes + 1)); }
bad() { echo "FAIL - $1"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION COMMAND...
  local description=$1
  shift
  if "$@"; then ok "$description"; else bad "$description"; fi
}
# wait_until TENTHS COMMAND...: poll every 0.1 s, at most TENTHS times.
wait_until() {
  local tries=$1 i
  shift
  for ((i = 0; i < tries; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# --- the lab -------------------------------------------------------------------------------------
for ns in "${namespaces[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n "$ns_sw" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "$ns_sw" link set br0 up
port=0
plug() {  # plug NS IFNAME [MAC]: a veth from NS into the switch
  port=$((port + 1))
  ip link add "$2" netns "$1" type veth peer name "p$port" netns "$ns_sw"
  [[ -n ${3:-} ]] && ip -n "$1" link set "$2" address "$3"
  ip -n "$ns_sw" link set "p$port" master br0
  ip -n "$ns_sw" link set "p$port" up
  ip -n "$1" link set "$2" up
}
plug "$ns_srv" ens33
ip -n "$ns_srv" addr add 192.168.1.70/24 brd + dev ens33
plug "$ns_u" eth0 "$mac_u"
plug "$ns_d" eth0 "$mac_d"
plug "$ns_p" "$dcd_if" "$mac_p"
plug "$ns_q" eth0 "02:70:78:71:01:99"
# The squatter answers ARP for its address but not ping, so only the client's ARP check sees it.
ip netns exec "$ns_q" sh -c "echo 1 >/proc/sys/net/ipv4/icmp_echo_ignore_all"

mkdir -p "$work/tftpboot" "$work/state"
printf 'loader\n' >"$work/tftpboot/bootx64.efi"
# The seed config verbatim but for tftp-root and the lease file.
sed "s|^tftp-root=.*|tftp-root=$work/tftpboot|" "$seed" >"$work/seed.conf"
echo "dhcp-leasefile=$work/state/seed.leases" >>"$work/seed.conf"
leases="$work/state/seed.leases"

start_daemon() {  # start_daemon CONFIG LOG
  ip netns exec "$ns_srv" "$pxemasq" -d -C "$1" >"$2" 2>&1 &
  daemon_pid=$!
  if ! wait_until 50 bash -c "ip netns exec '$ns_srv' ss -Hlun 'sport = :67' | grep -q 67"; then
    cat "$2"
    echo "FAIL - pxemasq did not bind port 67"
    exit 1
  fi
}
stop_daemon() {
  kill -TERM "$daemon_pid" 2>/dev/null || true
  local status=0
  wait "$daemon_pid" || status=$?
  daemon_pid=""
  return "$status"
}

# The client scripts: record every event's variables, configure the address like the stock
# scripts do (renewals are unicast from the leased address), and never touch /etc.
cat >"$work/udhcpc.script" <<EOF
#!/bin/sh
dir="$work/udhcpc-\${tag:-none}"
mkdir -p "\$dir"
n=\$(ls "\$dir" | wc -l)
env | grep -E '^(ip|subnet|mask|router|dns|lease|boot_file|siaddr|sname|serverid|interface|opt[0-9]+)=' |
  sort >"\$dir/.\$n.tmp" && mv "\$dir/.\$n.tmp" "\$dir/\$n.\$1"  # whole or not at all
case \$1 in
  bound|renew) $IP addr replace "\$ip/\${mask:-24}" dev "\$interface" ;;
  deconfig) $IP addr flush dev "\$interface" ;;
esac
exit 0
EOF
cat >"$work/dhclient.script" <<EOF
#!/bin/sh
dir="$work/dhclient"
mkdir -p "\$dir"
n=\$(ls "\$dir" | wc -l)
env | grep -E '^(reason|new_|old_|interface)' | sort >"\$dir/.\$n.tmp" && mv "\$dir/.\$n.tmp" "\$dir/\$n.\$reason"
case \$reason in
  BOUND|RENEW|REBIND|REBOOT) $IP addr replace "\$new_ip_address/24" dev "\$interface" ;;
  EXPIRE|FAIL|RELEASE|STOP) $IP addr flush dev "\$interface" ;;
esac
exit 0
EOF
cat >"$work/dhcpcd.script" <<EOF
#!/bin/sh
dir="$work/dhcpcd"
mkdir -p "\$dir"
n=\$(ls "\$dir" | wc -l)
env | grep -E '^(reason|new_|old_|interface)' | sort >"\$dir/.\$n.tmp" && mv "\$dir/.\$n.tmp" "\$dir/\$n.\$reason"
exit 0
EOF
chmod +x "$work/udhcpc.script" "$work/dhclient.script" "$work/dhcpcd.script"

# events DIR ACTION: how many times the client's script ran for ACTION; last DIR ACTION: the file.
# The scripts write each event file under a temporary name and rename it, so a file that exists
# is complete (under load the test used to read half-written ones: "boot file none").
events() { find "$1" -name "*.$2" 2>/dev/null | wc -l; }
has_event() { [[ $(events "$1" "$2") -ge 1 ]]; }
last() {
  local name
  name=$(find "$1" -name "*.$2" -printf '%f\n' 2>/dev/null | sort -n | tail -n1)
  [[ -n $name ]] && echo "$1/$name"
}
var() { sed -n "s/^$2=//p" "$1" | head -n1; }  # var FILE NAME
in_range() {
  [[ $1 =~ ^192\.168\.1\.([0-9]+)$ ]] && ((BASH_REMATCH[1] >= 230 && BASH_REMATCH[1] <= 250))
}
# lease_line MAC. The ACK leaves once its lease is in the journal (PATH.journal); the file itself
# is rewritten within 0.5 s of a change, so read it a second later.
lease_line() { sleep 1; grep -E "^[0-9]+ $1 " "$leases" 2>/dev/null || true; }
no_lease() { [[ -z $(lease_line "$1") ]]; }
# lease_ok MAC IP HOSTNAME CLIENTID: the one line for MAC, dnsmasq's format, expiry ~ now + 12h.
lease_ok() {
  local line expiry now
  line=$(lease_line "$1")
  [[ $(printf '%s\n' "$line" | grep -c .) -eq 1 ]] || { echo "  lease lines for $1: '$line'"; return 1; }
  now=$(date +%s)
  expiry=${line%% *}
  if [[ $line != "$expiry $1 $2 $3 $4" ]] || ((expiry < now + 43200 - 30 || expiry > now + 43200 + 5)); then
    echo "  lease line: '$line' (want '~$((now + 43200)) $1 $2 $3 $4')"
    return 1
  fi
}
log_has() { grep -qE "$2" "$1"; }  # log_has LOG REGEX
client_id_of() { echo "01:$1"; }

# A hand-made DHCP client (stdlib only) for the cases the stock clients cannot be asked for:
# REBINDING (broadcast REQUEST, ciaddr set, no server id) from a bound address.
cat >"$work/rebind.py" <<'PY'
import os, random, select, socket, struct, sys, time
iface, mac, ciaddr, client_id, window = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
chaddr = bytes.fromhex(mac.replace(":", ""))
xid = random.randrange(1, 2**32)
opts = bytes([53, 1, 3])
if client_id != "-":
    cid = bytes.fromhex(client_id.replace(":", ""))
    opts += bytes([61, len(cid)]) + cid
opts += bytes([55, 4, 1, 3, 6, 51, 255])
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 1, 1, 6, 0, xid, 0, 0, socket.inet_aton(ciaddr),
                  bytes(4), bytes(4), bytes(4), chaddr.ljust(16, b"\0"), bytes(64), bytes(128),
                  0x63825363) + opts
pkt = pkt.ljust(300, b"\0")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.bind(("0.0.0.0", 68))
s.sendto(pkt, ("255.255.255.255", 67))
deadline = time.monotonic() + window
while time.monotonic() < deadline:
    r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
    if not r:
        break
    data, src = s.recvfrom(4096)
    if len(data) < 240 or data[0] != 2 or struct.unpack("!I", data[4:8])[0] != xid:
        continue
    found, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        found[data[i]] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    lease = struct.unpack("!I", found[51])[0] if len(found.get(51, b"")) == 4 else -1
    print("reply type=%d yiaddr=%s from=%s:%d lease=%d" % (found.get(53, b"\0")[0],
          socket.inet_ntoa(data[16:20]), src[0], src[1], lease))
    sys.exit(0)
print("no reply")
PY

# --- the seed config -----------------------------------------------------------------------------
echo "--- pxemasq -d on the seed config (tftp-root and dhcp-leasefile in $work)"
start_daemon "$work/seed.conf" "$work/seed.log"

# 1. busybox udhcpc: bound, rebind, renew (SIGUSR1), release on exit (-R).
echo "--- udhcpc"
ip netns exec "$ns_u" env tag=u timeout 60 busybox udhcpc -f -R -i eth0 -t 5 -T 1 -A 1 \
  -p "$work/udhcpc-u.pid" -s "$work/udhcpc.script" -x hostname:udhcpc-lab >"$work/udhcpc.out" 2>&1 &
udhcpc_pid=$!
client_pids+=("$udhcpc_pid")
dir_u="$work/udhcpc-u"
if wait_until 100 has_event "$dir_u" bound; then
  ok "udhcpc: bound"
  env_u=$(last "$dir_u" bound)
  ip_u=$(var "$env_u" ip)
  check "udhcpc: address $ip_u in 192.168.1.230-250" in_range "$ip_u"
  check "udhcpc: netmask 255.255.255.0" test "$(var "$env_u" subnet)" = 255.255.255.0
  check "udhcpc: router 192.168.1.254" test "$(var "$env_u" router)" = 192.168.1.254
  check "udhcpc: DNS 192.168.1.24" test "$(var "$env_u" dns)" = 192.168.1.24
  check "udhcpc: lease 43200" test "$(var "$env_u" lease)" = 43200
  check "udhcpc: server id 192.168.1.70" test "$(var "$env_u" serverid)" = 192.168.1.70
  check "udhcpc: boot_file bootx64.efi" test "$(var "$env_u" boot_file)" = bootx64.efi
  check "udhcpc: siaddr 192.168.1.70" test "$(var "$env_u" siaddr)" = 192.168.1.70
  check "udhcpc: lease file line '$ip_u udhcpc-lab $(client_id_of $mac_u)'" \
    lease_ok "$mac_u" "$ip_u" udhcpc-lab "$(client_id_of $mac_u)"
  check "udhcpc: DHCPACK logged in dnsmasq's text" \
    log_has "$work/seed.log" "^pxemasq-dhcp: [0-9]+ DHCPACK\(ens33\) $ip_u $mac_u udhcpc-lab$"

  # REBINDING: broadcast REQUEST from the bound address, ciaddr set, no server id / option 50.
  expiry_before=$(lease_line "$mac_u" | cut -d' ' -f1)
  sleep 1.1  # so that a new expiry is visible in whole seconds
  rebind=$(ip netns exec "$ns_u" timeout 10 python3 "$work/rebind.py" eth0 "$mac_u" "$ip_u" \
    "$(client_id_of $mac_u)" 3 2>&1 || true)
  echo "  rebind: $rebind"
  check "rebind (broadcast, ciaddr $ip_u): ACK to $ip_u:68 with lease 43200" \
    test "$rebind" = "reply type=5 yiaddr=$ip_u from=192.168.1.70:67 lease=43200"
  expiry_rebind=$(lease_line "$mac_u" | cut -d' ' -f1)
  check "rebind: lease expiry moved on ($expiry_before -> $expiry_rebind)" \
    test "${expiry_rebind:-0}" -gt "${expiry_before:-0}"
  # A stranger rebinding an address it has no lease for: not authoritative, broadcast -> silence.
  stranger=$(ip netns exec "$ns_u" timeout 10 python3 "$work/rebind.py" eth0 \
    "$mac_rebind_stranger" 192.168.1.233 - 1.5 2>&1 || true)
  check "rebind of an unknown lease (not authoritative): no reply ($stranger)" test "$stranger" = "no reply"

  sleep 1.1
  # `timeout` passes TERM on but not USR1: signal udhcpc itself.
  kill -USR1 "$(cat "$work/udhcpc-u.pid")" || true
  if wait_until 50 has_event "$dir_u" renew; then
    env_r=$(last "$dir_u" renew)
    check "udhcpc renew (SIGUSR1): same address $ip_u" test "$(var "$env_r" ip)" = "$ip_u"
    check "udhcpc renew: lease 43200" test "$(var "$env_r" lease)" = 43200
    expiry_renew=$(lease_line "$mac_u" | cut -d' ' -f1)
    check "udhcpc renew: lease expiry moved on ($expiry_rebind -> $expiry_renew)" \
      test "${expiry_renew:-0}" -gt "${expiry_rebind:-0}"
    check "udhcpc renew: the unicast renewal was ACKed" \
      test "$(grep -cE "DHCPACK\(ens33\) $ip_u $mac_u" "$work/seed.log")" -ge 3
  else
    bad "udhcpc renew (SIGUSR1): no renew event"
  fi

  kill -TERM "$udhcpc_pid" || true
  wait "$udhcpc_pid" 2>/dev/null || true
  check "udhcpc -R: DHCPRELEASE logged" \
    wait_until 50 log_has "$work/seed.log" "DHCPRELEASE\(ens33\) $ip_u $mac_u"
  check "udhcpc -R: the lease is gone from the lease file" wait_until 50 no_lease "$mac_u"
else
  bad "udhcpc: never bound"
  sed 's/^/  udhcpc: /' "$work/udhcpc.out"
fi

# 2. ISC dhclient: bound, INIT-REBOOT after a restart on its own lease file, release (-r).
echo "--- dhclient"
cat >"$work/dhclient.conf" <<'EOF'
send host-name "dhclient-lab";
request subnet-mask, broadcast-address, routers, domain-name-servers, dhcp-lease-time, host-name;
EOF
dhclient_args=(-4 -v -cf "$work/dhclient.conf" -lf "$work/dhclient.leases" -pf "$work/dhclient.pid"
  -sf "$work/dhclient.script" eth0)
dir_d="$work/dhclient"
ip netns exec "$ns_d" timeout 60 dhclient -d "${dhclient_args[@]}" >"$work/dhclient.out" 2>&1 &
dhclient_pid=$!
client_pids+=("$dhclient_pid")
if wait_until 150 has_event "$dir_d" BOUND; then
  ok "dhclient: bound"
  env_d=$(last "$dir_d" BOUND)
  ip_d=$(var "$env_d" new_ip_address)
  check "dhclient: address $ip_d in 192.168.1.230-250" in_range "$ip_d"
  check "dhclient: netmask 255.255.255.0" test "$(var "$env_d" new_subnet_mask)" = 255.255.255.0
  check "dhclient: router 192.168.1.254" test "$(var "$env_d" new_routers)" = 192.168.1.254
  check "dhclient: DNS 192.168.1.24" test "$(var "$env_d" new_domain_name_servers)" = 192.168.1.24
  check "dhclient: lease 43200" test "$(var "$env_d" new_dhcp_lease_time)" = 43200
  check "dhclient: filename bootx64.efi" test "$(var "$env_d" new_filename)" = bootx64.efi
  check "dhclient: next-server (siaddr) 192.168.1.70" test "$(var "$env_d" new_next_server)" = 192.168.1.70
  check "dhclient: lease file line '$ip_d dhclient-lab *'" lease_ok "$mac_d" "$ip_d" dhclient-lab '*'

  # Stop without a release (SIGTERM), start again: dhclient goes INIT-REBOOT on its lease.
  kill -TERM "$dhclient_pid" || true
  wait "$dhclient_pid" 2>/dev/null || true
  requests_before=$(grep -cE "DHCPREQUEST\(ens33\) $ip_d $mac_d" "$work/seed.log" || true)
  ip netns exec "$ns_d" timeout 60 dhclient -d "${dhclient_args[@]}" >"$work/dhclient2.out" 2>&1 &
  dhclient_pid=$!
  client_pids+=("$dhclient_pid")
  if wait_until 150 has_event "$dir_d" REBOOT; then
    env_rb=$(last "$dir_d" REBOOT)
    check "dhclient restart: INIT-REBOOT kept $ip_d" test "$(var "$env_rb" new_ip_address)" = "$ip_d"
    check "dhclient restart: the INIT-REBOOT REQUEST was ACKed" \
      test "$(grep -cE "DHCPREQUEST\(ens33\) $ip_d $mac_d" "$work/seed.log")" -gt "$requests_before"
  else
    bad "dhclient restart: no REBOOT event"
    sed 's/^/  dhclient: /' "$work/dhclient2.out"
  fi
  ip netns exec "$ns_d" timeout 20 dhclient -r "${dhclient_args[@]}" >"$work/dhclient-r.out" 2>&1 || true
  wait "$dhclient_pid" 2>/dev/null || true
  check "dhclient -r: DHCPRELEASE logged" \
    wait_until 50 log_has "$work/seed.log" "DHCPRELEASE\(ens33\) $ip_d $mac_d"
  check "dhclient -r: the lease is gone from the lease file" wait_until 50 no_lease "$mac_d"
else
  bad "dhclient: never bound"
  sed 's/^/  dhclient: /' "$work/dhclient.out"
fi

# 3. dhcpcd, if installed: bound, renew (-N), release (-k). siaddr from its lease file (the raw
# ACK, BOOTP header included).
echo "--- dhcpcd"
if command -v dhcpcd >/dev/null; then
  dir_p="$work/dhcpcd"
  # -A: no ARP probing of the address (5 s); -L: no IPv4LL; -f /dev/null: no system config.
  ip netns exec "$ns_p" timeout 60 dhcpcd -4 -B -d -A -L -f /dev/null -c "$work/dhcpcd.script" \
    -h dhcpcd-lab -o domain_name_servers -t 20 "$dcd_if" >"$work/dhcpcd.out" 2>&1 &
  dhcpcd_pid=$!
  client_pids+=("$dhcpcd_pid")
  if wait_until 150 has_event "$dir_p" BOUND; then
    ok "dhcpcd: bound"
    env_p=$(last "$dir_p" BOUND)
    ip_p=$(var "$env_p" new_ip_address)
    check "dhcpcd: address $ip_p in 192.168.1.230-250" in_range "$ip_p"
    check "dhcpcd: netmask 255.255.255.0" test "$(var "$env_p" new_subnet_mask)" = 255.255.255.0
    check "dhcpcd: router 192.168.1.254" test "$(var "$env_p" new_routers)" = 192.168.1.254
    check "dhcpcd: DNS 192.168.1.24" test "$(var "$env_p" new_domain_name_servers)" = 192.168.1.24
    check "dhcpcd: lease 43200" test "$(var "$env_p" new_dhcp_lease_time)" = 43200
    check "dhcpcd: filename bootx64.efi" test "$(var "$env_p" new_filename)" = bootx64.efi
    siaddr_p=$(python3 -c 'import socket,sys; d=open(sys.argv[1],"rb").read(); print(socket.inet_ntoa(d[20:24]))' \
      "/var/lib/dhcpcd/$dcd_if.lease" 2>/dev/null || echo "no lease file")
    check "dhcpcd: siaddr 192.168.1.70 (its lease file)" test "$siaddr_p" = 192.168.1.70
    check "dhcpcd: lease file line '$ip_p dhcpcd-lab *'" lease_ok "$mac_p" "$ip_p" dhcpcd-lab '*'
    expiry_before=$(lease_line "$mac_p" | cut -d' ' -f1)
    sleep 1.1
    ip netns exec "$ns_p" timeout 10 dhcpcd -4 -N "$dcd_if" >>"$work/dhcpcd-ctl.out" 2>&1 || true
    if wait_until 50 has_event "$dir_p" RENEW; then
      env_pr=$(last "$dir_p" RENEW)
      check "dhcpcd -N: renewed $ip_p" test "$(var "$env_pr" new_ip_address)" = "$ip_p"
      expiry_renew=$(lease_line "$mac_p" | cut -d' ' -f1)
      check "dhcpcd -N: lease expiry moved on ($expiry_before -> $expiry_renew)" \
        test "${expiry_renew:-0}" -gt "${expiry_before:-0}"
    else
      bad "dhcpcd -N: no RENEW event"
    fi
    ip netns exec "$ns_p" timeout 10 dhcpcd -4 -k "$dcd_if" >>"$work/dhcpcd-ctl.out" 2>&1 || true
    wait_until 50 bash -c "! kill -0 $dhcpcd_pid 2>/dev/null" || true
    check "dhcpcd -k: DHCPRELEASE logged" \
      wait_until 50 log_has "$work/seed.log" "DHCPRELEASE\(ens33\) $ip_p $mac_p"
    check "dhcpcd -k: the lease is gone from the lease file" wait_until 50 no_lease "$mac_p"
  else
    bad "dhcpcd: never bound"
    sed 's/^/  dhcpcd: /' "$work/dhcpcd.out"
  fi
  kill "$dhcpcd_pid" 2>/dev/null || true
  wait "$dhcpcd_pid" 2>/dev/null || true
else
  echo "skip - dhcpcd is not installed (Debian: dhcpcd-base); its checks are skipped"
fi

# udhcpc_session TAG [udhcpc args...]: in the udhcpc namespace, lease, then release (-R on exit;
# -q would exit before the release). Fails when it never bound.
udhcpc_session() {
  local tag=$1 pid status=0
  shift
  ip netns exec "$ns_u" env tag="$tag" timeout 30 busybox udhcpc -f -R -i eth0 -t 5 -T 1 -A 1 \
    -s "$work/udhcpc.script" "$@" >"$work/udhcpc-$tag.out" 2>&1 &
  pid=$!
  client_pids+=("$pid")
  wait_until 100 has_event "$work/udhcpc-$tag" bound || status=1
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return "$status"
}

# 4. DECLINE: learn the address pxemasq gives this MAC (udhcpc -q -R: lease, then release), put
# a squatter on it, and let udhcpc -a find the conflict by ARP.
echo "--- DECLINE (udhcpc -a, ARP conflict)"
ip -n "$ns_u" addr flush dev eth0
ip -n "$ns_u" link set eth0 address "$mac_decline"
dir_x1="$work/udhcpc-x1"
udhcpc_session x1 || true
ip_x=$(var "$(last "$dir_x1" bound)" ip 2>/dev/null || true)
if [[ -n $ip_x ]] && wait_until 50 no_lease "$mac_decline"; then
  ip -n "$ns_u" addr flush dev eth0
  ip -n "$ns_q" addr add "$ip_x/24" dev eth0
  dir_x2="$work/udhcpc-x2"
  ip netns exec "$ns_u" env tag=x2 timeout 40 busybox udhcpc -f -q -n -a1000 -i eth0 -t 5 -T 1 -A 1 \
    -s "$work/udhcpc.script" >"$work/udhcpc-x2.out" 2>&1 || true
  check "DECLINE: udhcpc saw the conflict on $ip_x" grep -q "declining" "$work/udhcpc-x2.out"
  check "DECLINE: pxemasq logged DHCPDECLINE(ens33) $ip_x $mac_decline" \
    log_has "$work/seed.log" "DHCPDECLINE\(ens33\) $ip_x $mac_decline"
  ip_x2=$(var "$(last "$dir_x2" bound)" ip 2>/dev/null || true)
  check "DECLINE: the client then got another address (${ip_x2:-none})" \
    bash -c "[[ -n '$ip_x2' && '$ip_x2' != '$ip_x' ]]"
  check "DECLINE: the lease file holds $mac_decline at ${ip_x2:-none} only" \
    lease_ok "$mac_decline" "${ip_x2:-none}" '*' "$(client_id_of $mac_decline)"
  check "DECLINE: no lease for the declined $ip_x" bash -c "! grep -q ' $ip_x ' '$leases'"
  ip -n "$ns_q" addr flush dev eth0
else
  bad "DECLINE: could not learn the address for $mac_decline"
  sed 's/^/  udhcpc: /' "$work/udhcpc-x1.out"
fi

check "pxemasq still running on the seed config" kill -0 "$daemon_pid"
stop_daemon || bad "pxemasq exited non-zero on SIGTERM"

# --- dhcp-match by client architecture -----------------------------------------------------------
echo "--- dhcp-match on option 93 (client-arch)"
sed "s|^tftp-root=.*|tftp-root=$work/tftpboot|; /^dhcp-boot=/d" "$seed" >"$work/arch.conf"
cat >>"$work/arch.conf" <<EOF
dhcp-leasefile=$work/state/arch.leases
dhcp-match=set:bios,option:client-arch,0
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64,option:client-arch,9
dhcp-boot=tag:bios,undionly.kpxe
dhcp-boot=tag:efi64,bootx64.efi
EOF
start_daemon "$work/arch.conf" "$work/arch.log"
arch_client() {  # arch_client TAG MAC [udhcpc args...]: prints the boot_file it got, or "none"
  local tag=$1 mac=$2
  shift 2
  ip -n "$ns_u" addr flush dev eth0
  ip -n "$ns_u" link set eth0 address "$mac"
  udhcpc_session "$tag" "$@" >/dev/null || true
  local env_file
  env_file=$(last "$work/udhcpc-$tag" bound)
  if [[ -z $env_file ]]; then echo "not bound"; return; fi
  local file
  file=$(var "$env_file" boot_file)
  echo "${file:-none}"
}
got=$(arch_client bios "$mac_bios" -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000)
check "arch 0 (BIOS) gets undionly.kpxe ($got)" test "$got" = undionly.kpxe
got=$(arch_client efi7 "$mac_efi7" -V PXEClient:Arch:00007:UNDI:003016 -x 0x5d:0007)
check "arch 7 (x86-64 UEFI) gets bootx64.efi ($got)" test "$got" = bootx64.efi
got=$(arch_client efi9 "$mac_efi9" -V PXEClient:Arch:00009:UNDI:003016 -x 0x5d:0009)
check "arch 9 (EFI BC) gets bootx64.efi ($got)" test "$got" = bootx64.efi
got=$(arch_client plain "$mac_plain")
check "a client without option 93 gets no boot file ($got)" test "$got" = none
check "arch: the tags were logged (bios, efi64)" \
  bash -c "grep -qE 'tags: bios, ens33|tags: ens33, bios|tags: .*bios' '$work/arch.log' &&
           grep -qE 'tags: .*efi64' '$work/arch.log'"
check "pxemasq still running on the dhcp-match config" kill -0 "$daemon_pid"
stop_daemon || bad "pxemasq exited non-zero on SIGTERM"

echo "$passes passed, $failures failed"
if ((failures > 0)); then
  echo "--- seed log (last 40 lines)"
  tail -n 40 "$work/seed.log" | sed 's/^/  /'
  exit 1
fi
