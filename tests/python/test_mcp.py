"""`vidseg mcp` (stdio) and /mcp of `vidseg serve` (streamable HTTP) through the official MCP Python SDK
(`mcp` on PyPI, pinned in tests/python/requirements-mcp.txt) as a real client: the handshake, the tools and
their input schemas (checked as JSON Schemas, and against the CLI's option tables), every tool called on the
generated test media, an error case per tool with the exact engine error (the same code and message the CLI
prints for the same input), progress notifications, cancellation, resources; over HTTP with a Bearer token
and without one (401).

Environment (set by ctest): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR (lesson.mp4, h264_gop2.mp4, series/),
VIDSEG_SOURCE_DIR (tests/data/dataset/lesson_export.json).
"""
import asyncio
import base64
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx2
import jsonschema
import pytest
from mcp import Client, StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS


def _env_path(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set (run through ctest)", allow_module_level=True)
    return Path(value)


BINARY = _env_path("VIDSEG_BINARY")
MEDIA = _env_path("VIDSEG_TEST_MEDIA_DIR")
SOURCE = _env_path("VIDSEG_SOURCE_DIR")
EXPORT = SOURCE / "tests" / "data" / "dataset" / "lesson_export.json"
LOCAL_TOOLS = {"probe", "prepare", "dataset_build", "dataset_agreement", "intro_detect", "dataset_publish",
               "transcribe"}
SERVER_TOOLS = {"probe", "prepare", "dataset_build", "dataset_agreement", "intro_detect", "transcribe", "job_status",
                "job_cancel"}


@pytest.fixture(scope="module")
def work():
    d = Path(tempfile.mkdtemp(prefix="vidseg-mcp-"))
    (d / "datasets").mkdir()
    yield d
    shutil.rmtree(d, ignore_errors=True)


def stdio_params(work):
    return StdioServerParameters(command=str(BINARY), args=["mcp", "--datasets", str(work / "datasets")])


def run(coro):
    return asyncio.run(coro)


async def with_stdio(work, body):
    async with Client(stdio_params(work)) as client:  # mode "auto": server/discover, then initialize
        return await body(client)


def cli_error(*args):
    """The CLI's error for the same input: (code, message) from `vidseg ... error[CODE]: MESSAGE`."""
    r = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=300)
    assert r.returncode != 0, r.stdout
    m = re.search(r"error\[([a-z_]+)\]: (.*)", r.stderr)
    assert m, r.stderr
    return m.group(1), m.group(2).strip()


def tool_error(result):
    assert result.is_error, result
    error = result.structured_content["error"]
    assert result.content[0].text == f"error[{error['code']}]: {error['message']}"
    return error["code"], error["message"]


def ok(result):
    assert not result.is_error, result.content[0].text
    return result.structured_content


# ---- stdio ---------------------------------------------------------------------------------------


