// Sentence embeddings of transcript utterances from a user-supplied TorchScript text encoder
// (`vidseg features --text-encoder X.pt`), the text counterpart of image_embedder.hpp: run through
// libtorch in the dlopen()ed model module (models/torch_backend.hpp), so libvidseg links no libtorch.
// The encoder carries its own vocabulary; vidseg only splits the text the one documented way:
//   forward(self, words: List[str]) -> Tensor   gets word_tokens(utterance)
//   forward(self, text: str) -> Tensor          gets the utterance as it is (the encoder tokenises)
// and takes the output flattened; every utterance must give as many values.
// Timeline columns text_embed_0 .. text_embed_{d-1}: each row is the sum over the transcript
// segments of (share of the row's window the segment covers) x the segment's embedding, the pooling
// of the lexical features (text::pool_rows): a row inside one utterance is its embedding, a row
// nobody speaks in is 0.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/timeline/transcript.hpp"

namespace vidseg::features {

inline constexpr const char* kTextEmbedPrefix = "text_embed_";

// The words a List[str] encoder gets: lower case (text/utf8_words.hpp), runs of one or more word
// characters (letters, digits, underscore), in order — Python's re.findall(r"\w+", text.lower()).
std::vector<std::string> word_tokens(std::string_view utf8);

class TextEmbedder {
  public:
    // Throws InputNotFound (missing file), InvalidData (libtorch cannot load it, or its forward()
    // takes neither List[str] nor str), Unsupported (the libtorch module cannot be loaded).
    explicit TextEmbedder(std::string model);
    ~TextEmbedder();
    TextEmbedder(const TextEmbedder&) = delete;
    TextEmbedder& operator=(const TextEmbedder&) = delete;

    // One utterance's embedding. Throws InvalidData naming the model when the encoder fails, returns
    // no value, a non-finite value, or another number of values than for the utterances before.
    std::vector<float> embed(std::string_view utterance);
    // Values per embedding: 0 until the first embed().
    std::size_t dimension() const;
    const std::string& model() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Appends the text_embed_* columns of the segments' embeddings (pooled as above) to the matrix.
// Without segments the encoder still runs once (on "") to learn the width, so every lesson gets the
// same columns.
void append_text_embedding_columns(const std::vector<timeline::TranscriptSegment>& segments,
                                   TextEmbedder& embedder, FeatureMatrix& matrix);

}  // namespace vidseg::features
