"""The `transcribe` tool of `vidseg mcp` (stdio) and of /mcp in `vidseg serve`, through the official MCP Python SDK:
its input schema is the command's option table, a transcription against a local stand-in of an OpenAI-compatible
`/v1/audio/transcriptions` server (a stub answering a fixed verbose_json, so no model is needed), and its errors
(the same code and message as the CLI's for the same input).

Environment (set by ctest): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR.
"""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest

from test_mcp import (MEDIA, Server, cli_error, http_client, ok, run, tool_error,  # noqa: F401 (fixtures)
                      with_stdio, work)

STUB_ANSWER = {"language": "english", "duration": 30.0, "text": " Hello from the stub.",
               "segments": [{"id": 0, "start": 0.0, "end": 2.5, "text": " Hello from the stub."}]}


class WhisperStub(BaseHTTPRequestHandler):
    requests = []

    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while (size := int(self.rfile.readline().strip() or b"0", 16)) > 0:
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        WhisperStub.requests.append((self.path, body))
        answer = json.dumps(STUB_ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def whisper_stub():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), WhisperStub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_transcribe_over_stdio(work, whisper_stub):
    media, missing = str(MEDIA / "lesson.mp4"), str(work / "missing.mp4")

    async def body(client):
        tools = {t.name: t for t in (await client.list_tools()).tools}
        return (tools["transcribe"],
                await client.call_tool("transcribe", {"media": media, "whisper-backend": "http",
                                                      "whisper-url": whisper_stub, "out": str(work / "tr")}),
                await client.call_tool("transcribe", {"media": missing, "whisper-backend": "http",
                                                      "whisper-url": whisper_stub}),
                await client.call_tool("transcribe", {"media": media, "whisper-backend": "none"}),
                await client.call_tool("transcribe", {"whisper-backend": "http"}))

    tool, good, absent, bad, no_media = run(with_stdio(work, body))
    schema = tool.input_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["media"]
    assert schema["properties"]["whisper-backend"]["enum"] == ["faster-whisper", "http"]
    assert schema["properties"]["whisper-backend"]["default"] == "faster-whisper"
    report = ok(good)
    assert report["text"] == "Hello from the stub." and report["segments"] == 1 and report["language"] == "en"
    assert report["out_dir"] == str(work / "tr")
    assert "00:00:00,000 --> 00:00:02,500\nHello from the stub." in (work / "tr" / "lesson.srt").read_text()
    path, sent = WhisperStub.requests[-1]
    assert path == "/v1/audio/transcriptions" and b'name="file"' in sent
    assert tool_error(absent) == cli_error("transcribe", missing, "--whisper-backend", "http", "--whisper-url",
                                           whisper_stub)
    assert tool_error(absent)[0] == "input_not_found"
    assert tool_error(bad) == cli_error("transcribe", media, "--whisper-backend", "none")
    assert tool_error(bad)[0] == "invalid_argument"
    assert tool_error(no_media)[0] == "invalid_argument"


@pytest.fixture(scope="module")
def server(work):
    s = Server(work / "transcribe-server")
    yield s
    s.stop()


def test_transcribe_as_a_server_job(server):
    status, _, body = server.request("POST", "/api/login", {"username": "admin", "password": server.password})
    assert status == 200, body
    token = json.loads(body)["token"]

    async def body_of(client):
        tools = {t.name: t for t in (await client.list_tools()).tools}
        return (tools["transcribe"],
                await client.call_tool("transcribe", {"video_id": 999999}),
                await client.call_tool("transcribe", {"video_id": 999999, "whisper-url": "http://evil"}),
                await client.call_tool("transcribe", {"video_id": 999999, "whisper-backend": "none"}))

    async def connect():
        async with http_client(server, token) as client:
            return await body_of(client)

    tool, missing, url, bad = run(connect())
    schema = tool.input_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["video_id"]
    for chosen_by_the_server in ("out", "whisper-url", "whisper-python", "whisper-worker", "media"):
        assert chosen_by_the_server not in schema["properties"]
    assert tool_error(missing) == ("input_not_found", "not_found: video 999999 not found")
    assert tool_error(url) == ("invalid_argument", 
                                "option whisper-url is chosen by the server (VIDSEG_WHISPER_URL), not by a job")
    assert tool_error(bad) == ("invalid_argument",
                               "option --whisper-backend: 'none' is not one of: faster-whisper, http")


