#!/usr/bin/env python3
"""pxemasq's built-in HTTP server (issue 8) against curl, in network namespaces made here.

The lab: a server namespace (`ens33` 192.168.1.70/24) running `pxemasq -d` with enable-tftp,
a tftp-root and `http-port=8080`; a client namespace (`eth0` 192.168.1.99/24). Checked:
  full GETs (sha256), a file of exact chunk multiples and an empty file; single byte ranges
  (206, Content-Range, exact bytes), suffix ranges, 416 past the end; HEAD (headers, no body);
  404 for missing files and directories; 405 for POST; keep-alive (two files, one connection);
  40 escape attempts (`..` in every encoding, backslashes, NUL, symlinks leaving the root,
  a symlinked directory outside, absolute paths) never return a byte of the secret outside the
  root; a file that is not world-readable is refused (403), as TFTP does; 100 concurrent curl
  fetches all complete with the right sha256; /metrics (Prometheus text) counts what the clients
  saw, and the TFTP transfer of a tftp-hpa client.

Usage: http_test.py PATH/TO/pxemasq   (root; exits 77 = skipped without curl or ip)
"""

import hashlib
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


def check(name, ok, detail=""):
    global checks
    checks += 1
    print(("ok - " if ok else "FAIL - ") + name + ("" if ok or not detail else f": {detail}"))
    if not ok:
        failures.append(name)


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, **kwargs)


class Lab:
    def __init__(self):
        self.server = f"pxq-http-{os.getpid()}-s"
        self.client = f"pxq-http-{os.getpid()}-c"

    def __enter__(self):
        run(["ip", "netns", "add", self.server])
        run(["ip", "netns", "add", self.client])
        run(["ip", "-n", self.server, "link", "add", "ens33", "type", "veth", "peer", "name", "eth0",
             "netns", self.client])
        run(["ip", "-n", self.server, "addr", "add", "192.168.1.70/24", "dev", "ens33"])
        run(["ip", "-n", self.client, "addr", "add", "192.168.1.99/24", "dev", "eth0"])
        for ns, dev in ((self.server, "ens33"), (self.server, "lo"), (self.client, "eth0"), (self.client, "lo")):
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        return self

    def __exit__(self, *exc):
        for ns in (self.client, self.server):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        return False


def curl(lab, *args, timeout=60):
    return subprocess.run(["ip", "netns", "exec", lab.client, "curl", "-sS", "--max-time", "30", *args],
                          capture_output=True, timeout=timeout)


URL = "http://192.168.1.70:8080"


