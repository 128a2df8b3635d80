#include "vidseg/timeline/interval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "vidseg/core/error.hpp"

namespace vidseg::timeline {

double iou(const Interval& a, const Interval& b) noexcept {
    const double inter = std::max(0.0, std::min(a.end, b.end) - std::max(a.start, b.start));
    const double uni = a.length() + b.length() - inter;
    return uni > 0 ? inter / uni : 0.0;
}

std::vector<Interval> fixed_segments(double duration, double length, double min_last) {
    if (!(duration > 0) || !std::isfinite(duration))
        throw Error(ErrorCode::InvalidArgument, "duration must be > 0, got " + std::to_string(duration));
    if (!(length > 0) || !std::isfinite(length))
        throw Error(ErrorCode::InvalidArgument, "segment length must be > 0, got " + std::to_string(length));
    if (!(min_last >= 0))
        throw Error(ErrorCode::InvalidArgument, "min_last must be >= 0, got " + std::to_string(min_last));

    std::vector<Interval> out;
    // Boundaries are computed as i * length (not by accumulating) so that segment 1000 of a long
    // lesson does not drift by the summed rounding error of 1000 additions.
    // The epsilon keeps a duration that is an exact multiple of length (10.0 / 5.0) from producing
    // a zero-length tail through floating-point noise.
    const double eps = 1e-9;
    for (long long i = 0;; ++i) {
        const double start = static_cast<double>(i) * length;
        if (start >= duration - eps) break;
        const double end = std::min(duration, static_cast<double>(i + 1) * length);
        if (end - start < min_last && i > 0) break;  // tiny remainder: drop
        out.push_back({start, end});
    }
    // A whole video shorter than min_last still yields its single segment: dropping it would
    // leave the caller with nothing, which is never what "cut this video" means.
    return out;
}

std::string format_timecode(double seconds) {
    if (!(seconds >= 0) || !std::isfinite(seconds))
        throw Error(ErrorCode::InvalidArgument, "timecode must be a finite non-negative number of seconds");
    const long long total_ms = std::llround(seconds * 1000.0);
    const long long ms = total_ms % 1000;
    const long long s = (total_ms / 1000) % 60;
    const long long m = (total_ms / 60000) % 60;
    const long long h = total_ms / 3600000;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%03lld", h, m, s, ms);
    return buf;
}

namespace {

[[noreturn]] void bad_timecode(const std::string& text, const std::string& why) {
    throw Error(ErrorCode::InvalidData, "invalid timecode '" + text + "': " + why);
}

// A non-negative decimal number: digits with an optional fraction. Rejects signs, exponents,
// "inf"/"nan" and hex, which strtod would accept but no label file means.
double parse_field(const std::string& field, const std::string& whole, bool allow_fraction) {
    if (field.empty()) bad_timecode(whole, "empty field");
    size_t dots = 0, digits = 0;
    for (char c : field) {
        if (c == '.')
            ++dots;
        else if (c >= '0' && c <= '9')
            ++digits;
        else
            bad_timecode(whole, std::string("unexpected character '") + c + "'");
    }
    if (digits == 0 || dots > 1) bad_timecode(whole, "not a number: '" + field + "'");
    if (dots == 1 && !allow_fraction) bad_timecode(whole, "only the seconds field may have a fraction");
    return std::stod(field);
}

}  // namespace

double parse_timecode(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    if (first == std::string::npos) bad_timecode(text, "empty");
    const std::string t = text.substr(first, last - first + 1);

    std::vector<std::string> fields;
    size_t pos = 0;
    for (;;) {
        const size_t colon = t.find(':', pos);
        fields.push_back(t.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
        if (colon == std::string::npos) break;
        pos = colon + 1;
    }
    if (fields.size() > 3) bad_timecode(t, "too many ':' fields");

    if (fields.size() == 1) return parse_field(fields[0], t, true);

    const double sec = parse_field(fields.back(), t, true);
    const double min = parse_field(fields[fields.size() - 2], t, false);
    const double hours = fields.size() == 3 ? parse_field(fields[0], t, false) : 0.0;
    if (sec >= 60) bad_timecode(t, "seconds must be < 60");
    // In "MM:SS" the minutes are the leading field and may exceed 59 ("75:00" = 75 min), as
    // players print it that way; with hours present they must be a proper clock field.
    if (fields.size() == 3 && min >= 60) bad_timecode(t, "minutes must be < 60");
    return hours * 3600.0 + min * 60.0 + sec;
}

}  // namespace vidseg::timeline
