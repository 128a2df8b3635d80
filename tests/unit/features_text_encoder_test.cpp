// TorchScript sentence embeddings of transcript utterances (`vidseg features --text-encoder X.pt`,
// features/text_embedder.hpp, run through the dlopen()ed libtorch module). The encoders are made at test
// time by tests/tools/make_text_encoder.cpp from hand-written word vectors (mean of the vectors of the
// known words), so every embedding is known; tests/python/test_text_encoder.py does the same with trained
// vectors that gensim ships and gensim as the reference.
#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/features/audio_timeline.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/text_embedder.hpp"
#include "vidseg/features/timeline_features.hpp"

using namespace vidseg;
namespace fs = std::filesystem;

namespace {

fs::path tool(const std::string& name) {
    return fs::path(VIDSEG_BINARY).parent_path() / name;
}

// Word vectors (word2vec text format) -> TorchScript encoder, by tests/tools/make_text_encoder.cpp.
fs::path make_encoder(const test::TempDir& dir) {
    const auto vectors = dir / "words.vec";
    std::ofstream(vectors) << "4 2\nмолодец 1 0\ngreat 0 2\njob 2 2\nwhy 4 -2\n";
    const auto path = dir / "words.pt";
    const auto r = test::run_shell(test::shell_quote(tool("vidseg_make_text_encoder")) + " " +
                                   test::shell_quote(vectors) + " " + test::shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
}

void expect_vector(const std::vector<float>& v, const std::vector<float>& expected, const std::string& what) {
    ASSERT_EQ(v.size(), expected.size()) << what;
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], expected[i], 1e-6) << what << " value " << i;
}

}  // namespace

TEST(FeaturesTextEncoder, WordTokensAreLowerCaseRunsOfWordCharacters) {
    const std::vector<std::string> expected = {"ёлка", "it", "s", "42_x", "молодец", "a"};
    EXPECT_EQ(features::word_tokens("  Ёлка, it's 42_x!\tМОЛОДЕЦ — a…"), expected);
    EXPECT_TRUE(features::word_tokens(" — … !").empty());
}

TEST(FeaturesTextEncoder, EmbeddingIsTheMeanOfTheKnownWordsVectors) {
    test::TempDir dir;
    features::TextEmbedder embedder(make_encoder(dir).string());
    EXPECT_EQ(embedder.dimension(), 0u);
    expect_vector(embedder.embed("Great JOB!"), {1.f, 2.f}, "great job");
    expect_vector(embedder.embed("Молодец, Маша!"), {1.f, 0.f}, "молодец (маша unknown)");
    expect_vector(embedder.embed("why, why... great?"), {8.f / 3, -2.f / 3}, "repeated word counts twice");
    expect_vector(embedder.embed("Hello there"), {0.f, 0.f}, "no known word");
    expect_vector(embedder.embed(""), {0.f, 0.f}, "empty utterance");
    EXPECT_EQ(embedder.dimension(), 2u);
}

TEST(FeaturesTextEncoder, RowsPoolTheUtterancesByTheShareOfTheWindowTheyCover) {
    test::TempDir dir;
    features::TextEmbedder embedder(make_encoder(dir).string());
    features::FeatureMatrix m;
    m.spec.step = m.spec.window = 1.0;
    m.times = {0, 1, 2, 3};
    features::append_columns(m, {"tokens"}, {0, 0, 0, 0});
    const std::vector<timeline::TranscriptSegment> segments = {
        {0.0, 1.0, "great job", {}, ""},  // row 0 whole
        {1.5, 2.0, "why", {}, ""},        // half of row 1
        {2.0, 3.0, "great", {}, ""},      // row 2 whole, with half of...
        {2.5, 3.0, "Молодец", {}, ""},    // ... this one overlapping it
    };
    features::append_text_embedding_columns(segments, embedder, m);
    ASSERT_EQ(m.spec.columns, (std::vector<std::string>{"tokens", "text_embed_0", "text_embed_1"}));
    const std::vector<float> expected = {1, 2, 2, -1, 0.5f, 2, 0, 0};  // rows x (text_embed_0, text_embed_1)
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t k = 0; k < 2; ++k)
            EXPECT_NEAR(m.at(r, 1 + k), expected[r * 2 + k], 1e-6) << "row " << r;
    EXPECT_EQ(features::column_group("text_embed_0"), features::ColumnGroup::Text);
    EXPECT_EQ(features::column_group("text_embed_"), features::ColumnGroup::Other);
}

TEST(FeaturesTextEncoder, BadEncodersAreClearErrors) {
    test::TempDir dir;
    EXPECT_EQ(test::thrown_code([&] { features::TextEmbedder e((dir / "missing.pt").string()); }),
              ErrorCode::InputNotFound);
    const auto broken = dir / "broken.pt";
    std::ofstream(broken) << "not a zip archive";
    auto e = test::thrown_error([&] { features::TextEmbedder embedder(broken.string()); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData) << e.what();
    EXPECT_NE(std::string(e.what()).find("TorchScript"), std::string::npos) << e.what();
    // An image model (forward(Tensor)) is no text encoder: refused on load, saying what forward() must take.
    const auto image_model = dir / "image.pt";
    ASSERT_EQ(test::run_shell(test::shell_quote(tool("vidseg_make_torchscript")) + " " +
                              test::shell_quote(image_model))
                  .exit_code,
              0);
    e = test::thrown_error([&] { features::TextEmbedder embedder(image_model.string()); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData) << e.what();
    EXPECT_NE(std::string(e.what()).find("List[str]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("image.pt"), std::string::npos) << e.what();
}

TEST(FeaturesTextEncoder, CliWritesTextEmbeddingColumns) {
    test::TempDir dir;
    const auto encoder = make_encoder(dir);
    const auto transcript = dir / "t.json";
    std::ofstream(transcript) << R"({"segments": [{"start": 0, "end": 2, "text": "Great job!"},
                                                  {"start": 3, "end": 3.5, "text": "Why?"}]})";
    const auto out = dir / "f.csv";
    const auto r = test::run_vidseg("features " + test::shell_quote(test::media("lesson.mp4")) + " --out " +
                                    test::shell_quote(out) + " --no-audio --no-visual --transcript " +
                                    test::shell_quote(transcript) + " --text-encoder " +
                                    test::shell_quote(encoder) + " -q");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = features::read_features(out);
    const auto c0 = features::column_index(m.spec, "text_embed_0"),
               c1 = features::column_index(m.spec, "text_embed_1");
    ASSERT_TRUE(c0 && c1);
    EXPECT_FALSE(features::column_index(m.spec, "text_embed_2"));
    ASSERT_EQ(m.rows(), 30u);
    const std::vector<std::vector<float>> expected = {{1, 2}, {1, 2}, {0, 0}, {2, -1}, {0, 0}};
    for (std::size_t r = 0; r < expected.size(); ++r) {
        EXPECT_NEAR(m.at(r, *c0), expected[r][0], 1e-5) << "row " << r;
        EXPECT_NEAR(m.at(r, *c1), expected[r][1], 1e-5) << "row " << r;
    }
    // No transcript: the encoder has nothing to read.
    const auto bad = test::run_vidseg("features " + test::shell_quote(test::media("lesson.mp4")) + " --out " +
                                      test::shell_quote(dir / "g.csv") + " --no-audio --text-encoder " +
                                      test::shell_quote(encoder) + " -q");
    EXPECT_EQ(bad.exit_code, 2) << bad.err;  // InvalidArgument
    EXPECT_NE(bad.err.find("needs a transcript"), std::string::npos) << bad.err;
    EXPECT_FALSE(fs::exists(dir / "g.csv"));
}
