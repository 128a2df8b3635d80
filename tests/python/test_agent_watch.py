"""`vidseg agent watch` end to end: lessons (video + Label Studio export) arriving in a folder or in a real S3
server (versitygw), built with `dataset build --keyframe best` and published to a folder target; the published
copies read with the real `datasets` library; a failing lesson retried with back-off without holding up the
others; a crash (kill -9) in the middle of a cycle, then a re-run that completes without repeating anything.

Environment (ctest sets it): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR.
"""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from published_copies import BINARY, EXPORT, MEDIA, load_published
from versitygw_peer import ACCESS, BUCKET, SECRET, VersityGw

S3_ENV = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET}


def lesson_video(folder, title):
    """The test lesson with its own bytes (a title tag), so that every lesson has its own content."""
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(MEDIA / "lesson.mp4"), "-c", "copy", "-metadata",
                        f"title={title}", str(folder / "lesson.mp4")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    shutil.copyfile(EXPORT, folder / "export.json")


def agent(source, target, work, *extra, env=None, expect=0):
    args = [BINARY, "agent", "watch", "--source", str(source), "--publish", str(target), "--once", "--settle", "0.3s",
            "--state", str(work / "state.json"), "--work", str(work / "build"), "--metrics-file",
            str(work / "metrics.prom"), *extra]
    r = subprocess.run(args, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})
    assert r.returncode == expect, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def publications(target):
    return json.loads((Path(target) / ".vidseg-publish.json").read_text())["history"]


def check_lesson_loads(folder, cache):
    assert "keyframe_score" in load_published(folder, cache).column_names  # built with --keyframe best


def test_folder_source_backoff_and_dedupe(tmp_path):
    source, target, work = tmp_path / "incoming", tmp_path / "published", tmp_path / "agent"
    lesson_video(source / "anna" / "task_20261207", "anna")
    lesson_video(source / "boris" / "task_20261208", "boris")
    (source / "carl" / "task_20261209").mkdir(parents=True)  # a broken lesson: not a video
    (source / "carl" / "task_20261209" / "lesson.mp4").write_bytes(b"this is not a video" * 100)
    shutil.copyfile(EXPORT, source / "carl" / "task_20261209" / "export.json")
    (source / "dora").mkdir()
    (source / "dora" / "lesson.mp4").write_bytes(b"no export yet")  # not a lesson until its export arrives

    r = agent(source, target, work, expect=1)
    assert "published anna/task_20261207/lesson to " in r.stdout
    assert "published boris/task_20261208/lesson to " in r.stdout
    assert "failed carl/task_20261209/lesson: " in r.stdout and "(attempt 1, next try in 30 s)" in r.stdout
    assert r.stdout.rstrip().endswith("3 lesson(s) found, 2 published, 0 already published, 1 failed, 0 waiting")
    for name in ("anna", "boris"):
        check_lesson_loads(target / name / f"task_2026120{7 if name == 'anna' else 8}" / "lesson", tmp_path / "cache")
    assert not (target / "carl").exists()
    state = json.loads((work / "state.json").read_text())["lessons"]
    assert state["carl/task_20261209/lesson"]["status"] == "failed" and state["carl/task_20261209/lesson"]["attempts"] == 1
    metrics = (work / "metrics.prom").read_text()
    assert "vidseg_agent_lessons_published_total 2\n" in metrics and "vidseg_agent_failures_total 1\n" in metrics
    assert "vidseg_agent_lessons_failing 1\n" in metrics

    # Again at once: the published lessons are skipped, the broken one waits for its back-off.
    r = agent(source, target, work)
    assert "published" not in r.stdout.replace("0 published", "").replace("already published", "")
    assert r.stdout.rstrip().endswith("3 lesson(s) found, 0 published, 2 already published, 0 failed, 1 waiting")
    # With no back-off it is tried again (and fails again, reported by name).
    r = agent(source, target, work, "--backoff", "0s", expect=1)
    assert "failed carl/task_20261209/lesson: " in r.stdout and "(attempt 2," in r.stdout
    assert len(publications(target)) == 2

    # A copy of a published lesson under another name: recognised by content, not published again.
    shutil.copytree(source / "anna" / "task_20261207", source / "erik" / "task_20261210")
    r = agent(source, target, work, "--backoff", "1h")
    assert "skipped erik/task_20261210/lesson: same content as anna/task_20261207/lesson" in r.stdout
    assert len(publications(target)) == 2 and not (target / "erik").exists()

    # A changed export: published again once stable (only the changed files are sent).
    export = json.loads(EXPORT.read_text())
    export[0]["annotations"][0]["result"] = export[0]["annotations"][0]["result"][:1]
    (source / "boris" / "task_20261208" / "export.json").write_text(json.dumps(export))
    r = agent(source, target, work, "--backoff", "1h")
    assert "changed boris/task_20261208/lesson" in r.stdout and "published boris/task_20261208/lesson" in r.stdout


