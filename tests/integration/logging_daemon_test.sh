#!/bin/bash
# The daemon's own lines in the journal, from a real PXE-style boot in a namespace lab: pxemasq
# runs as a systemd service would see it (INVOCATION_ID set, stderr not a terminal, -k) on the
# seed config, with a journal socket of our own (a tmpfs on the journal's directory in a private
# mount namespace, tests/integration/logging_listener.py decoding the native protocol); busybox
# udhcpc gets a lease and tftp-hpa fetches bootx64.efi. Checked: the DHCPOFFER/DHCPACK entries
# carry PXEMASQ_MAC (the client's), PXEMASQ_IP (its lease), PXEMASQ_IFACE=ens33 and their
# MESSAGE_IDs, the TFTP "sent" entry PXEMASQ_IP and PXEMASQ_FILE, the start and exit lines
# theirs, every MESSAGE exactly the text pxemasq -d prints; nothing goes to stderr.
#
# The lab: two network namespaces joined by a veth pair (server `ens33` 192.168.1.70/24,
# client `eth0`), created here and removed at the end; nothing touches the host's network or
# its journal.
#
#   logging_daemon_test.sh PATH/TO/pxemasq     (root; exits 77 = skipped without the tools)
set -u
pxemasq=$(realpath "${1:?usage: $0 PATH/TO/pxemasq}")
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (namespaces)"; exit 77; fi
for tool in ip ss busybox tftp unshare; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
busybox --list | grep -qx udhcpc || { echo "SKIP: this busybox has no udhcpc"; exit 77; }
if [ -z "${PXEMASQ_LOGGING_MOUNT_NS:-}" ]; then
  exec unshare --mount --propagation private env PXEMASQ_LOGGING_MOUNT_NS=1 bash "$0" "$@"
fi

