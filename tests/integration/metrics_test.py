#!/usr/bin/env python3
"""/metrics under load (issue 8): the counters agree with what the clients saw.

The lab (namespaces made here, nothing outside them): a server namespace (`ens33`
192.168.1.70/24, routes to 10.16.0.0/16 and 10.17.0.0/16 via the client) running `pxemasq -d`
with three dhcp-ranges, enable-tftp, a tftp-root and `http-port=8080`; a client namespace (`eth0`
192.168.1.20/24 plus the relay addresses 10.16.0.1 and 10.17.0.1). Phases, each scraped with
curl from the client namespace while it runs and once after:

1. DHCP load: two dhcp_load generators (tests/bench/dhcp_load.cpp, raw DORA as relay agents,
   one per giaddr, so one per range) at the same time. During: every scrape parses, every
   counter only grows, a scrape lands mid-load. After: DISCOVERs, OFFERs, REQUESTs and ACKs
   equal what the generators sent and received, leases in use per range equal the ACKs each
   generator holds, the third range holds 0, nothing dropped.
2. TFTP: a tsize probe (RRQ, OACK, ERROR) and a missing file first; then, with nftables
   dropping 5 % of the DATA on arrival at the client and 5 % of the ACKs on arrival at the
   server (RRQ, OACK and ERROR are never dropped, so no client makes a duplicate transfer),
   CLIENTS concurrent RFC 7440 clients (blksize 1468, windowsize 8) fetch three files.
   During: transfers_running > 0 is seen. After: completed transfers, per-file transfers and
   bytes equal the clients' (every sha256 right), bytes sent >= the sum of the sizes,
   retransmitted blocks > 0 and timeouts > 0, size_probe = 1 and not counted per file,
   refused = 1.
3. HTTP: GETs (200), a range (206), a missing file (404) with curl; requests, responses and
   body bytes by status code equal what curl received, scrapes included.

Usage: metrics_test.py PATH/TO/pxemasq PATH/TO/dhcp_load [CLIENTS]
(root; exits 77 = skipped without ip, curl or nft)
"""

import collections
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

failures = []
checks = 0
SERVER = "192.168.1.70"
URL = f"http://{SERVER}:8080"
RANGES = {"10.16.0.10-10.16.3.250": "10.16.0.1", "10.17.0.10-10.17.3.250": "10.17.0.1"}
IDLE_RANGE = "192.168.1.100-192.168.1.150"


def check(name, ok, detail=""):
    global checks
    checks += 1
    print(("ok - " if ok else "FAIL - ") + name + ("" if ok or not detail else f": {detail}"), flush=True)
    if not ok:
        failures.append(name)


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, **kwargs)


SAMPLE = re.compile(r'^(pxemasq_[a-z0-9_]+)(\{.*\})? ([0-9.e+-]+)$')


