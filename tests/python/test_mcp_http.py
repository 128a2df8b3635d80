"""/mcp of `vidseg serve` as a streamable HTTP transport with protocol sessions and progress, through the official
MCP Python SDK's streamable HTTP client and raw HTTP: the Mcp-Session-Id issued by initialize and carried by every
later request (recorded from the SDK client's own HTTP traffic), DELETE at the end, an unknown or ended session -> 404,
none -> 400, another user's -> 404; a tool call with a progressToken answered as Server-Sent Events (increasing
notifications/progress while its job runs, then the ended job with its files); a streamed call cancelled by
notifications/cancelled cancels its job and gets no answer; a followed dataset build, the dataset as a resource,
and the errors of resources/read (unknown, another user's, not a dataset).

Environment (set by ctest): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR.
"""
import asyncio
import json
import threading
import time
import urllib.request

import httpx2
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from test_mcp import EXPORT, MEDIA, Server, ok, run, tool_error, work  # noqa: F401 (fixtures)

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "raw", "version": "1"}}}


@pytest.fixture(scope="module")
def server(work):
    s = Server(work / "http-sessions-server")
    yield s
    s.stop()


def login(server, name, password):
    status, _, body = server.request("POST", "/api/login", {"username": name, "password": password})
    assert status == 200, body
    return json.loads(body)["token"]


@pytest.fixture(scope="module")
def tokens(server):
    admin = login(server, "admin", server.password)
    status, _, body = server.request("POST", "/api/users", {"username": "mallory", "password": "mallory-secret-pw",
                                                            "role": "dl-user"}, token=admin)
    assert status == 201, body
    return {"admin": admin, "mallory": login(server, "mallory", "mallory-secret-pw")}


@pytest.fixture(scope="module")
def video(server, tokens):
    server.upload(tokens["admin"], MEDIA / "lesson.mp4")
    deadline = time.time() + 120
    while time.time() < deadline:
        _, _, body = server.request("GET", "/api/videos", token=tokens["admin"])
        ready = [v for v in json.loads(body)["videos"] if v.get("info", {}).get("duration")]
        if ready:
            return ready[0]
        time.sleep(0.3)
    raise AssertionError("the upload was not probed")


def post(server, token, message, session=None):
    return server.request("POST", "/mcp", message, token=token,
                          headers={"Mcp-Session-Id": session} if session else None)


def test_session_lifecycle_over_raw_http(server, tokens):
    admin = tokens["admin"]
    ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
    status, headers, body = post(server, admin, INITIALIZE)
    assert status == 200 and json.loads(body)["result"]["protocolVersion"] == "2025-11-25"
    session = headers["Mcp-Session-Id"]
    assert len(session) >= 32 and all(0x21 <= ord(c) <= 0x7E for c in session)
    # A second initialize opens another session.
    assert post(server, admin, INITIALIZE)[1]["Mcp-Session-Id"] != session

    status, _, body = post(server, admin, ping)
    assert status == 400
    assert json.loads(body)["error"]["message"] == \
        "an MCP message other than initialize needs the Mcp-Session-Id header"
    status, _, body = post(server, admin, ping, session="no-such-session")
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    status, _, body = post(server, admin, ping, session=session)
    assert (status, json.loads(body)) == (200, {"jsonrpc": "2.0", "id": 2, "result": {}})
    # Another user cannot use (or end) the session.
    assert post(server, tokens["mallory"], ping, session=session)[0] == 404
    assert server.request("DELETE", "/mcp", token=tokens["mallory"], headers={"Mcp-Session-Id": session})[0] == 404
    # A notification in the session: 202, no body.
    status, _, body = post(server, admin, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session=session)
    assert (status, body) == (202, b"")
    # DELETE ends it; afterwards it is unknown.
    assert server.request("DELETE", "/mcp", token=admin)[0] == 400
    assert server.request("DELETE", "/mcp", token=admin, headers={"Mcp-Session-Id": session})[0] == 204
    assert post(server, admin, ping, session=session)[0] == 404
    assert server.request("DELETE", "/mcp", token=admin, headers={"Mcp-Session-Id": session})[0] == 404
    status, headers, _ = server.request("GET", "/mcp", token=admin)
    assert status == 405 and headers["Allow"] == "POST, DELETE"


class Traffic:
    """The SDK client's HTTP requests to /mcp: (method, JSON-RPC method or None, Mcp-Session-Id sent, status,
    Mcp-Session-Id answered, content type)."""

    def __init__(self):
        self.seen = []

    async def on_response(self, response):
        request = response.request
        try:
            rpc = json.loads(request.content or b"null")
        except ValueError:
            rpc = None
        self.seen.append((request.method, rpc.get("method") if isinstance(rpc, dict) else None,
                          request.headers.get("mcp-session-id"), response.status_code,
                          response.headers.get("mcp-session-id"), response.headers.get("content-type", "")))

    def client(self, server, token):
        from mcp.client.streamable_http import streamable_http_client
        http = httpx2.AsyncClient(headers={"Authorization": "Bearer " + token}, timeout=120,
                                  event_hooks={"response": [self.on_response]})
        return Client(streamable_http_client(f"{server.url}/mcp", http_client=http), mode="legacy")


