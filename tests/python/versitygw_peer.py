"""versitygw (Apache-2.0), the real S3 server of the storage tests, on loopback: built once into a cache outside the
clone by tests/peers/versitygw.sh (or VIDSEG_VERSITYGW), serving a posix folder, stoppable and restartable.
Shared by test_server_s3.py and test_publish.py."""
import os
import signal
import socket
import subprocess
import time

SOURCE = os.environ.get("VIDSEG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
ACCESS, SECRET, BUCKET = "vidsegtest", "vidseg-secret-key-for-tests", "ppi-media"


def versitygw_binary():
    if os.environ.get("VIDSEG_VERSITYGW"):
        return os.environ["VIDSEG_VERSITYGW"]
    out = subprocess.run(["bash", os.path.join(SOURCE, "tests", "peers", "versitygw.sh")], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VersityGw:
    """versitygw serving a posix folder on a fixed loopback port; stoppable and restartable."""

    def __init__(self, folder, extra_args=()):
        self.folder, self.port, self.extra_args = folder, free_port(), list(extra_args)
        self.url = f"http://127.0.0.1:{self.port}"
        os.makedirs(os.path.join(folder, "data"), exist_ok=True)
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [versitygw_binary(), "--quiet", "--access", ACCESS, "--secret", SECRET, "--port", f"127.0.0.1:{self.port}",
             *self.extra_args, "posix", os.path.join(self.folder, "data")],
            stdout=open(os.path.join(self.folder, "versitygw.log"), "ab"), stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("versitygw did not start: " + open(os.path.join(self.folder, "versitygw.log")).read())

    def stop(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def create_bucket(self, name):
        empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # S3 servers require it
        r = subprocess.run(["curl", "-sS", "-f", "-X", "PUT", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                            f"{ACCESS}:{SECRET}", "-H", f"x-amz-content-sha256: {empty_sha256}",
                            f"{self.url}/{name}"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
