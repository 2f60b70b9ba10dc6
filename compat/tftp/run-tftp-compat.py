#!/usr/bin/python3
"""Side-by-side TFTP compatibility harness: real dnsmasq and pxemasq, same config, same requests.

Usage: run-tftp-compat.py [options] PXEMASQ [DNSMASQ]      (default DNSMASQ: /usr/sbin/dnsmasq)
  --only GLOB     run only the scenarios whose name matches GLOB (repeatable)
  --keep          keep the work directory (tree, configs, logs) and print its path
  --verbose       print both daemons' results and normalised logs for every scenario

One TFTP tree is generated per run (world-readable, under a 0755 work directory, so a daemon that
dropped its privileges can read it). For each scenario in scenarios/*.json and for each daemon in
turn: a fresh two-namespace lab (server `ens33` 192.168.1.70/24, client `eth0` 192.168.1.20/24,
one veth pair), the scenario's config plus the harness lines (port=0, interface=ens33,
enable-tftp, tftp-root unless the scenario sets its own root), the daemon started with -d, the
scenario's requests played from plain UDP sockets made in the client namespace, each reply and
each transfer recorded, the daemon stopped with SIGTERM, its stderr kept. Then both runs are
compared field by field and line by line. See README.md next to this file.

Exit status: 0 all passed, 1 some failed, 2 usage error or dnsmasq missing, 77 skipped (not root,
no `ip`).
"""

import fnmatch
import hashlib
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
    load_intended, load_scenarios, log_diff, parse_command_line, run_cmd, stop_process)

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_DIR = os.path.join(HERE, "scenarios")
INTENDED_FILE = os.path.join(HERE, "intended-differences.tsv")

SERVER_IP = "192.168.1.70"
CLIENT_IP = "192.168.1.20"

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
OPCODE_NAMES = {RRQ: "RRQ", WRQ: "WRQ", DATA: "DATA", ACK: "ACK", ERROR: "ERROR", OACK: "OACK"}

WAIT_REPLY = 2.0     # a request that dnsmasq answers
WAIT_NONE = 1.0      # a request that dnsmasq does not answer
MAX_BLOCKS = 4096    # a transfer the harness drives never has more blocks
TRANSFER_TIMEOUT = 10.0
READY_TIMEOUT = 5.0


class Lab:
    counter = 0

    def __init__(self, mtu):
        Lab.counter += 1
        tag = f"{os.getpid()}-{Lab.counter}"
        self.server = f"pxq-tc-{tag}-s"
        self.client = f"pxq-tc-{tag}-c"
        self.mtu = mtu

    def __enter__(self):
        for name in (self.server, self.client):
            run_cmd(["ip", "netns", "add", name])
            LIVE_NAMESPACES.add(name)
            for knob in ("default", "all"):
                run_cmd(["ip", "netns", "exec", name, "sysctl", "-qw",
                         f"net.ipv6.conf.{knob}.disable_ipv6=1"], check=False)
        run_cmd(["ip", "link", "add", "ens33", "netns", self.server, "mtu", str(self.mtu),
                 "type", "veth", "peer", "name", "eth0", "netns", self.client,
                 "mtu", str(self.mtu)])
        run_cmd(["ip", "-n", self.server, "addr", "add", f"{SERVER_IP}/24", "brd", "+",
                 "dev", "ens33"])
        run_cmd(["ip", "-n", self.client, "addr", "add", f"{CLIENT_IP}/24", "brd", "+",
                 "dev", "eth0"])
        for ns, dev in ((self.server, "lo"), (self.server, "ens33"), (self.client, "lo"),
                        (self.client, "eth0")):
            run_cmd(["ip", "-n", ns, "link", "set", dev, "up"])
        return self

    def __exit__(self, *exc):
        for name in (self.server, self.client):
            run_cmd(["ip", "netns", "del", name], check=False)
            LIVE_NAMESPACES.discard(name)
        return False


