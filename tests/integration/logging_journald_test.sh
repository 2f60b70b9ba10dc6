#!/bin/bash
# The journald target on the real wire: inside a private mount namespace a tmpfs covers the
# journal's directory, tests/integration/logging_listener.py binds /run/systemd/journal/socket
# (the path sd_journal_sendv always uses) and decodes the native journal protocol; the driver
# (logging_driver, linking pxemasq_core) logs a PXE boot's lines with their structured fields.
# Lines logged without fields get them from their dnsmasq-form text (classify_log_line).
# Checked: the target choice from the real environment (INVOCATION_ID, JOURNAL_STREAM against
# fd 2's device:inode, the socket's presence), MESSAGE unchanged, PRIORITY, SYSLOG_IDENTIFIER,
# SYSLOG_FACILITY, MESSAGE_ID and the PXEMASQ_* fields of the DHCPACK and TFTP "sent" lines,
# a value with a newline (binary form), a 9 MB line (memfd), no line lost with log-async set
# (journald is written synchronously; the unit tests show the fields riding the log-async queue).
# Nothing outside the namespace is touched; the host's journal never sees these lines.
#
#   logging_journald_test.sh DRIVER
set -u
driver=${1:?usage: $0 DRIVER}
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (mount namespace)"; exit 77; fi
if [ -z "${PXEMASQ_LOGGING_MOUNT_NS:-}" ]; then
  exec unshare --mount --propagation private env PXEMASQ_LOGGING_MOUNT_NS=1 bash "$0" "$@"
fi

