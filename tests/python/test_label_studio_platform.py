"""The platform's Label Studio connection (issue 12 §2) against a REAL Label Studio server (pip label-studio,
venv build/pyenv-labelstudio, started on loopback as tests/python/test_label_studio_roundtrip.py does) and the
real `vidseg serve`:

  upload lesson.mp4 (tus) -> POST /api/labelstudio/projects {name, patterns (CSV text), video_ids}
  -> the Label Studio project has the engine's config (the patterns as labels) and one task whose media URLs
     (signed links to vidseg's media route: a local store) serve the uploaded bytes
  -> two annotators annotate through Label Studio's API -> its ANNOTATION_CREATED webhooks reach vidseg
  -> POST .../pull -> the catalog holds both annotators' versions -> GET .../agreement -> POST .../build (a dataset
     build job from the pulled annotations; its metadata.jsonl checked)
  -> a task deleted in Label Studio: pull keeps its annotations, flagged missing
  -> a wrong token: clear 502 labelstudio_unauthorized, the project recorded in state error, nothing else
  -> Label Studio stopped: pull and create answer 502 labelstudio_unreachable, nothing stored is lost; started
     again: pull and retry succeed.

The main server authenticates with a personal access token (JWT refresh -> access), the wrong-token server with a
legacy token.
"""

import base64
import json
import os
import pathlib
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_label_studio_roundtrip as lsrt  # noqa: E402  (the Label Studio start-up, shared)

VIDSEG = os.environ.get("VIDSEG_BINARY", "")
MEDIA = pathlib.Path(os.environ.get("VIDSEG_TEST_MEDIA_DIR", ""))
SECRET = "vidseg-webhook-secret-42"
INC = "Включение в обучающий процесс П"
EMO = "Эмоциональный отклик У"
PATTERNS_CSV = f"pattern type,comments\n{INC},учитель вовлекает\n{EMO},ученики реагируют\n"


class LabelStudio:
    """One Label Studio server on a fixed port and data folder; stop() and start() again keep both."""

    def __init__(self, root):
        self.root = root
        self.data_dir = root / "data"
        self.data_dir.mkdir()
        self.log_path = root / "server.log"
        self.port = lsrt.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        with open(self.log_path, "a") as log:
            lsrt.make_template_db(log)
        if lsrt.TEMPLATE_DB.exists():
            shutil.copyfile(lsrt.TEMPLATE_DB, self.data_dir / "label_studio.sqlite3")

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(lsrt.LABEL_STUDIO), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--username", lsrt.ADMIN, "--password", "vidseg-Pass-1",
             "--user-token", lsrt.TOKEN, "--enable-legacy-api-token"],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        lsrt.wait_until_healthy(self.proc, self.url, self.log_tail)

    def env(self):
        env = lsrt.server_env(self.data_dir)
        # Label Studio refuses webhooks to loopback / private addresses unless told (vidseg runs beside it).
        env["SSRF_PROTECTION_ENABLED"] = "false"
        return env

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)

    def log_tail(self, lines=60):
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def call(self, method, path, body=None, expect=(200, 201)):
        r = requests.request(method, self.url + path, json=body, timeout=120,
                             headers={"Authorization": f"Token {lsrt.TOKEN}"})
        assert r.status_code in ((expect,) if isinstance(expect, int) else expect), (method, path, r.status_code,
                                                                                      r.text[:1000])
        return r.json() if r.content else None


