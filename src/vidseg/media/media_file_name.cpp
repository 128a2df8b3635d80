#include "vidseg/media/media_file_name.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace vidseg::media {

bool is_media_file_name(const std::filesystem::path& path) {
    static constexpr std::array<std::string_view, 20> kExtensions = {
        ".mp4", ".mkv", ".webm", ".avi", ".mov", ".m4v", ".mpg", ".mpeg", ".ts",   ".mts",
        ".flv", ".wmv", ".ogv",  ".m4a", ".mp3", ".aac", ".wav", ".flac", ".ogg", ".opus"};
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

}  // namespace vidseg::media
