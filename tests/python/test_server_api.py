"""`vidseg serve` end to end: the real binary on a free loopback port, real clients (tuspy, requests),
the OpenAPI document checked by openapi-spec-validator. Every route of the document is exercised
(test_zz_every_documented_route_was_exercised checks it last).

Environment: VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR (h264_gop2.mp4: 12 s H.264 + AAC).
"""
import base64
import io
import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from openapi_spec_validator import validate
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

VIDSEG = os.environ["VIDSEG_BINARY"]
MEDIA = os.environ["VIDSEG_TEST_MEDIA_DIR"]
VIDEO = os.path.join(MEDIA, "h264_gop2.mp4")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The transcribe job's faster-whisper worker (venv build/pyenv-asr, as the ASR tests use it).
os.environ.setdefault("VIDSEG_WHISPER_PYTHON", os.path.join(SOURCE, "build", "pyenv-asr", "bin", "python"))
os.environ.setdefault("VIDSEG_WHISPER_WORKER", os.path.join(SOURCE, "src", "vidseg", "asr", "faster_whisper_worker.py"))
EXERCISED = set()  # (METHOD, documented path) of every request made through api()


class Server:
    """One `vidseg serve` process on --data DIR; restartable on the same folder."""

    def __init__(self, data, *extra):
        self.data, self.extra, self.password, self.proc = data, list(extra), None, None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.data + ".log"), "ab")
        self.proc = subprocess.Popen(
            [VIDSEG, "serve", "--data", self.data, "--listen", "127.0.0.1:0", "--threads", "8", *self.extra],
            stdout=subprocess.PIPE, stderr=self.log)
        out = b""
        deadline = time.time() + 60
        while time.time() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1)
            if not ready:
                assert self.proc.poll() is None, "vidseg serve exited: " + open(self.data + ".log").read()[-2000:]
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            assert chunk, "vidseg serve closed its output: " + open(self.data + ".log").read()[-2000:]
            out += chunk
            m = re.search(rb"one-time password: (\S+)", out)
            if m:
                self.password = m.group(1).decode()
            m = re.search(rb"listening on (http://127\.0\.0\.1:\d+)", out)
            if m:
                self.url = m.group(1).decode()
                return
        self.proc.kill()  # no orphan server when the start fails
        raise AssertionError("vidseg serve did not start")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=30) == 0


def api(server, method, template, *, token=None, path=None, session=None, expect=None, **kwargs):
    """A request to a documented route (`template` as in the OpenAPI document), recorded as exercised."""
    EXERCISED.add((method.upper(), template))
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = "Bearer " + token
    r = (session or requests).request(method, server.url + (path or template), headers=headers,
                                      allow_redirects=False, timeout=60, **kwargs)
    if expect is not None:
        assert r.status_code == expect, (method, path or template, r.status_code, r.text)
    return r


def error_of(r):
    doc = r.json()
    assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message"}, doc
    return doc["error"]


@pytest.fixture(scope="module")
def data_dir():
    d = tempfile.mkdtemp(prefix="vidseg-serve-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def server(data_dir):
    s = Server(os.path.join(data_dir, "data"), "--read-timeout", "2")
    yield s
    if s.proc.poll() is None:
        s.stop()


def login(server, user, password, expect=200):
    return api(server, "POST", "/api/login", json={"username": user, "password": password}, expect=expect)


@pytest.fixture(scope="module")
def accounts(server):
    """admin (first-start password), anna and bob (dl-users) with their API tokens."""
    assert server.password, "the first start prints the admin's one-time password"
    admin = login(server, "admin", server.password).json()["token"]
    tokens = {"admin": admin}
    for name in ("anna", "bob"):
        r = api(server, "POST", "/api/users", token=admin, expect=201,
                json={"username": name, "password": name + "-secret-pw", "role": "dl-user"})
        assert r.json()["role"] == "dl-user"
        tokens[name] = login(server, name, name + "-secret-pw").json()["token"]
    return tokens


def tus_upload(server, token, path, filename, chunk_size=None, checksum=True):
    c = tus_client.TusClient(server.url + "/api/uploads/", headers={"Authorization": "Bearer " + token})
    up = c.uploader(path, metadata={"filename": filename}, chunk_size=chunk_size or os.path.getsize(path),
                    upload_checksum=checksum)
    up.upload()
    EXERCISED.update({("POST", "/api/uploads/"), ("PATCH", "/api/uploads/{id}")})
    return up


def video_named(server, token, name_part):
    videos = api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]
    return [v for v in videos if name_part in v["name"]]


def wait_job(server, token, job_id, states=("finished", "error", "cancelled"), timeout=300):
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = api(server, "GET", "/api/jobs/{id}", path=f"/api/jobs/{job_id}", token=token, expect=200).json()
        seen.append((job["state"], job["stage"], job["progress"]))
        if job["state"] in states:
            return job, seen
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end: {seen[-5:]}")


def sha256_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def files_under(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)


# --- operations and the document -------------------------------------------------------------

def test_openapi_document_validates(server):
    doc = api(server, "GET", "/api/openapi.json", expect=200).json()
    validate(doc)  # raises on an invalid OpenAPI 3.1 document
    assert doc["openapi"] == "3.1.0"
    assert api(server, "GET", "/healthz", expect=200).json() == {"status": "ok"}
    r = api(server, "GET", "/api/nope", token="x")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


# --- accounts --------------------------------------------------------------------------------

def test_login_tokens_and_401s(server, accounts):
    admin = accounts["admin"]
    assert api(server, "GET", "/api/me", token=admin, expect=200).json()["name"] == "admin"
    assert error_of(login(server, "admin", "wrong-password", expect=401))["code"] == "unauthorized"
    assert error_of(login(server, "nobody", "wrong-password", expect=401))["message"] == "wrong user name or password"
    assert error_of(api(server, "GET", "/api/videos", expect=401))["code"] == "unauthorized"  # missing
    api(server, "GET", "/api/videos", token="forged" + admin[6:], expect=401)  # forged
    api(server, "GET", "/api/videos", headers={"Authorization": "Basic YWRtaW46eA=="}, expect=401)
    r = api(server, "POST", "/api/tokens", token=admin, json={"label": "script"}, expect=201).json()
    script_token, script_id = r["token"], r["id"]
    last_used = lambda: [t for t in api(server, "GET", "/api/tokens", token=admin, expect=200).json()["tokens"]
                         if t["id"] == script_id][0]["last_used"]
    assert last_used() == 0
    # last_used is written at most once a second per token (not on every request), and still follows use.
    used = int(time.time())
    api(server, "GET", "/api/me", token=script_token, expect=200)
    first = last_used()
    assert used <= first <= time.time()
    time.sleep(1.1)
    api(server, "GET", "/api/me", token=script_token, expect=200)
    assert last_used() > first
    listed = api(server, "GET", "/api/tokens", token=admin, expect=200).json()["tokens"]
    assert [t for t in listed if t["id"] == script_id][0]["label"] == "script"
    assert all("token" not in t and "token_hash" not in t for t in listed)  # secrets never listed
    api(server, "DELETE", "/api/tokens/{id}", path=f"/api/tokens/{script_id}", token=admin, expect=200)
    assert "revoked" in error_of(api(server, "GET", "/api/me", token=script_token, expect=401))["message"]
    # Another user's token id is not ours to revoke.
    api(server, "DELETE", "/api/tokens/{id}", path=f"/api/tokens/{script_id}", token=accounts["anna"], expect=404)


def test_login_rate_limit(server, accounts):
    for _ in range(5):
        login(server, "bob", "not-the-password", expect=401)
    r = login(server, "bob", "bob-secret-pw", expect=429)  # even the right password, for a while
    assert error_of(r)["code"] == "too_many_attempts"


def test_roles_users_and_audit(server, accounts):
    admin, anna = accounts["admin"], accounts["anna"]
    users = api(server, "GET", "/api/users", token=admin, expect=200).json()["users"]
    assert {u["name"] for u in users} >= {"admin", "anna", "bob"}
    assert all("password_hash" not in u for u in users)
    assert error_of(api(server, "GET", "/api/users", token=anna, expect=403))["code"] == "forbidden"
    api(server, "GET", "/api/audit", token=anna, expect=403)
    api(server, "POST", "/api/users", token=anna, json={"username": "eve", "password": "x" * 10, "role": "admin"},
        expect=403)
    carl = api(server, "POST", "/api/users", token=admin, expect=201,
               json={"username": "carl", "password": "carl-secret-pw", "role": "dl-user"}).json()
    r = api(server, "PUT", "/api/users/{id}/role", path=f"/api/users/{carl['id']}/role", token=admin,
            json={"role": "admin"}, expect=200)
    assert r.json()["role"] == "admin"
    api(server, "PUT", "/api/users/{id}/role", path="/api/users/99999/role", token=admin, json={"role": "admin"},
        expect=404)
    api(server, "PUT", "/api/users/{id}/role", path=f"/api/users/{carl['id']}/role", token=admin,
        json={"role": "root"}, expect=400)
    entries = api(server, "GET", "/api/audit", token=admin, params={"limit": 500}, expect=200).json()["entries"]
    actions = {(e["action"], e["subject"]) for e in entries}
    assert ("role-change", "user carl") in actions
    assert ("login", "user anna") in actions
    assert ("login-failed", "user admin") in actions
    assert [e for e in entries if e["action"] == "role-change"][0]["detail"] == "dl-user -> admin"


def test_cookie_session_needs_csrf_for_changes(server, accounts):
    s = requests.Session()
    doc = api(server, "POST", "/api/login", session=s, json={"username": "anna", "password": "anna-secret-pw"},
              expect=200)
    cookie = doc.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    csrf = doc.json()["csrf_token"]
    assert api(server, "GET", "/api/me", session=s, expect=200).json()["name"] == "anna"
    r = api(server, "POST", "/api/tokens", session=s, json={"label": "x"}, expect=403)
    assert "X-CSRF-Token" in error_of(r)["message"]
    api(server, "POST", "/api/tokens", session=s, json={"label": "x"}, headers={"X-CSRF-Token": "forged"}, expect=403)
    api(server, "POST", "/api/tokens", session=s, json={"label": "x"}, headers={"X-CSRF-Token": csrf}, expect=201)
    api(server, "POST", "/api/logout", session=s, headers={"X-CSRF-Token": csrf}, expect=200)
    api(server, "GET", "/api/me", session=s, expect=401)


def test_injection_and_control_characters_are_inert(server, accounts):
    admin = accounts["admin"]
    for name in ("x'; DROP TABLE users;--", "a\nb", "../root", "", "a" * 65):
        r = api(server, "POST", "/api/users", token=admin, json={"username": name, "password": "password-1",
                                                                  "role": "dl-user"}, expect=400)
        assert "user name" in error_of(r)["message"]
    login(server, "admin' OR '1'='1", "x' OR '1'='1", expect=401)
    label = "label'); DELETE FROM api_tokens;--\u0001\n\u202e"
    tok = api(server, "POST", "/api/tokens", token=admin, json={"label": label}, expect=201).json()
    assert tok["label"] == label
    assert api(server, "GET", "/api/me", token=admin, expect=200).json()["name"] == "admin"  # tables intact
    api(server, "POST", "/api/login", data=b"\x00\xff{", expect=400)
    api(server, "POST", "/api/jobs", token=admin, json={"kind": "prepare'; --", "video_ids": [1]}, expect=400)


# --- uploads ---------------------------------------------------------------------------------