def test_initialize_and_tool_schemas(work):
    async def body(client):
        assert client.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
        assert client.server_info.name == "vidseg"
        return {t.name: t for t in (await client.list_tools()).tools}

    tools = run(with_stdio(work, body))
    assert set(tools) == LOCAL_TOOLS
    for tool in tools.values():
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        assert tool.input_schema["type"] == "object" and tool.input_schema["additionalProperties"] is False
        assert tool.description
    # Made from the option tables: the CLI's names, types, ranges, choices and defaults.
    prepare = tools["prepare"].input_schema
    assert prepare["required"] == ["video"]
    assert prepare["properties"]["mode"]["enum"] == ["exact", "copy"]
    assert prepare["properties"]["no-features"]["type"] == "boolean"
    assert prepare["properties"]["out"] == {"type": "string", "minLength": 1,
                                            "description": prepare["properties"]["out"]["description"]}
    # Every option of `vidseg prepare --help` is a property, with the default the help prints.
    help_text = subprocess.run([str(BINARY), "prepare", "--help"], capture_output=True, text=True).stdout
    documented = dict(re.findall(r"--([a-z-]+)[^\n]*\n\s+[^\n]*?Default: (\S+?)\.(?:\s|$)", help_text))
    options = set(re.findall(r"^\s+(?:-\w, )?--([a-z-]+)", help_text, re.M)) - {"help", "json", "quiet", "lang"}
    assert set(prepare["properties"]) - {"video"} == options
    defaults = {name: schema["default"] for name, schema in prepare["properties"].items() if "default" in schema}
    assert set(defaults) == set(documented) and defaults
    for name, value in defaults.items():
        text = documented[name]
        assert (float(text) == value) if isinstance(value, (int, float)) else (text == value), (name, text, value)
    agreement = tools["dataset_agreement"].input_schema
    assert agreement["properties"]["exports"]["type"] == "array" and agreement["required"] == ["exports"]
    assert agreement["properties"]["iou"] == {"type": "number", "minimum": 0.01, "maximum": 1.0, "default": 0.5,
                                              "description": "IoU at which two segments match."}
    build = tools["dataset_build"].input_schema["properties"]
    assert build["video"]["type"] == "array" and "review" not in build and "yes" not in build
    assert "library" not in tools["intro_detect"].input_schema["properties"]
    # A valid call validates; a wrong type does not.
    jsonschema.validate({"video": "a.mp4", "segment": 5, "mode": "exact"}, prepare)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"video": "a.mp4", "mode": "fast"}, prepare)


def test_probe(work):
    video = str(MEDIA / "h264_gop2.mp4")
    missing = str(work / "missing.mp4")

    async def body(client):
        return (await client.call_tool("probe", {"video": video}),
                await client.call_tool("probe", {"video": missing}),
                await client.call_tool("probe", {"video": video, "fast": "yes"}))

    good, absent, bad = run(with_stdio(work, body))
    info = ok(good)
    expected = json.loads(subprocess.run([str(BINARY), "probe", "--json", video], capture_output=True,
                                         text=True, check=True).stdout)
    assert info == expected
    assert abs(info["duration"] - 12.0) < 0.1
    assert tool_error(absent) == cli_error("probe", missing)
    assert tool_error(absent)[0] == "input_not_found"
    assert tool_error(bad) == ("invalid_argument", "option fast: expects true or false")


def test_prepare_with_progress(work):
    out = work / "prepared"
    updates = []

    async def progress(value, total, message):
        updates.append((value, message))

    async def body(client):
        good = await client.call_tool("prepare", {"video": str(MEDIA / "h264_gop2.mp4"), "out": str(out),
                                                  "segment": 4, "mode": "copy"}, progress_callback=progress)
        bad = await client.call_tool("prepare", {"video": str(MEDIA / "h264_gop2.mp4"), "segment": 0,
                                                 "out": str(work / "never")})
        return good, bad

    good, bad = run(with_stdio(work, body))
    report = ok(good)
    assert len(report["segments"]) == 3
    assert len(list((out / "part_films").iterdir())) == 3
    assert updates, "a long tool reports progress"
    values = [v for v, _ in updates]
    assert values == sorted(values) and len(set(values)) == len(values)  # strictly increasing
    assert all(m for _, m in updates)
    assert tool_error(bad) == cli_error("prepare", str(MEDIA / "h264_gop2.mp4"), "--segment", "0")
    assert tool_error(bad)[0] == "invalid_argument"
    assert not (work / "never").exists()