def parse(text):
    """{(name, labels): value}; raises ValueError on a line that is not HELP, TYPE or a sample."""
    values = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"bad exposition line: {line!r}")
        values[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return values


class Scraper:
    """Every /metrics fetch goes through here, so the HTTP phase knows each response's bytes."""

    def __init__(self, ns):
        self.ns = ns
        self.count = 0
        self.bytes = 0
        self.history = []  # (phase, values)

    def scrape(self, phase=""):
        got = subprocess.run(["ip", "netns", "exec", self.ns, "curl", "-sS", "--max-time", "10", "-o", "-",
                              f"{URL}/metrics"], capture_output=True, timeout=30)
        if got.returncode != 0:
            raise RuntimeError(f"scrape failed: {got.stderr.decode(errors='replace')}")
        self.count += 1
        self.bytes += len(got.stdout)
        values = parse(got.stdout.decode())
        self.history.append((phase, values))
        return values


def get(values, name, labels=""):
    return values.get((name, labels), 0.0)


def counters_only_grow(history):
    """Names of counter series that went down between two consecutive scrapes."""
    bad = []
    for (_, before), (_, after) in zip(history, history[1:]):
        for key, value in before.items():
            if key[0].endswith("_total") and after.get(key, 0.0) < value:
                bad.append(f"{key}: {value} -> {after.get(key)}")
    return bad


TFTP_CLIENT = r'''
"""Concurrent RFC 7440 read clients in one select loop (blksize 1468, windowsize 8, tsize).
Prints one JSON line per client. Bounded by a deadline; after the last block it lingers,
answering resent final blocks, until 3 s of quiet (at most 15 s), so the server ends every
transfer it completed as completed."""
import hashlib, json, select, socket, struct, sys, time

server, limit, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
BLKSIZE, WINDOW = 1468, 8

class Client:
    def __init__(self, name):
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.setblocking(False)
        self.peer, self.next, self.in_window, self.gap_acked = None, 1, 0, False
        self.digest, self.bytes, self.done, self.error = hashlib.sha256(), 0, False, None
        self.heard = time.monotonic()
        body = struct.pack("!H", 1) + name.encode() + b"\0octet\0"
        for k, v in (("blksize", BLKSIZE), ("windowsize", WINDOW), ("tsize", 0)):
            body += k.encode() + b"\0" + str(v).encode() + b"\0"
        self.sock.sendto(body, (server, 69))

    def ack(self, block):
        self.sock.sendto(struct.pack("!HH", 4, block & 0xFFFF), self.peer)

    def on_packet(self, data, peer):
        self.peer = self.peer or peer
        self.heard = time.monotonic()
        op = struct.unpack("!H", data[:2])[0]
        if self.done:  # the final block again: our last ACK was lost
            if op == 3:
                self.sock.sendto(b"\0\4" + data[2:4], peer)
            return
        if op == 6:
            if self.next == 1:
                self.ack(0)
            return
        if op == 5:
            self.error, self.done = data[4:-1].decode("latin-1"), True
            return
        if op != 3:
            return
        if struct.unpack("!H", data[2:4])[0] == self.next & 0xFFFF:
            payload = data[4:]
            self.digest.update(payload)
            self.bytes += len(payload)
            self.next += 1
            self.in_window += 1
            self.gap_acked = False
            if len(payload) < BLKSIZE:
                self.ack(self.next - 1)
                self.done = True
            elif self.in_window >= WINDOW:
                self.ack(self.next - 1)
                self.in_window = 0
        elif not self.gap_acked:  # a gap or an old block: say where we are, once
            self.ack(self.next - 1)
            self.gap_acked, self.in_window = True, 0

clients = [Client(n) for n in names]
by_fd = {c.sock.fileno(): c for c in clients}
deadline = time.monotonic() + limit
quiet_since = None
while time.monotonic() < deadline:
    ready, _, _ = select.select([c.sock for c in clients], [], [], 0.1)
    for sock in ready:
        c = by_fd[sock.fileno()]
        for _ in range(64):
            try:
                data, peer = sock.recvfrom(65536)
            except BlockingIOError:
                break
            c.on_packet(data, peer)
    now = time.monotonic()
    for c in clients:
        if not c.done and now - c.heard >= 0.5:
            c.heard = now
            if c.peer is not None:
                c.ack(c.next - 1)
                c.in_window = 0
    if all(c.done for c in clients):
        last = max(c.heard for c in clients)
        if now - last >= 3 or quiet_since is not None and now - quiet_since >= 15:
            break
        quiet_since = quiet_since or now
for c in clients:
    print(json.dumps({"name": c.name, "done": c.done, "error": c.error, "bytes": c.bytes,
                      "sha256": c.digest.hexdigest()}))
'''

PROBE = r'''
"""A UEFI-style size probe: RRQ with tsize, read the OACK, answer ERROR 0; then a missing file."""
import socket, struct, sys
server = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(struct.pack("!H", 1) + sys.argv[2].encode() + b"\0octet\0tsize\0" + b"0\0", (server, 69))
data, peer = s.recvfrom(65536)
print("probe", struct.unpack("!H", data[:2])[0])
s.sendto(struct.pack("!HH", 5, 0) + b"size probe\0", peer)
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.settimeout(5)
m.sendto(struct.pack("!H", 1) + b"no-such-file.bin\0octet\0", (server, 69))
data, _ = m.recvfrom(65536)
print("missing", struct.unpack("!HH", data[:4])[0], struct.unpack("!HH", data[:4])[1])
'''


def dhcp_phase(lab, scraper, dhcp_load, work):
    procs = {}
    for seed, (rng, giaddr) in enumerate(RANGES.items(), start=1):
        procs[rng] = subprocess.Popen(
            ["ip", "netns", "exec", lab.client, dhcp_load, "--server", SERVER, "--giaddr", giaddr, "--bind", giaddr,
             "--rate", "150", "--duration", "4", "--timeout", "3", "--mac-seed", str(seed)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    during = 0
    mid_load = False
    deadline = time.monotonic() + 60
    while any(p.poll() is None for p in procs.values()) and time.monotonic() < deadline:
        values = scraper.scrape("dhcp")
        during += 1
        acks = get(values, "pxemasq_dhcp_replies_total", '{type="ack"}')
        if acks > 0 and any(p.poll() is None for p in procs.values()):
            mid_load = True
        time.sleep(0.25)
    seen = {}
    for rng, p in procs.items():
        out, err = p.communicate(timeout=30)
        fields = dict(kv.split("=", 1) for kv in out.decode().split())
        seen[rng] = {k: float(v) for k, v in fields.items()}
        print(f"dhcp_load {RANGES[rng]}: {out.decode().strip()} {err.decode().strip()}", flush=True)
    check(f"DHCP: {during} scrapes while the load ran, one with ACKs counted mid-load", during >= 3 and mid_load)
    total_sent = sum(s["sent"] for s in seen.values())
    offers = sum(s["sent"] - s["no_offer"] for s in seen.values())
    acked = sum(s["completed"] for s in seen.values())
    late = sum(s["late"] for s in seen.values())
    check(f"DHCP: the generators got answers ({acked:.0f} ACKs of {total_sent:.0f} exchanges)",
          total_sent > 0 and acked >= 0.9 * total_sent, json.dumps(seen))
    time.sleep(0.5)  # anything still in flight has landed (the generators drained for --timeout)
    values = scraper.scrape("dhcp-after")
    exact = late == 0  # an answer that came after the generator gave up is in the server's count only
    discover = get(values, "pxemasq_dhcp_requests_total", '{type="discover"}')
    check(f"DHCP: DISCOVERs counted = sent ({total_sent:.0f})", discover == total_sent, f"{discover}")
    got_offers = get(values, "pxemasq_dhcp_replies_total", '{type="offer"}')
    check(f"DHCP: OFFERs counted = OFFERs the clients got ({offers:.0f})",
          got_offers == offers if exact else offers <= got_offers <= offers + late, f"{got_offers}")
    requests = get(values, "pxemasq_dhcp_requests_total", '{type="request"}')
    check(f"DHCP: REQUESTs counted = REQUESTs sent ({offers:.0f})", requests == offers, f"{requests}")
    got_acks = get(values, "pxemasq_dhcp_replies_total", '{type="ack"}')
    check(f"DHCP: ACKs counted = ACKs the clients hold ({acked:.0f})",
          got_acks == acked if exact else acked <= got_acks <= acked + late, f"{got_acks} late={late}")
    check("DHCP: no NAK", get(values, "pxemasq_dhcp_replies_total", '{type="nak"}') == 0)
    received = get(values, "pxemasq_dhcp_packets_received_total")
    check(f"DHCP: packets received = DISCOVERs + REQUESTs ({total_sent + offers:.0f})",
          received == total_sent + offers, f"{received}")
    check("DHCP: leases in use = ACKs", get(values, "pxemasq_dhcp_leases") == got_acks,
          f"{get(values, 'pxemasq_dhcp_leases')} vs {got_acks}")
    for rng, s in seen.items():
        in_use = get(values, "pxemasq_dhcp_range_leases", f'{{range="{rng}"}}')
        check(f"DHCP: range {rng} holds the leases its client got ({s['completed']:.0f})",
              in_use == s["completed"] if exact else s["completed"] <= in_use <= s["completed"] + s["late"],
              f"{in_use}")
    check(f"DHCP: the idle range {IDLE_RANGE} holds 0",
          (("pxemasq_dhcp_range_leases", f'{{range="{IDLE_RANGE}"}}') in values) and
          get(values, "pxemasq_dhcp_range_leases", f'{{range="{IDLE_RANGE}"}}') == 0)
    dropped = sum(v for (n, _), v in values.items() if n == "pxemasq_dhcp_dropped_total")
    check("DHCP: nothing dropped", dropped == 0, f"{dropped}")


def add_loss(lab):
    """5 % of DATA dropped on arrival at the client, 5 % of ACKs on arrival at the server."""
    rules = {lab.client: "udp sport != 69 @th,64,16 3", lab.server: "udp dport != 69 @th,64,16 4"}
    for ns, match in rules.items():
        run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=(
            "table inet pxemasq_metrics_loss {\n chain ingress {\n"
            "  type filter hook prerouting priority raw; policy accept;\n"
            f"  {match} numgen random mod 100 < 5 counter drop\n }}\n}}\n").encode())


def dropped_by_loss(ns):
    out = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "table", "inet", "pxemasq_metrics_loss"],
                         capture_output=True).stdout.decode()
    m = re.search(r"packets (\d+)", out)
    return int(m.group(1)) if m else 0


