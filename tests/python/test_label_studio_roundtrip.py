"""Round trip through a REAL Label Studio server (pip label-studio, tests/python/requirements-labelstudio.txt,
venv build/pyenv-labelstudio made by scripts/setup.sh), started on loopback by this test:

  vidseg prepare lesson.mp4  ->  label_config.xml + tasks.json
  -> POST /api/projects/ (prepare's config, verbatim, with the video controls of SPEC §1.3)
  -> POST /api/projects/{id}/import (prepare's tasks, local-files URLs as written by vidseg)
  -> POST /api/tasks/{id}/annotations/ as two annotators would (audio `labels`, task-level `choices`,
     video `timelinelabels`, a `videorectangle` track)
  -> GET /api/projects/{id}/export?exportType=JSON | JSON_MIN | CSV
  -> vidseg dataset build on each export, once with the clips (segment time) and once with the lesson video
     (lesson time: each task's results shifted by its data.start) -> metadata.jsonl rows checked (items, patterns,
     boundaries, crops).

Serving (issue 17): LOCAL_FILES_DOCUMENT_ROOT is the folder holding prepare's OUT; the test shows Label Studio refuses a
local storage at the root, adds one on OUT and fetches every video, audio and keyframe URL of the imported tasks.

Expert project (issue 17, test_expert_project_two_annotators): whole-lesson task without fps, emoji/role-prefixed audio
labels, a single-choice control, timeline labels and a track posted exactly as the 1.23 editor serializes it
(keyframe time = frame / frameRate), two annotators; JSON, JSON_MIN and CSV exports each build the same dataset
(frame rate probed from the video, the single choice kept in JSON_MIN / CSV); `dataset agreement` with the
server's user list; its consensus imports back into the project and survives a JSON_MIN export.

Time base: every task plays its segment's clip AND its segment's WAV (audio/segment_<i>.wav), so every result of a
task is in segment time; audio is annotated on a later segment too, whose lesson-time boundaries are asserted.

Frame convention of `timelinelabels` (the open question of issue 3): the server stores and exports the ranges
exactly as the editor posts them; the editor (web/dist/apps/labelstudio/358.js of 1.23.2) numbers frames from 1
(`fullFrameRange = {start: 1, end: framesCount}`, `goToFrame(f)` seeks to (f - 1) / fps) and a one-frame region is
{start: f, end: f}, so the end frame is included: range {s, e} = [(s - 1) / fps, e / fps) seconds, which is what
src/vidseg/annotations/label_studio_export.cpp does. The test posts editor-shaped ranges, checks the exports carry
them unchanged and that the dataset intervals are exactly those seconds.

Start-up: the first run migrates an empty SQLite database (~45 s of CPU; 85 s wall on a quiet 2-core machine) and
keeps a copy of it inside the venv (keyed by the Label Studio version); later runs start from that copy (~25 s). The server's output is
printed when anything fails; the whole process group is killed at the end.
"""

import csv
import importlib.metadata
import io
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

VIDSEG = os.environ.get("VIDSEG_BINARY", "")
MEDIA = pathlib.Path(os.environ.get("VIDSEG_TEST_MEDIA_DIR", ""))
VENV_BIN = pathlib.Path(sys.executable).parent
LABEL_STUDIO = VENV_BIN / "label-studio"
LS_VERSION = importlib.metadata.version("label-studio")
# A migrated, empty database: Django's ~400 migrations dominate a cold start.
TEMPLATE_DB = pathlib.Path(sys.prefix) / "vidseg-cache" / f"label_studio-{LS_VERSION}-migrated.sqlite3"
# Seconds. Measured on the shared 2-core machine: migrating ~45 s of CPU, 85 s wall when quiet, 240 s under load;
# starting from the migrated copy ~25 s wall.
MIGRATE_TIMEOUT = 480
STARTUP_TIMEOUT = 300
TOKEN = "vidseg-roundtrip-token-0123456789"
ADMIN = "anna@school.test"
SECOND = "boris@school.test"
FPS = 25.0