def test_tus_discovery_and_protocol_errors(server, accounts):
    r = api(server, "OPTIONS", "/api/uploads/", expect=204)
    assert r.headers["Tus-Version"] == "1.0.0"
    assert set(r.headers["Tus-Extension"].split(",")) == {"creation", "termination", "checksum"}
    assert r.headers["Tus-Checksum-Algorithm"] == "sha1,sha256"
    assert int(r.headers["Tus-Max-Size"]) == 2 << 30
    anna = accounts["anna"]
    tus = {"Tus-Resumable": "1.0.0"}
    api(server, "POST", "/api/uploads/", token=anna, headers={"Upload-Length": "10"}, expect=412)  # no Tus-Resumable
    api(server, "POST", "/api/uploads/", headers={**tus, "Upload-Length": "10"}, expect=401)
    r = api(server, "POST", "/api/uploads/", token=anna, headers={**tus, "Upload-Length": "11"}, expect=201)
    url = r.headers["Location"]
    up_id = url.rsplit("/", 1)[1]
    path = f"/api/uploads/{up_id}"
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    api(server, "PATCH", "/api/uploads/{id}", path=path, token=anna, headers={**patch, "Upload-Offset": "3"},
        data=b"abc", expect=409)
    bad = "sha256 " + base64.b64encode(hashlib.sha256(b"xyz").digest()).decode()
    r = api(server, "PATCH", "/api/uploads/{id}", path=path, token=anna,
            headers={**patch, "Upload-Offset": "0", "Upload-Checksum": bad}, data=b"abc", expect=460)
    assert error_of(r)["code"] == "checksum_mismatch"
    good = "sha256 " + base64.b64encode(hashlib.sha256(b"abc").digest()).decode()
    r = api(server, "PATCH", "/api/uploads/{id}", path=path, token=anna,
            headers={**patch, "Upload-Offset": "0", "Upload-Checksum": good}, data=b"abc", expect=204)
    assert r.headers["Upload-Offset"] == "3"
    r = api(server, "HEAD", "/api/uploads/{id}", path=path, token=anna, headers=tus, expect=200)
    assert r.headers["Upload-Offset"] == "3" and r.headers["Upload-Length"] == "11"
    api(server, "HEAD", "/api/uploads/{id}", path=path, token=accounts["bob"], headers=tus, expect=404)
    api(server, "DELETE", "/api/uploads/{id}", path=path, token=accounts["bob"], headers=tus, expect=404)
    api(server, "DELETE", "/api/uploads/{id}", path=path, token=anna, headers=tus, expect=204)
    api(server, "HEAD", "/api/uploads/{id}", path=path, token=anna, headers=tus, expect=404)
    assert os.listdir(os.path.join(server.data, "uploads")) == []


def test_oversize_upload_refused_before_any_byte(server, accounts):
    before = files_under(server.data + "/store")
    r = api(server, "POST", "/api/uploads/", token=accounts["anna"],
            headers={"Tus-Resumable": "1.0.0", "Upload-Length": str((2 << 30) + 1)}, expect=413)
    assert error_of(r)["code"] == "too_large"
    assert os.listdir(os.path.join(server.data, "uploads")) == []
    assert files_under(server.data + "/store") == before


def test_non_video_refused_and_nothing_kept(server, accounts, tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are lesson notes, not a video\n" * 200)
    before = files_under(server.data + "/store")
    with pytest.raises(TusCommunicationError) as e:
        tus_upload(server, accounts["anna"], str(fake), "notes.mp4")
    assert e.value.status_code == 422
    assert "'notes.mp4' is not a video the engine can read" in e.value.response_content.decode()
    assert files_under(server.data + "/store") == before
    assert os.listdir(os.path.join(server.data, "uploads")) == []
    assert video_named(server, accounts["anna"], "notes") == []


def test_tus_upload_killed_client_resumes_with_checksum(server, accounts, tmp_path):
    """A client process killed mid-upload (once between chunks, once inside a PATCH) resumes with HEAD + PATCH."""
    anna = accounts["anna"]
    name = "../../evil/le\u0001sson 1.mp4"  # traversal + control character in the metadata
    script = f"""
import os, signal, socket, sys
from tusclient import client
c = client.TusClient({server.url + '/api/uploads/'!r}, headers={{"Authorization": "Bearer {anna}"}})
up = c.uploader({VIDEO!r}, metadata={{"filename": {name!r}}}, chunk_size=16384, upload_checksum=True)
up.upload(stop_at=3 * 16384)
print(up.url, flush=True)
# Inside a PATCH: the headers and 50 kB of the remaining body, then the process dies.
host, port = {server.url[7:]!r}.split(":")
s = socket.create_connection((host, int(port)))
s.sendall((f"PATCH {{up.url[len({server.url!r}):]}} HTTP/1.1\\r\\nHost: x\\r\\nTus-Resumable: 1.0.0\\r\\n"
           f"Authorization: Bearer {anna}\\r\\nContent-Type: application/offset+octet-stream\\r\\n"
           f"Upload-Offset: {{up.offset}}\\r\\nContent-Length: {{os.path.getsize({VIDEO!r}) - up.offset}}\\r\\n\\r\\n").encode())
f = open({VIDEO!r}, "rb"); f.seek(up.offset); s.sendall(f.read(50000))
os.kill(os.getpid(), signal.SIGKILL)
"""
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    url = child.stdout.strip()
    time.sleep(0.5)
    EXERCISED.add(("HEAD", "/api/uploads/{id}"))
    head = requests.head(url, headers={"Tus-Resumable": "1.0.0", "Authorization": "Bearer " + anna})
    assert head.status_code == 200, head.status_code
    offset = int(head.headers["Upload-Offset"])
    assert 3 * 16384 <= offset <= 3 * 16384 + 50000  # what arrived of the cut PATCH is kept
    c = tus_client.TusClient(server.url + "/api/uploads/", headers={"Authorization": "Bearer " + anna})
    up = c.uploader(VIDEO, url=url, chunk_size=1 << 20, upload_checksum=True)
    assert up.offset == offset
    up.upload()
    videos = video_named(server, anna, "sson 1.mp4")
    assert len(videos) == 1
    v = videos[0]
    assert v["sha256"] == sha256_file(VIDEO)
    assert v["size"] == os.path.getsize(VIDEO)
    assert re.fullmatch(r"anna/task_\d{8}/le_sson 1-[0-9a-f]{8}\.mp4", v["key"]), v["key"]  # core/safe_path
    assert not any("evil" in p for p in files_under(server.data))
    assert os.listdir(os.path.join(server.data, "uploads")) == []
    # The arrival job: audio (WAV 16 kHz mono) and a poster frame beside the video, the duration recorded.
    arrival = [j for j in api(server, "GET", "/api/jobs", token=anna, expect=200).json()["jobs"]
               if j["kind"] == "arrival" and j["video_ids"] == [v["id"]]][0]
    job, _ = wait_job(server, anna, arrival["id"])
    assert job["state"] == "finished", job
    v = api(server, "GET", "/api/videos/{id}", path=f"/api/videos/{v['id']}", token=anna, expect=200).json()
    assert v["state"] == "ready"
    assert abs(v["info"]["duration"] - 12.0) < 0.1
    stem = v["key"][:-4]
    assert v["info"]["outputs"] == {"audio": stem + ".wav", "peaks": stem + ".peaks.json", "poster": stem + ".poster.jpg"}
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=anna, expect=200).json()["files"]}
    name = stem.rsplit("/", 1)[1]
    wav = api(server, "GET", "/api/jobs/{id}/files/{name}", path=files[name + ".wav"]["url"], token=anna, expect=200)
    assert wav.content[:4] == b"RIFF" and int.from_bytes(wav.content[24:28], "little") == 16000
    assert int.from_bytes(wav.content[22:24], "little") == 1  # mono
    poster = requests.get(server.url + files[name + ".poster.jpg"]["url"], headers={"Authorization": "Bearer " + anna})
    assert poster.content[:2] == b"\xff\xd8"


# --- videos and jobs -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def anna_video(server, accounts):
    tus_upload(server, accounts["anna"], VIDEO, "lesson.mp4", chunk_size=256 * 1024)
    v = video_named(server, accounts["anna"], "lesson.mp4")[0]
    return v


def test_dl_users_see_only_their_own(server, accounts, anna_video):
    bob, anna, admin = accounts["bob"], accounts["anna"], accounts["admin"]
    vid = anna_video["id"]
    assert [v for v in api(server, "GET", "/api/videos", token=bob, expect=200).json()["videos"]] == []
    assert vid in [v["id"] for v in api(server, "GET", "/api/videos", token=admin, expect=200).json()["videos"]]
    r = api(server, "GET", "/api/videos/{id}", path=f"/api/videos/{vid}", token=bob, expect=404)
    assert error_of(r)["message"] == f"video {vid} not found"
    assert api(server, "GET", "/api/videos/{id}", path="/api/videos/987654", token=bob, expect=404).json() == {
        "error": {"code": "not_found", "message": "video 987654 not found"}}  # same answer as a missing id
    api(server, "DELETE", "/api/videos/{id}", path=f"/api/videos/{vid}", token=bob, expect=404)
    api(server, "POST", "/api/jobs", token=bob, json={"kind": "prepare", "video_ids": [vid]}, expect=404)
    anna_jobs = api(server, "GET", "/api/jobs", token=anna, expect=200).json()["jobs"]
    assert api(server, "GET", "/api/jobs", token=bob, expect=200).json()["jobs"] == []
    j = anna_jobs[0]["id"]
    for route in ("/api/jobs/{id}", "/api/jobs/{id}/files", "/api/jobs/{id}/log"):
        api(server, "GET", route, path=route.replace("{id}", str(j)), token=bob, expect=404)
    for route in ("/api/jobs/{id}/cancel", "/api/jobs/{id}/retry"):
        api(server, "POST", route, path=route.replace("{id}", str(j)), token=bob, expect=404)
    api(server, "GET", "/api/jobs/{id}", path=f"/api/jobs/{j}", token=admin, expect=200)


# --- what the web UI (web/) needs ---------------------------------------------------------------

def test_video_file_streams_with_ranges_to_its_owner_only(server, accounts, anna_video):
    vid, content = anna_video["id"], open(VIDEO, "rb").read()
    path = f"/api/videos/{vid}/file"
    whole = api(server, "GET", "/api/videos/{id}/file", path=path, token=accounts["anna"], expect=200)
    assert whole.content == content and whole.headers["Content-Type"] == "video/mp4"
    part = api(server, "GET", "/api/videos/{id}/file", path=path, token=accounts["anna"],
               headers={"Range": "bytes=100-199"}, expect=206)
    assert part.content == content[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(content)}"
    api(server, "GET", "/api/videos/{id}/file", path=path, token=accounts["admin"], expect=200)
    r = api(server, "GET", "/api/videos/{id}/file", path=path, token=accounts["bob"], expect=404)
    assert error_of(r)["message"] == f"video {vid} not found"
    api(server, "GET", "/api/videos/{id}/file", path=path, expect=401)


def test_browser_login_makes_no_api_token_and_me_returns_its_csrf(server, accounts):
    anna = accounts["anna"]  # (bob is throttled by test_login_rate_limit)
    token_ids = lambda: [t["id"] for t in api(server, "GET", "/api/tokens", token=anna, expect=200).json()["tokens"]]
    tokens_before = token_ids()
    s = requests.Session()
    doc = api(server, "POST", "/api/login", session=s, expect=200,
              json={"username": "anna", "password": "anna-secret-pw", "api_token": False}).json()
    assert "token" not in doc and "token_id" not in doc and len(doc["csrf_token"]) > 20
    assert token_ids() == tokens_before
    me = api(server, "GET", "/api/me", session=s, expect=200).json()
    assert me["name"] == "anna" and me["csrf_token"] == doc["csrf_token"]  # a reloaded page can still change things
    assert "csrf_token" not in api(server, "GET", "/api/me", token=anna, expect=200).json()
    api(server, "POST", "/api/tokens", session=s, json={"label": "ui"}, headers={"X-CSRF-Token": me["csrf_token"]},
        expect=201)
    r = api(server, "POST", "/api/login", json={"username": "anna", "password": "anna-secret-pw", "api_token": "no"},
            expect=400)
    assert error_of(r)["message"] == "'api_token' must be true or false"