def tftp_phase(lab, scraper, work, root, files, clients):
    probe = subprocess.run(["ip", "netns", "exec", lab.client, "python3", "-c", PROBE, SERVER, "small.bin"],
                           capture_output=True, timeout=30)
    out = probe.stdout.decode()
    check("TFTP: the size probe got an OACK and the missing file ERROR 1", "probe 6" in out and "missing 5 1" in out,
          out + probe.stderr.decode())
    add_loss(lab)
    names = [name for name in files if name != "small.bin"]
    wanted = [names[i % len(names)] for i in range(clients)]
    proc = subprocess.Popen(["ip", "netns", "exec", lab.client, "python3", "-c", TFTP_CLIENT, SERVER, "240", *wanted],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    running_seen = 0
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        values = scraper.scrape("tftp")
        running_seen = max(running_seen, get(values, "pxemasq_tftp_transfers_running"))
        time.sleep(0.3)
    out, err = proc.communicate(timeout=60)
    results = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    good = [r for r in results if r["done"] and r["error"] is None and r["sha256"] == files[r["name"]][1]]
    check(f"TFTP: {len(good)} of {clients} lossy transfers complete with the right sha256", len(good) == clients,
          err.decode()[-500:] + str([r for r in results if r not in good])[:500])
    check(f"TFTP: transfers running seen during the load ({running_seen:.0f}, at most {clients})",
          0 < running_seen <= clients)
    print(f"loss: {dropped_by_loss(lab.client)} DATA dropped at the client, "
          f"{dropped_by_loss(lab.server)} ACKs dropped at the server", flush=True)
    values = {}
    for _ in range(40):  # the server ends a transfer when the last ACK arrives: wait for the last
        values = scraper.scrape("tftp-after")
        if get(values, "pxemasq_tftp_transfers_running") == 0:
            break
        time.sleep(0.5)
    check("TFTP: no transfer running after the clients", get(values, "pxemasq_tftp_transfers_running") == 0)
    total = lambda result: get(values, "pxemasq_tftp_transfers_total", f'{{result="{result}"}}')
    check(f"TFTP: started = the clients + the probe ({clients + 1})", total("started") == clients + 1,
          f"{total('started')}")
    check(f"TFTP: completed = the clients' ({len(good)})", total("completed") == len(good), f"{total('completed')}")
    check("TFTP: failed = the size probe only", total("failed") == 1, f"{total('failed')}")
    failures_by = {r: get(values, "pxemasq_tftp_transfer_failures_total", f'{{reason="{r}"}}')
                   for r in ("timeout", "client_error", "size_probe", "read_error")}
    check("TFTP: the failure is the size probe", failures_by == {"timeout": 0, "client_error": 0, "size_probe": 1,
                                                                 "read_error": 0}, str(failures_by))
    check("TFTP: the missing file refused once", get(values, "pxemasq_tftp_refused_total", '{reason="error"}') == 1)
    per_client = collections.Counter(r["name"] for r in good)
    client_bytes = collections.Counter()
    for r in good:
        client_bytes[r["name"]] += r["bytes"]
    for name, count in per_client.items():
        label = f'file="{root}/{name}"'
        done = get(values, "pxemasq_tftp_file_transfers_total", "{" + label + ',result="completed"}')
        failed = get(values, "pxemasq_tftp_file_transfers_total", "{" + label + ',result="failed"}')
        sent = get(values, "pxemasq_tftp_file_bytes_total", "{" + label + "}")
        check(f"TFTP: {name}: {count} transfers and {client_bytes[name]} bytes per file, as the clients saw",
              done == count and failed == 0 and sent == client_bytes[name] == count * len(files[name][0]),
              f"completed {done} failed {failed} bytes {sent}")
    probe_series = [k for k in values if k[0] == "pxemasq_tftp_file_transfers_total" and "small.bin" in k[1]]
    check("TFTP: the size probe is not counted per file", not probe_series, str(probe_series))
    other = get(values, "pxemasq_tftp_file_bytes_total", '{file="other"}')
    check("TFTP: nothing under file=\"other\" (3 files, bound 128)", other == 0, f"{other}")
    sizes = sum(len(files[r["name"]][0]) for r in good)
    sent = get(values, "pxemasq_tftp_bytes_sent_total")
    resent = get(values, "pxemasq_tftp_blocks_resent_total")
    timeouts = get(values, "pxemasq_tftp_timeouts_total")
    check(f"TFTP: blocks resent > 0 under loss ({resent:.0f})", resent > 0)
    check(f"TFTP: timeouts > 0 under loss ({timeouts:.0f})", timeouts > 0)
    check(f"TFTP: bytes sent ({sent:.0f}) >= the files' bytes ({sizes}) + some of the resent blocks",
          sent >= sizes + min(resent, 1) and sent <= sizes + resent * 1468, f"resent {resent}")
    bad = counters_only_grow([h for h in scraper.history if h[0].startswith("tftp")])
    check("TFTP: every counter only grew from scrape to scrape", not bad, "; ".join(bad[:5]))


def http_phase(lab, scraper, files):
    """Absolute checks: all HTTP traffic of the test is the scrapes and these fetches."""
    fetched = collections.Counter()
    body_bytes = collections.Counter()
    for name in ("a.bin", "b.bin", "small.bin", "a.bin"):
        got = subprocess.run(["ip", "netns", "exec", lab.client, "curl", "-sS", "--max-time", "30", "-o", "-",
                              f"{URL}/{name}"], capture_output=True, timeout=60)
        ok = got.returncode == 0 and hashlib.sha256(got.stdout).hexdigest() == files[name][1]
        check(f"HTTP: GET /{name}", ok, got.stderr.decode()[-200:])
        fetched[200] += 1
        body_bytes[200] += len(got.stdout)
    got = subprocess.run(["ip", "netns", "exec", lab.client, "curl", "-sS", "-r", "0-999", "-o", "-",
                          f"{URL}/b.bin"], capture_output=True, timeout=60)
    check("HTTP: a range of 1000 bytes", len(got.stdout) == 1000)
    fetched[206] += 1
    body_bytes[206] += len(got.stdout)
    got = subprocess.run(["ip", "netns", "exec", lab.client, "curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
                          f"{URL}/missing.bin"], capture_output=True, timeout=60)
    body, _, code = got.stdout.rpartition(b"\n")
    check("HTTP: a missing file is 404", code == b"404", code)
    fetched[404] += 1
    body_bytes[404] += len(body)
    # A scrape's own response is counted after its text is made: this one sees every earlier one.
    earlier_scrapes, earlier_scrape_bytes = scraper.count, scraper.bytes
    values = scraper.scrape("http")
    fetched[200] += earlier_scrapes
    body_bytes[200] += earlier_scrape_bytes
    for code, count in sorted(fetched.items()):
        label = f'{{code="{code}"}}'
        got_count = get(values, "pxemasq_http_responses_total", label)
        got_bytes = get(values, "pxemasq_http_response_bytes_total", label)
        check(f"HTTP: {code}: {count} responses and {body_bytes[code]} body bytes, as curl got them",
              got_count == count and got_bytes == body_bytes[code], f"{got_count} responses, {got_bytes} bytes")
    codes = sorted(int(k[1][7:-2]) for k in values if k[0] == "pxemasq_http_responses_total")
    check("HTTP: no other status code", codes == sorted(fetched), str(codes))
    requests = sum(fetched.values()) + 1  # this scrape's request and connection are counted already
    check(f"HTTP: requests = connections = {requests} (one curl each, this scrape included)",
          get(values, "pxemasq_http_requests_total") == requests and
          get(values, "pxemasq_http_connections_total") == requests,
          f"{get(values, 'pxemasq_http_requests_total')} / {get(values, 'pxemasq_http_connections_total')}")
    files_sent = body_bytes[200] - earlier_scrape_bytes + body_bytes[206]
    check(f"HTTP: file bytes sent = the GETs' and the range's ({files_sent})",
          get(values, "pxemasq_http_bytes_sent_total") == files_sent, f"{get(values, 'pxemasq_http_bytes_sent_total')}")


class Lab:
    def __init__(self):
        self.server = f"pxq-met-{os.getpid()}-s"
        self.client = f"pxq-met-{os.getpid()}-c"

    def __enter__(self):
        run(["ip", "netns", "add", self.server])
        run(["ip", "netns", "add", self.client])
        run(["ip", "-n", self.server, "link", "add", "ens33", "type", "veth", "peer", "name", "eth0",
             "netns", self.client])
        run(["ip", "-n", self.server, "addr", "add", "192.168.1.70/24", "dev", "ens33"])
        for address in ("192.168.1.20/24", "10.16.0.1/24", "10.17.0.1/24"):
            run(["ip", "-n", self.client, "addr", "add", address, "dev", "eth0"])
        for ns, dev in ((self.server, "ens33"), (self.server, "lo"), (self.client, "eth0"), (self.client, "lo")):
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        for net in ("10.16.0.0/16", "10.17.0.0/16"):
            run(["ip", "-n", self.server, "route", "add", net, "via", "192.168.1.20"])
        return self

    def __exit__(self, *exc):
        for ns in (self.client, self.server):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        return False


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        return 2
    pxemasq, dhcp_load = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    clients = int(sys.argv[3]) if len(sys.argv) == 4 else 12
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    for tool in ("ip", "curl", "nft"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed")
            return 77
    work = tempfile.mkdtemp(prefix="pxemasq-metrics.")
    os.chmod(work, 0o755)
    root = f"{work}/root"
    os.makedirs(root)
    files = {}
    for name, size in (("a.bin", 3 * 1024 * 1024 + 17), ("b.bin", 2 * 1024 * 1024), ("c.bin", 1468 * 300),
                       ("small.bin", 5000)):
        data = os.urandom(size)
        with open(f"{root}/{name}", "wb") as f:
            f.write(data)
        os.chmod(f"{root}/{name}", 0o644)
        files[name] = (data, hashlib.sha256(data).hexdigest())
    conf = f"{work}/pxemasq.conf"
    with open(conf, "w") as f:
        f.write("interface=ens33\nport=0\nno-ping\ndhcp-lease-max=10000\n"
                f"dhcp-leasefile={work}/leases\n"
                "dhcp-range=10.16.0.10,10.16.3.250,255.255.252.0,12h\n"
                "dhcp-range=10.17.0.10,10.17.3.250,255.255.252.0,12h\n"
                "dhcp-range=192.168.1.100,192.168.1.150,12h\n"
                f"enable-tftp\ntftp-root={root}\nhttp-port=8080\n")
    log_path = f"{work}/daemon.log"
    daemon = None
    try:
        with Lab() as lab:
            with open(log_path, "w") as log:
                daemon = subprocess.Popen(["ip", "netns", "exec", lab.server, pxemasq, "-d", "-C", conf],
                                          stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and "HTTP root is" not in open(log_path, errors="replace").read():
                time.sleep(0.1)
            log_text = open(log_path, errors="replace").read()
            check("the daemon serves HTTP", "HTTP root is" in log_text, log_text[-500:])
            if failures:
                return 1
            scraper = Scraper(lab.client)
            first = scraper.scrape("start")
            check("a scrape before any load parses, with the three ranges at 0",
                  all(get(first, "pxemasq_dhcp_range_leases", f'{{range="{r}"}}') == 0
                      for r in [*RANGES, IDLE_RANGE]) and
                  all(("pxemasq_dhcp_range_leases", f'{{range="{r}"}}') in first for r in [*RANGES, IDLE_RANGE]))
            dhcp_phase(lab, scraper, dhcp_load, work)
            bad = counters_only_grow(scraper.history)
            check("DHCP: every counter only grew from scrape to scrape", not bad, "; ".join(bad[:5]))
            tftp_phase(lab, scraper, work, root, files, clients)
            http_phase(lab, scraper, files)
            check("daemon still running", daemon.poll() is None)
            daemon.send_signal(signal.SIGTERM)
            check("SIGTERM: exit 0", daemon.wait(15) == 0)
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
        check("the test ran to its end", False, str(error))
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait(5)
        if failures:
            print("daemon log (last lines):")
            print("".join(open(log_path, errors="replace").readlines()[-15:]))
        if os.environ.get("PXQ_TEST_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    print(f"metrics: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
