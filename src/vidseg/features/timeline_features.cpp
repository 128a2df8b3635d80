#include "vidseg/features/timeline_features.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "vidseg/core/error.hpp"
#include "vidseg/audio/tuning_estimator.hpp"
#include "vidseg/features/audio_row_pooler.hpp"
#include "vidseg/features/audio_timeline.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/text_embedder.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::features {

namespace {

// Streams the file's audio (mono, config.sample_rate) into `sink`. pad_to_seconds: an audio stream
// that ends before the picture (by more than a hop) is continued with silence up to there, so the
// last rows of a video get the values of silence instead of no value (NaN), which `train` /
// `predict` would refuse for the whole video.
template <class Sink>
void stream_padded(const std::string& path, const audio::SpectralConfig& config, Progress* progress,
                   double pad_to_seconds, Sink&& sink) {
    media::AudioFormat format{static_cast<int>(config.sample_rate), 1};
    std::size_t pushed = 0;
    media::stream_audio(
        path, format,
        [&](const float* samples, size_t frames, double) {
            sink(samples, frames);
            pushed += frames;
        },
        0, -1, progress);
    const auto wanted = static_cast<std::size_t>(std::max(0.0, pad_to_seconds * config.sample_rate));
    if (wanted > pushed + config.hop) {
        // In pieces: a sound track that stops early in a 3-hour video would need a gigabyte at once.
        const std::vector<float> silence(std::min<std::size_t>(wanted - pushed, 1 << 16), 0.f);
        for (std::size_t left = wanted - pushed; left > 0;) {
            const std::size_t piece = std::min(left, silence.size());
            sink(silence.data(), piece);
            left -= piece;
        }
    }
}

// estimate_tuning: a first pass through audio::TuningEstimator (chroma_stft's estimate: the power
// spectrogram with the analyzer's frames) sets config.tuning for the second; *tuning_used gets it.
// The frames go to `sink` piece by piece (audio::SpectralAnalyzer::finish(sink)): memory stays bounded
// however long the file is.
void analyze_file(const std::string& path, audio::SpectralConfig config, Progress* progress, double pad_to_seconds,
                  bool estimate_tuning, double* tuning_used, const audio::SpectralAnalyzer::FrameSink& sink) {
    if (estimate_tuning) {
        audio::TuningConfig t;
        t.sample_rate = config.sample_rate;
        t.n_fft = config.n_fft;
        t.hop = config.hop;
        t.spectrum = audio::TuningSpectrum::Power;
        audio::TuningEstimator estimator(t);
        stream_padded(path, config, progress, pad_to_seconds,
                      [&](const float* samples, std::size_t n) { estimator.push(samples, n); });
        config.tuning = estimator.estimate();
    }
    if (tuning_used) *tuning_used = config.tuning;
    audio::SpectralAnalyzer analyzer(config);
    stream_padded(path, config, progress, pad_to_seconds,
                  [&](const float* samples, std::size_t n) { analyzer.push(samples, n); });
    analyzer.finish(sink);
}

// The shape (MFCC and contrast counts, frame period) of the analyzer's frames, without frames.
audio::AudioFrames frame_shape(const audio::SpectralConfig& config) {
    audio::AudioFrames shape;
    shape.n_mfcc = config.n_mfcc;
    shape.n_contrast = config.contrast_bands + 1;
    shape.frame_period = static_cast<double>(config.hop) / config.sample_rate;
    return shape;
}

}  // namespace

void validate_grid(double step, double window) {
    if (!(step > 0) || !std::isfinite(step))
        throw Error(ErrorCode::InvalidArgument, "--step must be > 0 seconds");
    if (!(window > 0) || !std::isfinite(window))
        throw Error(ErrorCode::InvalidArgument, "--window must be > 0 seconds");
    if (window + 1e-9 < step)
        throw Error(ErrorCode::InvalidArgument,
                    "--window (" + std::to_string(window) + " s) must be >= --step (" + std::to_string(step) +
                        " s): rows would leave gaps");
}

std::size_t grid_rows(double duration, double step) {
    // A trailing row needs at least kMinTrailingRow seconds of media: a container a few milliseconds
    // past a whole second would otherwise end on a row no audio frame (one per 23 ms) falls in.
    constexpr double kMinTrailingRow = 0.05;
    auto rows = static_cast<std::size_t>(std::max(1.0, std::ceil(duration / step - 1e-9)));
    if (rows > 1 && duration - double(rows - 1) * step < kMinTrailingRow) --rows;
    return rows;
}