# Video controls of SPEC §1.3 (interval labels on the video timeline, the tracked teacher) that `vidseg prepare`'s
# config carries; without them JSON_MIN and CSV exports would drop such results (the export converter keeps only
# results of controls in the config).
VIDEO_CONTROLS = ('<TimelineLabels name="video_intervals" toName="video">', '<Labels name="tracked" toName="video">',
                  '<VideoRectangle name="box" toName="video"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data_dir, document_root=None):
    env = dict(os.environ)
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_DEBUG": "false",
            "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "true",
            "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT": str(document_root or data_dir),
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def make_template_db(log):
    """Migrates an empty database with Label Studio's own manage.py and keeps it in the venv."""
    if TEMPLATE_DB.exists():
        return
    import label_studio

    package = pathlib.Path(label_studio.__file__).parent
    with tempfile.TemporaryDirectory(prefix="vidseg-ls-migrate-") as tmp:
        started = time.monotonic()
        try:
            r = subprocess.run(
                [sys.executable, str(package / "manage.py"), "migrate", "--no-color", "-v", "0"],
                cwd=package,
                env=server_env(tmp),
                capture_output=True,
                text=True,
                timeout=MIGRATE_TIMEOUT,
            )
        except subprocess.TimeoutExpired as e:
            log.write(f"migrate: no result after {MIGRATE_TIMEOUT} s\n{e.stdout}\n{e.stderr}\n")
            return  # the server migrates by itself
        log.write(f"migrate: exit {r.returncode} in {time.monotonic() - started:.1f} s\n{r.stdout}\n{r.stderr}\n")
        db = pathlib.Path(tmp) / "label_studio.sqlite3"
        if r.returncode != 0 or not db.exists():
            return  # the server migrates by itself; only slower
        TEMPLATE_DB.parent.mkdir(parents=True, exist_ok=True)
        part = TEMPLATE_DB.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(db, part)
        os.replace(part, TEMPLATE_DB)  # atomic: a concurrent run sees the whole file or none


class Server:
    def __init__(self, url, log_path):
        self.url = url
        self.log_path = log_path

    def log_tail(self, lines=80):
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def try_call(self, method, path, body=None):
        """(status, body bytes) without raising on HTTP errors."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, method=method, data=data,
                                     headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def call(self, method, path, body=None, raw=False):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            method=method,
            data=data,
            headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                payload = resp.read()
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path} -> HTTP {e.code}: {e.read()[:2000]!r}") from None
        return payload if raw else json.loads(payload)


def wait_until_healthy(proc, url, log_tail):
    """Polls Label Studio's /health until it answers 200; fails the test when the process exits or
    STARTUP_TIMEOUT passes (log_tail: the server log's end, for the message)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"label-studio exited with {proc.returncode} during start-up:\n{log_tail()}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"label-studio not up after {STARTUP_TIMEOUT} s:\n{log_tail()}")
        time.sleep(0.5)

@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """LOCAL_FILES_DOCUMENT_ROOT: the folder that holds `vidseg prepare`'s OUT (README: Serving prepare's files)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def server(tmp_path_factory, media_root):
    if not LABEL_STUDIO.exists():
        pytest.fail(f"{LABEL_STUDIO} missing: run `bash scripts/setup.sh` (tests/python/requirements-labelstudio.txt)")
    root = tmp_path_factory.mktemp("label-studio")
    data_dir = root / "data"
    data_dir.mkdir()
    log_path = root / "server.log"
    timings = {}
    with open(log_path, "w") as log:
        started = time.monotonic()
        make_template_db(log)
        timings["template"] = time.monotonic() - started
        if TEMPLATE_DB.exists():
            shutil.copyfile(TEMPLATE_DB, data_dir / "label_studio.sqlite3")
        port = free_port()
        started = time.monotonic()
        proc = subprocess.Popen(
            [
                str(LABEL_STUDIO), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
                "--data-dir", str(data_dir), "--username", ADMIN, "--password", "vidseg-Pass-1",
                "--user-token", TOKEN, "--enable-legacy-api-token",
            ],
            env=server_env(data_dir, media_root),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: killed as a whole below
        )
    srv = Server(f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_healthy(proc, srv.url, srv.log_tail)
        timings["start"] = time.monotonic() - started
        print(f"label-studio {LS_VERSION}: template db {timings['template']:.1f} s, server start {timings['start']:.1f} s")
        version = srv.call("GET", "/api/version")
        assert version["release"] == LS_VERSION
        yield srv
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        # Shown by pytest only when a test failed.
        print(f"--- label-studio log (last lines) ---\n{srv.log_tail()}")


def export_all(server, pid, prefix):
    """The project exported as JSON, JSON_MIN and CSV: {kind: path}, paths <prefix>_<kind>.json|csv."""
    exports = {}
    for kind in ("JSON", "JSON_MIN", "CSV"):
        body = server.call("GET", f"/api/projects/{pid}/export?exportType={kind}", raw=True)
        path = prefix.with_name(f"{prefix.name}_{kind.lower()}.{'csv' if kind == 'CSV' else 'json'}")
        path.write_bytes(body)
        exports[kind] = path
    return exports


def run_vidseg(*args):
    r = subprocess.run([VIDSEG, *map(str, args)], capture_output=True, text=True, timeout=300)
    return r


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def prepared(media_root):
    assert VIDSEG and pathlib.Path(VIDSEG).exists(), "VIDSEG_BINARY must name the vidseg binary"
    out = media_root / "lesson_prepared"
    r = run_vidseg("prepare", MEDIA / "lesson.mp4", "--segment", "10", "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_round_trip_through_label_studio(server, prepared, tmp_path):
    config = (prepared / "label_config.xml").read_text(encoding="utf-8")
    tasks = json.loads((prepared / "tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 3  # 30 s lesson, 10 s segments

    # The server accepts prepare's config verbatim, video controls included.
    for control in VIDEO_CONTROLS:
        assert control in config, control
    project = server.call("POST", "/api/projects/", {"title": "vidseg round trip", "label_config": config})
    pid = project["id"]
    for name in ("pattern_intervals", "video_intervals", "tracked", "box"):
        assert name in project["parsed_label_config"], name

    imported = server.call("POST", f"/api/projects/{pid}/import", tasks)
    assert imported["task_count"] == 3
    listed = server.call("GET", f"/api/tasks/?project={pid}&page_size=100&fields=all")["tasks"]
    by_segment = {t["data"]["segment"]: t["id"] for t in listed}
    assert sorted(by_segment) == [0, 1, 2]
    # Task data (local-files URLs, fps) are stored as vidseg wrote them.
    assert {t["data"]["video"] for t in listed} == {t["data"]["video"] for t in tasks}

    # Serving: the document root is OUT's parent, one local storage on OUT itself (Label Studio refuses one at
    # the document root); then every media URL of every imported task is served with the file's bytes.
    refused = server.try_call("POST", "/api/storages/localfiles/",
                              {"project": pid, "path": str(prepared.parent), "title": "root"})
    assert refused[0] == 400 and b"cannot be the same" in refused[1], refused
    server.call("POST", "/api/storages/localfiles/", {"project": pid, "path": str(prepared), "title": "vidseg"})
    fetched = 0
    for task in listed:
        for key, local in (("video", f"part_films/segment_{task['data']['segment']}.mp4"),
                           ("audio", f"audio/segment_{task['data']['segment']}.wav"),
                           ("image", f"processed_data/segment_{task['data']['segment']}_keyframe.jpg")):
            url = task["data"][key]
            assert url.startswith("/data/local-files/?d=lesson_prepared/"), url
            assert server.call("GET", url, raw=True) == (prepared / local).read_bytes(), url
            fetched += 1
    assert fetched == 9

    # A second annotator, made by the admin through the API.
    second = server.call("POST", "/api/users/", {"email": SECOND, "username": "boris", "first_name": "Boris"})
    assert second["email"] == SECOND

    # Annotator 1, segment 0: an audio interval, a task-level choice and the tracked teacher
    # (box 10 %/20 % 25 %x50 % of the 640x360 clip, from frame 1 to the last frame).
    seg0 = [
        {"id": "a0", "from_name": "pattern_intervals", "to_name": "audio", "type": "labels", "origin": "manual",
         "original_length": 10.0,
         "value": {"start": 2.0, "end": 6.0, "channel": 0, "labels": ["Включение в обучающий процесс П"]}},
        {"id": "c0", "from_name": "patterns", "to_name": "video", "type": "choices", "origin": "manual",
         "value": {"choices": ["Эмоциональная поддержка П"]}},
        {"id": "v0", "from_name": "box", "to_name": "video", "type": "videorectangle", "origin": "manual",
         "value": {"framesCount": 250, "duration": 10.0, "labels": ["Учитель"], "sequence": [
             {"frame": 1, "time": 0.0, "x": 10, "y": 20, "width": 25, "height": 50, "rotation": 0, "enabled": True},
             {"frame": 250, "time": 9.96, "x": 10, "y": 20, "width": 25, "height": 50, "rotation": 0,
              "enabled": False}]}},
    ]
    # Annotator 1, segment 1: a video timeline interval as the editor makes it: frames 26..75 at 25 fps,
    # 1-based with the end frame included = [1.0 s, 3.0 s) of the clip.
    seg1 = [
        {"id": "t1", "from_name": "video_intervals", "to_name": "video", "type": "timelinelabels", "origin": "manual",
         "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": ["Работа в команде У"]}},
    ]
    # Annotator 1, segment 2 (lesson 20-30 s): an audio interval of the segment's own WAV, in segment seconds.
    seg2 = [
        {"id": "a2", "from_name": "pattern_intervals", "to_name": "audio", "type": "labels", "origin": "manual",
         "original_length": 10.0,
         "value": {"start": 1.0, "end": 3.0, "channel": 0, "labels": ["Разнообразие форм работы П"]}},
    ]
    # Annotator 2, segment 0: another audio interval.
    seg0_b = [
        {"id": "b0", "from_name": "pattern_intervals", "to_name": "audio", "type": "labels", "origin": "manual",
         "original_length": 10.0,
         "value": {"start": 4.5, "end": 8.0, "channel": 0, "labels": ["Эмоциональный отклик У"]}},
    ]
    a0 = server.call("POST", f"/api/tasks/{by_segment[0]}/annotations/", {"result": seg0, "lead_time": 31.5})
    a1 = server.call("POST", f"/api/tasks/{by_segment[1]}/annotations/", {"result": seg1, "lead_time": 12.0})
    server.call("POST", f"/api/tasks/{by_segment[2]}/annotations/", {"result": seg2, "lead_time": 9.0})
    b0 = server.call("POST", f"/api/tasks/{by_segment[0]}/annotations/",
                     {"result": seg0_b, "lead_time": 20.0, "completed_by": second["id"]})

    exports = export_all(server, pid, tmp_path / "export")

    # What the server exports: frame ranges unchanged, annotators by user id.
    full = json.loads(exports["JSON"].read_text(encoding="utf-8"))
    assert len(full) == 3  # only annotated tasks
    ann_by_id = {a["id"]: a for t in full for a in t["annotations"]}
    timeline = [r for r in ann_by_id[a1["id"]]["result"] if r["type"] == "timelinelabels"]
    assert timeline[0]["value"]["ranges"] == [{"start": 26, "end": 75}]
    completed = {a["id"]: a["completed_by"] for a in ann_by_id.values()}
    assert completed[b0["id"]] != completed[a0["id"]]
    minimal = json.loads(exports["JSON_MIN"].read_text(encoding="utf-8"))
    assert any("video_intervals" in rec for rec in minimal) and any("box" in rec for rec in minimal)
    csv_rows = list(csv.DictReader(io.StringIO(exports["CSV"].read_text(encoding="utf-8"))))
    assert len(csv_rows) == 4 and "pattern_intervals" in csv_rows[0]
    # Each task's audio is its segment's WAV (not the whole lesson's).
    assert all(t["data"]["audio"].endswith(f"audio/segment_{t['data']['segment']}.wav") for t in full)

    clips = [prepared / "part_films" / f"segment_{i}.mp4" for i in range(3)]
    admin_id, second_id = completed[a0["id"]], completed[b0["id"]]
    # Given the clips, the items are in clip time; given the lesson, in lesson time (segment 1 starts at 10 s,
    # segment 2 at 20 s).
    by_clip = [
        ("segment_0.mp4", 2.0, 6.0, ("Включение в обучающий процесс П",)),
        ("segment_0.mp4", 4.5, 8.0, ("Эмоциональный отклик У",)),
        ("segment_1.mp4", 1.0, 3.0, ("Работа в команде У",)),
        ("segment_2.mp4", 1.0, 3.0, ("Разнообразие форм работы П",)),
    ]
    by_lesson = [
        ("lesson.mp4", 2.0, 6.0, ("Включение в обучающий процесс П",)),
        ("lesson.mp4", 4.5, 8.0, ("Эмоциональный отклик У",)),
        ("lesson.mp4", 11.0, 13.0, ("Работа в команде У",)),
        ("lesson.mp4", 21.0, 23.0, ("Разнообразие форм работы П",)),
    ]
    builds = [(kind, path, "clips", clips, by_clip) for kind, path in exports.items()]
    builds += [(kind, path, "lesson", [MEDIA / "lesson.mp4"], by_lesson) for kind, path in exports.items()]
    for kind, path, given, videos, expected in builds:
        out = tmp_path / f"ds_{kind.lower()}_{given}"
        args = ["dataset", "build", "--annotations", path, "--out", out, "--quiet"]
        for v in videos:
            args += ["--video", v]
        r = run_vidseg(*args)
        assert r.returncode == 0, f"{kind} {given}: {r.stderr}"
        rows = read_jsonl(out / "metadata.jsonl")
        got = sorted((row["source_video"], row["start"], row["end"], tuple(row["patterns"])) for row in rows)
        assert got == expected, (kind, given)
        where = f"{kind} {given}"
        for row in rows:
            for col in ("file_name", "image_path", "audio_path"):
                assert (out / row[col]).is_file(), (where, row[col])
        teacher = next(row for row in rows if row["start"] == 2.0)
        # Annotators are told apart (the export names them by user id).
        other = next(row for row in rows if row["start"] == 4.5)
        assert teacher["annotator"] != other["annotator"], where
        assert str(admin_id) in teacher["annotator"] and str(second_id) in other["annotator"], where
        # JSON_MIN / CSV flatten a single choice to a bare string under the control's name; the other annotator
        # of the task lacks it, so vidseg reads it as an answer in every format.
        assert teacher["choice_patterns"] == ["Эмоциональная поддержка П"], where
        # The track covers the keyframe (4 s): crop 25 % x 50 % of 640x360 = 160x180.
        assert teacher["crop_path"], (where, teacher)
        assert (out / teacher["crop_path"]).is_file()


# An expert team's own project for whole lessons (issue 17): no fps in the tasks, emoji/role-prefixed audio labels,
# a single-choice control, a video timeline and a tracked box. Frame rate 25 in the config, as the lesson has.
EXPERT_CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="tracked" toName="video"><Label value="Учитель"/></Labels>
  <TimelineLabels name="timeline" toName="video">
    <Label value="😊 У: Эмоциональный отклик"/>
  </TimelineLabels>
  <Audio name="audio" value="$audio"/>
  <Labels name="speech" toName="audio">
    <Label value="🎯 П: Включение в обучающий процесс"/>
    <Label value="💖 П: Эмоциональная поддержка"/>
  </Labels>
  <Choices name="initiator" toName="video" choice="single">
    <Choice value="Teacher"/><Choice value="Student"/>
  </Choices>
</View>"""
INC = "🎯 П: Включение в обучающий процесс"
SUP = "💖 П: Эмоциональная поддержка"
EMO = "😊 У: Эмоциональный отклик"


def editor_track(frames, fps=25.0):
    """A VideoRectangle value exactly as the 1.23 editor serializes it: time = frame / frameRate."""
    return {"framesCount": 750, "duration": 30.0, "labels": ["Учитель"], "sequence": [
        {"frame": f, "time": f / fps, "x": x, "y": 20, "width": 25, "height": 50, "rotation": 0, "enabled": True}
        for f, x in frames]}


def test_expert_project_two_annotators(server, media_root, tmp_path):
    lessons = media_root / "lessons"
    lessons.mkdir(exist_ok=True)
    shutil.copyfile(MEDIA / "lesson.mp4", lessons / "lesson.mp4")
    r = run_vidseg("audio", lessons / "lesson.mp4", "--out", lessons / "lesson.wav")
    assert r.returncode == 0, r.stderr
    project = server.call("POST", "/api/projects/", {"title": "expert lessons", "label_config": EXPERT_CONFIG})
    pid = project["id"]
    server.call("POST", "/api/storages/localfiles/", {"project": pid, "path": str(lessons), "title": "lessons"})
    task = {"data": {"video": "/data/local-files/?d=lessons/lesson.mp4",
                     "audio": "/data/local-files/?d=lessons/lesson.wav", "lesson": "lesson"}}
    server.call("POST", f"/api/projects/{pid}/import", [task])
    listed = server.call("GET", f"/api/tasks/?project={pid}&page_size=100&fields=all")["tasks"]
    tid = listed[0]["id"]
    for key in ("video", "audio"):
        assert server.call("GET", listed[0]["data"][key], raw=True) == (lessons / pathlib.Path(
            listed[0]["data"][key]).name).read_bytes()
    users = server.call("GET", "/api/users/")
    boris = next((u for u in users if u["email"] == SECOND), None) or server.call(
        "POST", "/api/users/", {"email": SECOND, "username": "boris", "first_name": "Boris"})

    both_inc = {"start": 2.0, "end": 6.0, "channel": 0, "labels": [INC]}
    anna = [
        {"id": "a1", "from_name": "speech", "to_name": "audio", "type": "labels", "origin": "manual",
         "original_length": 30.0, "value": both_inc},
        {"id": "a2", "from_name": "speech", "to_name": "audio", "type": "labels", "origin": "manual",
         "original_length": 30.0, "value": {"start": 20.0, "end": 22.0, "channel": 0, "labels": [SUP]}},
        {"id": "t1", "from_name": "timeline", "to_name": "video", "type": "timelinelabels", "origin": "manual",
         "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": [EMO]}},
        {"id": "c1", "from_name": "initiator", "to_name": "video", "type": "choices", "origin": "manual",
         "value": {"choices": ["Teacher"]}},
        {"id": "v1", "from_name": "box", "to_name": "video", "type": "videorectangle", "origin": "manual",
         "value": editor_track([(1, 10), (101, 30)])},
    ]
    boris_result = [
        {"id": "b1", "from_name": "speech", "to_name": "audio", "type": "labels", "origin": "manual",
         "original_length": 30.0, "value": both_inc},
        {"id": "t2", "from_name": "timeline", "to_name": "video", "type": "timelinelabels", "origin": "manual",
         "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": [EMO]}},
        {"id": "c2", "from_name": "initiator", "to_name": "video", "type": "choices", "origin": "manual",
         "value": {"choices": ["Student"]}},
    ]
    server.call("POST", f"/api/tasks/{tid}/annotations/", {"result": anna, "lead_time": 30.0})
    server.call("POST", f"/api/tasks/{tid}/annotations/",
                {"result": boris_result, "lead_time": 20.0, "completed_by": boris["id"]})

    exports = export_all(server, pid, tmp_path / "expert")
    minimal = json.loads(exports["JSON_MIN"].read_text(encoding="utf-8"))
    # What Label Studio does to a single choice in JSON_MIN: a bare string.
    assert sorted(rec["initiator"] for rec in minimal) == ["Student", "Teacher"]
    assert all("fps" not in rec for rec in minimal)

    expected = sorted([(2.0, 6.0, INC, "Teacher"), (2.0, 6.0, INC, "Student"), (20.0, 22.0, SUP, "Teacher"),
                       (1.0, 3.0, EMO, "Teacher"), (1.0, 3.0, EMO, "Student")])
    for kind, path in exports.items():
        out = tmp_path / f"expert_ds_{kind.lower()}"
        r = run_vidseg("dataset", "build", "--video", lessons / "lesson.mp4", "--annotations", path, "--out", out,
                       "--yes")
        assert r.returncode == 0, f"{kind}: {r.stderr}"
        assert "task(s) without fps" in r.stderr and "probed from" in r.stderr, (kind, r.stderr)
        rows = read_jsonl(out / "metadata.jsonl")
        got = sorted((row["start"], row["end"], row["labels"][0], row["choice_initiator"][0]) for row in rows)
        assert got == expected, (kind, got)
        assert all(row["lesson"] == "lesson" for row in rows)
        crop = next(row for row in rows if row["start"] == 2.0 and row["choice_initiator"] == ["Teacher"])
        assert crop["crop_path"] and (out / crop["crop_path"]).is_file(), kind

    # Agreement over the one double-annotated task; names from the server's user list.
    users_file = tmp_path / "users.json"
    users_file.write_text(json.dumps(server.call("GET", "/api/users/")), encoding="utf-8")
    consensus = tmp_path / "consensus.json"
    config_file = tmp_path / "label_config.xml"
    config_file.write_text(EXPERT_CONFIG, encoding="utf-8")
    r = run_vidseg("dataset", "agreement", exports["JSON"], "--json", "--annotators", users_file,
                   "--label-config", config_file, "--consensus", consensus)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["shared_units"] == 1
    by_label = {p["label"]: p for p in report["patterns"]}
    assert by_label[INC]["band"] == "excellent" and by_label[EMO]["band"] == "excellent"
    # Only anna used SUP: a kappa over bins where it is absent for boris, never a perfect score.
    assert by_label[SUP]["kappa"] is None or by_label[SUP]["kappa"] < 0.8, by_label[SUP]
    assert any("Boris" in a for a in report["annotators"]), report["annotators"]

    # The consensus imports back into the same project and survives its JSON_MIN export (which keeps only
    # results of the project's controls, with their own types and labels).
    doc = json.loads(consensus.read_text(encoding="utf-8"))  # imported as written
    imported = server.call("POST", f"/api/projects/{pid}/import", doc)
    assert imported["task_count"] == 1 and imported["annotation_count"] == 1, imported
    again = json.loads(server.call("GET", f"/api/projects/{pid}/export?exportType=JSON_MIN", raw=True))
    merged = [rec for rec in again if rec["id"] != tid]
    assert len(merged) == 1
    assert [r["labels"] for r in merged[0]["speech"]] == [[INC]]
    assert merged[0]["timeline"][0]["ranges"] == [{"start": 26, "end": 75}]
    assert merged[0]["timeline"][0]["timelinelabels"] == [EMO]