class Vidseg:
    """`vidseg serve` on a free port with the given extra options."""

    def __init__(self, data, *extra):
        self.data = str(data)
        self.log_path = self.data + ".log"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([VIDSEG, "serve", "--data", self.data, "--listen", "127.0.0.1:0", "--threads", "8",
                                      *extra], stdout=subprocess.PIPE, stderr=log)
        out, self.password, deadline = b"", None, time.time() + 60
        while time.time() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1)
            if not ready:
                assert self.proc.poll() is None, "vidseg serve exited: " + self.log()
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            assert chunk, "vidseg serve closed its output: " + self.log()
            out += chunk
            if m := re.search(rb"one-time password: (\S+)", out):
                self.password = m.group(1).decode()
            if m := re.search(rb"listening on (http://127\.0\.0\.1:\d+)", out):
                self.url = m.group(1).decode()
                break
        else:
            self.proc.kill()
            raise AssertionError("vidseg serve did not start: " + self.log())
        r = requests.post(self.url + "/api/login", json={"username": "admin", "password": self.password}, timeout=30)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]

    def log(self):
        return open(self.log_path, errors="replace").read()[-3000:]

    def api(self, method, path, expect=None, **kwargs):
        r = requests.request(method, self.url + path, headers={"Authorization": "Bearer " + self.token}, timeout=300,
                             **kwargs)
        if expect is not None:
            assert r.status_code == expect, (method, path, r.status_code, r.text[:2000])
        return r

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def upload(self, path, name):
        """A tus 1.0 upload in one PATCH (creation + core)."""
        size = os.path.getsize(path)
        meta = "filename " + base64.b64encode(name.encode()).decode()
        h = {"Authorization": "Bearer " + self.token, "Tus-Resumable": "1.0.0"}
        r = requests.post(self.url + "/api/uploads/", headers={**h, "Upload-Length": str(size), "Upload-Metadata": meta},
                          timeout=60)
        assert r.status_code == 201, r.text
        location = r.headers["Location"]
        if location.startswith("/"):
            location = self.url + location
        r = requests.patch(location, data=open(path, "rb").read(), timeout=120,
                           headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert r.status_code == 204, r.text
        deadline = time.time() + 300
        while time.time() < deadline:
            videos = [v for v in self.api("GET", "/api/videos", expect=200).json()["videos"] if v["name"] == name]
            if videos and videos[0]["state"] in ("ready", "error"):
                assert videos[0]["state"] == "ready", videos[0]
                return videos[0]
            time.sleep(0.3)
        raise AssertionError("the uploaded video never became ready")

    def wait_job(self, job_id, timeout=600):
        deadline = time.time() + timeout
        while time.time() < deadline:
            job = self.api("GET", f"/api/jobs/{job_id}", expect=200).json()
            if job["state"] in ("finished", "error", "cancelled"):
                return job
            time.sleep(0.5)
        raise AssertionError(f"job {job_id} did not end")


def error_of(r):
    doc = r.json()
    assert set(doc) == {"error"}, doc
    return doc["error"]


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory):
    if not lsrt.LABEL_STUDIO.exists():
        pytest.fail(f"{lsrt.LABEL_STUDIO} missing: run `bash scripts/setup.sh`")
    ls = LabelStudio(tmp_path_factory.mktemp("label-studio"))
    ls.start()
    try:
        yield ls
    finally:
        ls.stop()
        print(f"--- label-studio log (last lines) ---\n{ls.log_tail()}")


@pytest.fixture(scope="module")
def personal_token(label_studio):
    """A personal access token (JWT refresh token) made through Label Studio's own API."""
    r = requests.post(label_studio.url + "/api/token/", headers={"Authorization": f"Token {lsrt.TOKEN}"}, timeout=60)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert token.count(".") == 2
    return token


@pytest.fixture(scope="module")
def vidseg(tmp_path_factory, label_studio, personal_token):
    assert VIDSEG and pathlib.Path(VIDSEG).exists(), "VIDSEG_BINARY must name the vidseg binary"
    data = tmp_path_factory.mktemp("vidseg") / "data"
    env_token = {"VIDSEG_LABEL_STUDIO_TOKEN": personal_token}  # through the environment, as the help advises
    os.environ.update(env_token)
    try:
        server = Vidseg(data, "--label-studio-url", label_studio.url, "--label-studio-webhook-secret", SECRET)
    finally:
        del os.environ["VIDSEG_LABEL_STUDIO_TOKEN"]
    yield server
    server.stop()


@pytest.fixture(scope="module")
def lesson(vidseg):
    return vidseg.upload(MEDIA / "lesson.mp4", "lesson.mp4")


def audio_region(rid, start, end, label):
    return {"id": rid, "from_name": "pattern_intervals", "to_name": "audio", "type": "labels", "origin": "manual",
            "original_length": 30.0, "value": {"start": start, "end": end, "channel": 0, "labels": [label]}}


def annotations_of(vidseg, pid):
    return vidseg.api("GET", f"/api/labelstudio/projects/{pid}/annotations", expect=200).json()["annotations"]


