#include "vidseg/dataset/metadata_views.hpp"

#include "vidseg/core/error.hpp"

namespace vidseg::dataset {

namespace {

const char* linked_column(MetadataView view) {
    return view == MetadataView::Audio ? "audio_path" : "image_path";
}

}  // namespace

const char* metadata_view_file(MetadataView view) {
    return view == MetadataView::Audio ? kAudioMetadataName : kImagesMetadataName;
}

nlohmann::ordered_json metadata_view_row(const nlohmann::ordered_json& row, MetadataView view) {
    const char* linked = linked_column(view);
    const auto file = row.find(linked);
    const auto clip = row.find("file_name");
    if (file == row.end() || !file->is_string() || clip == row.end())
        throw Error(ErrorCode::Internal, std::string("metadata row without file_name / ") + linked);
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["file_name"] = *file;
    out["video_path"] = *clip;
    for (auto it = row.begin(); it != row.end(); ++it)
        if (it.key() != "file_name" && it.key() != linked) out[it.key()] = it.value();
    return out;
}

}  // namespace vidseg::dataset
