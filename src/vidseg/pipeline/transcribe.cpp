#include "vidseg/pipeline/transcribe.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::pipeline {

namespace fs = std::filesystem;

namespace {

std::string srt_time(double seconds) {
    const auto ms = static_cast<long long>(std::llround(std::max(0.0, seconds) * 1000));
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld,%03lld", ms / 3600000, ms / 60000 % 60,
                  ms / 1000 % 60, ms % 1000);
    return text;
}

}  // namespace

std::string to_srt(const asr::Transcript& transcript) {
    std::string out;
    int n = 0;
    for (const auto& s : transcript.segments) {
        if (s.text.empty()) continue;
        out += std::to_string(++n) + "\n" + srt_time(s.start) + " --> " + srt_time(s.end) + "\n" + s.text +
               "\n\n";
    }
    return out;
}

TranscribeReport transcribe(const TranscribeConfig& config) {
    const auto started = std::chrono::steady_clock::now();
    if (config.transcriber.backend == asr::Backend::None)
        throw Error(ErrorCode::InvalidArgument, "--whisper-backend none: choose faster-whisper or http");
    if (!fs::exists(config.media)) throw Error(ErrorCode::InputNotFound, "file not found", config.media);
    const auto info = media::probe(config.media);
    if (!info.audio()) throw Error(ErrorCode::InvalidMedia, "the file has no audio stream", config.media);
    const fs::path media_path(config.media);
    const std::string stem = safe_file_name(media_path.stem().string());
    const fs::path out = config.out_dir.empty()
                             ? media_path.parent_path() / (media_path.stem().string() + "_transcript")
                             : fs::path(config.out_dir);
    // The transcriber first: a bad backend setting fails before any decoding.
    auto transcriber = asr::make_transcriber(config.transcriber);
    AtomicOutputDir output(out);
    const fs::path wav = output.staging() / ".audio.wav";
    media::extract_audio(config.media, wav.string(), media::AudioFormat{16000, 1}, 0, -1, config.progress);
    throw_if_cancelled();
    if (config.progress) config.progress->begin("transcribe", 1);
    TranscribeReport report;
    report.transcript = transcriber->transcribe_file(wav.string());
    report.transcriber = transcriber->description();
    if (config.progress) config.progress->end();
    throw_if_cancelled();
    if (config.progress) config.progress->begin("assemble", 1);
    fs::remove(wav);
    write_file_atomic(output.staging() / (stem + ".json"), asr::to_json(report.transcript).dump(2) + "\n");
    write_file_atomic(output.staging() / (stem + ".txt"), report.transcript.text + "\n");
    write_file_atomic(output.staging() / (stem + ".srt"), to_srt(report.transcript));
    output.commit();
    if (config.progress) config.progress->end();
    report.out_dir = out.string();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

nlohmann::json to_json(const TranscribeReport& report) {
    return {{"out_dir", report.out_dir},
            {"transcriber", report.transcriber},
            {"language", report.transcript.language},
            {"text", report.transcript.text},
            {"segments", report.transcript.segments.size()},
            {"seconds", report.seconds}};
}

}  // namespace vidseg::pipeline
