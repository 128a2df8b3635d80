#include "vidseg/asr/fragment_transcripts.hpp"

#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

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

void keep_words_inside(Transcript& t, double length) {
    bool timed = false;
    for (auto& s : t.segments) {
        if (s.words.empty()) continue;
        timed = true;
        std::erase_if(s.words, [&](const TimedWord& w) { return w.middle() < 0 || w.middle() >= length; });
        s.text = s.words.empty() ? std::string() : timeline::text_inside({s}, 0, length);
    }
    if (!timed) return;
    std::erase_if(t.segments, [](const TranscriptSegment& s) { return s.text.empty(); });
    t.text = timeline::text_inside(t.segments, 0, length);
}

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

Transcript FragmentTranscripts::transcribe_to(const fs::path& wav, double length, const fs::path& txt,
                                              const fs::path& json) {
    if (!transcriber_) transcriber_ = make_transcriber(config_);
    Transcript t = transcriber_->transcribe_file(wav.string());
    keep_words_inside(t, length);
    write_atomic(txt, t.text + "\n");
    write_atomic(json, to_json(t).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    ++transcribed_;
    return t;
}

Transcript read_transcript_file(const fs::path& json) {
    std::ifstream in(json, std::ios::binary);
    if (!in) throw Error(ErrorCode::InvalidData, "cannot read transcript", json.string());
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return transcript_from_json(nlohmann::json::parse(ss.str()));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("bad transcript JSON: ") + e.what(), json.string());
    }
}

}  // namespace vidseg::asr
