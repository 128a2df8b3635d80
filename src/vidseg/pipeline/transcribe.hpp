// `vidseg transcribe`: the speech of one video or audio file as text with times, by any ASR backend
// (asr::Transcriber). Writes OUT/<stem>.json (language, segments with word times), OUT/<stem>.txt and
// OUT/<stem>.srt into an atomically committed folder.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/asr/transcriber.hpp"
#include "vidseg/core/progress.hpp"

namespace vidseg::pipeline {

struct TranscribeConfig {
    std::string media;    // any file FFmpeg reads with an audio stream
    std::string out_dir;  // default: <media stem>_transcript beside it
    asr::TranscriberConfig transcriber;
    Progress* progress = nullptr;  // labels "audio", "transcribe", "assemble"
};

struct TranscribeReport {
    std::string out_dir;
    std::string transcriber;  // its description
    asr::Transcript transcript;
    double seconds = 0;
};

// Throws Error(InvalidArgument) for backend none, Error(InvalidMedia) for a file without audio, and
// what the transcriber throws.
TranscribeReport transcribe(const TranscribeConfig& config);

// SubRip text of the transcript's segments ("1\n00:00:01,000 --> 00:00:02,500\ntext\n\n").
std::string to_srt(const asr::Transcript& transcript);

nlohmann::json to_json(const TranscribeReport& report);

}  // namespace vidseg::pipeline