def test_project_annotations_webhooks_pull_agreement_build(vidseg, label_studio, lesson, tmp_path):
    status = vidseg.api("GET", "/api/labelstudio", expect=200).json()
    assert status["configured"] and status["reachable"] and status["user"] == lsrt.ADMIN, status
    assert status["webhooks"] is True

    r = vidseg.api("POST", "/api/labelstudio/projects", expect=201,
                   json={"name": "Уроки 7А", "patterns": PATTERNS_CSV, "patterns_file_name": "patterns.csv",
                         "video_ids": [lesson["id"]]})
    project = r.json()
    assert project["state"] == "ready" and project["error"] is None, project
    assert project["task_count"] == 1 and project["webhook"] is True and project["last_pull"] is None
    assert [p["name"] for p in project["patterns"]] == [INC, EMO]
    pid, remote = project["id"], project["labelstudio_id"]
    listed = vidseg.api("GET", "/api/labelstudio/projects", expect=200).json()["projects"]
    assert [p["id"] for p in listed] == [pid]

    # In Label Studio: the engine's config with the patterns as the experts wrote them, one task per video whose
    # media links serve the uploaded bytes (local store: signed links to vidseg's media route).
    ls_project = label_studio.call("GET", f"/api/projects/{remote}")
    assert ls_project["title"] == "Уроки 7А"
    for control in ("pattern_intervals", "video_intervals", "patterns", "box"):
        assert control in ls_project["parsed_label_config"], control
    assert INC in ls_project["label_config"] and EMO in ls_project["label_config"]
    tasks = label_studio.call("GET", f"/api/tasks/?project={remote}&page_size=100&fields=all")["tasks"]
    assert len(tasks) == 1
    task = tasks[0]
    assert task["data"]["vidseg_video_id"] == lesson["id"] and task["data"]["fps"] == 25
    video_url = task["data"]["video"]
    assert video_url.startswith(vidseg.url + "/api/labelstudio/media/") and video_url.endswith("/lesson.mp4")
    assert requests.get(video_url, timeout=60).content == (MEDIA / "lesson.mp4").read_bytes()
    assert task["data"]["audio"].endswith("/lesson.wav")
    wav = requests.get(task["data"]["audio"], timeout=60)
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF"
    forged = video_url.replace("/video/", "/audio/")
    assert requests.get(forged, timeout=60).status_code == 403

    # Two annotators through Label Studio's API (the second made by the admin).
    boris = label_studio.call("POST", "/api/users/", {"email": lsrt.SECOND, "username": "boris", "first_name": "Boris"})
    anna_ann = label_studio.call("POST", f"/api/tasks/{task['id']}/annotations/", {
        "result": [audio_region("a1", 2.0, 6.0, INC), audio_region("a2", 12.0, 15.0, EMO)], "lead_time": 30})
    boris_ann = label_studio.call("POST", f"/api/tasks/{task['id']}/annotations/", {
        "result": [audio_region("b1", 2.0, 6.0, INC), audio_region("b2", 20.0, 22.0, EMO)], "lead_time": 20,
        "completed_by": boris["id"]})

    # The webhooks (ANNOTATION_CREATED) stored both before any pull.
    deadline = time.time() + 60
    while time.time() < deadline:
        stored = annotations_of(vidseg, pid)
        if len(stored) == 2:
            break
        time.sleep(0.5)
    assert {a["id"] for a in stored} == {anna_ann["id"], boris_ann["id"]}, stored
    assert {a["source"] for a in stored} == {"webhook"}
    # The project's live webhook state: the last delivery, one of the two annotations, just now.
    live = vidseg.api("GET", f"/api/labelstudio/projects/{pid}/webhook", expect=200).json()
    assert live["enabled"] is True and live["last"]["action"] == "ANNOTATION_CREATED", live
    assert live["last"]["annotation"] in {anna_ann["id"], boris_ann["id"]} and live["last"]["task"] == task["id"]
    assert abs(live["last"]["received"] - time.time()) < 120
    # A delivery with a wrong secret is refused and stores nothing.
    forged = requests.post(vidseg.url + "/api/labelstudio/webhook", timeout=30,
                           headers={"X-Vidseg-Webhook-Secret": "wrong"},
                           json={"action": "ANNOTATION_CREATED", "project": {"id": remote},
                                 "task": {"id": task["id"], "data": {}}, "annotation": {"id": 999999, "result": []}})
    assert forged.status_code == 403 and error_of(forged)["code"] == "forbidden"
    # An update through Label Studio arrives as ANNOTATION_UPDATED.
    label_studio.call("PATCH", f"/api/annotations/{anna_ann['id']}/",
                      {"result": [audio_region("a1", 2.0, 6.5, INC), audio_region("a2", 12.0, 15.0, EMO)]})
    deadline = time.time() + 60
    while time.time() < deadline:
        anna = next(a for a in annotations_of(vidseg, pid) if a["id"] == anna_ann["id"])
        if anna["annotation"]["result"][0]["value"]["end"] == 6.5:
            break
        time.sleep(0.5)
    assert anna["annotation"]["result"][0]["value"]["end"] == 6.5, anna

    # Pull: both annotators' versions from the export, named by their e-mails.
    pulled = vidseg.api("POST", f"/api/labelstudio/projects/{pid}/pull", expect=200).json()
    assert pulled["annotations"] == 2 and pulled["missing"] == 0, pulled
    assert pulled["project"]["state"] == "ready" and pulled["project"]["last_pull"] > 0
    stored = {a["id"]: a for a in annotations_of(vidseg, pid)}
    assert stored[anna_ann["id"]]["annotator"] == lsrt.ADMIN and stored[boris_ann["id"]]["annotator"] == lsrt.SECOND
    assert all(a["video_id"] == lesson["id"] and a["task_id"] == task["id"] for a in stored.values())
    assert [r["value"]["labels"] for r in stored[boris_ann["id"]]["annotation"]["result"]] == [[INC], [EMO]]

    # Agreement (`dataset agreement`'s report): INC on [2, 6) vs [2, 6.5) agrees, EMO does not overlap at all.
    report = vidseg.api("GET", f"/api/labelstudio/projects/{pid}/agreement", expect=200).json()
    assert report["method"] == "cohen" and report["shared_units"] == 1
    assert sorted(report["annotators"]) == sorted([lsrt.ADMIN, lsrt.SECOND]), report["annotators"]
    by_label = {p["label"]: p for p in report["patterns"]}
    assert by_label[INC]["band"] == "excellent" and by_label[INC]["matched"] == 1, by_label[INC]
    assert by_label[EMO]["matched"] == 0 and by_label[EMO]["kappa"] < 0.4, by_label[EMO]
    bad = vidseg.api("GET", f"/api/labelstudio/projects/{pid}/agreement?iou=2", expect=400)
    assert error_of(bad)["code"] == "bad_request"

    # A dataset build job from the pulled annotations.
    job = vidseg.api("POST", f"/api/labelstudio/projects/{pid}/build", expect=201, json={"options": {}}).json()
    assert job["kind"] == "dataset build" and job["video_ids"] == [lesson["id"]]
    job = vidseg.wait_job(job["id"])
    log = vidseg.api("GET", f"/api/jobs/{job['id']}/log", expect=200).json()["lines"]
    assert job["state"] == "finished", (job, log)
    files = {f["name"]: f for f in vidseg.api("GET", f"/api/jobs/{job['id']}/files", expect=200).json()["files"]}
    meta = vidseg.api("GET", f"/api/jobs/{job['id']}/files/dataset/metadata.jsonl", expect=200).text \
        if "dataset/metadata.jsonl" in files else vidseg.api("GET", f"/api/jobs/{job['id']}/files/metadata.jsonl",
                                                             expect=200).text
    rows = [json.loads(line) for line in meta.splitlines() if line.strip()]
    got = sorted((row["start"], row["end"], tuple(row["patterns"])) for row in rows)
    assert got == [(2.0, 6.0, (INC,)), (2.0, 6.5, (INC,)), (12.0, 15.0, (EMO,)), (20.0, 22.0, (EMO,))], got
    assert len({row["annotator"] for row in rows}) == 2

    # A task deleted in Label Studio: its annotations stay in the catalog, flagged missing.
    label_studio.call("DELETE", f"/api/tasks/{task['id']}/", expect=204)
    pulled = vidseg.api("POST", f"/api/labelstudio/projects/{pid}/pull", expect=200).json()
    assert pulled["missing"] == 2 and pulled["annotations"] == 2, pulled
    assert all(a["missing"] for a in annotations_of(vidseg, pid))
    assert vidseg.api("GET", f"/api/labelstudio/projects/{pid}/agreement", expect=200).json()["shared_units"] == 1


