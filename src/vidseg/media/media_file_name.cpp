#include "vidseg/media/media_file_name.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace vidseg::media {

namespace {
// Video extensions first: is_video_file_name takes the first kVideoCount.
// The raw elementary streams (.h264 .264 .h265 .265 .hevc) are video too: probe reads them; commands that
// need timestamps refuse them with how to remux (probe.hpp: require_timestamps).
constexpr std::array<std::string_view, 25> kExtensions = {
    ".mp4", ".mkv",  ".webm", ".avi", ".mov",  ".m4v", ".mpg", ".mpeg", ".ts",  ".mts", ".flv", ".wmv",  ".ogv",
    ".h264", ".264", ".h265", ".265", ".hevc", ".m4a", ".mp3", ".aac",  ".wav", ".flac", ".ogg", ".opus"};
constexpr size_t kVideoCount = 18;

bool has_extension(const std::filesystem::path& path, size_t count) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return std::find(kExtensions.begin(), kExtensions.begin() + count, ext) != kExtensions.begin() + count;
}
}  // namespace

bool is_media_file_name(const std::filesystem::path& path) { return has_extension(path, kExtensions.size()); }
bool is_video_file_name(const std::filesystem::path& path) { return has_extension(path, kVideoCount); }

}  // namespace vidseg::media
