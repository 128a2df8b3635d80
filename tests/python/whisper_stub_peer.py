"""A TEST STUB PEER standing in for an OpenAI-compatible Whisper server (`POST /v1/audio/transcriptions`):
it reads the multipart request, waits `delay` seconds (a slow model), and answers a fixed verbose_json
transcript. No model runs; what the tests check is the client's side: how many requests arrived
(`count`), when (`arrivals`), and whether the client hung up while the stub was still "transcribing"
(`hung_up`: the connection closed before the answer could be written).

Used by test_platform_postgres.py (a dataset build resumed on another machine transcribes only what the
checkpoint lacked) and test_server_platform_more.py (a cancelled job stops its in-flight request).
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = {"language": "english", "duration": 4.0, "text": " Stub transcript.",
          "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": " Stub transcript.",
                        "words": [{"start": 0.0, "end": 0.7, "word": " Stub"},
                                  {"start": 0.8, "end": 1.5, "word": " transcript."}]}]}


class WhisperStubPeer:
    def __init__(self, delay):
        self.delay = delay
        self.count = 0
        self.arrivals = []
        self.hung_up = 0
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while (size := int(self.rfile.readline().strip() or b"0", 16)) > 0:
                        self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                else:
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with peer.lock:
                    peer.count += 1
                    peer.arrivals.append(time.time())
                # "Transcribing": wake every 0.1 s to notice a client that has gone away.
                deadline = time.time() + peer.delay
                while time.time() < deadline:
                    time.sleep(0.1)
                    if self.client_gone():
                        with peer.lock:
                            peer.hung_up += 1
                        return
                answer = json.dumps(ANSWER).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def client_gone(self):
                import select
                import socket
                readable, _, _ = select.select([self.connection], [], [], 0)
                if not readable:
                    return False
                try:
                    return self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
