// A video's waveform peaks for the web UI (GET /api/videos/{id}/peaks): computed by the arrival job
// from the WAV it extracts (audio/waveform_peaks.hpp) and stored beside it as <stem>.peaks.json, so
// that the browser draws the waveform without fetching and decoding the whole WAV. A video that
// arrived before peaks existed gets them on the first request, streamed from the stored WAV in one
// pass, then kept the same way (a file of its arrival job, removed with the video).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vidseg/audio/waveform_peaks.hpp"
#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

inline constexpr std::size_t kWaveformPeakCount = 4000;

// {"sample_rate": 16000, "channels": 1, "frames": N, "duration": s, "peaks": [0.1234, ...]}
// (peaks rounded to 4 decimals).
std::string waveform_peaks_json(const audio::WaveformPeaks& peaks);
// <stem>.wav -> <stem>.peaks.json
std::string peaks_key_of(const std::string& wav_key);

// The JSON text of the video's peaks; ApiError 404 for another user's video, 409 no_audio when the
// video has no extracted audio (yet, or no sound at all).
std::string video_peaks(Platform& platform, const Principal& caller, std::int64_t video_id);

}  // namespace vidseg::platform