def test_dataset_build_and_dataset_resources(work):
    out = work / "datasets" / "lesson"
    missing = str(work / "no_export.json")

    async def body(client):
        built = await client.call_tool("dataset_build", {"video": [str(MEDIA / "lesson.mp4")],
                                                         "annotations": str(EXPORT), "out": str(out)})
        resources = (await client.list_resources()).resources
        read = await client.read_resource("vidseg://datasets/lesson")
        absent = await client.call_tool("dataset_build", {"video": [str(MEDIA / "lesson.mp4")],
                                                          "annotations": missing, "out": str(work / "never")})
        review = await client.call_tool("dataset_build", {"video": [str(MEDIA / "lesson.mp4")],
                                                          "annotations": str(EXPORT), "out": str(work / "never"),
                                                          "review": True})
        with pytest.raises(MCPError) as unknown:
            await client.read_resource("vidseg://datasets/nope")
        return built, resources, read, absent, review, unknown.value

    built, resources, read, absent, review, unknown = run(with_stdio(work, body))
    report = ok(built)
    rows = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines() if line]
    assert len(rows) == 4 and report["written"] is True and report["fragments"] == 4 and report["errors"] == []
    assert [str(r.uri) for r in resources] == ["vidseg://datasets/lesson"]
    doc = json.loads(read.contents[0].text)
    assert doc["name"] == "lesson" and doc["metadata_rows"] == 4
    assert doc["card"] == (out / "README.md").read_text()
    assert tool_error(absent) == cli_error("dataset", "build", "--video", str(MEDIA / "lesson.mp4"),
                                           "--annotations", missing, "--out", str(work / "never"), "--yes")
    assert tool_error(absent)[0] == "input_not_found"
    assert tool_error(review) == ("invalid_argument", "unknown option 'review'")
    assert unknown.code == -32002 and unknown.message == "resource not found: vidseg://datasets/nope"
    assert not (work / "never").exists()


def test_dataset_publish_to_a_folder(work):
    """dataset_publish: a built dataset sent to a folder target, a re-publish sends nothing, a missing
    dataset folder is the CLI's error."""
    out = work / "datasets" / "lesson"
    target = work / "published"
    missing = str(work / "no_dataset")

    async def body(client):
        built = await client.call_tool("dataset_build", {"video": [str(MEDIA / "lesson.mp4")],
                                                         "annotations": str(EXPORT), "out": str(out)})
        first = await client.call_tool("dataset_publish", {"dir": str(out), "to": str(target)})
        again = await client.call_tool("dataset_publish", {"dir": str(out), "to": str(target)})
        absent = await client.call_tool("dataset_publish", {"dir": missing, "to": str(target / "x")})
        return built, first, again, absent

    built, first, again, absent = run(with_stdio(work, body))
    ok(built)
    sent = ok(first)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and not p.name.startswith(".") and p.name != "build_manifest.json")
    published = sorted(p.relative_to(target).as_posix() for p in target.rglob("*")
                       if p.is_file() and not p.name.startswith("."))
    assert published == files
    for name in files:
        assert (target / name).read_bytes() == (out / name).read_bytes(), name
    assert (target / ".vidseg-publish.json").is_file()
    cli = json.loads(subprocess.run([str(BINARY), "dataset", "publish", "--json", "--dry-run", str(out), "--to",
                                     str(target)], capture_output=True, text=True, check=True).stdout)
    assert sent["sent"] == len(files) and sent["files"] == len(files) and sent["dry_run"] is False
    assert cli["to_send"] == [] and cli["unchanged"] == len(files)  # the CLI sees the tool's publication
    resent = ok(again)
    assert resent["sent"] == 0
    assert tool_error(absent) == cli_error("dataset", "publish", missing, "--to", str(target / "x"))
    assert not (target / "x").exists()


def test_dataset_agreement(work):
    async def body(client):
        return (await client.call_tool("dataset_agreement", {"exports": [str(EXPORT)]}),
                await client.call_tool("dataset_agreement", {"exports": [str(EXPORT)], "iou": 2}))

    good, bad = run(with_stdio(work, body))
    report = ok(good)
    expected = json.loads(subprocess.run([str(BINARY), "dataset", "agreement", "--json", str(EXPORT)],
                                         capture_output=True, text=True, check=True).stdout)
    assert {k: report[k] for k in expected} == expected
    assert len(report["annotators"]) == 2
    assert tool_error(bad) == cli_error("dataset", "agreement", str(EXPORT), "--iou", "2")
    assert tool_error(bad) == ("invalid_argument", "option --iou: must be <= 1, got 2")