def test_wrong_token_is_a_clear_error(tmp_path, label_studio, vidseg, lesson):
    server = Vidseg(tmp_path / "data", "--label-studio-url", label_studio.url, "--label-studio-token",
                    "0123456789abcdef0123456789abcdef01234567")
    try:
        status = server.api("GET", "/api/labelstudio", expect=200).json()
        assert status["reachable"] is True and status["error"]["code"] == "labelstudio_unauthorized", status
        video = server.upload(MEDIA / "lesson.mp4", "lesson.mp4")
        r = server.api("POST", "/api/labelstudio/projects", expect=502,
                       json={"name": "Уроки 7Б", "patterns": f"{INC}\n", "video_ids": [video["id"]]})
        err = error_of(r)
        assert err["code"] == "labelstudio_unauthorized" and "token" in err["message"], err
        [project] = server.api("GET", "/api/labelstudio/projects", expect=200).json()["projects"]
        assert project["state"] == "error" and "token" in project["error"] and project["labelstudio_id"] is None
        # Bad input is refused before Label Studio is asked.
        r = server.api("POST", "/api/labelstudio/projects", expect=400,
                       json={"name": "Уроки 7Б", "patterns": "name,hint\nx,y\n", "patterns_file_name": "p.csv",
                             "video_ids": [video["id"]]})
        err = error_of(r)
        assert err["code"] == "bad_patterns" and "p.csv" in err["message"] and "pattern type" in err["message"], err
        r = server.api("POST", "/api/labelstudio/projects", expect=400,
                       json={"name": "p", "patterns": f"{INC}\n", "video_ids": [video["id"]]})
        assert "3 to 50 characters" in error_of(r)["message"]
        assert len(server.api("GET", "/api/labelstudio/projects", expect=200).json()["projects"]) == 1
    finally:
        server.stop()


