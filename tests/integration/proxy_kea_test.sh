#!/usr/bin/env bash
# Proxy DHCP beside a real allocating server (issue 8, Acceptance "Proxy mode"): kea-dhcp4 hands
# out addresses, pxemasq (`dhcp-range=192.168.1.0,proxy`, pxe-service for BIOS and UEFI) only
# boot information; a BIOS and a UEFI PXE client (scripted with scapy, shaped like the firmware
# in pxe-lab.md: options 93/94/97/60) get their address from Kea and their boot file from
# pxemasq — BIOS through the menu's boot server (REQUEST with 43/71 to port 4011), UEFI through
# the REQUEST OVMF sends to siaddr:4011.
#
#   switch ns: br0 ── ens33 (server ns, 192.168.1.70/24, pxemasq -d, proxy)
#                 ├── k0    (kea ns, 192.168.1.1/24, kea-dhcp4 on its own JSON config)
#                 ├── eth0  (bios ns)  proxy_kea_client.py bios
#                 └── eth0  (uefi ns)  proxy_kea_client.py uefi
#
# Usage: proxy_kea_test.sh PATH/TO/pxemasq     (root; exits 77 = skipped otherwise)
# PXQ_TEST_KEEP=1 keeps the work directory. Packages: kea-dhcp4-server, python3-scapy, iproute2.
set -euo pipefail

pxemasq=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces)"
  exit 77
fi
for tool in ip ss kea-dhcp4 "$python"; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (packages: iproute2, kea-dhcp4-server, python3)"
    exit 77
  fi
done
if ! "$python" -c 'import scapy.all' 2>/dev/null; then
  echo "SKIP: scapy is not installed for $python (package python3-scapy)"
  exit 77
fi

