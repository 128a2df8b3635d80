// Keyframes for the `vidseg patterns find` report: the frame on screen at given times, scaled down
// and encoded as JPEG through the media layer, as data: URIs that an HTML page embeds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vidseg::models {

// "data:image/jpeg;base64,..." per time (same order). Times past the end are clamped to the last
// frame. Throws InputNotFound / InvalidMedia (no video stream) from the media layer.
std::vector<std::string> keyframe_data_uris(const std::string& video, const std::vector<double>& times,
                                            int max_width = 320);

// Standard base64 (RFC 4648, with padding).
std::string base64_encode(const std::vector<std::uint8_t>& bytes);

}  // namespace vidseg::models