work=$(mktemp -d /tmp/pxemasq-logging-journald.XXXXXX)
listener=
cleanup() {
  if [ -n "$listener" ]; then kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Our own journal directory, in this mount namespace only.
if [ -d /run/systemd/journal ]; then
  mount -t tmpfs tmpfs /run/systemd/journal || fail "tmpfs on /run/systemd/journal"
else
  mount -t tmpfs tmpfs /run || fail "tmpfs on /run"
  mkdir -p /run/systemd/journal
fi
socket_path=/run/systemd/journal/socket

# start_listener NAME: a journal listener writing $work/NAME.jsonl until "end of boot".
start_listener() {
  rm -f "$work/ready"
  "$python" "$here/logging_listener.py" journal "$socket_path" "$work/$1.jsonl" \
    --ready "$work/ready" --until "end of boot" --timeout 20 &
  listener=$!
  for _ in $(seq 100); do [ -e "$work/ready" ] && return 0; sleep 0.05; done
  fail "listener did not start"
}
finish_listener() {
  wait "$listener" || fail "listener for $1 did not see the end of the boot"
  listener=
}

# 1. A service unit with StandardError=null: INVOCATION_ID, stderr not a terminal -> journald.
start_listener sync
INVOCATION_ID=5b1f0c3ad0e94b6c8a1e2f3a4b5c6d7e "$driver" auto --log \
  >"$work/sync.out" 2>"$work/sync.err" </dev/null || fail "driver (sync) failed: $(cat "$work/sync.err")"
finish_listener sync
grep -q 'target journald' "$work/sync.out" || fail "INVOCATION_ID: $(cat "$work/sync.out")"

# 2. stderr is the journal stream systemd names in JOURNAL_STREAM (device:inode of fd 2), with
#    log-async=5, facility local3, log-debug and a line too big for one datagram.
start_listener async
: >"$work/stream.err"
stream=$(stat -c '%d:%i' "$work/stream.err")
env -u INVOCATION_ID JOURNAL_STREAM="$stream" "$driver" auto --log --async 5 --facility local3 \
  --debug --big 9000000 >"$work/async.out" 2>>"$work/stream.err" </dev/null ||
  fail "driver (async) failed: $(cat "$work/stream.err")"
finish_listener async
grep -q 'target journald' "$work/async.out" || fail "JOURNAL_STREAM: $(cat "$work/async.out")"

# 3. Not a service: JOURNAL_STREAM of another file, no INVOCATION_ID -> syslog.
env -u INVOCATION_ID JOURNAL_STREAM="$stream" "$driver" auto 2>"$work/other.err" >"$work/other.out" </dev/null
grep -q 'target syslog' "$work/other.out" || fail "mismatched JOURNAL_STREAM: $(cat "$work/other.out")"
# 4. A service environment but no journal socket (e.g. a container) -> syslog.
rm -f "$socket_path"
INVOCATION_ID=5b1f0c3ad0e94b6c8a1e2f3a4b5c6d7e "$driver" auto >"$work/nosocket.out" 2>/dev/null </dev/null
grep -q 'target syslog' "$work/nosocket.out" || fail "no journal socket: $(cat "$work/nosocket.out")"

"$python" - "$work" <<'PY' || exit 1
import json, re, sys
work = sys.argv[1]
failures = []
def check(condition, what):
    if not condition:
        failures.append(what)

def entries(name):
    with open("%s/%s.jsonl" % (work, name)) as f:
        return [json.loads(line) for line in f]

def pid_of(name):
    with open("%s/%s.out" % (work, name)) as f:
        return re.search(r"pid (\d+)", f.read()).group(1)

# MESSAGE_IDs are an interface (man pxemasq(8)): a change must fail here.
ids = {"started": "23df1fbc45f04f139bdc372bdfe6ee07", "dhcp_ack": "88e451b46d174bd1a04a8d82104b6ccc",
       "tftp_sent": "c620081069ab42c9b321e81708c17cb7",
       "tftp_not_found": "3710d6af72db41a7bedbc869e08afe80",
       "generic": "8fda258f927b49d9a5f8c2b4f6ba3772"}

for run, facility, debug in (("sync", "3", False), ("async", "19", True)):
    got = entries(run)
    by_message = {e.get("MESSAGE"): e for e in got}
    def expect(message, fields, absent=()):
        entry = by_message.get(message)
        check(entry is not None, "%s: no entry %r; got %r" % (run, message, [e.get("MESSAGE", "")[:40] for e in got]))
        if entry is None:
            return
        for key, value in fields.items():
            check(entry.get(key) == value, "%s: %r: %s=%r, want %r" % (run, message, key, entry.get(key), value))
        for key in absent:
            check(key not in entry, "%s: %r: unexpected %s=%r" % (run, message, key, entry.get(key)))
    common = {"SYSLOG_FACILITY": facility}
    expect("DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56", dict(common, PRIORITY="6",
           SYSLOG_IDENTIFIER="pxemasq-dhcp", MESSAGE_ID=ids["dhcp_ack"], PXEMASQ_EVENT="dhcp_ack",
           PXEMASQ_MAC="52:54:00:12:34:56", PXEMASQ_IP="192.168.1.230", PXEMASQ_IFACE="ens33",
           PXEMASQ_FILE="bootx64.efi"))
    expect("sent /var/lib/tftpboot/bootx64.efi to 192.168.1.230", dict(common, PRIORITY="6",
           SYSLOG_IDENTIFIER="pxemasq-tftp", MESSAGE_ID=ids["tftp_sent"], PXEMASQ_EVENT="tftp_sent",
           PXEMASQ_IP="192.168.1.230", PXEMASQ_FILE="/var/lib/tftpboot/bootx64.efi"),
           absent=("PXEMASQ_MAC", "PXEMASQ_IFACE"))
    expect("file /var/lib/tftpboot/boot.cfg not found for 192.168.1.230", dict(common,
           PRIORITY="3", SYSLOG_IDENTIFIER="pxemasq-tftp", MESSAGE_ID=ids["tftp_not_found"]))
    expect("started, version 0.1.0 DNS disabled", dict(common, PRIORITY="6",
           SYSLOG_IDENTIFIER="pxemasq", MESSAGE_ID=ids["started"]))
    expect("two\nlines", dict(common, PRIORITY="4", MESSAGE_ID=ids["generic"],
           PXEMASQ_EVENT="generic"), absent=("PXEMASQ_MAC", "PXEMASQ_IP", "PXEMASQ_FILE"))
    expect("725372254 DHCPOFFER(ens33) 192.168.1.150 52:54:00:aa:bb:cc ", dict(common,
           SYSLOG_IDENTIFIER="pxemasq-dhcp", MESSAGE_ID="3d954aefe4c34eb99a9a3ea44bcae585",
           PXEMASQ_EVENT="dhcp_offer", PXEMASQ_MAC="52:54:00:aa:bb:cc", PXEMASQ_IP="192.168.1.150",
           PXEMASQ_IFACE="ens33"), absent=("PXEMASQ_FILE",))
    expect("file /srv/tftp/http://192.168.1.70/esxi8/b.b00 not found for 192.168.1.150 "
           "(requested as http://192.168.1.70/esxi8/b.b00)", dict(common, PRIORITY="3",
           MESSAGE_ID=ids["tftp_not_found"], PXEMASQ_IP="192.168.1.150",
           PXEMASQ_FILE="/srv/tftp/http://192.168.1.70/esxi8/b.b00"))
    check(("debug line" in by_message) == debug, "%s: debug line present=%s" % (run, not debug))
    if debug:
        check(by_message.get("debug line", {}).get("PRIORITY") == "7", "debug PRIORITY")
    # The order of the lines is kept (also through the log-async queue).
    order = [e.get("MESSAGE", "")[:12] for e in got]
    check(order[0].startswith("started") and order[-1] == "end of boot", "%s: order %r" % (run, order))

big = [e for e in entries("async") if e.get("MESSAGE", "").startswith("big ")]
check(len(big) == 1 and len(big[0]["MESSAGE"]) == 9000004, "big line: %r" % [len(e["MESSAGE"]) for e in big])
if big:
    print("big line arrived via", big[0]["_via"])
for message in failures:
    print("FAIL:", message, file=sys.stderr)
sys.exit(1 if failures else 0)
PY
echo "PASS: journald target (detection, fields, MESSAGE_IDs, binary form, big entries, log-async)"
