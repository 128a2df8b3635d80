// Recurring audio (issue 16 §2): sound that two episodes share under DIFFERENT pictures — a music cue
// reused in the score, a catchphrase, a jingle — is not an intro. An intro is consistent in structure:
// the same sound and, where both episodes have pictures, the same pictures. Runs the sound alone found
// whose pictures clearly differ are taken out of the intro candidates and reported per episode as
// recurring audio (`vidseg intro detect --json`); the audio-first fast path (no pictures) cannot tell
// them apart and hands any recurrence outside the intro to the fused pass.
#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/intro/visual_fingerprint.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

// One stretch of an episode whose sound recurs in other episodes but is not its intro.
struct RecurringAudio {
    timeline::Interval interval;        // in this episode, seconds
    std::vector<std::size_t> partners;  // the episodes (indices as given to detection) it recurs in
    // True: both episodes' pictures were compared over the run and differ (a reused sound). False:
    // the pictures were not compared (audio-only pass or an episode without video).
    bool pictures_differ = false;
};

// Share of the comparable slots (neither picture flat) of a over in_a whose hashes agree with b's at
// a's time - offset (at most max_distance bits; best of the neighbouring slot offsets), or a negative
// value when fewer than min_slots slots can be compared (no video, flat pictures, too short).
double picture_agreement(const VisualFingerprint& a, const VisualFingerprint& b, const timeline::Interval& in_a,
                         double offset, int max_distance = 12, int min_slots = 8);

// Whether the pictures over a run found by the sound clearly differ (agreement below 20 %: unrelated
// pictures agree on a few slots by chance, the same pictures re-encoded on most).
bool pictures_clearly_differ(const VisualFingerprint& a, const VisualFingerprint& b, const timeline::Interval& in_a,
                             double offset);

// Adds (interval, partner) to an episode's list: merged into an overlapping entry with the same
// pictures_differ (union of the intervals and partners), else appended; the list stays sorted by start.
void add_recurring_audio(std::vector<RecurringAudio>& list, const timeline::Interval& interval, std::size_t partner,
                         bool pictures_differ);

// The entries that do not overlap `intro` (nullptr = no intro): what the episode reports.
std::vector<RecurringAudio> outside_intro(const std::vector<RecurringAudio>& list, const timeline::Interval* intro);

// [[start, end, pictures_differ, [partners...]], ...] (the detection-result cache) and its inverse;
// recurring_audio_from throws nlohmann::json::exception on anything else.
nlohmann::json recurring_audio_json(const std::vector<RecurringAudio>& list);
std::vector<RecurringAudio> recurring_audio_from(const nlohmann::json& doc);

}  // namespace vidseg::intro
