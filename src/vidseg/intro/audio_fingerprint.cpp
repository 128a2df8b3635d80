#include "vidseg/intro/audio_fingerprint.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <chromaprint.h>

#include "vidseg/core/error.hpp"
#include "vidseg/media/audio_reader.hpp"

namespace vidseg::intro {

namespace {

struct ContextDeleter {
    void operator()(ChromaprintContext* ctx) const noexcept { chromaprint_free(ctx); }
};
using ContextPtr = std::unique_ptr<ChromaprintContext, ContextDeleter>;

struct FingerprintDeleter {
    void operator()(uint32_t* p) const noexcept { chromaprint_dealloc(p); }
};

[[noreturn]] void fail(const char* what) {
    throw Error(ErrorCode::Internal, std::string("Chromaprint: ") + what + " failed");
}

}  // namespace

AudioFingerprint fingerprint_samples(const std::vector<float>& samples) {
    ContextPtr ctx(chromaprint_new(CHROMAPRINT_ALGORITHM_DEFAULT));
    if (!ctx) fail("chromaprint_new");
    if (!chromaprint_start(ctx.get(), kFingerprintSampleRate, 1)) fail("chromaprint_start");

    std::vector<int16_t> chunk;
    constexpr std::size_t kChunk = 1 << 16;
    for (std::size_t pos = 0; pos < samples.size(); pos += kChunk) {
        const std::size_t n = std::min(kChunk, samples.size() - pos);
        chunk.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const float v = std::clamp(samples[pos + i], -1.0f, 1.0f);
            chunk[i] = int16_t(std::lround(v * 32767.0f));
        }
        if (!chromaprint_feed(ctx.get(), chunk.data(), int(n))) fail("chromaprint_feed");
    }
    if (!chromaprint_finish(ctx.get())) fail("chromaprint_finish");

    AudioFingerprint fp;
    fp.duration = double(samples.size()) / kFingerprintSampleRate;
    const int item = chromaprint_get_item_duration(ctx.get());
    if (item > 0) fp.item_period = double(item) / kFingerprintSampleRate;
    const int delay = chromaprint_get_delay(ctx.get());
    fp.item_span = delay > 0 ? double(delay) / kFingerprintSampleRate : 0;

    uint32_t* raw = nullptr;
    int size = 0;
    if (!chromaprint_get_raw_fingerprint(ctx.get(), &raw, &size)) {
        // Too little audio for a single item is not an error: an empty fingerprint matches nothing.
        if (raw) chromaprint_dealloc(raw);
        return fp;
    }
    std::unique_ptr<uint32_t, FingerprintDeleter> owned(raw);
    if (size > 0 && raw) fp.items.assign(raw, raw + size);
    return fp;
}

AudioFingerprint fingerprint_audio(const std::string& path, double seconds, Progress* progress) {
    if (progress) progress->begin("Decoding audio of " + path, 0);
    const media::AudioFormat format{.sample_rate = kFingerprintSampleRate, .channels = 1};
    const auto samples = media::read_audio(path, format, 0, seconds > 0 ? seconds : -1);
    if (progress) progress->end();
    return fingerprint_samples(samples);
}

}  // namespace vidseg::intro
