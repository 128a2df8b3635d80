// The audio boundary refinement reads around every intro: an episode's own samples and, for each of
// up to three confirming partners, the partner's samples around the same moment — which lie around
// the partner's own intro. Decoding each episode's window once and cutting the partners' spans out
// of it replaces ~4 decodes (file open, seek, decode, resample) per episode by one (issue 16 §1).
// Windows are decoded on first use and freed when their last user is done (flat memory on long
// seasons with long intros).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/media/audio_reader.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

class SharedAudioWindows {
public:
    // windows[i]: the span of episode i to decode once (nullopt = none); users[i]: how many release(i)
    // calls free it.
    SharedAudioWindows(const std::vector<std::string>& paths, std::vector<std::optional<timeline::Interval>> windows,
                       std::vector<int> users, media::AudioFormat format);
    ~SharedAudioWindows();
    SharedAudioWindows(const SharedAudioWindows&) = delete;
    SharedAudioWindows& operator=(const SharedAudioWindows&) = delete;

    // Samples of episode i over [from, to) as media::read_audio returns them; first_time receives the
    // time of the first sample (on the window's sample grid: within half a sample of from). Cut out
    // of the episode's window when it covers the span, else decoded. Throws what read_audio throws.
    std::vector<float> read(std::size_t i, double from, double to, double& first_time);
    // One user of episode i's window is done; the last frees it.
    void release(std::size_t i);

private:
    struct Window;
    const std::vector<std::string>& paths_;
    media::AudioFormat format_;
    std::vector<std::unique_ptr<Window>> windows_;
};

}  // namespace vidseg::intro
