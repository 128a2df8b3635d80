// TorchScript image embeddings (`vidseg features --embed-model X.pt`, run through the dlopen()ed
// libtorch module). The model is built at test time by tests/tools/make_torchscript_model.cpp
// (forward(x) = cat(mean_hw(x) * [1, 2, 3], max_hw(x))), so its output on a known image is known.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/image_embedder.hpp"

using namespace vidseg;
namespace fs = std::filesystem;

namespace {

// tests/tools/make_torchscript_model.cpp, built next to the vidseg binary (tests/CMakeLists.txt).
fs::path make_model(const test::TempDir& dir) {
    const auto path = dir / "tiny_embedder.pt";
    const auto tool = fs::path(VIDSEG_BINARY).parent_path() / "vidseg_make_torchscript";
    const auto r = test::run_shell(test::shell_quote(tool) + " " + test::shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
}

}  // namespace

TEST(FeaturesTorchScript, EmbeddingOfAKnownImageMatchesTheHandComputedValues) {
    test::TempDir dir;
    const auto model = make_model(dir);
    ASSERT_TRUE(features::is_torchscript_model(model.string()));
    ASSERT_FALSE(features::is_torchscript_model("resnet18.onnx"));
    // 2x2 RGB, model input 2x2 (resizing is the identity), mean (0.5, 0.5, 0), std (0.5, 0.25, 0.2):
    //   R 255,0,255,0      -> 1,-1,1,-1 : mean 0 (x1 = 0), max 1
    //   G 0,255,255,0      -> -2,2,2,-2 : mean 0 (x2 = 0), max 2
    //   B 51,51,102,204    -> 1,1,2,4   : mean 2 (x3 = 6), max 4
    features::ImageEmbedder embedder({model.string(), 2, 2, {0.5f, 0.5f, 0.f}, {0.5f, 0.25f, 0.2f}});
    media::Image image;
    image.width = image.height = 2;
    image.pixels = {255, 0, 51, 0, 255, 51, 255, 255, 102, 0, 0, 204};
    const auto v = embedder.embed(image);
    const std::vector<float> expected = {0.f, 0.f, 6.f, 1.f, 2.f, 4.f};
    ASSERT_EQ(v.size(), expected.size());
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], expected[i], 1e-5) << "embedding value " << i;
}

TEST(FeaturesTorchScript, NotATorchScriptFileIsInvalidData) {
    test::TempDir dir;
    const auto bad = dir / "broken.pt";
    std::ofstream(bad) << "not a zip archive";
    const auto e = test::thrown_error([&] { features::ImageEmbedder embedder({bad.string()}); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData) << e.what();
    EXPECT_NE(std::string(e.what()).find("TorchScript"), std::string::npos) << e.what();
    EXPECT_EQ(test::thrown_code([&] { features::ImageEmbedder embedder({(dir / "missing.pt").string()}); }),
              ErrorCode::InputNotFound);
}

TEST(FeaturesTorchScript, CliWritesEmbeddingColumnsFromTheTorchScriptModel) {
    test::TempDir dir;
    const auto model = make_model(dir);
    const auto out = dir / "f.csv";
    const auto r = test::run_vidseg("features " + test::shell_quote(test::media("lesson.mp4")) + " --out " +
                                    test::shell_quote(out) + " --no-audio --no-people --visual-fps 1 --embed-model " +
                                    test::shell_quote(model) + " --embed-width 16 --embed-height 16 -q");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = features::read_features(out);
    std::vector<std::size_t> cols;
    for (int k = 0; k < 6; ++k) {
        const auto c = features::column_index(m.spec, "embed_" + std::to_string(k));
        ASSERT_TRUE(c) << "embed_" << k;
        cols.push_back(*c);
    }
    EXPECT_FALSE(features::column_index(m.spec, "embed_6"));
    ASSERT_GT(m.rows(), 10u);
    std::size_t checked = 0;
    for (std::size_t row = 0; row < m.rows(); ++row) {
        if (std::isnan(m.at(row, cols[0]))) continue;
        ++checked;
        // mean * scale never exceeds max * scale (scale > 0), channel by channel.
        for (int c = 0; c < 3; ++c)
            EXPECT_LE(m.at(row, cols[std::size_t(c)]), float(c + 1) * m.at(row, cols[std::size_t(c) + 3]) + 1e-4f)
                << "row " << row << " channel " << c;
    }
    EXPECT_GT(checked, m.rows() / 2);
}