def test_sdk_client_session_and_progress(server, tokens, video):
    traffic = Traffic()
    progress = []

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async def body(client):
        quick = ok(await client.call_tool("prepare", {"video_id": video["id"], "segment": 5}))
        followed = await client.call_tool("prepare", {"video_id": video["id"], "segment": 2, "mode": "exact"},
                                          progress_callback=on_progress)
        bad = await client.call_tool("prepare", {"video_id": 999999}, progress_callback=on_progress)
        return quick, followed, bad

    async def connect():
        async with traffic.client(server, tokens["admin"]) as client:
            return await body(client)

    quick, followed, bad = run(connect())
    # Without a progressToken the tool answers the queued job at once; with one, the ended job and its files.
    assert quick["state"] in ("queued", "running")
    job = ok(followed)
    assert job["state"] == "finished" and job["kind"] == "prepare"
    assert sum(f["name"].startswith("part_films/") for f in job["files"]) >= 5
    assert all(f["url"] == f"/api/jobs/{job['id']}/files/{f['name']}" for f in job["files"])
    # Progress: several notifications, strictly increasing, naming the job and its stages.
    values = [p[0] for p in progress]
    assert len(values) >= 3 and values == sorted(set(values)), progress
    assert all(p[2].startswith(f"job {job['id']}: ") for p in progress), progress
    assert progress[-1][2] == f"job {job['id']}: finished"
    # An error of a followed call is the same tool error as without progress.
    assert tool_error(bad) == ("input_not_found", "not_found: video 999999 not found")

    posts = [t for t in traffic.seen if t[0] == "POST"]
    assert posts[0][1] == "initialize" and posts[0][2] is None and posts[0][3] == 200
    session = posts[0][4]
    assert session
    assert all(t[2] == session for t in traffic.seen[1:]), traffic.seen  # every later request names it
    streamed = [t for t in posts if t[1] == "tools/call" and t[5].startswith("text/event-stream")]
    assert len(streamed) == 2, traffic.seen  # the two calls with a progressToken
    assert ("DELETE", None, session, 204, None) == traffic.seen[-1][:5]  # the client ended its session
    status, _, _ = post(server, tokens["admin"], {"jsonrpc": "2.0", "id": 9, "method": "ping"}, session=session)
    assert status == 404


def test_sdk_client_with_an_ended_session(server, tokens):
    """The server ends the session (here: DELETE by the same user from outside): the SDK client's next request
    gets 404, which it reports as an error."""
    traffic = Traffic()

    async def connect():
        async with traffic.client(server, tokens["admin"]) as client:
            await client.list_tools()
            session = traffic.seen[0][4]
            assert server.request("DELETE", "/mcp", token=tokens["admin"],
                                  headers={"Mcp-Session-Id": session})[0] == 204
            with pytest.raises(MCPError) as ended:
                await client.list_tools()
            return session, ended.value

    session, error = run(connect())
    assert "Session terminated" in str(error)
    assert any(t[0] == "POST" and t[2] == session and t[3] == 404 for t in traffic.seen)


def test_streamed_call_cancelled_cancels_its_job(server, tokens, video):
    """Raw HTTP: a tools/call with a progressToken streams its progress; notifications/cancelled for it (another
    POST in the session) cancels the job, and the stream ends without an answer."""
    admin = tokens["admin"]
    _, headers, _ = post(server, admin, INITIALIZE)
    session = headers["Mcp-Session-Id"]
    call = {"jsonrpc": "2.0", "id": "slow-1", "method": "tools/call",
            "params": {"name": "prepare", "arguments": {"video_id": video["id"], "segment": 1, "mode": "exact"},
                       "_meta": {"progressToken": "p1"}}}
    request = urllib.request.Request(server.url + "/mcp", data=json.dumps(call).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + admin, "Content-Type": "application/json",
                                              "Accept": "application/json, text/event-stream",
                                              "Mcp-Session-Id": session})
    events, first = [], threading.Event()

    def read_stream():
        with urllib.request.urlopen(request, timeout=120) as r:
            assert r.headers["Content-Type"].startswith("text/event-stream")
            for line in r:
                if line.startswith(b"data: "):
                    events.append(json.loads(line[6:]))
                    first.set()
        first.set()

    reader = threading.Thread(target=read_stream)
    reader.start()
    assert first.wait(60) and events, "no progress"
    progress = events[0]
    assert progress["method"] == "notifications/progress" and progress["params"]["progressToken"] == "p1"
    job_id = int(progress["params"]["message"].split(":")[0].split()[1])
    status, _, body = post(server, admin, {"jsonrpc": "2.0", "method": "notifications/cancelled",
                                           "params": {"requestId": "slow-1", "reason": "test"}}, session=session)
    assert (status, body) == (202, b"")
    reader.join(60)
    assert not reader.is_alive()
    assert all(e.get("method") == "notifications/progress" for e in events), events  # no answer
    deadline, state = time.time() + 60, None
    while time.time() < deadline:
        _, _, body = server.request("GET", f"/api/jobs/{job_id}", token=admin)
        state = json.loads(body)["state"]
        if state in ("finished", "error", "cancelled"):
            break
        time.sleep(0.2)
    assert state == "cancelled"
    assert server.request("DELETE", "/mcp", token=admin, headers={"Mcp-Session-Id": session})[0] == 204


