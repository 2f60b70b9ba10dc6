#!/usr/bin/env bash
# TFTP under packet loss (issue 4's loss acceptance): 20 concurrent 32 MiB downloads with 5 %
# loss on the veth, every one complete with the right sha256.
#
# Two network namespaces created here, one veth pair (server `ens33` 192.168.1.70/24, client
# `eth0` 192.168.1.20/24); pxemasq -d in the server namespace serves a generated tftp-root.
# The loss: `tc qdisc ... netem loss 5%` on both ends of the veth where the kernel has sch_netem;
# otherwise (this CI's kernel has no netem) an nftables rule in each namespace's prerouting hook
# drops 5 % of the UDP datagrams arriving there (`numgen random mod 100 < 5`), which is loss on
# the wire as both sides see it: DATA towards the client and ACKs towards the server.
# The clients: one python process in the client namespace plays 20 RFC 7440 clients at once
# (blksize 1468, windowsize 8, tsize; an ACK at each window's end, an early ACK at a gap, the
# last ACK repeated after 0.5 s of silence or at a duplicate, the RRQ repeated until something
# answers), so what is measured is the server's recovery. atftp is not used: after a lost
# "extra ACK" it ignores every resent block until its own 5 s timeout, and 32 MiB then take
# more than 4 minutes at 5 % loss (lockstep clients take about as long: one timeout per lost
# block or ACK).
# Usage: tftp_loss_test.sh PATH/TO/pxemasq [CLIENTS] [MIB] [TIMEOUT-S]   (root; 77 = skipped
# without root, ip, python3, or both nft and tc netem)
set -euo pipefail

