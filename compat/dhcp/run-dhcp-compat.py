#!/usr/bin/python3
"""Side-by-side DHCP compatibility harness: real dnsmasq and pxemasq, same config, same packets.

Usage: run-dhcp-compat.py [options] PXEMASQ [DNSMASQ]      (default DNSMASQ: /usr/sbin/dnsmasq)
  --only GLOB     run only the scenarios whose name matches GLOB (repeatable)
  --keep          keep the work directory (configs, logs, lease files) and print its path
  --verbose       print both daemons' whole normalised logs for every scenario

For each scenario in scenarios/*.json and for each daemon in turn: a fresh two-namespace lab
(server `ens33` 192.168.1.70/24, client `eth0`), the scenario's config plus the harness lines
(port=0, no-ping, log-dhcp, a lease file), the daemon started with -d, the scenario's packets
played as raw Ethernet frames on the client veth (built with scapy), the replies captured there
with a bounded receive loop, the daemon stopped with SIGTERM, its stderr kept. Then both runs are
compared field by field and line by line. See README.md next to this file.

Exit status: 0 all passed, 1 some failed, 2 usage error or dnsmasq missing, 77 skipped (not root,
no scapy, no `ip`).
"""

import difflib
import fnmatch
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # compat/harness.py
from harness import (  # noqa: E402  (after the sys.path line above)
    LIVE_NAMESPACES, LIVE_PROCESSES, catch_signals, cleanup_all, in_netns, listening_on,
    load_intended, load_scenarios, log_diff, parse_command_line, run_cmd, skip, stop_process)

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_DIR = os.path.join(HERE, "scenarios")
INTENDED_FILE = os.path.join(HERE, "intended-differences.tsv")

SERVER_MAC = "52:54:00:00:01:70"
SERVER_IP = "192.168.1.70"
RELAY_IP = "192.168.1.2"       # the relay's address on the server's link (relay labs)
RELAY_GIADDR = "10.0.5.1"      # the relay's address on the client subnet (giaddr)
DEFAULT_CLIENT_IF_MAC = "52:54:00:00:02:01"

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4

MESSAGE_TYPES = {"discover": 1, "offer": 2, "request": 3, "decline": 4, "ack": 5, "nak": 6,
                 "release": 7, "inform": 8}
TYPE_NAMES = {v: k for k, v in MESSAGE_TYPES.items()}

# How long a step listens. A reply ends the wait SETTLE seconds later (to catch duplicates).
WAIT_REPLY = 2.0
WAIT_NONE = 0.7
SETTLE = 0.25
READY_TIMEOUT = 5.0


class Lab:
    """Server namespace (ens33, 192.168.1.70/24) and client namespace (eth0), one veth pair.
    kind "relay": the client namespace is also a relay: eth0 has 192.168.1.2/24, lo has
    10.0.5.1/32 (the giaddr), and the server routes 10.0.5.0/24 via 192.168.1.2, so a reply to
    giaddr:67 comes back over the same veth and is captured there."""

    counter = 0

    def __init__(self, kind, client_if_mac):
        Lab.counter += 1
        tag = f"{os.getpid()}-{Lab.counter}"
        self.kind = kind
        self.server = f"pxq-dc-{tag}-s"
        self.client = f"pxq-dc-{tag}-c"
        self.client_if_mac = client_if_mac
        self.client_addresses = set()

    def __enter__(self):
        for name in (self.server, self.client):
            run_cmd(["ip", "netns", "add", name])
            LIVE_NAMESPACES.add(name)
            for knob in ("default", "all"):  # no IPv6 chatter on the wire
                run_cmd(["ip", "netns", "exec", name, "sysctl", "-qw",
                         f"net.ipv6.conf.{knob}.disable_ipv6=1"], check=False)
        run_cmd(["ip", "link", "add", "ens33", "netns", self.server, "address", SERVER_MAC,
                 "type", "veth", "peer", "name", "eth0", "netns", self.client,
                 "address", self.client_if_mac])
        run_cmd(["ip", "-n", self.server, "addr", "add", f"{SERVER_IP}/24", "brd", "+",
                 "dev", "ens33"])
        for ns, dev in ((self.server, "lo"), (self.server, "ens33"), (self.client, "lo"),
                        (self.client, "eth0")):
            run_cmd(["ip", "-n", ns, "link", "set", dev, "up"])
        run_cmd(["ip", "-n", self.client, "link", "set", "eth0", "promisc", "on"])
        if self.kind == "relay":
            self.add_client_address(RELAY_IP)
            run_cmd(["ip", "-n", self.client, "addr", "add", f"{RELAY_GIADDR}/32", "dev", "lo"])
            run_cmd(["ip", "-n", self.server, "route", "add", "10.0.5.0/24", "via", RELAY_IP])
        return self

    def add_client_address(self, address):
        if address in self.client_addresses:
            return
        run_cmd(["ip", "-n", self.client, "addr", "add", f"{address}/24", "dev", "eth0"])
        self.client_addresses.add(address)

    def __exit__(self, *exc):
        for name in (self.server, self.client):
            run_cmd(["ip", "netns", "del", name], check=False)
            LIVE_NAMESPACES.discard(name)
        return False