work=$(mktemp -d /tmp/pxemasq-logging-daemon.XXXXXX)
chmod 755 "$work"
ns_srv="pxq-log-$$-srv"
ns_cli="pxq-log-$$-cli"
mac=02:70:78:71:05:01
daemon=
listener=
cleanup() {
  if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; fi
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; fi
  ip netns del "$ns_srv" 2>/dev/null
  ip netns del "$ns_cli" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- daemon stderr:" >&2
  cat "$work/daemon.err" >&2 2>/dev/null
  exit 1
}
wait_until() {  # wait_until TRIES COMMAND...: every 0.1 s
  local tries=$1 i
  shift
  for ((i = 0; i < tries; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# The journal's directory, ours in this mount namespace. (A tmpfs over all of /run only where
# /run/systemd is missing; /run/netns is recreated in it for this namespace's `ip netns`.)
if [ -d /run/systemd ]; then
  mkdir -p /run/systemd/journal 2>/dev/null
  mount -t tmpfs tmpfs /run/systemd/journal || fail "tmpfs on /run/systemd/journal"
else
  mount -t tmpfs tmpfs /run || fail "tmpfs on /run"
  mkdir -p /run/systemd/journal /run/netns
fi

"$python" "$here/logging_listener.py" journal /run/systemd/journal/socket "$work/journal.jsonl" \
  --ready "$work/ready" --until "exiting on receipt of SIGTERM" --timeout 60 &
listener=$!
wait_until 100 test -e "$work/ready" || fail "journal listener did not start"

ip netns add "$ns_srv" && ip netns add "$ns_cli" || fail "ip netns add"
ip link add ens33 netns "$ns_srv" type veth peer name eth0 netns "$ns_cli" || fail "veth"
ip -n "$ns_cli" link set eth0 address "$mac"
ip -n "$ns_srv" addr add 192.168.1.70/24 dev ens33
for ns in "$ns_srv" "$ns_cli"; do
  ip -n "$ns" link set lo up
done
ip -n "$ns_srv" link set ens33 up
ip -n "$ns_cli" link set eth0 up

mkdir -p "$work/tftpboot"
head -c 200000 /dev/urandom >"$work/tftpboot/bootx64.efi"
chmod -R a+rX "$work/tftpboot"
sed -e "s|^tftp-root=.*|tftp-root=$work/tftpboot|" "$here/../lab/seed.conf" >"$work/pxemasq.conf"
cat >>"$work/pxemasq.conf" <<CONF
dhcp-leasefile=$work/pxemasq.leases
pid-file=$work/pxemasq.pid
user=root
CONF

# As systemd starts a service: INVOCATION_ID, stdio not a terminal, keep in the foreground.
ip netns exec "$ns_srv" env INVOCATION_ID=6c0de3b4a1f24c2e9d8b7a6f5e4d3c2b \
  "$pxemasq" -k -C "$work/pxemasq.conf" </dev/null >"$work/daemon.out" 2>"$work/daemon.err" &
daemon=$!
wait_until 50 bash -c "ip netns exec '$ns_srv' ss -Hlun 'sport = :67' | grep -q 67" ||
  fail "pxemasq is not listening on port 67"

cat >"$work/udhcpc.script" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip" >"$work/leased"
exit 0
SCRIPT
chmod +x "$work/udhcpc.script"
ip netns exec "$ns_cli" timeout 30 busybox udhcpc -f -q -n -i eth0 -t 5 -T 1 -A 1 \
  -s "$work/udhcpc.script" >"$work/udhcpc.out" 2>&1 || fail "udhcpc got no lease: $(cat "$work/udhcpc.out")"
leased=$(cat "$work/leased")
ip -n "$ns_cli" addr add "$leased/24" dev eth0
ip netns exec "$ns_cli" timeout 30 tftp -l -m octet 192.168.1.70 -c get bootx64.efi "$work/got" ||
  fail "tftp get failed"
cmp -s "$work/got" "$work/tftpboot/bootx64.efi" || fail "tftp: wrong content"
wait_until 50 grep -q '"MESSAGE": "sent ' "$work/journal.jsonl" || fail "no TFTP sent entry"
kill -TERM "$daemon"
wait "$daemon"
status=$?
daemon=
[ "$status" -eq 0 ] || fail "pxemasq exited $status"
wait "$listener" || fail "the journal never got the exit line"
listener=

"$python" - "$work" "$mac" "$leased" <<'PY' || fail "journal entries"
import json, sys
work, mac, ip = sys.argv[1:4]
failures = []
def check(condition, what):
    if not condition:
        failures.append(what)
entries = [json.loads(line) for line in open(work + "/journal.jsonl")]
def one(message, **fields):
    found = [e for e in entries if e.get("MESSAGE") == message]
    check(len(found) == 1, "%d entries %r; got %r" % (len(found), message, [e.get("MESSAGE") for e in entries]))
    for entry in found[:1]:
        for key, value in fields.items():
            check(entry.get(key) == value, "%r: %s=%r, want %r" % (message, key, entry.get(key), value))
        check(entry.get("SYSLOG_FACILITY") == "3", "%r: facility %r" % (message, entry.get("SYSLOG_FACILITY")))
def matching(suffix):
    return [e for e in entries if e.get("MESSAGE", "").endswith(suffix)]
# log-dhcp: "XID DHCPOFFER(ens33) IP MAC " (XID prefix, trailing space), as dnsmasq writes it.
for kind, event, message_id in (("DHCPOFFER", "dhcp_offer", "3d954aefe4c34eb99a9a3ea44bcae585"),
                                ("DHCPACK", "dhcp_ack", "88e451b46d174bd1a04a8d82104b6ccc")):
    found = matching(" %s(ens33) %s %s " % (kind, ip, mac))
    # udhcpc may repeat its DISCOVER while the conflict probe holds the OFFER: one or more.
    check(len(found) >= 1, "%s entry: %r" % (kind, [e.get("MESSAGE") for e in entries]))
    for entry in found:
        for key, value in (("SYSLOG_IDENTIFIER", "pxemasq-dhcp"), ("PRIORITY", "6"),
                           ("MESSAGE_ID", message_id), ("PXEMASQ_EVENT", event),
                           ("PXEMASQ_MAC", mac), ("PXEMASQ_IP", ip), ("PXEMASQ_IFACE", "ens33")):
            check(entry.get(key) == value, "%s: %s=%r, want %r" % (kind, key, entry.get(key), value))
one("sent %s/tftpboot/bootx64.efi to %s" % (work, ip), SYSLOG_IDENTIFIER="pxemasq-tftp",
    PRIORITY="6", MESSAGE_ID="c620081069ab42c9b321e81708c17cb7", PXEMASQ_EVENT="tftp_sent",
    PXEMASQ_IP=ip, PXEMASQ_FILE="%s/tftpboot/bootx64.efi" % work)
started = [e for e in entries if e.get("MESSAGE", "").startswith("started, version ")]
check(len(started) == 1 and started[0].get("MESSAGE_ID") == "23df1fbc45f04f139bdc372bdfe6ee07"
      and started[0].get("SYSLOG_IDENTIFIER") == "pxemasq", "started entry %r" % started)
one("exiting on receipt of SIGTERM", SYSLOG_IDENTIFIER="pxemasq",
    MESSAGE_ID="658d8d4e8d7542b5a23a17924a06910d")
one("DHCP, IP range 192.168.1.230 -- 192.168.1.250, lease time 12h", SYSLOG_IDENTIFIER="pxemasq-dhcp")
for message in failures:
    print("FAIL:", message, file=sys.stderr)
print("%d journal entries from the daemon" % len(entries))
sys.exit(1 if failures else 0)
PY
[ ! -s "$work/daemon.err" ] || fail "the daemon wrote to stderr (expected the journal only)"
echo "PASS: the daemon's DHCP and TFTP lines reach the journal with their fields"