def test_web_ui_files_app_paths_and_api_404s(data_dir, tmp_path):
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    index = "<!doctype html><title>vidseg ui</title>"
    (web / "index.html").write_text(index)
    (web / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("not served")
    s = Server(os.path.join(data_dir, "web-data"), "--web", str(web))
    try:
        for path in ("/", "/videos/3", "/jobs/12", "/admin/users"):  # the app's own URLs get the app
            r = requests.get(s.url + path, timeout=10)
            assert (r.status_code, r.text) == (200, index), path
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
            assert r.headers["Cache-Control"] == "no-cache"
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        # The page's style nonce: a fresh one per page, in the CSP header and where index.html asks for it.
        (web / "index.html").write_text('<meta name="vidseg-csp-nonce" content="__VIDSEG_CSP_NONCE__">'
                                        '<style nonce="__VIDSEG_CSP_NONCE__"></style>')
        nonces = []
        for _ in range(2):
            r = requests.get(s.url + "/videos/3", timeout=10)
            m = re.search(r"style-src 'self' 'nonce-([A-Za-z0-9_-]{24})';", r.headers["Content-Security-Policy"])
            assert m, r.headers["Content-Security-Policy"]
            assert r.text == f'<meta name="vidseg-csp-nonce" content="{m[1]}"><style nonce="{m[1]}"></style>'
            assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]
            nonces.append(m[1])
        assert nonces[0] != nonces[1]
        r = requests.get(s.url + "/assets/index-abc123.js", timeout=10)
        assert "nonce-" not in r.headers["Content-Security-Policy"]
        assert r.text == "console.log(1)" and r.headers["Content-Type"].startswith("text/javascript")
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        for path in ("/assets/gone.js", "/favicon.ico", "/%2e%2e/secret.txt", "/.hidden", "/assets/..%2F..%2Fsecret.txt"):
            r = requests.get(s.url + path, timeout=10)
            assert r.status_code == 404 and error_of(r)["code"] == "not_found", path
        r = requests.get(s.url + "/api/no-such-route", timeout=10)  # the API's 404 stays JSON, never the app
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"
        assert requests.get(s.url + "/healthz", timeout=10).json() == {"status": "ok"}
    finally:
        s.stop()
    bad = subprocess.run([VIDSEG, "serve", "--data", os.path.join(data_dir, "web-data"), "--listen", "127.0.0.1:0",
                          "--web", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "--web: no index.html in" in bad.stderr


# --- jobs ------------------------------------------------------------------------------------

def test_prepare_job_runs_with_progress_and_files(server, accounts, anna_video):
    anna = accounts["anna"]
    r = api(server, "POST", "/api/jobs", token=anna, expect=400,
            json={"kind": "prepare", "video_ids": [anna_video["id"]], "options": {"segment": 0}})
    assert error_of(r)["message"] == "option --segment: must be >= 0.1, got 0"  # the CLI's table and message
    r = api(server, "POST", "/api/jobs", token=anna, expect=400,
            json={"kind": "prepare", "video_ids": [anna_video["id"]], "options": {"out": "/tmp/x"}})
    assert "chosen by the server" in error_of(r)["message"]
    job = api(server, "POST", "/api/jobs", token=anna, expect=201,
              json={"kind": "prepare", "video_ids": [anna_video["id"]], "options": {"segment": 4, "mode": "exact"}}).json()
    assert job["state"] == "queued" and job["options"] == {"segment": 4, "mode": "exact"}
    done, seen = wait_job(server, anna, job["id"])
    assert done["state"] == "finished" and done["stage"] == "finished" and done["progress"] == 100, done
    assert done["error"] is None
    assert [s for s in seen if s[0] == "running" and 0 < s[2] < 100 and s[1] != "queued"], seen  # progress seen
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=anna, expect=200).json()["files"]}
    assert {"tasks.json", "manifest.json", "label_config.xml", "part_films/segment_0.mp4",
            "part_films/segment_2.mp4", "processed_data/features.csv"} <= set(files)
    tasks = requests.get(server.url + files["tasks.json"]["url"], headers={"Authorization": "Bearer " + anna})
    assert len(tasks.json()) == 3 and len(tasks.content) == files["tasks.json"]["size"]
    api(server, "GET", "/api/jobs/{id}/files/{name}", path=f"/api/jobs/{job['id']}/files/..%2F..%2Fcatalog.sqlite",
        token=anna, expect=404)
    log = api(server, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{job['id']}/log", token=anna, expect=200).json()
    lines = [l["line"] for l in log["lines"]]
    assert "prepared 3 segments" in " ".join(lines)
    assert [l for l in lines if l.startswith("stage ")] == [
        "stage prepare (fetch)", "stage segments (cutting (exact))", "stage frames (keyframes)",
        "stage assemble (assemble)"], lines


def make_long_video(folder):
    path = os.path.join(folder, "long.mp4")
    if not os.path.exists(path):
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                        "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "150",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-c:a", "aac", path], check=True)
    return path


def test_cancel_and_retry(server, accounts, anna_video, data_dir):
    anna = accounts["anna"]
    tus_upload(server, anna, make_long_video(data_dir), "long.mp4")
    long_id = video_named(server, anna, "long.mp4")[0]["id"]
    slow = {"kind": "prepare", "video_ids": [long_id], "options": {"segment": 1, "mode": "exact", "preset": "medium"}}
    running = api(server, "POST", "/api/jobs", token=anna, json=slow, expect=201).json()
    queued = api(server, "POST", "/api/jobs", token=anna, expect=201,
                 json={"kind": "prepare", "video_ids": [anna_video["id"]], "options": {"segment": 6}}).json()
    r = api(server, "POST", "/api/jobs/{id}/cancel", path=f"/api/jobs/{queued['id']}/cancel", token=anna, expect=200)
    assert r.json()["state"] == "cancelled"  # a queued job is cancelled at once
    wait_job(server, anna, running["id"], states=("running",))
    api(server, "POST", "/api/jobs/{id}/retry", path=f"/api/jobs/{running['id']}/retry", token=anna, expect=409)
    api(server, "POST", "/api/jobs/{id}/cancel", path=f"/api/jobs/{running['id']}/cancel", token=anna, expect=200)
    job, _ = wait_job(server, anna, running["id"], timeout=60)
    assert job["state"] == "cancelled" and job["error"] == "cancelled", job
    assert api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{running['id']}/files", token=anna,
               expect=200).json()["files"] == []
    r = api(server, "POST", "/api/jobs/{id}/retry", path=f"/api/jobs/{queued['id']}/retry", token=anna, expect=200)
    assert r.json()["state"] in ("queued", "running")  # a free worker may have claimed it already
    job, _ = wait_job(server, anna, queued["id"])
    assert job["state"] == "finished" and job["attempts"] == 1


def test_server_killed_mid_job_finishes_after_restart(server, accounts):
    anna = accounts["anna"]
    long_id = video_named(server, anna, "long.mp4")[0]["id"]
    opts = {"kind": "prepare", "video_ids": [long_id], "options": {"segment": 7, "mode": "exact", "preset": "fast"}}
    job = api(server, "POST", "/api/jobs", token=anna, json=opts, expect=201).json()
    deadline = time.time() + 120
    while time.time() < deadline:
        j = api(server, "GET", "/api/jobs/{id}", path=f"/api/jobs/{job['id']}", token=anna, expect=200).json()
        if j["state"] == "running" and j["progress"] > 5:
            break
        time.sleep(0.1)
    assert j["state"] == "running", j
    # An upload half done when the server dies resumes after the restart.
    mkv = os.path.join(MEDIA, "h264.mkv")
    half = os.path.getsize(mkv) // 2
    tus = {"Tus-Resumable": "1.0.0"}
    url = api(server, "POST", "/api/uploads/", token=anna, expect=201, headers={
        **tus, "Upload-Length": str(os.path.getsize(mkv)),
        "Upload-Metadata": "filename " + base64.b64encode(b"lesson.mkv").decode()}).headers["Location"]
    api(server, "PATCH", "/api/uploads/{id}", path=url, token=anna, data=open(mkv, "rb").read()[:half], expect=204,
        headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    server.kill9()
    server.start()
    c = tus_client.TusClient(server.url + "/api/uploads/", headers={"Authorization": "Bearer " + anna})
    up = c.uploader(mkv, url=server.url + url, chunk_size=1 << 20, upload_checksum=True)
    assert up.offset == half
    up.upload()
    v = video_named(server, anna, "lesson.mkv")[0]
    assert v["sha256"] == sha256_file(mkv)
    assert v["key"].endswith("/lesson_2.mkv"), v  # lesson.mp4 holds the stem 'lesson' (lesson.wav is its audio)
    done, _ = wait_job(server, anna, job["id"], timeout=300)
    assert done["state"] == "finished" and done["attempts"] == 2, done
    log = [l["line"] for l in api(server, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{job['id']}/log", token=anna,
                                  expect=200).json()["lines"]]
    assert "queued again: the server stopped while it ran" in log
    files = {f["name"] for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                    token=anna, expect=200).json()["files"]}
    assert {f"part_films/segment_{i}.mp4" for i in range(22)} <= files and "tasks.json" in files
    assert "part_films/segment_22.mp4" not in files  # ceil(150 / 7) = 22 segments, as an uninterrupted run
    for other in api(server, "GET", "/api/jobs", token=anna, expect=200).json()["jobs"]:
        wait_job(server, anna, other["id"], states=("finished", "error", "cancelled"))
    assert not os.listdir(os.path.join(server.data, "work"))  # no job folder left behind


def test_delete_video_removes_its_objects(server, accounts, anna_video):
    anna = accounts["anna"]
    vid = anna_video["id"]
    jobs = [j["id"] for j in api(server, "GET", "/api/jobs", token=anna, expect=200).json()["jobs"]
            if j["video_ids"] == [vid]]
    api(server, "DELETE", "/api/videos/{id}", path=f"/api/videos/{vid}", token=anna, expect=200)
    api(server, "GET", "/api/videos/{id}", path=f"/api/videos/{vid}", token=anna, expect=404)
    for j in jobs:
        api(server, "GET", "/api/jobs/{id}", path=f"/api/jobs/{j}", token=anna, expect=404)
    assert not [p for p in files_under(server.data + "/store") if p.endswith("lesson.mp4") or "/lesson." in p]
    audit = api(server, "GET", "/api/audit", token=accounts["admin"], expect=200).json()["entries"]
    assert any(e["action"] == "delete-video" and e["subject"] == f"video {vid}" for e in audit)
    assert any(e["action"] == "upload" and e["user"] == "anna" for e in audit)


