// A pattern model trained on sentence embeddings (`vidseg features --transcript T --text-encoder X.pt`,
// features/text_embedder.hpp) and used by `vidseg predict`: the encoder (tests/tools/make_text_encoder.cpp,
// mean of hand-written word vectors) tells praise ("great job") from questions ("why"), so a linear model
// on the text_embed_* columns alone ranks every praise row above every other row.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

TEST(TextEncoderCli, ModelTrainedOnSentenceEmbeddingsPredictsThePraiseRows) {
    vidseg::test::TempDir dir;
    const auto vectors = dir / "words.vec";
    std::ofstream(vectors) << "5 2\nмолодец 1 0.5\ngreat 0 2\njob 2 2\nwhy 4 -2\nthink 3 -3\n";
    const auto encoder = dir / "words.pt";
    const auto tool = fs::path(VIDSEG_BINARY).parent_path() / "vidseg_make_text_encoder";
    auto r = run_shell(shell_quote(tool) + " " + shell_quote(vectors) + " " + shell_quote(encoder));
    ASSERT_EQ(r.exit_code, 0) << r.err;

    // 30 s lesson: 2-s utterances alternating praise and questions; the praise ones are the pattern.
    nlohmann::json segments = nlohmann::json::array();
    fs::create_directories(dir / "ds" / "train");
    std::ofstream meta(dir / "ds" / "train" / "metadata.jsonl");
    for (int k = 0; k < 15; ++k) {
        const bool praise = k % 2 == 0;
        const char* text =
            praise ? (k % 4 == 0 ? "Great job!" : "Молодец, great job.") : "Why do you think so?";
        segments.push_back({{"start", 2 * k}, {"end", 2 * k + 2}, {"text", text}});
        if (praise)
            meta << nlohmann::json{{"file_name", "videos/p" + std::to_string(k) + ".mp4"},
                                   {"patterns", {"praise"}},
                                   {"start", 2 * k},
                                   {"end", 2 * k + 2},
                                   {"source_video", "lesson.mp4"}}
                        .dump()
                 << "\n";
    }
    meta.close();
    std::ofstream(dir / "lesson.json") << nlohmann::json{{"segments", segments}}.dump();
    fs::create_directories(dir / "feats");
    const auto features = dir / "feats" / "lesson.features.jsonl";
    r = run_vidseg("features " + shell_quote(vidseg::test::media("lesson.mp4")) +
                   " --no-audio --no-visual --transcript " + shell_quote(dir / "lesson.json") +
                   " --text-encoder " + shell_quote(encoder) + " --out " + shell_quote(features) + " -q");
    ASSERT_EQ(r.exit_code, 0) << r.err;

    const auto model = dir / "m.model";
    r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " + shell_quote(features) +
                   " --columns text_embed_ --arch linear --epochs 60 --val-fraction 0 --out " +
                   shell_quote(model));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto text = vidseg::test::read_text(model);
    const auto header = nlohmann::json::parse(text.substr(0, text.find('\n')));
    EXPECT_EQ(header["features"]["columns"], (nlohmann::json{"text_embed_0", "text_embed_1"}))
        << header.dump();

    r = run_vidseg("predict --model " + shell_quote(model) + " --rows --json " + shell_quote(features));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = nlohmann::json::parse(r.out).at("videos").at(0).at("row_probabilities");
    ASSERT_EQ(rows.size(), 30u);
    float lowest_praise = 1, highest_other = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const float p = rows[i].at("p").at(0).get<float>();
        if ((i / 2) % 2 == 0)
            lowest_praise = std::min(lowest_praise, p);
        else
            highest_other = std::max(highest_other, p);
    }
    EXPECT_GT(lowest_praise, highest_other);
    EXPECT_GT(lowest_praise, 0.5f);
    EXPECT_LT(highest_other, 0.5f);
}

TEST(TextEncoderCli, PredictOnAVideoSaysHowToGetTheEmbeddings) {
    vidseg::test::TempDir dir;
    const auto vectors = dir / "words.vec";
    std::ofstream(vectors) << "2 2\ngreat 0 2\nwhy 4 -2\n";
    const auto encoder = dir / "words.pt";
    const auto tool = fs::path(VIDSEG_BINARY).parent_path() / "vidseg_make_text_encoder";
    ASSERT_EQ(
        run_shell(shell_quote(tool) + " " + shell_quote(vectors) + " " + shell_quote(encoder)).exit_code, 0);
    std::ofstream(dir / "lesson.json") << R"({"segments": [{"start": 0, "end": 10, "text": "great"},
                                                          {"start": 10, "end": 20, "text": "why"}]})";
    const auto features = dir / "lesson.features.jsonl";
    auto r =
        run_vidseg("features " + shell_quote(vidseg::test::media("lesson.mp4")) +
                   " --no-audio --no-visual --transcript " + shell_quote(dir / "lesson.json") +
                   " --text-encoder " + shell_quote(encoder) + " --out " + shell_quote(features) + " -q");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::create_directories(dir / "ds" / "train");
    std::ofstream(dir / "ds" / "train" / "metadata.jsonl") << nlohmann::json{{"file_name", "videos/a.mp4"},
                                                                             {"patterns", {"praise"}},
                                                                             {"start", 0},
                                                                             {"end", 10},
                                                                             {"source_video", "lesson.mp4"}}
                                                                  .dump()
                                                           << "\n";
    const auto model = dir / "m.model";
    r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " + shell_quote(features) +
                   " --columns text_embed_ --arch linear --epochs 5 --val-fraction 0 --out " +
                   shell_quote(model));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_vidseg("predict --model " + shell_quote(model) + " --transcript " +
                   shell_quote(dir / "lesson.json") + " " + shell_quote(vidseg::test::media("lesson.mp4")));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("--text-encoder ENCODER"), std::string::npos) << r.err;
}
