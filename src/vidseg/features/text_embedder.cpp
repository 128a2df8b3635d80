#include "vidseg/features/text_embedder.hpp"

#include <cmath>
#include <filesystem>
#include <map>

#include "vidseg/core/error.hpp"
#include "vidseg/features/audio_timeline.hpp"
#include "vidseg/models/text_network.hpp"
#include "vidseg/text/lexical_vectorizer.hpp"
#include "vidseg/text/utf8_words.hpp"

namespace vidseg::features {

std::vector<std::string> word_tokens(std::string_view utf8) {
    const std::u32string text = text::lower(text::decode_utf8(utf8));
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!text::is_word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && text::is_word_char(text[end])) ++end;
        words.push_back(text::encode_utf8(std::u32string_view(text).substr(i, end - i)));
        i = end;
    }
    return words;
}

struct TextEmbedder::Impl {
    std::string model;
    std::unique_ptr<models::TextNetwork> network;
    std::size_t dimension = 0;
};

TextEmbedder::TextEmbedder(std::string model) : impl_(std::make_unique<Impl>()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(model, ec))
        throw Error(ErrorCode::InputNotFound, "text encoder not found", model);
    try {
        impl_->network = models::load_text_network(model);
    } catch (const Error& e) {
        throw Error(e.code(), e.cause(), model);
    }
    impl_->model = std::move(model);
}

TextEmbedder::~TextEmbedder() = default;

std::size_t TextEmbedder::dimension() const {
    return impl_->dimension;
}
const std::string& TextEmbedder::model() const {
    return impl_->model;
}

std::vector<float> TextEmbedder::embed(std::string_view utterance) {
    const std::string text(utterance);
    std::vector<float> v;
    try {
        v = impl_->network->run(
            text, impl_->network->takes_words() ? word_tokens(text) : std::vector<std::string>{});
    } catch (const Error& e) {
        throw Error(e.code(), e.cause(), impl_->model);
    }
    if (v.empty())
        throw Error(ErrorCode::InvalidData, "the text encoder returned no value for an utterance",
                    impl_->model);
    for (float x : v)
        if (!std::isfinite(x))
            throw Error(ErrorCode::InvalidData,
                        "the text encoder returned a non-finite value for \"" + text + "\"", impl_->model);
    if (impl_->dimension == 0) impl_->dimension = v.size();
    if (v.size() != impl_->dimension)
        throw Error(ErrorCode::InvalidData,
                    "the text encoder returned " + std::to_string(v.size()) + " values for \"" + text +
                        "\" but " + std::to_string(impl_->dimension) +
                        " for the utterances before (a sentence encoder's output "
                        "must have one size)",
                    impl_->model);
    return v;
}

void append_text_embedding_columns(const std::vector<timeline::TranscriptSegment>& segments,
                                   TextEmbedder& embedder, FeatureMatrix& matrix) {
    // Lessons repeat utterances ("Yes.", "Good."): each distinct text is encoded once.
    std::map<std::string, text::SparseRow> encoded;
    std::vector<text::SparseRow> utterances;
    utterances.reserve(segments.size());
    for (const auto& seg : segments) {
        auto [it, fresh] = encoded.try_emplace(seg.text);
        if (fresh) {
            const auto v = embedder.embed(seg.text);
            for (std::size_t k = 0; k < v.size(); ++k) {
                it->second.index.push_back(std::uint32_t(k));
                it->second.value.push_back(v[k]);
            }
        }
        utterances.push_back(it->second);
    }
    if (embedder.dimension() == 0) embedder.embed("");
    const std::size_t d = embedder.dimension();
    const auto pooled = text::pool_rows(segments, utterances, matrix.times, matrix.spec.window);
    std::vector<float> block(matrix.rows() * d, 0.0f);
    for (std::size_t r = 0; r < pooled.size(); ++r)
        for (std::size_t i = 0; i < pooled[r].size(); ++i)
            block[r * d + pooled[r].index[i]] = pooled[r].value[i];
    std::vector<std::string> names;
    for (std::size_t k = 0; k < d; ++k) names.push_back(kTextEmbedPrefix + std::to_string(k));
    append_columns(matrix, names, block);
}

}  // namespace vidseg::features
