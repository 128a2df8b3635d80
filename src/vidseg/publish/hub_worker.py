"""vidseg's Hugging Face Hub worker: publishes dataset folders through `huggingface_hub`.

Started once per `vidseg dataset publish` / `vidseg agent watch` run by hub_worker_client.cpp; speaks
JSON lines on stdin/stdout (one request, one answer, matched by "id"):
  -> {"id": 1, "cmd": "open", "repo_id": "anna/ppi", "create": true, "private": false}
  <- {"id": 1, "exists": true, "url": "...", "manifest": "<text of .vidseg-publish.json>" | null}
  -> {"id": 2, "cmd": "commit", "repo_id": "anna/ppi", "message": "...", "manifest": "<text>",
      "operations": [{"path": "videos/a.mp4", "file": "/abs/a.mp4"}, {"path": "old.jpg"}]}   (no file = delete)
  <- {"id": 2, "commit": "<oid>", "url": "..."}
  -> {"cmd": "quit"}
Errors: {"id": N, "error": "...", "kind": "auth" | "not_found" | "hub"}. The token comes from the
environment (HF_TOKEN) and is never written anywhere; HF_ENDPOINT selects another Hub (a mirror, the
tests' test double). Commits go through HfApi.create_commit: preupload, LFS / Xet transfers of large
files (content the Hub already holds is not sent again), the commit call.
"""
import json
import os
import sys
import tempfile


def emit(doc):
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def kind_of(error):
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError
    if isinstance(error, (RepositoryNotFoundError, GatedRepoError)):
        return "not_found"
    if isinstance(error, HfHubHTTPError):
        status = getattr(getattr(error, "response", None), "status_code", None)
        if status in (401, 403):
            return "auth"
    return "hub"


def open_repo(api, request):
    from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError
    repo_id = request["repo_id"]
    url = f"{api.endpoint}/datasets/{repo_id}"
    if request.get("create"):
        api.create_repo(repo_id, repo_type="dataset", private=bool(request.get("private")), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vidseg-hub-") as cache:
        try:
            path = api.hf_hub_download(repo_id, ".vidseg-publish.json", repo_type="dataset", cache_dir=cache)
            with open(path, encoding="utf-8") as f:
                return {"exists": True, "url": url, "manifest": f.read()}
        except EntryNotFoundError:
            return {"exists": True, "url": url, "manifest": None}
        except RepositoryNotFoundError:
            if request.get("create"):
                raise
            return {"exists": False, "url": url, "manifest": None}


def commit(api, request):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete
    operations = []
    for op in request["operations"]:
        if op.get("file"):
            operations.append(CommitOperationAdd(path_in_repo=op["path"], path_or_fileobj=op["file"]))
        else:
            operations.append(CommitOperationDelete(path_in_repo=op["path"]))
    operations.append(CommitOperationAdd(path_in_repo=".vidseg-publish.json",
                                         path_or_fileobj=request["manifest"].encode("utf-8")))
    info = api.create_commit(request["repo_id"], operations, commit_message=request.get("message") or "vidseg publish",
                             repo_type="dataset")
    return {"commit": info.oid, "url": info.commit_url}


def main():
    try:
        from huggingface_hub import HfApi, __version__
        from huggingface_hub.utils import disable_progress_bars
    except ImportError as e:
        emit({"ready": False, "kind": "missing_package",
              "error": f"huggingface_hub is not installed in {sys.executable} ({e})"})
        return 1
    disable_progress_bars()
    api = HfApi(token=os.environ.get("HF_TOKEN") or None)
    emit({"ready": True, "huggingface_hub": __version__})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("cmd") == "quit":
            break
        answer = {"id": request.get("id")}
        try:
            if request["cmd"] == "open":
                answer.update(open_repo(api, request))
            elif request["cmd"] == "commit":
                answer.update(commit(api, request))
            else:
                answer.update({"error": f"unknown command {request['cmd']!r}", "kind": "hub"})
        except Exception as e:  # noqa: BLE001 - every failure goes back to vidseg as an answer
            answer.update({"error": f"{type(e).__name__}: {e}", "kind": kind_of(e)})
        emit(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
