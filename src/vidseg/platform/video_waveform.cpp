#include "vidseg/platform/video_waveform.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/platform/api_error.hpp"

namespace vidseg::platform {

std::string waveform_peaks_json(const audio::WaveformPeaks& peaks) {
    nlohmann::json values = nlohmann::json::array();
    for (float p : peaks.peaks) values.push_back(std::round(double(p) * 10000) / 10000);
    return nlohmann::json({{"sample_rate", peaks.sample_rate},
                           {"channels", peaks.channels},
                           {"frames", peaks.frames},
                           {"duration", peaks.duration},
                           {"peaks", std::move(values)}})
        .dump();
}

std::string peaks_key_of(const std::string& wav_key) {
    const auto dot = wav_key.rfind('.');
    return (dot == std::string::npos ? wav_key : wav_key.substr(0, dot)) + ".peaks.json";
}

namespace {

std::string read_text(storage::ObjectStore& store, const std::string& key) {
    std::string text;
    store.read(key, [&text](const char* data, std::size_t size) { text.append(data, size); });
    return text;
}

}  // namespace

std::string video_peaks(Platform& platform, const Principal& caller, std::int64_t video_id) {
    const auto video = platform.video(caller, video_id);
    std::string wav_key;
    try {
        const auto info = nlohmann::json::parse(video.info_json.empty() ? "{}" : video.info_json);
        if (info.is_object() && info.contains("outputs") && info["outputs"].is_object() &&
            info["outputs"].contains("audio") && info["outputs"]["audio"].is_string())
            wav_key = info["outputs"]["audio"].get<std::string>();
    } catch (const nlohmann::json::exception&) {
        wav_key.clear();
    }
    if (wav_key.empty())
        throw ApiError(409, "no_audio", "video " + std::to_string(video_id) + " has no extracted audio" +
                                            (video.state == "ready" ? " (it has no sound)" : " yet"));
    auto& store = platform.store();
    const auto key = peaks_key_of(wav_key);
    if (store.stat(key)) return read_text(store, key);

    // Arrived before the arrival job computed peaks: one streamed pass over the stored WAV.
    audio::WaveformPeakReader reader(kWaveformPeakCount, wav_key);
    store.read(wav_key, [&reader](const char* data, std::size_t size) { reader.feed(data, size); });
    const std::string text = waveform_peaks_json(reader.finish());
    auto writer = store.create(key, {{"kind", "waveform-peaks"}});
    writer->write(text.data(), text.size());
    const auto stored = writer->commit();
    // Kept as a file of the job that made the WAV, so that deleting the video removes it.
    for (const auto& job : platform.catalog().jobs_of_video(video_id)) {
        if (job.kind != "arrival") continue;
        const auto files = platform.catalog().job_files(job.id);
        if (std::none_of(files.begin(), files.end(), [&key](const catalog::JobFile& f) { return f.key == key; }))
            platform.catalog().add_job_file(job.id, {key.substr(key.rfind('/') + 1), key, stored.size});
        break;
    }
    return text;
}

}  // namespace vidseg::platform
