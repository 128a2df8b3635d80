#!/usr/bin/env python3
"""Context switches of an idle `vidseg serve` with 50 kept-alive connections (issue 11: idle connections must
not wake the server). Usage: python3 bench/server_idle_wakeups.py [BINARY] (default build/vidseg)."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "build", "vidseg")
d = tempfile.mkdtemp(prefix="vidseg-idle-")
p = subprocess.Popen([binary, "serve", "--data", d + "/data", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
out = b""
while b"listening on" not in out:
    out += os.read(p.stdout.fileno(), 4096)
port = int(re.search(rb"127\.0\.0\.1:(\d+)", out).group(1))
def switches():
    t = 0
    for task in os.listdir(f"/proc/{p.pid}/task"):
        try:
            t += sum(int(l.split()[1]) for l in open(f"/proc/{p.pid}/task/{task}/status") if "ctxt_switches" in l)
        except FileNotFoundError:
            pass
    return t
time.sleep(1)
idle0 = switches(); time.sleep(4); idle_none = switches() - idle0
cs = []
for _ in range(50):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); cs.append(s)
for s in cs:
    s.settimeout(10); assert s.recv(12) == b"HTTP/1.1 200"
time.sleep(0.3)
a = switches(); t = time.time(); time.sleep(4); b = switches(); dt = time.time() - t
threads = len(os.listdir(f"/proc/{p.pid}/task"))
print(f"{binary}: no connections {idle_none/4:.0f} switches/s; 50 idle kept-alive connections {(b-a)/dt:.0f} switches/s ({threads} threads)")
p.terminate(); p.wait()
shutil.rmtree(d, ignore_errors=True)