def test_metrics_and_slow_client_cut_off(server, accounts):
    # Metrics count since the (re)start: make a request and send 100 upload bytes first.
    anna, tus = accounts["anna"], {"Tus-Resumable": "1.0.0"}
    api(server, "GET", "/api/videos", token=anna, expect=200)
    uploaded = lambda text: int(re.search(r"vidseg_upload_bytes_total (\d+)", text).group(1))
    before = uploaded(api(server, "GET", "/metrics", expect=200).text)
    url = api(server, "POST", "/api/uploads/", token=anna, headers={**tus, "Upload-Length": "1000"},
              expect=201).headers["Location"]
    api(server, "PATCH", "/api/uploads/{id}", path=url, token=anna, data=b"x" * 100, expect=204,
        headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    api(server, "DELETE", "/api/uploads/{id}", path=url, token=anna, headers=tus, expect=204)
    text = api(server, "GET", "/metrics", expect=200).text
    assert re.search(r'vidseg_http_requests_total\{route="GET /api/videos",status="200"\} \d+', text)
    assert re.search(r'vidseg_http_request_duration_seconds_bucket\{route="GET /api/videos",le="\+Inf"\} \d+', text)
    assert re.search(r'vidseg_jobs\{state="finished"\} [1-9]', text)
    assert uploaded(text) == before + 100
    # Headers started and never finished: cut off after --read-timeout (2 s) + the keep-alive wait (5 s),
    # while other clients are served.
    host, port = server.url[7:].split(":")
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    s.settimeout(10)
    started = time.time()
    api(server, "GET", "/healthz", expect=200)
    answer = s.recv(100)  # nothing, or a 4xx answer, then the connection is closed
    assert answer == b"" or re.match(rb"HTTP/1.1 4\d\d", answer), answer
    while answer:
        answer = s.recv(100)
    assert time.time() - started < 9.5


def test_metrics_worker_leases(data_dir):
    """/metrics shows the running jobs each worker holds a lease on, and the jobs queued again because
    their worker's lease expired (a worker that died: its job's lease ran out in the catalog)."""
    s = Server(os.path.join(data_dir, "leases"))
    try:
        metric = lambda text, name: re.search(r"^" + re.escape(name) + r" (\d+)$", text, re.M)
        text = api(s, "GET", "/metrics", expect=200).text
        assert "# TYPE vidseg_jobs_leased gauge" in text
        assert "# TYPE vidseg_job_lease_expiries_total counter" in text
        assert metric(text, "vidseg_job_lease_expiries_total").group(1) == "0"
        assert "vidseg_jobs_leased{" not in text  # nothing runs
        # Two jobs another process left running, as the shared catalog holds them: one whose worker
        # is alive (lease in the future), one whose worker died (lease over long ago).
        db = sqlite3.connect(os.path.join(s.data, "catalog.sqlite"), timeout=30)
        with db:
            for worker, lease in (('alive@other:7"x', 4102444800), ("dead@gone:1", 1)):
                db.execute("INSERT INTO jobs (user_id, kind, video_ids, options, state, stage, created, worker, "
                           "lease_expires, attempts, started) VALUES (1, 'prepare', '[999]', '{}', 'running', "
                           "'prepare', 1, ?, ?, 1, 1)", (worker, lease))
        dead_id = db.execute("SELECT id FROM jobs WHERE worker = 'dead@gone:1'").fetchone()[0]
        db.close()
        # The server's own worker re-queues the dead one's job before claiming (then runs it: no such
        # video, an error); the live worker's job stays its own.
        deadline = time.time() + 60
        while time.time() < deadline:
            text = api(s, "GET", "/metrics", expect=200).text
            if metric(text, "vidseg_job_lease_expiries_total").group(1) == "1":
                break
            time.sleep(0.2)
        assert metric(text, "vidseg_job_lease_expiries_total").group(1) == "1", text
        assert metric(text, 'vidseg_jobs_leased{worker="alive@other:7\\"x"}').group(1) == "1", text
        assert "dead@gone:1" not in text
        admin = login(s, "admin", s.password).json()["token"]
        log = api(s, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{dead_id}/log", token=admin, expect=200).json()
        assert any("lease of its worker expired" in l["line"] for l in log["lines"]), log
    finally:
        s.stop()


# --- passwords, the analysis jobs, progress streams, results as one zip ------------------------

def test_password_change(server, accounts):
    admin = accounts["admin"]
    api(server, "POST", "/api/users", token=admin, expect=201,
        json={"username": "fay", "password": "fay-first-pw", "role": "dl-user"})
    fay = login(server, "fay", "fay-first-pw").json()["token"]
    r = api(server, "POST", "/api/me/password", token=fay, json={"old_password": "wrong-one", "new_password": "x" * 10},
            expect=403)
    assert error_of(r) == {"code": "wrong_password", "message": "the current password is wrong"}
    r = api(server, "POST", "/api/me/password", token=fay, json={"old_password": "fay-first-pw", "new_password": "short"},
            expect=400)
    assert "a password has 8 to 1024 characters" in error_of(r)["message"]
    api(server, "POST", "/api/me/password", token=fay, json={"old_password": "fay-first-pw"}, expect=400)
    r = api(server, "POST", "/api/me/password", token=fay,
            json={"old_password": "fay-first-pw", "new_password": "fay-second-pw"}, expect=200)
    assert r.json() == {"changed": True, "sessions_ended": 1}  # the session of fay's first login
    login(server, "fay", "fay-first-pw", expect=401)
    assert login(server, "fay", "fay-second-pw").json()["user"]["name"] == "fay"
    api(server, "POST", "/api/me/password", json={"old_password": "a", "new_password": "b" * 9}, expect=401)

    # From a browser: the other browsers' sessions end (a stolen cookie stops working), the caller's
    # own stays; API tokens stay valid (revoked one by one with DELETE /api/tokens/{id}).
    here, elsewhere = requests.Session(), requests.Session()
    for s in (here, elsewhere):
        csrf = api(server, "POST", "/api/login", session=s, expect=200,
                   json={"username": "fay", "password": "fay-second-pw", "api_token": False}).json()["csrf_token"]
    here_csrf = api(server, "GET", "/api/me", session=here, expect=200).json()["csrf_token"]
    r = api(server, "POST", "/api/me/password", session=here, headers={"X-CSRF-Token": here_csrf},
            json={"old_password": "fay-second-pw", "new_password": "fay-third-pw"}, expect=200)
    assert r.json() == {"changed": True, "sessions_ended": 2}  # `elsewhere` and the login above
    assert api(server, "GET", "/api/me", session=here, expect=200).json()["name"] == "fay"
    r = api(server, "GET", "/api/me", session=elsewhere, expect=401)
    assert error_of(r)["code"] == "unauthorized"
    api(server, "POST", "/api/tokens", session=elsewhere, headers={"X-CSRF-Token": csrf}, json={"label": "x"},
        expect=401)
    assert api(server, "GET", "/api/me", token=fay, expect=200).json()["name"] == "fay"
    entries = api(server, "GET", "/api/audit", token=admin, params={"limit": 500}, expect=200).json()["entries"]
    assert ("password-change", "user fay") in {(e["action"], e["subject"]) for e in entries}
    assert ("password-change-failed", "user fay") in {(e["action"], e["subject"]) for e in entries}


def test_user_language_is_stored_and_checked(server, accounts):
    """PUT /api/me: the interface language per user, kept across logins; anything but ru / en is 400."""
    admin = accounts["admin"]
    api(server, "POST", "/api/users", token=admin, expect=201,
        json={"username": "gus", "password": "gus-secret-pw", "role": "dl-user"})
    first = login(server, "gus", "gus-secret-pw").json()
    assert first["user"]["language"] is None  # not chosen yet: the UI follows the browser
    gus = first["token"]
    assert api(server, "GET", "/api/me", token=gus, expect=200).json()["language"] is None

    # A browser session: only with its CSRF token.
    s = requests.Session()
    csrf = api(server, "POST", "/api/login", session=s, expect=200,
               json={"username": "gus", "password": "gus-secret-pw", "api_token": False}).json()["csrf_token"]
    r = api(server, "PUT", "/api/me", session=s, json={"language": "ru"}, expect=403)
    assert "X-CSRF-Token" in error_of(r)["message"]
    assert api(server, "GET", "/api/me", token=gus, expect=200).json()["language"] is None
    me = api(server, "PUT", "/api/me", session=s, json={"language": "ru"}, headers={"X-CSRF-Token": csrf},
             expect=200).json()
    assert (me["name"], me["language"], me["csrf_token"]) == ("gus", "ru", csrf)

    # Kept for every later login, in any client.
    assert login(server, "gus", "gus-secret-pw").json()["user"]["language"] == "ru"
    assert api(server, "GET", "/api/me", token=gus, expect=200).json()["language"] == "ru"
    assert api(server, "GET", "/api/users", token=admin, expect=200).json()["users"][-1]["language"] == "ru"

    # Refused, nothing changed: other languages, other types, other fields, no object.
    for body, message in [({"language": "de"}, "'language' is 'ru' or 'en'"),
                          ({"language": "RU"}, "'language' is 'ru' or 'en'"),
                          ({"language": ""}, "'language' is 'ru' or 'en'"),
                          ({"language": "ru'; DROP TABLE users;--"}, "'language' is 'ru' or 'en'"),
                          ({"language": 1}, "'language' must be a string"),
                          ({}, "'language' is required"),
                          ({"language": "en", "role": "admin"}, "'role' cannot be changed here")]:
        r = api(server, "PUT", "/api/me", token=gus, json=body, expect=400)
        assert r.headers["Content-Type"].startswith("application/json")
        assert error_of(r) == {"code": "bad_request", "message": message}, body
    for raw in ("{not json", '["en"]'):
        r = api(server, "PUT", "/api/me", token=gus, data=raw, headers={"Content-Type": "application/json"},
                expect=400)
        assert error_of(r) == {"code": "bad_json", "message": "the body must be a JSON object"}
    me = api(server, "GET", "/api/me", token=gus, expect=200).json()
    assert (me["language"], me["role"]) == ("ru", "dl-user")

    assert api(server, "PUT", "/api/me", token=gus, json={"language": "en"}, expect=200).json()["language"] == "en"
    api(server, "PUT", "/api/me", json={"language": "en"}, expect=401)


def read_events(response, until):
    """(event, data) pairs of a Server-Sent Events response until until(event, data) is true."""
    events, name, data = [], None, []
    for line in response.iter_lines(decode_unicode=True):
        if line == "":
            if name:
                events.append((name, json.loads("\n".join(data))))
                if until(*events[-1]):
                    break
            name, data = None, []
        elif line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
    return events


def job_events(server, token, job_id):
    r = api(server, "GET", "/api/jobs/{id}/events", path=f"/api/jobs/{job_id}/events", token=token, stream=True,
            expect=200)
    assert r.headers["Content-Type"].startswith("text/event-stream")
    events = read_events(r, lambda name, _: name == "end")
    r.close()
    return events


@pytest.fixture(scope="module")
def erin(server, accounts):
    """A dl-user with the spoken lesson (lesson.mp4, 'lesson' in the export) and a five-episode series."""
    api(server, "POST", "/api/users", token=accounts["admin"], expect=201,
        json={"username": "erin", "password": "erin-secret-pw", "role": "dl-user"})
    token = login(server, "erin", "erin-secret-pw").json()["token"]
    tus_upload(server, token, os.path.join(MEDIA, "lesson.mp4"), "lesson.mp4")
    for i in range(1, 6):
        tus_upload(server, token, os.path.join(MEDIA, "series", f"ep{i}.mp4"), f"ep{i}.mp4")
    ids = {v["name"]: v["id"] for v in api(server, "GET", "/api/videos", token=token, expect=200).json()["videos"]}
    return token, ids


def test_dataset_build_job_with_review_decisions_and_zip(server, accounts, erin):
    token, ids = erin
    export = json.load(open(os.path.join(SOURCE, "tests", "data", "dataset", "lesson_export.json")))
    body = {"kind": "dataset build", "video_ids": [ids["lesson.mp4"]], "options": {"keyframe": "middle"},
            "inputs": {"annotations": export, "review": [{"item": "2", "decision": "excluded",
                                                            "reason": "teacher not in frame"}]}}
    r = api(server, "POST", "/api/jobs", token=token, json={**body, "options": {"annotations": "/etc/passwd"}},
            expect=400)
    assert error_of(r)["message"] == "option annotations is chosen by the server, not by a job"
    r = api(server, "POST", "/api/jobs", token=token, json={**body, "inputs": {}}, expect=400)
    assert error_of(r)["message"] == "a dataset build job needs inputs.annotations"
    job = api(server, "POST", "/api/jobs", token=token, json=body, expect=201).json()
    assert job["kind"] == "dataset build" and job["options"] == {"keyframe": "middle"}
    events = job_events(server, token, job["id"])
    assert events[-1][0] == "end" and events[-1][1]["state"] == "finished", events[-3:]
    progress = [d["progress"] for _, d in events]
    assert progress == sorted(progress) and progress[-1] == 100
    stages = [d["stage"] for _, d in events]
    assert "segments" in stages and stages[-1] == "finished", stages
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=token, expect=200).json()["files"]}
    assert {"metadata.jsonl", "README.md", "review.jsonl", "build_manifest.json"} <= set(files), sorted(files)
    r = api(server, "GET", "/api/jobs/{id}/files.zip", path=f"/api/jobs/{job['id']}/files.zip", token=token,
            expect=200)
    assert r.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert archive.testzip() is None  # every entry's CRC-32 matches
    assert sorted(archive.namelist()) == sorted(files)
    for name, f in files.items():
        assert not name.startswith("/") and ".." not in name.split("/")
        data = archive.read(name)
        assert len(data) == f["size"], name
        direct = requests.get(server.url + f["url"], headers={"Authorization": "Bearer " + token}).content
        assert hashlib.sha256(data).hexdigest() == hashlib.sha256(direct).hexdigest(), name
    rows = [json.loads(l) for l in archive.read("metadata.jsonl").decode().splitlines() if l]
    decisions = [json.loads(l) for l in archive.read("review.jsonl").decode().splitlines() if l]
    excluded = [d for d in decisions if d["decision"] == "excluded"]
    assert len(excluded) == 1 and excluded[0]["reason"] == "teacher not in frame" and excluded[0]["who"] == "erin"
    assert len(rows) == 3 and excluded[0]["item"] not in {row["file_name"] for row in rows}
    assert len([n for n in archive.namelist() if n.startswith("videos/")]) == 3
    for route in ("/api/jobs/{id}/files.zip", "/api/jobs/{id}/events"):  # another user's job does not exist
        api(server, "GET", route, path=route.replace("{id}", str(job["id"])), token=accounts["bob"], expect=404)