def test_followed_dataset_build_and_resources_over_http(server, tokens, video):
    """A dataset build followed to its end; the built dataset is then a resource (vidseg://datasets/JOB); reading
    an unknown, another user's or a non-dataset resource is the JSON-RPC error resource-not-found (-32002)."""
    export = json.loads(EXPORT.read_text())
    progress = []

    async def on_progress(value, total, message):
        progress.append(value)

    async def body(client):
        built = await client.call_tool("dataset_build", {"video_ids": [video["id"]], "annotations": export,
                                                         "keyframe": "middle"}, progress_callback=on_progress)
        job = ok(built)
        uris = [str(r.uri) for r in (await client.list_resources()).resources]
        dataset = json.loads((await client.read_resource(f"vidseg://datasets/{job['id']}")).contents[0].text)
        prepare = ok(await client.call_tool("prepare", {"video_id": video["id"], "segment": 10}))
        errors = {}
        for uri in (f"vidseg://datasets/{prepare['id']}", "vidseg://jobs/999999", "vidseg://jobs/x",
                    "file:///etc/passwd"):
            with pytest.raises(MCPError) as e:
                await client.read_resource(uri)
            errors[uri] = e.value
        return job, uris, dataset, prepare, errors

    async def connect(token, inner):
        async with Traffic().client(server, token) as client:
            return await inner(client)

    job, uris, dataset, prepare, errors = run(connect(tokens["admin"], body))
    assert job["state"] == "finished" and job["kind"] == "dataset build", job
    assert len(progress) >= 2 and progress == sorted(set(progress))
    assert f"vidseg://datasets/{job['id']}" in uris and f"vidseg://jobs/{job['id']}" in uris
    assert dataset["id"] == job["id"]
    names = {f["name"] for f in dataset["files"]}
    assert {"metadata.jsonl", "README.md"} <= names, names
    assert {uri: (e.code, e.message) for uri, e in errors.items()} == {
        f"vidseg://datasets/{prepare['id']}": (-32002, f"resource not found: vidseg://datasets/{prepare['id']}"),
        "vidseg://jobs/999999": (-32002, "not_found: job 999999 not found"),
        "vidseg://jobs/x": (-32002, "resource not found: vidseg://jobs/x"),
        "file:///etc/passwd": (-32002, "resource not found: file:///etc/passwd")}

    async def other_user(client):
        with pytest.raises(MCPError) as e:
            await client.read_resource(f"vidseg://jobs/{job['id']}")
        return e.value, [str(r.uri) for r in (await client.list_resources()).resources]

    error, theirs = run(connect(tokens["mallory"], other_user))
    assert (error.code, error.message) == (-32002, f"not_found: job {job['id']} not found")
    assert f"vidseg://jobs/{job['id']}" not in theirs


def test_a_client_that_leaves_does_not_cancel_the_job(server, tokens, video):
    """Disconnection is not cancellation (the protocol says so): the streamed call stops waiting, its job goes on
    to the end, and the session stays usable."""
    admin = tokens["admin"]
    _, headers, _ = post(server, admin, INITIALIZE)
    session = headers["Mcp-Session-Id"]
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "prepare", "arguments": {"video_id": video["id"], "segment": 3, "mode": "exact"},
                       "_meta": {"progressToken": 3}}}
    request = urllib.request.Request(server.url + "/mcp", data=json.dumps(call).encode(), method="POST",
                                     headers={"Authorization": "Bearer " + admin, "Content-Type": "application/json",
                                              "Accept": "application/json, text/event-stream",
                                              "Mcp-Session-Id": session})
    with urllib.request.urlopen(request, timeout=120) as r:
        line = r.readline()
        while not line.startswith(b"data: "):
            line = r.readline()
        first = json.loads(line[6:])
    # The connection is closed here, with the job running.
    job_id = int(first["params"]["message"].split(":")[0].split()[1])
    deadline, state = time.time() + 300, None
    while time.time() < deadline:
        _, _, body = server.request("GET", f"/api/jobs/{job_id}", token=admin)
        state = json.loads(body)["state"]
        if state in ("finished", "error", "cancelled"):
            break
        time.sleep(0.3)
    assert state == "finished"
    status, _, body = post(server, admin, {"jsonrpc": "2.0", "id": 4, "method": "ping"}, session=session)
    assert (status, json.loads(body)) == (200, {"jsonrpc": "2.0", "id": 4, "result": {}})
