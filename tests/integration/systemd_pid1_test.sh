#!/usr/bin/env bash
# pxemasq under a real systemd as PID 1 (issue 5): `systemctl start / reload / stop` of the units
# we ship (packaging/systemd, unchanged but for ExecStart's path), Type=notify, User=pxemasq from
# sysusers.d, the hardening directives, socket activation through the shipped .socket units, and
# the journal — with real DHCP and TFTP clients.
#
# The container: systemd-nspawn --volatile=yes boots this machine's own /usr (read-only) on an
# empty tmpfs root, so no OS tree is downloaded; our unit files, the config, the TFTP tree and the
# binary are bind-mounted in. Its network is a namespace this test creates (nspawn joins it with
# --network-namespace-path): `ens33` 192.168.1.70/24, veth to a client namespace with `eth0`.
# Nothing touches the host's interfaces.
#
# Usage: systemd_pid1_test.sh PATH/TO/pxemasq    (root; exits 77 = skipped without
# systemd-nspawn, busybox, tftp). PXQ_TEST_KEEP=1 keeps the work directory.
set -euo pipefail

pxemasq=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
units="$here/../../packaging/systemd"

if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
for tool in ip systemd-nspawn nsenter busybox tftp; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (packages: systemd-container, util-linux, busybox, tftp-hpa)"
    exit 77
  fi
done

suffix=$$
ns_srv="pxq-sd-$suffix-s"
ns_cli="pxq-sd-$suffix-c"
machine="pxq-sd-$suffix"
work=$(mktemp -d /tmp/pxemasq-systemd.XXXXXX)
chmod 755 "$work"
nspawn_pid=""
leader=""
passed=0
failed=0

