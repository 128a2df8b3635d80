"""A TEST DOUBLE of the Hugging Face Hub's HTTP endpoints — not the Hub, and not a Hub implementation.

The real Hub cannot be reached from the test machines, so `vidseg dataset publish --to hf://...` is tested
against this double on loopback (HF_ENDPOINT points the real `huggingface_hub` client at it). It answers
only the requests that huggingface_hub 1.33 sends for what vidseg's hub worker does, in the shapes that
client parses (huggingface_hub/hf_api.py, _commit_api.py, lfs.py, file_download.py, utils/_http.py):

  POST /api/repos/create                               create_repo (409 when it exists)
  HEAD|GET /datasets/{repo}/resolve/{rev}/{path}       hf_hub_download (X-Repo-Commit, ETag; X-Error-Code
                                                       RepoNotFound / EntryNotFound on 404)
  POST /api/datasets/{repo}/preupload/{rev}            upload modes: "lfs" for binary samples, else "regular"
  POST /datasets/{repo}.git/info/lfs/objects/batch     basic transfer; objects it already holds get no
                                                       upload action (content dedupe, as the Hub does)
  PUT  /lfs-upload/{oid}                               the LFS bytes (checked against their SHA-256)
  POST /api/datasets/{repo}/commit/{rev}               NDJSON header / file / lfsFile / deletedFile
  POST /api/validate-yaml                              the card's YAML header (checked for its --- fences)

Xet is not doubled (hf_xet speaks its own CAS protocol): the client runs with HF_HUB_DISABLE_XET=1 and
uses the LFS path the Hub still accepts. Writes need `Authorization: Bearer <token>` with the token the
double was started with (401 otherwise). Every request is recorded in `requests`; committed files are
also written under `files_dir/<user>/<name>/` so that tests can load the published copy.
"""
import base64
import hashlib
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HubTestDouble:
    def __init__(self, token, files_dir):
        self.token, self.files_dir = token, files_dir
        self.repos = {}  # repo_id -> {"private": bool, "files": {path: bytes}, "commits": [oid]}
        self.blobs = {}  # LFS oid -> bytes
        self.requests = []  # (method, path)
        self.lfs_uploads = []  # oids PUT to the double
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                double._handle(self, "HEAD")

            def do_GET(self):
                double._handle(self, "GET")

            def do_POST(self):
                double._handle(self, "POST")

            def do_PUT(self):
                double._handle(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # -- plumbing
    def _reply(self, h, status, body=b"", headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    def _authorized(self, h):
        return h.headers.get("Authorization") == f"Bearer {self.token}"

    def _body(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        return h.rfile.read(length) if length else b""

    def _handle(self, h, method):
        path = h.path.split("?", 1)[0]
        body = self._body(h) if method in ("POST", "PUT") else b""
        with self.lock:
            self.requests.append((method, path))
            try:
                self._route(h, method, path, body)
            except Exception as e:  # a bug in the double must show up in the test, not hang it
                self._reply(h, 500, {"error": f"test double: {type(e).__name__}: {e}"})

    def _route(self, h, method, path, body):
        if method == "POST" and path == "/api/repos/create":
            return self._create(h, json.loads(body))
        if method == "POST" and path == "/api/validate-yaml":
            return self._validate_yaml(h, json.loads(body))
        m = re.fullmatch(r"/datasets/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if m and method in ("HEAD", "GET"):
            return self._resolve(h, m.group(1), m.group(3))
        m = re.fullmatch(r"/api/datasets/([^/]+/[^/]+)/preupload/([^/]+)", path)
        if m and method == "POST":
            return self._preupload(h, m.group(1), json.loads(body))
        m = re.fullmatch(r"/datasets/([^/]+/[^/]+)\.git/info/lfs/objects/batch", path)
        if m and method == "POST":
            return self._lfs_batch(h, m.group(1), json.loads(body))
        m = re.fullmatch(r"/lfs-upload/([0-9a-f]{64})", path)
        if m and method == "PUT":
            return self._lfs_put(h, m.group(1), body)
        m = re.fullmatch(r"/api/datasets/([^/]+/[^/]+)/commit/([^/]+)", path)
        if m and method == "POST":
            return self._commit(h, m.group(1), body)
        self._reply(h, 404, {"error": f"test double: no such endpoint {method} {path}"})

    def _repo(self, h, repo_id, write):
        if write and not self._authorized(h):
            self._reply(h, 401, {"error": "Invalid credentials in Authorization header"},
                        {"X-Error-Message": "Invalid credentials in Authorization header"})
            return None
        repo = self.repos.get(repo_id)
        if repo is None or (repo["private"] and not self._authorized(h)):
            self._reply(h, 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
            return None
        return repo

    # -- endpoints
    def _create(self, h, payload):
        if not self._authorized(h):
            return self._reply(h, 401, {"error": "Invalid credentials in Authorization header"},
                               {"X-Error-Message": "Invalid credentials in Authorization header"})
        assert payload.get("type") == "dataset", payload
        repo_id = f"{payload['organization']}/{payload['name']}"
        if repo_id in self.repos:
            return self._reply(h, 409, {"error": "You already created this dataset repo", "url": self._repo_url(repo_id)})
        self.repos[repo_id] = {"private": payload.get("visibility") == "private" or bool(payload.get("private")),
                               "files": {}, "commits": []}
        self._reply(h, 200, {"url": self._repo_url(repo_id), "name": repo_id})

    def _validate_yaml(self, h, payload):
        content = payload.get("content", "")
        if content.startswith("---\n") and "\n---\n" in content[3:]:
            return self._reply(h, 200, {"errors": [], "warnings": []})
        self._reply(h, 400, {"errors": [{"message": "test double: no YAML header between --- lines"}], "warnings": []})

    def _repo_url(self, repo_id):
        return f"{self.url}/datasets/{repo_id}"

    def _head_commit(self, repo):
        return repo["commits"][-1] if repo["commits"] else "0" * 40

    def _resolve(self, h, repo_id, file_path):
        repo = self._repo(h, repo_id, write=False)
        if repo is None:
            return
        data = repo["files"].get(file_path)
        if data is None:
            return self._reply(h, 404, {"error": "Entry not found"},
                               {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": self._head_commit(repo)})
        etag = hashlib.sha256(data).hexdigest()
        self._reply(h, 200, data, {"ETag": f'"{etag}"', "X-Repo-Commit": self._head_commit(repo)},
                    content_type="application/octet-stream")

    def _preupload(self, h, repo_id, payload):
        if self._repo(h, repo_id, write=True) is None:
            return
        files = []
        for f in payload["files"]:
            sample = base64.b64decode(f["sample"])
            try:
                sample.decode("utf-8")
                mode = "regular" if f["size"] < 10 * 1024 * 1024 else "lfs"
            except UnicodeDecodeError:
                mode = "lfs"
            files.append({"path": f["path"], "uploadMode": mode, "shouldIgnore": False})
        self._reply(h, 200, {"files": files, "commitOid": "0" * 40})

    def _lfs_batch(self, h, repo_id, payload):
        if self._repo(h, repo_id, write=True) is None:
            return
        assert payload["operation"] == "upload", payload
        objects = []
        for o in payload["objects"]:
            entry = {"oid": o["oid"], "size": o["size"]}
            if o["oid"] not in self.blobs:
                entry["actions"] = {"upload": {"href": f"{self.url}/lfs-upload/{o['oid']}"}}
            objects.append(entry)
        self._reply(h, 200, {"transfer": "basic", "objects": objects})

    def _lfs_put(self, h, oid, body):
        if hashlib.sha256(body).hexdigest() != oid:
            return self._reply(h, 400, {"error": "content does not match its oid"})
        self.blobs[oid] = body
        self.lfs_uploads.append(oid)
        self._reply(h, 200, {})

    def _commit(self, h, repo_id, body):
        repo = self._repo(h, repo_id, write=True)
        if repo is None:
            return
        staged = dict(repo["files"])
        summary = ""
        for line in body.decode().splitlines():
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                summary = value.get("summary", "")
            elif key == "file":
                staged[value["path"]] = base64.b64decode(value["content"])
            elif key == "lfsFile":
                if value["oid"] not in self.blobs:
                    return self._reply(h, 400, {"error": f"LFS object {value['oid']} was never uploaded"})
                staged[value["path"]] = self.blobs[value["oid"]]
            elif key == "deletedFile":
                if value["path"] not in staged:
                    return self._reply(h, 404, {"error": "A file with this name doesn't exist"},
                                       {"X-Error-Code": "EntryNotFound"})
                del staged[value["path"]]
            else:
                return self._reply(h, 400, {"error": f"test double: unsupported commit key {key}"})
        oid = hashlib.sha1((self._head_commit(repo) + summary + str(sorted(staged))).encode()).hexdigest()
        repo["files"], repo["commits"] = staged, repo["commits"] + [oid]
        self._write_out(repo_id, repo)
        self._reply(h, 200, {"commitUrl": f"{self._repo_url(repo_id)}/commit/{oid}", "commitOid": oid,
                             "pullRequestUrl": None})

    def _write_out(self, repo_id, repo):
        root = os.path.join(self.files_dir, repo_id)
        for dirpath, _, names in os.walk(root):
            for name in names:
                os.remove(os.path.join(dirpath, name))
        for p, data in repo["files"].items():
            target = os.path.join(root, p)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