def test_transcribe_job(server, erin):
    token, ids = erin
    r = api(server, "POST", "/api/jobs", token=token, expect=400,
            json={"kind": "transcribe", "video_ids": [ids["lesson.mp4"]], "options": {"whisper-python": "/bin/sh"}})
    assert "chosen by the server" in error_of(r)["message"]
    # A job may not send a user's audio (or the server's requests) to a URL of its choosing.
    r = api(server, "POST", "/api/jobs", token=token, expect=400,
            json={"kind": "transcribe", "video_ids": [ids["lesson.mp4"]],
                  "options": {"whisper-backend": "http", "whisper-url": "http://169.254.169.254/"}})
    assert error_of(r)["message"] == "option whisper-url is chosen by the server (VIDSEG_WHISPER_URL), not by a job"
    job = api(server, "POST", "/api/jobs", token=token, expect=201,
              json={"kind": "transcribe", "video_ids": [ids["lesson.mp4"]], "options": {"whisper-language": "ru,en"}}).json()
    done, seen = wait_job(server, token, job["id"], timeout=600)
    assert done["state"] == "finished", (done, api(server, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{job['id']}/log",
                                                   token=token).json())
    assert "transcribe" in {s[1] for s in seen}
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=token, expect=200).json()["files"]}
    assert set(files) == {"lesson.json", "lesson.txt", "lesson.srt"}
    get = lambda name: requests.get(server.url + files[name]["url"], headers={"Authorization": "Bearer " + token})
    doc = get("lesson.json").json()
    assert doc["language"] in ("en", "ru") and len(doc["text"].split()) >= 5, doc["text"]
    assert doc["segments"] and all("words" in s for s in doc["segments"])
    srt = get("lesson.srt").text
    assert re.match(r"1\n\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d\n\S", srt), srt[:200]
    assert get("lesson.txt").text.strip() == doc["text"].strip()


def test_intro_detect_job_and_user_event_stream(server, erin):
    token, ids = erin
    episodes = [ids[f"ep{i}.mp4"] for i in range(1, 6)]
    r = api(server, "POST", "/api/jobs", token=token, json={"kind": "intro detect", "video_ids": episodes[:1]},
            expect=400)
    assert error_of(r)["message"] == "a intro detect job takes 2 to 256 videos (video_ids)"
    stream = api(server, "GET", "/api/events", token=token, stream=True, expect=200)
    job = api(server, "POST", "/api/jobs", token=token, expect=201,
              json={"kind": "intro detect", "video_ids": episodes, "options": {"max-length": 30}}).json()
    events = read_events(stream, lambda _, d: d["id"] == job["id"] and d["state"] in ("finished", "error"))
    stream.close()
    mine = [d for _, d in events if d["id"] == job["id"]]
    assert mine[-1]["state"] == "finished", (mine[-1], api(server, "GET", "/api/jobs/{id}/log",
                                                          path=f"/api/jobs/{job['id']}/log", token=token).json())
    assert len(mine) >= 2 and mine[-1]["stage"] == "finished" and mine[-1]["progress"] == 100, mine
    assert [d["progress"] for d in mine] == sorted(d["progress"] for d in mine)
    assert all(d["owner_id"] == job["owner_id"] for _, d in events)  # only erin's jobs
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=token, expect=200).json()["files"]}
    assert {"intro.json", "test_predictions.json", "edl/ep1.edl", "chapters/ep4.ffmetadata"} <= set(files)
    get = lambda name: requests.get(server.url + files[name]["url"], headers={"Authorization": "Bearer " + token})
    predictions = get("test_predictions.json").json()
    truth = {"ep1": (3, 9), "ep2": (8, 14), "ep3": (0, 6), "ep4": (12, 18)}
    for ep, (start, end) in truth.items():
        assert abs(predictions[ep][0] - start) < 0.5 and abs(predictions[ep][1] - end) < 0.5, (ep, predictions)
    assert predictions["ep5"] == []
    report = get("intro.json").json()
    assert [e["video_id"] for e in report["episodes"]] == episodes and report["usable"] == 5
    assert get("edl/ep1.edl").text.endswith("\t3\n")
def test_kept_alive_connection_answers_without_nagle_delay(server):
    # Headers and body are two writes: without TCP_NODELAY the body waits for the client's delayed ACK,
    # and the 2nd..5th request of each kept-alive connection took ~44 ms (bench/server_load.py's p50).
    session = requests.Session()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert session.get(server.url + "/healthz", timeout=10).status_code == 200
        times.append(time.perf_counter() - started)
    times.sort()
    assert times[len(times) // 2] < 0.025, [round(t * 1000, 1) for t in times]


def test_listen_backlog_takes_a_burst_of_connections(server):
    # cpp-httplib listens with a backlog of 5; the server raises it so that a burst of connections is
    # not dropped (dropped ones retried after 1 s: bench/server_load.py's p99 at 200 connections).
    # `ss -l` shows a listening socket's backlog as Send-Q.
    if shutil.which("ss") is None:
        pytest.skip("ss (iproute2) is not installed")
    port = server.url.rsplit(":", 1)[1]
    lines = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    backlogs = [int(line.split()[2]) for line in lines if line.strip()]
    assert backlogs and min(backlogs) >= 128, lines


def test_idle_kept_alive_connections_do_not_wake_the_server(server, accounts):
    # cpp-httplib polled every kept-alive connection from its own thread every 10 ms (~100 wake-ups a
    # second each). The event loop keeps idle clients in one epoll set: the server's threads switch in only
    # for its own timers (once a second for idle connections, the stop watcher, the job workers).
    def switches():
        total = 0
        for task in os.listdir(f"/proc/{server.proc.pid}/task"):
            try:
                with open(f"/proc/{server.proc.pid}/task/{task}/status") as f:
                    total += sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
            except FileNotFoundError:
                pass  # a thread that ended meanwhile
        return total

    host, port = server.url[7:].split(":")
    clients = []
    for _ in range(50):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"GET /api/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + accounts["anna"].encode()
                  + b"\r\n\r\n")
        clients.append(s)
    for s in clients:
        s.settimeout(10)
        assert s.recv(12) == b"HTTP/1.1 200"
    time.sleep(0.5)
    before = switches()
    time.sleep(3)  # less than the keep-alive timeout (5 s): every connection stays open
    woken = switches() - before
    for s in clients:
        s.close()
    # 50 connections polled every 10 ms would be ~15 000 switches in 3 s.
    assert woken < 600, woken


def test_concurrent_logins_keep_memory_bounded(data_dir):
    # Each argon2id check holds 64 MiB; 16 logins at once took the server past 1 GiB before at most two
    # were let run at a time (bench/server_load.py keeps the server under 300 MB).
    data = os.path.join(data_dir, "login-burst-data")
    subprocess.run([VIDSEG, "users", "add", "eve", "--password-stdin", "--data", data], input="eve-secret-pw\n",
                   capture_output=True, text=True, check=True)
    s = Server(data, "--threads", "16")  # the later --threads wins over Server's 8
    try:
        hwm = lambda: int(re.search(r"VmHWM:\s+(\d+) kB", open(f"/proc/{s.proc.pid}/status").read()).group(1))
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda _: requests.post(
                s.url + "/api/login", json={"username": "eve", "password": "eve-secret-pw"}, timeout=120).status_code,
                range(16)))
        assert statuses == [200] * 16
        assert hwm() < 300 * 1024, f"peak RSS {hwm() // 1024} MiB after 16 concurrent logins"
    finally:
        s.stop()


def test_users_add_cli_and_environment_settings(data_dir):
    """`vidseg users add` before the first start (then no admin is made), settings from VIDSEG_* variables."""
    data = os.path.join(data_dir, "env-data")
    add = subprocess.run([VIDSEG, "users", "add", "dora", "--role", "admin", "--password-stdin", "--data", data],
                         input="dora-secret-pw\n", capture_output=True, text=True)
    assert add.returncode == 0 and add.stdout == "Created user 'dora' (admin)\n", add.stderr
    again = subprocess.run([VIDSEG, "users", "add", "dora", "--password-stdin", "--data", data],
                           input="other-password\n", capture_output=True, text=True)
    assert again.returncode == 2 and "dora: a user with this name exists" in again.stderr
    short = subprocess.run([VIDSEG, "users", "add", "ed", "--password-stdin", "--data", data],
                           input="short\n", capture_output=True, text=True)
    assert short.returncode == 2 and "a password has 8 to 1024 characters" in short.stderr
    os.environ["VIDSEG_MAX_UPLOAD"] = "1000"
    try:
        s = Server(data)
    finally:
        del os.environ["VIDSEG_MAX_UPLOAD"]
    try:
        assert s.password is None  # an account existed: no one-time password
        token = login(s, "dora", "dora-secret-pw").json()["token"]
        assert api(s, "OPTIONS", "/api/uploads/", expect=204).headers["Tus-Max-Size"] == "1000"
        api(s, "POST", "/api/uploads/", token=token, headers={"Tus-Resumable": "1.0.0", "Upload-Length": "1001"},
            expect=413)
    finally:
        s.stop()
    bad = subprocess.run([VIDSEG, "serve", "--data", data], capture_output=True, text=True,
                         env={**os.environ, "VIDSEG_WORKERS": "many"})
    assert bad.returncode == 2 and "VIDSEG_WORKERS: option --workers: expects a number, got 'many'" in bad.stderr


