#!/usr/bin/env python3
"""Load benchmark of `vidseg serve` in embedded mode (issue 11, "Tests and figures", Load).

  build/pyenv-server/bin/python bench/server_load.py                  # the figures in bench/RESULTS.md
  build/pyenv-server/bin/python bench/server_load.py --uploads 10 --size-mb 50 --big-mb 300 --wrk-seconds 5

Everything runs on loopback against servers this script starts (each on a fresh data folder under --work,
removed afterwards unless --keep) and stops:
  (a) --uploads concurrent tus 1.0 uploads (tuspy, --chunk-mb PATCHes with Upload-Checksum sha1) of one
      generated video of --size-mb; every --resume-every'th upload is stopped half-way and resumed by a fresh
      client (HEAD + PATCH). Checked: the SHA-256 of every stored object under DATA/store equals the source's;
      measured: throughput, the server's peak RSS (VmHWM of /proc/PID/status) and CPU, then the arrival jobs.
  (b) `wrk --latency` on GET /api/videos with a Bearer token (a user owning videos from (a)) at
      --connections connections; when the server's --threads is below that, also at --threads connections
      and with --threads = --connections (comparisons). Each run also reports the server's OS threads.
  (c) one upload of --big-mb in a single streamed PATCH to a fresh server: peak RSS before and after.
The video is made once with ffmpeg (lavfi testsrc2 + noise, H.264 at ~200 Mb/s, AAC) into --work/media.
Every phase is bounded by --timeout seconds; a phase that overruns stops its server and is reported failed.
"""
import argparse
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import requests
from tusclient import client as tus_client

ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
SERVER_DEFAULT_THREADS = 256  # `vidseg serve --threads` (connections served at once)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 * MiB):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- media


