#include "vidseg/annotations/label_studio_config.hpp"

#include <pugixml.hpp>
#include <sstream>

#include "vidseg/core/error.hpp"

namespace vidseg::annotations {

std::string segment_label_config(const std::vector<Pattern>& patterns) {
    if (patterns.empty()) throw Error(ErrorCode::InvalidArgument, "cannot build a labeling config without patterns");
    // Built as a DOM and serialised by pugixml, so every value is escaped by one tested routine
    // instead of hand-written string concatenation.
    pugi::xml_document doc;
    auto view = doc.append_child("View");

    auto video = view.append_child("Video");
    video.append_attribute("name") = kVideoObject;
    video.append_attribute("value") = "$video";
    video.append_attribute("frameRate") = "$fps";

    auto audio = view.append_child("Audio");
    audio.append_attribute("name") = kAudioObject;
    audio.append_attribute("value") = "$audio";

    auto choices = view.append_child("Choices");
    choices.append_attribute("name") = kPatternChoices;
    choices.append_attribute("toName") = kVideoObject;
    choices.append_attribute("choice") = "multiple";
    choices.append_attribute("showInline") = "false";
    for (const auto& p : patterns) {
        auto c = choices.append_child("Choice");
        c.append_attribute("value") = p.name.c_str();
        if (!p.description.empty()) c.append_attribute("hint") = p.description.c_str();
    }

    auto labels = view.append_child("Labels");
    labels.append_attribute("name") = kPatternIntervals;
    labels.append_attribute("toName") = kAudioObject;
    // Patterns co-occur (a teacher supports a student who is solving a task): one interval may
    // carry several labels.
    labels.append_attribute("choice") = "multiple";
    for (const auto& p : patterns) {
        auto l = labels.append_child("Label");
        l.append_attribute("value") = p.name.c_str();
        if (!p.description.empty()) l.append_attribute("hint") = p.description.c_str();
    }

    // Video controls: without them in the config, Label Studio's JSON_MIN / CSV exports drop the
    // video timeline intervals and tracked boxes (its converter keeps only results of configured controls).
    auto timeline = view.append_child("TimelineLabels");
    timeline.append_attribute("name") = kVideoIntervals;
    timeline.append_attribute("toName") = kVideoObject;
    for (const auto& p : patterns) {
        auto l = timeline.append_child("Label");
        l.append_attribute("value") = p.name.c_str();
        if (!p.description.empty()) l.append_attribute("hint") = p.description.c_str();
    }
    auto tracked = view.append_child("Labels");
    tracked.append_attribute("name") = kTrackedLabels;
    tracked.append_attribute("toName") = kVideoObject;
    for (const char* who : kTrackedRoles) tracked.append_child("Label").append_attribute("value") = who;
    auto box = view.append_child("VideoRectangle");
    box.append_attribute("name") = kTrackBox;
    box.append_attribute("toName") = kVideoObject;

    std::ostringstream out;
    // No XML declaration: Label Studio's config editor expects the <View> root as the first thing.
    doc.save(out, "  ", pugi::format_indent | pugi::format_no_declaration, pugi::encoding_utf8);
    return out.str();
}

nlohmann::json make_tasks(const std::vector<SegmentTask>& tasks, const std::string& lesson_name) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : tasks) {
        if (!(t.end > t.start))
            throw Error(ErrorCode::InvalidArgument, "segment " + std::to_string(t.index) + ": end (" +
                                                        std::to_string(t.end) + ") must be after start (" +
                                                        std::to_string(t.start) + ")");
        if (!(t.fps > 0))
            throw Error(ErrorCode::InvalidArgument,
                        "segment " + std::to_string(t.index) + ": frame rate must be > 0, got " + std::to_string(t.fps));
        nlohmann::json data = {
            {"video", t.video_url},
            {"audio", t.audio_url},
            {"image", t.keyframe_url},
            {"segment", t.index},
            {"start", t.start},
            {"end", t.end},
            {"fps", t.fps},
            {"lesson", lesson_name},
            {"features", t.features.is_null() ? nlohmann::json::object() : t.features},
        };
        list.push_back({{"data", std::move(data)}});
    }
    return list;
}

std::string percent_encode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string media_url(const std::string& base_url, const std::string& relative_path) {
    std::string rel = relative_path;
    for (char& c : rel)
        if (c == '\\') c = '/';
    if (rel.empty()) throw Error(ErrorCode::InvalidArgument, "empty media path");
    if (rel.front() == '/')
        throw Error(ErrorCode::InvalidArgument, "media path must be relative to the served folder", relative_path);

    std::string encoded;
    size_t pos = 0;
    for (;;) {
        const size_t slash = rel.find('/', pos);
        const std::string segment = rel.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        if (segment == "..")
            throw Error(ErrorCode::InvalidArgument, "media path must not leave the served folder ('..')",
                        relative_path);
        // "a//b" and "./a" name the same file as "a/b"; dropping the empty / "." segments keeps
        // Label Studio's path check (a prefix comparison) from failing on them.
        if (!segment.empty() && segment != ".") {
            if (!encoded.empty()) encoded += '/';
            encoded += percent_encode(segment);
        }
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    if (encoded.empty()) throw Error(ErrorCode::InvalidArgument, "media path names no file", relative_path);

    if (base_url.empty()) return "/data/local-files/?d=" + encoded;
    return base_url.back() == '/' ? base_url + encoded : base_url + "/" + encoded;
}

}  // namespace vidseg::annotations
