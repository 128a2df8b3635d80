#include "vidseg/models/lesson_context.hpp"

#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/core/messages.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/models/lesson_keyframes.hpp"
#include "vidseg/models/lesson_transcript.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;

void add_talk(const LessonContextOptions& o, LessonContext& out) {
    if (o.features && has_talk_columns(o.features->spec) && o.features->spec.step <= 1.0 + 1e-9) {
        out.talk = estimate_talk_shares(*o.features);
        return;
    }
    if (o.video.empty()) {
        out.talk_note = Messages().text(Msg::NoteNoTalkColumns);
        return;
    }
    try {
        features::TimelineOptions audio_only;  // 1 s rows, audio columns only
        audio_only.visual = false;
        auto result = features::compute_timeline_features(o.video, audio_only, o.progress);
        if (!has_talk_columns(result.matrix.spec)) {
            out.talk_note = Messages().text(Msg::NoteNoAudioStream);
            return;
        }
        out.talk = estimate_talk_shares(result.matrix);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Interrupted) throw;
        out.talk_note = Messages().text(Msg::NoteAudioNotAnalysed, {{"cause", e.cause()}});
    }
}

void add_keyframes(const LessonContextOptions& o, const std::vector<Detection>& top, LessonContext& out) {
    if (top.empty()) {
        out.keyframe_note = Messages().text(Msg::NoteNoSegments);
        return;
    }
    if (o.video.empty()) {
        out.keyframe_note = Messages().text(Msg::NoteVideoNotFound);
        return;
    }
    std::vector<double> middles;
    for (const auto& d : top) middles.push_back(d.span.start + d.span.length() / 2);
    try {
        out.keyframes = keyframe_data_uris(o.video, middles);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Interrupted) throw;
        out.keyframe_note = Messages().text(Msg::NoteNoPictures, {{"cause", e.cause()}});
    }
}

void add_snippets(const LessonContextOptions& o, const std::vector<Detection>& top, LessonContext& out) {
    std::vector<TranscriptSegment> segments;
    if (!o.transcript.empty()) {
        segments = read_lesson_transcript(o.transcript);
        out.transcript_source = o.transcript;
    } else if (o.transcribed && !o.transcribed_by.empty()) {
        segments = *o.transcribed;
        out.transcript_source = o.transcribed_by;
    } else if (o.transcriber.backend != asr::Backend::None) {
        if (o.video.empty())
            throw Error(ErrorCode::InvalidArgument,
                        "--whisper-backend needs the lesson video (a feature file was given)");
        auto transcriber = asr::make_transcriber(o.transcriber);
        const auto transcript = transcriber->transcribe(media::read_audio(o.video, media::AudioFormat{}));
        segments = transcript.segments;  // with the word times that place the snippets
        out.transcript_source = transcriber->description();
    } else if (const auto beside = o.video.empty() ? std::nullopt : find_transcript_beside(o.video)) {
        segments = read_lesson_transcript(*beside);
        out.transcript_source = beside->string();
    } else {
        out.transcript_note = Messages().text(Msg::NoteNoTranscript);
        return;
    }
    std::vector<std::string> snippets;
    for (const auto& d : top) snippets.push_back(transcript_snippet(segments, d.span.start, d.span.end));
    out.snippets = std::move(snippets);
}

}  // namespace

LessonContext gather_lesson_context(const LessonContextOptions& options, const std::vector<Detection>& top) {
    LessonContext out;
    add_talk(options, out);
    add_keyframes(options, top, out);
    add_snippets(options, top, out);
    return out;
}

}  // namespace vidseg::models