def test_crash_mid_cycle_then_rerun(tmp_path):
    source, target, work = tmp_path / "incoming", tmp_path / "published", tmp_path / "agent"
    names = [f"t{i}/task/lesson" for i in range(3)]
    for i in range(3):
        lesson_video(source / f"t{i}" / "task", f"lesson {i}")
    args = [BINARY, "agent", "watch", "--source", str(source), "--publish", str(target), "--once", "--settle", "0.3s",
            "--state", str(work / "state.json"), "--work", str(work / "build")]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifest = target / ".vidseg-publish.json"
    deadline = time.time() + 600
    while time.time() < deadline and not (manifest.exists() and len(publications(target)) >= 1):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # in the middle of the cycle: the next lesson is being built
    proc.communicate()
    done_before = [n for n, s in json.loads((work / "state.json").read_text())["lessons"].items()
                   if s["status"] == "published"]
    assert 1 <= len(done_before) < 3

    r = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    for name in done_before:
        assert f"published {name} " not in r.stdout  # not repeated
    for name in set(names) - set(done_before):
        assert f"published {name} " in r.stdout  # not lost
    state = json.loads((work / "state.json").read_text())["lessons"]
    assert all(state[n]["status"] == "published" for n in names)
    sources = [p["source"] for p in publications(target)]
    assert len(sources) == 3 and len(set(sources)) == 3  # each lesson published exactly once
    for name in names:
        assert (target / name / "metadata.jsonl").is_file()


def put_object(gw, key, file):
    r = subprocess.run(["curl", "-sS", "-f", "-X", "PUT", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                        f"{ACCESS}:{SECRET}", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "--upload-file", str(file),
                        f"{gw.url}/{BUCKET}/{key}"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_s3_source_with_versitygw(tmp_path):
    gw = VersityGw(str(tmp_path / "s3"))
    try:
        gw.create_bucket(BUCKET)
        lesson_video(tmp_path / "a", "s3 lesson")
        put_object(gw, "anna/task_20261207/lesson.mp4", tmp_path / "a" / "lesson.mp4")
        put_object(gw, "anna/task_20261207/export.json", tmp_path / "a" / "export.json")
        put_object(gw, "other/readme.txt", EXPORT)  # not a lesson
        target, work = tmp_path / "published", tmp_path / "agent"
        r = agent(f"s3://{BUCKET}", target, work, "--s3-endpoint", gw.url, env=S3_ENV)
        assert "published anna/task_20261207/lesson to " in r.stdout
        check_lesson_loads(target / "anna" / "task_20261207" / "lesson", tmp_path / "cache")
        r = agent(f"s3://{BUCKET}", target, work, "--s3-endpoint", gw.url, env=S3_ENV)
        assert r.stdout.rstrip().endswith("1 lesson(s) found, 0 published, 1 already published, 0 failed, 0 waiting")
    finally:
        gw.stop()