def make_video(media_dir, size_mb):
    """A playable MP4 of about size_mb MiB: one encoded part of at most 200 MiB, copied n times by the
    concat demuxer (-c copy) when larger. Made once; its SHA-256 is cached beside it."""
    media_dir.mkdir(parents=True, exist_ok=True)
    target = media_dir / f"load_{size_mb}mb.mp4"
    if not target.exists():
        parts = max(1, math.ceil(size_mb / 200))
        part_mb = size_mb / parts
        part = media_dir / f"part_{part_mb:.0f}mb.mp4"
        if not part.exists():
            log(f"encoding {part.name} (1280x720 noise, ~200 Mb/s H.264 + AAC)")
            tmp = part.with_suffix(".tmp.mp4")
            subprocess.run(
                ["nice", "-n", "10", "ffmpeg", "-v", "error", "-y",
                 "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25,noise=alls=40:allf=t+u",
                 "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                 "-t", "600", "-fs", str(int(part_mb * MiB)),
                 "-c:v", "libx264", "-preset", "ultrafast", "-qp", "8", "-g", "50", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-b:a", "128k", str(tmp)], check=True)
            tmp.rename(part)
        if parts == 1:
            part.rename(target)
        else:
            log(f"concatenating {parts} copies of {part.name} into {target.name}")
            listing = media_dir / f"concat_{size_mb}.txt"
            listing.write_text("".join(f"file '{part.resolve()}'\n" for _ in range(parts)))
            tmp = target.with_suffix(".tmp.mp4")
            subprocess.run(["nice", "-n", "10", "ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0",
                            "-i", str(listing), "-c", "copy", str(tmp)], check=True)
            tmp.rename(target)
    sha_file = target.with_suffix(".sha256")
    if not sha_file.exists() or sha_file.stat().st_mtime < target.stat().st_mtime:
        sha_file.write_text(sha256_file(target))
    return target, sha_file.read_text().strip()


# ---------------------------------------------------------------- server


class Monitor:
    """Polls /proc/PID of the server: VmHWM (peak RSS), VmRSS and CPU seconds; marks name phases.
    reset_peak() starts a new VmHWM (Linux: "5" into /proc/PID/clear_refs), so that the logins' argon2id
    (64 MiB each, libsodium's interactive limit) do not hide the peak of the phase measured after them."""

    def __init__(self, pid, period=0.1):
        self.pid, self.period = pid, period
        self.max_rss_kb = 0
        self.marks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def reset_peak(self):
        """A new VmHWM from now on; returns the one before."""
        before = self.status().get("VmHWM", 0) / 1024
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        return before

    def status(self):
        fields = {}
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "Threads"):
                    fields[key] = int(value.split()[0])
            stat = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            fields["cpu_s"] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
        return fields

    def _run(self):
        while not self._stop.wait(self.period):
            self.max_rss_kb = max(self.max_rss_kb, self.status().get("VmRSS", 0))

    def mark(self, name):
        s = self.status()
        self.marks[name] = {"t": time.time(), "hwm_mib": s.get("VmHWM", 0) / 1024,
                            "rss_mib": s.get("VmRSS", 0) / 1024, "cpu_s": s.get("cpu_s", 0.0),
                            "threads": s.get("Threads", 0)}
        return self.marks[name]

    def stop(self):
        self._stop.set()
        self._thread.join()


class Server:
    def __init__(self, args, data, max_upload, threads=None):
        self.args, self.data, self.threads = args, Path(data), threads or args.threads
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.users = {}  # name -> token
        self.max_upload = max_upload
        self.proc = None

    def add_users(self, names):
        for name in names:
            password = secrets.token_urlsafe(18)
            subprocess.run([str(self.args.vidseg), "users", "add", name, "--role", "dl-user", "--password-stdin",
                            "--data", str(self.data)], input=password + "\n", text=True, check=True,
                           stdout=subprocess.DEVNULL)
            self.users[name] = password

    def start(self):
        command = [str(self.args.vidseg), "serve", "--data", str(self.data), "--listen", f"127.0.0.1:{self.port}",
                   "--max-upload", str(self.max_upload)]
        if self.threads:
            command += ["--threads", str(self.threads)]
        if self.args.keep_alive_requests:
            command += ["--keep-alive-requests", str(self.args.keep_alive_requests)]
        if self.args.workers is not None:
            command += ["--workers", str(self.args.workers)]
        if self.args.http_workers is not None:
            command += ["--http-workers", str(self.args.http_workers)]
        self.log_file = open(self.data.parent / f"{self.data.name}.server.log", "wb")
        self.proc = subprocess.Popen(command, stdout=self.log_file, stderr=self.log_file)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vidseg serve exited with {self.proc.returncode}; see {self.log_file.name}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("vidseg serve did not answer /healthz within 30 s")
        self.monitor = Monitor(self.proc.pid)
        tokens = {}
        for name, password in self.users.items():
            r = requests.post(self.base + "/api/login", json={"username": name, "password": password}, timeout=30)
            r.raise_for_status()
            tokens[name] = r.json()["token"]
        self.tokens = tokens
        return self

    def get(self, path, user):
        r = requests.get(self.base + path, headers={"Authorization": "Bearer " + self.tokens[user]}, timeout=60)
        r.raise_for_status()
        return r.json()

    def videos(self, user):
        return self.get("/api/videos", user)["videos"]

    def wait_ready(self, count, timeout):
        """Until every user's videos (count in all) left the arrival states; returns (seconds, states)."""
        started = time.time()
        while True:
            states = {}
            for user in self.users:
                for v in self.videos(user):
                    states[v["state"]] = states.get(v["state"], 0) + 1
            settled = sum(n for s, n in states.items() if s in ("ready", "error"))
            if settled >= count or time.time() - started > timeout:
                return time.time() - started, states
            time.sleep(1)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.monitor.stop()
            self.log_file.close()


def store_path(server, key):
    path = (server.data / "store" / key).resolve()
    if not str(path).startswith(str((server.data / "store").resolve()) + os.sep):
        raise RuntimeError(f"stored key {key!r} points outside the store")
    return path


# ---------------------------------------------------------------- (a) concurrent uploads


def tus_upload(server, user, source, name, args, resume):
    tus = tus_client.TusClient(server.base + "/api/uploads/",
                               headers={"Authorization": "Bearer " + server.tokens[user]})
    options = dict(chunk_size=args.chunk_mb * MiB, upload_checksum=not args.no_checksum)
    uploader = tus.uploader(str(source), metadata={"filename": name}, **options)
    resumed_at = None
    if resume:
        size = source.stat().st_size
        half = max(options["chunk_size"], (size // 2) // options["chunk_size"] * options["chunk_size"])
        uploader.upload(stop_at=min(half, size - 1))
        # A new client, as after a crash: it learns the offset with HEAD and sends the rest.
        uploader = tus.uploader(str(source), url=uploader.url, **options)
        resumed_at = uploader.offset
    uploader.upload()
    video_id = uploader.request.response_headers.get("vidseg-video-id")
    return {"name": name, "user": user, "video_id": int(video_id) if video_id else None, "resumed_at": resumed_at}


def phase_uploads(args, work, results):
    source, source_sha = make_video(work / "media", args.size_mb)
    size = source.stat().st_size
    need = args.uploads * size * 2.2 + 2 * size
    free = shutil.disk_usage(work).free
    if free < need:
        raise RuntimeError(f"(a) needs ~{need / 2**30:.1f} GiB free under {work}, {free / 2**30:.1f} GiB are")
    server = Server(args, tempfile.mkdtemp(prefix="data-a-", dir=work), max(size + MiB, 2 * 2**30))
    users = [f"load{i}" for i in range(min(args.users, args.uploads))]
    server.add_users(users)
    server.start()
    out = {"uploads": args.uploads, "file_bytes": size, "users": len(users), "chunk_mib": args.chunk_mb,
           "checksum": not args.no_checksum}
    try:
        out["peak_rss_mib_logins"] = server.monitor.reset_peak()
        before = server.monitor.mark("a_start")
        log(f"(a) {args.uploads} concurrent uploads of {size / MiB:.0f} MiB to {server.base} "
            f"(server RSS {before['rss_mib']:.0f} MiB)")
        started = time.time()
        with ThreadPoolExecutor(max_workers=args.uploads) as pool:
            futures = [pool.submit(tus_upload, server, users[i % len(users)], source, f"load_{i:03d}.mp4", args,
                                   args.resume_every > 0 and i % args.resume_every == 0)
                       for i in range(args.uploads)]
            done, pending = wait(futures, timeout=args.timeout)
            if pending:
                server.stop()  # the clients' requests fail and the threads end
                raise RuntimeError(f"(a) {len(pending)} uploads still running after {args.timeout} s")
        uploaded = time.time() - started
        after = server.monitor.mark("a_uploaded")
        failures = [f.exception() for f in futures if f.exception()]
        finished = [f.result() for f in futures if not f.exception()]
        out.update({"seconds": uploaded, "mib_per_s": args.uploads * size / MiB / uploaded,
                    "failed_uploads": len(failures), "failures": [repr(e)[:300] for e in failures[:5]],
                    "resumed": sum(1 for f in finished if f["resumed_at"] is not None),
                    "peak_rss_mib_uploads": after["hwm_mib"], "server_cpu_s_uploads": after["cpu_s"] - before["cpu_s"],
                    "rss_mib_start": before["rss_mib"], "server_threads": after["threads"]})
        log(f"(a) uploaded in {uploaded:.1f} s = {out['mib_per_s']:.0f} MiB/s, {len(failures)} failed, "
            f"peak RSS {after['hwm_mib']:.0f} MiB, server CPU {out['server_cpu_s_uploads']:.1f} s")

        # Checksums: every stored object against the source (and the server's own record).
        videos = [v for user in users for v in server.videos(user)]
        corrupt, missing = [], args.uploads - len(videos)
        t = time.time()
        for v in videos:
            if v["size"] != size or v["sha256"] != source_sha or sha256_file(store_path(server, v["key"])) != source_sha:
                corrupt.append(v["key"])
        out.update({"stored": len(videos), "missing": missing, "corrupt": len(corrupt), "corrupt_keys": corrupt[:5],
                    "verify_seconds": time.time() - t})
        log(f"(a) {len(videos)} stored, {missing} missing, {len(corrupt)} corrupt (SHA-256 of each object)")

        seconds, states = server.wait_ready(len(videos), args.timeout)
        final = server.monitor.mark("a_arrived")
        out.update({"arrival_wait_seconds": seconds, "arrival_states": states, "peak_rss_mib_with_arrivals":
                    final["hwm_mib"], "server_cpu_s_arrivals": final["cpu_s"] - after["cpu_s"]})
        log(f"(a) arrival jobs: {states} after {seconds:.0f} s more; peak RSS now {final['hwm_mib']:.0f} MiB")

        if "b" in args.only:
            threads = args.threads or SERVER_DEFAULT_THREADS
            counts = [args.connections] + ([threads] if threads < args.connections else [])
            results["b"] = {"user_videos": len(server.videos(users[0])), "seconds": args.wrk_seconds,
                            "server_threads": threads, "runs": phase_wrk(args, server, users[0], work, counts)}
        server.stop()
        if "b" in args.only and threads < args.connections:
            # The same catalog served by a thread per connection, for comparison.
            again = Server(args, server.data, server.max_upload, threads=args.connections)
            again.users = server.users
            again.start()
            try:
                results["b"]["runs"].update(phase_wrk(args, again, users[0], work, [args.connections]))
            finally:
                again.stop()
    finally:
        server.stop()
        out["peak_rss_mib_sampled"] = server.monitor.max_rss_kb / 1024
        results["a"] = out
        if not args.keep:
            shutil.rmtree(server.data, ignore_errors=True)


# ---------------------------------------------------------------- (b) API latency with wrk

WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(text):
    def ms(value):
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
        return float(number) * WRK_UNITS[unit]

    out = {"latency_ms": {m.group(1): ms(m.group(2))
                          for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", text, re.M)}}
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    out["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["requests_per_s"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {}
    m = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", text)
    out["latency_max_ms"] = ms(m.group(3)) if m else None
    return out


def phase_wrk(args, server, user, work, connection_counts):
    """wrk runs on GET /api/videos, keyed "CONNECTIONSc/THREADSt" (THREADS = the server's request threads)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package wrk; scripts/setup.sh installs it)")
    script = work / "wrk_auth.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {server.tokens[user]}"\n')
    listed = len(server.videos(user))
    threads = server.threads or SERVER_DEFAULT_THREADS
    out = {}
    for connections in connection_counts:
        before = server.monitor.mark(f"b_{connections}_start")
        command = ["wrk", "-t", str(args.wrk_threads), "-c", str(connections), "-d", f"{args.wrk_seconds}s",
                   "--timeout", "10s", "--latency", "-s", str(script), server.base + "/api/videos"]
        log(f"(b) {' '.join(command[:-3])} ... /api/videos ({listed} videos listed)")
        text = subprocess.run(command, capture_output=True, text=True, timeout=args.wrk_seconds + 60,
                              check=True).stdout
        after = server.monitor.mark(f"b_{connections}_end")
        run = parse_wrk(text)
        run.update({"connections": connections, "server_threads": threads, "server_os_threads": after["threads"],
                    "server_cpu_s": after["cpu_s"] - before["cpu_s"], "peak_rss_mib": after["hwm_mib"],
                    "wrk_output": text, "load_average": os.getloadavg()})
        run["server_cpu_ms_per_request"] = 1000 * run["server_cpu_s"] / max(1, run["requests"])
        out[f"{connections}c/{threads}t"] = run
        lat = run["latency_ms"]
        log(f"(b) {connections} connections, {threads} server threads: p50 {lat.get('50', float('nan')):.2f} ms, "
            f"p99 {lat.get('99', float('nan')):.2f} ms, {run['requests_per_s']:.0f} req/s, "
            f"non-2xx {run['non_2xx']}, socket errors {run['socket_errors']}, "
            f"server CPU {run['server_cpu_ms_per_request']:.3f} ms/request")
    return out


# ---------------------------------------------------------------- (c) one big streamed upload


def phase_big(args, work, results):
    source, source_sha = make_video(work / "media", args.big_mb)
    size = source.stat().st_size
    free = shutil.disk_usage(work).free
    if free < 3.2 * size:
        raise RuntimeError(f"(c) needs ~{3.2 * size / 2**30:.1f} GiB free under {work}, {free / 2**30:.1f} GiB are")
    server = Server(args, tempfile.mkdtemp(prefix="data-c-", dir=work), size + MiB)
    server.add_users(["big"])
    server.start()
    out = {"file_bytes": size}
    try:
        server.get("/api/videos", "big")
        out["peak_rss_mib_login"] = server.monitor.reset_peak()
        before = server.monitor.mark("c_start")
        headers = {"Authorization": "Bearer " + server.tokens["big"], "Tus-Resumable": "1.0.0"}
        r = requests.post(server.base + "/api/uploads/", timeout=30, headers={
            **headers, "Upload-Length": str(size), "Upload-Metadata": "filename bG9hZF9iaWcubXA0"})  # load_big.mp4
        r.raise_for_status()
        log(f"(c) one PATCH of {size / MiB:.0f} MiB (server RSS {before['rss_mib']:.0f} MiB, "
            f"peak {before['hwm_mib']:.0f} MiB)")
        started = time.time()
        with open(source, "rb") as f:
            r = requests.patch(server.base + r.headers["Location"], data=f, timeout=args.timeout, headers={
                **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(size)})
        seconds = time.time() - started
        after = server.monitor.mark("c_uploaded")
        ok = r.status_code == 204 and r.headers.get("Upload-Offset") == str(size)
        video = server.videos("big")[0] if ok else None
        intact = bool(video) and video["sha256"] == source_sha and sha256_file(store_path(server, video["key"])) == source_sha
        out.update({"status": r.status_code, "seconds": seconds, "mib_per_s": size / MiB / seconds, "intact": intact,
                    "rss_mib_before": before["rss_mib"], "peak_rss_mib_before": before["hwm_mib"],
                    "peak_rss_mib_after_upload": after["hwm_mib"], "server_cpu_s": after["cpu_s"] - before["cpu_s"]})
        log(f"(c) {r.status_code} in {seconds:.1f} s, stored object intact: {intact}, "
            f"peak RSS {before['hwm_mib']:.0f} -> {after['hwm_mib']:.0f} MiB")
        if ok:
            waited, states = server.wait_ready(1, args.timeout)
            final = server.monitor.mark("c_arrived")
            out.update({"arrival_seconds": waited, "arrival_states": states,
                        "peak_rss_mib_after_arrival": final["hwm_mib"]})
            log(f"(c) arrival job {states} after {waited:.0f} s; peak RSS {final['hwm_mib']:.0f} MiB")
    finally:
        server.stop()
        results["c"] = out
        if not args.keep:
            shutil.rmtree(server.data, ignore_errors=True)


# ---------------------------------------------------------------- report


def report(args, results):
    a, b, c = results.get("a"), results.get("b"), results.get("c")
    rows = []
    if a and "seconds" in a:
        rows.append(f"| (a) {a['uploads']} concurrent tus uploads x {a['file_bytes'] / MiB:.0f} MiB "
                    f"({a['resumed']} resumed half-way) | {a['seconds']:.1f} s, {a['mib_per_s']:.0f} MiB/s; "
                    f"corrupt {a['corrupt']}, missing {a['missing']}, failed {a['failed_uploads']} | 0 corrupt | "
                    f"{'PASS' if a['corrupt'] == 0 and a['missing'] == 0 and a['failed_uploads'] == 0 else 'MISSED'} |")
        peak = max(a["peak_rss_mib_logins"], a.get("peak_rss_mib_with_arrivals", 1e9))
        rows.append(f"| (a) server peak RSS (VmHWM): {a['users']} logins / the uploads / uploads + the {a['stored']} "
                    f"arrival jobs | {a['peak_rss_mib_logins']:.0f} / {a['peak_rss_mib_uploads']:.0f} / "
                    f"{a.get('peak_rss_mib_with_arrivals', float('nan')):.0f} MiB"
                    f" | < 300 MB | {'PASS' if peak * MiB < 300e6 else 'MISSED'} |")
    if b:
        for run in b["runs"].values():
            lat = run["latency_ms"]
            target = run["connections"] == args.connections and run["server_threads"] == b["server_threads"]
            rows.append(f"| (b) GET /api/videos ({b['user_videos']} videos), {run['connections']} connections, "
                        f"server --threads {run['server_threads']} | "
                        f"p50 {lat.get('50', float('nan')):.2f} ms, p99 {lat.get('99', float('nan')):.2f} ms, "
                        f"{run['requests_per_s']:.0f} req/s, non-2xx {run['non_2xx']}, server CPU "
                        f"{run['server_cpu_ms_per_request']:.2f} ms/req | "
                        + (f"p99 < 50 ms | {'PASS' if lat.get('99', 1e9) < 50 and run['non_2xx'] == 0 else 'MISSED'} |"
                           if target else "(comparison) | - |"))
    if c and "seconds" in c:
        grew = c["peak_rss_mib_after_upload"] - c["rss_mib_before"]
        rows.append(f"| (c) one {c['file_bytes'] / MiB:.0f} MiB PATCH: RSS before -> peak RSS of the upload "
                    f"(-> incl. its arrival job) | {c['rss_mib_before']:.0f} -> {c['peak_rss_mib_after_upload']:.0f}"
                    f" MiB (-> {c.get('peak_rss_mib_after_arrival', float('nan')):.0f}), {c['mib_per_s']:.0f} MiB/s, "
                    f"stored object intact: {c['intact']} | constant memory (growth < 64 MiB) | "
                    f"{'PASS' if c['intact'] and grew < 64 else 'MISSED'} |")
    table = "| benchmark | measured | target | result |\n|---|---|---|---|\n" + "\n".join(rows)
    print("\n" + table)
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vidseg", type=Path, default=ROOT / "build" / "vidseg")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "load")
    parser.add_argument("--only", default="abc", help="phases to run (b needs a): default abc")
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--users", type=int, default=5, help="the uploads are spread over this many dl-users")
    parser.add_argument("--chunk-mb", type=int, default=8, help="tus PATCH size")
    parser.add_argument("--no-checksum", action="store_true", help="no Upload-Checksum (sha1) per PATCH")
    parser.add_argument("--resume-every", type=int, default=5,
                        help="every Nth upload stops half-way and is resumed by a new client (0 = none)")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--big-mb", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=0,
                        help=f"the server's --threads (default: its own, {SERVER_DEFAULT_THREADS})")
    parser.add_argument("--keep-alive-requests", type=int, default=0,
                        help="the server's --keep-alive-requests (default: its own)")
    parser.add_argument("--workers", type=int, default=None, help="the server's --workers (default: its own)")
    parser.add_argument("--http-workers", type=int, default=None,
                        help="the server's --http-workers (request threads of its event loop; default: its own)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds each phase may take")
    parser.add_argument("--keep", action="store_true", help="keep the data folders")
    args = parser.parse_args()
    if not args.vidseg.exists():
        sys.exit(f"server_load: {args.vidseg} does not exist; build the vidseg target first")
    args.work.mkdir(parents=True, exist_ok=True)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "load_average": os.getloadavg(),
               "args": {k: str(v) for k, v in vars(args).items()}}
    failed = []
    try:
        if "a" in args.only:
            phase_uploads(args, args.work, results)
        if "c" in args.only:
            phase_big(args, args.work, results)
    except Exception as e:  # the phase's server is stopped; the figures so far are still reported
        failed.append(repr(e))
        log(f"FAILED: {e!r}")
    results["load_average_end"] = os.getloadavg()
    results["failed"] = failed
    results["table"] = report(args, results)
    (args.work / "results.json").write_text(json.dumps(results, indent=2))
    log(f"raw figures in {args.work / 'results.json'}; load average {results['load_average']} -> "
        f"{results['load_average_end']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
