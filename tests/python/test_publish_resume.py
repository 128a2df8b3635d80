"""`vidseg dataset publish` interrupted by kill -9 and run again, to a folder and to a real S3 server (versitygw):
only the files the target lacks are sent (those the interrupted run had sent after its last manifest update are
recognised by size and SHA-256 and recorded, not sent again), the manifest ends consistent, `datasets.load_dataset`
reads the result. And copies at the target: content it already holds under another name is copied there (S3:
CopyObject, seen in versitygw's access log, no GetObject; a folder: a hard link), not sent again.

Environment (ctest sets it): VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_SOURCE_DIR.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from published_copies import BINARY, load_dataset
from versitygw_peer import ACCESS, BUCKET, SECRET, VersityGw

S3_ENV = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET}
FILES = 1200  # shards; the manifest is saved every 100 files
CARD = "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/*.jsonl\n---\n# shards\n"


def shard_dataset(folder, n=FILES, tag=""):
    (folder / "data").mkdir(parents=True)
    (folder / "README.md").write_text(CARD)
    for i in range(n):
        (folder / "data" / f"train-{i:05d}.jsonl").write_text(json.dumps({"id": i, "text": f"{tag}{i} " * 40}) + "\n")
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def publish(*args, env=None, expect=0):
    r = subprocess.run([BINARY, "dataset", "publish", *args, "--json"], capture_output=True, text=True, timeout=900,
                       env={**os.environ, **(env or {})})
    assert r.returncode == expect, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return json.loads(r.stdout)


def good_files(copy, expected):
    """The dataset files at the target with their full, right content (what a resumed run may keep)."""
    return {p for p, h in expected.items()
            if (copy / p).is_file() and hashlib.sha256((copy / p).read_bytes()).hexdigest() == h}


def interrupt(args, copy, env=None):
    """Starts a publication, kill -9 once 150 to 1199 shards arrived (SIGSTOP first: nothing moves while we look)."""
    proc = subprocess.Popen([BINARY, "dataset", "publish", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    deadline = time.time() + 600
    while time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        if (copy / "data").is_dir() and len(os.listdir(copy / "data")) >= 150:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGSTOP)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    manifest = json.loads((copy / ".vidseg-publish.json").read_text())
    assert manifest["history"] == []  # interrupted: no publication recorded
    return manifest


def check_resumed(report, copy, expected, recorded_before, present_before):
    assert 150 <= len(present_before) < len(expected)
    assert len(recorded_before) % 100 == 0 and len(recorded_before) <= len(present_before)
    # Only what was missing is sent; what had arrived is recorded (after a check of its hash), not sent again.
    assert report["sent"] == len(expected) - len(present_before)
    assert sorted(f["path"] for f in report["to_send"]) == sorted(set(expected) - present_before)
    assert report["adopted"] == len(present_before) - len(recorded_before)
    assert report["unchanged"] == len(present_before) and report["copied"] == 0
    manifest = json.loads((copy / ".vidseg-publish.json").read_text())
    assert {p: f["sha256"] for p, f in manifest["files"].items()} == expected
    assert len(manifest["history"]) == 1 and manifest["history"][0]["files"] == len(expected)
    assert good_files(copy, expected) == set(expected)


def check_loads(copy, cache):
    rows = load_dataset(str(copy), cache_dir=str(cache))["train"]
    assert rows.num_rows == FILES and sorted(rows["id"]) == list(range(FILES))


def test_folder_target_resumes_after_kill(tmp_path):
    expected = shard_dataset(tmp_path / "ds")
    copy = tmp_path / "published"
    manifest = interrupt([str(tmp_path / "ds"), "--to", str(copy)], copy)
    present = good_files(copy, expected)
    report = publish(str(tmp_path / "ds"), "--to", str(copy))
    check_resumed(report, copy, expected, set(manifest["files"]), present)
    check_loads(copy, tmp_path / "cache")
    again = publish(str(tmp_path / "ds"), "--to", str(copy))
    assert again["sent"] == 0 and again["adopted"] == 0 and again["unchanged"] == len(expected)


def test_s3_target_resumes_after_kill(tmp_path):
    gw = VersityGw(str(tmp_path / "s3"))
    try:
        gw.create_bucket(BUCKET)
        expected = shard_dataset(tmp_path / "ds")
        copy = Path(gw.folder) / "data" / BUCKET / "ppi"  # versitygw's posix folder = the bucket
        args = [str(tmp_path / "ds"), "--to", f"s3://{BUCKET}/ppi", "--s3-endpoint", gw.url]
        manifest = interrupt(args, copy, env=S3_ENV)
        present = good_files(copy, expected)
        report = publish(*args, env=S3_ENV)
        check_resumed(report, copy, expected, set(manifest["files"]), present)
        check_loads(copy, tmp_path / "cache")
    finally:
        gw.stop()


def test_s3_copies_are_server_side(tmp_path):
    log = tmp_path / "access.log"
    gw = VersityGw(str(tmp_path / "s3"), ["--access-log", str(log)])
    try:
        gw.create_bucket(BUCKET)
        expected = shard_dataset(tmp_path / "a", n=20)
        target = f"s3://{BUCKET}/pub"
        first = publish(str(tmp_path / "a"), "--to", target, "--s3-endpoint", gw.url, env=S3_ENV)
        assert first["sent"] == 21
        # The same files under another prefix: all copied at the server.
        before = log.read_text().count("\n")
        second = publish(str(tmp_path / "a"), "--to", target, "--prefix", "mirror", "--s3-endpoint", gw.url, env=S3_ENV)
        assert second["sent"] == 0 and second["copied"] == 21 and second["bytes_sent"] == 0
        lines = log.read_text().splitlines()[before:]
        copies = sorted(l.split()[8] for l in lines if " s3_CopyObject " in l)
        assert copies == sorted(f"pub/mirror/{p}" for p in expected), "\n".join(lines)
        reads = [l for l in lines if re.search(r" s3_(GetObject|PutObject|UploadPart) pub/(data|README|mirror)", l)]
        assert reads == []  # no byte of the data went through vidseg
        mirror = Path(gw.folder) / "data" / BUCKET / "pub" / "mirror"
        assert good_files(mirror, expected) == set(expected)
        # The copies carry their SHA-256 (x-amz-meta-sha256), as sent files do: a later resume trusts them.
        empty_sha256 = hashlib.sha256(b"").hexdigest()  # S3 servers require the payload hash
        r = subprocess.run(["curl", "-sS", "-f", "-I", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                            f"{ACCESS}:{SECRET}", "-H", f"x-amz-content-sha256: {empty_sha256}",
                            f"{gw.url}/{BUCKET}/pub/mirror/README.md"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert f"x-amz-meta-sha256: {expected['README.md']}" in r.stdout.lower()
    finally:
        gw.stop()


def test_folder_copies_are_hard_links(tmp_path):
    expected = shard_dataset(tmp_path / "a", n=5)
    copy = tmp_path / "published"
    publish(str(tmp_path / "a"), "--to", str(copy))
    report = publish(str(tmp_path / "a"), "--to", str(copy), "--prefix", "again")
    assert report["copied"] == 6 and report["sent"] == 0
    for path in expected:
        assert os.stat(copy / "again" / path).st_ino == os.stat(copy / path).st_ino
    assert not list(copy.rglob("*.vidseg-meta.json"))  # no sidecar files in a published folder


def temp_files(folder):
    """Temp files of the local store's writes ("<name>.vidseg-tmp-XXXXXX") anywhere under folder."""
    return sorted(p for p in Path(folder).rglob("*") if re.search(r"\.vidseg-tmp-[A-Za-z0-9]+$", p.name))