cleanup() {
  if [[ -n $nspawn_pid ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
    # Ask the container's systemd to power off, then make sure (by PID) it is gone.
    [[ -n $leader ]] && kill -s SIGRTMIN+4 "$leader" 2>/dev/null || true
    for _ in $(seq 1 75); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    # Killing the container's PID 1 ends every process of its PID namespace.
    [[ -n $leader ]] && kill -KILL "$leader" 2>/dev/null || true
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  ip netns del "$ns_cli" 2>/dev/null || true
  ip netns del "$ns_srv" 2>/dev/null || true
  if [[ ${PXQ_TEST_KEEP:-0} == 1 ]]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

check() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok - $name"
    passed=$((passed + 1))
  else
    echo "FAIL - $name"
    failed=$((failed + 1))
  fi
}

# Runs a command inside the container (all its namespaces).
inside() { nsenter -t "$leader" -a "$@"; }

wait_for() {  # wait_for SECONDS COMMAND...: polls every 0.2 s
  local limit=$(($1 * 5))
  shift
  for _ in $(seq 1 "$limit"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

# --- the lab network
ip netns add "$ns_srv"
ip netns add "$ns_cli"
ip -n "$ns_srv" link add ens33 type veth peer name eth0 netns "$ns_cli"
ip -n "$ns_srv" addr add 192.168.1.70/24 dev ens33
ip -n "$ns_srv" link set ens33 up
ip -n "$ns_srv" link set lo up
ip -n "$ns_cli" link set eth0 up
ip -n "$ns_cli" link set lo up

# --- what the container gets: our units (ExecStart pointed at the bind-mounted binary), config
mkdir -p "$work/etc-pxemasq/conf.d" "$work/tftp" "$work/dropin" "$work/bin"
cp "$pxemasq" "$work/bin/pxemasq"
chmod 755 "$work/bin" "$work/bin/pxemasq" "$work/tftp" "$work/etc-pxemasq" "$work/etc-pxemasq/conf.d"
head -c 300000 /dev/urandom >"$work/tftp/bootx64.efi"
chmod 644 "$work/tftp/bootx64.efi"
cp "$here/../../packaging/pxemasq.conf" "$work/etc-pxemasq/pxemasq.conf"
write_lab_config() {  # the seed's options on ens33, TFTP from /srv/tftp
  cat >"$work/etc-pxemasq/conf.d/lab.conf" <<EOF
dhcp-range=192.168.1.230,192.168.1.250,255.255.255.0,12h
interface=ens33
dhcp-option=3,192.168.1.254
enable-tftp
tftp-root=/srv/tftp
dhcp-boot=$1
log-dhcp
EOF
  chmod 644 "$work/etc-pxemasq/pxemasq.conf" "$work/etc-pxemasq/conf.d/lab.conf"
}
write_lab_config bootx64.efi
# Only the binary's path differs from the shipped unit.
sed 's|^ExecStart=/usr/sbin/pxemasq|ExecStart=/opt/pxemasq/pxemasq|' "$units/pxemasq.service" >"$work/pxemasq.service"

binds=(--bind-ro="$work/bin:/opt/pxemasq" --bind-ro="$work/etc-pxemasq:/etc/pxemasq"
       --bind-ro="$work/tftp:/srv/tftp"
       --bind-ro="$work/pxemasq.service:/etc/systemd/system/pxemasq.service"
       --bind-ro="$units/pxemasq.sysusers:/etc/sysusers.d/pxemasq.conf"
       --bind-ro="$units/pxemasq.tmpfiles:/etc/tmpfiles.d/pxemasq.conf")
for socket_unit in "$units"/*.socket; do
  binds+=(--bind-ro="$socket_unit:/etc/systemd/system/$(basename "$socket_unit")")
done

echo "--- booting systemd in a container (this machine's /usr, volatile root)"
systemd-nspawn --quiet --directory=/ --volatile=yes --boot --machine="$machine" --register=no \
  --keep-unit --console=passive --network-namespace-path="/run/netns/$ns_srv" --capability=CAP_NET_ADMIN \
  "${binds[@]}" \
  systemd.firstboot=off >"$work/console.log" 2>&1 &
nspawn_pid=$!
# The container's PID 1 is nspawn's child named systemd (an intermediate child exits early).
for _ in $(seq 1 100); do
  leader=$(ps -o pid=,comm= --ppid "$nspawn_pid" 2>/dev/null | awk '$2 == "systemd" { print $1; exit }' || true)
  [[ -n $leader ]] && break
  sleep 0.1
done
if [[ -z $leader ]]; then echo "FAIL - the container did not start"; cat "$work/console.log"; exit 1; fi

booted() { local state; state=$(inside systemctl is-system-running 2>/dev/null || true); [[ $state == running || $state == degraded ]]; }
if ! wait_for 120 booted; then
  echo "SKIP: systemd did not finish booting in the container here (state: $(inside systemctl is-system-running 2>&1 || true))"
  inside systemctl list-jobs --no-pager 2>&1 | head -20 || true
  exit 77
fi
echo "ok - systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) runs as PID 1 in the container"

udhcpc_report() {  # udhcpc_report MAC: one exchange, prints the report line
  ip -n "$ns_cli" link set eth0 down
  ip -n "$ns_cli" link set eth0 address "$1"
  ip -n "$ns_cli" addr flush dev eth0
  ip -n "$ns_cli" link set eth0 up
  ip netns exec "$ns_cli" timeout 30 busybox udhcpc -i eth0 -f -q -n -t 6 -T 1 \
    -s "$here/../lab/udhcpc-report.sh" 2>/dev/null | grep '^client: bound' || true
}
tftp_fetch() {  # tftp_fetch NAME DEST
  ip -n "$ns_cli" addr replace 192.168.1.99/24 dev eth0
  rm -f "$2"
  ip netns exec "$ns_cli" timeout 30 tftp -m binary 192.168.1.70 -c get "$1" "$2" && cmp -s "$2" "$work/tftp/$1"
}
service_property() { inside systemctl show -p "$1" --value pxemasq.service; }

# --- systemctl start: Type=notify returns once READY=1 arrived
check "systemctl start pxemasq (Type=notify: returns after READY=1)" inside timeout 60 systemctl start pxemasq.service
check "the service is active" inside systemctl is-active pxemasq.service
main_pid=$(service_property MainPID)
main_user=$(inside ps -o user= -p "$main_pid" 2>/dev/null | tr -d ' ' || true)
check "it runs as the sysusers.d user pxemasq (found: $main_user)" test "$main_user" = pxemasq
check "STATUS= shows the summary" bash -c "nsenter -t $leader -a systemctl show -p StatusText --value pxemasq.service | grep -q '^DHCP: 1 range'"
report=$(udhcpc_report 02:70:78:73:00:01)
echo "    $report"
check "a real client gets a lease from the systemd-managed daemon" grep -q 'ip=192.168.1.2[3-5][0-9]' <<<"$report"
check "with boot file bootx64.efi" grep -q 'boot_file=bootx64.efi ' <<<"$report"
check "TFTP serves bootx64.efi under ProtectSystem=strict" tftp_fetch bootx64.efi "$work/got1.efi"
# (the ACK leaves once the lease is in the journal; the dnsmasq-format file follows within 0.5 s)
check "the lease is in the StateDirectory" wait_for 5 nsenter -t "$leader" -a grep -q ' 02:70:78:73:00:01 ' /var/lib/pxemasq/pxemasq.leases
check "journald has the DHCPACK line" bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o cat | grep -q 'DHCPACK(ens33)'"
# The daemon writes native journal entries (not stderr lines): structured fields per event.
check "the journal entry of the DHCPACK carries PXEMASQ_MAC and PXEMASQ_IP" \
  bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o export PXEMASQ_MAC=02:70:78:73:00:01 | grep -q '^PXEMASQ_IP=192.168.1.2'"
check "with SYSLOG_IDENTIFIER=pxemasq-dhcp and a MESSAGE_ID" \
  bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o export SYSLOG_IDENTIFIER=pxemasq-dhcp PXEMASQ_MAC=02:70:78:73:00:01 | grep -q '^MESSAGE_ID='"
check "the TFTP entry carries PXEMASQ_FILE" \
  bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o export SYSLOG_IDENTIFIER=pxemasq-tftp | grep -q '^PXEMASQ_FILE=/srv/tftp/bootx64.efi'"

# --- systemctl reload: a new boot file, same process, lease kept
head -c 100000 /dev/urandom >"$work/tftp/grubx64.efi"
chmod 644 "$work/tftp/grubx64.efi"
write_lab_config grubx64.efi
check "systemctl reload pxemasq" inside timeout 30 systemctl reload pxemasq.service
wait_for 10 bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o cat | grep -q 'configuration reloaded'" || true
check "the main PID is unchanged by the reload" test "$(service_property MainPID)" = "$main_pid"
report=$(udhcpc_report 02:70:78:73:00:02)
echo "    $report"
check "after the reload the next client gets grubx64.efi" grep -q 'boot_file=grubx64.efi ' <<<"$report"
check "the first lease survived the reload" inside grep -q ' 02:70:78:73:00:01 ' /var/lib/pxemasq/pxemasq.leases

# --- systemctl stop: clean exit
check "systemctl stop pxemasq" inside timeout 30 systemctl stop pxemasq.service
check "it stopped with status 0 (Result=success)" test "$(service_property Result)" = success
check "the journal has 'exiting on receipt of SIGTERM'" bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o cat | grep -q 'exiting on receipt of SIGTERM'"

# --- socket activation through the shipped socket units: the first datagram starts the service
sockets=()
for socket_unit in "$units"/*.socket; do
  name=$(basename "$socket_unit")
  [[ $name == *@.socket ]] && continue
  sockets+=("$name")
done
check "systemctl start ${sockets[*]}" inside timeout 30 systemctl start "${sockets[@]}"
check "the service is not running before the first packet" bash -c "! nsenter -t $leader -a systemctl is-active -q pxemasq.service"
report=$(udhcpc_report 02:70:78:73:00:03)
echo "    $report"
check "a client's DISCOVER starts the service and gets a lease (socket activation)" grep -q 'ip=192.168.1.2[3-5][0-9]' <<<"$report"
check "the service was started by its socket and is active" inside systemctl is-active pxemasq.service
check "the daemon says it uses the passed socket" bash -c "nsenter -t $leader -a journalctl -u pxemasq.service --no-pager -o cat | grep -q 'using the socket passed by systemd'"
check "TFTP serves through the passed socket" tftp_fetch bootx64.efi "$work/got2.efi"
check "systemctl stop pxemasq.service ${sockets[*]}" inside timeout 30 systemctl stop pxemasq.service "${sockets[@]}"

if ((failed > 0)); then
  echo "--- journal of pxemasq.service"
  inside journalctl -u pxemasq.service --no-pager -o cat 2>&1 | tail -40 || true
fi
echo "systemd_pid1: $passed passed, $failed failed"
((failed == 0))