# ---------------------------------------------------------------------------------------------
# Packet building

def mac_bytes(text):
    parts = text.split(":")
    if len(parts) < 1 or any(len(p) != 2 for p in parts):
        raise ValueError(f"bad MAC {text!r}")
    return bytes(int(p, 16) for p in parts)


class MissingReference(Exception):
    pass


def resolve_ref(text, replies):
    """$STEP.FIELD -> bytes. FIELD: yiaddr, siaddr, ciaddr, giaddr, or option:N."""
    m = re.fullmatch(r"\$([A-Za-z0-9_-]+)\.(yiaddr|siaddr|ciaddr|giaddr|option:\d+)", text)
    if not m:
        raise ValueError(f"bad reference {text!r}")
    step, field = m.groups()
    got = replies.get(step)
    if not got:
        raise MissingReference(f"{text}: step {step} got no reply")
    first = got[0]
    if field.startswith("option:"):
        code = int(field[7:])
        value = first["_options"].get(code)
        if value is None:
            raise MissingReference(f"{text}: the reply has no option {code}")
        return value
    return socket.inet_aton(first[field])


def value_bytes(value, replies, code=None):
    """Scenario option value -> bytes (see README: value forms)."""
    if isinstance(value, bool):
        raise ValueError("booleans are not option values")
    if isinstance(value, int):
        return bytes([value])
    if isinstance(value, list):
        return bytes(value)
    if not isinstance(value, str):
        raise ValueError(f"bad option value {value!r}")
    if value.startswith("$"):
        return resolve_ref(value, replies)
    kind, _, rest = value.partition(":")
    if code == 53 and value in MESSAGE_TYPES:
        return bytes([MESSAGE_TYPES[value]])
    if kind == "hex":
        return bytes.fromhex(rest.replace(":", "").replace(" ", ""))
    if kind == "ip":
        return b"".join(socket.inet_aton(a.strip()) for a in rest.split(","))
    if kind in ("u8", "u16", "u32"):
        fmt = {"u8": "!B", "u16": "!H", "u32": "!I"}[kind]
        return b"".join(struct.pack(fmt, int(v, 0)) for v in rest.split(","))
    if kind == "fill":          # fill:COUNT:TEXT  -> TEXT repeated/truncated to COUNT bytes
        count, _, text = rest.partition(":")
        unit = text.encode() or b"x"
        return (unit * (int(count) // len(unit) + 1))[: int(count)]
    if kind == "text":
        return rest.encode()
    return value.encode()


def encode_options(options, replies):
    """[[code, value], ...] or {"code": value, ...} -> options bytes (no end). A value over 255
    bytes is split into several instances of the option (RFC 3396). The pseudo-code "raw"
    inserts its bytes as they are (pads, hand-made malformations)."""
    items = options.items() if isinstance(options, dict) else options
    out = bytearray()
    for code, value in items:
        if code == "raw":
            out += value_bytes(value, replies)
            continue
        code = int(code)
        data = value_bytes(value, replies, code)
        if not data:
            out += bytes([code, 0])
        while data:
            chunk, data = data[:255], data[255:]
            out += bytes([code, len(chunk)]) + chunk
    return bytes(out)


def address_field(value, replies):
    if value is None:
        return b"\0\0\0\0"
    if value.startswith("$"):
        return resolve_ref(value, replies)
    return socket.inet_aton(value)


def resolve_address(value, replies):
    return socket.inet_ntoa(address_field(value, replies))


def build_frame(pkt, replies, lab):
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw

    mac = pkt["mac"]
    chaddr = bytes.fromhex(pkt["chaddr"]) if "chaddr" in pkt else mac_bytes(mac)
    htype = pkt.get("htype", 1)
    hlen = pkt.get("hlen", len(chaddr) if "chaddr" not in pkt else len(chaddr))
    header = struct.pack("!BBBBIHH4s4s4s4s16s64s128s",
                         pkt.get("op", 1), htype, hlen, pkt.get("hops", 0), pkt["xid"],
                         pkt.get("secs", 0), pkt.get("flags", 0),
                         address_field(pkt.get("ciaddr"), replies),
                         address_field(pkt.get("yiaddr"), replies),
                         address_field(pkt.get("siaddr"), replies),
                         address_field(pkt.get("giaddr"), replies),
                         chaddr.ljust(16, b"\0"),
                         pkt.get("sname", "").encode().ljust(64, b"\0"),
                         pkt.get("file", "").encode().ljust(128, b"\0"))
    body = b""
    if pkt.get("cookie", True):
        body += b"\x63\x82\x53\x63"
    body += encode_options(pkt.get("options", []), replies)
    if pkt.get("end", True):
        body += b"\xff"
    payload = (header + body).ljust(pkt.get("pad_to", 300), b"\0")

    src = resolve_address(pkt.get("src", "0.0.0.0"), replies)
    dst = resolve_address(pkt.get("dst", "255.255.255.255"), replies)
    eth_dst = pkt.get("eth_dst", "ff:ff:ff:ff:ff:ff" if dst == "255.255.255.255" else "server")
    eth_dst = SERVER_MAC if eth_dst == "server" else eth_dst
    eth_src = pkt.get("eth_src", "client-if" if lab.kind == "relay" else mac)
    eth_src = lab.client_if_mac if eth_src == "client-if" else eth_src
    frame = (Ether(src=eth_src, dst=eth_dst) /
             IP(src=src, dst=dst, ttl=pkt.get("ttl", 64), tos=pkt.get("tos", 0)) /
             UDP(sport=pkt.get("sport", 68), dport=pkt.get("dport", 67)) / Raw(payload))
    return bytes(frame), pkt["xid"], src


# ---------------------------------------------------------------------------------------------
# Reply parsing: every field the comparison looks at, as display strings.

def hexs(data):
    return data.hex()


def text_or_hex(field):
    """A header sname/file: the text up to the first NUL, plus hex of anything after it."""
    text, _, rest = field.partition(b"\0")
    shown = repr(text.decode("latin-1"))
    if rest.strip(b"\0"):
        shown += " +" + hexs(field)
    return shown


def walk_options(area, name, out):
    """Appends (area name, code, data) to out; returns False on a malformed area."""
    i = 0
    while i < len(area):
        code = area[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            return True
        if i + 1 >= len(area) or i + 2 + area[i + 1] > len(area):
            out.append((name, code, b"<malformed>"))
            return False
        length = area[i + 1]
        out.append((name, code, bytes(area[i + 2:i + 2 + length])))
        i += 2 + length
    return True


def parse_reply(frame, in_xid):
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    eth = Ether(frame)
    if IP not in eth or UDP not in eth:
        return None
    ip, udp = eth[IP], eth[UDP]
    payload = bytes(udp.payload)
    if len(payload) < 240:
        return None
    (op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname,
     file) = struct.unpack("!BBBBIHH4s4s4s4s16s64s128s", payload[:236])
    if op != 2 or xid != in_xid:
        return None
    cookie = payload[236:240]
    found = []
    # dnsmasq keeps the request's cookie, so a reply to a cookie-less BOOTP request has a zero
    # cookie in front of its options: walk those too, the cookie field shows the difference.
    if cookie in (b"\x63\x82\x53\x63", b"\0\0\0\0"):
        walk_options(payload[240:], "options", found)
    overload = next((d[0] for (a, c, d) in found if c == 52 and a == "options" and d), 0)
    if overload & 1:
        walk_options(file, "file", found)
    if overload & 2:
        walk_options(sname, "sname", found)

    end = len(payload)
    while end > 240 and payload[end - 1] == 0:
        end -= 1
    r = {}
    r["eth_dst"] = eth.dst
    r["eth_src"] = eth.src
    r["ip_src"] = ip.src
    r["ip_dst"] = ip.dst
    r["ip_tos"] = f"0x{ip.tos:02x}"
    r["ip_df"] = "DF" if ip.flags.DF else "-"
    r["udp_sport"] = str(udp.sport)
    r["udp_dport"] = str(udp.dport)
    r["length"] = f"{len(payload)} (last non-zero byte at {end})"
    r["op"] = str(op)
    r["htype"] = str(htype)
    r["hlen"] = str(hlen)
    r["hops"] = str(hops)
    r["secs"] = str(secs)
    r["flags"] = f"0x{flags:04x}"
    r["ciaddr"] = socket.inet_ntoa(ciaddr)
    r["yiaddr"] = socket.inet_ntoa(yiaddr)
    r["siaddr"] = socket.inet_ntoa(siaddr)
    r["giaddr"] = socket.inet_ntoa(giaddr)
    r["chaddr"] = hexs(chaddr)
    r["sname"] = ("<overloaded> " + hexs(sname.rstrip(b"\0"))) if overload & 2 else text_or_hex(sname)
    r["file"] = ("<overloaded> " + hexs(file.rstrip(b"\0"))) if overload & 1 else text_or_hex(file)
    r["cookie"] = hexs(cookie)
    r["options"] = " ".join((f"{c}/{len(d)}" if a == "options" else f"{a}:{c}/{len(d)}")
                            for a, c, d in found)
    joined = {}
    for _a, c, d in found:
        joined[c] = joined.get(c, b"") + d
    for c, d in joined.items():
        r[f"option:{c}"] = hexs(d)
    r["_options"] = joined
    mt = joined.get(53)
    r["_type"] = TYPE_NAMES.get(mt[0], f"type{mt[0]}") if mt and len(mt) == 1 else "bootp"
    return r


def describe_option(code, hexvalue):
    """A readable hint next to an option's hex (display only)."""
    data = bytes.fromhex(hexvalue)
    hints = []
    if data and all(32 <= b < 127 for b in data):
        hints.append(repr(data.decode()))
    if code in (1, 3, 6, 28, 50, 54, 42, 44, 118) and len(data) % 4 == 0 and data:
        hints.append(", ".join(socket.inet_ntoa(data[i:i + 4]) for i in range(0, len(data), 4)))
    if code in (51, 58, 59) and len(data) == 4:
        hints.append(str(struct.unpack("!I", data)[0]))
    if code == 53 and len(data) == 1:
        hints.append(TYPE_NAMES.get(data[0], "?"))
    return hexvalue + (f"  ({'; '.join(hints)})" if hints else "")


# ---------------------------------------------------------------------------------------------
# Running one scenario against one daemon

def harness_config_lines(run_dir):
    return [
        "# Added by compat/dhcp/run-dhcp-compat.py for both daemons:",
        "# pxemasq serves no DNS; port=0 switches dnsmasq's DNS off so both serve the same.",
        "port=0",
        "# pxemasq does no ICMP probe before an OFFER yet; dnsmasq's would add ~3 s per OFFER.",
        "no-ping",
        "log-dhcp",
        f"dhcp-leasefile={run_dir}/leases",
    ]




def normalise_log(text):
    """stderr -> the lines compared. DHCP lines lose their `dnsmasq-dhcp: `/`pxemasq-dhcp: `
    prefix; other tags keep the tag with the program name replaced by `*`. Dropped: lines that
    name the program or its version (started/compile time options/exiting) and pxemasq's own
    `warning:` lines on the general tag (pxemasq may explain more, as in compat/README.md)."""
    lines = []
    for raw in text.splitlines():
        m = re.match(r"^(dnsmasq|pxemasq)(-[a-z]+)?: (.*)$", raw)
        if not m:
            lines.append("<unprefixed> " + raw)
            continue
        program, tag, message = m.groups()
        if tag == "-dhcp":
            lines.append(message)
            continue
        if not tag and re.match(r"(started, version|compile time options|exiting on receipt)",
                                message):
            continue
        if not tag and program == "pxemasq" and message.startswith("warning:"):
            continue
        lines.append(f"*{tag or ''}: {message}")
    return lines


def read_leases(path, started):
    """Lease file lines with the expiry made relative to the scenario start (rounded to a minute,
    0 = infinite kept as is), so two runs seconds apart compare equal."""
    try:
        with open(path) as f:
            content = f.read().splitlines()
    except FileNotFoundError:
        return ["<no lease file>"]
    out = []
    for line in content:
        parts = line.split(" ")
        if parts and parts[0].isdigit():
            expiry = int(parts[0])
            if expiry != 0:
                parts[0] = f"now+{round((expiry - started) / 60) * 60}"
        out.append(" ".join(parts))
    return out


def fuzz_ok(reply):
    """T1/T2 of a RENEWING/REBINDING reply: dnsmasq subtracts a random fuzz f (0 <= f <= T1/8,
    spec 4.8.4) from both, so only the rule can be compared, not the values."""
    opts = reply["_options"]
    if not all(len(opts.get(c, b"")) == 4 for c in (51, 58, 59)):
        return False
    lease, t1, t2 = (struct.unpack("!I", opts[c])[0] for c in (51, 58, 59))
    base1, base2 = lease // 2, lease * 7 // 8
    fuzz = base1 - t1
    return 0 <= fuzz <= base1 // 8 and base2 - t2 == fuzz


def normalise_fuzz(scenario, result):
    """Steps marked "fuzzed_t1t2": replies whose T1/T2 follow the fuzz rule get 58/59 replaced by
    a note (a reply breaking the rule keeps its values and so shows up as a difference); their
    log lines for 58/59 lose the value."""
    xids = set()
    for index, step in enumerate(scenario["steps"]):
        if not step.get("fuzzed_t1t2") or "send" not in step:
            continue
        xids.add(str(step["send"]["xid"]))
        entry = result["steps"].get(step.get("name", f"step{index + 1}"))
        for reply in (entry or {}).get("replies", []):
            if fuzz_ok(reply):
                reply["option:58"] = reply["option:59"] = "<fuzzed: lease/2 - f, lease*7/8 - f, 0 <= f <= lease/16>"
    rx = re.compile(r"^(\d+) (sent size: +4 option: 5[89] T[12] ) .*$")
    for i, line in enumerate(result["log"]):
        m = rx.match(line)
        if m and m.group(1) in xids:
            result["log"][i] = f"{m.group(1)} {m.group(2)} <fuzzed>"


def run_one(scenario, daemon_name, binary, work):
    run_dir = os.path.join(work, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(os.path.join(run_dir, "tftp"))
    for name in scenario.get("tftp_files", []):
        path = os.path.join(run_dir, "tftp", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"pxemasq compat test file\n")
    config_lines = [line.replace("@RUN@", run_dir) for line in scenario["config"]]
    config_path = os.path.join(run_dir, "dhcp.conf")
    with open(config_path, "w") as f:
        f.write("\n".join(config_lines + harness_config_lines(run_dir)) + "\n")
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    shutil.copy(config_path, os.path.join(work, "logs", f"{scenario['name']}.conf"))
    if "leases" in scenario:
        now = int(time.time())
        with open(os.path.join(run_dir, "leases"), "w") as f:
            for line in scenario["leases"]:
                f.write(line.replace("@NOW+1H@", str(now + 3600)) + "\n")

    result = {"error": None, "steps": {}, "log": [], "leases": [], "raw_log": ""}
    first_mac = next((s["send"]["mac"] for s in scenario["steps"] if "mac" in s.get("send", {})),
                     DEFAULT_CLIENT_IF_MAC)
    client_if_mac = scenario.get("client_if_mac", DEFAULT_CLIENT_IF_MAC
                                 if scenario.get("lab") == "relay" else first_mac)
    started = time.time()
    log_path = os.path.join(work, "logs", f"{scenario['name']}.{daemon_name}.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with Lab(scenario.get("lab", "plain"), client_if_mac) as lab, open(log_path, "w+b") as log:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        proc = subprocess.Popen(["ip", "netns", "exec", lab.server, binary, "-d", "-C", config_path],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=run_dir)
        LIVE_PROCESSES[proc.pid] = proc
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while not listening_on(proc.pid, 67):
                if proc.poll() is not None or time.monotonic() > deadline:
                    result["error"] = (f"{daemon_name} exited with {proc.returncode} before serving"
                                       if proc.poll() is not None else
                                       f"{daemon_name} not listening on port 67 after {READY_TIMEOUT} s")
                    break
                time.sleep(0.02)
            if result["error"] is None:
                play(scenario, lab, result)
                time.sleep(0.3)  # let the last log lines out
        finally:
            stop_process(proc)
        log.seek(0)
        result["raw_log"] = log.read().decode("utf-8", "replace")
    result["log"] = normalise_log(result["raw_log"])
    normalise_fuzz(scenario, result)
    if scenario.get("compare_leases", True):
        result["leases"] = read_leases(os.path.join(run_dir, "leases"), started)
    return result


def play(scenario, lab, result):
    replies = {}  # step name -> [parsed reply, ...]
    with in_netns(lab.client):
        raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        raw.bind(("eth0", ETH_P_ALL))
        # Bound UDP sockets keep the client kernel from answering replies with ICMP unreachable.
        sinks = []
        for port in (67, 68, 4011):  # 4011: replies to a client that sent from the PXE port
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            sinks.append(s)
    try:
        for index, step in enumerate(scenario["steps"]):
            name = step.get("name", f"step{index + 1}")
            if "sleep" in step:
                time.sleep(min(float(step["sleep"]), 3.0))
            if "send" not in step:
                continue
            pkt = step["send"]
            entry = {"sent": "yes", "replies": []}
            result["steps"][name] = entry
            try:
                if "client_ip" in pkt:
                    lab.add_client_address(resolve_address(pkt["client_ip"], replies))
                frame, xid, _src = build_frame(pkt, replies, lab)
            except MissingReference as e:
                entry["sent"] = f"not sent: {e}"
                replies[name] = []
                continue
            drain(raw)
            raw.send(frame)
            expect = step.get("expect", "reply")
            wait = float(step.get("wait", WAIT_NONE if expect == "none" else WAIT_REPLY))
            got = capture(raw, xid, min(wait, 4.0))
            entry["replies"] = got
            replies[name] = got
    finally:
        raw.close()
        for s in sinks:
            s.close()


def drain(raw):
    for _ in range(1000):
        ready, _, _ = select.select([raw], [], [], 0)
        if not ready:
            return
        raw.recv(65535)


def capture(raw, xid, wait):
    """Replies (op 2, this xid) arriving within WAIT s; stops SETTLE s after the first one."""
    got = []
    deadline = time.monotonic() + wait
    for _ in range(10000):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([raw], [], [], left)
        if not ready:
            break
        frame, address = raw.recvfrom(65535)
        if address[2] == PACKET_OUTGOING:
            continue
        parsed = parse_reply(frame, xid)
        if parsed is None:
            continue
        got.append(parsed)
        if len(got) == 1:
            deadline = min(deadline, time.monotonic() + SETTLE)
    return got


# ---------------------------------------------------------------------------------------------
# Comparison

def compare(scenario, ours, theirs):
    """-> list of (field path, dnsmasq value, pxemasq value). `ours` is dnsmasq."""
    diffs = []
    if ours["error"] or theirs["error"]:
        if ours["error"] != theirs["error"]:
            diffs.append(("run", ours["error"] or "ok", theirs["error"] or "ok"))
    names = list(ours["steps"].keys())
    names += [n for n in theirs["steps"].keys() if n not in names]
    for name in names:
        a = ours["steps"].get(name, {"sent": "no", "replies": []})
        b = theirs["steps"].get(name, {"sent": "no", "replies": []})
        if a["sent"] != b["sent"]:
            diffs.append((f"{name}/sent", a["sent"], b["sent"]))
        ra, rb = a["replies"], b["replies"]
        if len(ra) != len(rb):
            diffs.append((f"{name}/replies", summary(ra), summary(rb)))
        for i in range(min(len(ra), len(rb))):
            prefix = name if i == 0 else f"{name}#{i + 1}"
            x, y = ra[i], rb[i]
            keys = [k for k in x if not k.startswith("_")]
            keys += [k for k in y if not k.startswith("_") and k not in keys]
            for k in keys:
                vx, vy = x.get(k, "<absent>"), y.get(k, "<absent>")
                if vx != vy:
                    if k.startswith("option:"):
                        code = int(k[7:])
                        vx = vx if vx == "<absent>" else describe_option(code, vx)
                        vy = vy if vy == "<absent>" else describe_option(code, vy)
                    diffs.append((f"{prefix}/{k}", vx, vy))
    if ours["leases"] != theirs["leases"]:
        diffs.append(("leases", "\n".join(ours["leases"]), "\n".join(theirs["leases"])))
    return diffs


def summary(replies):
    if not replies:
        return "no reply"
    return ", ".join(f"{r['_type']} to {r['ip_dst']}:{r['udp_dport']}" for r in replies)


def check_expectations(scenario, ours):
    """The scenario says what dnsmasq does at each step (`expect`); a scenario whose dnsmasq run
    does not match is broken (typo, wrong assumption) and must not pass by two empty runs."""
    problems = []
    if ours["error"]:
        return [f"dnsmasq run failed: {ours['error']}"]
    for index, step in enumerate(scenario["steps"]):
        if "send" not in step:
            continue
        name = step.get("name", f"step{index + 1}")
        expect = step.get("expect", "reply")
        got = ours["steps"].get(name, {"replies": []})["replies"]
        types = [r["_type"] for r in got]
        if expect == "none":
            ok = not got
        elif expect == "reply":
            ok = bool(got)
        else:
            ok = types == [expect]
        if not ok:
            problems.append(f"step {name}: expected {expect}, dnsmasq gave {types or 'no reply'}")
    return problems


def judge(scenario, ours, theirs, intended):
    """-> (verdict, detail lines)."""
    mine = [(field, reason) for (name, field, reason) in intended
            if fnmatch.fnmatchcase(scenario["name"], name)]
    diffs = compare(scenario, ours, theirs)
    la, lb = ours["log"], theirs["log"]
    # log~REGEX entries: lines matching REGEX (either side) are left out of the log comparison.
    log_masks = [(re.compile(field[4:]), reason) for field, reason in mine if field.startswith("log~")]
    masked_a = [l for l in la if not any(rx.search(l) for rx, _ in log_masks)]
    masked_b = [l for l in lb if not any(rx.search(l) for rx, _ in log_masks)]
    used = set()
    for rx, reason in log_masks:
        if [l for l in la if rx.search(l)] != [l for l in lb if rx.search(l)]:
            used.add(("log~" + rx.pattern, reason))
    unexplained, explained = [], []
    for d in diffs:
        match = next(((f, r) for f, r in mine if not f.startswith("log~")
                      and fnmatch.fnmatchcase(d[0], f)), None)
        (explained if match else unexplained).append((d, match))
        if match:
            used.add(match)
    log_differs = masked_a != masked_b
    log_explained = any(f == "log" for f, _ in mine) and log_differs
    if log_explained:
        used.add(next((f, r) for f, r in mine if f == "log"))
    lines = []
    problems = check_expectations(scenario, ours)
    for p in problems:
        lines.append(f"    scenario broken: {p}")
    for (field, va, vb), _ in unexplained:
        lines += field_lines(field, va, vb)
    if log_differs and not log_explained:
        lines.append("    log:")
        lines += ["      " + l for l in log_diff(masked_a, masked_b)]
    intended_lines = [f"    intended: {f}: {r}" for f, r in sorted(used)]
    if problems or unexplained or (log_differs and not log_explained):
        return "DIFFER", lines + intended_lines
    if used:
        detail = []
        for (field, va, vb), _ in explained:
            detail += field_lines(field, va, vb)
        if log_explained:
            detail.append("    log (intended):")
            detail += ["      " + l for l in log_diff(masked_a, masked_b)]
        for rx, _ in log_masks:
            if ("log~" + rx.pattern, _) in used:
                detail.append(f"    log lines matching /{rx.pattern}/ (intended):")
                detail += ["      " + l for l in log_diff([l for l in la if rx.search(l)],
                                                          [l for l in lb if rx.search(l)])]
        return "intended", intended_lines + detail
    return "agree", []


def field_lines(field, va, vb):
    if "\n" in va or "\n" in vb:
        out = [f"    {field}:"]
        out += ["      " + l for l in difflib.unified_diff(va.splitlines(), vb.splitlines(),
                                                           "dnsmasq", "pxemasq", n=2,
                                                           lineterm="")][2:]
        return out
    return [f"    {field}:", f"      dnsmasq: {va}", f"      pxemasq: {vb}"]


# ---------------------------------------------------------------------------------------------

def main(argv):
    pxemasq, dnsmasq, only, keep, verbose = parse_command_line(argv)
    try:
        import scapy.layers.l2  # noqa: F401
    except ImportError:
        skip(f"needs scapy for {sys.executable} (Debian: python3-scapy; EL9: python3-scapy from EPEL)")

    scenarios = load_scenarios(SCENARIO_DIR, only)
    intended = load_intended(INTENDED_FILE)
    work = tempfile.mkdtemp(prefix="dhcp-compat.")
    catch_signals()
    passed = failed = 0
    t0 = time.monotonic()
    try:
        for scenario in scenarios:
            s0 = time.monotonic()
            ours = run_one(scenario, "dnsmasq", dnsmasq, work)
            theirs = run_one(scenario, "pxemasq", pxemasq, work)
            verdict, lines = judge(scenario, ours, theirs, intended)
            took = time.monotonic() - s0
            print(f"{verdict}\t{scenario['name']}\t({took:.1f} s)", flush=True)
            for line in lines:
                print(line)
            if verbose:
                for who, res in (("dnsmasq", ours), ("pxemasq", theirs)):
                    print(f"    --- {who} replies")
                    for step, entry in res["steps"].items():
                        print(f"      {step}: {summary(entry['replies'])}"
                              + ("" if entry["sent"] == "yes" else f" ({entry['sent']})"))
                        for r in entry["replies"]:
                            print(f"        yiaddr {r['yiaddr']} siaddr {r['siaddr']} flags {r['flags']}"
                                  f" eth_dst {r['eth_dst']} file {r['file']} sname {r['sname']}")
                            print(f"        options {r['options']}")
                    print(f"    --- {who} log")
                    print("\n".join("      " + l for l in res["log"]))
                    print(f"    --- {who} leases")
                    print("\n".join("      " + l for l in res["leases"]))
            if verdict == "DIFFER":
                failed += 1
            else:
                passed += 1
            sys.stdout.flush()
    finally:
        cleanup_all()
        if keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"total time {time.monotonic() - t0:.1f} s")
    print(f"dhcp-compat: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
