// Which file names are taken for audio/video media when a folder is scanned (a season for `intro
// detect --dir`, `features --series-dir`, a folder given to `predict`): by extension, case-insensitive.
// Nothing is opened; a file that turns out not to be media fails later as its own item.
#pragma once

#include <filesystem>

namespace vidseg::media {

// mp4 mkv webm avi mov m4v mpg mpeg ts mts flv wmv ogv h264 264 h265 265 hevc (video); m4a mp3 aac wav flac
// ogg opus (audio).
bool is_media_file_name(const std::filesystem::path& path);
// The video extensions of that list (a folder of clips given as --video).
bool is_video_file_name(const std::filesystem::path& path);

}  // namespace vidseg::media
