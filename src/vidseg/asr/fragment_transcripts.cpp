#include "vidseg/asr/fragment_transcripts.hpp"

#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"

namespace fs = std::filesystem;

namespace vidseg::asr {

namespace {

void write_atomic(const fs::path& path, const std::string& text) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw Error(ErrorCode::OutputError, "cannot write", tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot rename into place: " + ec.message(), path.string());
}

}  // namespace

FragmentTranscripts::FragmentTranscripts(TranscriberConfig config) : config_(std::move(config)) {
    parse_languages(config_.language);  // bad options -> errors before any media work
    if (config_.backend == Backend::Http && config_.url.empty())
        throw Error(ErrorCode::InvalidArgument, "option --whisper-url is required with --whisper-backend http");
}

FragmentTranscripts::~FragmentTranscripts() = default;

std::string FragmentTranscripts::key() const {
    std::string key = std::string(backend_name(config_.backend)) + "|" + config_.model + "|" + config_.language;
    if (config_.backend == Backend::Http) key += "|" + config_.url;
    return key;
}

std::string FragmentTranscripts::description() const { return transcriber_ ? transcriber_->description() : ""; }

Transcript FragmentTranscripts::transcribe_to(const fs::path& wav, const fs::path& txt, const fs::path& json) {
    if (!transcriber_) transcriber_ = make_transcriber(config_);
    Transcript t = transcriber_->transcribe_file(wav.string());
    write_atomic(txt, t.text + "\n");
    write_atomic(json, to_json(t).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    ++transcribed_;
    return t;
}

Transcript read_transcript_file(const fs::path& json) {
    const std::string text = read_limited_file(json);
    try {
        return transcript_from_json(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("bad transcript JSON: ") + e.what(), json.string());
    }
}

}  // namespace vidseg::asr