pxemasq=$(realpath "$1")
clients=${2:-20}
mib=${3:-32}
missing=()
limit=${4:-400}
for tool in ip python3 timeout; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ $(id -u) -ne 0 ]] || ((${#missing[@]})); then
  echo "SKIP: needs root and: ip python3; missing: ${missing[*]:-none}"
  exit 77
fi

suffix=$$
server_ns="pxq-tloss-$suffix-srv"
client_ns="pxq-tloss-$suffix-cli"
work=$(mktemp -d)
daemon_pid=""
server=192.168.1.70

cleanup() {
  if [[ -n $daemon_pid ]]; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  ip netns del "$server_ns" 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add ens33 netns "$server_ns" type veth peer name eth0 netns "$client_ns"
ip -n "$server_ns" addr add $server/24 brd + dev ens33
ip -n "$client_ns" addr add 192.168.1.20/24 brd + dev eth0
for link in lo ens33; do ip -n "$server_ns" link set "$link" up; done
for link in lo eth0; do ip -n "$client_ns" link set "$link" up; done

loss_kind=""
if ip netns exec "$server_ns" tc qdisc add dev ens33 root netem loss 5% 2>/dev/null &&
  ip netns exec "$client_ns" tc qdisc add dev eth0 root netem loss 5% 2>/dev/null; then
  loss_kind="tc netem loss 5% on both ends of the veth"
elif command -v nft >/dev/null 2>&1; then
  for ns in "$server_ns" "$client_ns"; do
    ip netns exec "$ns" nft -f - <<'EOF'
table inet pxemasq_loss {
  chain ingress {
    type filter hook prerouting priority raw; policy accept;
    meta l4proto udp numgen random mod 100 < 5 counter drop
  }
}
EOF
  done
  loss_kind="nftables: 5% of the UDP datagrams dropped on arrival in each namespace (no sch_netem)"
else
  echo "SKIP: neither tc netem nor nft can make the loss"
  exit 77
fi
echo "loss: $loss_kind"

mkdir -p "$work/root" "$work/out"
head -c $((mib << 20)) /dev/urandom >"$work/root/big.bin"
chmod -R a+rX "$work/root"
cat >"$work/pxemasq.conf" <<EOF
interface=ens33
enable-tftp
tftp-root=$work/root
EOF
ip netns exec "$server_ns" "$pxemasq" -d -C "$work/pxemasq.conf" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for ((i = 0; i < 100; i++)); do
  ip netns exec "$server_ns" ss -Hlun 'sport = :69' 2>/dev/null | grep -q . && break
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.1
done

cat >"$work/clients.py" <<'PY'
"""N concurrent RFC 7440 read clients over one select loop; prints one line per client and a
summary. Bounded: every loop has a deadline."""
import hashlib, select, socket, struct, sys, time

server, name, count, limit, expected_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
BLKSIZE, WINDOW = 1468, 8
with open(expected_path, "rb") as f:
    expected = hashlib.sha256(f.read()).hexdigest()
size = None

class Client:
    def __init__(self, index):
        self.index = index
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.setblocking(False)
        self.peer = None
        self.next = 1                # the next block wanted (64-bit count)
        self.in_window = 0
        self.nacked = False          # an early ACK was sent for the current gap
        self.digest = hashlib.sha256()
        self.bytes = 0
        self.done = False
        self.error = None
        self.tsize = None
        self.last_heard = time.monotonic()
        self.started = self.last_heard
        self.finished_at = None
        self.rrq()

    def rrq(self):
        body = struct.pack("!H", 1) + name.encode() + b"\0octet\0"
        for k, v in (("blksize", BLKSIZE), ("windowsize", WINDOW), ("tsize", 0)):
            body += k.encode() + b"\0" + str(v).encode() + b"\0"
        self.sock.sendto(body, (server, 69))

    def ack(self, block):
        self.sock.sendto(struct.pack("!HH", 4, block & 0xFFFF), self.peer)

    def on_packet(self, data, peer):
        if self.peer is None:
            self.peer = peer
        elif peer != self.peer:  # a second transfer from a repeated RRQ: stop it
            self.sock.sendto(struct.pack("!HH", 5, 5) + b"unknown transfer ID\0", peer)
            return
        self.last_heard = time.monotonic()
        op = struct.unpack("!H", data[:2])[0]
        if op == 6:  # OACK
            parts = data[2:].split(b"\0")
            opts = {parts[i].decode().lower(): parts[i + 1].decode() for i in range(0, len(parts) - 1, 2)}
            self.tsize = int(opts.get("tsize", "-1"))
            if self.next == 1:
                self.ack(0)
            return
        if op == 5:
            self.error = data[4:-1].decode("latin-1", "replace")
            self.done = True
            return
        if op != 3 or len(data) < 4:
            return
        wire = struct.unpack("!H", data[2:4])[0]
        if wire == self.next & 0xFFFF:
            payload = data[4:]
            self.digest.update(payload)
            self.bytes += len(payload)
            self.next += 1
            self.in_window += 1
            self.nacked = False
            if len(payload) < BLKSIZE:
                self.ack(self.next - 1)
                self.done = True
                self.finished_at = time.monotonic()
            elif self.in_window >= WINDOW:
                self.ack(self.next - 1)
                self.in_window = 0
            return
        # Out of order: a gap (future block) or a resend of blocks we have (our ACK was
        # lost). Either way tell the server where we are, once until the next good block.
        if not self.nacked:
            self.ack(self.next - 1)
            self.nacked = True
            self.in_window = 0

    def on_silence(self, now):
        if now - self.last_heard < 0.5:
            return
        self.last_heard = now
        if self.peer is None:
            self.rrq()
        else:
            self.ack(self.next - 1)
            self.in_window = 0

clients = [Client(i) for i in range(count)]
by_fd = {c.sock.fileno(): c for c in clients}
deadline = time.monotonic() + limit
while time.monotonic() < deadline and not all(c.done for c in clients):
    ready, _, _ = select.select([c.sock for c in clients if not c.done], [], [], 0.1)
    for sock in ready:
        c = by_fd[sock.fileno()]
        for _ in range(64):
            try:
                data, peer = sock.recvfrom(65536)
            except BlockingIOError:
                break
            c.on_packet(data, peer)
            if c.done:
                break
    now = time.monotonic()
    for c in clients:
        if not c.done:
            c.on_silence(now)
# Linger 2 s: a final ACK lost on the way makes the server resend the last block; answer it
# again so that the server ends the transfer as completed (a client that has left would make it
# wait for its give-up time).
linger = time.monotonic() + 2
while time.monotonic() < linger:
    ready, _, _ = select.select([c.sock for c in clients], [], [], 0.1)
    for sock in ready:
        c = by_fd[sock.fileno()]
        try:
            data, peer = sock.recvfrom(65536)
        except BlockingIOError:
            continue
        if c.done and c.peer == peer and data[:2] == b"\0\3":
            c.sock.sendto(b"\0\4" + data[2:4], peer)
ok = 0
slowest = 0.0
for c in clients:
    digest = c.digest.hexdigest()
    good = c.done and c.error is None and digest == expected
    took = (c.finished_at or time.monotonic()) - c.started
    slowest = max(slowest, took)
    ok += good
    print(f"client {c.index}: {'ok' if good else 'FAIL'} {c.bytes} bytes tsize {c.tsize} "
          f"sha256 {digest[:16]} in {took:.1f} s" + (f" error {c.error!r}" if c.error else ""))
print(f"summary: {ok} of {count} complete with the right sha256, slowest {slowest:.1f} s")
sys.exit(0 if ok == count else 1)
PY
status=0
ip netns exec "$client_ns" timeout $((limit + 30)) python3 "$work/clients.py" $server big.bin \
  "$clients" "$limit" "$work/root/big.bin" >"$work/clients.out" 2>&1 || status=$?
grep -v ": ok " "$work/clients.out" || true
failures=0
((status == 0)) || failures=1
for ns in "$server_ns" "$client_ns"; do
  dropped=$(ip netns exec "$ns" nft list ruleset 2>/dev/null | grep -o 'packets [0-9]*' | head -1 || true)
  echo "dropped on arrival in $ns: ${dropped:-n/a (netem)}"
done
for ((i = 0; i < 100; i++)); do  # the last lines follow the last ACK (bounded: 10 s)
  sent_lines=$(grep -c "pxemasq-tftp: sent $work/root/big.bin to" "$work/daemon.log" || true)
  ((sent_lines >= clients)) && break
  sleep 0.1
done
echo "clients $clients x $mib MiB: server logged $sent_lines 'sent' lines"
if ((sent_lines != clients)); then
  echo "FAIL - the server logged $sent_lines 'sent' lines for $clients transfers"
  grep -v ": sent " "$work/daemon.log" | head -20
  failures=$((failures + 1))
fi
((failures == 0))