def test_config_file_active_job_limit_and_abandoned_uploads(data_dir):
    """--config FILE under the environment and the flags; the dl-user job limit; abandoned uploads removed."""
    help_text = subprocess.run([VIDSEG, "serve", "--help"], capture_output=True, text=True).stdout
    for option in ("--config FILE", "--max-active-jobs N", "--abandoned-upload-hours HOURS"):
        assert option in help_text, help_text
    data = os.path.join(data_dir, "config-data")
    conf = os.path.join(data_dir, "serve.conf")
    with open(conf, "w") as f:
        f.write("# test settings\nmax-upload = 50000000\nmax-active-jobs = 1\nworkers = 0\n"
                "abandoned-upload-hours = 0.001\nread-timeout = \"4\"\n")
    os.environ["VIDSEG_MAX_UPLOAD"] = "40000000"  # the environment beats the file
    try:
        s = Server(data, "--config", conf)
    finally:
        del os.environ["VIDSEG_MAX_UPLOAD"]
    try:
        assert api(s, "OPTIONS", "/api/uploads/", expect=204).headers["Tus-Max-Size"] == "40000000"
        admin = login(s, "admin", s.password).json()["token"]
        api(s, "POST", "/api/users", token=admin, expect=201,
            json={"username": "gil", "password": "gil-secret-pw", "role": "dl-user"})
        gil = login(s, "gil", "gil-secret-pw").json()["token"]
        tus_upload(s, gil, VIDEO, "lesson.mp4")  # its arrival job stays queued (workers = 0) and does not count
        vid = video_named(s, gil, "lesson.mp4")[0]["id"]
        prepare = {"kind": "prepare", "video_ids": [vid]}
        api(s, "POST", "/api/jobs", token=gil, json=prepare, expect=201)
        r = api(s, "POST", "/api/jobs", token=gil, json=prepare, expect=429)
        assert error_of(r) == {"code": "too_many_jobs", "message": "you have 1 queued or running jobs, the limit is 1; "
                                                                   "wait for one to end or cancel one"}
        api(s, "POST", "/api/jobs", token=admin, json=prepare, expect=201)  # admins have no limit
        # An upload no byte reached for 3.6 s is removed (bytes and catalog entry).
        tus = {"Tus-Resumable": "1.0.0"}
        url = api(s, "POST", "/api/uploads/", token=gil, headers={**tus, "Upload-Length": "1000"},
                  expect=201).headers["Location"]
        api(s, "PATCH", "/api/uploads/{id}", path=url, token=gil, data=b"x" * 10, expect=204,
            headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert len(os.listdir(os.path.join(data, "uploads"))) == 1
        deadline = time.time() + 15
        while time.time() < deadline and os.listdir(os.path.join(data, "uploads")):
            time.sleep(0.5)
        assert os.listdir(os.path.join(data, "uploads")) == []
        api(s, "HEAD", "/api/uploads/{id}", path=url, token=gil, headers=tus, expect=404)
    finally:
        s.stop()
    # A flag beats the file; a bad line is named with its line number.
    s = Server(data, "--config", conf, "--max-upload", "30000000")
    try:
        assert api(s, "OPTIONS", "/api/uploads/", expect=204).headers["Tus-Max-Size"] == "30000000"
    finally:
        s.stop()
    with open(conf, "a") as f:
        f.write("workers = many\n")
    bad = subprocess.run([VIDSEG, "serve", "--data", data, "--config", conf], capture_output=True, text=True)
    assert bad.returncode == 2 and f"{conf}:7: option --workers: expects a number, got 'many'" in bad.stderr, bad.stderr


def test_dataset_review_decisions_and_rebuild(server, accounts, erin):
    """The web review's routes: fragments with their `--keyframe best` candidates, decisions into the
    draft review.jsonl, the re-build that applies them; another user's job does not exist."""
    token, ids = erin
    export = json.load(open(os.path.join(SOURCE, "tests", "data", "dataset", "lesson_export.json")))
    job = api(server, "POST", "/api/jobs", token=token, expect=201,
              json={"kind": "dataset build", "video_ids": [ids["lesson.mp4"]], "inputs": {"annotations": export},
                    "options": {"keyframe": "best", "keyframe-candidates": 3}}).json()
    review_path = f"/api/jobs/{job['id']}/review"
    done, _ = wait_job(server, token, job["id"], timeout=600)
    assert done["state"] == "finished", done
    review = api(server, "GET", "/api/jobs/{id}/review", path=review_path, token=token, expect=200).json()
    items = review["items"]
    assert review["decisions"] == 0 and len(items) == 4 and [i["number"] for i in items] == [1, 2, 3, 4]
    for item in items:
        assert item["lesson"] == "lesson" and item["start"] < item["end"] and item["decision"] is None
        assert item["image"] == f"/api/jobs/{job['id']}/files/images/{item['item']}.jpg"
        assert len(item["candidates"]) == 3
        assert any(abs(c["time"] - item["keyframe_time"]) < 1e-6 for c in item["candidates"])
        assert all(item["start"] - 1e-6 <= c["time"] <= item["end"] + 1e-6 for c in item["candidates"])
        r = requests.get(server.url + item["candidates"][0]["image"], headers={"Authorization": "Bearer " + token})
        assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"  # a JPEG
    first, second = items[0], items[1]
    other = next(c["time"] for c in second["candidates"] if abs(c["time"] - second["keyframe_time"]) > 1e-6)
    post = lambda body, expect: api(server, "POST", "/api/jobs/{id}/review", path=review_path, token=token,
                                    json=body, expect=expect)
    assert error_of(post({"item": "nope", "decision": "excluded"}, 404))["message"] == \
        f"fragment 'nope' is not in the dataset of job {job['id']}"
    assert "excluded or kept" in error_of(post({"item": first["item"], "decision": "maybe"}, 400))["message"]
    assert "outside the fragment" in error_of(post({"item": second["item"], "keyframe": second["end"] + 5}, 400))["message"]
    post({"item": first["item"], "decision": "excluded", "reason": "blurred\nframe"}, 200)
    after = post({"item": second["item"], "decision": "kept", "keyframe": other}, 200).json()
    assert after["decisions"] == 2
    states = {i["item"]: (i["decision"], i["reason"], i["picked"]) for i in after["items"]}
    assert states[first["item"]] == ("excluded", "blurred frame", None)
    assert states[second["item"]] == ("kept", "", other)
    log = api(server, "GET", "/api/jobs/{id}/review.jsonl", path=review_path + ".jsonl", token=token, expect=200)
    rows = [json.loads(l) for l in log.text.splitlines()]
    assert [(r["item"], r["decision"], r["reason"], r["who"], r["source"]) for r in rows] == [
        (first["item"], "excluded", "blurred frame", "erin", "web"), (second["item"], "kept", "", "erin", "web")]
    assert rows[1]["keyframe"] == other and "keyframe" not in rows[0]
    assert rows[0]["start"] == first["start"] and rows[0]["patterns"] == first["patterns"]
    for method, template in (("GET", "/api/jobs/{id}/review"), ("POST", "/api/jobs/{id}/review"),
                             ("GET", "/api/jobs/{id}/review.jsonl"), ("POST", "/api/jobs/{id}/rebuild")):
        api(server, method, template, path=template.replace("{id}", str(job["id"])), token=accounts["bob"],
            json={"item": first["item"]} if method == "POST" else None, expect=404)
    rebuilt = api(server, "POST", "/api/jobs/{id}/rebuild", path=f"/api/jobs/{job['id']}/rebuild", token=token,
                  expect=201).json()
    assert rebuilt["kind"] == "dataset build" and rebuilt["video_ids"] == [ids["lesson.mp4"]]
    assert rebuilt["options"] == {"keyframe": "best", "keyframe-candidates": 3}
    done, _ = wait_job(server, token, rebuilt["id"], timeout=600)
    assert done["state"] == "finished", done
    get = lambda name: requests.get(f"{server.url}/api/jobs/{rebuilt['id']}/files/{name}",
                                    headers={"Authorization": "Bearer " + token}).text
    metadata = [json.loads(l) for l in get("metadata.jsonl").splitlines()]
    assert sorted(m["file_name"].split("/")[1].rsplit(".", 1)[0] for m in metadata) == \
        sorted(i["item"] for i in items[1:])
    assert next(m for m in metadata if second["item"] in m["file_name"])["keyframe_time"] == pytest.approx(other)
    built = [json.loads(l) for l in get("review.jsonl").splitlines()]
    assert {(d["item"], d["decision"], d["source"]) for d in built} >= {
        (first["item"], "excluded", "exclude-option"), (second["item"], "kept", "keyframe-pick")}
    # Only a finished dataset build has a review.
    running = api(server, "POST", "/api/jobs", token=token, expect=201,
                  json={"kind": "dataset build", "video_ids": [ids["lesson.mp4"]], "inputs": {"annotations": export}}).json()
    r = api(server, "GET", "/api/jobs/{id}/review", path=f"/api/jobs/{running['id']}/review", token=token)
    assert r.status_code in (200, 409)  # it may already have finished on a fast machine
    if r.status_code == 409:
        assert error_of(r)["code"] == "job_not_finished"
    wait_job(server, token, running["id"], timeout=600)


def test_keyframes_learn_job_from_review_decisions(server, accounts, erin):
    """A `keyframes learn` job learns from the web review's picks of the caller's own `--keyframe best` build
    (options through the CLI command's table); its model is then chosen for a later build by the learn job's
    id, never by a path; another user's jobs are not found, unusable ones refused."""
    token, ids = erin
    export = json.load(open(os.path.join(SOURCE, "tests", "data", "dataset", "lesson_export.json")))
    build = lambda options, expect=201, who=token: api(
        server, "POST", "/api/jobs", token=who, expect=expect,
        json={"kind": "dataset build", "video_ids": [ids["lesson.mp4"]], "inputs": {"annotations": export},
              "options": options})
    learn = lambda inputs, expect=201, who=token, options=None, videos=(): api(
        server, "POST", "/api/jobs", token=who, expect=expect,
        json={"kind": "keyframes learn", "video_ids": list(videos), "options": options or {}, "inputs": inputs})
    job = build({"keyframe": "best", "keyframe-candidates": 3}).json()
    done, _ = wait_job(server, token, job["id"], timeout=600)
    assert done["state"] == "finished", done
    review_path = f"/api/jobs/{job['id']}/review"
    items = api(server, "GET", "/api/jobs/{id}/review", path=review_path, token=token, expect=200).json()["items"]
    picks = {}
    for item in items[:2]:  # another candidate than the build's choice, for two fragments
        picks[item["item"]] = next(c["time"] for c in item["candidates"] if abs(c["time"] - item["keyframe_time"]) > 1e-6)
        api(server, "POST", "/api/jobs/{id}/review", path=review_path, token=token, expect=200,
            json={"item": item["item"], "decision": "kept", "keyframe": picks[item["item"]]})

    # Refusals: the kind takes no video and needs inputs.reviews; another user's build does not exist for it;
    # a job that is no finished build with candidates is refused.
    assert error_of(learn({"reviews": [job["id"]]}, 400, videos=[ids["lesson.mp4"]]))["message"] == \
        "a keyframes learn job takes no video (video_ids)"
    assert "needs inputs" in error_of(learn({}, 400))["message"]
    assert "unknown input 'review'" in error_of(learn({"reviews": [job["id"]], "review": []}, 400))["message"]
    assert "option out is chosen by the server" in error_of(learn({"reviews": [job["id"]]}, 400,
                                                                 options={"out": "/tmp/x"}))["message"]
    assert "must be <= 1" in error_of(learn({"reviews": [job["id"]]}, 400, options={"accepted-weight": 3}))["message"]
    learn({"reviews": [job["id"]]}, 404, who=accounts["bob"])
    plain = build({}).json()
    wait_job(server, token, plain["id"], timeout=600)
    assert error_of(learn({"reviews": [plain["id"]]}, 409))["code"] == "not_reviewable"

    learned = learn({"reviews": [job["id"]]}, options={"accepted-weight": 0, "l2": 0.05}).json()
    assert learned["kind"] == "keyframes learn" and learned["video_ids"] == []
    done, _ = wait_job(server, token, learned["id"], timeout=300)
    assert done["state"] == "finished", done
    files = {f["name"] for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{learned['id']}/files",
                                    token=token, expect=200).json()["files"]}
    assert files == {"keyframes.model", "learn.json"}
    get = lambda job_id, name: requests.get(f"{server.url}/api/jobs/{job_id}/files/{name}",
                                            headers={"Authorization": "Bearer " + token})
    report = get(learned["id"], "learn.json").json()
    assert report["model"] == f"model:{learned['id']}"
    assert report["training"]["picks"] == 2 and report["training"]["accepted"] == 0
    assert report["training_agreement"]["decisions"] == 2
    model = get(learned["id"], "keyframes.model").json()
    assert model["format"] == "vidseg-keyframe-ranker" and model["version"] == 1

    # The model for a later build: by the learn job's id only; never a server path, never another user's.
    assert "never a file of the server" in error_of(build({"keyframe": "model:/etc/passwd"}, 400))["message"]
    assert error_of(build({"keyframe": f"model:{job['id']}"}, 409))["code"] == "not_a_keyframe_model"
    build({"keyframe": f"model:{learned['id']}"}, 404, who=accounts["bob"])
    later = build({"keyframe": f"model:{learned['id']}", "keyframe-candidates": 3}).json()
    done, _ = wait_job(server, token, later["id"], timeout=600)
    assert done["state"] == "finished", done
    fragments = [json.loads(l) for l in get(later["id"], "keyframe_candidates.jsonl").text.splitlines()]
    assert len(fragments) == len(items) and {f["chooser"] for f in fragments} == {"model"}
    log = api(server, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{later['id']}/log", token=token, expect=200).json()
    assert any(l["line"] == f"keyframe model of job {learned['id']}" for l in log["lines"])


def test_intro_corrections_and_labels(server, accounts, erin):
    """The intros page's routes: series with every episode, a boundary corrected (stored in the
    catalog), the labels export in SPEC form A; another user's series does not exist."""
    token, ids = erin
    episodes = [ids[f"ep{i}.mp4"] for i in range(1, 6)]
    job = api(server, "POST", "/api/jobs", token=token, expect=201,
              json={"kind": "intro detect", "video_ids": episodes, "options": {"max-length": 30}}).json()
    done, _ = wait_job(server, token, job["id"], timeout=600)
    assert done["state"] == "finished", done
    series = {s["job"]["id"]: s for s in api(server, "GET", "/api/intros", token=token, expect=200).json()["series"]}
    mine = series[job["id"]]
    assert [e["video_id"] for e in mine["episodes"]] == episodes
    assert [e["episode"] for e in mine["episodes"]] == [f"ep{i}.mp4" for i in range(1, 6)]
    ep1 = mine["episodes"][0]
    assert ep1["detected"] is not None and ep1["corrected"] is None and ep1["duration"] > 10
    assert api(server, "GET", "/api/intros", token=accounts["bob"], expect=200).json()["series"] == []
    put = lambda video, body, expect, tok=token, job_id=job["id"]: api(
        server, "PUT", "/api/intros/{job}/episodes/{video}", path=f"/api/intros/{job_id}/episodes/{video}",
        token=tok, json=body, expect=expect)
    assert "0 <= start < end" in error_of(put(episodes[0], {"start": 5, "end": 4}, 400))["message"]
    assert "the episode's length" in error_of(put(episodes[0], {"start": 1, "end": 9999}, 400))["message"]
    assert "'start' and 'end' must be seconds" == error_of(put(episodes[0], {"start": "1"}, 400))["message"]
    put(ids["lesson.mp4"], {"start": 1, "end": 2}, 404)  # not an episode of the job
    put(episodes[0], {"start": 1, "end": 2}, 404, tok=accounts["bob"])
    dataset_job = next(j for j in api(server, "GET", "/api/jobs", token=token, expect=200).json()["jobs"]
                       if j["kind"] == "dataset build" and j["state"] == "finished")
    assert error_of(put(episodes[0], {"start": 1, "end": 2}, 409, job_id=dataset_job["id"]))["code"] == "not_an_intro_series"
    after = put(episodes[0], {"start": 3.5, "end": 9.25}, 200).json()
    assert after["episodes"][0]["corrected"] == [3.5, 9.25] and after["episodes"][0]["corrected_by"] == "erin"
    put(episodes[0], {"start": 3.0, "end": 9.5}, 200)  # a second correction replaces the first
    again = {s["job"]["id"]: s for s in api(server, "GET", "/api/intros", token=token, expect=200).json()["series"]}
    assert again[job["id"]]["episodes"][0]["corrected"] == [3.0, 9.5]
    labels = api(server, "GET", "/api/intros/{job}/labels.json", path=f"/api/intros/{job['id']}/labels.json",
                 token=token, expect=200).json()
    assert list(labels) == [f"ep{i}.mp4" for i in range(1, 6)]
    assert labels["ep1.mp4"] == {"start": "00:00:03", "end": "00:00:09.500"}
    api(server, "GET", "/api/intros/{job}/labels.json", path=f"/api/intros/{job['id']}/labels.json",
        token=accounts["bob"], expect=404)
    r = api(server, "GET", "/api/jobs/{id}/review", path=f"/api/jobs/{job['id']}/review", token=token, expect=409)
    assert error_of(r)["code"] == "not_a_dataset"
    # The series' intro library learned again, the correction in place of ep1's detected intro.
    relearn = lambda job_id, tok, expect: api(server, "POST", "/api/intros/{job}/relearn",
                                              path=f"/api/intros/{job_id}/relearn", token=tok, expect=expect)
    relearn(job["id"], accounts["bob"], 404)
    assert error_of(relearn(dataset_job["id"], token, 409))["code"] == "not_an_intro_series"
    learn = relearn(job["id"], token, 201).json()
    assert learn["kind"] == "intro learn" and learn["video_ids"] == episodes and learn["options"] == {"max-length": 30}
    done, _ = wait_job(server, token, learn["id"], timeout=600)
    assert done["state"] == "finished", done
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{learn['id']}/files",
                                       token=token, expect=200).json()["files"]}
    assert set(files) == {"intro_library.json", "learned.json"}
    get = lambda name: requests.get(server.url + files[name]["url"], headers={"Authorization": "Bearer " + token}).json()
    learned, library = get("learned.json"), get("intro_library.json")
    assert learned["corrected"] == 1 and len(library["variants"]) == len(learned["variants"]) >= 1
    occurrences = {e["episode"]: e["intro"] for v in learned["variants"] for e in v["episodes"]}
    assert occurrences["ep1.mp4"] == [3.0, 9.5], occurrences
    # Inputs that do not fit the job are refused (another video, an inverted interval).
    for bad in ({"video_id": ids["lesson.mp4"], "start": 1, "end": 2}, {"video_id": episodes[0], "start": 2, "end": 1}):
        r = api(server, "POST", "/api/jobs", token=token, expect=400,
                json={"kind": "intro learn", "video_ids": episodes, "inputs": {"corrections": [bad]}})
        assert "intro learn job's inputs" in error_of(r)["message"]