def test_intro_detect(work):
    episodes = [str(MEDIA / "series" / f"ep{i}.mp4") for i in (1, 2, 3)]

    async def body(client):
        return (await client.call_tool("intro_detect", {"episodes": episodes, "no-cache": True,
                                                        "predictions": str(work / "pred.json")}),
                await client.call_tool("intro_detect", {"episodes": episodes[:1], "no-cache": True}),
                await client.call_tool("intro_detect", {"episodes": episodes, "max-length": "long"}))

    good, single, bad = run(with_stdio(work, body))
    report = ok(good)
    assert report["usable"] == 3 and len(report["episodes"]) == 3
    truth = json.loads((MEDIA / "series" / "truth.json").read_text())
    seconds = lambda t: sum(float(x) * f for x, f in zip(t.split(":"), (3600, 60, 1)))
    for e in report["episodes"]:
        t = truth[Path(e["episode"]).name]
        assert abs(e["intro"][0] - seconds(t["start"])) < 1.0 and abs(e["intro"][1] - seconds(t["end"])) < 1.0, (e, t)
    assert (work / "pred.json").exists()
    assert tool_error(single) == ("invalid_argument",
                                  "needs at least two episodes of a series (got 1): give episodes or dir")
    assert tool_error(bad) == cli_error("intro", "detect", *episodes, "--max-length", "long")


def test_protocol_errors_and_cancellation(work):
    """Raw JSON lines: unknown tool and method, a line that is not JSON, a cancelled call gets no answer and
    leaves no output, and the process ends when stdin closes."""
    out = work / "cancelled"
    p = subprocess.Popen([str(BINARY), "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)

    def send(message):
        p.stdin.write((json.dumps(message) + "\n").encode())
        p.stdin.flush()

    def receive(timeout=60):
        ready, _, _ = select.select([p.stdout], [], [], timeout)
        assert ready, "no answer"
        return json.loads(p.stdout.readline())

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    assert receive()["result"]["protocolVersion"] == "2025-06-18"
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "nope", "arguments": {}}})
    assert receive() == {"jsonrpc": "2.0", "id": 2, "error": {"code": -32602, "message": "unknown tool 'nope'"}}
    send({"jsonrpc": "2.0", "id": 3, "method": "server/discover", "params": {}})
    assert receive()["error"]["code"] == -32601
    p.stdin.write(b"{not json\n")
    p.stdin.flush()
    assert receive()["error"]["code"] == -32700
    # A prepare in exact mode (re-encoding) cancelled at once: no answer for it, nothing written.
    send({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
          "params": {"name": "prepare", "arguments": {"video": str(MEDIA / "lesson.mp4"), "out": str(out),
                                                      "mode": "exact", "segment": 1}}})
    send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 4, "reason": "test"}})
    send({"jsonrpc": "2.0", "id": 5, "method": "ping"})
    assert receive() == {"jsonrpc": "2.0", "id": 5, "result": {}}
    p.stdin.close()
    assert p.wait(timeout=60) == 0
    assert p.stdout.read() == b""  # the cancelled call was never answered
    assert not out.exists()


# ---- streamable HTTP in vidseg serve -----------------------------------------------------------------