suffix=$$
ns_sw="pxq-pk-$suffix-sw"
ns_srv="pxq-pk-$suffix-srv"
ns_kea="pxq-pk-$suffix-kea"
ns_bios="pxq-pk-$suffix-b"
ns_uefi="pxq-pk-$suffix-u"
namespaces=("$ns_sw" "$ns_srv" "$ns_kea" "$ns_bios" "$ns_uefi")
server_mac="02:70:78:71:42:70"
mac_bios="02:70:78:71:42:01"
mac_uefi="02:70:78:71:42:02"
work=$(mktemp -d /tmp/pxemasq-proxy-kea.XXXXXX)
chmod 755 "$work"
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ ${PXQ_TEST_KEEP:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
checks=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  checks=$((checks + 1))
  if "$@"; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    failures=$((failures + 1))
  fi
}
wait_until() {  # wait_until TENTHS COMMAND...: bounded poll
  local tries=$1
  shift
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
fact() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" "$1" | head -1; }  # fact FILE KEY

for ns in "${namespaces[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  for knob in default all; do ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$knob.disable_ipv6=1" || true; done
done
ip -n "$ns_sw" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "$ns_sw" link set br0 up
port=0
plug() {  # plug NS IFNAME [MAC]
  port=$((port + 1))
  ip link add "$2" netns "$1" type veth peer name "p$port" netns "$ns_sw"
  [[ -n ${3:-} ]] && ip -n "$1" link set "$2" address "$3"
  ip -n "$ns_sw" link set "p$port" master br0
  ip -n "$ns_sw" link set "p$port" up
  ip -n "$1" link set "$2" up
}
plug "$ns_srv" ens33 "$server_mac"
plug "$ns_kea" k0
plug "$ns_bios" eth0 "$mac_bios"
plug "$ns_uefi" eth0 "$mac_uefi"
ip -n "$ns_srv" addr add 192.168.1.70/24 brd + dev ens33
ip -n "$ns_kea" addr add 192.168.1.1/24 brd + dev k0

# Kea: our own instance on our own config, in its namespace only (never its system service).
cat >"$work/kea.json" <<KEA
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "k0" ], "dhcp-socket-type": "raw" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$work/kea.leases", "lfc-interval": 0 },
  "valid-lifetime": 3600,
  "subnet4": [ { "subnet": "192.168.1.0/24", "pools": [ { "pool": "192.168.1.100 - 192.168.1.150" } ],
                 "option-data": [ { "name": "routers", "data": "192.168.1.254" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$work/kea.log" } ], "severity": "INFO" } ]
} }
KEA
KEA_PIDFILE_DIR=$work KEA_LOCKFILE_DIR=$work ip netns exec "$ns_kea" kea-dhcp4 -c "$work/kea.json" \
  >"$work/kea.out" 2>&1 &
pids+=($!)

cat >"$work/proxy.conf" <<CONF
interface=ens33
dhcp-range=192.168.1.0,proxy
pxe-service=x86PC,"Install Linux",pxelinux
pxe-service=X86-64_EFI,"UEFI boot",bootx64.efi
dhcp-leasefile=$work/pxemasq.leases
log-dhcp
CONF
: >"$work/pxemasq.leases"
ip netns exec "$ns_srv" "$pxemasq" -d -C "$work/proxy.conf" >"$work/pxemasq.log" 2>&1 &
pids+=($!)

listening() { ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q ":$2"; }
check "pxemasq listens on 67" wait_until 100 listening "$ns_srv" 67
check "pxemasq listens on 4011 (proxy config)" wait_until 100 listening "$ns_srv" 4011
check "kea-dhcp4 listens on 67" wait_until 150 listening "$ns_kea" 67

for kind in bios uefi; do
  ns=$ns_bios mac=$mac_bios
  [[ $kind == uefi ]] && ns=$ns_uefi mac=$mac_uefi
  timeout 30 ip netns exec "$ns" "$python" "$here/proxy_kea_client.py" "$kind" "$mac" eth0 "$server_mac" \
    >"$work/$kind.out" 2>&1 || true
  sed "s/^/  $kind: /" "$work/$kind.out"
done

b=$work/bios.out
u=$work/uefi.out
in_pool() { [[ $1 =~ ^192\.168\.1\.([0-9]+)$ ]] && ((BASH_REMATCH[1] >= 100 && BASH_REMATCH[1] <= 150)); }
eq() { [[ $1 == "$2" ]]; }

check "BIOS: flow completed" eq "$(fact "$b" result)" ok
check "BIOS: address from Kea's pool" in_pool "$(fact "$b" address)"
check "BIOS: the address OFFER came from Kea" eq "$(fact "$b" from)" 192.168.1.1
check "BIOS: the proxy OFFER came from pxemasq" eq "$(fact "$b" proxy_from)" 192.168.1.70
check "BIOS: the proxy OFFER carries the PXE menu (43) and PXEClient (60)" \
  bash -c "[[ '$(fact "$b" proxy_43)' == yes && '$(fact "$b" proxy_vendor)' == PXEClient ]]"
check "BIOS: the proxy OFFER has only 53,54,60,97,43" eq "$(fact "$b" proxy_options)" 53,54,60,97,43
check "BIOS: only Kea answered the REQUEST on 67" \
  bash -c "[[ '$(fact "$b" acks_on_67)' == 1 && '$(fact "$b" ack_from)' == 192.168.1.1 ]]"
check "BIOS: the menu names boot server 32768 at 192.168.1.70" \
  bash -c "[[ '$(fact "$b" menu_type)' == 32768 && '$(fact "$b" menu_server)' == 192.168.1.70 ]]"
check "BIOS: the boot-server ACK (port 4011) gives pxelinux.0" eq "$(fact "$b" boot_file)" pxelinux.0
check "BIOS: ... from 192.168.1.70:4011 to the client's port 68" \
  bash -c "[[ '$(fact "$b" boot_from)' == 192.168.1.70:4011 && '$(fact "$b" boot_to)' == '$(fact "$b" address):68' ]]"
check "BIOS: ... with yiaddr = the Kea address and siaddr = pxemasq" \
  bash -c "[[ '$(fact "$b" boot_yiaddr)' == '$(fact "$b" address)' && '$(fact "$b" boot_siaddr)' == 192.168.1.70 ]]"

check "UEFI: flow completed" eq "$(fact "$u" result)" ok
check "UEFI: address from Kea's pool" in_pool "$(fact "$u" address)"
check "UEFI: the proxy OFFER sends it to us (siaddr 192.168.1.70), broadcast, no menu" \
  bash -c "[[ '$(fact "$u" proxy_siaddr)' == 192.168.1.70 && '$(fact "$u" proxy_43)' == no && '$(fact "$u" proxy_broadcast)' == 1 ]]"
check "UEFI: the REQUEST on 4011 is answered with bootx64.efi" eq "$(fact "$u" boot_file)" bootx64.efi
check "UEFI: ... an ACK from 192.168.1.70:4011 back to the client's 4011" \
  bash -c "[[ '$(fact "$u" boot_type)' == 5 && '$(fact "$u" boot_from)' == 192.168.1.70:4011 && '$(fact "$u" boot_to)' == '$(fact "$u" address):4011' ]]"
check "UEFI: ... sname = 192.168.1.70, yiaddr 0" \
  bash -c "[[ '$(fact "$u" boot_sname)' == 192.168.1.70 && '$(fact "$u" boot_yiaddr)' == 0.0.0.0 ]]"

check "pxemasq logged the proxy replies" grep -q "PXE(ens33) $mac_bios proxy" "$work/pxemasq.log"
check "pxemasq logged the boot-server ACK (PXE(IF) A MAC FILE)" \
  grep -qE "PXE\(ens33\) 192\.168\.1\.[0-9]+ $mac_bios pxelinux\.0" "$work/pxemasq.log"
check "pxemasq logged no DHCPOFFER/DHCPACK (it allocates nothing)" bash -c "! grep -qE 'DHCPOFFER|DHCPACK' '$work/pxemasq.log'"
check "pxemasq's lease file stays empty" bash -c "[[ ! -s '$work/pxemasq.leases' ]]"
check "Kea leased both clients" bash -c "grep -qi '$mac_bios' '$work/kea.leases' && grep -qi '$mac_uefi' '$work/kea.leases'"
check "pxemasq still running" kill -0 "${pids[1]}"

if ((failures)); then
  echo "--- pxemasq log"
  cat "$work/pxemasq.log"
  echo "--- kea log (tail)"
  tail -20 "$work/kea.log" 2>/dev/null || true
fi
echo "proxy_kea: $((checks - failures)) of $checks checks passed"
((failures == 0))
