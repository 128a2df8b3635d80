"""The watch agent inside `vidseg serve` (--agent-source / --agent-publish): lessons arriving in a folder are built
and published while the server runs, and the agent's counters are on the server's /metrics (the real server
binary, scraped over HTTP); bad agent options stop the server's start with a clear error. And the agent's dedupe
against the target's manifest: a second agent, or one whose state file was lost, does not publish a lesson again.

Environment (ctest sets it): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR.
"""
import json
import os
import re
import select
import signal
import subprocess
import time
import urllib.request

from published_copies import BINARY, EXPORT, load_published
from test_agent_watch import agent, lesson_video, publications


def metric(text, name):
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    assert m, f"{name} not in /metrics:\n{text}"
    return float(m.group(1))


def start_server(data, *extra):
    proc = subprocess.Popen([BINARY, "serve", "--data", str(data), "--listen", "127.0.0.1:0", "--threads", "4",
                             "--workers", "0", *extra], stdout=subprocess.PIPE, stderr=open(str(data) + ".log", "ab"))
    out, deadline = b"", time.time() + 60
    while time.time() < deadline:
        assert proc.poll() is None, (out, open(str(data) + ".log").read())
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if ready:
            out += os.read(proc.stdout.fileno(), 4096)
        if m := re.search(rb"listening on (http://127\.0\.0\.1:\d+)", out):
            return proc, m.group(1).decode()
    proc.kill()
    raise AssertionError(out)


def test_agent_counters_on_the_servers_metrics(tmp_path):
    source, target, data = tmp_path / "incoming", tmp_path / "published", tmp_path / "server"
    lesson_video(source / "anna" / "task_20261207", "anna")
    lesson_video(source / "boris" / "task_20261208", "boris")
    (source / "carl").mkdir()  # a broken lesson: not a video
    (source / "carl" / "lesson.mp4").write_bytes(b"this is not a video" * 100)
    (source / "carl" / "export.json").write_bytes(EXPORT.read_bytes())
    proc, url = start_server(data, "--agent-source", str(source), "--agent-publish", str(target),
                             "--agent-every", "0.5s", "--agent-backoff", "1h")
    try:
        deadline, text = time.time() + 900, ""
        while time.time() < deadline:
            with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
                assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
                text = r.read().decode()
            if metric(text, "vidseg_agent_lessons_published_total") == 2 and \
                    metric(text, "vidseg_agent_failures_total") == 1:
                break
            assert proc.poll() is None
            time.sleep(0.5)
        assert metric(text, "vidseg_agent_lessons_published_total") == 2, text
        assert metric(text, "vidseg_agent_datasets_built_total") == 2  # carl failed in its build
        assert metric(text, "vidseg_agent_failures_total") == 1
        assert metric(text, "vidseg_agent_lessons_failing") == 1
        assert metric(text, "vidseg_agent_lessons_seen") == 3
        assert metric(text, "vidseg_agent_lessons_skipped_total") == 0
        assert metric(text, "vidseg_agent_cycles_total") >= 2  # the first look only records the sizes
        assert metric(text, "vidseg_agent_files_sent_total") > 0
        assert metric(text, "vidseg_agent_last_cycle_duration_seconds") > 0
        assert metric(text, "vidseg_agent_cycle_errors_total") == 0
        assert metric(text, "vidseg_agent_running") == 1
        assert "vidseg_http_requests_total{" in text  # the server's own metrics are still there
        for name in ("anna/task_20261207", "boris/task_20261208"):
            assert "keyframe_score" in load_published(target / name / "lesson", tmp_path / "cache").column_names
        state = json.loads((data / "agent" / "state.json").read_text())  # the default state file
        assert state["lessons"]["carl/lesson"]["status"] == "failed"
        log = (tmp_path / "server.log").read_text()
        assert '"event":"agent"' in log and "failed carl/lesson: " in log
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def serve_error(tmp_path, *args):
    r = subprocess.run([BINARY, "serve", "--data", str(tmp_path / "d"), "--listen", "127.0.0.1:0", *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    return r.stderr


def test_bad_agent_options_stop_the_start(tmp_path):
    assert "--agent-source needs --agent-publish TARGET" in serve_error(tmp_path, "--agent-source", str(tmp_path))
    assert "--agent-publish needs --agent-source" in serve_error(tmp_path, "--agent-publish", str(tmp_path / "t"))
    assert "option --agent-every: expected a duration like 60s, 5m, 1h or 0.5s, got 'soon'" in serve_error(
        tmp_path, "--agent-source", str(tmp_path), "--agent-publish", str(tmp_path / "t"), "--agent-every", "soon")
    assert "option --agent-build-options: expected a JSON object" in serve_error(
        tmp_path, "--agent-source", str(tmp_path), "--agent-publish", str(tmp_path / "t"),
        "--agent-build-options", "[1]")


def test_lost_state_and_second_agent_do_not_publish_again(tmp_path):
    source, target = tmp_path / "incoming", tmp_path / "published"
    lesson_video(source / "anna" / "task_20261207", "anna")
    r = agent(source, target, tmp_path / "first")
    assert "published anna/task_20261207/lesson to " in r.stdout
    history = publications(target)
    assert len(history) == 1 and history[0]["prefix"] == "anna/task_20261207/lesson"
    assert len(history[0]["origin_digest"]) == 64

    # The state file is lost: the target's manifest says the lesson's content was published.
    (tmp_path / "first" / "state.json").unlink()
    r = agent(source, target, tmp_path / "first")
    assert "skipped anna/task_20261207/lesson: the target's manifest lists it as published under " \
           "anna/task_20261207/lesson at " in r.stdout
    assert r.stdout.rstrip().endswith("1 lesson(s) found, 0 published, 1 already published, 0 failed, 0 waiting")
    # A second agent with its own state, watching another folder with a copy of the lesson: not published twice.
    other = tmp_path / "other"
    (other / "copy").mkdir(parents=True)
    for f in ("lesson.mp4", "export.json"):
        (other / "copy" / f).write_bytes((source / "anna" / "task_20261207" / f).read_bytes())
    r = agent(other, target, tmp_path / "second")
    assert "skipped copy/lesson: the target's manifest lists it as published under anna/task_20261207/lesson" \
           in r.stdout
    assert "datasets_built_total 0\n" in (tmp_path / "second" / "metrics.prom").read_text()
    assert len(publications(target)) == 1 and not (target / "copy").exists()