class Server:
    def __init__(self, data, env=None):
        self.proc = subprocess.Popen([str(BINARY), "serve", "--data", str(data), "--listen", "127.0.0.1:0",
                                      "--threads", "4"], stdout=subprocess.PIPE, stderr=open(str(data) + ".log", "ab"),
                                     env={**os.environ, **(env or {})})
        out, self.password, self.url = b"", None, None
        deadline = time.time() + 60
        while time.time() < deadline and not self.url:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1)
            if ready:
                out += os.read(self.proc.stdout.fileno(), 4096)
            if m := re.search(rb"one-time password: (\S+)", out):
                self.password = m.group(1).decode()
            if m := re.search(rb"listening on (http://127\.0\.0\.1:\d+)", out):
                self.url = m.group(1).decode()
        assert self.url and self.password, out

    def request(self, method, path, body=None, token=None, headers=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        if isinstance(body, dict):
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def upload(self, token, path):
        """A tus upload in one PATCH (the protocol of /api/uploads/)."""
        data = Path(path).read_bytes()
        meta = "filename " + base64.b64encode(Path(path).name.encode()).decode()
        status, headers, _ = self.request("POST", "/api/uploads/", b"", token,
                                          {"Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
                                           "Upload-Metadata": meta})
        assert status == 201, status
        location = headers["Location"]
        path = location[location.index("/api/"):] if location.startswith("http") else location
        status, _, body = self.request("PATCH", path, data, token,
                                       {"Tus-Resumable": "1.0.0", "Upload-Offset": "0",
                                        "Content-Type": "application/offset+octet-stream"})
        assert status == 204, (status, body)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(work):
    s = Server(work / "server")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def token(server):
    status, _, body = server.request("POST", "/api/login", {"username": "admin", "password": server.password})
    assert status == 200, body
    return json.loads(body)["token"]


def http_client(server, token):
    return Client(f"{server.url}/mcp", mode="legacy") if token is None else \
        Client(_transport(server, token), mode="legacy")


def _transport(server, token):
    from mcp.client.streamable_http import streamable_http_client
    return streamable_http_client(f"{server.url}/mcp",
                                  http_client=httpx2.AsyncClient(headers={"Authorization": "Bearer " + token},
                                                                 timeout=60))


def test_http_without_token_is_401(server):
    status, _, body = server.request("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized"
    status, _, body = server.request("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"}, token="forged")
    assert status == 401

    async def connect():
        async with Client(f"{server.url}/mcp", mode="legacy"):
            pass

    # The SDK's client cannot connect: its transport turns the 401 into an MCPError.
    with pytest.raises(BaseExceptionGroup) as refused:
        run(connect())
    assert refused.group_contains(MCPError)


def test_http_tools_run_as_jobs(server, token):
    server.upload(token, MEDIA / "h264_gop2.mp4")
    deadline = time.time() + 120
    video = None
    while time.time() < deadline and not video:
        _, _, body = server.request("GET", "/api/videos", token=token)
        videos = json.loads(body)["videos"]
        video = next((v for v in videos if v.get("info", {}).get("duration")), None)
        time.sleep(0.3)
    assert video, videos

    async def body(client):
        assert client.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
        tools = {t.name: t for t in (await client.list_tools()).tools}
        probed = await client.call_tool("probe", {"video_id": video["id"]})
        queued = await client.call_tool("prepare", {"video_id": video["id"], "segment": 4})
        job = ok(queued)
        status = None
        for _ in range(600):
            status = ok(await client.call_tool("job_status", {"job_id": job["id"]}))
            if status["state"] in ("finished", "error", "cancelled"):
                break
            await asyncio.sleep(0.2)
        resources = [str(r.uri) for r in (await client.list_resources()).resources]
        read = json.loads((await client.read_resource(f"vidseg://jobs/{job['id']}")).contents[0].text)
        errors = {
            "probe": await client.call_tool("probe", {"video_id": 999999}),
            "prepare": await client.call_tool("prepare", {"video_id": video["id"], "segment": 0}),
            "prepare_path": await client.call_tool("prepare", {"video_id": video["id"], "out": "/tmp/x"}),
            "dataset_build": await client.call_tool("dataset_build", {"video_ids": [video["id"]],
                                                                      "annotations": "not,a\nproper,export",
                                                                      "keyframe": "worst"}),
            "intro_detect": await client.call_tool("intro_detect", {"video_ids": [video["id"]]}),
            "job_status": await client.call_tool("job_status", {"job_id": 999999}),
            "job_cancel": await client.call_tool("job_cancel", {"job_id": 999999}),
        }
        return tools, probed, job, status, resources, read, errors

    async def connect():
        async with http_client(server, token) as client:
            return await body(client)

    tools, probed, job, status, resources, read, errors = run(connect())
    assert set(tools) == SERVER_TOOLS
    for tool in tools.values():
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
    assert "out" not in tools["prepare"].input_schema["properties"]  # the server chooses paths
    assert tools["prepare"].input_schema["required"] == ["video_id"]
    assert tools["dataset_build"].input_schema["required"] == ["video_ids", "annotations"]
    assert ok(probed)["id"] == video["id"]
    assert job["kind"] == "prepare" and job["state"] in ("queued", "running")
    assert status["state"] == "finished", status
    assert sum(f["name"].startswith("part_films/") for f in status["files"]) == 3
    assert f"vidseg://jobs/{job['id']}" in resources and read["id"] == job["id"]
    assert tool_error(errors["probe"]) == ("input_not_found", "not_found: video 999999 not found")
    assert tool_error(errors["prepare"]) == ("invalid_argument", "option --segment: must be >= 0.1, got 0")
    assert tool_error(errors["prepare_path"]) == ("invalid_argument", "option out is chosen by the server, not by a job")
    assert tool_error(errors["dataset_build"]) == ("invalid_argument",
                                                   "option --keyframe: 'worst' is not one of: middle, best, model:...")
    assert tool_error(errors["intro_detect"]) == ("invalid_argument",
                                                  "a intro detect job takes 2 to 256 videos (video_ids)")
    assert tool_error(errors["job_status"]) == ("input_not_found", "not_found: job 999999 not found")
    assert tool_error(errors["job_cancel"]) == ("input_not_found", "not_found: job 999999 not found")


def test_http_dataset_agreement(server, token):
    export = json.loads(EXPORT.read_text())

    async def body(client):
        return (await client.call_tool("dataset_agreement", {"exports": [export]}),
                await client.call_tool("dataset_agreement", {"exports": [export], "iou": 2}),
                await client.call_tool("dataset_agreement", {"exports": [export], "consensus": "/tmp/x.json"}),
                await client.call_tool("dataset_agreement", {"exports": []}))

    async def connect():
        async with http_client(server, token) as client:
            return await body(client)

    good, bad, path, empty = run(connect())
    report = ok(good)
    expected = json.loads(subprocess.run([str(BINARY), "dataset", "agreement", "--json", str(EXPORT)],
                                         capture_output=True, text=True, check=True).stdout)
    assert {k: report[k] for k in expected} == expected  # the same report as the CLI's on the same export
    assert len(report["annotators"]) == 2
    assert tool_error(bad) == ("invalid_argument", "option --iou: must be <= 1, got 2")
    assert tool_error(path) == ("invalid_argument", "option consensus is chosen by the server, not by a job")
    assert tool_error(empty) == ("invalid_argument",
                                 "argument 'exports' must be an array of 1 to 64 Label Studio exports")


def test_http_cancel_and_methods(server, token):
    status, headers, _ = server.request("GET", "/mcp", token=token)
    assert status == 405 and headers["Allow"] == "POST, DELETE"
    status, _, body = server.request("POST", "/mcp", {"jsonrpc": "2.0", "method": "notifications/initialized"},
                                     token=token)
    assert status == 400  # no Mcp-Session-Id (sessions: test_mcp_http.py)
    status, _, body = server.request("POST", "/mcp", {"jsonrpc": "2.0", "id": 7, "method": "ping"}, token=token,
                                     headers={"MCP-Protocol-Version": "1999-01-01"})
    assert status == 400
    _, _, body = server.request("GET", "/api/videos", token=token)
    video = json.loads(body)["videos"][0]

    async def body_(client):
        job = ok(await client.call_tool("prepare", {"video_id": video["id"], "segment": 1, "mode": "exact"}))
        cancelled = ok(await client.call_tool("job_cancel", {"job_id": job["id"]}))
        for _ in range(600):
            state = ok(await client.call_tool("job_status", {"job_id": job["id"]}))["state"]
            if state in ("finished", "error", "cancelled"):
                return job, cancelled, state
            await asyncio.sleep(0.2)
        return job, cancelled, None

    async def connect():
        async with http_client(server, token) as client:
            return await body_(client)

    job, cancelled, state = run(connect())
    assert cancelled["id"] == job["id"]
    assert state == "cancelled"