@pytest.fixture(scope="module")
def whisper_server(work, whisper_stub):
    """A server whose deployment has a transcription server (VIDSEG_WHISPER_URL: the stub) and the faster-whisper
    worker of the ASR tests (venv build/pyenv-asr, its Whisper model packaged on PyPI: nothing is downloaded)."""
    source = os.environ["VIDSEG_SOURCE_DIR"]
    s = Server(work / "whisper-server", env={
        "VIDSEG_WHISPER_URL": whisper_stub,
        "VIDSEG_WHISPER_PYTHON": os.path.join(source, "build", "pyenv-asr", "bin", "python"),
        "VIDSEG_WHISPER_WORKER": os.path.join(source, "src", "vidseg", "asr", "faster_whisper_worker.py")})
    yield s
    s.stop()


def uploaded_video(server, token, name):
    server.upload(token, MEDIA / name)
    deadline = time.time() + 120
    while time.time() < deadline:
        _, _, body = server.request("GET", "/api/videos", token=token)
        ready = [v for v in json.loads(body)["videos"] if v["name"] == name and v.get("info", {}).get("duration")]
        if ready:
            return ready[0]
        time.sleep(0.3)
    raise AssertionError(f"{name} was not probed")


def test_transcribe_job_succeeds_over_http(whisper_server):
    """A followed transcribe call (progressToken): the job runs on the server's transcription server, the call
    streams its progress and answers the finished job; its subtitles are the stub's answer. Then the same with
    the faster-whisper backend (a real Whisper model)."""
    server = whisper_server
    status, _, body = server.request("POST", "/api/login", {"username": "admin", "password": server.password})
    assert status == 200, body
    token = json.loads(body)["token"]
    video = uploaded_video(server, token, "lesson.mp4")
    progress = []

    async def on_progress(value, total, message):
        progress.append((value, message))

    async def body_of(client):
        stub = await client.call_tool("transcribe", {"video_id": video["id"], "whisper-backend": "http"},
                                      progress_callback=on_progress)
        real = await client.call_tool("transcribe", {"video_id": video["id"], "whisper-language": "ru,en"},
                                      progress_callback=on_progress)
        return stub, real

    async def connect():
        async with http_client(server, token) as client:
            return await body_of(client)

    requests_before = len(WhisperStub.requests)
    stub, real = run(connect())
    job = ok(stub)
    assert job["state"] == "finished" and job["kind"] == "transcribe", job
    assert {f["name"] for f in job["files"]} == {"lesson.json", "lesson.txt", "lesson.srt"}
    assert any("transcribed by " in line for line in job["log"]), job["log"]
    assert len(WhisperStub.requests) > requests_before  # the deployment's transcription server was asked
    srt_url = next(f["url"] for f in job["files"] if f["name"] == "lesson.srt")
    status, _, srt = server.request("GET", srt_url, token=token)
    assert status == 200 and "00:00:00,000 --> 00:00:02,500\nHello from the stub." in srt.decode()
    # The stub answers at once: the job may pass its stages between two polls, so only its end is certain.
    stages = [m for _, m in progress if m.startswith(f"job {job['id']}: ")]
    assert stages[-1] == f"job {job['id']}: finished", progress

    job = ok(real)
    assert job["state"] == "finished", job
    stages = [m for _, m in progress if m.startswith(f"job {job['id']}: ")]  # a real model takes seconds
    assert stages[-1] == f"job {job['id']}: finished" and any(m.endswith(": transcribe") for m in stages), progress
    txt_url = next(f["url"] for f in job["files"] if f["name"] == "lesson.json")
    doc = json.loads(server.request("GET", txt_url, token=token)[2])
    assert doc["language"] in ("en", "ru") and len(doc["text"].split()) >= 5, doc["text"]
