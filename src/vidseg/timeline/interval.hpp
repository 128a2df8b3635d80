// Time intervals on a video's timeline, the fixed-length segmentation used by `vidseg prepare`,
// and timecode text in the forms users write in label files ("H:MM:SS", "HH:MM:SS.mmm", ...).
#pragma once

#include <string>
#include <vector>

namespace vidseg::timeline {

// A half-open span [start, end) in seconds.
struct Interval {
    double start = 0;
    double end = 0;
    // end - start, never negative (an inverted interval has no extent).
    double length() const noexcept { return end > start ? end - start : 0.0; }
    bool operator==(const Interval&) const = default;
};

// Intersection over union; 0 when either interval is empty or they do not overlap.
double iou(const Interval& a, const Interval& b) noexcept;

// Cuts [0, duration) into [0,L), [L,2L), ...; the last piece ends at duration and may be shorter.
// A remainder shorter than min_last is dropped (a few frames past the last boundary are noise
// from container rounding, not a segment worth labeling).
// Throws InvalidArgument when duration <= 0, length <= 0 or min_last < 0.
std::vector<Interval> fixed_segments(double duration, double length, double min_last = 0.04);

// "HH:MM:SS.mmm", rounded to the millisecond; hours grow past 99 if needed. Negative → InvalidArgument.
std::string format_timecode(double seconds);

// Accepts "H:MM:SS", "HH:MM:SS.mmm", "MM:SS(.fff)", and plain seconds ("12", "12.5").
// Surrounding whitespace is ignored. Throws InvalidData on anything else (empty text,
// letters, more than three fields, minutes/seconds >= 60 in a colon form, negative values).
double parse_timecode(const std::string& text);

}  // namespace vidseg::timeline
