// Lives in media/ because only the media layer may include FFmpeg headers.
#include "vidseg/core/version.hpp"
#include "vidseg/media/ffmpeg_util.hpp"

#include <string>

namespace vidseg {
const char* library_versions() {
    static const std::string text = std::string("FFmpeg ") + av_version_info() +
                                    " (libavformat " + AV_STRINGIFY(LIBAVFORMAT_VERSION) + ", libavcodec " +
                                    AV_STRINGIFY(LIBAVCODEC_VERSION) + ")";
    return text.c_str();
}
}  // namespace vidseg
