// The message catalogue: every fixed text users read in console results and HTML reports, one table
// per language (messages.cpp), keyed by Msg. A table that misses a message, holds one twice, or whose
// plural forms do not fit its language's rules does not compile (static_assert in messages.cpp).
//
// Texts have named placeholders, "{start}", filled by Messages::text. A plural message holds its forms
// separated by '|' (English one|other, Russian one|few|many) and is filled by Messages::count, which
// picks the form for n and puts n into "{n}". Data (pattern names, file names, notes from the data)
// goes into placeholders and is never translated.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "vidseg/core/language.hpp"

namespace vidseg {

enum class Msg : std::size_t {
    // Counted nouns (plural): "{n} fragment(s)", "{n} фрагмент|фрагмента|фрагментов".
    CountFragments,
    CountFiles,
    CountItems,
    CountSegments,
    CountClips,
    CountIntervals,
    CountPatterns,
    // intro detect
    IntroFound,
    IntroNotFound,
    IntroConfirmation,  // plural in {n}, the other episodes of the series
    IntroLibraryMatch,
    IntroSeriesHeader,  // plural in {n}
    IntroSeriesLine,
    IntroVariantsOfSeries,  // plural in {n}
    IntroVariantsOfSeason,  // plural in {n}
    IntroVariantLine,
    // prepare
    PreparedSummary,
    PreparedOutputs,
    PreparedClips,
    PreparedKeyframes,
    PreparedAudioTrack,
    PreparedSegmentAudio,
    PreparedTasks,
    PreparedLabelConfig,
    PreparedManifest,
    // dataset build
    DatasetBuilt,
    DatasetReused,
    DatasetExcluded,
    DatasetExcludedFilesKept,
    DatasetSplit,
    DatasetTranscriptsSkipped,
    DatasetTranscriptsMade,
    DatasetTranscribedBy,
    DatasetNothingNoInterval,
    DatasetNothingFailed,
    DatasetEveryLabelMatched,
    DatasetUnmatchedLabels,
    DatasetSummaryWritten,
    DatasetSummaryNotWritten,
    DatasetReviewAborted,
    // patterns find (console)
    PatternsLesson,
    PatternsTotal,
    PatternsTalk,
    PatternsOneVoice,
    PatternsTalkUnavailable,
    PatternsTranscriptsUnavailable,
    PatternsReportWritten,
    // patterns find (HTML report)
    ReportTitle,
    ReportHeading,
    ReportModelLine,
    ReportTalkHeading,
    ReportNotAvailable,
    ReportPartOfLesson,
    ReportShare,
    ReportMinutes,
    ReportTeacherTalk,
    ReportStudentTalk,
    ReportSilence,
    ReportHowEstimated,
    ReportTotalsHeading,
    ReportPattern,
    ReportSeconds,
    ReportIntervals,
    ReportMeanProbability,
    ReportTopSegmentsHeading,
    ReportKeyframesUnavailable,
    ReportSnippetsFrom,
    ReportTranscriptsUnavailable,
    ReportStart,
    ReportEnd,
    ReportScore,
    ReportKeyframe,
    ReportTranscript,
    ReportFrameAt,
    ReportIntervalTitle,
    ReportTeacher,
    ReportStudents,
    ReportTalkLane,
    ReportWordsBehind,  // a text model's top segment: the n-grams that drove it
    // Explanations the library gives in English (JSON, logs): Messages::from_english renders them in
    // the user's language on the console and in reports.
    NoteNoTalkColumns,
    NoteNoAudioStream,
    NoteAudioNotAnalysed,
    NoteNoSegments,
    NoteVideoNotFound,
    NoteNoPictures,
    NoteNoTranscript,
    TalkMethod,
    TalkGroupsApart,
    TalkGroupsNotApart,
    ReasonNoAudioSeveralSeries,
    ReasonSharesNothing,
    ReasonSharesNoAudio,
    ReasonLibraryNoPictures,
    ReasonLibraryNoMatch,

    // vidseg dataset publish / agent watch
    PublishDone,
    PublishDryRun,
    PublishNothingToDo,
    PublishSameContent,
    PublishCardGenerated,
    AgentCycle,
    PublishStaleTempRemoved,  // plural in {n}
    // vidseg keyframes learn
    KeyframesLearned,
    KeyframesNotUsed,
    KeyframesTrainingAgreement,
    KeyframesHeldOutAgreement,
    // Console warnings and notes on stderr (prepare, dataset build, intro detect / learn): the prefix,
    // then the text. Library warnings are English (JSON, logs, the server's job log) and are rendered
    // here with Messages::from_english; data (file names, labels) and error causes stay as they are.
    Warning,
    Note,
    WarnSoundPastPicture,
    WhatSegments,
    WhatClips,
    WarnNoAudioTrack,
    WarnVariableFrameRate,
    WarnTasksWithoutFps,        // plural in {n}
    WarnTestFractionOneLesson,  // plural in {n}
    WarnUnmatchedLabel,
    WarnClosestPattern,
    WarnNoClosePattern,
    WarnSkippingEpisode,
    NoteNoAudioComparedByPictures,
    NoteNoVideoComparedBySound,
    WarnCacheEntryIgnored,
    WarnCachedResultIgnored,
    WarnCacheNotWritten,
    IntroCacheStats,
    // dataset build: the interactive review
    ReviewHeader,
    ReviewEarlierExcluded,
    ReviewHelp,  // '|' (a plural separator in a message) as the placeholder {bar}
    ReviewPrompt,
    ReviewStateExcluded,
    ReviewStateKept,
    ReviewNoPattern,
    ReviewListTotal,
    ReviewFrame,
    ReviewExcludedNow,
    ReviewKeptNow,
    ReviewConfirmed,
    ReviewAborted,
    ReviewEndOfInput,
    ReviewUnknownCommand,
    ReviewError,
    ReviewNoViewer,
    ReviewViewerFailed,
    // intro learn
    CountIntroVariants,
    CountEpisodes,
    LearnedSummary,
    LearnedVariantLine,
    LearnedNoIntro,
    // predict
    PredictScore,
    PredictIntervals,  // plural in {n}
    PredictIntervalLine,
    PredictWords,  // a text model's interval: the n-grams that drove it
    PredictSkipped,
    PredictFailed,  // plural in {n}, the inputs
    PredictNothingWritten,
    Count  // not a message: the number of messages
};

struct MessageArg {
    std::string_view name;  // placeholder name without braces
    std::string value;
};

class Messages {
  public:
    explicit Messages(Language language = Language::English) : language_(language) {}
    Language language() const noexcept { return language_; }

    // The message with its placeholders filled ("{name}" -> value; an unknown one stays as it is).
    std::string text(Msg id, std::initializer_list<MessageArg> args = {}) const;
    // A plural message: the form for n, with "{n}" = n and the other placeholders filled.
    std::string count(Msg id, long long n, std::initializer_list<MessageArg> args = {}) const;

    // An English text made by Messages().text / count (an explanation the library stored in English)
    // in this language, its placeholder values translated too when they are messages; a text that is
    // no message of the catalogue is returned as it is.
    std::string from_english(std::string_view english) const;

    // A number with `digits` decimals: "12.5" in English, "12,5" in Russian.
    std::string number(double value, int digits) const;
    // A share as a percentage: "12.5%" in English, "12,5 %" in Russian.
    std::string percent(double share, int digits = 1) const;

  private:
    Language language_;
};

// The raw text of a message in a language (plural forms still joined by '|'): for tests and tools.
std::string_view message_template(Language language, Msg id);
// Whether a message has plural forms.
bool is_plural_message(Msg id);

}  // namespace vidseg
