"""`vidseg serve` (issue 11, continued): more than 1024 connections at once, the stop watcher asleep while
the server is idle, two users' uploads of one file name in one admin job, the intro fingerprint cache
across jobs, and a transcribe job cancelled while Whisper runs (the local worker, and an HTTP server's request). The real binary on a free loopback port,
as in test_server_api.py (whose helpers this module uses).

Environment: VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR (lesson.mp4, series/ep1..5.mp4).
"""
import copy
import json
import os
import resource
import shutil
import socket
import tempfile
import time

import pytest
import requests

from test_server_api import MEDIA, Server, api, login, tus_upload, wait_job
from whisper_stub_peer import WhisperStubPeer


@pytest.fixture(scope="module")
def data_dir():
    d = tempfile.mkdtemp(prefix="vidseg-serve-more-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def server(data_dir):
    s = Server(os.path.join(data_dir, "data"))
    yield s
    if s.proc.poll() is None:
        s.stop()


@pytest.fixture(scope="module")
def tokens(server):
    admin = login(server, "admin", server.password).json()["token"]
    out = {"admin": admin}
    for name in ("erin", "fred"):
        api(server, "POST", "/api/users", token=admin, expect=201,
            json={"username": name, "password": name + "-secret-pw", "role": "dl-user"})
        out[name] = login(server, name, name + "-secret-pw").json()["token"]
    return out


def videos_of(server, token):
    return {v["name"]: v["id"] for v in api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]}


def job_log(server, token, job_id):
    return [l["line"] for l in api(server, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{job_id}/log", token=token,
                                   expect=200).json()["lines"]]


def test_more_than_1024_connections_are_served(data_dir):
    # select()'s fd_set holds descriptors below 1024 only; the server waits with epoll and poll
    # (server/http_library.hpp) and raises its own soft limit on open files (here started with 1024).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 4096:
        pytest.skip(f"the hard limit on open files is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    try:
        s = Server(os.path.join(data_dir, "many-connections"))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 3000), hard))
    try:
        host, port = s.url[7:].split(":")
        idle = [socket.create_connection((host, int(port))) for _ in range(1100)]
        time.sleep(0.3)  # accepted by now
        server_fds = [int(fd) for fd in os.listdir(f"/proc/{s.proc.pid}/fd")]
        assert len(server_fds) > 1100 and max(server_fds) >= 1100, (len(server_fds), max(server_fds))
        # The newest connections have the server's highest descriptors; a new one too.
        for c in idle[-20:]:
            c.settimeout(10)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert c.recv(12) == b"HTTP/1.1 200"
        assert requests.get(s.url + "/healthz", timeout=10).status_code == 200
        for c in idle:
            c.close()
    finally:
        s.stop()


def test_stop_watcher_sleeps_while_idle(server):
    # The watcher that turns SIGINT/SIGTERM into a clean stop slept 200 ms in a loop (5 wake-ups a
    # second); it now waits on an eventfd that request_cancel() writes (core/stop_request.hpp).
    def watcher_switches():
        for task in os.listdir(f"/proc/{server.proc.pid}/task"):
            with open(f"/proc/{server.proc.pid}/task/{task}/comm") as f:
                if f.read().strip() != "vidseg-stop":
                    continue
            with open(f"/proc/{server.proc.pid}/task/{task}/status") as f:
                return sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        raise AssertionError("no thread named vidseg-stop")

    before = watcher_switches()
    time.sleep(2)
    assert watcher_switches() == before  # the 200 ms loop made ~10


