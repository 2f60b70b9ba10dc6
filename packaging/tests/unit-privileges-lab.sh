#!/usr/bin/env bash
# The privilege model of packaging/systemd/pxemasq.service without systemd: pxemasq runs as an
# unprivileged user (nobody) with exactly the unit's ambient/bounding capabilities
# (CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_NET_ADMIN), no_new_privs, and the unit's command line
# (--keep-in-foreground --conf-file=... --pid-file=...), on a conf-dir layout like
# /etc/pxemasq. Two network namespaces joined by a veth pair; a real DHCP client (busybox
# udhcpc) must get a lease and the lease must be in the file; with TFTP served, busybox tftp
# must fetch the boot file. On a host without SELinux the label self-check must print nothing.
# Needs root, ip and ss (iproute2), setpriv (util-linux), busybox with udhcpc and tftp; the
# top-level `run` script installs them. Registered in ctest as `unit_privileges` (integration).
# Every wait is bounded; the namespaces (unique per run) and the daemon (by PID) are removed on
# any exit.
# Usage: unit-privileges-lab.sh PATH/TO/pxemasq      exit 0 pass, 1 fail, 77 skipped
set -euo pipefail

pxemasq=$(realpath "$1")
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (network namespaces, setpriv)"; exit 77; }
for tool in ip ss setpriv busybox; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (packages: iproute2, util-linux, busybox)"; exit 77; }
done
for applet in udhcpc tftp; do
  busybox --list | grep -qx "$applet" || { echo "SKIP: this busybox has no $applet applet"; exit 77; }
done
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }

caps=net_bind_service,net_raw,net_admin
capspec="-all,+net_bind_service,+net_raw,+net_admin"
server_ns="pxemasq-priv-srv-$$"
client_ns="pxemasq-priv-cli-$$"
work=$(mktemp -d)
daemon_pid=""
tftp_note=""
# stop_daemon SIGNAL: send it, wait at most 5 s for the exit, then SIGKILL; sets daemon_rc.
daemon_rc=""
stop_daemon() {
  local signal=$1
  [[ -n $daemon_pid ]] || return 0
  kill "-$signal" "$daemon_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$daemon_pid" 2>/dev/null; then
    echo "daemon still running 5 s after SIG$signal: SIGKILL"
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  daemon_rc=0
  wait "$daemon_pid" 2>/dev/null || daemon_rc=$?
  daemon_pid=""
}
cleanup() {
  stop_daemon TERM
  ip netns del "$server_ns" 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP   # ctest's timeout: still clean up
fail() { echo "FAIL: $*"; echo "--- daemon log"; cat "$work/daemon.log" 2>/dev/null; exit 1; }

ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add ens33 netns "$server_ns" type veth peer name eth0 netns "$client_ns"
ip -n "$server_ns" addr add 192.168.1.70/24 dev ens33
ip -n "$server_ns" link set ens33 up
ip -n "$server_ns" link set lo up
ip -n "$client_ns" link set eth0 address 52:54:00:aa:bb:cc
ip -n "$client_ns" link set eth0 up

# /etc/pxemasq-like tree (root-owned, world-readable), state dir owned by the service user
mkdir -p "$work/etc/conf.d" "$work/state" "$work/run" "$work/tftpboot"
printf 'loader\n' >"$work/tftpboot/bootx64.efi"
printf 'conf-dir=%s/etc/conf.d,*.conf\n' "$work" >"$work/etc/pxemasq.conf"
cat >"$work/etc/conf.d/seed.conf" <<CONF
dhcp-range=192.168.1.230,192.168.1.250,255.255.255.0,12h
interface=ens33
dhcp-option=3,192.168.1.254
dhcp-option=6,192.168.1.24
enable-tftp
tftp-root=$work/tftpboot
dhcp-boot=bootx64.efi
log-dhcp
dhcp-leasefile=$work/state/pxemasq.leases
CONF
printf 'bogus\n' >"$work/etc/conf.d/seed.conf.rpmnew"   # must not be read
chmod -R a+rX "$work"
chown nobody "$work/state" "$work/run"
chmod 0750 "$work/state"

# ip netns exec and setpriv both exec, so $! is the daemon itself
ip netns exec "$server_ns" setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
  --inh-caps="$capspec" --ambient-caps="$capspec" --bounding-set="$capspec" \
  --no-new-privs \
  "$pxemasq" --keep-in-foreground --conf-file="$work/etc/pxemasq.conf" \
  --pid-file="$work/run/pxemasq.pid" --log-facility=- >"$work/daemon.log" 2>&1 &
daemon_pid=$!
# Up to 10 s for the daemon to bind port 67 (a loaded CI machine is slow to start it).
for _ in $(seq 1 100); do
  kill -0 "$daemon_pid" 2>/dev/null || break
  ip netns exec "$server_ns" ss -Hnlu 'sport = :67' 2>/dev/null | grep -q . && break
  sleep 0.1
done
kill -0 "$daemon_pid" 2>/dev/null || fail "daemon exited at start-up"
ip netns exec "$server_ns" ss -Hnlu 'sport = :67' | grep -q . || fail "nothing bound UDP 67 within 10 s"

status=$(grep -E '^(Uid|CapEff|CapBnd|CapAmb|NoNewPrivs):' "/proc/$daemon_pid/status" | tr -s '\t' ' ')
echo "$status"
grep -q "^Uid: $(id -u nobody) " <<<"$status" || fail "not running as nobody"
grep -q '^CapEff: 0000000000003400$' <<<"$status" || fail "effective capabilities are not exactly $caps"
grep -q '^NoNewPrivs: 1$' <<<"$status" || fail "no_new_privs not set"

if ! ip netns exec "$client_ns" timeout 10 busybox udhcpc -i eth0 -n -q -f -s /bin/true \
  >"$work/client.log" 2>&1; then
  cat "$work/client.log"
  fail "the client got no lease"
fi
grep -q 'lease of 192.168.1.2' "$work/client.log" || fail "unexpected client output: $(cat "$work/client.log")"
# The ACK leaves once the lease is in the journal (PATH.journal); the dnsmasq-format file follows
# within 0.5 s. Poll it for up to 3 s.
lease_found=""
for _ in $(seq 1 30); do
  if grep -q ' 52:54:00:aa:bb:cc 192.168.1.2' "$work/state/pxemasq.leases" 2>/dev/null; then lease_found=1; break; fi
  sleep 0.1
done
[[ -n $lease_found ]] || fail "lease not in the lease file"

# TFTP through the daemon's own port 69 and a transfer socket (only when this build serves TFTP)
if grep -q 'TFTP root is' "$work/daemon.log"; then
  ip -n "$client_ns" addr add 192.168.1.50/24 dev eth0
  (cd "$work" && ip netns exec "$client_ns" timeout 10 busybox tftp -g -r bootx64.efi -l fetched.efi \
    192.168.1.70) || fail "TFTP fetch of bootx64.efi failed"
  cmp -s "$work/fetched.efi" "$work/tftpboot/bootx64.efi" || fail "TFTP fetched the wrong content"
  tftp_note=", and sent bootx64.efi by TFTP"
fi

# SELinux is not enabled here (no /sys/fs/selinux): the label self-check must stay silent.
if [[ ! -e /sys/fs/selinux/enforce ]] && grep -q 'SELinux' "$work/daemon.log"; then
  fail "SELinux warnings on a host without SELinux"
fi

stop_daemon TERM
[[ $daemon_rc -eq 0 ]] || fail "exit status $daemon_rc after SIGTERM"
echo "PASS: unprivileged pxemasq with $caps served a $(grep -o 'lease of [0-9.]*' "$work/client.log")${tftp_note:-}"