def sha(data):
    return hashlib.sha256(data).hexdigest()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    pxemasq = os.path.realpath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    for tool in ("ip", "curl"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed")
            return 77
    work = tempfile.mkdtemp(prefix="pxemasq-http.")
    os.chmod(work, 0o755)
    root = f"{work}/root"
    os.makedirs(f"{root}/esxi8")
    os.makedirs(f"{work}/outside")
    secret = b"SECRET-OUTSIDE-THE-ROOT-7f3a\n"
    with open(f"{work}/secret.txt", "wb") as f:
        f.write(secret)
    with open(f"{work}/outside/secret2.txt", "wb") as f:
        f.write(secret)
    files = {"big.bin": os.urandom(10 * 1024 * 1024 + 123), "esxi8/boot.cfg": b"kernel=b.b00\nmodules=a.v00\n",
             "chunks.bin": os.urandom(2 * 1024 * 1024), "empty.bin": b"", "one.bin": os.urandom(1024 * 1024)}
    for name, data in files.items():
        with open(f"{root}/{name}", "wb") as f:
            f.write(data)
        os.chmod(f"{root}/{name}", 0o644)
    with open(f"{root}/private.bin", "wb") as f:
        f.write(secret)
    os.chmod(f"{root}/private.bin", 0o600)
    os.symlink("../secret.txt", f"{root}/link-out")
    os.symlink(f"{work}/secret.txt", f"{root}/abs-link-out")
    os.symlink(f"{work}/outside", f"{root}/dir-out")
    os.symlink("esxi8/boot.cfg", f"{root}/boot.cfg")  # inside: served
    conf = f"{work}/pxemasq.conf"
    with open(conf, "w") as f:
        f.write(f"interface=ens33\nenable-tftp\ntftp-root={root}\nhttp-port=8080\nport=0\n")
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
            check("the daemon announces the HTTP root", "HTTP root is " + root in open(log_path, errors="replace").read(),
                  open(log_path, errors="replace").read()[-300:])

            for name, data in files.items():
                got = curl(lab, "-o", "-", f"{URL}/{name}")
                check(f"GET /{name} ({len(data)} bytes): every byte right", got.returncode == 0 and got.stdout == data,
                      got.stderr.decode()[-200:])
            got = curl(lab, "-o", "-", f"{URL}/boot.cfg")
            check("a symlink inside the root is followed", got.stdout == files["esxi8/boot.cfg"])

            big = files["big.bin"]
            got = curl(lab, "-D", "-", "-o", f"{work}/part", "-r", "100-199", f"{URL}/big.bin")
            headers = got.stdout.decode(errors="replace")
            check("Range 100-199: 206", headers.startswith("HTTP/1.1 206"), headers[:80])
            check("Range 100-199: Content-Range", f"Content-Range: bytes 100-199/{len(big)}" in headers, headers)
            check("Range 100-199: exactly those bytes", open(f"{work}/part", "rb").read() == big[100:200])
            got = curl(lab, "-o", "-", "-r", "-10", f"{URL}/big.bin")
            check("suffix range -10: the last 10 bytes", got.stdout == big[-10:])
            got = curl(lab, "-o", "/dev/null", "-w", "%{http_code}", "-r", f"{len(big)}-", f"{URL}/big.bin")
            check("range past the end: 416", got.stdout == b"416", got.stdout)
            got = curl(lab, "-I", f"{URL}/big.bin")
            headers = got.stdout.decode(errors="replace")
            check("HEAD: 200 with Content-Length", headers.startswith("HTTP/1.1 200") and
                  f"Content-Length: {len(big)}" in headers, headers)
            check("HEAD: Accept-Ranges and Last-Modified", "Accept-Ranges: bytes" in headers and
                  "Last-Modified: " in headers, headers)
            for target, code in (("/nothing.bin", b"404"), ("/esxi8", b"404"), ("/esxi8/", b"404"), ("/", b"404")):
                got = curl(lab, "-o", "/dev/null", "-w", "%{http_code}", f"{URL}{target}")
                check(f"GET {target}: {code.decode()}", got.stdout == code, got.stdout)
            got = curl(lab, "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", f"{URL}/big.bin")
            check("POST: 405", got.stdout == b"405", got.stdout)
            got = curl(lab, "-v", "-o", "/dev/null", "-o", "/dev/null", f"{URL}/one.bin", f"{URL}/esxi8/boot.cfg")
            check("keep-alive: the second request reuses the connection",
                  b"Re-using existing connection" in got.stderr or b"Reusing existing connection" in got.stderr,
                  got.stderr.decode(errors="replace")[-300:])

            escapes = ["/../secret.txt", "/esxi8/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                       "/.%2e/secret.txt", "/%2e./secret.txt", "/esxi8/%2e%2e/%2e%2e/secret.txt",
                       "/..%2fsecret.txt", "/..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/..%5csecret.txt",
                       "/..\\secret.txt", "/esxi8\\..\\..\\secret.txt", "/link-out", "/abs-link-out",
                       "/dir-out/secret2.txt", "/dir-out/../secret.txt", f"/{work}/secret.txt",
                       "/%2f" + work.lstrip("/") + "/secret.txt", "//" + work.lstrip("/") + "/secret.txt",
                       "/../../../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                       "/esxi8/..", "/esxi8/%2e%2e", "/..;/secret.txt", "/%252e%252e/secret.txt",
                       "/%c0%ae%c0%ae/secret.txt", "/%u002e%u002e/secret.txt", "/secret.txt%00.bin",
                       "/link-out%00", "/private.bin", "/esxi8/../private.bin", "/./../secret.txt",
                       "/.../secret.txt", "/esxi8/./../../secret.txt", "/%2e%2e%5c%2e%2e%5csecret.txt",
                       "/dir-out", "/dir-out/", "/" + "a/" * 2000 + "x", "/" + "%2e%2e/" * 50 + "secret.txt"]
            leaked = []
            for target in escapes:
                got = curl(lab, "--path-as-is", "-o", "-", "-w", "\n%{http_code}", f"{URL}{target}")
                body, _, code = got.stdout.rpartition(b"\n")
                if b"SECRET-OUTSIDE" in got.stdout or b"root:" in body or code in (b"200", b"206"):
                    leaked.append((target[:60], code))
            check(f"{len(escapes)} escape attempts: not one byte outside the root, no 2xx", not leaked, str(leaked))
            got = curl(lab, "-o", "/dev/null", "-w", "%{http_code}", f"{URL}/private.bin")
            check("a file that is not world-readable: 403 (the TFTP rule)", got.stdout == b"403", got.stdout)

            procs = [subprocess.Popen(["ip", "netns", "exec", lab.client, "curl", "-sS", "--max-time", "60",
                                       "-o", f"{work}/c{i}", f"{URL}/one.bin"]) for i in range(100)]
            codes = [p.wait(90) for p in procs]
            good = sum(1 for i in range(100)
                       if codes[i] == 0 and sha(open(f"{work}/c{i}", "rb").read()) == sha(files["one.bin"]))
            check(f"100 concurrent fetches of 1 MiB: {good} complete and correct", good == 100)

            subprocess.run(["ip", "netns", "exec", lab.client, "tftp", "-m", "binary", "192.168.1.70", "-c", "get",
                            "esxi8/boot.cfg", f"{work}/tftp.cfg"], capture_output=True, timeout=30)
            got = curl(lab, "-D", "-", "-o", "-", f"{URL}/metrics")
            text = got.stdout.decode(errors="replace")
            check("/metrics: Prometheus text", "text/plain; version=0.0.4" in text and "# TYPE " in text, text[:200])
            sent = re.search(r"^pxemasq_http_bytes_sent_total (\d+)$", text, re.M)
            expected = sum(len(d) for d in files.values()) + 100 * len(files["one.bin"])
            check(f"/metrics: http bytes sent >= what the clients fetched ({expected})",
                  sent is not None and int(sent.group(1)) >= expected, sent.group(0) if sent else text[-500:])
            by_code = {int(c): int(n) for c, n in
                       re.findall(r'^pxemasq_http_responses_total\{code="(\d{3})"\} (\d+)$', text, re.M)}
            ok = sum(n for c, n in by_code.items() if 200 <= c < 300)
            check("/metrics: 2xx responses counted (>= 110)", ok >= 110, str(by_code))
            errors = sum(n for c, n in by_code.items() if 400 <= c < 500)
            check(f"/metrics: 4xx responses counted (>= {len(escapes)})", errors >= len(escapes), str(by_code))
            tftp = re.search(r'^pxemasq_tftp_transfers_total\{result="completed"\} (\d+)$', text, re.M)
            check("/metrics: the TFTP transfer is counted", tftp is not None and int(tftp.group(1)) >= 1,
                  tftp.group(0) if tftp else "")
            log = open(log_path, errors="replace").read()
            check("log: HTTP sent lines", f"HTTP sent {root}/big.bin to 192.168.1.99" in log, log[-300:])
            check("daemon still running", daemon.poll() is None)
            daemon.send_signal(signal.SIGTERM)
            check("SIGTERM: exit 0", daemon.wait(15) == 0)
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait(5)
        if os.environ.get("PXQ_TEST_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    print(f"http: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