def test_folder_target_killed_mid_write_leaves_no_temp_files(tmp_path):
    """kill -9 while a large file is being written into a folder target leaves its temp file; the next
    publication (the crash-recovery step at its start, holding the folder's lock) removes it, completes the
    copy, and the target ends with exactly the dataset's files."""
    ds = tmp_path / "ds"
    (ds / "data").mkdir(parents=True)
    (ds / "README.md").write_text(CARD)
    block = hashlib.sha256(b"vidseg").digest() * 2048  # 64 KiB, not all zeros (no sparse shortcuts)
    for i in range(4):
        with open(ds / "data" / f"blob-{i}.bin", "wb") as f:
            for _ in range(48 * 16):  # 48 MiB
                f.write(block)
    for i in range(3):
        (ds / "data" / f"train-{i}.jsonl").write_text(json.dumps({"id": i, "text": "x"}) + "\n")
    expected = {p.relative_to(ds).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in ds.rglob("*") if p.is_file()}
    copy = tmp_path / "published"
    proc = subprocess.Popen([BINARY, "dataset", "publish", str(ds), "--to", str(copy)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.time() + 600
    # A large file's temp file (not README.md's, which may be renamed before the process stops).
    while time.time() < deadline and not [p for p in temp_files(copy) if p.name.startswith("blob-")]:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.002)
    proc.send_signal(signal.SIGSTOP)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    left = temp_files(copy)
    assert left, "the kill did not land inside a write"

    r = subprocess.run([BINARY, "dataset", "publish", str(ds), "--to", str(copy)], capture_output=True, text=True,
                       timeout=900, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0, r.stderr
    n = len(left)
    assert f"  removed {n} temp file{'s' if n > 1 else ''} an interrupted publication left at the target\n" in r.stdout
    assert temp_files(copy) == []
    published = {p.relative_to(copy).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in copy.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert published == expected
    again = publish(str(ds), "--to", str(copy))
    assert again["sent"] == 0 and again["stale_temp_files_removed"] == 0 and again["unchanged"] == len(expected)


def test_folder_target_takes_one_publication_at_a_time(tmp_path):
    """While one publication holds a folder target (its lock), another one is refused with a clear error, and
    its crash-recovery step never touches the first one's temp files."""
    import fcntl
    expected = shard_dataset(tmp_path / "ds", n=3)
    copy = tmp_path / "published"
    copy.mkdir()
    busy = copy / "data" / "train-00000.jsonl.vidseg-tmp-AbC123"
    busy.parent.mkdir()
    busy.write_text("a write in progress")
    fd = os.open(copy, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = subprocess.run([BINARY, "dataset", "publish", str(tmp_path / "ds"), "--to", str(copy)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 6 and "another publication into this folder is running" in r.stderr, r.stderr
        assert busy.exists()
    finally:
        os.close(fd)
    report = publish(str(tmp_path / "ds"), "--to", str(copy))
    assert report["stale_temp_files_removed"] == 1 and not busy.exists() and report["sent"] == len(expected)
