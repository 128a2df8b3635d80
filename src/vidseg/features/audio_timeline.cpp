#include "vidseg/features/audio_timeline.hpp"

#include <algorithm>

#include "vidseg/core/error.hpp"
#include "vidseg/features/audio_row_pooler.hpp"

namespace vidseg::features {

void append_columns(FeatureMatrix& m, const std::vector<std::string>& names, const std::vector<float>& block) {
    const std::size_t rows = m.rows(), old = m.cols(), add = names.size();
    if (block.size() != rows * add) throw Error(ErrorCode::Internal, "append_columns: block size mismatch");
    std::vector<float> values(rows * (old + add));
    for (std::size_t r = 0; r < rows; ++r) {
        std::copy_n(m.values.begin() + static_cast<std::ptrdiff_t>(r * old), old, values.begin() + static_cast<std::ptrdiff_t>(r * (old + add)));
        std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(r * add), add, values.begin() + static_cast<std::ptrdiff_t>(r * (old + add) + old));
    }
    m.values = std::move(values);
    m.spec.columns.insert(m.spec.columns.end(), names.begin(), names.end());
}

std::vector<std::string> audio_row_columns(const audio::AudioFrames& f) {
    std::vector<std::string> c;
    for (std::size_t k = 0; k < f.n_mfcc; ++k) c.push_back("mfcc_mean_" + std::to_string(k));
    for (std::size_t k = 0; k < f.n_mfcc; ++k) c.push_back("mfcc_std_" + std::to_string(k));
    for (std::size_t k = 0; k < f.n_contrast; ++k) c.push_back("contrast_" + std::to_string(k));
    for (const char* n : {"rms_mean", "rms_std", "centroid", "bandwidth", "flatness", "zcr"}) c.emplace_back(n);
    for (std::size_t k = 0; k < f.n_chroma; ++k) c.push_back("chroma_" + std::to_string(k));
    for (const char* n : {"onset_strength", "tempo", "speech_fraction"}) c.emplace_back(n);
    return c;
}

void append_audio_columns(const audio::AudioFrames& f, double sample_rate, std::size_t hop, FeatureMatrix& m,
                          int threads) {
    AudioRowPooler pooler(m, sample_rate, hop, f.n_mfcc, f.n_contrast, threads);
    if (f.frames > 0) pooler.add(f, 0);
    pooler.finish(m);
}

FeatureMatrix audio_frame_matrix(const audio::AudioFrames& f, const std::string& source) {
    FeatureMatrix m = empty_audio_frame_matrix(f, source);
    append_audio_frame_rows(f, 0, m);
    return m;
}

FeatureMatrix empty_audio_frame_matrix(const audio::AudioFrames& f, const std::string& source) {
    FeatureMatrix m;
    m.source = source;
    m.spec.step = m.spec.window = f.frame_period > 0 ? f.frame_period : 1.0;
    for (std::size_t k = 0; k < f.n_mfcc; ++k) m.spec.columns.push_back("mfcc_" + std::to_string(k));
    for (std::size_t k = 0; k < f.n_contrast; ++k) m.spec.columns.push_back("contrast_" + std::to_string(k));
    for (const char* n : {"rms", "centroid", "bandwidth", "flatness", "zcr"}) m.spec.columns.emplace_back(n);
    for (std::size_t k = 0; k < f.n_chroma; ++k) m.spec.columns.push_back("chroma_" + std::to_string(k));
    m.spec.columns.emplace_back("onset_strength");
    return m;
}

void append_audio_frame_rows(const audio::AudioFrames& f, std::size_t first_frame, FeatureMatrix& m) {
    const std::size_t n = m.spec.columns.size(), old = m.rows();
    m.times.resize(old + f.frames);
    m.values.resize((old + f.frames) * n);
    for (std::size_t i = 0; i < f.frames; ++i) {
        m.times[old + i] = static_cast<double>(first_frame + i) * f.frame_period;
        float* out = m.values.data() + (old + i) * n;
        std::size_t c = 0;
        for (std::size_t k = 0; k < f.n_mfcc; ++k) out[c++] = f.mfcc[i * f.n_mfcc + k];
        for (std::size_t k = 0; k < f.n_contrast; ++k) out[c++] = f.contrast[i * f.n_contrast + k];
        for (const auto* v : {&f.rms, &f.centroid, &f.bandwidth, &f.flatness, &f.zcr}) out[c++] = (*v)[i];
        for (std::size_t k = 0; k < f.n_chroma; ++k) out[c++] = f.chroma[i * f.n_chroma + k];
        out[c++] = f.onset[i];
    }
}

}  // namespace vidseg::features
