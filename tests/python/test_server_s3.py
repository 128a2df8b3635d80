"""`vidseg serve --storage s3://...` end to end against a real S3 server on loopback (versitygw, built once
into a cache outside the clone by tests/peers/versitygw.sh): a tus upload, its arrival job and a prepare
job with every object in the bucket; the results as presigned URLs and as one zip; then the S3 server
stopped mid-job (the job ends in `error` naming the endpoint) and started again (`retry` finishes it).

Environment: VIDSEG_BINARY, VIDSEG_TEST_MEDIA_DIR, VIDSEG_VERSITYGW (else tests/peers/versitygw.sh).
"""
import io
import os
import time
import zipfile

import pytest
import requests

from versitygw_peer import ACCESS, BUCKET, SECRET, VersityGw
from test_server_api import MEDIA, SOURCE, VIDEO, Server, api, error_of, login, make_long_video, tus_upload, \
    video_named, wait_job

@pytest.fixture
def s3(tmp_path):
    gw = VersityGw(str(tmp_path / "s3"))
    gw.create_bucket(BUCKET)
    yield gw
    if gw.proc.poll() is None:
        gw.stop()


def test_s3_upload_jobs_and_store_outage(tmp_path, s3):
    os.environ.update({"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET})
    try:
        server = Server(str(tmp_path / "data"), "--storage", f"s3://{BUCKET}/vidseg", "--s3-endpoint", s3.url)
    finally:
        del os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    try:
        admin = login(server, "admin", server.password).json()["token"]
        tus_upload(server, admin, VIDEO, "lesson.mp4")
        video = video_named(server, admin, "lesson.mp4")[0]
        arrival = [j for j in api(server, "GET", "/api/jobs", token=admin, expect=200).json()["jobs"]
                   if j["kind"] == "arrival"][0]
        assert wait_job(server, admin, arrival["id"])[0]["state"] == "finished"
        # The video, its audio and poster are objects in the bucket (versitygw's posix folder shows them).
        bucket_dir = os.path.join(s3.folder, "data", BUCKET, "vidseg")
        stem = video["key"][:-4]
        for suffix in (".mp4", ".wav", ".poster.jpg"):
            assert os.path.isfile(os.path.join(bucket_dir, stem + suffix)), suffix
        assert not os.path.exists(os.path.join(server.data, "store"))  # nothing stored locally

        job = api(server, "POST", "/api/jobs", token=admin, expect=201,
                  json={"kind": "prepare", "video_ids": [video["id"]], "options": {"segment": 4}}).json()
        assert wait_job(server, admin, job["id"])[0]["state"] == "finished"
        files = {f["name"]: f for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{job['id']}/files",
                                           token=admin, expect=200).json()["files"]}
        tasks_url = files["tasks.json"]["url"]
        assert tasks_url.startswith(s3.url + f"/{BUCKET}/vidseg/admin/jobs/{job['id']}/") and "X-Amz-Signature" in tasks_url
        assert len(requests.get(tasks_url).json()) == 3  # a presigned URL needs no other credentials
        archive = zipfile.ZipFile(io.BytesIO(api(server, "GET", "/api/jobs/{id}/files.zip",
                                                 path=f"/api/jobs/{job['id']}/files.zip", token=admin,
                                                 expect=200).content))
        assert archive.testzip() is None and sorted(archive.namelist()) == sorted(files)
        assert archive.read("tasks.json") == requests.get(tasks_url).content

        # The S3 server stops while a job runs: the job ends in error, naming the endpoint.
        tus_upload(server, admin, make_long_video(str(tmp_path)), "long.mp4")
        long_video = video_named(server, admin, "long.mp4")[0]
        for j in api(server, "GET", "/api/jobs", token=admin, expect=200).json()["jobs"]:
            wait_job(server, admin, j["id"])  # the arrival of long.mp4
        slow = api(server, "POST", "/api/jobs", token=admin, expect=201,
                   json={"kind": "prepare", "video_ids": [long_video["id"]],
                         "options": {"segment": 10, "mode": "exact", "preset": "fast"}}).json()
        wait_job(server, admin, slow["id"], states=("running",))
        deadline = time.time() + 60
        while time.time() < deadline:
            j = api(server, "GET", "/api/jobs/{id}", path=f"/api/jobs/{slow['id']}", token=admin, expect=200).json()
            if j["stage"] != "prepare" or j["state"] != "running":
                break
            time.sleep(0.1)
        assert j["state"] == "running" and j["stage"] == "segments", j  # fetched, now cutting
        s3.stop()
        failed, _ = wait_job(server, admin, slow["id"], timeout=300)
        assert failed["state"] == "error", failed
        assert f"S3 server {s3.url}" in failed["error"] and "not reachable" in failed["error"], failed["error"]
        s3.start()
        r = api(server, "POST", "/api/jobs/{id}/retry", path=f"/api/jobs/{slow['id']}/retry", token=admin, expect=200)
        assert r.json()["state"] in ("queued", "running")
        done, _ = wait_job(server, admin, slow["id"], timeout=300)
        assert done["state"] == "finished" and done["attempts"] == 2, done
        names = {f["name"] for f in api(server, "GET", "/api/jobs/{id}/files", path=f"/api/jobs/{slow['id']}/files",
                                        token=admin, expect=200).json()["files"]}
        assert {f"part_films/segment_{i}.mp4" for i in range(15)} <= names and "part_films/segment_15.mp4" not in names
    finally:
        server.stop()
