#include "vidseg/dataset/dataset_card.hpp"

#include <map>
#include <set>
#include <sstream>

namespace vidseg::dataset {

namespace {

// YAML double-quoted scalar.
std::string yq(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// Markdown table cell: no pipes or newlines.
std::string cell(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n' || c == '\r') out += ' ';
        else out += c;
    }
    return out;
}

}  // namespace

std::string split_prefix(const DatasetPlan& plan, const DatasetItem& item) {
    return plan.test_lessons.empty() ? std::string() : item.split + "/";
}

std::string render_card(const DatasetPlan& plan, const std::vector<annotations::Pattern>& patterns,
                        const CardOptions& options) {
    const bool split = !plan.test_lessons.empty();
    std::set<std::string> lessons;
    std::map<std::string, size_t> split_counts;
    std::map<std::string, size_t> pattern_counts, unmatched_counts;
    std::set<std::string> annotators;
    for (const auto& item : plan.items) {
        lessons.insert(item.lesson);
        ++split_counts[item.split];
        for (const auto& p : item.patterns) ++pattern_counts[p];
        for (const auto& l : item.unmatched) ++unmatched_counts[l];
        annotators.insert(item.annotator);
    }
    std::string pretty = options.pretty_name;
    if (pretty.empty())
        pretty = (lessons.empty() ? std::string("Lesson") : *lessons.begin()) + " — pedagogical patterns";

    std::ostringstream o;
    o << "---\n";
    o << "license: " << options.license << "\n";
    o << "task_categories:\n- video-classification\n";
    o << "language:\n- ru\n- en\n";
    o << "pretty_name: " << yq(pretty) << "\n";
    o << "tags:\n- education\n- pedagogy\n- label-studio\n";
    o << "configs:\n- config_name: default\n  data_files:\n";
    const std::vector<std::string> splits = split ? std::vector<std::string>{"train", "test"}
                                                  : std::vector<std::string>{"train"};
    for (const auto& s : splits) {
        const std::string pre = split ? s + "/" : "";
        // The clips and the metadata file: with the clips alone the loader infers `videofolder` but
        // never reads metadata.jsonl (checked with datasets 4.8 in tests/python). Listing the JPEGs
        // would make it infer `imagefolder`.
        o << "  - split: " << s << "\n    path:\n    - " << yq(pre + "videos/*") << "\n    - "
          << yq(pre + "metadata.jsonl") << "\n";
    }
    o << "---\n\n";

    o << "# " << pretty << "\n\n";
    o << "Fragments of lesson videos labeled with pedagogical patterns (П = teacher, У = student) by "
      << annotators.size() << " annotator(s) in Label Studio: " << plan.items.size() << " fragment(s) from "
      << lessons.size() << " lesson(s).\n\n";

    o << "## Structure\n\n";
    if (split) {
        o << "Split by lesson (a lesson is never in both splits):\n\n| split | fragments | lessons |\n|---|---|---|\n";
        for (const auto& s : splits) {
            std::set<std::string> ls;
            for (const auto& item : plan.items)
                if (item.split == s) ls.insert(item.lesson);
            std::string names;
            for (const auto& l : ls) names += (names.empty() ? "" : ", ") + l;
            o << "| " << s << " | " << split_counts[s] << " | " << cell(names) << " |\n";
        }
        o << "\nEach split folder (`train/`, `test/`) holds:\n\n";
    } else {
        o << "Single split `train`. The folder holds:\n\n";
    }
    o << "```\n"
         "videos/<fragment>.mp4        the annotated interval, cut frame-exactly (with audio)\n"
         "images/<fragment>.jpg        the keyframe at the middle of the interval\n"
         "images/<fragment>_crop.jpg   the keyframe cropped to the tracked person (when a track covers it)\n"
         "audio/<fragment>.wav         the interval's audio, WAV 16 kHz mono\n"
      << (options.transcripts_skipped
              ? "transcripts/                 (empty: no transcription backend was chosen)\n"
              : "transcripts/<fragment>.txt   the speech of the interval as text (Whisper)\n"
                "transcripts/<fragment>.json  the same with language, its probability and timed segments\n")
      << "metadata.jsonl               one row per fragment, `file_name` = the clip (what the loaders read by default)\n"
         "metadata_audio.jsonl         the same rows, `file_name` = the WAV (for `audiofolder`, see Usage)\n"
         "metadata_images.jsonl        the same rows, `file_name` = the keyframe (for `imagefolder`, see Usage)\n"
         "metadata_table.csv           the same rows for spreadsheets (lists joined with \"; \")\n"
         "```\n\n"
         "The spreadsheet copy is not called `metadata.csv` on purpose: the `datasets` library refuses a folder "
         "holding metadata files of two formats.\n\n";
    o << "Fragment names are `<lesson>_<task>_<annotation>_<i>`. Columns of `metadata.jsonl`:\n\n"
         "| column | meaning |\n|---|---|\n"
         "| `file_name` | the clip (relative path) |\n"
         "| `image_path` | the keyframe (relative path) |\n"
         "| `crop_path` | the cropped keyframe, or null |\n"
         "| `audio_path` | the 16 kHz mono WAV (relative path) |\n"
         "| `patterns` | matched pattern names (list) |\n"
         "| `labels` | the annotator's raw label strings (list) |\n"
         "| `descriptions` | descriptions of the matched patterns (list) |\n"
         "| `annotator` | who labeled it |\n"
         "| `start`, `end` | the interval in the source video, seconds |\n"
         "| `source_video` | file name of the lesson video |\n"
         "| `lesson`, `task_id`, `annotation_id` | provenance |\n"
         "| `keyframe_time` | time of the keyframe in the source video, seconds |\n";
    if (plan.keyframes_scored)
        o << "| `keyframe_score` | quality of the chosen keyframe, 0..1: 0.5 sharpness + 0.25 exposure + 0.25 person |\n"
             "| `keyframe_sharpness`, `keyframe_exposure`, `keyframe_person` | its components, each 0..1 |\n"
             "| `keyframe_faces` | faces detected in it (OpenCV Haar cascade) |\n";
    if (!options.transcripts_skipped)
        o << "| `transcript` | the speech of the interval (automatic transcription) |\n"
             "| `language` | the language detected in it (ISO 639-1: ru, en, ...) |\n";
    for (const auto& c : plan.choice_columns) o << "| `choice_" << cell(c) << "` | answers of the choice `" << cell(c) << "` (list) |\n";
    for (const auto& c : plan.text_columns) o << "| `text_" << cell(c) << "` | texts of `" << cell(c) << "` (list) |\n";
    o << "\n`metadata_audio.jsonl` and `metadata_images.jsonl` hold the same rows with `file_name` = the WAV / the "
         "keyframe and the clip in `video_path` (their `audio_path` / `image_path` column is left out).\n\n";

    const std::string meta_files =
        split ? "{\"train\": \"<folder>/train/metadata.jsonl\", \"test\": \"<folder>/test/metadata.jsonl\"}"
              : "\"<folder>/metadata.jsonl\"";
    o << "## Usage\n\n"
         "The same fragments load as clips, as audio or as keyframes"
      << (split ? ", with the same `train` / `test` split" : "") << ":\n\n"
      << "```python\nfrom datasets import load_dataset\n\n"
         "# Clips (the default config above; videofolder): a `video` column + every metadata column.\n"
         "ds = load_dataset(\"<user>/<dataset>\")  # or a local folder: load_dataset(\"<folder>\")\n"
         "row = ds[\"train\"][0]\nprint(row[\"patterns\"], row[\"start\"], row[\"end\"])\n\n"
         "# The 16 kHz WAVs: an `audio` column (the clip is in `video_path`).\n"
         "audio = load_dataset(\"audiofolder\", data_dir=\"<folder>\", metadata_filenames=[\"metadata_audio.jsonl\"])\n\n"
         "# The keyframes: an `image` column (`crop_path` names the crop, when there is one).\n"
         "images = load_dataset(\"imagefolder\", data_dir=\"<folder>\", metadata_filenames=[\"metadata_images.jsonl\"])\n\n"
         "# Only the table (paths stay strings):\n"
         "table = load_dataset(\"json\", data_files="
      << meta_files
      << ")\n```\n\n"
         "Decoding video and audio needs `torchcodec` (and PyTorch); `datasets` 4.x also needs it to *build* an "
         "`audio` column, so without it load the audio view with `streaming=True` and read its rows with "
         "`.decode(False).with_format(\"arrow\")`: each `audio[\"path\"]` is the WAV. For a copy on the Hub, download it first "
         "(`huggingface_hub.snapshot_download(\"<user>/<dataset>\", repo_type=\"dataset\")`) and pass that folder as "
         "`data_dir`. The audio and keyframe views are not named "
         "configs of this card because `datasets` builds all configs of a dataset with the loader of the first "
         "one (here `videofolder`).\n\n";

    o << "## Classes\n\n| pattern | fragments | description |\n|---|---|---|\n";
    for (const auto& p : patterns) {
        const auto it = pattern_counts.find(p.name);
        o << "| " << cell(p.name) << " | " << (it == pattern_counts.end() ? 0 : it->second) << " | "
          << cell(p.description) << " |\n";
    }
    if (!unmatched_counts.empty()) {
        o << "\nLabels that match no pattern (kept in `labels`, absent from `patterns`):\n\n";
        for (const auto& [l, n] : unmatched_counts) o << "- " << l << " (" << n << ")\n";
    }
    o << "\n";

    o << "## How it was built\n\n";
    o << "With `vidseg dataset build`" << (options.tool_version.empty() ? "" : " " + options.tool_version)
      << " from the Label Studio export `" << options.annotations_file << "` and the pattern list ("
      << options.patterns_source << "). Every audio `labels` / video `timelinelabels` interval of every annotation "
         "became one fragment; labels were matched to pattern names tolerantly (emoji and role prefix ignored). "
         "Keyframe: the frame shown at `start + (end - start) / 2`; crop: the annotation's `videorectangle` box at "
         "that time.";
    if (plan.keyframes_scored)
        o << " With `--keyframe best` the keyframe is instead the best of frames spread evenly over the interval, "
             "scored by sharpness (variance of the Laplacian), exposure (mean brightness, clipped pixels) and a "
             "visible person (OpenCV face cascade, HOG body detector); `keyframe_time` says which frame it is.";
    if (options.transcripts_skipped) o << " Transcripts were not produced (the `transcripts/` folder is empty).";
    else o << " Transcripts: automatic speech recognition (Whisper) of each fragment's WAV, language detected per fragment.";
    o << "\n\nSource videos:\n\n";
    for (const auto& v : plan.videos) o << "- " << v.lesson << " (" << v.width << "x" << v.height << ")\n";
    o << "\n## Review and build files\n\n";
    if (options.excluded_fragments > 0)
        o << options.excluded_fragments << " fragment(s) were excluded in the review before the build and are not in "
             "the metadata. ";
    if (options.review_log)
        o << "`review.jsonl` holds every review decision, oldest first: one JSON object per line with `item` (the "
             "fragment name), `decision` (`kept` / `excluded`), `reason`, `when` (UTC), `who`, `source` "
             "(`interactive`, `confirmed` = kept as listed when the reviewer confirmed, `exclude-option`) and the "
             "fragment's `lesson`, `start`, `end`, `patterns`, `annotator` — training data for a frame filter. ";
    if (options.keyframe_candidates)
        o << "`keyframe_candidates.jsonl` holds every candidate frame the keyframe choice scored, one JSON object per "
             "fragment (excluded ones too): `item`, `lesson`, `start`, `end`, `suggested` (the time the build chose), "
             "`chooser` (`best` = the fixed score, `model` = a learned model) and `candidates`, each with its `time` "
             "and scores (`total`, `sharpness`, `exposure`, `person`, `laplacian_variance`, `mean_luma`, "
             "`clipped_share`, `faces`, `bodies`). With the decisions of `review.jsonl` (a frame `keyframe` picked "
             "instead of the suggested one, fragments kept or excluded) it is the training data of a keyframe model "
             "that ranks candidates like the reviewers did: `vidseg keyframes learn --reviews <folder> --out "
             "keyframes.model`, then `vidseg dataset build ... --keyframe model:keyframes.model` (an existing output "
             "is re-ranked from this file, no frame decoded again). It is outside the `data_files` above. ";
    o << "`build_manifest.json` lists, per fragment, the hash of the inputs of each file (source video "
         "fingerprint, interval, keyframe time, encoding parameters); `vidseg dataset build` reuses unchanged files "
         "when the dataset is built again. An `excluded/` folder, when present, keeps the files of excluded "
         "fragments (`--skip-deletion`); it is outside the `data_files` above.\n";
    o << "\n## License\n\n" << options.license << "\n";
    return o.str();
}

}  // namespace vidseg::dataset
