#include "vidseg/intro/episode_fingerprints.hpp"

#include <algorithm>
#include <exception>
#include <thread>

#include "vidseg/core/error.hpp"
#include "vidseg/intro/picture_windows.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::intro {

int resolve_threads(int threads) {
    if (threads > 0) return threads;
    return int(std::max(1u, std::thread::hardware_concurrency()));
}

std::size_t episodes_at_once(int threads, std::size_t episodes) {
    return std::max<std::size_t>(1, std::min(std::size_t(resolve_threads(threads)), episodes));
}

EpisodeFingerprints fingerprint_episode(const std::string& path, const FingerprintOptions& options, Progress* progress,
                                        const AudioFingerprint* known_audio) {
    const media::MediaInfo info = media::probe(path, media::ProbeOptions{.scan_packets = false});
    EpisodeFingerprints fp;
    fp.duration = info.duration;
    const bool want_audio = options.audio && info.audio() != nullptr;
    const bool want_video = options.video && options.visual.fps > 0 && info.video() != nullptr;
    if (!info.audio() && !info.video())
        throw Error(ErrorCode::InvalidMedia, "has neither an audio nor a video stream", path);
    if (!want_audio && !want_video)
        throw Error(ErrorCode::InvalidMedia, info.audio() ? "has no video stream" : "has no audio stream", path);
    if (progress) progress->begin("Fingerprinting " + path, 0);
    // Audio (decode + Chromaprint) and video (low-resolution decode + hashes) are independent, one
    // core each; the visual side usually takes longer, so the audio runs on the helper thread.
    std::exception_ptr audio_error;
    std::thread audio_thread;
    if (want_audio && known_audio)
        fp.audio = *known_audio;
    else if (want_audio)
        audio_thread = std::thread([&] {
            try {
                fp.audio = fingerprint_audio(path, options.seconds);
            } catch (...) {
                audio_error = std::current_exception();
            }
        });
    std::exception_ptr video_error;
    if (want_video) {
        try {
            fp.visual = options.video_windows.empty()
                            ? fingerprint_video(path, options.seconds, options.visual)
                            : fingerprint_video_windows(path, options.seconds, options.visual, options.video_windows,
                                                        info.duration);
        } catch (...) {
            video_error = std::current_exception();
        }
    }
    if (audio_thread.joinable()) audio_thread.join();
    if (progress) progress->end();
    if (audio_error) std::rethrow_exception(audio_error);
    if (video_error) std::rethrow_exception(video_error);
    fp.has_audio = want_audio;
    fp.has_video = want_video && !fp.visual.empty();
    return fp;
}

}  // namespace vidseg::intro