def test_same_file_name_of_two_users_in_one_admin_job_and_fingerprint_cache(server, tokens):
    # erin's episodes 1-4, and fred's upload named like erin's first one but with episode 5 in it (no
    # intro): an admin's intro job over the five fetches five files (input/<video id>/<name>), reports both.
    for i in range(1, 5):
        tus_upload(server, tokens["erin"], os.path.join(MEDIA, "series", f"ep{i}.mp4"), f"ep{i}.mp4")
    tus_upload(server, tokens["fred"], os.path.join(MEDIA, "series", "ep5.mp4"), "ep1.mp4")
    erin, fred = videos_of(server, tokens["erin"]), videos_of(server, tokens["fred"])
    ids = [erin[f"ep{i}.mp4"] for i in range(1, 5)] + [fred["ep1.mp4"]]
    admin = tokens["admin"]
    body = {"kind": "intro detect", "video_ids": ids, "options": {"max-length": 30}}
    runs = []
    for _ in range(2):
        started = time.time()
        job = api(server, "POST", "/api/jobs", token=admin, json=body, expect=201).json()
        done, _ = wait_job(server, admin, job["id"])
        assert done["state"] == "finished", (done, job_log(server, admin, job["id"]))
        runs.append((job["id"], time.time() - started))

    job_id = runs[0][0]
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job_id}/files",
                                       token=admin, expect=200).json()["files"]}
    fred_stem = f"ep1_v{fred['ep1.mp4']}"
    assert {"edl/ep1.edl", f"edl/{fred_stem}.edl", "chapters/ep1.ffmetadata",
            f"chapters/{fred_stem}.ffmetadata"} <= set(files), sorted(files)
    get = lambda name: requests.get(server.url + files[name]["url"], headers={"Authorization": "Bearer " + admin},
                                    timeout=30)
    # erin's ep1 has its intro at 3 s, fred's "ep1.mp4" (ep5's content) none: two different results.
    assert get("edl/ep1.edl").text.endswith("\t3\n"), get("edl/ep1.edl").text
    # No intro: an empty EDL, answered as such (the server spun on empty files before).
    assert files[f"edl/{fred_stem}.edl"]["size"] == 0 and get(f"edl/{fred_stem}.edl").text == ""
    predictions = get("test_predictions.json").json()
    assert abs(predictions["ep1"][0] - 3) < 0.5 and predictions[fred_stem] == [], predictions
    report = get("intro.json").json()
    assert [e["video_id"] for e in report["episodes"]] == ids and report["usable"] == 5
    assert [e["episode"] for e in report["episodes"]][::4] == ["ep1.mp4", "ep1.mp4"]

    # The second run of the same season found every episode in the engine's fingerprint cache.
    first, second = (next(l for l in job_log(server, admin, j) if l.startswith("fingerprint cache:")) for j, _ in runs)
    assert first.startswith("fingerprint cache: 0 hit(s), ") and " 0 miss(es)" not in first, first
    assert " 0 miss(es)" in second and not second.startswith("fingerprint cache: 0 hit(s), 0 miss(es), 0 "), second


def test_transcribe_job_cancelled_while_whisper_runs(server, tokens):
    token = tokens["erin"]
    tus_upload(server, token, os.path.join(MEDIA, "lesson.mp4"), "lesson.mp4")
    lesson = videos_of(server, token)["lesson.mp4"]
    job = api(server, "POST", "/api/jobs", token=token, expect=201,
              json={"kind": "transcribe", "video_ids": [lesson], "options": {"whisper-language": "en"}}).json()
    wait_job(server, token, job["id"], states=("running",))
    deadline = time.time() + 120
    while api(server, "GET", "/api/jobs/{id}", path=f"/api/jobs/{job['id']}", token=token).json()["stage"] != "transcribe":
        assert time.time() < deadline, "the job never reached its transcribe stage"
        time.sleep(0.1)
    time.sleep(0.2)  # Whisper (the worker process) is loading or transcribing now
    cancelled_at = time.time()
    api(server, "POST", "/api/jobs/{id}/cancel", path=f"/api/jobs/{job['id']}/cancel", token=token, expect=200)
    done, _ = wait_job(server, token, job["id"], timeout=30)
    took = time.time() - cancelled_at
    assert done["state"] == "cancelled" and done["error"] == "cancelled", done
    assert took < 5, f"cancelled after {took:.1f} s"  # not after the whole transcription
    # The Whisper worker process is gone with the job.
    def children():  # of every thread of the server (a job thread spawned the worker)
        out = []
        for task in os.listdir(f"/proc/{server.proc.pid}/task"):
            try:
                out += open(f"/proc/{server.proc.pid}/task/{task}/children").read().split()
            except FileNotFoundError:
                pass
        return out

    deadline = time.time() + 10
    while children() and time.time() < deadline:
        time.sleep(0.1)
    assert children() == []