# ---------------------------------------------------------------------------------------------
# The tree both daemons serve

def make_tree(work):
    """-> root. Contents: see README.md (the scenarios name these files)."""
    os.chmod(work, 0o755)
    root = os.path.join(work, "tftpboot")
    os.makedirs(os.path.join(root, "sub", "deep"))
    os.makedirs(os.path.join(root, "esxi8"))
    os.makedirs(os.path.join(root, CLIENT_IP))
    files = {
        "empty.bin": b"",
        "1k.bin": bytes((i * 7 + 3) & 0xFF for i in range(1024)),
        "x512.bin": bytes((i * 13 + 1) & 0xFF for i in range(512 * 4)),
        "40k.bin": bytes((i * 31 + 5) & 0xFF for i in range(40000)),
        "sub/file.bin": bytes((i * 3) & 0xFF for i in range(3000)),
        "esxi8/boot.cfg": b"kernel=b.b00\nmodules=a.gz --- b.gz\n",
        "text.txt": b"line one\nline two\r\nbare\rcr\n\n" * 40,
        "lower.bin": b"lower-case file\n",
        "private.bin": b"not world readable\n",
        "nobody.bin": b"owned by nobody\n",
        CLIENT_IP + "/mine.bin": b"only for 192.168.1.20\n",
        "Mixed.BIN": b"mixed case name\n",
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    with open(os.path.join(work, "secret.txt"), "wb") as f:
        f.write(b"outside the root\n")
    os.symlink("sub/file.bin", os.path.join(root, "link-in.bin"))
    os.symlink("../secret.txt", os.path.join(root, "link-out.bin"))
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            path = os.path.join(dirpath, f)
            if not os.path.islink(path):
                os.chmod(path, 0o644)
    os.chmod(root, 0o755)
    os.chmod(os.path.join(work, "secret.txt"), 0o644)
    os.chmod(os.path.join(root, "private.bin"), 0o600)
    try:
        import pwd
        nobody = pwd.getpwnam("nobody")
        os.chown(os.path.join(root, "nobody.bin"), nobody.pw_uid, nobody.pw_gid)
    except (KeyError, OSError):
        pass
    return root


# ---------------------------------------------------------------------------------------------
# Requests

def expand(text, root, work):
    return text.replace("@ROOT@", root).replace("@WORK@", work)


def request_bytes(step, root, work):
    """The datagram of a step: "raw" hex, or opcode + name + mode + options."""
    if "raw" in step:
        return bytes.fromhex(step["raw"].replace(" ", ""))
    opcode = step.get("opcode", RRQ)
    body = struct.pack("!H", opcode)
    body += expand(step["name"], root, work).encode("latin-1") + b"\0"
    body += step.get("mode", "octet").encode() + b"\0"
    for item in step.get("options", []):
        for part in item:
            body += str(part).encode() + b"\0"
    return body


def describe_packet(data):
    if len(data) < 2:
        return f"short {data.hex()}"
    opcode = struct.unpack("!H", data[:2])[0]
    if opcode == ERROR and len(data) >= 4:
        code = struct.unpack("!H", data[2:4])[0]
        text = data[4:]
        shown = text[:-1] if text.endswith(b"\0") else text + b" <no NUL>"
        return f"ERROR {code} {shown.decode('latin-1')!r}"
    if opcode == OACK:
        parts = data[2:].split(b"\0")
        if parts and parts[-1] == b"":
            parts = parts[:-1]
        pairs = [f"{parts[i].decode('latin-1')}={parts[i + 1].decode('latin-1')}"
                 for i in range(0, len(parts) - 1, 2)]
        return "OACK " + " ".join(pairs)
    if opcode == DATA and len(data) >= 4:
        block = struct.unpack("!H", data[2:4])[0]
        return f"DATA block {block}, {len(data) - 4} bytes"
    return f"{OPCODE_NAMES.get(opcode, 'opcode ' + str(opcode))} {data[2:].hex()}"


def oack_options(data):
    parts = data[2:].split(b"\0")
    return {parts[i].decode("latin-1").lower(): parts[i + 1].decode("latin-1")
            for i in range(0, len(parts) - 1, 2)}


def receive(sock, wait):
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, None
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            return None, None
        try:
            return sock.recvfrom(65536)
        except ConnectionRefusedError:
            continue


def drive_transfer(sock, peer, first, entry):
    """Lockstep client: ACK every block in order (duplicates and blocks out of order are
    ignored), stop after the short block. Records size, sha256 and the block size used."""
    got = bytearray()
    blocksize = None
    expected = 1
    data = first
    if struct.unpack("!H", first[:2])[0] == OACK:
        blocksize = int(oack_options(first).get("blksize", "512"))
        sock.sendto(struct.pack("!HH", ACK, 0), peer)
        data = None
    else:
        blocksize = 512
    deadline = time.monotonic() + TRANSFER_TIMEOUT
    for _ in range(MAX_BLOCKS * 4):
        if data is None:
            data, source = receive(sock, max(0.0, deadline - time.monotonic()))
            if data is None:
                entry["transfer"] = f"stalled after {len(got)} bytes"
                return
            if source != peer:
                data = None
                continue
        opcode = struct.unpack("!H", data[:2])[0]
        if opcode == ERROR:
            entry["transfer"] = f"{describe_packet(data)} after {len(got)} bytes"
            return
        if opcode != DATA or len(data) < 4:
            entry["transfer"] = f"unexpected {describe_packet(data)} after {len(got)} bytes"
            return
        block = struct.unpack("!H", data[2:4])[0]
        if block == expected & 0xFFFF:
            got += data[4:]
            sock.sendto(struct.pack("!HH", ACK, block), peer)
            expected += 1
            if len(data) - 4 < blocksize:
                digest = hashlib.sha256(got).hexdigest()[:16]
                entry["transfer"] = f"{len(got)} bytes sha256 {digest} in blocks of {blocksize}"
                entry["_bytes"] = bytes(got)
                return
        data = None
    entry["transfer"] = f"more than {MAX_BLOCKS} blocks"


def play(scenario, lab, root, work):
    steps = {}
    held = []
    with in_netns(lab.client):
        sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                   for _ in scenario["steps"]] + [socket.socket(socket.AF_INET, socket.SOCK_DGRAM)]
    stray = sockets[-1]
    try:
        for index, step in enumerate(scenario["steps"]):
            name = step.get("step", f"step{index + 1}")
            sock = sockets[index]
            entry = {}
            steps[name] = entry
            if "sleep" in step:
                time.sleep(min(float(step["sleep"]), 3.0))
            sock.bind((CLIENT_IP, 0))
            sock.sendto(request_bytes(step, root, work), (SERVER_IP, int(step.get("port", 69))))
            expect = step.get("expect", "reply")
            wait = WAIT_NONE if expect == "none" else WAIT_REPLY
            data, peer = receive(sock, wait)
            if data is None:
                entry["reply"] = "none"
                continue
            entry["reply"] = describe_packet(data)
            entry["reply_port"] = ("69" if peer[1] == 69 else str(peer[1])
                                   if scenario.get("show_port") else "transfer port")
            opcode = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else -1
            if opcode == ERROR and len(data) >= 4:  # code and text compared apart (see compare)
                text = data[4:]
                entry["reply"] = f"ERROR {struct.unpack('!H', data[2:4])[0]}"
                entry["error_text"] = (text[:-1] if text.endswith(b"\0") else
                                       text + b" <no NUL>").decode("latin-1")
            then = step.get("then", "complete")
            if opcode not in (DATA, OACK):
                continue
            if then == "stray":
                stray.sendto(struct.pack("!HH", ACK, 1), peer)
                reply, _ = receive(stray, WAIT_REPLY)
                entry["stray_reply"] = describe_packet(reply) if reply is not None else "none"
                then = "complete"
            if then == "complete":
                drive_transfer(sock, peer, data, entry)
            elif then == "abort":
                code, text = step.get("abort_with", [8, "tsize probe"])
                sock.sendto(struct.pack("!HH", ERROR, code) + text.encode() + b"\0", peer)
                time.sleep(0.1)
            elif then == "hold":
                held.append(sock)
            elif then == "drop":
                pass  # leave the transfer to the server's timers; the daemon is stopped later
    finally:
        for s in sockets:
            s.close()
    return steps


