// The feature inputs of `vidseg train` / `vidseg predict`: files written by `vidseg features`
// (.csv / .jsonl / .json / .npy with its .npy.json sidecar) or folders of them, and videos
// (`predict`, `patterns find`) whose features are computed on a model's grid. A matrix without a source (CSV) is named after its file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vidseg/asr/transcriber.hpp"
#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/features/intro_similarity_timeline.hpp"
#include "vidseg/timeline/transcript.hpp"
#include "vidseg/models/model_config.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::models {

// A file of a scanned folder that has a feature file's name but not its content (e.g. intro labels
// .json, a dataset's labeled.csv or metadata.jsonl), with the reason.
struct SkippedFile {
    std::string path;
    std::string reason;
};

// Folders contribute their feature files (sorted, not recursive; files that only have a feature
// file's name are left out and, when `skipped` is given, listed there). Throws InputNotFound for a
// missing path, InvalidData for a malformed file or a folder without feature files.
std::vector<features::FeatureMatrix> read_feature_files(const std::vector<std::string>& paths,
                                                        std::vector<SkippedFile>* skipped = nullptr);

// .csv / .jsonl / .json / .npy: what `vidseg features` writes, by name (anything else is taken as
// media; a F.npy.json sidecar is not a feature file of its own).
bool is_feature_file(const std::filesystem::path& path);

// Whether a file with a feature file's name also has the content (its first bytes): a CSV whose
// header's first field is `time`, JSON Lines / JSON whose first line is a vidseg.features header,
// an .npy with the NumPy magic. When not, *why_not (if given) says what it is not. Used for the
// files of scanned folders; a file named explicitly is read as given (and fails with the reader's error).
bool has_feature_file_content(const std::filesystem::path& path, std::string* why_not = nullptr);

// The items of `vidseg predict`: files stay as given (existing or not: a missing one fails as its
// own item); a folder contributes its feature files (has_feature_file_content), or, when it holds
// none, its media files (media::is_media_file_name), sorted, not recursive; feature-named files
// without the content go to `skipped`. Throws InvalidData for a folder with neither.
struct PredictionInputs {
    std::vector<std::string> items;
    std::vector<SkippedFile> skipped;
};
PredictionInputs expand_prediction_inputs(const std::vector<std::string>& paths);

// One item: a feature file is read, anything else is taken as media and its features computed as
// `model` was trained on them: its spec's step and window, only the column groups its columns come from
// (features::column_group: an audio-only model decodes no video; a column no group makes — text, or
// another tool's — computes audio and visual as `vidseg features` would, and predict names what is
// missing), and its chroma tuning (estimated per file or fixed). When `model` has the fused intro
// columns (features/intro_similarity_timeline.hpp),
// a media item also gets them, compared with the episodes of `season` (its series_dir; when empty, the
// item's own folder; season.cache_dir empty = no fingerprint cache). Throws InputNotFound /
// InvalidMedia / InvalidData like the readers; InvalidArgument when the season has no other episode.
//
// Text columns (features::ColumnGroup::Text: tokens, words_per_second, speech_coverage, speaker_*) come
// from the item's transcript (`transcript`): its file (.json / .srt / .vtt, models/lesson_transcript.hpp),
// else the transcriber (media items only), else a transcript beside the video (find_transcript_beside);
// a model that reads them without any of these is Error(InvalidArgument) saying how to supply one. A
// feature file without the model's text columns gets them from `transcript.file` when given.
struct ItemTranscript {
    std::string file;                    // --transcript; "" = none
    asr::TranscriberConfig transcriber;  // --whisper-backend; Backend::None = do not transcribe
    // When the transcriber ran: its segments and description go here (if given), so that a caller
    // (the patterns report's snippets) does not transcribe the lesson a second time.
    std::vector<timeline::TranscriptSegment>* transcribed = nullptr;
    std::string* transcribed_by = nullptr;
};
features::FeatureMatrix features_for_item(const std::string& path, const ModelInfo& model,
                                          Progress* progress = nullptr,
                                          const features::IntroSimilarityOptions& season = {},
                                          const ItemTranscript& transcript = {});

// The transcript of a media item: `transcript.file`, else the transcriber, else a transcript beside the
// video; Error(InvalidArgument) saying how to supply one when there is none.
std::vector<timeline::TranscriptSegment> transcript_for_item(const std::string& path, const ItemTranscript& transcript);

// Whether the model reads a text column (features::ColumnGroup::Text).
bool reads_text(const features::FeatureSpec& spec);

}  // namespace vidseg::models
