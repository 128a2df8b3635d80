#include "vidseg/features/visual_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "vidseg/core/error.hpp"
#include "vidseg/features/audio_timeline.hpp"
#include "vidseg/features/image_embedder.hpp"
#include "vidseg/media/video_scanner.hpp"
#include "vidseg/vision/frame_stats.hpp"
#include "vidseg/vision/person_detector.hpp"
#include "vidseg/vision/scene_cut_detector.hpp"
#include "vidseg/vision/vision_backend.hpp"

namespace vidseg::features {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int kHueBins = vision::kHueBins;
constexpr int kHashBits = 64;

struct FrameStats {
    double time = 0;
    float brightness = 0, saturation = 0, motion = 0;
    std::array<float, kHueBins> hue{};
};

struct RowHeavy {
    bool set = false;
    std::array<float, kHashBits> hash{};
    float faces = kNaN, people = kNaN;
    std::vector<float> embedding;
};

// HSV statistics and the DCT come from OpenCV in the vision module (vision/vision_backend.hpp).
FrameStats stats_of(vision::VisionBackend& backend, const media::Image& image, const std::vector<float>& small,
                    const std::vector<float>& prev_small) {
    FrameStats s;
    s.time = image.time;
    s.brightness = static_cast<float>(vision::mean_brightness(image));
    const vision::ColourStats colour = backend.colour_stats(image);
    s.hue = colour.hue;
    s.saturation = colour.saturation;
    if (!prev_small.empty()) {
        double diff = 0;
        for (std::size_t i = 0; i < small.size(); ++i) diff += std::abs(small[i] - prev_small[i]);
        s.motion = static_cast<float>(diff / static_cast<double>(small.size()));
    }
    return s;
}

std::array<float, kHashBits> perceptual_hash(vision::VisionBackend& backend, const media::Image& image) {
    const std::array<float, kHashBits> coeffs = backend.dct_low_frequencies(vision::downscaled_luma(image, 32, 32));
    std::array<float, kHashBits> sorted = coeffs;
    std::nth_element(sorted.begin(), sorted.begin() + kHashBits / 2, sorted.end());
    const float median = sorted[kHashBits / 2];
    std::array<float, kHashBits> bits{};
    for (int i = 0; i < kHashBits; ++i) bits[static_cast<std::size_t>(i)] = coeffs[static_cast<std::size_t>(i)] > median ? 1.0f : 0.0f;
    return bits;
}

}  // namespace

void append_visual_columns(const std::string& path, const VisualOptions& options, FeatureMatrix& m, Progress* progress) {
    if (!(options.fps > 0)) throw Error(ErrorCode::InvalidArgument, "--visual-fps must be > 0");
    if (options.width < 16) throw Error(ErrorCode::InvalidArgument, "visual analysis width must be >= 16");
    vision::VisionBackend& backend = vision::vision_backend();
    std::optional<ImageEmbedder> embedder;
    if (!options.embed_model.empty())
        embedder.emplace(EmbedderOptions{options.embed_model, options.embed_width, options.embed_height,
                                         options.embed_mean, options.embed_std});
    std::optional<vision::PersonDetector> detector;
    if (options.detect_people) {
        vision::PersonDetectorOptions po;
        po.cascade_dir = options.cascade_dir;
        po.analysis_width = options.width;
        detector.emplace(po);
    }

    const std::size_t rows = m.rows();
    const double step = m.spec.step, window = m.spec.window;
    std::vector<FrameStats> frames;
    std::vector<RowHeavy> heavy(rows);
    std::vector<float> prev_small;
    vision::SceneCutDetector cuts;
    std::size_t next_row = 0;

    media::ScanOptions scan;
    scan.width = options.width;
    scan.layout = media::PixelLayout::Rgb24;
    scan.max_fps = options.fps;
    media::scan_video(
        path, scan,
        [&](const media::Image& image) {
            auto small = vision::downscaled_luma(image, 64, 36);
            frames.push_back(stats_of(backend, image, small, prev_small));
            prev_small = std::move(small);
            cuts.process(image);
            // The first frame at or after a row's start describes that row (and any rows skipped
            // because frames are sparser than the step).
            if (next_row < rows && image.time + 1e-6 >= m.times[next_row]) {
                RowHeavy h;
                h.set = true;
                h.hash = perceptual_hash(backend, image);
                if (detector) {
                    const auto found = detector->detect(image);
                    h.faces = static_cast<float>(found.faces.size());
                    h.people = static_cast<float>(found.faces.empty() ? found.bodies.size() : found.faces.size());
                }
                if (embedder) h.embedding = embedder->embed(image);
                while (next_row < rows && image.time + 1e-6 >= m.times[next_row]) {
                    if (image.time < m.times[next_row] + window) heavy[next_row] = h;
                    ++next_row;
                }
            }
        },
        progress);
    cuts.flush();

    std::size_t embed_dims = 0;
    for (const auto& h : heavy) embed_dims = std::max(embed_dims, h.embedding.size());
    std::vector<std::string> names = {"brightness", "saturation"};
    for (int k = 0; k < kHueBins; ++k) names.push_back("hue_" + std::to_string(k));
    names.emplace_back("motion");
    names.emplace_back("shot_cuts");
    for (int k = 0; k < kHashBits; ++k) names.push_back("phash_" + std::to_string(k));
    if (detector) {
        names.emplace_back("faces");
        names.emplace_back("people");
    }
    if (embedder)
        for (std::size_t k = 0; k < embed_dims; ++k) names.push_back("embed_" + std::to_string(k));
    const std::size_t n = names.size();
    std::vector<float> block(rows * n, kNaN);
    std::size_t first_frame = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double t0 = m.times[r], t1 = t0 + window;
        while (first_frame < frames.size() && frames[first_frame].time < t0 - 1e-6) ++first_frame;
        std::size_t count = 0;
        FrameStats sum;
        for (std::size_t i = first_frame; i < frames.size() && frames[i].time < t1 - 1e-6; ++i, ++count) {
            sum.brightness += frames[i].brightness;
            sum.saturation += frames[i].saturation;
            sum.motion += frames[i].motion;
            for (int k = 0; k < kHueBins; ++k) sum.hue[static_cast<std::size_t>(k)] += frames[i].hue[static_cast<std::size_t>(k)];
        }
        float* out = block.data() + r * n;
        std::size_t c = 0;
        if (count > 0) {
            const float inv = 1.0f / static_cast<float>(count);
            out[c++] = sum.brightness * inv;
            out[c++] = sum.saturation * inv;
            for (int k = 0; k < kHueBins; ++k) out[c++] = sum.hue[static_cast<std::size_t>(k)] * inv;
            out[c++] = sum.motion * inv;
            out[c++] = static_cast<float>(std::count_if(cuts.cuts().begin(), cuts.cuts().end(),
                                                        [&](double t) { return t >= t0 - 1e-6 && t < t1 - 1e-6; }));
        } else {
            c += 2 + kHueBins + 2;
        }
        const RowHeavy& h = heavy[r];
        if (h.set)
            for (int k = 0; k < kHashBits; ++k) out[c + static_cast<std::size_t>(k)] = h.hash[static_cast<std::size_t>(k)];
        c += kHashBits;
        if (detector) {
            out[c++] = h.faces;
            out[c++] = h.people;
        }
        if (embedder)
            for (std::size_t k = 0; k < embed_dims; ++k, ++c)
                if (k < h.embedding.size()) out[c] = h.embedding[k];
    }
    (void)step;
    append_columns(m, names, block);
}

}  // namespace vidseg::features
