#!/usr/bin/env bash
# Malformed DHCP traffic at the running daemon (issue 3, Acceptance "Hostile input").
#
# pxemasq runs the seed config (plus `log-debug`) on `ens33` 192.168.1.70/24 in a server
# namespace; a python3 stdlib sender in a client namespace fires a corpus at 0.0.0.0:67, by
# broadcast from 0.0.0.0:68 and by unicast from an address of its own:
#   truncated headers (< 236 bytes), op != 1, bad magic cookie with option 53, option length past
#   the end, option 52 pointing at garbage file/sname, hlen 17/255, htype 0, zero-length PRL,
#   300 options (RFC 3396 joins), a 40 KB datagram, odd values of 50/51/54/57/61/81/82/93/118,
#   unknown message types, every message type with broken fields, then seeded random bytes:
#   pure noise, a valid header with random options, and valid packets with random byte flips
#   (bounded counts; the client identity fields are left alone so the random part cannot take
#   the whole 21-address pool, see the starvation check at the end).
# Then: the daemon is still running, a good client (udhcpc) is served right after with the seed
# values, the lease file is still in dnsmasq's format, and SIGTERM still exits 0.
# Drops: the sender knows how many packets the header rules (spec §4.1) must drop; if the
# daemon prints a line per dropped packet at debug level, their count is checked against that.
# If it prints none, that is reported (a note, not a failure).
# Last, pool starvation by spoofed DISCOVERs (more MACs than the pool holds): dnsmasq keeps no
# offer state, so a real client still gets an OFFER; pxemasq's offer hold must not lock it out.
#
# Usage: dhcp_hostile_test.sh PATH/TO/pxemasq     (root; exits 77 = skipped otherwise)
# Environment: DHCP_HOSTILE_SEED (random corpus seed, default 20240603); PXQ_TEST_KEEP=1 keeps
# the work directory (daemon log, lease file).
set -euo pipefail

pxemasq=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seed_conf="$here/../lab/seed.conf"
random_seed=${DHCP_HOSTILE_SEED:-20240603}
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (network namespaces)"
  exit 77
fi
for tool in ip ss python3 busybox; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (packages: iproute2, python3, busybox)"
    exit 77
  fi
done
IP=$(command -v ip)

suffix=$$
ns_srv="pxq-ho-$suffix-srv"
ns_cli="pxq-ho-$suffix-cli"
work=$(mktemp -d /tmp/pxemasq-dhcp-hostile.XXXXXX)
daemon_pid=""