# ---------------------------------------------------------------------------------------------
# One scenario against one daemon



def config_lines(scenario, root, work):
    lines = [expand(line, root, work) for line in scenario["config"]]
    harness = ["# Added by compat/tftp/run-tftp-compat.py for both daemons:", "port=0"]
    if not any(l.startswith("interface=") for l in lines):
        harness.append("interface=ens33")
    if not any(l.startswith("enable-tftp") for l in lines):
        harness.append("enable-tftp")
    if not scenario.get("no_root") and not any(l.startswith("tftp-root=") for l in lines):
        harness.append(f"tftp-root={root}")
    return lines + harness


def normalise_log(text):
    """stderr -> the compared lines: the `-tftp` lines without their program prefix, other
    tagged lines with the program replaced by `*`; lines naming the program or its version
    (started / compile time options / exiting) and pxemasq's own `warning:` lines dropped."""
    lines = []
    for raw in text.splitlines():
        m = re.match(r"^(dnsmasq|pxemasq)(-[a-z]+)?: (.*)$", raw)
        if not m:
            lines.append("<unprefixed> " + raw)
            continue
        program, tag, message = m.groups()
        if tag == "-tftp":
            lines.append(message)
            continue
        if not tag and re.match(r"(started, version|compile time options|exiting on receipt)",
                                message):
            continue
        if not tag and program == "pxemasq" and message.startswith("warning:"):
            continue
        lines.append(f"*{tag or ''}: {message}")
    return lines


