// Data-driven cutter cases: every tests/golden/cut/*.json names an input, a mode, a segment length
// or a clip list, and the expected per-clip actual_start / frames / duration (/ method). The runner
// cuts, compares the ClipResults and counts the frames really decodable in each output file.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/probe.hpp"

namespace fs = std::filesystem;
using namespace vidseg;
using namespace vidseg::media;

namespace {

std::vector<fs::path> golden_cases() {
    std::vector<fs::path> files;
    const fs::path dir = fs::path(VIDSEG_GOLDEN_DIR) / "cut";
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".json") files.push_back(it->path());
    std::sort(files.begin(), files.end());
    return files;
}

long long decoded_frames(const fs::path& file) {
    auto r = test::run_shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames "
                             "-of csv=p=0 '" + file.string() + "'");
    std::istringstream in(r.out);
    long long n = -1;
    in >> n;
    return n;
}

void run_case(const fs::path& file) {
    const auto doc = nlohmann::json::parse(test::read_text(file));
    const auto input = test::media(doc.at("input").get<std::string>()).string();
    const auto info = probe(input, ProbeOptions{.scan_packets = false});
    CutOptions options;
    options.mode = doc.at("mode") == "copy" ? CutMode::Copy : CutMode::Exact;
    std::vector<ClipSpec> clips;
    if (doc.contains("segment")) {
        clips = fixed_segments(info.duration, doc["segment"].get<double>(), 1.0 / std::max(1.0, info.video()->fps));
    } else {
        for (const auto& c : doc.at("clips")) clips.push_back({c.at(0).get<double>(), c.at(1).get<double>(), {}});
    }
    const std::string ext = clip_extension(info.container, info.video()->codec, options.mode);
    if (doc.contains("extension")) EXPECT_EQ(ext, doc["extension"].get<std::string>());
    test::TempDir dir;
    for (size_t i = 0; i < clips.size(); ++i) clips[i].output_path = (dir / ("clip" + std::to_string(i) + ext)).string();
    const auto results = cut_clips(input, clips, options);
    const auto& expect = doc.at("expect");
    ASSERT_EQ(results.size(), expect.size());
    const double tol_t = doc.at("tolerance").value("time", 0.001);
    const double tol_d = doc.at("tolerance").value("duration", 0.06);
    for (size_t i = 0; i < results.size(); ++i) {
        SCOPED_TRACE("clip " + std::to_string(i));
        const auto& r = results[i];
        const auto& e = expect[i];
        EXPECT_NEAR(r.actual_start, e.at("actual_start").get<double>(), tol_t);
        EXPECT_EQ(r.frames, e.at("frames").get<long long>());
        EXPECT_NEAR(r.actual_end - r.actual_start, e.at("duration").get<double>(), tol_d);
        if (e.contains("method")) EXPECT_EQ(r.method, e["method"].get<std::string>());
        EXPECT_EQ(decoded_frames(clips[i].output_path), r.frames) << "frames decodable in " << clips[i].output_path;
    }
}

}  // namespace

TEST(GoldenCut, AllCases) {
    const auto cases = golden_cases();
    ASSERT_FALSE(cases.empty()) << "no golden cases in " << VIDSEG_GOLDEN_DIR << "/cut";
    for (const auto& c : cases) {
        SCOPED_TRACE(c.filename().string());
        run_case(c);
    }
}