def test_label_studio_routes_without_a_label_studio(server, accounts):
    """This server has no --label-studio-url: the connection's routes say so (the real round trip is
    tests/python/test_label_studio_platform.py)."""
    token = accounts["anna"]
    status = api(server, "GET", "/api/labelstudio", token=token, expect=200).json()
    assert status["configured"] is False and status["reachable"] is False
    assert api(server, "GET", "/api/labelstudio/projects", token=token, expect=200).json() == {"projects": []}
    r = api(server, "POST", "/api/labelstudio/projects", token=token, expect=409,
            json={"name": "p", "patterns": "Работа в команде У", "video_ids": [1]})
    assert error_of(r)["code"] == "labelstudio_not_configured"
    for method, template in (("GET", "/api/labelstudio/projects/{id}"), ("POST", "/api/labelstudio/projects/{id}/retry"),
                             ("POST", "/api/labelstudio/projects/{id}/pull"),
                             ("GET", "/api/labelstudio/projects/{id}/annotations"),
                             ("GET", "/api/labelstudio/projects/{id}/agreement"),
                             ("GET", "/api/labelstudio/projects/{id}/consensus"),
                             ("GET", "/api/labelstudio/projects/{id}/webhook"),
                             ("DELETE", "/api/labelstudio/projects/{id}"),
                             ("POST", "/api/labelstudio/projects/{id}/build")):
        kwargs = {"json": {}} if method == "POST" else {}
        r = api(server, method, template, path=template.replace("{id}", "999"), token=token, expect=404, **kwargs)
        assert error_of(r)["code"] == "not_found", (method, template)
    # Webhooks need --label-studio-webhook-secret; media links need the server's signature.
    r = api(server, "POST", "/api/labelstudio/webhook", expect=404, json={"action": "ANNOTATION_CREATED"},
            headers={"X-Vidseg-Webhook-Secret": "guess"})
    assert error_of(r)["code"] == "not_found"
    media = "/api/labelstudio/media/{video}/{kind}/{expires}/{signature}/{name}"
    r = api(server, "GET", media, path=f"/api/labelstudio/media/1/video/99999999999/{'0' * 64}/x.mp4", expect=403)
    assert error_of(r)["code"] == "forbidden"