def test_label_studio_down_then_back(label_studio, vidseg, lesson):
    [project] = vidseg.api("GET", "/api/labelstudio/projects", expect=200).json()["projects"]
    pid = project["id"]
    before = annotations_of(vidseg, pid)
    last_pull = project["last_pull"]
    label_studio.stop()
    try:
        r = vidseg.api("POST", f"/api/labelstudio/projects/{pid}/pull", expect=502)
        err = error_of(r)
        assert err["code"] == "labelstudio_unreachable" and label_studio.url in err["message"], err
        project = vidseg.api("GET", f"/api/labelstudio/projects/{pid}", expect=200).json()
        assert project["state"] == "error" and "not reachable" in project["error"]
        assert project["last_pull"] == last_pull
        assert annotations_of(vidseg, pid) == before  # nothing lost
        r = vidseg.api("POST", "/api/labelstudio/projects", expect=502,
                       json={"name": "while down", "patterns": f"{INC}\n{EMO}\n", "video_ids": [lesson["id"]]})
        assert error_of(r)["code"] == "labelstudio_unreachable"
        down = [p for p in vidseg.api("GET", "/api/labelstudio/projects", expect=200).json()["projects"]
                if p["name"] == "while down"]
        assert len(down) == 1 and down[0]["state"] == "error" and down[0]["labelstudio_id"] is None
        status = vidseg.api("GET", "/api/labelstudio", expect=200).json()
        assert status["reachable"] is False and status["error"]["code"] == "labelstudio_unreachable"
    finally:
        label_studio.start()
    # Back: the same calls work (the access token is refreshed when Label Studio no longer takes it).
    pulled = vidseg.api("POST", f"/api/labelstudio/projects/{pid}/pull", expect=200).json()
    assert pulled["project"]["state"] == "ready" and pulled["project"]["error"] is None
    assert pulled["project"]["last_pull"] >= last_pull
    retried = vidseg.api("POST", f"/api/labelstudio/projects/{down[0]['id']}/retry", expect=200).json()
    assert retried["state"] == "ready" and retried["labelstudio_id"] and retried["task_count"] == 1, retried
    assert label_studio.call("GET", f"/api/projects/{retried['labelstudio_id']}")["title"] == "while down"


