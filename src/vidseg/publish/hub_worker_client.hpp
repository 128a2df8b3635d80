// The Hugging Face Hub through its maintained client: one long-lived Python worker
// (hub_worker.py, JSON lines over stdin/stdout, like the faster-whisper worker) running
// `huggingface_hub` — repository creation, the manifest download, commits (preupload, LFS or Xet
// transfers, the commit call) are the library's, never re-implemented here.
//
// The token goes to the worker in its environment (HF_TOKEN), never on its command line, and every
// text that comes back from it (answers, stderr) has the token masked before it can reach a message.
// HF_ENDPOINT in our environment reaches the worker (a mirror, or the tests' test double).
//
// Where things are found (first that exists):
//   Python:  settings.python, $VIDSEG_HUB_PYTHON, <bin>/pyenv-hub/bin/python,
//            <bin>/../build/pyenv-hub/bin/python (scripts/setup.sh makes build/pyenv-hub), python3
//   worker:  settings.worker_script, $VIDSEG_HUB_WORKER, <bin>/hub_worker.py,
//            <bin>/../share/vidseg/hub_worker.py, <bin>/../src/vidseg/publish/hub_worker.py
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vidseg::asr {
class ChildProcess;
}

namespace vidseg::publish {

struct HubSettings {
    std::string token;          // empty: huggingface_hub's own (HF_TOKEN, the saved login)
    std::string python;         // empty: looked up as above
    std::string worker_script;  // empty: looked up as above
    double timeout_seconds = 3600;  // per request (a commit of many large files takes long)
};

struct HubRepoState {
    bool exists = false;
    std::optional<std::string> manifest;  // the text of .vidseg-publish.json in the repository
    std::string url;
};

struct HubFileOperation {
    std::string path_in_repo;
    std::string local_file;  // empty for a deletion
};

class HubWorkerClient {
public:
    // Starts the worker. Throws Error(Unsupported) when Python or huggingface_hub is missing (the
    // message says how to make the venv).
    explicit HubWorkerClient(HubSettings settings);
    ~HubWorkerClient();
    HubWorkerClient(const HubWorkerClient&) = delete;
    HubWorkerClient& operator=(const HubWorkerClient&) = delete;

    // The dataset repository's state; with create, makes it first when missing (private or public).
    HubRepoState open(const std::string& repo_id, bool create, bool private_repo);
    // One commit: the additions and deletions plus the manifest text as .vidseg-publish.json.
    // Returns the commit id.
    std::string commit(const std::string& repo_id, const std::vector<HubFileOperation>& operations,
                       const std::string& manifest, const std::string& message);

    // `text` with the token replaced by "***".
    std::string redact(const std::string& text) const;

private:
    nlohmann::json request(nlohmann::json body, const std::string& subject);

    HubSettings settings_;
    std::unique_ptr<asr::ChildProcess> worker_;
    int next_id_ = 1;
};

}  // namespace vidseg::publish
