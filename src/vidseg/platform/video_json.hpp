// The JSON text of videos for the API, written straight from the catalog rows: each video's stored
// media summary (`info`, most of a video list's bytes) is spliced in as the text the catalog holds,
// not parsed and serialised again (that was ~70% of GET /api/videos' CPU under load).
//
// The output is byte for byte what to_json(video).dump() gives (keys in nlohmann::json's sorted
// order, its string escaping with invalid UTF-8 replaced), because the platform writes `info` only
// as nlohmann::json::dump() of an object, which parsing and dumping again leaves unchanged. A stored
// text not framed by braces (empty: nothing known yet) becomes {}, as unparsable text did before.
#pragma once

#include <string>
#include <vector>

#include "vidseg/catalog/catalog.hpp"

namespace vidseg::platform {

// Appends
// {"created":..,"id":..,"info":{..},"key":..,"name":..,"owner_id":..,"sha256":..,"size":..,"state":..}.
void append_video_json(std::string& out, const catalog::Video& video);
std::string video_json(const catalog::Video& video);
// {"videos":[...]}, the answer of GET /api/videos.
std::string video_list_json(const std::vector<catalog::Video>& videos);

}  // namespace vidseg::platform
