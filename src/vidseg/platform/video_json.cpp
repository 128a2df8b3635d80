#include "vidseg/platform/video_json.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vidseg::platform {

namespace {

// Printable ASCII without quotes or backslashes is written as it is (nlohmann::json writes it so too);
// anything else goes through nlohmann::json's escaping.
void append_string(std::string& out, const std::string& text) {
    const bool plain = std::all_of(text.begin(), text.end(),
                                   [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
    if (!plain) {
        out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
    out += '"';
    out += text;
    out += '"';
}

// The stored summary as it is (see the header); what parse_stored() turned into {} stays {}.
void append_stored_object(std::string& out, const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '{' || text[last] != '}') {
        out += "{}";
        return;
    }
    out.append(text, first, last - first + 1);
}

}  // namespace

void append_video_json(std::string& out, const catalog::Video& v) {
    out += "{\"created\":";
    out += std::to_string(v.created);
    out += ",\"id\":";
    out += std::to_string(v.id);
    out += ",\"info\":";
    append_stored_object(out, v.info_json);
    out += ",\"key\":";
    append_string(out, v.key);
    out += ",\"name\":";
    append_string(out, v.name);
    out += ",\"owner_id\":";
    out += std::to_string(v.user_id);
    out += ",\"sha256\":";
    append_string(out, v.sha256);
    out += ",\"size\":";
    out += std::to_string(v.size);
    out += ",\"state\":";
    append_string(out, v.state);
    out += '}';
}

std::string video_json(const catalog::Video& video) {
    std::string out;
    out.reserve(256 + video.info_json.size());
    append_video_json(out, video);
    return out;
}

std::string video_list_json(const std::vector<catalog::Video>& videos) {
    std::size_t size = 16;
    for (const auto& v : videos) size += 256 + v.info_json.size() + v.name.size() + v.key.size();
    std::string out;
    out.reserve(size);
    out += "{\"videos\":[";
    for (std::size_t i = 0; i < videos.size(); ++i) {
        if (i) out += ',';
        append_video_json(out, videos[i]);
    }
    out += "]}";
    return out;
}

}  // namespace vidseg::platform