cleanup() {
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  ip netns del "$ns_srv" 2>/dev/null || true
  ip netns del "$ns_cli" 2>/dev/null || true
  if [[ -n ${PXQ_TEST_KEEP:-} ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=0
passes=0
check() {  # check DESCRIPTION COMMAND...
  local description=$1
  shift
  if "$@"; then
    echo "ok   - $description"
    passes=$((passes + 1))
  else
    echo "FAIL - $description"
    failures=$((failures + 1))
  fi
}
wait_until() {  # wait_until TENTHS COMMAND...
  local tries=$1 i
  shift
  for ((i = 0; i < tries; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

ip netns add "$ns_srv"
ip netns add "$ns_cli"
ip link add ens33 netns "$ns_srv" type veth peer name eth0 netns "$ns_cli"
ip -n "$ns_cli" link set eth0 address 02:70:78:71:02:01
ip -n "$ns_srv" addr add 192.168.1.70/24 brd + dev ens33
for ns in "$ns_srv" "$ns_cli"; do ip -n "$ns" link set lo up; done
ip -n "$ns_srv" link set ens33 up
ip -n "$ns_cli" link set eth0 up

mkdir -p "$work/tftpboot" "$work/state"
leases="$work/state/pxemasq.leases"
sed "s|^tftp-root=.*|tftp-root=$work/tftpboot|" "$seed_conf" >"$work/pxemasq.conf"
printf 'dhcp-leasefile=%s\nlog-debug\n' "$leases" >>"$work/pxemasq.conf"

ip netns exec "$ns_srv" "$pxemasq" -d -C "$work/pxemasq.conf" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
if ! wait_until 50 bash -c "ip netns exec '$ns_srv' ss -Hlun 'sport = :67' | grep -q 67"; then
  cat "$work/daemon.log"
  echo "FAIL - pxemasq did not bind port 67"
  exit 1
fi

cat >"$work/hostile.py" <<'PY'
import random, socket, struct, sys, time
mode, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
SERVER = socket.inet_aton("192.168.1.70")
MACS = [bytes([0x02, 0x70, 0x78, 0x71, 0x03, i]) for i in range(8)]

def header(op=1, htype=1, hlen=6, hops=0, xid=None, secs=0, flags=0x8000, ciaddr=b"\0" * 4,
           yiaddr=b"\0" * 4, siaddr=b"\0" * 4, giaddr=b"\0" * 4, chaddr=MACS[0], sname=b"", file=b"",
           cookie=0x63825363):
    xid = rng.randrange(1 << 32) if xid is None else xid
    return struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", op, htype, hlen, hops, xid, secs, flags,
                       ciaddr, yiaddr, siaddr, giaddr, chaddr.ljust(16, b"\0")[:16],
                       sname.ljust(64, b"\0")[:64], file.ljust(128, b"\0")[:128], cookie)

def opt(code, value):
    return bytes([code, len(value)]) + value

def msg(kind, *options, end=True, pad=True, **fields):
    body = header(**fields) + opt(53, bytes([kind])) + b"".join(options) + (b"\xff" if end else b"")
    return body.ljust(300, b"\0") if pad else body

def ip(text):
    return socket.inet_aton(text)

# (name, datagram, certain_drop): certain_drop = the spec §4.1 header rules drop it for sure.
corpus = []
def add(name, data, drop=False):
    corpus.append((name, data, drop))

good = msg(1, opt(55, bytes([1, 3, 6, 51, 54, 66, 67])))
for n in (0, 1, 4, 100, 200, 235):
    add("truncated-%d" % n, good[:n], True)
add("truncated-236-header-only", good[:236])
add("no-cookie-no-options-bootp", header(cookie=0))
for op in (0, 2, 3, 255):
    add("op-%d" % op, msg(1, op=op), True)
add("bad-cookie-with-53", msg(1, cookie=0x63825364), True)
add("zero-cookie-with-53", msg(1, cookie=0), True)
add("hlen-255", msg(1, hlen=255), True)
add("hlen-17", msg(1, hlen=17), True)
add("htype-0-hlen-6", msg(1, htype=0), True)
add("htype-0-hlen-0", msg(1, htype=0, hlen=0))
add("hlen-0-client-id", msg(1, opt(61, b"\x01" + MACS[1]), hlen=0))
add("option-length-past-end", msg(1, bytes([12, 200]) + b"abc", end=False, pad=False))
add("option-length-byte-missing", msg(1, bytes([12]), end=False, pad=False))
add("option-past-end-before-53", header() + bytes([55, 250, 1, 3]))
add("no-end-option", msg(1, opt(12, b"host"), end=False, pad=False))
for value in (1, 2, 3):
    add("overload-%d-garbage" % value, msg(1, opt(52, bytes([value])),
        sname=bytes(rng.randrange(256) for _ in range(64)),
        file=bytes(rng.randrange(256) for _ in range(128))))
add("overload-3-past-field-end", msg(1, opt(52, b"\x03"), sname=bytes([12, 200]) + b"x" * 62,
                                      file=bytes([60, 200]) + b"y" * 126))
add("overload-7", msg(1, opt(52, b"\x07"), file=opt(53, b"\x03") + b"\xff"))
add("overload-0-length", msg(1, opt(52, b"")))
add("overload-in-file", msg(1, opt(52, b"\x01"), file=opt(52, b"\x03") + opt(53, b"\x03") + b"\xff"))
add("overload-53-only-in-sname", header(sname=opt(53, b"\x01") + b"\xff") + opt(52, b"\x02") + b"\xff")
add("prl-zero-length", msg(1, opt(55, b"")))
add("prl-all-codes", msg(1, opt(55, bytes(range(255)))))
add("prl-0-and-255", msg(1, opt(55, b"\x00\xff\x00\xff")))
add("300-options", msg(1, *[opt(1 + i % 250 if 1 + i % 250 not in (52, 53) else 200, bytes([i % 256]))
                           for i in range(300)], pad=False))
add("300-options-len-0", msg(1, *[opt(100 + i % 100, b"") for i in range(300)], pad=False))
add("200-long-43", msg(1, *[opt(43, bytes([i % 256]) * 255) for i in range(160)], pad=False))
add("53-twice", msg(1, opt(53, b"\x03")))
add("53-length-2", header() + opt(53, b"\x01\x01") + b"\xff")
add("53-length-0", header() + opt(53, b"") + b"\xff")
for kind in (0, 2, 5, 6, 9, 13, 255):
    add("message-type-%d" % kind, msg(kind))
add("option-57-zero", msg(1, opt(57, b"\0\0")))
add("option-57-one-byte", msg(1, opt(57, b"\x05")))
add("option-57-max", msg(1, opt(57, b"\xff\xff"), opt(55, bytes(range(1, 255)))))
add("option-51-zero", msg(1, opt(51, b"\0\0\0\0")))
add("option-51-short", msg(1, opt(51, b"\x01")))
add("option-50-short", msg(1, opt(50, b"\xc0\xa8")))
add("option-50-broadcast", msg(1, opt(50, ip("255.255.255.255"))))
add("option-50-server", msg(1, opt(50, ip("192.168.1.70"))))
add("client-id-255", msg(1, opt(61, bytes(range(255)))))
add("client-id-empty", msg(1, opt(61, b"")))
add("hostname-binary", msg(1, opt(12, bytes(range(1, 255)))))
add("hostname-nul", msg(1, opt(12, b"\0\0\0")))
add("fqdn-short", msg(1, opt(81, b"\x01")))
add("fqdn-bad-labels", msg(1, opt(81, b"\x05\xff\xff" + bytes([63]) + b"a" * 10)))
add("fqdn-dns-encoded", msg(1, opt(81, b"\x04\x00\x00" + b"\x03abc\x00")))
add("relay-info-garbage", msg(1, opt(82, bytes([1, 200, 2, 3])), giaddr=ip("192.168.1.1")))
add("relay-info-subnet-sel", msg(1, opt(82, bytes([5, 4]) + ip("10.0.0.1"))))
add("subnet-selector-short", msg(1, opt(118, b"\x0a")))
add("subnet-selector-other", msg(1, opt(118, ip("10.9.9.9"))))
add("giaddr-offlink", msg(1, giaddr=ip("10.1.2.3")))
add("pxe-arch-1-byte", msg(1, opt(60, b"PXEClient:Arch:00007"), opt(93, b"\x07")))
add("pxe-uuid-short", msg(1, opt(60, b"PXEClient"), opt(97, b"\x00\x01")))
add("pxe-43-sub71", msg(3, opt(60, b"PXEClient"), opt(43, bytes([71, 4, 0x80, 0, 0x80, 0])),
                        ciaddr=ip("192.168.1.240")))
add("vendor-class-huge", msg(1, opt(60, b"A" * 255), opt(60, b"B" * 255), opt(77, b"\x00" * 255)))
add("request-selecting-zero-server", msg(3, opt(50, ip("192.168.1.240")), opt(54, b"\0\0\0\0")))
add("request-selecting-other-server", msg(3, opt(50, ip("192.168.1.240")), opt(54, ip("192.168.1.9"))))
add("request-init-reboot-offnet", msg(3, opt(50, ip("10.0.0.5"))))
add("request-renew-broadcast-ciaddr", msg(3, ciaddr=ip("255.255.255.255")))
add("request-renew-offnet", msg(3, ciaddr=ip("10.0.0.5")))
add("request-no-address", msg(3))
add("decline-no-50", msg(4, opt(54, SERVER)))
add("decline-offnet", msg(4, opt(54, SERVER), opt(50, ip("10.0.0.5"))))
add("release-unknown", msg(7, opt(54, SERVER), ciaddr=ip("192.168.1.249")))
add("release-no-server", msg(7, ciaddr=ip("192.168.1.249")))
add("inform-no-ciaddr", msg(8))
add("inform-server-address", msg(8, ciaddr=SERVER))
add("inform-offnet", msg(8, ciaddr=ip("10.0.0.5")))
add("bootp-no-cookie-options", header(cookie=0) + opt(12, b"x") + b"\xff")
add("bootp-53-no-cookie", header(cookie=0) + opt(53, b"\x01") + b"\xff", True)
add("huge-40k", msg(1, *[opt(224, b"z" * 255) for _ in range(157)], pad=False))

# Seeded random part.
def flip(data, count):
    data = bytearray(data)
    protected = set(range(1, 3)) | set(range(28, 44))  # htype, hlen, chaddr: identity stays bounded
    for _ in range(count):
        i = rng.randrange(len(data))
        if i not in protected:
            data[i] = rng.randrange(256)
    return bytes(data)

def certain_drop(data):
    return (len(data) < 236 or data[0] != 1 or data[2] > 16 or (data[1] == 0 and data[2] != 0))

templates = [good, msg(3, opt(50, ip("192.168.1.240")), opt(54, SERVER)), msg(3, ciaddr=ip("192.168.1.241")),
             msg(8, ciaddr=ip("192.168.1.242")), msg(4, opt(54, SERVER), opt(50, ip("192.168.1.243"))),
             msg(1, opt(60, b"PXEClient:Arch:00007:UNDI:003016"), opt(93, b"\x00\x07"),
                 opt(97, b"\x00" + bytes(16)), opt(55, bytes([1, 3, 43, 60, 66, 67, 97])))]
for i in range(1000):
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))
    add("random-%d" % i, data, certain_drop(data))
for i in range(1000):
    tail = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
    add("random-options-%d" % i, header(chaddr=MACS[i % 8]) + tail)
for i in range(1000):
    data = flip(templates[i % len(templates)][:], rng.randrange(1, 9))
    data = data[:28] + MACS[i % 8] + data[34:]
    add("mutated-%d" % i, data, certain_drop(data))

def sender(unicast):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.bind(("192.168.1.20" if unicast else "0.0.0.0", 68))
    return s

if mode == "corpus":
    broadcast, unicast = sender(False), sender(True)
    sent = drops = 0
    for n, (name, data, drop) in enumerate(corpus):
        for s, to in ((broadcast, "255.255.255.255"), (unicast, "192.168.1.70")):
            try:
                s.sendto(data, (to, 67))
            except OSError as e:
                print("send %s failed: %s" % (name, e))
                continue
            sent += 1
            drops += 1 if drop else 0
        if n % 25 == 0:
            time.sleep(0.01)  # let the daemon keep up: kernel queue drops are not what is tested
    print("corpus: %d datagrams sent (%d distinct), %d must be dropped by the header rules" %
          (sent, len(corpus), drops))
elif mode == "starve":
    # Spoofed DISCOVERs from more MACs than the 21-address pool, broadcast flag set.
    s = sender(False)
    for i in range(30):
        mac = bytes([0x02, 0x70, 0x78, 0x71, 0x04, i])
        s.sendto(msg(1, opt(55, bytes([1, 3, 6])), chaddr=mac), ("255.255.255.255", 67))
        time.sleep(0.005)
    print("starve: 30 spoofed DISCOVERs sent")
PY

echo "--- the corpus (seed $random_seed), broadcast and unicast"
ip -n "$ns_cli" addr add 192.168.1.20/24 dev eth0
ip netns exec "$ns_cli" timeout 60 python3 "$work/hostile.py" corpus "$random_seed" >"$work/corpus.out" 2>&1 ||
  { cat "$work/corpus.out"; echo "FAIL - the sender failed"; exit 1; }
cat "$work/corpus.out"
ip -n "$ns_cli" addr flush dev eth0
sleep 1  # the daemon drains its queue
check "pxemasq is still running after the corpus" kill -0 "$daemon_pid"

sent=$(sed -n 's/^corpus: \([0-9]*\) datagrams.*/\1/p' "$work/corpus.out")
must_drop=$(sed -n 's/.*, \([0-9]*\) must be dropped.*/\1/p' "$work/corpus.out")
drop_lines=$(grep -c 'dropped a DHCP packet' "$work/daemon.log" || true)
echo "drops: $must_drop datagrams must be dropped by the header rules; the daemon logged $drop_lines drop lines"
if ((drop_lines == 0)); then
  echo "NOTE - pxemasq printed no drop line with log-debug: dropped packets are not visible in the log"
else
  check "every header-rule drop is logged ($drop_lines >= $must_drop, <= $sent)" \
    test "$drop_lines" -ge "$must_drop" -a "$drop_lines" -le "$sent"
  echo "drop reasons:"
  sed -n 's/.*dropped a DHCP packet from [^:]*:[0-9]*: //p' "$work/daemon.log" | sort | uniq -c | sed 's/^/  /'
fi
echo "daemon warnings/errors during the corpus:"
grep -E 'warning|error|critical|Error' "$work/daemon.log" | sed 's/^[^:]*: [0-9]* //' | sort | uniq -c |
  sort -rn | head -n 12 | sed 's/^/  /' || true

# The good client, right after.
echo "--- a good client (udhcpc) right after"
cat >"$work/udhcpc.script" <<EOF
#!/bin/sh
env | grep -E '^(ip|subnet|router|dns|lease|boot_file|siaddr|serverid)=' | sort >"$work/udhcpc.\$1"
case \$1 in bound|renew) $IP addr replace "\$ip/\${mask:-24}" dev "\$interface" ;; esac
exit 0
EOF
chmod +x "$work/udhcpc.script"
good_client() {  # good_client MAC: prints "ip router dns lease boot_file siaddr" or "not bound"
  rm -f "$work"/udhcpc.bound
  ip -n "$ns_cli" addr flush dev eth0
  ip -n "$ns_cli" link set eth0 address "$1"
  ip netns exec "$ns_cli" timeout 20 busybox udhcpc -f -q -n -i eth0 -t 4 -T 1 \
    -s "$work/udhcpc.script" >"$work/udhcpc.out" 2>&1 || true
  if [[ -f $work/udhcpc.bound ]]; then
    local v
    for v in ip router dns lease boot_file siaddr; do sed -n "s/^$v=//p" "$work/udhcpc.bound"; done |
      tr '\n' ' ' | sed 's/ $//'
  else
    echo "not bound"
  fi
}
got=$(good_client 02:70:78:71:02:02)
echo "  udhcpc: $got"
check "the good client is served: address in range, router, DNS, 12h, bootx64.efi, siaddr" \
  bash -c "[[ '$got' =~ ^192\.168\.1\.(23[0-9]|24[0-9]|250)\ 192\.168\.1\.254\ 192\.168\.1\.24\ 43200\ bootx64\.efi\ 192\.168\.1\.70$ ]]"
check "pxemasq is still running" kill -0 "$daemon_pid"
check "the lease file is in dnsmasq's format" python3 - "$leases" <<'PY'
import re, sys
fmt = re.compile(r"^\d+ (?:[0-9a-f]{2}-)?[0-9a-f]{2}(?::[0-9a-f]{2})* \d+\.\d+\.\d+\.\d+ \S+ (?:\*|[0-9a-f]{2}(?::[0-9a-f]{2})*)$")
bad = [l for l in open(sys.argv[1]) if l.strip() and not fmt.match(l.rstrip("\n"))]
print("  lease file: %d lines, %d malformed %s" % (sum(1 for _ in open(sys.argv[1])), len(bad), bad[:3]))
sys.exit(1 if bad else 0)
PY

# Pool starvation by spoofed DISCOVERs.
echo "--- starvation: 30 spoofed DISCOVERs (the pool has 21 addresses), then a real client"
ip -n "$ns_cli" addr flush dev eth0
ip netns exec "$ns_cli" timeout 20 python3 "$work/hostile.py" starve "$random_seed"
got=$(good_client 02:70:78:71:02:03)
echo "  udhcpc: $got"
check "a real client is still served after a DISCOVER flood (dnsmasq would offer it an address)" \
  bash -c "[[ '$got' =~ ^192\.168\.1\. ]]"
check "pxemasq is still running" kill -0 "$daemon_pid"

kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
daemon_pid=""
check "pxemasq exits 0 on SIGTERM (status $status)" test "$status" -eq 0

echo "$passes passed, $failures failed"
((failures == 0)) || { tail -n 30 "$work/daemon.log" | sed 's/^/  /'; exit 1; }