def test_mcp_endpoint(server, accounts):
    """/mcp is documented; the MCP protocol itself is tested with the MCP SDK in tests/python/test_mcp.py."""
    r = api(server, "POST", "/mcp", token=accounts["anna"], expect=200,
            json={"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                             "clientInfo": {"name": "t", "version": "1"}}})
    session = {"Mcp-Session-Id": r.headers["Mcp-Session-Id"]}
    r = api(server, "POST", "/mcp", token=accounts["anna"], expect=200, headers=session,
            json={"jsonrpc": "2.0", "id": 2, "method": "ping"})
    assert r.json() == {"jsonrpc": "2.0", "id": 2, "result": {}}
    api(server, "DELETE", "/mcp", token=accounts["anna"], expect=204, headers=session)
    assert error_of(api(server, "POST", "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, expect=401))["code"] == "unauthorized"


def train_test_model(folder, video):
    """A linear model of `vidseg train` on the audio features of `video` (pattern Вопрос over 2-6 s)."""
    feats = os.path.join(folder, "lesson.features.csv")
    subprocess.run([VIDSEG, "features", video, "--no-visual", "--out", feats], check=True, capture_output=True)
    os.makedirs(os.path.join(folder, "ds"), exist_ok=True)
    with open(os.path.join(folder, "ds", "metadata.jsonl"), "w") as f:
        f.write(json.dumps({"file_name": "videos/x.mp4", "patterns": ["Вопрос"], "start": 2, "end": 6,
                            "source_video": "lesson.mp4"}, ensure_ascii=False) + "\n")
    model = os.path.join(folder, "m.model")
    subprocess.run([VIDSEG, "train", "--data", os.path.join(folder, "ds"), "--features", feats, "--arch", "linear",
                    "--epochs", "20", "--seed", "1", "--out", model], check=True, capture_output=True)
    return model


def wav_peaks(path, count):
    """The largest magnitude of each of `count` equal stretches of a 16-bit WAV's frames, directly."""
    import array
    import wave
    with wave.open(path) as w:
        channels, frames = w.getnchannels(), w.getnframes()
        samples = array.array("h", w.readframes(frames))
    k = min(count, frames)
    out = []
    for b in range(k):
        lo, hi = (b * frames // k) * channels, ((b + 1) * frames // k) * channels
        out.append(max(abs(x) for x in samples[lo:hi]) / 32768)
    return frames, out


def test_waveform_peaks_from_the_extracted_wav(server, accounts, tmp_path):
    """The arrival job stores the peaks beside the WAV; they equal a direct computation over the WAV's
    samples; a video whose peaks are missing (arrived before) gets them on the first request."""
    anna = accounts["anna"]
    video = ready_video(server, anna, "waveform.mp4")
    path = f"/api/videos/{video['id']}/peaks"
    doc = api(server, "GET", "/api/videos/{id}/peaks", path=path, token=anna, expect=200).json()
    arrival = next(j for j in api(server, "GET", "/api/jobs", token=anna, expect=200).json()["jobs"]
                   if j["kind"] == "arrival" and j["video_ids"] == [video["id"]])
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{arrival['id']}/files",
                                       token=anna, expect=200).json()["files"]}
    assert {"waveform.wav", "waveform.peaks.json", "waveform.poster.jpg"} <= set(files), files
    wav = tmp_path / "w.wav"
    wav.write_bytes(requests.get(server.url + files["waveform.wav"]["url"], headers={"Authorization": "Bearer " + anna}).content)
    frames, expected = wav_peaks(str(wav), 4000)
    assert doc["sample_rate"] == 16000 and doc["channels"] == 1 and doc["frames"] == frames
    assert doc["duration"] == pytest.approx(frames / 16000) and len(doc["peaks"]) == 4000
    assert doc["peaks"] == pytest.approx(expected, abs=0.51e-4) and max(expected) > 0.01  # 4 decimals
    api(server, "GET", "/api/videos/{id}/peaks", path=path, token=accounts["bob"], expect=404)
    # Peaks missing from the store: computed from the stored WAV on the first request, kept after.
    stored = os.path.join(server.data, "store", files["waveform.peaks.json"]["key"])
    os.remove(stored)
    again = api(server, "GET", "/api/videos/{id}/peaks", path=path, token=anna, expect=200).json()
    assert again == doc and os.path.exists(stored)


def ready_video(server, token, filename):
    """Uploads VIDEO as `filename` and waits for its arrival job."""
    tus_upload(server, token, VIDEO, filename)
    deadline = time.time() + 120
    while time.time() < deadline:
        [v] = video_named(server, token, filename)
        if v["state"] in ("ready", "error"):
            assert v["state"] == "ready", v
            return v
        time.sleep(0.2)
    raise AssertionError(filename + " did not arrive")


def test_models_registry_and_predict_job(server, accounts, tmp_path):
    """An admin registers a model file of `vidseg train`; a dl-user's predict job names it (never a path)
    and its predictions.json holds the intervals `vidseg predict` prints for the same video and options."""
    anna, admin = accounts["anna"], accounts["admin"]
    video = ready_video(server, anna, "predicted.mp4")
    model = train_test_model(str(tmp_path), VIDEO)
    body = open(model, "rb").read()
    one = "/api/models/{name}"
    api(server, "PUT", one, path="/api/models/lesson-patterns", token=anna, data=body, expect=403)
    r = api(server, "PUT", one, path="/api/models/lesson-patterns", token=admin, data=b"not a model\n", expect=400)
    assert error_of(r)["code"] == "invalid_data", r.text
    r = api(server, "PUT", one, path="/api/models/.hidden", token=admin, data=body, expect=400)
    assert "may not start with '.'" in error_of(r)["message"]
    info = api(server, "PUT", one, path="/api/models/lesson-patterns", token=admin, data=body, expect=201).json()
    assert info["name"] == "lesson-patterns" and info["arch"] == "linear" and info["task"] == "patterns"
    assert info["labels"] == ["Вопрос"] and info["size"] == len(body) and info["registered_by"] == "admin"
    assert api(server, "GET", "/api/models", token=anna, expect=200).json()["models"] == [info]
    assert api(server, "GET", one, path="/api/models/lesson-patterns", token=anna, expect=200).json() == info
    api(server, "GET", one, path="/api/models/nothing-here", token=anna, expect=404)
    audit = api(server, "GET", "/api/audit", token=admin, expect=200).json()["entries"]
    assert any(e["action"] == "register-model" and e["subject"] == "model lesson-patterns" for e in audit)

    vid = video["id"]
    submit = lambda body, expect: api(server, "POST", "/api/jobs", token=anna, expect=expect,
                                      json={"kind": "predict", "video_ids": [vid], **body})
    r = submit({"inputs": {"model": "lesson-patterns"}, "options": {"model": "/srv/other.model"}}, 400)
    assert "chosen by the server" in error_of(r)["message"]
    r = submit({"inputs": {"model": "../../catalog.sqlite"}}, 400)
    assert "a model name may hold only" in error_of(r)["message"]
    assert error_of(submit({"inputs": {"model": "nope"}}, 400))["code"] == "unknown_model"
    assert "needs inputs" in error_of(submit({}, 400))["message"]
    r = submit({"inputs": {"model": "lesson-patterns"}, "options": {"threshold": 2}}, 400)
    assert error_of(r)["message"] == "option --threshold: must be <= 0.999, got 2"  # the CLI's table
    job = submit({"inputs": {"model": "lesson-patterns"}, "options": {"threshold": 0.01, "min-length": 1}}, 201).json()
    done, _ = wait_job(server, anna, job["id"])
    assert done["state"] == "finished", done
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=anna, expect=200).json()["files"]}
    assert set(files) == {"predictions.json"}
    doc = requests.get(server.url + files["predictions.json"]["url"], headers={"Authorization": "Bearer " + anna}).json()
    cli = json.loads(subprocess.run([VIDSEG, "predict", "--model", model, VIDEO, "--threshold", "0.01",
                                     "--min-length", "1", "--json"], check=True, capture_output=True).stdout)
    assert doc["model"] == "lesson-patterns" and doc["arch"] == "linear" and doc["task"] == "patterns"
    [video] = doc["videos"]
    assert video["source"] == "predicted.mp4" and video["video_id"] == vid
    assert video["labels"] == ["Вопрос"] and video["rows"] == cli["videos"][0]["rows"]
    assert video["intervals"] == cli["videos"][0]["intervals"] and video["intervals"], video
    # The dl-user cannot remove it; the admin can, and a new job then names an unknown model.
    api(server, "DELETE", one, path="/api/models/lesson-patterns", token=anna, expect=403)
    api(server, "DELETE", one, path="/api/models/lesson-patterns", token=admin, expect=204)
    api(server, "GET", one, path="/api/models/lesson-patterns", token=anna, expect=404)
    assert error_of(submit({"inputs": {"model": "lesson-patterns"}}, 400))["code"] == "unknown_model"


def test_train_job_from_a_dataset_build_and_its_model_registered(server, accounts, erin, tmp_path):
    """A dl-user trains a pattern model on her finished dataset build (options through `vidseg train`'s table,
    features computed from the build's videos), registered under the name she gave; a predict job uses it.
    POST /api/jobs/{id}/register-model registers a train job's model later; a name another user holds is refused."""
    token, ids = erin
    export = json.load(open(os.path.join(SOURCE, "tests", "data", "dataset", "lesson_export.json")))
    build = api(server, "POST", "/api/jobs", token=token, expect=201,
                json={"kind": "dataset build", "video_ids": [ids["lesson.mp4"]], "options": {"keyframe": "middle"},
                      "inputs": {"annotations": export}}).json()
    done, _ = wait_job(server, token, build["id"], timeout=600)
    assert done["state"] == "finished", done
    build_files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files",
                                             path=f"/api/jobs/{build['id']}/files", token=token, expect=200).json()["files"]}
    rows = [json.loads(l) for l in requests.get(server.url + build_files["metadata.jsonl"]["url"],
                                                headers={"Authorization": "Bearer " + token}).text.splitlines() if l]
    patterns = sorted({p for row in rows for p in row["patterns"]})
    assert patterns, rows

    submit = lambda body, expect, who=token: api(server, "POST", "/api/jobs", token=who, expect=expect,
                                                 json={"kind": "train", "video_ids": [], **body})
    dataset = {"dataset": build["id"]}
    r = submit({"inputs": dataset, "options": {"features": "/etc"}}, 400)
    assert error_of(r)["message"] == "option features is chosen by the server, not by a job"
    r = submit({"inputs": dataset, "options": {"epochs": 0}}, 400)
    assert error_of(r)["message"] == "option --epochs: must be >= 1, got 0"  # the CLI's table
    r = submit({"inputs": dataset, "options": {"task": "intro"}}, 400)
    assert "learns patterns from a dataset build" in error_of(r)["message"]
    assert "needs inputs" in error_of(submit({}, 400))["message"]
    r = submit({"inputs": {**dataset, "features": "pixels"}}, 400)
    assert error_of(r)["message"] == "inputs.features must be audio, audio-visual or transcripts"
    r = submit({"inputs": {**dataset, "register_as": "../x"}}, 400)
    assert "a model name may hold only" in error_of(r)["message"]
    r = submit({"inputs": dataset, "video_ids": [ids["lesson.mp4"]]}, 400)
    assert error_of(r)["message"] == "a train job takes no video (video_ids)"
    submit({"inputs": dataset}, 404, who=accounts["bob"])  # another user's build does not exist for bob
    arrival = next(j for j in api(server, "GET", "/api/jobs", token=token, expect=200).json()["jobs"]
                   if j["kind"] == "arrival")
    assert error_of(submit({"inputs": {"dataset": arrival["id"]}}, 409))["code"] == "not_a_dataset"

    job = submit({"inputs": {**dataset, "register_as": "erin-lessons"},
                  "options": {"arch": "linear", "epochs": 5, "seed": 3, "val-fraction": 0}}, 201).json()
    assert job["kind"] == "train" and job["video_ids"] == []
    done, seen = wait_job(server, token, job["id"], timeout=600)
    log = api(server, "GET", "/api/jobs/{id}/log", path=f"/api/jobs/{job['id']}/log", token=token).json()
    assert done["state"] == "finished", (done, log)
    assert {"prepare", "frames", "segments"} <= {s[1] for s in seen} or done["progress"] == 100
    files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                       token=token, expect=200).json()["files"]}
    assert set(files) == {"model", "train.json"}
    get = lambda name: requests.get(server.url + files[name]["url"], headers={"Authorization": "Bearer " + token})
    report = get("train.json").json()
    assert report["arch"] == "linear" and report["task"] == "patterns" and report["labels"] == patterns
    assert report["dataset_job"] == build["id"] and report["features"] == "audio" and report["videos"] == 1
    assert report["registered_as"] == "erin-lessons" and report["training"]["epochs_run"] <= 5
    assert any(l["line"] == "registered as model 'erin-lessons'" for l in log["lines"]), log
    one = "/api/models/{name}"
    info = api(server, "GET", one, path="/api/models/erin-lessons", token=token, expect=200).json()
    assert info["registered_by"] == "erin" and info["job"] == job["id"] and info["labels"] == patterns
    assert info["size"] == files["model"]["size"] and info["arch"] == "linear"
    # The model file is one of `vidseg train`: the CLI's predict reads it.
    model = tmp_path / "trained.model"
    model.write_bytes(get("model").content)
    cli = json.loads(subprocess.run([VIDSEG, "predict", "--model", str(model), os.path.join(MEDIA, "lesson.mp4"),
                                     "--json"], check=True, capture_output=True).stdout)
    assert cli["videos"][0]["labels"] == patterns

    # A predict job with the registered model.
    pj = api(server, "POST", "/api/jobs", token=token, expect=201,
             json={"kind": "predict", "video_ids": [ids["lesson.mp4"]], "inputs": {"model": "erin-lessons"}}).json()
    done, _ = wait_job(server, token, pj["id"], timeout=600)
    assert done["state"] == "finished", done

    # Registering later, by the button's route.
    register = "/api/jobs/{id}/register-model"
    at = lambda job_id: f"/api/jobs/{job_id}/register-model"
    info2 = api(server, "POST", register, path=at(job["id"]), token=token, json={"name": "erin-lessons-2"},
                expect=201).json()
    assert info2["registered_by"] == "erin" and info2["job"] == job["id"] and info2["labels"] == patterns
    api(server, "POST", register, path=at(job["id"]), token=accounts["bob"], json={"name": "bobs"}, expect=404)
    r = api(server, "POST", register, path=at(build["id"]), token=token, json={"name": "nope"}, expect=409)
    assert error_of(r)["code"] == "not_a_train_job"
    r = api(server, "POST", register, path=at(job["id"]), token=token, json={"label": "x"}, expect=400)
    assert error_of(r)["message"] == 'send {"name": "MODEL NAME"}'
    admin = accounts["admin"]
    api(server, "PUT", one, path="/api/models/admins-model", token=admin, data=model.read_bytes(), expect=201)
    r = api(server, "POST", register, path=at(job["id"]), token=token, json={"name": "admins-model"}, expect=409)
    assert error_of(r)["code"] == "model_name_taken"
    assert error_of(submit({"inputs": {**dataset, "register_as": "admins-model"}}, 409))["code"] == "model_name_taken"
    audit = api(server, "GET", "/api/audit", token=admin, expect=200).json()["entries"]
    assert any(e["action"] == "register-model" and e["subject"] == "model erin-lessons-2" for e in audit)
    for name in ("erin-lessons", "erin-lessons-2", "admins-model"):
        api(server, "DELETE", one, path=f"/api/models/{name}", token=admin, expect=204)


def test_webhook_history_is_kept_per_project_and_bounded(data_dir):
    """Every webhook delivery of a project is kept with its outcome (stored, ignored, refused), newest first,
    the newest 50 only; the project's removal removes them. (SQLite; PostgreSQL in test_platform_postgres.py.)"""
    import sqlite3
    data = os.path.join(data_dir, "hooks")
    nowhere = "http://127.0.0.1:9"  # nothing listens: the project is recorded in state error
    server = Server(data, "--label-studio-url", nowhere, "--label-studio-token", "0" * 40,
                    "--label-studio-webhook-secret", "hook-secret")
    try:
        token = login(server, "admin", server.password).json()["token"]
        video = ready_video(server, token, "hooks.mp4")
        api(server, "POST", "/api/labelstudio/projects", token=token, expect=502,
            json={"name": "Hooks", "patterns": "Вопрос\n", "video_ids": [video["id"]]})
        [project] = api(server, "GET", "/api/labelstudio/projects", token=token, expect=200).json()["projects"]
        db = sqlite3.connect(os.path.join(data, "catalog.sqlite"))
        db.execute("UPDATE label_studio_projects SET remote_id = 9 WHERE id = ?", (project["id"],))
        db.commit()
        db.close()
        path = f"/api/labelstudio/projects/{project['id']}/webhook"
        state = api(server, "GET", "/api/labelstudio/projects/{id}/webhook", path=path, token=token, expect=200).json()
        assert state == {"enabled": False, "last": None, "deliveries": []}
        hook = lambda body, expect: api(server, "POST", "/api/labelstudio/webhook", json=body, expect=expect,
                                        headers={"X-Vidseg-Webhook-Secret": "hook-secret"})
        for i in range(1, 53):
            hook({"action": "ANNOTATION_CREATED", "project": 9, "task": {"id": 90, "data": {}},
                  "annotation": {"id": 900 + i, "completed_by": 1, "result": []}}, 200)
        hook({"action": "PROJECT_UPDATED", "project": {"id": 9}}, 200)
        r = hook({"action": "ANNOTATION_UPDATED", "project": 9, "task": "not an object", "annotation": 5}, 400)
        assert error_of(r)["message"] == "the webhook names no annotation or task"
        hook({"action": 7, "project": 9, "task": [], "annotation": {"task": "x"}}, 200)  # types checked: ignored
        state = api(server, "GET", "/api/labelstudio/projects/{id}/webhook", path=path, token=token, expect=200).json()
        deliveries = state["deliveries"]
        assert len(deliveries) == 50 and state["last"] == deliveries[0]
        assert [d["outcome"] for d in deliveries[:4]] == ["ignored", "error", "ignored", "stored"]
        assert deliveries[0]["action"] == "" and deliveries[0]["message"] == "action  is not stored"
        assert deliveries[1] == {**deliveries[1], "action": "ANNOTATION_UPDATED", "annotation": None, "task": None,
                                 "message": "the webhook names no annotation or task"}
        assert deliveries[2]["action"] == "PROJECT_UPDATED" and deliveries[2]["message"] == "action PROJECT_UPDATED is not stored"
        assert deliveries[3] == {**deliveries[3], "action": "ANNOTATION_CREATED", "annotation": 952, "task": 90,
                                 "message": None}
        assert [d["annotation"] for d in deliveries[3:]] == list(range(952, 905, -1))  # the oldest dropped
        received = [d["received"] for d in deliveries]
        assert received == sorted(received, reverse=True) and abs(received[0] - time.time()) < 60
        api(server, "DELETE", "/api/labelstudio/projects/{id}", path=f"/api/labelstudio/projects/{project['id']}",
            token=token, expect=204)
        db = sqlite3.connect(os.path.join(data, "catalog.sqlite"))
        assert db.execute("SELECT count(*) FROM label_studio_webhook_deliveries").fetchone() == (0,)
        db.close()
    finally:
        server.stop()


def test_zz_every_documented_route_was_exercised(server):
    doc = requests.get(server.url + "/api/openapi.json").json()
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}  # not path-level "parameters"
    documented = {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in methods}
    assert documented - EXERCISED == set()
