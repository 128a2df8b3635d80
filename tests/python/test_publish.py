"""`vidseg dataset publish` end to end: a folder, a real S3 server (versitygw) and a test double of the
Hugging Face Hub (hub_test_double.py: the real `huggingface_hub` client in vidseg's hub worker talks to it
through HF_ENDPOINT), then the published copies read back with the real `datasets` library.

Environment (ctest sets it): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR; the hub worker's
Python is build/pyenv-hub (tests/python/requirements-hub.txt) unless VIDSEG_HUB_PYTHON says otherwise.
"""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from published_copies import BINARY, EXPORT, HF_CACHE, MEDIA, load_dataset, load_published
from hub_test_double import HubTestDouble
from versitygw_peer import ACCESS, BUCKET, SECRET, VersityGw

TOKEN = "hf_vidsegTestToken0123456789abcdefSECRET"


def vidseg(*args, cwd=None, env=None, expect=0):
    full_env = dict(os.environ)
    for name in ("HF_TOKEN", "HF_USERNAME", "DATASET_NAME", "LOCAL_DATASET_PATH"):
        full_env.pop(name, None)
    full_env.update(env or {})
    r = subprocess.run([BINARY, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=600)
    assert r.returncode == expect, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def publish_json(*args, **kwargs):
    r = vidseg("dataset", "publish", *args, "--json", **kwargs)
    return json.loads(r.stdout), r


def tree(folder):
    """{relative path: sha256} of the files under folder, hidden ones left out."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def check_loads(folder, cache):
    """The published copy is a dataset: the card's configs and the metadata load with `datasets`."""
    load_published(folder, cache)
    rows = load_dataset("json", data_files=str(Path(folder) / "metadata.jsonl"), cache_dir=str(cache))["train"]
    assert sorted(r["start"] for r in rows) == [2.0, 4.0, 10.0, 20.0]


@pytest.fixture(scope="module")
def dataset():
    work = Path(tempfile.mkdtemp(prefix="vidseg-publish-"))
    out = work / "huggingface_dataset"
    vidseg("dataset", "build", "--video", str(MEDIA / "lesson.mp4"), "--annotations",
           str(EXPORT), "--out", str(out))
    assert (out / "README.md").is_file()
    yield out
    shutil.rmtree(work, ignore_errors=True)


def test_folder_target_incremental_and_dedupe(dataset, tmp_path):
    target = tmp_path / "published"
    files = tree(dataset)

    # Dry run: the plan, nothing written.
    plan, r = publish_json(str(dataset), "--to", str(target), "--dry-run")
    assert plan["dry_run"] and plan["sent"] == 0 and not target.exists()
    assert sorted(f["path"] for f in plan["to_send"]) == sorted(p for p in files if p != "build_manifest.json")

    report, _ = publish_json(str(dataset), "--to", str(target))
    published = tree(target)
    expected = {p: h for p, h in files.items() if p != "build_manifest.json"}
    assert published == expected and report["sent"] == len(expected) and report["copied"] == 0
    manifest = json.loads((target / ".vidseg-publish.json").read_text())
    assert {p: f["sha256"] for p, f in manifest["files"].items()} == expected
    assert all(f["published_at"].endswith("Z") for f in manifest["files"].values())
    assert manifest["history"][0]["source"] == str(dataset) and manifest["history"][0]["sent"] == len(expected)
    check_loads(target, tmp_path / "cache1")

    # Re-publish: nothing changed, nothing sent.
    again, r = publish_json(str(dataset), "--to", str(target))
    assert again["sent"] == 0 and again["to_send"] == [] and again["unchanged"] == len(expected)
    assert again["same_content_as"]["source"] == str(dataset)
    text = vidseg("dataset", "publish", str(dataset), "--to", str(target)).stdout
    assert text.startswith(f"Nothing to publish: {target} already holds every file of {dataset}")

    # One file changes: only it is sent.
    changed = tmp_path / "changed"
    shutil.copytree(dataset, changed)
    with open(changed / "README.md", "a") as f:
        f.write("\nReviewed again.\n")
    report, _ = publish_json(str(changed), "--to", str(target))
    assert [f["path"] for f in report["to_send"]] == ["README.md"] and report["sent"] == 1
    assert (target / "README.md").read_bytes() == (changed / "README.md").read_bytes()

    # A second dataset with the same fragments under another name and folder: copied at the target, not sent.
    second, _ = publish_json(str(changed), "--to", str(target), "--prefix", "lesson_copy")
    assert second["sent"] == 0 and second["copied"] == len(expected)
    assert tree(target / "lesson_copy") == {p: h for p, h in tree(changed).items() if p != "build_manifest.json"}

    # A file deleted at the target behind the manifest's back is noticed (the target is listed) and put back,
    # here from its identical twin under lesson_copy/ (nothing sent).
    (target / "metadata.jsonl").unlink()
    report, _ = publish_json(str(changed), "--to", str(target))
    assert report["to_send"] == [] and [(c["path"], c["from"]) for c in report["to_copy"]] == [
        ("metadata.jsonl", "lesson_copy/metadata.jsonl")]
    assert (target / "metadata.jsonl").read_bytes() == (changed / "metadata.jsonl").read_bytes()
    check_loads(target, tmp_path / "cache2")


def test_folder_target_without_card_gets_one(tmp_path):
    src = tmp_path / "foto"
    (src / "images").mkdir(parents=True)
    (src / "images" / "a.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    (src / "metadata.jsonl").write_text('{"file_name": "images/a.jpg", "patterns": ["x"]}\n')
    report, _ = publish_json(str(src), "--to", str(tmp_path / "out"))
    assert report["card_generated"] and (tmp_path / "out" / "README.md").read_text().startswith("---\npretty_name:")


def test_bad_targets_and_inputs(dataset, tmp_path):
    r = vidseg("dataset", "publish", str(dataset), "--to", "hf://only-a-name", expect=2)
    assert "hf://USER/NAME" in r.stderr
    r = vidseg("dataset", "publish", str(tmp_path / "missing"), "--to", str(tmp_path / "x"), expect=3)
    assert "dataset folder not found" in r.stderr
    r = vidseg("dataset", "publish", cwd=tmp_path, expect=2)  # no .env, no variables, no arguments
    assert "no publish target" in r.stderr


def test_s3_target_with_versitygw(dataset, tmp_path):
    gw = VersityGw(str(tmp_path / "s3"))
    try:
        gw.create_bucket(BUCKET)
        env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET}
        target = f"s3://{BUCKET}/datasets/ppi"
        report, _ = publish_json(str(dataset), "--to", target, "--s3-endpoint", gw.url, env=env)
        copy = Path(gw.folder) / "data" / BUCKET / "datasets" / "ppi"  # versitygw's posix folder = the bucket
        expected = {p: h for p, h in tree(dataset).items() if p != "build_manifest.json"}
        assert tree(copy) == expected and report["sent"] == len(expected)
        manifest = json.loads((copy / ".vidseg-publish.json").read_text())
        assert set(manifest["files"]) == set(expected)
        check_loads(copy, tmp_path / "cache")

        again, _ = publish_json(str(dataset), "--to", target, "--s3-endpoint", gw.url, env=env)
        assert again["sent"] == 0 and again["unchanged"] == len(expected)
        # An object deleted in the bucket is noticed through the listing and sent again.
        (copy / "metadata_audio.jsonl").unlink()
        report, _ = publish_json(str(dataset), "--to", target, "--s3-endpoint", gw.url, env=env)
        assert [f["path"] for f in report["to_send"]] == ["metadata_audio.jsonl"]
        # Wrong keys: a clear error, exit 6 or 5, no secret in it.
        r = subprocess.run([BINARY, "dataset", "publish", str(dataset), "--to", target, "--s3-endpoint", gw.url],
                           capture_output=True, text=True,
                           env={**os.environ, "AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": "wrong-secret"})
        assert r.returncode != 0 and "wrong-secret" not in r.stdout + r.stderr
    finally:
        gw.stop()


@pytest.fixture
def hub(tmp_path):
    double = HubTestDouble(TOKEN, str(tmp_path / "hub-files"))
    yield double
    double.stop()


def hub_env(hub):
    return {"HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_HOME": str(Path(HF_CACHE) / "hf-home")}


def test_hub_target_through_huggingface_hub(dataset, tmp_path, hub):
    # The users' .env, read from the working directory as their upload_to_hf.py does.
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text(f'HF_USERNAME=anna\nHF_TOKEN="{TOKEN}"\nDATASET_NAME=ppi-lessons\n'
                               f"LOCAL_DATASET_PATH={dataset}\n")
    expected = {p: h for p, h in tree(dataset).items() if p != "build_manifest.json"}
    binary_files = [p for p in expected if p.endswith((".mp4", ".wav", ".jpg"))]

    r = vidseg("dataset", "publish", "--dry-run", cwd=work, env=hub_env(hub))
    assert r.stdout.startswith(f"Dry run for hf://anna/ppi-lessons: would send {len(expected)} (")
    assert "anna/ppi-lessons" not in hub.repos  # a dry run creates nothing

    r = vidseg("dataset", "publish", "--private", cwd=work, env=hub_env(hub))
    assert r.stdout.startswith(f"Published {dataset} to hf://anna/ppi-lessons: {len(expected)} sent (")
    repo = hub.repos["anna/ppi-lessons"]
    assert repo["private"] is True
    published = {p: hashlib.sha256(d).hexdigest() for p, d in repo["files"].items() if not p.startswith(".")}
    assert published == expected
    assert repo["files"]["README.md"].startswith(b"---\n")  # the dataset card, with its YAML header
    manifest = json.loads(repo["files"][".vidseg-publish.json"])
    assert {p: f["sha256"] for p, f in manifest["files"].items()} == expected
    assert set(hub.lfs_uploads) == {expected[p] for p in binary_files}  # media through LFS
    assert len(repo["commits"]) == 1
    check_loads(Path(hub.files_dir) / "anna" / "ppi-lessons", tmp_path / "cache")
    assert TOKEN not in r.stdout + r.stderr

    # Re-publish: nothing sent, no commit.
    before = len(hub.requests)
    r = vidseg("dataset", "publish", cwd=work, env=hub_env(hub))
    assert r.stdout.startswith("Nothing to publish: hf://anna/ppi-lessons already holds every file")
    assert len(repo["commits"]) == 1 and not any(m == "PUT" or "/commit/" in p for m, p in hub.requests[before:])
    assert TOKEN not in r.stdout + r.stderr

    # A copy of one clip under another name: committed, but its bytes are not sent again (LFS dedupe).
    changed = tmp_path / "changed"
    shutil.copytree(dataset, changed)
    clip = sorted((changed / "videos").iterdir())[0]
    shutil.copyfile(clip, changed / "videos" / "again.mp4")
    uploads = len(hub.lfs_uploads)
    report, r = publish_json(str(changed), "--to", "hf://anna/ppi-lessons", cwd=work, env=hub_env(hub))
    assert report["copied"] == 1 and report["sent"] == 0 and len(hub.lfs_uploads) == uploads
    assert repo["files"]["videos/again.mp4"] == clip.read_bytes() and len(repo["commits"]) == 2
    assert TOKEN not in r.stdout + r.stderr


def test_hub_token_errors_never_show_the_token(dataset, tmp_path, hub):
    bad = "hf_wrongTokenValue987654321zyxw"
    (tmp_path / "token").write_text(bad + "\n")
    r = vidseg("dataset", "publish", str(dataset), "--to", "hf://anna/other", "--token-file", str(tmp_path / "token"),
               env=hub_env(hub), expect=2)
    assert "the Hub refused the token" in r.stderr and bad not in r.stdout + r.stderr
    # The token from the environment, and a --json error: still not shown.
    r = vidseg("dataset", "publish", str(dataset), "--to", "hf://anna/other", "--json",
               env={**hub_env(hub), "HF_TOKEN": bad}, expect=2)
    assert bad not in r.stdout + r.stderr and json.loads(r.stdout)["error"]["code"]
    r = vidseg("dataset", "publish", str(dataset), "--to", "hf://anna/other", env=hub_env(hub), expect=2)
    assert "no Hub token" in r.stderr


def test_agent_records_its_origin_at_the_hub_when_nothing_is_sent(tmp_path, hub):
    """`vidseg agent watch --publish hf://...`: a lesson whose export changed only in its formatting is another
    origin with the same dataset; its publication sends nothing but is still committed to the manifest (the
    manifest alone), so that a second agent (or one whose state was lost) skips it instead of building it again.
    The lesson is built with `--keyframe best`: its card explains keyframe_candidates.jsonl and still loads."""
    source = tmp_path / "incoming" / "anna" / "task_1"
    source.mkdir(parents=True)
    shutil.copyfile(MEDIA / "lesson.mp4", source / "lesson.mp4")
    shutil.copyfile(EXPORT, source / "export.json")
    env = {**hub_env(hub), "HF_TOKEN": TOKEN}

    def agent(work, expect=0):
        r = vidseg("agent", "watch", "--source", str(tmp_path / "incoming"), "--publish", "hf://anna/lessons",
                   "--once", "--settle", "0.3s", "--state", str(work / "state.json"), "--work", str(work / "build"),
                   env=env, expect=expect)
        assert TOKEN not in r.stdout + r.stderr
        return r.stdout

    out = agent(tmp_path / "a1")
    assert "published anna/task_1/lesson to hf://anna/lessons/anna/task_1/lesson (" in out, out
    repo = hub.repos["anna/lessons"]
    commits = len(repo["commits"])
    card = repo["files"]["anna/task_1/lesson/README.md"].decode()
    assert "anna/task_1/lesson/keyframe_candidates.jsonl" in repo["files"]
    assert "`keyframe_candidates.jsonl` holds every candidate frame" in card
    assert "`vidseg keyframes learn --reviews <folder> --out keyframes.model`" in card
    assert "keyframe_score" in load_published(Path(hub.files_dir) / "anna" / "lessons" / "anna" / "task_1" / "lesson",
                                              tmp_path / "cache").column_names

    # The same export re-formatted: another origin digest, the same dataset.
    (source / "export.json").write_text(json.dumps(json.loads(EXPORT.read_text()), indent=1, ensure_ascii=False))
    out = agent(tmp_path / "a1")
    assert "published anna/task_1/lesson to hf://anna/lessons/anna/task_1/lesson (0 file(s) sent, 0 copied, " in out, out
    assert len(repo["commits"]) == commits + 1  # the manifest alone
    history = json.loads(repo["files"][".vidseg-publish.json"])["history"]
    assert len(history) == 2 and history[1]["sent"] == 0 and history[1]["prefix"] == "anna/task_1/lesson"
    assert history[0]["origin_digest"] and history[1]["origin_digest"] not in ("", history[0]["origin_digest"])
    assert history[1]["content_digest"] == history[0]["content_digest"]

    # A second agent, its own state: the Hub's manifest names the lesson, nothing is built or committed.
    out = agent(tmp_path / "a2")
    assert "skipped anna/task_1/lesson: the target's manifest lists it as published under anna/task_1/lesson" in out, out
    assert len(repo["commits"]) == commits + 1