def run_one(scenario, daemon_name, binary, root, work):
    run_dir = os.path.join(work, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    os.chmod(run_dir, 0o755)
    config_path = os.path.join(run_dir, "tftp.conf")
    with open(config_path, "w") as f:
        f.write("\n".join(config_lines(scenario, root, work)) + "\n")
    logs = os.path.join(work, "logs")
    os.makedirs(logs, exist_ok=True)
    shutil.copy(config_path, os.path.join(logs, f"{scenario['name']}.conf"))
    result = {"error": None, "steps": {}, "log": [], "raw_log": ""}
    log_path = os.path.join(logs, f"{scenario['name']}.{daemon_name}.log")
    with Lab(scenario.get("mtu", 1500)) as lab, open(log_path, "w+b") as log:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
        proc = subprocess.Popen(["ip", "netns", "exec", lab.server, binary, "-d", "-C", config_path],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=run_dir)
        LIVE_PROCESSES[proc.pid] = proc
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while not listening_on(proc.pid, 69):
                if proc.poll() is not None or time.monotonic() > deadline:
                    result["error"] = (f"exited with {proc.returncode} before serving"
                                       if proc.poll() is not None else
                                       f"not listening on port 69 after {READY_TIMEOUT} s")
                    break
                time.sleep(0.02)
            if result["error"] is None:
                result["steps"] = play(scenario, lab, root, work)
                time.sleep(0.3)  # let the last log lines out
        finally:
            stop_process(proc)
        log.seek(0)
        result["raw_log"] = log.read().decode("utf-8", "replace")
    result["log"] = normalise_log(result["raw_log"])
    return result


# ---------------------------------------------------------------------------------------------
# Comparison

def redacted(text, name):
    """dnsmasq's ERROR text as pxemasq words it on purpose: the requested name instead of the
    server path, and no client address (`file PATH not found for ADDR` -> `file NAME not
    found`, `cannot access PATH: ...` / `cannot read PATH: ...` -> the same with NAME)."""
    m = re.fullmatch(r"file (/.*) not found for [0-9.]+", text)
    if m:
        return f"file {name} not found"
    m = re.fullmatch(r"(cannot access|cannot read) (/.*?): ([^:]+)", text)
    if m:
        return f"{m.group(1)} {name}: {m.group(3)}"
    return None


def request_names(scenario, root, work):
    names = {}
    for index, step in enumerate(scenario["steps"]):
        if "name" in step:
            name = expand(step["name"], root, work)
            names[step.get("step", f"step{index + 1}")] = "".join(
                c for c in name if " " <= c <= "~")
    return names


def compare(ours, theirs, requested=None):
    """-> [(field, dnsmasq value, pxemasq value)]; `ours` is dnsmasq. An ERROR text that differs
    only by pxemasq's redaction (see redacted) is reported as field `STEP/error_text:redacted`
    (intended for every scenario), any other text difference as `STEP/error_text`."""
    requested = requested or {}
    diffs = []
    if ours["error"] != theirs["error"]:
        diffs.append(("run", ours["error"] or "ok", theirs["error"] or "ok"))
    names = list(ours["steps"]) + [n for n in theirs["steps"] if n not in ours["steps"]]
    for name in names:
        a, b = ours["steps"].get(name, {}), theirs["steps"].get(name, {})
        keys = [k for k in a if not k.startswith("_")]
        keys += [k for k in b if not k.startswith("_") and k not in keys]
        for k in keys:
            va, vb = a.get(k, "<absent>"), b.get(k, "<absent>")
            if va != vb:
                field = f"{name}/{k}"
                if (k == "error_text" and name in requested and isinstance(va, str)
                        and redacted(va, requested[name]) == vb):
                    field += ":redacted"
                diffs.append((field, va, vb))
    return diffs


def check_expectations(scenario, ours):
    """Each step says what dnsmasq does (`expect`: oack, data, error, none, reply); a scenario
    whose dnsmasq run does not match is broken and must not pass by two empty runs."""
    if scenario.get("startup_fails"):  # the point is the start-up error (and its log line)
        return [] if ours["error"] else ["dnsmasq started, the scenario says it must not"]
    if ours["error"]:
        return [f"dnsmasq run failed: {ours['error']}"]
    problems = []
    for index, step in enumerate(scenario["steps"]):
        name = step.get("step", f"step{index + 1}")
        expect = step.get("expect", "reply")
        got = ours["steps"].get(name, {})
        reply = got.get("reply", "none")
        ok = {"none": reply == "none", "reply": reply != "none",
              "oack": reply.startswith("OACK"), "data": reply.startswith("DATA"),
              "error": reply.startswith("ERROR")}.get(expect)
        if ok is None:
            ok = reply.startswith(expect)
        if not ok:
            problems.append(f"step {name}: expected {expect}, dnsmasq gave {reply}")
    return problems


def judge(scenario, ours, theirs, intended, names):
    """-> (verdict, detail lines). Fields and log lines that differ must each be covered by an
    intended-differences entry (field glob, or `log~REGEX` for log lines matching REGEX)."""
    mine = [(field, reason) for (name, field, reason) in intended
            if fnmatch.fnmatchcase(scenario["name"], name)]
    diffs = compare(ours, theirs, names)
    masks = [(re.compile(f[4:]), f, r) for f, r in mine if f.startswith("log~")]
    used = set()
    # log-s~REGEX entries: the matching part of every line (both sides) is removed first.
    la, lb = list(ours["log"]), list(theirs["log"])
    for f, r in mine:
        if f.startswith("log-s~"):
            rx = re.compile(f[6:])
            stripped_a, stripped_b = [rx.sub("", l) for l in la], [rx.sub("", l) for l in lb]
            if stripped_a != la or stripped_b != lb:
                used.add((f, r))
            la, lb = stripped_a, stripped_b
    # Sorted: dnsmasq logs `sent` when it next sweeps its transfers, so the order of a `sent`
    # line and the next request's line is a race; the set of lines is what is compared.
    masked_a = sorted(l for l in la if not any(rx.search(l) for rx, _, _ in masks))
    masked_b = sorted(l for l in lb if not any(rx.search(l) for rx, _, _ in masks))
    for rx, f, r in masks:
        if sorted(l for l in la if rx.search(l)) != sorted(l for l in lb if rx.search(l)):
            used.add((f, r))
    unexplained, explained = [], []
    for d in diffs:
        match = next(((f, r) for f, r in mine if not f.startswith(("log~", "log-s~"))
                      and fnmatch.fnmatchcase(d[0], f)), None)
        (explained if match else unexplained).append(d)
        if match:
            used.add(match)
    lines = [f"    scenario broken: {p}" for p in check_expectations(scenario, ours)]
    broken = bool(lines)
    for field, va, vb in unexplained:
        lines += [f"    {field}:", f"      dnsmasq: {va}", f"      pxemasq: {vb}"]
    log_differs = masked_a != masked_b
    if log_differs:
        lines.append("    log:")
        lines += ["      " + l for l in log_diff(masked_a, masked_b)]
    intended_lines = [f"    intended: {f}: {r}" for f, r in sorted(used)]
    if broken or unexplained or log_differs:
        return "DIFFER", lines + intended_lines
    if used:
        # Entries whose reason starts with KNOWN: are divergences not fixed yet, not designs:
        # they pass, but under their own verdict so that they stay visible.
        verdict = "known" if any(r.startswith("KNOWN:") for _, r in used) else "intended"
        detail = []
        for field, va, vb in explained:
            detail += [f"    {field}:", f"      dnsmasq: {va}", f"      pxemasq: {vb}"]
        for rx, f, r in masks:
            if (f, r) in used:
                detail.append(f"    log lines matching /{rx.pattern}/ (intended):")
                detail += ["      " + l for l in log_diff(sorted(l for l in la if rx.search(l)),
                                                          sorted(l for l in lb if rx.search(l)))]
        return verdict, intended_lines + detail
    return "agree", []


def main(argv):
    pxemasq, dnsmasq, only, keep, verbose = parse_command_line(argv)

    scenarios = load_scenarios(SCENARIO_DIR, only)
    intended = load_intended(INTENDED_FILE)
    work = tempfile.mkdtemp(prefix="tftp-compat.")
    catch_signals()
    passed = failed = 0
    t0 = time.monotonic()
    try:
        root = make_tree(work)
        for scenario in scenarios:
            s0 = time.monotonic()
            ours = run_one(scenario, "dnsmasq", dnsmasq, root, work)
            theirs = run_one(scenario, "pxemasq", pxemasq, root, work)
            verdict, lines = judge(scenario, ours, theirs, intended,
                                   request_names(scenario, root, work))
            print(f"{verdict}\t{scenario['name']}\t({time.monotonic() - s0:.1f} s)", flush=True)
            for line in lines:
                print(line)
            if verbose:
                for who, res in (("dnsmasq", ours), ("pxemasq", theirs)):
                    print(f"    --- {who}" + (f" ({res['error']})" if res["error"] else ""))
                    for step, entry in res["steps"].items():
                        shown = ", ".join(f"{k}: {v}" for k, v in entry.items()
                                          if not k.startswith("_"))
                        print(f"      {step}: {shown}")
                    print("\n".join("      | " + l for l in res["log"]))
            if verdict == "DIFFER":
                failed += 1
            else:
                passed += 1
    finally:
        cleanup_all()
        if keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"total time {time.monotonic() - t0:.1f} s")
    print(f"tftp-compat: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
