#include "vidseg/annotations/video_track.hpp"

#include <algorithm>
#include <cmath>

#include "vidseg/core/error.hpp"

namespace vidseg::annotations {

namespace {

constexpr double kTimeEps = 1e-9;

Box lerp(const Box& a, const Box& b, double alpha) {
    auto mix = [alpha](double u, double v) { return u + (v - u) * alpha; };
    return {mix(a.x, b.x), mix(a.y, b.y), mix(a.width, b.width), mix(a.height, b.height), mix(a.rotation, b.rotation)};
}

double number_field(const nlohmann::json& obj, const char* key, const std::string& where, size_t index,
                    bool required, double fallback = 0) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        if (!required) return fallback;
        throw Error(ErrorCode::InvalidData,
                    where + ": sequence[" + std::to_string(index) + "] has no '" + key + "'");
    }
    if (!it->is_number())
        throw Error(ErrorCode::InvalidData,
                    where + ": sequence[" + std::to_string(index) + "]." + key + " must be a number, got " + it->dump());
    return it->get<double>();
}

}  // namespace

std::optional<Box> VideoTrack::box_at(double t) const {
    if (keyframes.empty() || !std::isfinite(t)) return std::nullopt;
    if (t < keyframes.front().time - kTimeEps) return std::nullopt;
    if (duration > 0 && t > duration + kTimeEps) return std::nullopt;
    // Last keyframe with time <= t.
    auto next = std::upper_bound(keyframes.begin(), keyframes.end(), t + kTimeEps,
                                 [](double v, const TrackKeyframe& k) { return v < k.time; });
    const TrackKeyframe& cur = *std::prev(next);
    if (std::abs(t - cur.time) <= kTimeEps) return cur.box;  // on a keyframe: shown even when it ends the track
    if (!cur.enabled) return std::nullopt;                    // gap after a disabled keyframe
    if (next == keyframes.end()) return cur.box;              // enabled last keyframe holds to the end
    const double span = next->time - cur.time;
    const double alpha = span > 0 ? (t - cur.time) / span : 0.0;
    return lerp(cur.box, next->box, alpha);
}

VideoTrack parse_video_track(const nlohmann::json& value, const std::string& where, std::optional<double> fps) {
    if (!value.is_object()) throw Error(ErrorCode::InvalidData, where + ": videorectangle value must be an object");
    auto seq = value.find("sequence");
    if (seq == value.end() || !seq->is_array())
        throw Error(ErrorCode::InvalidData, where + ": videorectangle value has no 'sequence' array");
    VideoTrack track;
    if (auto it = value.find("framesCount"); it != value.end() && it->is_number()) track.frames_count = it->get<int>();
    if (auto it = value.find("duration"); it != value.end() && it->is_number()) track.duration = it->get<double>();
    if (auto it = value.find("labels"); it != value.end() && it->is_array())
        for (const auto& l : *it)
            if (l.is_string()) track.labels.push_back(l.get<std::string>());
    for (size_t i = 0; i < seq->size(); ++i) {
        const auto& k = (*seq)[i];
        if (!k.is_object())
            throw Error(ErrorCode::InvalidData, where + ": sequence[" + std::to_string(i) + "] must be an object");
        TrackKeyframe kf;
        kf.frame = static_cast<int>(number_field(k, "frame", where, i, false, 0));
        const bool has_time = k.contains("time") && !k["time"].is_null();
        if (kf.frame > 0 && fps && *fps > 0) {
            kf.time = (kf.frame - 1) / *fps;
        } else if (has_time && kf.frame > 0) {
            // The editor's time = frame / frameRate; frame f is shown at (f - 1) / frameRate.
            kf.time = number_field(k, "time", where, i, true) * (kf.frame - 1) / kf.frame;
        } else if (has_time) {
            kf.time = number_field(k, "time", where, i, true);
        } else {
            throw Error(ErrorCode::InvalidData, where + ": sequence[" + std::to_string(i) +
                                                    "] has no 'time' and no frame rate is known to derive it");
        }
        kf.box.x = number_field(k, "x", where, i, true);
        kf.box.y = number_field(k, "y", where, i, true);
        kf.box.width = number_field(k, "width", where, i, true);
        kf.box.height = number_field(k, "height", where, i, true);
        kf.box.rotation = number_field(k, "rotation", where, i, false, 0);
        if (auto it = k.find("enabled"); it != k.end() && !it->is_null()) {
            if (!it->is_boolean())
                throw Error(ErrorCode::InvalidData,
                            where + ": sequence[" + std::to_string(i) + "].enabled must be true or false");
            kf.enabled = it->get<bool>();
        }
        track.keyframes.push_back(kf);
    }
    std::stable_sort(track.keyframes.begin(), track.keyframes.end(),
                     [](const TrackKeyframe& a, const TrackKeyframe& b) { return a.time < b.time; });
    return track;
}

}  // namespace vidseg::annotations