TimelineResult compute_timeline_features(const std::string& path, const TimelineOptions& options, Progress* progress) {
    validate_grid(options.step, options.window);
    const bool with_text = !options.transcript.empty() || options.transcript_segments.has_value();
    if (!options.audio && !options.visual && !with_text)
        throw Error(ErrorCode::InvalidArgument, "nothing to compute: audio and visual features are off and no transcript");
    // Side inputs first, so that a typo does not cost a full audio pass.
    std::vector<TranscriptSegment> transcript;
    if (options.transcript_segments) transcript = *options.transcript_segments;
    else if (!options.transcript.empty()) transcript = read_transcript(options.transcript);
    if (!options.visual_options.embed_model.empty() && !std::filesystem::is_regular_file(options.visual_options.embed_model))
        throw Error(ErrorCode::InputNotFound, "embedding model not found", options.visual_options.embed_model);
    if (!options.text_encoder.empty() && !with_text)
        throw Error(ErrorCode::InvalidArgument, "a text encoder needs a transcript (--transcript)", options.text_encoder);
    // Loaded before the media is decoded: a bad encoder fails at once.
    std::optional<TextEmbedder> text_embedder;
    if (!options.text_encoder.empty()) text_embedder.emplace(options.text_encoder);
    const media::MediaInfo info = media::probe(path, media::ProbeOptions{.scan_packets = false});
    TimelineResult result;
    result.duration = info.duration;
    FeatureMatrix& m = result.matrix;
    m.source = path;
    m.spec.step = options.step;
    m.spec.window = options.window;
    const std::size_t rows = grid_rows(info.duration, options.step);
    for (std::size_t r = 0; r < rows; ++r) m.times.push_back(static_cast<double>(r) * options.step);

    if (options.audio) {
        if (info.audio()) {
            audio::SpectralConfig config = options.spectral;
            config.threads = options.threads;
            double tuning = config.tuning;
            AudioRowPooler pooler(m, config.sample_rate, config.hop, config.n_mfcc, config.contrast_bands + 1,
                                  options.threads);
            analyze_file(path, config, progress, info.duration, options.estimate_tuning, &tuning,
                         [&](const audio::AudioFrames& piece, std::size_t first) { pooler.add(piece, first); });
            pooler.finish(m);
            m.chroma_tuning = tuning;
            m.chroma_tuning_estimated = options.estimate_tuning;
        } else {
            result.notes.push_back("no audio stream: audio features skipped (visual" +
                                   std::string(with_text ? " and text" : "") + " only)");
        }
    }
    if (options.visual) {
        if (info.video()) {
            append_visual_columns(path, options.visual_options, m, progress);
        } else {
            result.notes.push_back("no video stream: visual features skipped");
        }
    }
    if (with_text) append_text_columns(transcript, m);
    if (text_embedder) append_text_embedding_columns(transcript, *text_embedder, m);
    if (m.cols() == 0) {
        const char* why = !options.visual ? "no features could be computed (only audio features asked for: no audio stream)"
                          : !options.audio ? "no features could be computed (only visual features asked for: no video stream)"
                                           : "no features could be computed (no audio or video stream)";
        throw Error(ErrorCode::InvalidMedia, why, path);
    }
    validate(m);
    return result;
}

namespace {

// `name` is prefix + a decimal index (e.g. "hue_3").
bool indexed(const std::string& name, std::string_view prefix) {
    return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
           std::all_of(name.begin() + long(prefix.size()), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

ColumnGroup column_group(const std::string& c) {
    // Timeline rows (audio_row_columns) and STFT frames (audio_frame_matrix).
    for (const char* prefix : {"mfcc_mean_", "mfcc_std_", "mfcc_", "contrast_", "chroma_"})
        if (indexed(c, prefix)) return ColumnGroup::Audio;
    for (const char* name : {"rms_mean", "rms_std", "rms", "centroid", "bandwidth", "flatness", "zcr", "onset_strength",
                             "tempo", "speech_fraction"})
        if (c == name) return ColumnGroup::Audio;
    for (const char* prefix : {"hue_", "phash_", "embed_"})
        if (indexed(c, prefix)) return ColumnGroup::Visual;
    for (const char* name : {"brightness", "saturation", "motion", "shot_cuts", "faces", "people"})
        if (c == name) return ColumnGroup::Visual;
    for (const char* name : kTextColumns)
        if (c == name) return ColumnGroup::Text;
    for (const char* name : kSpeakerColumns)
        if (c == name) return ColumnGroup::Text;
    if (indexed(c, kTextEmbedPrefix)) return ColumnGroup::Text;
    return ColumnGroup::Other;
}

FeatureMatrix compute_audio_frames(const std::string& path, const audio::SpectralConfig& config, Progress* progress,
                                   bool estimate_tuning) {
    const media::MediaInfo info = media::probe(path, media::ProbeOptions{.scan_packets = false});
    if (!info.audio()) throw Error(ErrorCode::InvalidMedia, "has no audio stream", path);
    double tuning = config.tuning;
    auto m = empty_audio_frame_matrix(frame_shape(config), path);
    analyze_file(path, config, progress, 0, estimate_tuning, &tuning,
                 [&](const audio::AudioFrames& piece, std::size_t first) { append_audio_frame_rows(piece, first, m); });
    m.chroma_tuning = tuning;
    m.chroma_tuning_estimated = estimate_tuning;
    return m;
}

}  // namespace vidseg::features