def test_removal_deletes_the_catalog_rows_and_keeps_the_audit_entry(label_studio, vidseg):
    """DELETE of a project removes its catalog row and every pulled annotation (not a state); with
    ?label_studio=true the project in Label Studio too; the audit log keeps the removal."""
    import sqlite3
    projects = {p["name"]: p for p in vidseg.api("GET", "/api/labelstudio/projects", expect=200).json()["projects"]}
    pulled = next(p for p in projects.values() if p["name"] != "while down")
    pid, remote = pulled["id"], pulled["labelstudio_id"]
    count = len(annotations_of(vidseg, pid))
    assert count > 0
    catalog = os.path.join(vidseg.data, "catalog.sqlite")
    rows = lambda table, column, value: sqlite3.connect(catalog).execute(
        f"SELECT count(*) FROM {table} WHERE {column} = ?", (value,)).fetchone()[0]
    assert rows("label_studio_annotations", "project_id", pid) == count
    vidseg.api("DELETE", f"/api/labelstudio/projects/{pid}?label_studio=true", expect=204)
    assert rows("label_studio_projects", "id", pid) == 0 and rows("label_studio_annotations", "project_id", pid) == 0
    vidseg.api("GET", f"/api/labelstudio/projects/{pid}", expect=404)
    vidseg.api("DELETE", f"/api/labelstudio/projects/{pid}", expect=404)
    label_studio.call("GET", f"/api/projects/{remote}/", expect=404)
    # The other project stays until it is removed (only in vidseg: it stays in Label Studio).
    other = projects["while down"]
    assert rows("label_studio_projects", "id", other["id"]) == 1
    vidseg.api("DELETE", f"/api/labelstudio/projects/{other['id']}", expect=204)
    assert rows("label_studio_projects", "id", other["id"]) == 0
    assert label_studio.call("GET", f"/api/projects/{other['labelstudio_id']}/")["title"] == "while down"
    audit = vidseg.api("GET", "/api/audit", expect=200).json()["entries"]
    removal = [e for e in audit if e["action"] == "labelstudio-remove" and e["subject"] == f"labelstudio project {pid}"]
    assert len(removal) == 1 and f"{count} annotation(s), also in Label Studio" in removal[0]["detail"], removal


class ExpiringTokenServer:
    """Label Studio's token endpoints as far as the client uses them, on loopback: POST /api/token/refresh/ hands out
    a new access token for the one refresh token; whoami takes only the newest access token, and expire() makes
    Label Studio refuse the current one (401, as when an access token's lifetime ends)."""

    REFRESH = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl"

    def __init__(self):
        import http.server
        import threading

        self.issued, self.valid, self.seen = 0, None, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, doc):
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path != "/api/token/refresh/" or body.get("refresh") != outer.REFRESH:
                    return self.answer(401, {"detail": "Token is invalid or expired"})
                outer.issued += 1
                outer.valid = f"access-{outer.issued}"
                self.answer(200, {"access": outer.valid})

            def do_GET(self):
                auth = self.headers.get("Authorization", "")
                outer.seen.append(auth)
                if self.path != "/api/current-user/whoami":
                    return self.answer(404, {"detail": "Not found."})
                if outer.valid is None or auth != f"Bearer {outer.valid}":
                    return self.answer(401, {"detail": "Given token not valid for any token type"})
                self.answer(200, {"id": 1, "email": lsrt.ADMIN})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def expire(self):
        self.valid = "expired"  # no access token handed out so far is taken any more

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_an_expired_access_token_is_refreshed(tmp_path):
    """A personal access token: vidseg gets an access token once, keeps using it, and when Label Studio refuses it
    (expired) refreshes it once and repeats the call; a refresh token Label Studio no longer takes is a clear 401."""
    fake = ExpiringTokenServer()
    server = Vidseg(tmp_path / "data", "--label-studio-url", fake.url, "--label-studio-token", fake.REFRESH)
    try:
        for _ in range(2):
            status = server.api("GET", "/api/labelstudio", expect=200).json()
            assert status["reachable"] is True and status["user"] == lsrt.ADMIN and status["error"] is None, status
        assert fake.issued == 1 and fake.seen == ["Bearer access-1", "Bearer access-1"]
        fake.expire()
        status = server.api("GET", "/api/labelstudio", expect=200).json()
        assert status["user"] == lsrt.ADMIN and status["error"] is None, status
        assert fake.issued == 2 and fake.seen[2:] == ["Bearer access-1", "Bearer access-2"], fake.seen
        # The refresh token itself refused: the status says so instead of looping.
        fake.REFRESH = "eyJ0.eyJ0.revoked"
        fake.expire()
        status = server.api("GET", "/api/labelstudio", expect=200).json()
        assert status["error"]["code"] == "labelstudio_unauthorized", status
        assert "personal access token" in status["error"]["message"], status
        assert fake.issued == 2
    finally:
        server.stop()
        fake.stop()