def test_transcribe_job_with_the_http_backend_cancelled_mid_request(data_dir):
    # A Whisper server that takes two minutes per request (whisper_stub_peer.py, a TEST STUB PEER standing in
    # for an OpenAI-compatible server): the cancel must end the job's in-flight HTTP request, not wait for it.
    stub = WhisperStubPeer(delay=120)
    os.environ["VIDSEG_WHISPER_URL"] = stub.url
    try:
        s = Server(os.path.join(data_dir, "http-whisper"))
    finally:
        del os.environ["VIDSEG_WHISPER_URL"]
    try:
        token = login(s, "admin", s.password).json()["token"]
        tus_upload(s, token, os.path.join(MEDIA, "lesson.mp4"), "lesson.mp4")
        lesson = videos_of(s, token)["lesson.mp4"]
        job = api(s, "POST", "/api/jobs", token=token, expect=201,
                  json={"kind": "transcribe", "video_ids": [lesson], "options": {"whisper-backend": "http"}}).json()
        deadline = time.time() + 120
        while stub.count == 0:
            assert time.time() < deadline, ("the job never sent its request", job_log(s, token, job["id"]))
            time.sleep(0.05)
        time.sleep(0.3)  # the request is in flight: the stub is "transcribing"
        cancelled_at = time.time()
        api(s, "POST", "/api/jobs/{id}/cancel", path=f"/api/jobs/{job['id']}/cancel", token=token, expect=200)
        done, _ = wait_job(s, token, job["id"], timeout=30)
        took = time.time() - cancelled_at
        assert done["state"] == "cancelled" and done["error"] == "cancelled", (done, job_log(s, token, job["id"]))
        assert took < 5, f"cancelled after {took:.1f} s"  # not after the stub's two minutes
        # The job hung up on the stub (its connection closed while the stub was still working).
        deadline = time.time() + 5
        while stub.hung_up == 0 and time.time() < deadline:
            time.sleep(0.1)
        assert (stub.count, stub.hung_up) == (1, 1)
    finally:
        s.stop()
        stub.stop()


def test_dataset_build_of_two_users_same_named_videos(server, tokens):
    # erin's and fred's uploads are both "lesson.mp4"; the Label Studio tasks the server makes carry
    # data.vidseg_video_id, which tells the two apart in an admin's dataset build job (two lessons).
    for user in ("erin", "fred"):
        if "lesson.mp4" not in videos_of(server, tokens[user]):
            tus_upload(server, tokens[user], os.path.join(MEDIA, "lesson.mp4"), "lesson.mp4")
    erin, fred = videos_of(server, tokens["erin"])["lesson.mp4"], videos_of(server, tokens["fred"])["lesson.mp4"]
    admin = tokens["admin"]
    deadline = time.time() + 120
    while {v["state"] for v in api(server, "GET", "/api/videos", token=admin, expect=200).json()["videos"]
           if v["id"] in (erin, fred)} != {"ready"}:
        assert time.time() < deadline, "the uploads never became ready"
        time.sleep(0.2)
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "dataset", "lesson_export.json")
    [template] = json.load(open(source))
    tasks = []
    for task_id, video_id in ((11, erin), (21, fred)):
        task = copy.deepcopy(template)
        task["id"] = task_id
        task["data"]["vidseg_video_id"] = video_id
        tasks.append(task)
    body = {"kind": "dataset build", "video_ids": [erin, fred], "options": {"keyframe": "middle"},
            "inputs": {"annotations": tasks}}
    job = api(server, "POST", "/api/jobs", token=admin, json=body, expect=201).json()
    done, _ = wait_job(server, admin, job["id"])
    assert done["state"] == "finished", (done, job_log(server, admin, job["id"]))
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=admin, expect=200).json()["files"]}
    metadata = requests.get(server.url + files["metadata.jsonl"]["url"], headers={"Authorization": "Bearer " + admin},
                            timeout=30).text
    rows = [json.loads(line) for line in metadata.splitlines() if line]
    lessons = sorted({row["lesson"] for row in rows})
    assert lessons == ["lesson", f"lesson_v{fred}"], lessons
    assert sorted(r["file_name"].split("/")[-1].rsplit("_", 3)[1] for r in rows) == ["11"] * 4 + ["21"] * 4, rows
    assert [r["lesson"] for r in rows if "_21_" in r["file_name"]] == [f"lesson_v{fred}"] * 4

    # fred's task without its video id fits both videos by name: refused, both named.
    del tasks[1]["data"]["vidseg_video_id"]
    job = api(server, "POST", "/api/jobs", token=admin, json=body, expect=201).json()
    done, _ = wait_job(server, admin, job["id"])
    assert done["state"] == "error", done
    assert "task 2 (id 21), annotation 1: " in done["error"] and "its video 'lesson.mp4' fits 2 videos: " in done["error"], done["error"]
    assert f"lesson.mp4 (video {erin}) and " in done["error"] and f"lesson.mp4 (video {fred}) by file name" in done["error"]
