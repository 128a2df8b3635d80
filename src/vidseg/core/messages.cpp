#include "vidseg/core/messages.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace vidseg {

namespace {

struct Entry {
    Msg id;
    std::string_view text;
};

constexpr std::size_t kMessages = static_cast<std::size_t>(Msg::Count);

// English: the console lines are what vidseg printed before the catalogue (scripts parse them), so
// counted nouns that read "fragment(s)" keep doing so.
constexpr Entry kEnglish[] = {
    {Msg::CountFragments, "{n} fragment(s)|{n} fragment(s)"},
    {Msg::CountFiles, "{n} file(s)|{n} file(s)"},
    {Msg::CountItems, "{n} item(s)|{n} item(s)"},
    {Msg::CountSegments, "{n} segment|{n} segments"},
    {Msg::CountClips, "{n} clip|{n} clips"},
    {Msg::CountIntervals, "{n} interval|{n} intervals"},
    {Msg::CountPatterns, "{n} pattern|{n} patterns"},

    {Msg::IntroFound, "Intro found: {start}s - {end}s"},
    {Msg::IntroNotFound, "No intro found"},
    {Msg::IntroConfirmation,
     "(confirmed by {confirmed} of {n} episode, confidence {confidence})|"
     "(confirmed by {confirmed} of {n} episodes, confidence {confidence})"},
    {Msg::IntroLibraryMatch, "(variant {variant}, confidence {confidence})"},
    {Msg::IntroSeriesHeader,
     "The episodes belong to {n} different series (grouped by shared audio or pictures):|"
     "The episodes belong to {n} different series (grouped by shared audio or pictures):"},
    {Msg::IntroSeriesLine, "  series {series}:{episodes}"},
    {Msg::IntroVariantsOfSeries,
     "Series {series} shows {n} intro variant:|Series {series} shows {n} intro variants:"},
    {Msg::IntroVariantsOfSeason,
     "The episodes show {n} intro variant:|The episodes show {n} intro variants:"},
    {Msg::IntroVariantLine, "  variant {variant}:{episodes}"},

    {Msg::PreparedSummary, "Prepared {segments} of {length} s from {video} in {seconds} s ({mode} mode)"},
    {Msg::PreparedOutputs, "Outputs in {dir}:"},
    {Msg::PreparedClips, "  part_films/        {clips}"},
    {Msg::PreparedKeyframes,
     "  processed_data/    keyframes (segment_<i>_keyframe.jpg), features.jsonl, features.csv"},
    {Msg::PreparedAudioTrack, "full audio track ({rate} Hz, {channels} ch)"},
    {Msg::PreparedSegmentAudio,
     "  audio/             each segment's audio (segment_<i>.wav), what its task plays"},
    {Msg::PreparedTasks, "  tasks.json         Label Studio tasks (import into a project)"},
    {Msg::PreparedLabelConfig, "  label_config.xml   Label Studio labeling config"},
    {Msg::PreparedManifest, "  manifest.json      input, parameters and every segment's actual boundaries"},

    {Msg::DatasetBuilt, "Built dataset {dir}: {fragments} ({crops} with a crop) in {seconds} s"},
    {Msg::DatasetReused,
     "  {fragments} reused unchanged from an earlier build; {files} made, {reused} reused"},
    {Msg::DatasetExcluded, "  excluded in review: {fragments}{kept} (decisions in review.jsonl)"},
    {Msg::DatasetExcludedFilesKept, ", files kept under excluded/"},
    {Msg::DatasetSplit, "  split by lesson: train {train}, test {test}"},
    {Msg::DatasetTranscriptsSkipped, "  transcripts: skipped (no --whisper-backend; transcripts/ is empty)"},
    {Msg::DatasetTranscriptsMade, "  transcripts: {made} made{by}, {reused} reused"},
    {Msg::DatasetTranscribedBy, " by {transcriber}"},
    {Msg::DatasetNothingNoInterval, "Nothing written: no valid labeled interval for the given videos"},
    {Msg::DatasetNothingFailed,
     "Nothing written: {items} failed (use --keep-going to write the {good} good ones)"},
    {Msg::DatasetEveryLabelMatched, "  every label matched a pattern"},
    {Msg::DatasetUnmatchedLabels, "  unmatched labels (kept in 'labels', no pattern): {labels}"},
    {Msg::DatasetSummaryWritten, "Summary: {items} failed, {fragments} written"},
    {Msg::DatasetSummaryNotWritten, "Summary: {items} failed, {fragments} not written"},
    {Msg::DatasetReviewAborted, "Review aborted: nothing written (finished files are kept for the next run)"},

    {Msg::PatternsLesson, "{source} ({minutes} min)"},
    {Msg::PatternsTotal, "  {pattern} {seconds} s  {share}%  {intervals}"},
    {Msg::PatternsTalk, "  talk: teacher {teacher}%, students {students}%, silence {silence}%{one_voice}"},
    {Msg::PatternsOneVoice, " (one voice: all speech counted as the teacher's)"},
    {Msg::PatternsTalkUnavailable, "  talk: not available ({note})"},
    {Msg::PatternsTranscriptsUnavailable, "  transcripts: not available ({note})"},
    {Msg::PatternsReportWritten, "report written to {html} (figures in {json})"},

    {Msg::ReportTitle, "Patterns: {source}"},
    {Msg::ReportHeading, "Patterns in {source}"},
    {Msg::ReportModelLine,
     "Model: {arch}, {patterns}; lesson {minutes} min. Curves: probability per {step} s row; "
     "shaded: detected intervals."},
    {Msg::ReportTalkHeading, "Talk and silence"},
    {Msg::ReportNotAvailable, "Not available: {note}."},
    {Msg::ReportPartOfLesson, "part of the lesson"},
    {Msg::ReportShare, "share"},
    {Msg::ReportMinutes, "minutes"},
    {Msg::ReportTeacherTalk, "teacher talk"},
    {Msg::ReportStudentTalk, "student talk"},
    {Msg::ReportSilence, "silence"},
    {Msg::ReportHowEstimated, "How this was estimated: {method}"},
    {Msg::ReportTotalsHeading, "Totals per pattern"},
    {Msg::ReportPattern, "pattern"},
    {Msg::ReportSeconds, "seconds"},
    {Msg::ReportIntervals, "intervals"},
    {Msg::ReportMeanProbability, "mean probability"},
    {Msg::ReportTopSegmentsHeading, "Top segments"},
    {Msg::ReportKeyframesUnavailable, "Keyframes: not available ({note})."},
    {Msg::ReportSnippetsFrom, "Transcript snippets from {source}."},
    {Msg::ReportTranscriptsUnavailable, "Transcripts were not available ({note}): no snippets."},
    {Msg::ReportStart, "start"},
    {Msg::ReportEnd, "end"},
    {Msg::ReportScore, "score"},
    {Msg::ReportKeyframe, "keyframe (middle)"},
    {Msg::ReportTranscript, "transcript"},
    {Msg::ReportFrameAt, "frame at {time}"},
    {Msg::ReportIntervalTitle, "{pattern} {start}-{end} s, score {score}"},
    {Msg::ReportTeacher, "teacher"},
    {Msg::ReportStudents, "students"},
    {Msg::ReportTalkLane, "talk: teacher (blue), students (orange)"},
    {Msg::ReportWordsBehind, "words behind it:"},

    {Msg::NoteNoTalkColumns,
     "the features have no speech_fraction / MFCC columns on a 1 s grid and the lesson video "
     "was not found"},
    {Msg::NoteNoAudioStream, "the lesson has no audio stream"},
    {Msg::NoteAudioNotAnalysed, "the lesson's audio could not be analysed: {cause}"},
    {Msg::NoteNoSegments, "no segments were detected"},
    {Msg::NoteVideoNotFound, "the lesson video was not found (the report was made from a feature file)"},
    {Msg::NoteNoPictures, "no pictures: {cause}"},
    {Msg::NoteNoTranscript,
     "no --transcript, no transcript file beside the lesson (.srt, .vtt, .transcript.json) "
     "and no --whisper-backend"},
    {Msg::TalkMethod,
     "Speech: rows of {ms} ms whose voice-activity share (energy above the lesson's noise floor + 12 dB, "
     "tonal "
     "spectrum) is at least {threshold}; the rest is silence. Teacher vs students: the speech rows' timbre "
     "(mean MFCC "
     "1-12, standardised) split in two by k-means; the larger group is taken to be the teacher (the lesson's "
     "dominant "
     "speaker). {verdict} An estimate from the audio only: not speaker recognition."},
    {Msg::TalkGroupsApart,
     "The groups are apart (separation {separation} >= {minimum}), so the smaller one is counted "
     "as students."},
    {Msg::TalkGroupsNotApart,
     "The groups were not clearly apart (separation {separation} < {minimum}, or too little "
     "speech), so all speech is counted as the teacher's."},
    {Msg::ReasonNoAudioSeveralSeries,
     "has no audio, and the folder holds episodes of {count} series: cannot tell which "
     "one it belongs to"},
    {Msg::ReasonSharesNothing,
     "shares no audio with any other episode given, nor pictures (another series, or its "
     "intro is missing)"},
    {Msg::ReasonSharesNoAudio,
     "shares no audio with any other episode given (another series, or its intro is missing)"},
    {Msg::ReasonLibraryNoPictures, "it has no audio, and the intro library has no pictures to match it by"},
    {Msg::ReasonLibraryNoMatch, "no intro variant of the library matches its first {seconds} s"},

    {Msg::PublishDone,
     "Published {dir} to {target}: {sent} sent ({bytes} bytes), {copied} copied at the target, {deleted} deleted, "
     "{unchanged} unchanged in {seconds} s"},
    {Msg::PublishDryRun,
     "Dry run for {target}: would send {sent} ({bytes} bytes), copy {copied} at the target, delete {deleted}; "
     "{unchanged} unchanged"},
    {Msg::PublishNothingToDo, "Nothing to publish: {target} already holds every file of {dir} ({files} unchanged)"},
    {Msg::PublishSameContent, "  same content as {source}, published {time}"},
    {Msg::PublishCardGenerated, "  dataset card: generated (the folder has no README.md)"},
    {Msg::AgentCycle,
     "Cycle {cycle}: {found} lesson(s) found, {published} published, {skipped} already published, {failed} failed, "
     "{waiting} waiting"},
    {Msg::PublishStaleTempRemoved,
     "  removed {n} temp file an interrupted publication left at the target|"
     "  removed {n} temp files an interrupted publication left at the target"},
    {Msg::KeyframesLearned,
     "Learned a keyframe model from {decisions} review decisions ({picks} picked frames, {accepted} accepted "
     "suggestions) in {folders} dataset(s): {out}"},
    {Msg::KeyframesNotUsed,
     "  not used: {excluded} excluded, {undecided} without a decision, {off} picks that are no candidate, {single} with "
     "one candidate"},
    {Msg::KeyframesTrainingAgreement,
     "  training decisions ({decisions}): the model takes the reviewer's frame in {model} %, the fixed score in "
     "{heuristic} %"},
    {Msg::KeyframesHeldOutAgreement,
     "  held-out decisions ({decisions}): the model takes the reviewer's frame in {model} %, the fixed score in "
     "{heuristic} %"},
    {Msg::Warning, "warning: {text}"},
    {Msg::Note, "note: {text}"},
    {Msg::WarnSoundPastPicture,
     "the sound continues {past} s past the picture (picture ends at {picture} s, sound at {sound} s): "
     "{what} "
     "cover the picture only; 'vidseg audio' extracts the whole sound"},
    {Msg::WhatSegments, "segments"},
    {Msg::WhatClips, "clips"},
    {Msg::WarnNoAudioTrack, "the video has no audio track: no WAV, no audio features"},
    {Msg::WarnVariableFrameRate, "variable frame rate: Label Studio tasks carry the average fps"},
    {Msg::WarnTasksWithoutFps,
     "{n} task(s) without fps ({tasks}): frame numbers read at {rate} fps, probed from {video}; if the "
     "project's <Video> has no frameRate, Label Studio numbered them at 24 fps: give --label-config or --fps|"
     "{n} task(s) without fps ({tasks}): frame numbers read at {rate} fps, probed from {video}; if the "
     "project's <Video> has no frameRate, Label Studio numbered them at 24 fps: give --label-config or "
     "--fps"},
    {Msg::WarnTestFractionOneLesson,
     "--test-fraction: only {n} lesson(s) with fragments; a lesson is never split, so everything is in train|"
     "--test-fraction: only {n} lesson(s) with fragments; a lesson is never split, so everything is in "
     "train"},
    {Msg::WarnUnmatchedLabel, "label '{label}' matches no pattern ({closest}); kept in 'labels'"},
    {Msg::WarnClosestPattern, "closest: '{pattern}', score {score}"},
    {Msg::WarnNoClosePattern, "no close pattern"},
    {Msg::WarnSkippingEpisode, "skipping '{episode}': {error}"},
    {Msg::NoteNoAudioComparedByPictures, "'{episode}' has no audio stream: compared by its pictures only"},
    {Msg::NoteNoVideoComparedBySound, "'{episode}' has no video stream: compared by its sound only"},
    {Msg::WarnCacheEntryIgnored, "ignoring fingerprint cache entry {path} ({why}); recomputing"},
    {Msg::WarnCachedResultIgnored, "ignoring cached detection result {path} ({why}); recomputing"},
    {Msg::WarnCacheNotWritten, "cannot write the fingerprint cache: {cause}"},
    {Msg::IntroCacheStats, "fingerprint cache {dir}: {hits} hit(s), {misses} miss(es)"},

    {Msg::ReviewHeader, "Review of {fragments} before the dataset is written{earlier}:"},
    {Msg::ReviewEarlierExcluded, " ({excluded} excluded by earlier decisions)"},
    {Msg::ReviewHelp,
     "commands:\n"
     "  list {bar} l                 show the items\n"
     "  view N {bar} v N             show the keyframe of item N\n"
     "  x SEL [reason...]        exclude items (SEL: 3,5-9 {bar} all {bar} item ids)\n"
     "  keep SEL {bar} k SEL         keep items again\n"
     "  done {bar} d {bar} y             confirm and build with the kept items\n"
     "  quit {bar} q                 abort: nothing is written\n"},
    {Msg::ReviewPrompt, "review> "},
    {Msg::ReviewStateExcluded, "EXCLUDED"},
    {Msg::ReviewStateKept, "kept    "},
    {Msg::ReviewNoPattern, "no pattern"},
    {Msg::ReviewListTotal, "{items}, {excluded} excluded"},
    {Msg::ReviewFrame, "frame {number} ({id}): {keyframe}"},
    {Msg::ReviewExcludedNow, "excluded {items}; {excluded} of {total} excluded"},
    {Msg::ReviewKeptNow, "kept {items}; {excluded} of {total} excluded"},
    {Msg::ReviewConfirmed, "confirmed: {kept} kept, {excluded} excluded"},
    {Msg::ReviewAborted, "aborted, nothing written"},
    {Msg::ReviewEndOfInput, "end of input without 'done': aborted, nothing written"},
    {Msg::ReviewUnknownCommand, "unknown command '{command}' (type help)"},
    {Msg::ReviewError, "error: {message}"},
    {Msg::ReviewNoViewer,
     "  (no display or viewer: open the file above; set VIDSEG_IMAGE_VIEWER to a command to open it here)"},
    {Msg::ReviewViewerFailed, "  (could not start '{viewer}')"},

    {Msg::CountIntroVariants, "{n} intro variant|{n} intro variants"},
    {Msg::CountEpisodes, "{n} episode|{n} episodes"},
    {Msg::LearnedSummary, "Learned {variants} from {episodes}: {library}"},
    {Msg::LearnedVariantLine, "  variant {variant}: {length}s, {episodes} ({names})"},
    {Msg::LearnedNoIntro, "  no intro: {episode}{why}"},

    {Msg::PredictScore, " (score {score})"},
    {Msg::PredictIntervals, "{source}: {n} intervals|{source}: {n} intervals"},
    {Msg::PredictIntervalLine, "  {start}s - {end}s  {label}  (score {score})"},
    {Msg::PredictWords, "  words: {words}"},
    {Msg::PredictSkipped, "skipped {input}: {reason}"},
    {Msg::PredictFailed, "{failed} of {n} input(s) failed{rest}|{failed} of {n} input(s) failed{rest}"},
    {Msg::PredictNothingWritten, " (nothing written; --keep-going writes the good ones)"},
};

// Russian: plural messages have three forms, one|few|many (1 фрагмент, 2 фрагмента, 5 фрагментов).
// Seconds are "с" and decimals keep the point in console lines (`Заставка обнаружена: 20.00с - 35.00с`,
// what the users' own tools print); HTML reports use the decimal comma (Messages::number).
constexpr Entry kRussian[] = {
    {Msg::CountFragments, "{n} фрагмент|{n} фрагмента|{n} фрагментов"},
    {Msg::CountFiles, "{n} файл|{n} файла|{n} файлов"},
    {Msg::CountItems, "{n} элемент|{n} элемента|{n} элементов"},
    {Msg::CountSegments, "{n} сегмент|{n} сегмента|{n} сегментов"},
    {Msg::CountClips, "{n} клип|{n} клипа|{n} клипов"},
    {Msg::CountIntervals, "{n} интервал|{n} интервала|{n} интервалов"},
    {Msg::CountPatterns, "{n} паттерн|{n} паттерна|{n} паттернов"},

    {Msg::IntroFound, "Заставка обнаружена: {start}с - {end}с"},
    {Msg::IntroNotFound, "Заставка не найдена"},
    {Msg::IntroConfirmation,
     "(подтверждена {confirmed} из {n} эпизода, уверенность {confidence})|"
     "(подтверждена {confirmed} из {n} эпизодов, уверенность {confidence})|"
     "(подтверждена {confirmed} из {n} эпизодов, уверенность {confidence})"},
    {Msg::IntroLibraryMatch, "(вариант {variant}, уверенность {confidence})"},
    {Msg::IntroSeriesHeader,
     "Эпизоды относятся к {n} разному сериалу (сгруппированы по общему звуку или изображению):|"
     "Эпизоды относятся к {n} разным сериалам (сгруппированы по общему звуку или изображению):|"
     "Эпизоды относятся к {n} разным сериалам (сгруппированы по общему звуку или изображению):"},
    {Msg::IntroSeriesLine, "  сериал {series}:{episodes}"},
    {Msg::IntroVariantsOfSeries,
     "Сериал {series}: {n} вариант заставки:|Сериал {series}: {n} варианта заставки:|"
     "Сериал {series}: {n} вариантов заставки:"},
    {Msg::IntroVariantsOfSeason,
     "В эпизодах {n} вариант заставки:|В эпизодах {n} варианта заставки:|"
     "В эпизодах {n} вариантов заставки:"},
    {Msg::IntroVariantLine, "  вариант {variant}:{episodes}"},

    {Msg::PreparedSummary, "Подготовлено: {segments} по {length} с из {video} за {seconds} с (режим {mode})"},
    {Msg::PreparedOutputs, "Результаты в {dir}:"},
    {Msg::PreparedClips, "  part_films/        {clips}"},
    {Msg::PreparedKeyframes,
     "  processed_data/    ключевые кадры (segment_<i>_keyframe.jpg), features.jsonl, features.csv"},
    {Msg::PreparedAudioTrack, "полная звуковая дорожка ({rate} Гц, каналов: {channels})"},
    {Msg::PreparedSegmentAudio,
     "  audio/             звук каждого сегмента (segment_<i>.wav), его проигрывает задача"},
    {Msg::PreparedTasks, "  tasks.json         задачи Label Studio (импортируйте в проект)"},
    {Msg::PreparedLabelConfig, "  label_config.xml   конфигурация разметки Label Studio"},
    {Msg::PreparedManifest, "  manifest.json      вход, параметры и фактические границы каждого сегмента"},

    {Msg::DatasetBuilt, "Набор данных собран в {dir}: {fragments} (с кадрированием: {crops}) за {seconds} с"},
    {Msg::DatasetReused,
     "  без изменений из прошлой сборки: {fragments}; создано: {files}, повторно использовано: {reused}"},
    {Msg::DatasetExcluded, "  исключено при просмотре: {fragments}{kept} (решения в review.jsonl)"},
    {Msg::DatasetExcludedFilesKept, ", файлы сохранены в excluded/"},
    {Msg::DatasetSplit, "  разбиение по урокам: train {train}, test {test}"},
    {Msg::DatasetTranscriptsSkipped,
     "  расшифровки: пропущены (нет --whisper-backend; папка transcripts/ пуста)"},
    {Msg::DatasetTranscriptsMade, "  расшифровки: создано {made}{by}, повторно использовано {reused}"},
    {Msg::DatasetTranscribedBy, " ({transcriber})"},
    {Msg::DatasetNothingNoInterval,
     "Ничего не записано: для данных видео нет ни одного корректного размеченного интервала"},
    {Msg::DatasetNothingFailed,
     "Ничего не записано: не удалось обработать {items} (--keep-going запишет исправные: {good})"},
    {Msg::DatasetEveryLabelMatched, "  каждая метка сопоставлена с паттерном"},
    {Msg::DatasetUnmatchedLabels, "  несопоставленные метки (остались в 'labels', без паттерна): {labels}"},
    {Msg::DatasetSummaryWritten, "Итог: с ошибкой — {items}, записано — {fragments}"},
    {Msg::DatasetSummaryNotWritten, "Итог: с ошибкой — {items}, не записано — {fragments}"},
    {Msg::DatasetReviewAborted,
     "Просмотр прерван: ничего не записано (готовые файлы сохранены для следующего запуска)"},

    {Msg::PatternsLesson, "{source} ({minutes} мин)"},
    {Msg::PatternsTotal, "  {pattern} {seconds} с  {share}%  {intervals}"},
    {Msg::PatternsTalk, "  речь: учитель {teacher}%, ученики {students}%, тишина {silence}%{one_voice}"},
    {Msg::PatternsOneVoice, " (один голос: вся речь засчитана учителю)"},
    {Msg::PatternsTalkUnavailable, "  речь: нет данных ({note})"},
    {Msg::PatternsTranscriptsUnavailable, "  расшифровки: нет ({note})"},
    {Msg::PatternsReportWritten, "отчёт записан в {html} (данные в {json})"},

    {Msg::ReportTitle, "Паттерны: {source}"},
    {Msg::ReportHeading, "Паттерны урока {source}"},
    {Msg::ReportModelLine,
     "Модель: {arch}, {patterns}; урок {minutes} мин. Кривые: вероятность по строкам в {step} с; "
     "заливка: найденные интервалы."},
    {Msg::ReportTalkHeading, "Речь и тишина"},
    {Msg::ReportNotAvailable, "Нет данных: {note}."},
    {Msg::ReportPartOfLesson, "часть урока"},
    {Msg::ReportShare, "доля"},
    {Msg::ReportMinutes, "минуты"},
    {Msg::ReportTeacherTalk, "речь учителя"},
    {Msg::ReportStudentTalk, "речь учеников"},
    {Msg::ReportSilence, "тишина"},
    {Msg::ReportHowEstimated, "Как это оценено: {method}"},
    {Msg::ReportTotalsHeading, "Итоги по паттернам"},
    {Msg::ReportPattern, "паттерн"},
    {Msg::ReportSeconds, "секунды"},
    {Msg::ReportIntervals, "интервалы"},
    {Msg::ReportMeanProbability, "средняя вероятность"},
    {Msg::ReportTopSegmentsHeading, "Главные сегменты"},
    {Msg::ReportKeyframesUnavailable, "Ключевые кадры: нет ({note})."},
    {Msg::ReportSnippetsFrom, "Фрагменты расшифровки из {source}."},
    {Msg::ReportTranscriptsUnavailable, "Расшифровки недоступны ({note}): фрагментов текста нет."},
    {Msg::ReportStart, "начало"},
    {Msg::ReportEnd, "конец"},
    {Msg::ReportScore, "оценка"},
    {Msg::ReportKeyframe, "ключевой кадр (середина)"},
    {Msg::ReportTranscript, "расшифровка"},
    {Msg::ReportFrameAt, "кадр на {time}"},
    {Msg::ReportIntervalTitle, "{pattern} {start}–{end} с, оценка {score}"},
    {Msg::ReportTeacher, "учитель"},
    {Msg::ReportStudents, "ученики"},
    {Msg::ReportTalkLane, "речь: учитель (синий), ученики (оранжевый)"},
    {Msg::ReportWordsBehind, "слова, повлиявшие на решение:"},

    {Msg::NoteNoTalkColumns,
     "в признаках нет столбцов speech_fraction / MFCC с шагом 1 с, а видео урока не найдено"},
    {Msg::NoteNoAudioStream, "в уроке нет звуковой дорожки"},
    {Msg::NoteAudioNotAnalysed, "звук урока не удалось проанализировать: {cause}"},
    {Msg::NoteNoSegments, "сегменты не найдены"},
    {Msg::NoteVideoNotFound, "видео урока не найдено (отчёт построен по файлу признаков)"},
    {Msg::NoteNoPictures, "нет изображений: {cause}"},
    {Msg::NoteNoTranscript,
     "нет --transcript, нет файла расшифровки рядом с уроком (.srt, .vtt, .transcript.json) "
     "и нет --whisper-backend"},
    {Msg::TalkMethod,
     "Речь: строки по {ms} мс, в которых доля голосовой активности (энергия выше шумового порога урока + 12 "
     "дБ, "
     "тональный спектр) не меньше {threshold}; остальное — тишина. Учитель и ученики: тембр речевых строк "
     "(средние "
     "MFCC 1-12, стандартизованные) разделён на две группы методом k-средних; бо́льшая группа считается "
     "учителем "
     "(основным говорящим урока). {verdict} Это оценка только по звуку, а не распознавание говорящих."},
    {Msg::TalkGroupsApart,
     "Группы различимы (разделение {separation} >= {minimum}), поэтому меньшая считается "
     "учениками."},
    {Msg::TalkGroupsNotApart,
     "Группы не различаются явно (разделение {separation} < {minimum} или слишком мало "
     "речи), поэтому вся речь засчитана учителю."},
    {Msg::ReasonNoAudioSeveralSeries,
     "нет звука, а в папке эпизоды {count} сериалов: нельзя определить, к какому он "
     "относится"},
    {Msg::ReasonSharesNothing,
     "нет общего звука ни с одним другим эпизодом, нет и общих кадров (другой сериал или "
     "в нём нет заставки)"},
    {Msg::ReasonSharesNoAudio,
     "нет общего звука ни с одним другим эпизодом (другой сериал или в нём нет заставки)"},
    {Msg::ReasonLibraryNoPictures, "в нём нет звука, а в библиотеке заставок нет кадров для сравнения"},
    {Msg::ReasonLibraryNoMatch, "ни один вариант заставки из библиотеки не совпадает с первыми {seconds} с"},

    {Msg::PublishDone,
     "Опубликовано {dir} в {target}: отправлено {sent} ({bytes} байт), скопировано на месте {copied}, удалено {deleted}, "
     "без изменений {unchanged} за {seconds} с"},
    {Msg::PublishDryRun,
     "Пробный запуск для {target}: было бы отправлено {sent} ({bytes} байт), скопировано на месте {copied}, удалено "
     "{deleted}; без изменений {unchanged}"},
    {Msg::PublishNothingToDo, "Публиковать нечего: в {target} уже есть все файлы {dir} (без изменений {files})"},
    {Msg::PublishSameContent, "  то же содержимое, что {source}, опубликовано {time}"},
    {Msg::PublishCardGenerated, "  карточка датасета: создана (в папке нет README.md)"},
    {Msg::AgentCycle,
     "Цикл {cycle}: найдено уроков {found}, опубликовано {published}, уже опубликовано {skipped}, с ошибкой {failed}, "
     "ожидают {waiting}"},
    {Msg::PublishStaleTempRemoved,
     "  удалён {n} временный файл, оставленный прерванной публикацией|"
     "  удалено {n} временных файла, оставленных прерванной публикацией|"
     "  удалено {n} временных файлов, оставленных прерванной публикацией"},
    {Msg::KeyframesLearned,
     "Модель выбора ключевых кадров обучена на решениях проверяющих: {decisions} (выбрано кадров {picks}, принято "
     "предложений {accepted}), датасетов {folders}: {out}"},
    {Msg::KeyframesNotUsed,
     "  не использованы: исключено {excluded}, без решения {undecided}, выбранных кадров не из кандидатов {off}, с "
     "одним кандидатом {single}"},
    {Msg::KeyframesTrainingAgreement,
     "  решения для обучения ({decisions}): модель берёт кадр проверяющего в {model} %, фиксированная оценка — в "
     "{heuristic} %"},
    {Msg::KeyframesHeldOutAgreement,
     "  отложенные решения ({decisions}): модель берёт кадр проверяющего в {model} %, фиксированная оценка — в "
     "{heuristic} %"},
    {Msg::Warning, "предупреждение: {text}"},
    {Msg::Note, "примечание: {text}"},
    {Msg::WarnSoundPastPicture,
     "звук продолжается ещё {past} с после конца изображения (изображение заканчивается на {picture} с, звук "
     "— "
     "на {sound} с): {what} покрывают только изображение; 'vidseg audio' извлекает весь звук"},
    {Msg::WhatSegments, "сегменты"},
    {Msg::WhatClips, "клипы"},
    {Msg::WarnNoAudioTrack, "в видео нет звуковой дорожки: нет WAV и звуковых признаков"},
    {Msg::WarnVariableFrameRate, "переменная частота кадров: задачи Label Studio получают среднюю частоту"},
    {Msg::WarnTasksWithoutFps,
     "{n} задача без fps ({tasks}): номера кадров прочитаны при {rate} кадр/с (из {video}); если у <Video> "
     "проекта нет frameRate, Label Studio нумеровал их при 24 кадр/с: укажите --label-config или --fps|"
     "{n} задачи без fps ({tasks}): номера кадров прочитаны при {rate} кадр/с (из {video}); если у <Video> "
     "проекта нет frameRate, Label Studio нумеровал их при 24 кадр/с: укажите --label-config или --fps|"
     "{n} задач без fps ({tasks}): номера кадров прочитаны при {rate} кадр/с (из {video}); если у <Video> "
     "проекта нет frameRate, Label Studio нумеровал их при 24 кадр/с: укажите --label-config или --fps"},
    {Msg::WarnTestFractionOneLesson,
     "--test-fraction: фрагменты есть только в {n} уроке; урок не делится, поэтому всё попадает в train|"
     "--test-fraction: фрагменты есть только в {n} уроках; урок не делится, поэтому всё попадает в train|"
     "--test-fraction: фрагменты есть только в {n} уроках; урок не делится, поэтому всё попадает в train"},
    {Msg::WarnUnmatchedLabel,
     "метка '{label}' не совпадает ни с одним паттерном ({closest}); оставлена в 'labels'"},
    {Msg::WarnClosestPattern, "ближайший: '{pattern}', сходство {score}"},
    {Msg::WarnNoClosePattern, "близких паттернов нет"},
    {Msg::WarnSkippingEpisode, "пропускаю '{episode}': {error}"},
    {Msg::NoteNoAudioComparedByPictures,
     "в '{episode}' нет звуковой дорожки: сравнивается только по изображению"},
    {Msg::NoteNoVideoComparedBySound, "в '{episode}' нет видеодорожки: сравнивается только по звуку"},
    {Msg::WarnCacheEntryIgnored, "запись кэша отпечатков {path} пропущена ({why}); вычисляю заново"},
    {Msg::WarnCachedResultIgnored, "сохранённый результат поиска {path} пропущен ({why}); вычисляю заново"},
    {Msg::WarnCacheNotWritten, "не удалось записать кэш отпечатков: {cause}"},
    {Msg::IntroCacheStats, "кэш отпечатков {dir}: найдено {hits}, вычислено {misses}"},

    {Msg::ReviewHeader, "Просмотр: {fragments} перед записью набора данных{earlier}:"},
    {Msg::ReviewEarlierExcluded, " (исключено прежними решениями: {excluded})"},
    {Msg::ReviewHelp,
     "команды:\n"
     "  list {bar} l                 показать элементы\n"
     "  view N {bar} v N             показать ключевой кадр элемента N\n"
     "  x SEL [причина...]       исключить элементы (SEL: 3,5-9 {bar} all {bar} id элементов)\n"
     "  keep SEL {bar} k SEL         вернуть элементы\n"
     "  done {bar} d {bar} y             подтвердить и собрать набор из оставленных\n"
     "  quit {bar} q                 прервать: ничего не записывается\n"},
    {Msg::ReviewPrompt, "просмотр> "},
    {Msg::ReviewStateExcluded, "ИСКЛЮЧЁН"},
    {Msg::ReviewStateKept, "оставлен"},
    {Msg::ReviewNoPattern, "без паттерна"},
    {Msg::ReviewListTotal, "{items}, исключено: {excluded}"},
    {Msg::ReviewFrame, "кадр {number} ({id}): {keyframe}"},
    {Msg::ReviewExcludedNow, "исключено: {items}; всего исключено {excluded} из {total}"},
    {Msg::ReviewKeptNow, "оставлено: {items}; всего исключено {excluded} из {total}"},
    {Msg::ReviewConfirmed, "подтверждено: оставлено {kept}, исключено {excluded}"},
    {Msg::ReviewAborted, "прервано, ничего не записано"},
    {Msg::ReviewEndOfInput, "ввод закончился без 'done': прервано, ничего не записано"},
    {Msg::ReviewUnknownCommand, "неизвестная команда '{command}' (введите help)"},
    {Msg::ReviewError, "ошибка: {message}"},
    {Msg::ReviewNoViewer,
     "  (нет дисплея или программы просмотра: откройте файл выше; задайте в VIDSEG_IMAGE_VIEWER команду, "
     "чтобы открывать его отсюда)"},
    {Msg::ReviewViewerFailed, "  (не удалось запустить '{viewer}')"},

    {Msg::CountIntroVariants, "{n} вариант заставки|{n} варианта заставки|{n} вариантов заставки"},
    {Msg::CountEpisodes, "{n} эпизод|{n} эпизода|{n} эпизодов"},
    {Msg::LearnedSummary, "Библиотека заставок {library}: {variants} ({episodes})"},
    {Msg::LearnedVariantLine, "  вариант {variant}: {length}с, {episodes} ({names})"},
    {Msg::LearnedNoIntro, "  без заставки: {episode}{why}"},

    {Msg::PredictScore, " (оценка {score})"},
    {Msg::PredictIntervals, "{source}: {n} интервал|{source}: {n} интервала|{source}: {n} интервалов"},
    {Msg::PredictIntervalLine, "  {start}с - {end}с  {label}  (оценка {score})"},
    {Msg::PredictWords, "  слова: {words}"},
    {Msg::PredictSkipped, "пропущен {input}: {reason}"},
    {Msg::PredictFailed,
     "не удалось обработать {failed} из {n} входного файла{rest}|"
     "не удалось обработать {failed} из {n} входных файлов{rest}|"
     "не удалось обработать {failed} из {n} входных файлов{rest}"},
    {Msg::PredictNothingWritten, " (ничего не записано; --keep-going запишет удачные)"},
};

// Every message exactly once: a missing or doubled key is a compile error.
template <std::size_t N>
constexpr bool has_every_message_once(const Entry (&table)[N]) {
    if (N != kMessages) return false;
    for (std::size_t id = 0; id < kMessages; ++id) {
        std::size_t seen = 0;
        for (const auto& e : table) seen += static_cast<std::size_t>(e.id) == id;
        if (seen != 1) return false;
    }
    return true;
}
static_assert(has_every_message_once(kEnglish), "the English table must hold every Msg exactly once");
static_assert(has_every_message_once(kRussian), "the Russian table must hold every Msg exactly once");

constexpr std::size_t form_count(std::string_view text) {
    std::size_t forms = 1;
    for (char c : text) forms += c == '|';
    return forms;
}

template <std::size_t N>
constexpr std::array<std::string_view, kMessages> by_id(const Entry (&table)[N]) {
    std::array<std::string_view, kMessages> texts{};
    for (const auto& e : table) texts[static_cast<std::size_t>(e.id)] = e.text;
    return texts;
}

constexpr auto kEnglishTexts = by_id(kEnglish);
constexpr auto kRussianTexts = by_id(kRussian);

// A message is plural in both languages (2 English forms, 3 Russian ones) or in neither.
constexpr bool plural_forms_fit() {
    for (std::size_t id = 0; id < kMessages; ++id) {
        const auto en = form_count(kEnglishTexts[id]), ru = form_count(kRussianTexts[id]);
        if (!((en == 1 && ru == 1) || (en == 2 && ru == 3))) return false;
    }
    return true;
}
static_assert(plural_forms_fit(), "plural messages need English one|other and Russian one|few|many forms");

const std::array<std::string_view, kMessages>& texts_of(Language language) {
    return language == Language::Russian ? kRussianTexts : kEnglishTexts;
}

std::string fill(std::string_view text, const MessageArg* args_begin, const MessageArg* args_end,
                 const std::string* n) {
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '{') {
            const auto close = text.find('}', i);
            if (close != std::string_view::npos) {
                const auto name = text.substr(i + 1, close - i - 1);
                const std::string* value = (n && name == "n") ? n : nullptr;
                for (const MessageArg* a = args_begin; a != args_end; ++a)
                    if (!value && a->name == name) value = &a->value;
                if (value) {
                    out += *value;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += text[i++];
    }
    return out;
}

// The form for n of a plural text: after plural_form_index(n) '|' separators (a text without forms is its one
// form).
std::string_view plural_form(std::string_view text, Language language, long long n) {
    for (std::size_t skip = plural_form_index(language, n); skip > 0; --skip) {
        const auto bar = text.find('|');
        if (bar == std::string_view::npos) break;
        text.remove_prefix(bar + 1);
    }
    return text.substr(0, text.find('|'));
}

// Whether `text` is `pattern` with its {placeholders} filled; their values go to `values`. Values are
// non-empty; the shortest value that lets the rest match wins.
bool match_template(std::string_view pattern, std::string_view text, std::vector<MessageArg>& values) {
    if (pattern.empty()) return text.empty();
    if (pattern.front() == '{') {
        const auto close = pattern.find('}');
        if (close == std::string_view::npos) return pattern == text;
        const auto name = pattern.substr(1, close - 1), rest = pattern.substr(close + 1);
        for (std::size_t length = 1; length <= text.size(); ++length) {
            const std::size_t kept = values.size();
            values.push_back({name, std::string(text.substr(0, length))});
            if (match_template(rest, text.substr(length), values)) return true;
            values.resize(kept);
        }
        return false;
    }
    const auto literal = pattern.substr(0, pattern.find('{'));
    if (!text.starts_with(literal)) return false;
    return match_template(pattern.substr(literal.size()), text.substr(literal.size()), values);
}

}  // namespace

std::string Messages::from_english(std::string_view english) const {
    for (std::size_t i = 0; i < kMessages; ++i) {
        std::string_view forms = kEnglishTexts[i];
        while (!forms.empty()) {
            const auto bar = forms.find('|');
            const auto form = forms.substr(0, bar);
            forms = bar == std::string_view::npos ? std::string_view() : forms.substr(bar + 1);
            std::vector<MessageArg> values;
            if (!match_template(form, english, values)) continue;
            const std::string* n = nullptr;
            for (auto& v : values) {
                if (v.name == "n")
                    n = &v.value;
                else
                    v.value = from_english(v.value);  // a value may itself be an explanation
            }
            std::string_view text = message_template(language_, static_cast<Msg>(i));
            if (n) {  // the form for the count
                long long count = 0;
                for (char c : *n) {
                    if (c < '0' || c > '9') return std::string(english);
                    count = count * 10 + (c - '0');
                }
                text = plural_form(text, language_, count);
            }
            return fill(text, values.data(), values.data() + values.size(), n);
        }
    }
    return std::string(english);
}

std::string_view message_template(Language language, Msg id) {
    return texts_of(language).at(static_cast<std::size_t>(id));
}

bool is_plural_message(Msg id) {
    return form_count(kEnglishTexts.at(static_cast<std::size_t>(id))) > 1;
}

std::string Messages::text(Msg id, std::initializer_list<MessageArg> args) const {
    return fill(message_template(language_, id), args.begin(), args.end(), nullptr);
}

std::string Messages::count(Msg id, long long n, std::initializer_list<MessageArg> args) const {
    const std::string_view text = plural_form(message_template(language_, id), language_, n);
    const std::string count = std::to_string(n);
    return fill(text, args.begin(), args.end(), &count);
}

std::string Messages::number(double value, int digits) const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    std::string out = buf;
    if (language_ == Language::Russian)
        for (auto& c : out)
            if (c == '.') c = ',';
    return out;
}

std::string Messages::percent(double share, int digits) const {
    return number(100 * share, digits) + (language_ == Language::Russian ? "\u00a0%" : "%");
}

}  // namespace vidseg
