// The audio / keyframe metadata views of a built dataset (src/vidseg/dataset/metadata_views.hpp): the
// row that audiofolder / imagefolder read beside the clip row of metadata.jsonl.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vidseg/dataset/metadata_views.hpp"

using nlohmann::ordered_json;
using namespace vidseg::dataset;
using vidseg::ErrorCode;
using vidseg::test::thrown_code;

namespace {

ordered_json clip_row() {
    ordered_json row = ordered_json::object();
    row["file_name"] = "videos/l_1_2_0.mp4";
    row["image_path"] = "images/l_1_2_0.jpg";
    row["crop_path"] = nullptr;
    row["audio_path"] = "audio/l_1_2_0.wav";
    row["patterns"] = {"Эмоциональный отклик У", "Работа в команде У"};
    row["start"] = 2.0;
    row["end"] = 6.5;
    return row;
}

std::vector<std::string> keys(const ordered_json& row) {
    std::vector<std::string> out;
    for (auto it = row.begin(); it != row.end(); ++it) out.push_back(it.key());
    return out;
}

}  // namespace

TEST(DatasetMetadataViews, AudioRowLinksTheWav) {
    const auto row = metadata_view_row(clip_row(), MetadataView::Audio);
    EXPECT_EQ(keys(row), (std::vector<std::string>{"file_name", "video_path", "image_path", "crop_path", "patterns",
                                                   "start", "end"}));
    EXPECT_EQ(row["file_name"], "audio/l_1_2_0.wav");
    EXPECT_EQ(row["video_path"], "videos/l_1_2_0.mp4");
    EXPECT_TRUE(row["crop_path"].is_null());  // stays a plain column: a linked null would break the loaders
    EXPECT_EQ(row["patterns"], clip_row()["patterns"]);
    EXPECT_EQ(row["end"], 6.5);
    EXPECT_STREQ(metadata_view_file(MetadataView::Audio), "metadata_audio.jsonl");
}

TEST(DatasetMetadataViews, ImageRowLinksTheKeyframe) {
    const auto row = metadata_view_row(clip_row(), MetadataView::Images);
    EXPECT_EQ(keys(row), (std::vector<std::string>{"file_name", "video_path", "crop_path", "audio_path", "patterns",
                                                   "start", "end"}));
    EXPECT_EQ(row["file_name"], "images/l_1_2_0.jpg");
    EXPECT_EQ(row["audio_path"], "audio/l_1_2_0.wav");
    EXPECT_STREQ(metadata_view_file(MetadataView::Images), "metadata_images.jsonl");
    // Exactly one linked column per file: no other *_file_name key appears.
    for (const auto& k : keys(row)) EXPECT_TRUE(k == "file_name" || !k.ends_with("_file_name")) << k;
}

TEST(DatasetMetadataViews, RowWithoutTheLinkedFileIsABug) {
    auto row = clip_row();
    row.erase("audio_path");
    EXPECT_EQ(thrown_code([&] { metadata_view_row(row, MetadataView::Audio); }), ErrorCode::Internal);
    EXPECT_NO_THROW(metadata_view_row(row, MetadataView::Images));
}
