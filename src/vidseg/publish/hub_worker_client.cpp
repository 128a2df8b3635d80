#include "vidseg/publish/hub_worker_client.hpp"

#include <utility>

#include "vidseg/asr/child_process.hpp"
#include "vidseg/asr/python_worker_paths.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::publish {

namespace {

constexpr const char* kVenvHint =
    "; make its venv: python3 -m venv VENV && VENV/bin/pip install -r tests/python/requirements-hub.txt, then set "
    "VIDSEG_HUB_PYTHON=VENV/bin/python (scripts/setup.sh makes build/pyenv-hub)";

}  // namespace

std::string HubWorkerClient::redact(const std::string& text) const {
    if (settings_.token.empty()) return text;
    std::string out = text;
    for (std::size_t at = out.find(settings_.token); at != std::string::npos; at = out.find(settings_.token, at + 3))
        out.replace(at, settings_.token.size(), "***");
    return out;
}

HubWorkerClient::HubWorkerClient(HubSettings settings) : settings_(std::move(settings)) {
    const std::string python = asr::find_venv_python(settings_.python, "VIDSEG_HUB_PYTHON", "pyenv-hub");
    const std::string script = asr::find_worker_file(settings_.worker_script, "VIDSEG_HUB_WORKER", "hub_worker.py",
                                                     "publish", "Hugging Face Hub", "--hub-worker");
    std::vector<std::string> env = {"PYTHONDONTWRITEBYTECODE=1", "HF_HUB_DISABLE_PROGRESS_BARS=1",
                                    "HF_HUB_DISABLE_TELEMETRY=1"};
    if (!settings_.token.empty()) env.push_back("HF_TOKEN=" + settings_.token);  // environment, not argv
    try {
        worker_ = std::make_unique<asr::ChildProcess>(std::vector<std::string>{python, "-u", script}, env);
    } catch (const Error& e) {
        throw Error(ErrorCode::Unsupported, "Hugging Face Hub: cannot run Python '" + python + "' (" + e.cause() + ")" + kVenvHint);
    }
    const auto line = worker_->read_line(120);
    if (!line) {
        const std::string status = worker_->finish(5);
        throw Error(ErrorCode::Unsupported, redact("Hugging Face Hub: the worker (" + python + " " + script +
                                                   ") ended at start with " + status + "; stderr:\n" + worker_->log_tail(1500)));
    }
    nlohmann::json ready;
    try {
        ready = nlohmann::json::parse(*line);
    } catch (const nlohmann::json::exception&) {
        throw Error(ErrorCode::Internal, redact("Hugging Face Hub: unexpected worker output: " + line->substr(0, 300)));
    }
    if (!ready.value("ready", false)) {
        worker_->finish(5);
        throw Error(ErrorCode::Unsupported,
                    redact("Hugging Face Hub: " + ready.value("error", std::string("the worker failed to start"))) + kVenvHint);
    }
}

HubWorkerClient::~HubWorkerClient() {
    if (!worker_) return;
    worker_->write_line(R"({"cmd": "quit"})");
    worker_->finish(10);
}

nlohmann::json HubWorkerClient::request(nlohmann::json body, const std::string& subject) {
    if (!worker_ || !worker_->running())
        throw Error(ErrorCode::Internal, redact("Hugging Face Hub worker is gone (" + (worker_ ? worker_->exit_status() : "") +
                                                "); stderr:\n" + (worker_ ? worker_->log_tail(1500) : "")),
                    subject);
    const int id = next_id_++;
    body["id"] = id;
    std::optional<std::string> line;
    if (worker_->write_line(body.dump())) line = worker_->read_line(settings_.timeout_seconds);
    if (!line) {
        const std::string status = worker_->finish(5);
        throw Error(ErrorCode::Internal,
                    redact("Hugging Face Hub worker ended (" + status + "); stderr:\n" + worker_->log_tail(1500)), subject);
    }
    nlohmann::json answer;
    try {
        answer = nlohmann::json::parse(*line);
    } catch (const nlohmann::json::exception&) {
        throw Error(ErrorCode::Internal, redact("Hugging Face Hub: unexpected worker output: " + line->substr(0, 300)), subject);
    }
    if (answer.value("id", -1) != id)
        throw Error(ErrorCode::Internal, redact("Hugging Face Hub: answer to another request: " + line->substr(0, 300)), subject);
    if (answer.contains("error")) {
        const std::string kind = answer.value("kind", "");
        const std::string message = redact(answer["error"].get<std::string>());
        if (kind == "auth")
            throw Error(ErrorCode::InvalidArgument,
                        "the Hub refused the token (set HF_TOKEN in .env or the environment to a token with write "
                        "access): " + message, subject);
        if (kind == "not_found") throw Error(ErrorCode::InputNotFound, message, subject);
        throw Error(ErrorCode::OutputError, "Hugging Face Hub: " + message, subject);
    }
    return answer;
}

HubRepoState HubWorkerClient::open(const std::string& repo_id, bool create, bool private_repo) {
    const auto answer = request({{"cmd", "open"}, {"repo_id", repo_id}, {"create", create}, {"private", private_repo}},
                                "hf://" + repo_id);
    HubRepoState state;
    state.exists = answer.value("exists", false);
    state.url = answer.value("url", "");
    if (answer.contains("manifest") && answer["manifest"].is_string()) state.manifest = answer["manifest"].get<std::string>();
    return state;
}

std::string HubWorkerClient::commit(const std::string& repo_id, const std::vector<HubFileOperation>& operations,
                                   const std::string& manifest, const std::string& message) {
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& op : operations) {
        nlohmann::json o = {{"path", op.path_in_repo}};
        if (!op.local_file.empty()) o["file"] = op.local_file;
        ops.push_back(std::move(o));
    }
    const auto answer = request({{"cmd", "commit"}, {"repo_id", repo_id}, {"operations", ops},
                                 {"manifest", manifest}, {"message", message}},
                                "hf://" + repo_id);
    return answer.value("commit", "");
}

}  // namespace vidseg::publish
