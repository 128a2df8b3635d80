"""The shared deployment end to end: a real PostgreSQL server on loopback (tests/peers/postgres.sh:
Debian's initdb + pg_ctl), `vidseg serve --db postgresql://... --workers 0` (the server runs no jobs) and
three `vidseg worker` processes sharing the catalog and the storage: a folder, or a real S3 server
(versitygw, tests/peers/versitygw.sh) on loopback. 30 prepare jobs are submitted
through the API; one worker is killed with SIGKILL while it runs a job. Every job must finish exactly
once: state finished, one "finished" line in its log, its result files listed once and present once in
the store, the killed job run again (attempt 2) after its lease expired, every other job at attempt 1.
Then a worker stopped with SIGTERM mid-job exits 0 and its job is queued again and finished by another.

Environment: VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR (h264_gop2.mp4), VIDSEG_SOURCE_DIR, VIDSEG_VERSITYGW
(optional: the versitygw binary, else tests/peers/versitygw.sh's cached build).
"""
import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
from test_server_api import MEDIA, VIDEO, VIDSEG, Server, api, login, tus_upload, wait_job  # noqa: E402
from whisper_stub_peer import WhisperStubPeer  # noqa: E402

SOURCE = os.environ.get("VIDSEG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PEER = os.path.join(SOURCE, "tests", "peers", "postgres.sh")
LEASE = "3"  # seconds: a dead worker's job runs again within a few seconds
S3_ACCESS, S3_SECRET, S3_BUCKET = "vidsegtest", "vidseg-secret-key-for-tests", "ppi-platform"


@pytest.fixture(scope="module")
def workdir():
    d = tempfile.mkdtemp(prefix="vidseg-pg-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres(workdir):
    out = subprocess.run(["bash", PEER, "start", workdir], capture_output=True, text=True)
    assert out.returncode == 0, "PostgreSQL did not start: " + out.stderr
    url = out.stdout.strip().splitlines()[0]
    yield url
    subprocess.run(["bash", PEER, "stop", workdir], capture_output=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FolderStorage:
    """A storage folder every process shares; results checked on disk."""

    def __init__(self, workdir):
        self.root = os.path.join(workdir, "store")
        self.args = ["--storage", self.root]

    def check_job_files(self, server, token, job_id, files, killed_job):
        folder = os.path.join(self.root, "admin", "jobs", str(job_id))
        on_disk = sorted(os.path.relpath(os.path.join(d, f), folder)
                         for d, _, fs in os.walk(folder) for f in fs if not f.endswith(".vidseg-meta.json"))
        # The store's own view: temp files (".vidseg-tmp-") are not objects. Only the killed
        # worker can have left one (its write cut by SIGKILL); every object is there once.
        temps = [f for f in on_disk if ".vidseg-tmp-" in f]
        assert not temps or job_id == killed_job, (job_id, temps)
        assert [f for f in on_disk if f not in temps] == sorted(f["name"] for f in files), (job_id, on_disk)
        for f in files:
            assert os.path.getsize(os.path.join(folder, f["name"])) == f["size"]

    def read_object(self, key):
        path = os.path.join(self.root, key)
        return open(path, "rb").read() if os.path.isfile(path) else None

    def keys(self, prefix):
        found = []
        for d, _, fs in os.walk(self.root):
            for f in fs:
                key = os.path.relpath(os.path.join(d, f), self.root)
                if key.startswith(prefix) and not f.endswith(".vidseg-meta.json") and ".vidseg-tmp-" not in f:
                    found.append(key)
        return sorted(found)

    def stop(self):
        pass


class S3Storage:
    """A real S3 server (versitygw) on loopback with one bucket; results fetched through the API's
    download route, which redirects to presigned URLs of that server."""

    def __init__(self, workdir):
        binary = os.environ.get("VIDSEG_VERSITYGW") or subprocess.run(
            ["bash", os.path.join(SOURCE, "tests", "peers", "versitygw.sh")], capture_output=True, text=True,
            check=True).stdout.strip()
        data = os.path.join(workdir, "s3")
        os.makedirs(data)
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([binary, "--quiet", "--access", S3_ACCESS, "--secret", S3_SECRET,
                                      "--port", f"127.0.0.1:{port}", "posix", data],
                                     stdout=subprocess.DEVNULL, stderr=open(data + ".log", "wb"))
        deadline = time.time() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.time() < deadline and self.proc.poll() is None, "versitygw did not start"
            time.sleep(0.1)
        made = subprocess.run(["curl", "-sf", "-X", "PUT", "--aws-sigv4", "aws:amz:us-east-1:s3",
                               "--user", f"{S3_ACCESS}:{S3_SECRET}", "-H",
                               "x-amz-content-sha256: " + hashlib.sha256(b"").hexdigest(),
                               f"{self.endpoint}/{S3_BUCKET}"], capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
        os.environ["VIDSEG_S3_ACCESS_KEY"], os.environ["VIDSEG_S3_SECRET_KEY"] = S3_ACCESS, S3_SECRET
        self.args = ["--storage", f"s3://{S3_BUCKET}/platform", "--s3-endpoint", self.endpoint]

    def check_job_files(self, server, token, job_id, files, killed_job):
        for f in files:
            assert f["url"].startswith(self.endpoint + f"/{S3_BUCKET}/platform/admin/jobs/{job_id}/"), f
            body = requests.get(f["url"], timeout=60)
            assert body.status_code == 200 and len(body.content) == f["size"], (job_id, f["name"])

    def signed_get(self, path):
        return subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3",
                               "--user", f"{S3_ACCESS}:{S3_SECRET}", "-H",
                               "x-amz-content-sha256: " + hashlib.sha256(b"").hexdigest(),
                               f"{self.endpoint}/{S3_BUCKET}{path}"], capture_output=True, check=True).stdout

    def read_object(self, key):
        body, _, status = self.signed_get("/platform/" + key).rpartition(b"\n")
        return body if status == b"200" else None

    def keys(self, prefix):
        listing = self.signed_get("/?list-type=2&prefix=" + urllib.parse.quote("platform/" + prefix, safe="")).decode()
        return sorted(k[len("platform/"):] for k in re.findall(r"<Key>([^<]+)</Key>", listing))

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        for name in ("VIDSEG_S3_ACCESS_KEY", "VIDSEG_S3_SECRET_KEY"):
            os.environ.pop(name, None)


@pytest.fixture(params=["folder", "s3"])
def storage(request, workdir):
    kind = {"folder": FolderStorage, "s3": S3Storage}[request.param]
    s = kind(tempfile.mkdtemp(prefix=request.param + "-", dir=workdir))
    yield s
    s.stop()


@pytest.fixture
def postgres_db(postgres, workdir):
    """A new database on the server for one test, and a folder of its own: (url, folder)."""
    name = "t" + str(len(os.listdir(workdir)))
    sql(postgres, f"CREATE DATABASE {name}")
    return postgres.rsplit("/", 1)[0] + "/" + name, tempfile.mkdtemp(prefix=name + "-", dir=workdir)


def sql(url, query):
    """One query through psql (the test's own view of the catalog)."""
    m = re.match(r"postgresql://(\w+)@([\d.]+):(\d+)/(\w+)", url)
    out = subprocess.run(["psql", "-h", m[2], "-p", m[3], "-U", m[1], "-d", m[4], "-Atc", query],
                         capture_output=True, text=True, check=True)
    return [line.split("|") for line in out.stdout.splitlines()]


class Worker:
    def __init__(self, name, url, storage_args, workdir, env=None):
        self.name = name
        self.log = open(os.path.join(workdir, name + ".log"), "ab")
        self.proc = subprocess.Popen(
            [VIDSEG, "worker", "--db", url, *storage_args, "--name", name, "--lease", LEASE,
             "--work-dir", os.path.join(workdir, name + "-work")],
            stdout=subprocess.PIPE, stderr=self.log, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = os.read(self.proc.stdout.fileno(), 4096).decode() if ready else ""
        assert f"vidseg worker {name}: running" in line, (line, self.proc.poll())


def submit_prepare_jobs(server, token, video_id, count):
    """`count` cheap prepare jobs of one video (3-s segments, stream copy); their ids."""
    return [api(server, "POST", "/api/jobs", token=token, expect=201,
                json={"kind": "prepare", "video_ids": [video_id], "options": {"segment": 3, "mode": "copy"}}
                ).json()["id"] for _ in range(count)]


def job_log(server, token, job_id):
    lines = api(server, "GET", "/api/jobs/{id}/log", token=token, path=f"/api/jobs/{job_id}/log", expect=200)
    return [line["line"] for line in lines.json()["lines"]]


def running_job_of(url, worker, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        rows = sql(url, f"SELECT id FROM jobs WHERE state = 'running' AND worker = '{worker}'")
        if rows:
            return int(rows[0][0])
        time.sleep(0.05)
    raise AssertionError(f"worker {worker} never ran a job")


def test_workers_share_the_queue_and_a_killed_workers_job_runs_once_more(postgres_db, storage):
    url, workdir = postgres_db
    server = Server(os.path.join(workdir, "data"), "--db", url, *storage.args, "--workers", "0")
    workers = []
    try:
        token = login(server, "admin", server.password).json()["token"]
        workers = [Worker(f"w{i}", url, storage.args, workdir) for i in (1, 2, 3)]
        tus_upload(server, token, VIDEO, "lesson.mp4")
        videos = api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]
        assert len(videos) == 1
        arrival = [j for j in api(server, "GET", "/api/jobs", token=token, expect=200).json()["jobs"]
                   if j["kind"] == "arrival"][0]
        assert wait_job(server, token, arrival["id"])[0]["state"] == "finished"

        ids = submit_prepare_jobs(server, token, videos[0]["id"], 30)
        victim = workers[1]
        killed_job = running_job_of(url, victim.name)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()

        jobs = {i: wait_job(server, token, i, timeout=600)[0] for i in ids}
        assert {j["state"] for j in jobs.values()} == {"finished"}, {i: j["error"] for i, j in jobs.items()}
        # The killed job ran twice (its lease expired, another worker claimed it); no other job did.
        assert jobs[killed_job]["attempts"] == 2
        assert [i for i in ids if i != killed_job and jobs[i]["attempts"] != 1] == []
        killed_log = job_log(server, token, killed_job)
        assert f"started (attempt 1, worker {victim.name})" in killed_log, killed_log
        assert any(l.startswith("queued again: the lease of its worker expired") for l in killed_log), killed_log
        assert any(re.fullmatch(r"started \(attempt 2, worker w[13]\)", l) for l in killed_log), killed_log

        expected_names = None
        for i in ids:
            log = job_log(server, token, i)
            assert log.count("finished") == 1, (i, log)  # ended exactly once
            files = api(server, "GET", "/api/jobs/{id}/files", token=token, path=f"/api/jobs/{i}/files",
                        expect=200).json()["files"]
            names = [f["name"] for f in files]
            assert len(names) == len(set(names)), (i, names)
            expected_names = expected_names or sorted(names)
            assert sorted(names) == expected_names, i  # the same video and options: the same results
            assert "tasks.json" in names and "manifest.json" in names
            storage.check_job_files(server, token, i, files, killed_job)
        rows = sql(url, "SELECT state, count(*), sum(attempts) FROM jobs WHERE kind = 'prepare' GROUP BY state")
        assert rows == [["finished", "30", "31"]]

        # SIGTERM mid-job: the worker hands its job back and exits 0; another worker finishes it.
        # A job already past its last cancellation point (storing its results) finishes on the stopping
        # worker instead; then the signal came too late for this check and it is tried again.
        for attempt in range(4):
            more = submit_prepare_jobs(server, token, videos[0]["id"], 4)
            stopping = workers[0]
            stopped_job = running_job_of(url, stopping.name)
            stopping.proc.send_signal(signal.SIGTERM)
            assert stopping.proc.wait(timeout=60) == 0
            kept = os.path.join(workdir, stopping.name + "-work", f"job-{stopped_job}")
            interrupted = f"interrupted: worker {stopping.name} is stopping; queued again"
            if interrupted in job_log(server, token, stopped_job):
                break
            for i in more:
                assert wait_job(server, token, i, timeout=300)[0]["state"] == "finished"
            workers[0] = Worker(stopping.name, url, storage.args, workdir)
        else:
            raise AssertionError("SIGTERM never reached a worker mid-job in 4 tries")
        assert os.path.isdir(kept)  # the interrupted job's work folder stays for a resume here
        for i in more:
            assert wait_job(server, token, i, timeout=300)[0]["state"] == "finished"
        log = job_log(server, token, stopped_job)
        assert interrupted in log, log
        assert log.count("finished") == 1 and log[-1] == "finished", log
        assert any(re.fullmatch(r"started \(attempt 2, worker w3\)", l) for l in log), "\n".join(log)
        # Restarted on the same work folder: the job it kept a folder for has ended elsewhere.
        workers[0] = Worker(stopping.name, url, storage.args, workdir)
        assert not os.path.exists(kept)
    finally:
        stop_peers(workers, server)


def journal_artifacts(text):
    """The finished artifacts a dataset build journal vouches for (dataset/build_manifest.hpp's rules):
    {(fragment, artifact): key}."""
    done = {}
    for line in (text or b"").decode().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("reset"):
            done.clear()
        elif entry["key"]:
            done[(entry["item"], entry["artifact"])] = entry["key"]
        else:
            done.pop((entry["item"], entry["artifact"]), None)
    return done


def job_file_digests(server, token, job_id):
    files = api(server, "GET", "/api/jobs/{id}/files", token=token, path=f"/api/jobs/{job_id}/files",
                expect=200).json()["files"]
    digests = {}
    for f in files:
        url = f["url"] if f["url"].startswith("http") else server.url + f["url"]
        body = requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=60)
        assert body.status_code == 200, (f["name"], body.status_code)
        digests[f["name"]] = hashlib.sha256(body.content).hexdigest()
    return digests


def stop_peers(workers, server, stub=None):
    """The end of a test: its workers (SIGTERM), the server and the Whisper stand-in if any."""
    for w in workers:
        if w.proc.poll() is None:
            w.proc.send_signal(signal.SIGTERM)
            w.proc.wait(timeout=60)
    if server.proc.poll() is None:
        server.stop()
    if stub is not None:
        stub.stop()


def test_a_killed_workers_dataset_build_resumes_on_another_machine(postgres_db, storage):
    """Two workers with different work folders (two machines). The first is killed (SIGKILL) in the
    middle of a dataset build whose transcripts come slowly from a Whisper stand-in; the second claims
    the job after the lease, restores the finished clips, keyframes, WAVs and transcripts from the
    checkpoint in the store, asks the Whisper stand-in only for the transcripts that were missing, and its
    result equals an uninterrupted run's, file by file."""
    url, workdir = postgres_db
    stub = WhisperStubPeer(delay=2.0)
    server = Server(os.path.join(workdir, "data"), "--db", url, *storage.args, "--workers", "0")
    env = {**os.environ, "VIDSEG_WHISPER_URL": stub.url}
    workers = []
    try:
        token = login(server, "admin", server.password).json()["token"]
        workers.append(Worker("m1", url, storage.args, workdir, env=env))
        tus_upload(server, token, os.path.join(MEDIA, "lesson.mp4"), "lesson.mp4")
        [arrival] = api(server, "GET", "/api/jobs", token=token, expect=200).json()["jobs"]
        assert wait_job(server, token, arrival["id"])[0]["state"] == "finished"
        [video] = api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]
        export = json.load(open(os.path.join(SOURCE, "tests", "data", "dataset", "lesson_export.json")))
        body = {"kind": "dataset build", "video_ids": [video["id"]],
                "options": {"keyframe": "middle", "whisper-backend": "http"}, "inputs": {"annotations": export}}
        job = api(server, "POST", "/api/jobs", token=token, json=body, expect=201).json()["id"]
        journal_key = f".checkpoints/job-{job}/.vidseg-journal.jsonl"

        def saved_transcripts():
            return [k for k in journal_artifacts(storage.read_object(journal_key)) if k[1] == "transcript"]

        deadline = time.time() + 240
        while len(saved_transcripts()) < 2:
            assert time.time() < deadline, ("no checkpoint with 2 transcripts", job_log(server, token, job))
            time.sleep(0.1)
        workers[0].proc.send_signal(signal.SIGKILL)
        workers[0].proc.wait()
        requests_at_kill = stub.count
        saved = journal_artifacts(storage.read_object(journal_key))  # final: the dead worker writes no more
        fragments = {item for item, _ in saved}
        transcripts = [k for k in saved if k[1] == "transcript"]
        assert len(transcripts) < 4, "the first worker finished before it was killed: no resume to test"
        # The checkpoint holds every file its journal vouches for (clips, keyframes, WAVs, transcripts).
        stored = storage.keys(f".checkpoints/job-{job}/")
        assert any(k.endswith(".mp4") for k in stored) and any(k.endswith(".wav") for k in stored), stored

        workers.append(Worker("m2", url, storage.args, workdir, env=env))  # its own, empty work folder
        done = wait_job(server, token, job, timeout=300)[0]
        log = job_log(server, token, job)
        assert done["state"] == "finished" and done["attempts"] == 2, (done, log)
        restored = [l for l in log if l.startswith("restored ")]
        assert len(restored) == 1 and re.fullmatch(
            rf"restored {len(saved)} finished artifact\(s\) of {len(fragments)} fragment\(s\) \(\d+ file\(s\)\) "
            r"from the checkpoint in the store, saved by an earlier attempt", restored[0]), log
        assert any(re.fullmatch(r"started \(attempt 2, worker m2\)", l) for l in log), log
        [built] = [re.fullmatch(r"built 4 fragment\(s\), 0 excluded in review, (\d+) transcript\(s\) made; "
                                r"(\d+) artifact\(s\) reused, (\d+) made", l) for l in log if l.startswith("built ")]
        assert built and int(built[1]) == 4 - len(transcripts) and int(built[2]) == len(saved), log
        # Only the transcripts the checkpoint lacked were asked for again.
        assert stub.count - requests_at_kill == 4 - len(transcripts), (stub.count, requests_at_kill, transcripts)
        deadline = time.time() + 30  # the ended job's checkpoint goes (removed right after the job's end)
        while storage.keys(f".checkpoints/job-{job}/"):
            assert time.time() < deadline, storage.keys(f".checkpoints/job-{job}/")
            time.sleep(0.2)

        # The same job without an interruption: the same files, byte for byte.
        again = api(server, "POST", "/api/jobs", token=token, json=body, expect=201).json()["id"]
        assert wait_job(server, token, again, timeout=300)[0]["state"] == "finished"
        resumed, uninterrupted = job_file_digests(server, token, job), job_file_digests(server, token, again)
        assert "metadata.jsonl" in resumed and len([n for n in resumed if n.startswith("transcripts/")]) == 8
        assert resumed == uninterrupted
    finally:
        stop_peers(workers, server, stub)


def test_worker_refuses_a_missing_catalog_or_storage(postgres):
    out = subprocess.run([VIDSEG, "worker", "--storage", "/tmp/x"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "--db postgresql://" in out.stderr, out.stderr
    out = subprocess.run([VIDSEG, "worker", "--db", postgres], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "--storage" in out.stderr, out.stderr
    help_text = subprocess.run([VIDSEG, "worker", "--help"], capture_output=True, text=True, timeout=30).stdout
    for option in ("--db", "--storage", "--s3-endpoint", "--concurrency", "--lease", "SIGTERM"):
        assert option in help_text, option


def test_label_studio_tables_on_postgresql(postgres_db):
    """The Label Studio connection's catalog tables (migration 2) on PostgreSQL: a project recorded before Label
    Studio is called (here unreachable: state error, nothing else), webhook deliveries stored and replaced by
    annotation id. The real Label Studio round trip is tests/python/test_label_studio_platform.py."""
    url, folder = postgres_db
    nowhere = f"http://127.0.0.1:{free_port()}"
    server = Server(os.path.join(folder, "data"), "--db", url, "--label-studio-url", nowhere,
                    "--label-studio-token", "0123456789abcdef0123456789abcdef01234567",
                    "--label-studio-webhook-secret", "pg-secret")
    try:
        token = login(server, "admin", server.password).json()["token"]
        tus_upload(server, token, VIDEO, "pg_lesson.mp4")
        deadline = time.time() + 120
        while True:
            [video] = api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]
            if video["state"] == "ready" or time.time() > deadline:
                break
            time.sleep(0.3)
        assert video["state"] == "ready", video
        r = api(server, "POST", "/api/labelstudio/projects", token=token, expect=502,
                json={"name": "PG lessons", "patterns": "Работа в команде У\n", "video_ids": [video["id"]]})
        assert r.json()["error"]["code"] == "labelstudio_unreachable"
        [project] = api(server, "GET", "/api/labelstudio/projects", token=token, expect=200).json()["projects"]
        assert project["state"] == "error" and nowhere in project["error"] and project["labelstudio_id"] is None
        assert [p["name"] for p in project["patterns"]] == ["Работа в команде У"]
        r = api(server, "POST", "/api/labelstudio/projects/{id}/pull", path=f"/api/labelstudio/projects/{project['id']}/pull",
                token=token, expect=409)
        assert r.json()["error"]["code"] == "labelstudio_not_created"
        # 2 Label Studio, 3 intro corrections, 4 languages, 5 lease expiries, 6 webhook history
        assert sql(url, "SELECT version FROM vidseg_schema") == [["6"]]
        # As if Label Studio had created it as project 7: its webhooks are stored, the second replacing the first.
        sql(url, f"UPDATE label_studio_projects SET remote_id = 7 WHERE id = {project['id']}")
        for end in (3.0, 4.0):
            hook = {"action": "ANNOTATION_UPDATED", "project": {"id": 7},
                    "task": {"id": 70, "data": {"vidseg_video_id": video["id"]}},
                    "annotation": {"id": 700, "completed_by": 1, "task": 70, "result": [
                        {"id": "r", "from_name": "pattern_intervals", "to_name": "audio", "type": "labels",
                         "value": {"start": 1.0, "end": end, "labels": ["Работа в команде У"]}}]}}
            r = api(server, "POST", "/api/labelstudio/webhook", json=hook, headers={"X-Vidseg-Webhook-Secret": "pg-secret"},
                    expect=200)
            assert r.json()["stored"] == 1
        stored = api(server, "GET", "/api/labelstudio/projects/{id}/annotations",
                     path=f"/api/labelstudio/projects/{project['id']}/annotations", token=token, expect=200).json()
        [a] = stored["annotations"]
        assert a["id"] == 700 and a["video_id"] == video["id"] and a["source"] == "webhook"
        assert a["annotation"]["result"][0]["value"]["end"] == 4.0
        # Both deliveries in the project's webhook history (migration 6), newest first.
        hooks = api(server, "GET", "/api/labelstudio/projects/{id}/webhook",
                    path=f"/api/labelstudio/projects/{project['id']}/webhook", token=token, expect=200).json()
        assert [(d["action"], d["annotation"], d["task"], d["outcome"]) for d in hooks["deliveries"]] == \
            [("ANNOTATION_UPDATED", 700, 70, "stored")] * 2 and hooks["last"] == hooks["deliveries"][0]
        r = api(server, "GET", "/api/labelstudio/projects/{id}/agreement",
                path=f"/api/labelstudio/projects/{project['id']}/agreement", token=token, expect=409)
        assert r.json()["error"]["code"] == "not_enough_annotators"
    finally:
        server.stop()


def test_a_separate_workers_transcribe_job_cancelled_mid_whisper_request(postgres_db):
    """A cancel asked of the server reaches a job on a separate `vidseg worker` while one long request to
    the Whisper server is in flight (the job writes no progress then): the worker's heartbeat reads the
    request and the engine's token aborts the request. whisper_stub_peer.py is a TEST STUB PEER standing in
    for an OpenAI-compatible Whisper server (two minutes per request)."""
    url, workdir = postgres_db
    stub = WhisperStubPeer(delay=120)
    storage = FolderStorage(tempfile.mkdtemp(prefix="folder-", dir=workdir))
    server = Server(os.path.join(workdir, "data"), "--db", url, *storage.args, "--workers", "0")
    workers = []
    try:
        token = login(server, "admin", server.password).json()["token"]
        workers.append(Worker("w1", url, storage.args, workdir, env={**os.environ, "VIDSEG_WHISPER_URL": stub.url}))
        tus_upload(server, token, os.path.join(MEDIA, "lesson.mp4"), "lesson.mp4")
        [arrival] = api(server, "GET", "/api/jobs", token=token, expect=200).json()["jobs"]
        assert wait_job(server, token, arrival["id"])[0]["state"] == "finished"
        [video] = api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]
        job = api(server, "POST", "/api/jobs", token=token, expect=201,
                  json={"kind": "transcribe", "video_ids": [video["id"]],
                        "options": {"whisper-backend": "http"}}).json()["id"]
        deadline = time.time() + 120
        while stub.count == 0:
            assert time.time() < deadline, ("the job never sent its request", job_log(server, token, job))
            time.sleep(0.05)
        time.sleep(0.3)  # the request is in flight
        cancelled_at = time.time()
        api(server, "POST", "/api/jobs/{id}/cancel", path=f"/api/jobs/{job}/cancel", token=token, expect=200)
        done = wait_job(server, token, job, timeout=60)[0]
        took = time.time() - cancelled_at
        assert done["state"] == "cancelled", (done, job_log(server, token, job))
        assert took < 10, f"cancelled after {took:.1f} s"  # a heartbeat (lease / 3 = 1 s) + the abort, not 120 s
        deadline = time.time() + 5
        while stub.hung_up == 0 and time.time() < deadline:
            time.sleep(0.1)
        assert (stub.count, stub.hung_up) == (1, 1)
        assert workers[0].proc.poll() is None  # the worker goes on serving the queue
    finally:
        stop_peers(workers, server, stub)
        storage.stop()
