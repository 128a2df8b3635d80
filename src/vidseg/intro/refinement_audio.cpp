#include "vidseg/intro/refinement_audio.hpp"

#include <cmath>

#include "vidseg/core/error.hpp"

namespace vidseg::intro {

struct SharedAudioWindows::Window {
    std::optional<timeline::Interval> span;
    std::mutex mutex;
    bool decoded = false, failed = false;
    std::vector<float> samples;  // from span->start, one per 1 / rate seconds
    int users = 0;
};

SharedAudioWindows::SharedAudioWindows(const std::vector<std::string>& paths,
                                       std::vector<std::optional<timeline::Interval>> windows, std::vector<int> users,
                                       media::AudioFormat format)
    : paths_(paths), format_(format) {
    for (std::size_t i = 0; i < paths.size(); ++i) {
        auto w = std::make_unique<Window>();
        if (i < windows.size()) w->span = windows[i];
        if (i < users.size()) w->users = users[i];
        windows_.push_back(std::move(w));
    }
}

SharedAudioWindows::~SharedAudioWindows() = default;

std::vector<float> SharedAudioWindows::read(std::size_t i, double from, double to, double& first_time) {
    first_time = from;
    if (i >= windows_.size()) throw Error(ErrorCode::InvalidArgument, "SharedAudioWindows: no such episode");
    Window& w = *windows_[i];
    const double rate = format_.sample_rate;
    {
        std::lock_guard lock(w.mutex);  // one decode per window; other readers of it wait for it
        if (w.span && !w.decoded && !w.failed && w.users > 0) {
            try {
                w.samples = media::read_audio(paths_[i], format_, w.span->start, w.span->end);
                w.decoded = true;
            } catch (const Error&) {
                w.failed = true;
            }
        }
        if (w.decoded && from >= w.span->start - 0.5 / rate) {
            const long first = std::lround((from - w.span->start) * rate);
            const long count = std::lround((to - from) * rate);
            if (first >= 0 && count > 0 && first + count <= long(w.samples.size())) {
                first_time = w.span->start + double(first) / rate;
                return {w.samples.begin() + first, w.samples.begin() + first + count};
            }
        }
    }
    return media::read_audio(paths_[i], format_, from, to);
}

void SharedAudioWindows::release(std::size_t i) {
    if (i >= windows_.size()) return;
    Window& w = *windows_[i];
    std::lock_guard lock(w.mutex);
    if (--w.users <= 0) std::vector<float>().swap(w.samples);
}

}  // namespace vidseg::intro
