"""The watch agent inside `vidseg serve` publishing to a real S3 server (versitygw, started here) and to the test
double of the Hugging Face Hub (hub_test_double.py, through the real `huggingface_hub` client in vidseg's hub
worker): a lesson present at the start and one arriving while the server runs are each built and published once,
read back with `datasets`; a restart of the server (same data folder, state kept) publishes nothing again.

Environment (ctest sets it): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR, VIDSEG_HUB_PYTHON.
"""
import json
import os
import signal
import time
import urllib.request
from pathlib import Path

from published_copies import HF_CACHE, load_published
from hub_test_double import HubTestDouble
from test_agent_serve import metric, start_server
from test_agent_watch import lesson_video
from versitygw_peer import ACCESS, BUCKET, SECRET, VersityGw

TOKEN = "hf_vidsegAgentToken0123456789abcdefSECRET"
# --keyframe middle: this test is about the targets; `--keyframe best` is covered by test_agent_serve.py.
AGENT = ["--agent-every", "0.5s", "--agent-backoff", "1h", "--agent-build-options", '{"keyframe": "middle"}']


def metrics(url):
    with urllib.request.urlopen(url + "/metrics", timeout=30) as r:
        return r.read().decode()


def wait_metric(proc, url, name, value, timeout=900):
    deadline, text = time.time() + timeout, ""
    while time.time() < deadline:
        text = metrics(url)
        if metric(text, name) == value:
            return text
        assert proc.poll() is None, "the server ended"
        time.sleep(0.5)
    raise AssertionError(f"{name} did not reach {value}:\n{text}")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0


def run_agent_twice(tmp_path, target, env, extra, published, after_restart):
    """Starts the server with its agent (anna present), adds boris while it runs, checks `published(lesson)` for
    both, restarts it on the same data folder and checks that nothing more is published, then `after_restart()`."""
    source, data = tmp_path / "incoming", tmp_path / "server"
    lesson_video(source / "anna" / "task_20261207", "anna")
    old_env = dict(os.environ)
    os.environ.update(env)  # the server inherits the environment (keys, endpoints)
    try:
        proc, url = start_server(data, "--agent-source", str(source), "--agent-publish", target, *AGENT, *extra)
        try:
            wait_metric(proc, url, "vidseg_agent_lessons_published_total", 1)
            published("anna/task_20261207/lesson")
            lesson_video(source / "boris" / "task_20261208", "boris")  # arrives while the server runs
            text = wait_metric(proc, url, "vidseg_agent_lessons_published_total", 2)
            published("boris/task_20261208/lesson")
            assert metric(text, "vidseg_agent_failures_total") == 0
            assert metric(text, "vidseg_agent_datasets_built_total") == 2
        finally:
            stop(proc)
        proc, url = start_server(data, "--agent-source", str(source), "--agent-publish", target, *AGENT, *extra)
        try:
            first_cycles = metric(metrics(url), "vidseg_agent_cycles_total")
            cycles, deadline = first_cycles, time.time() + 120
            while cycles < first_cycles + 4 and time.time() < deadline:  # several looks after the restart
                cycles = metric(metrics(url), "vidseg_agent_cycles_total")
                time.sleep(0.5)
            text = metrics(url)
            assert cycles >= first_cycles + 4, text
            # The counters live in the state file: still the first run's two, nothing built or published since.
            assert metric(text, "vidseg_agent_lessons_published_total") == 2
            assert metric(text, "vidseg_agent_datasets_built_total") == 2
            assert metric(text, "vidseg_agent_lessons_seen") == 2
        finally:
            stop(proc)
        after_restart()
    finally:
        os.environ.clear()
        os.environ.update(old_env)


def test_agent_in_serve_publishes_to_s3(tmp_path):
    gw = VersityGw(str(tmp_path / "s3"))
    try:
        gw.create_bucket(BUCKET)
        bucket = Path(gw.folder) / "data" / BUCKET / "lessons"  # versitygw's posix folder = the bucket
        env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET}
        seen = {}

        def published(name):
            copy = bucket / name
            load_published(copy, tmp_path / "cache")
            history = json.loads((bucket / ".vidseg-publish.json").read_text())["history"]
            assert [h["prefix"] for h in history].count(name) == 1, history
            seen[name] = {p.relative_to(copy).as_posix(): p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file()}

        def after_restart():
            history = json.loads((bucket / ".vidseg-publish.json").read_text())["history"]
            assert sorted(h["prefix"] for h in history) == sorted(seen)  # each lesson published once
            for name, files in seen.items():  # no object written again
                copy = bucket / name
                assert {p.relative_to(copy).as_posix(): p.stat().st_mtime_ns
                        for p in copy.rglob("*") if p.is_file()} == files

        # The S3 options of `vidseg serve` (here --s3-endpoint) apply to the agent's target.
        run_agent_twice(tmp_path, f"s3://{BUCKET}/lessons", env, ["--s3-endpoint", gw.url], published, after_restart)
    finally:
        gw.stop()


def test_agent_in_serve_publishes_to_the_hub_test_double(tmp_path):
    hub = HubTestDouble(TOKEN, str(tmp_path / "hub-files"))
    try:
        env = {"HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_TOKEN": TOKEN,
               "HF_HOME": str(Path(HF_CACHE) / "hf-home")}
        commits, writes = {}, []

        def published(name):
            repo = hub.repos["anna/lessons"]
            assert f"{name}/metadata.jsonl" in repo["files"]
            load_published(Path(hub.files_dir) / "anna" / "lessons" / name, tmp_path / "cache")
            commits[name] = len(repo["commits"])
            writes.append(len(hub.requests))

        def after_restart():
            repo = hub.repos["anna/lessons"]
            assert len(repo["commits"]) == 2 and commits == {"anna/task_20261207/lesson": 1,
                                                             "boris/task_20261208/lesson": 2}
            history = json.loads(repo["files"][".vidseg-publish.json"])["history"]
            assert sorted(h["prefix"] for h in history) == sorted(commits)
            # After boris's commit (the first run's last write), no upload and no commit.
            assert not [(m, p) for m, p in hub.requests[writes[-1]:] if m == "PUT" or "/commit/" in p]
            assert TOKEN not in (tmp_path / "server.log").read_text()

        run_agent_twice(tmp_path, "hf://anna/lessons", env, [], published, after_restart)
    finally:
        hub.stop()
