// Gathers what the `vidseg patterns find` report shows beside the model's output (LessonContext,
// models/pattern_report.hpp): talk and silence shares, keyframes of the top segments, transcript
// snippets. Each part that cannot be had is left out with a note saying why; only a transcript
// the user named (a missing or malformed --transcript file, a transcriber that fails) is an error.
#pragma once

#include <string>
#include <vector>

#include "vidseg/asr/transcriber.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/models/pattern_report.hpp"

namespace vidseg::models {

struct LessonContextOptions {
    std::string video;  // the lesson's media file; "" when only features are known
    const features::FeatureMatrix* features = nullptr;  // the features the model ran on
    std::string transcript;              // a transcript file (--transcript); "" = look beside the video
    asr::TranscriberConfig transcriber;  // Backend::None = do not transcribe
    // What the transcriber already said (the text columns of the model needed it), used instead of
    // transcribing again; nullptr / empty = not transcribed yet.
    const std::vector<features::TranscriptSegment>* transcribed = nullptr;
    std::string transcribed_by;
    Progress* progress = nullptr;
};

// Talk: from `features` when they have the columns (lesson_talk.hpp) on a grid of at most 1 s, else
// from the video's audio computed at 1 s. Keyframes: the middle frame of every top segment.
// Transcript: the named file, else the transcriber, else a file beside the video.
LessonContext gather_lesson_context(const LessonContextOptions& options, const std::vector<Detection>& top);

}  // namespace vidseg::models
