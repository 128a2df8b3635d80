// Readers for Label Studio exports (SPEC §3) into one model, `Project`, and a writer of the full
// JSON form (what `vidseg dataset agreement --consensus` writes and `dataset build` reads).
//
// Formats:
//  * full JSON — a list of tasks {id, data, annotations: [{id, completed_by, result: [...]}], predictions};
//  * JSON_MIN  — one flat object per annotation: the task's data fields, `id` (task id), `annotator`,
//                `annotation_id`, timestamps, and one key per control (from_name) whose value is the
//                list of region values ({start, end, labels}, {ranges, timelinelabels}, {sequence, ...},
//                {choices}, {text}); Label Studio flattens a single choice or text to a plain string
//                ("initiator": "Teacher"; several regions' single choices to a list of strings). Such a key
//                is read as a control (not a data field) when the label config names it, when another
//                record holds it in region form, or when the records of one task differ in it (data fields
//                are the same in every record of a task); otherwise it stays a data field and a warning
//                names it;
//  * CSV       — the JSON_MIN records as rows; structured cells are JSON-encoded.
// Nothing is dropped silently: result types and JSON_MIN fields vidseg does not use are named in
// Project::warnings.
// Result types understood: audio `labels` (seconds), `timelinelabels` on Video (frame numbers,
// converted to seconds with the task's fps), `videorectangle` (keyframe tracks), `choices`,
// `textarea`; anything else is kept raw (type + value) and ignored by the segment view.
//
// Frame → seconds for timelinelabels: Label Studio numbers frames from 1 and a range covers its end
// frame, so range {start: s, end: e} is [(s - 1) / fps, e / fps). The fps is the task's data.fps
// (frameRate / frame_rate), else ReadOptions::fps; a task with neither keeps its frame ranges
// unconverted (Task::needs_fps()) until a caller gives one with apply_frame_rate() (dataset build:
// --fps, else the probed video's rate).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/video_track.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::annotations {

enum class ExportFormat { Json, JsonMin, Csv };
const char* export_format_name(ExportFormat format) noexcept;

struct ResultItem {
    std::string id;  // region id; items of one region (labels + per-region choices/textarea) share it
    std::string from_name;
    std::string to_name;
    std::string type;                       // "labels", "timelinelabels", "videorectangle", "choices", ...
    std::vector<timeline::Interval> spans;  // seconds: labels → 1, timelinelabels → one per range (once fps is known)
    std::vector<std::pair<double, double>> frame_ranges;  // timelinelabels: the ranges as exported (frame numbers)
    std::vector<std::string> labels;        // labels / timelinelabels / videorectangle labels
    std::vector<std::string> choices;       // choices
    std::vector<std::string> texts;         // textarea
    std::optional<VideoTrack> track;        // videorectangle
    nlohmann::json value = nlohmann::json::object();  // the raw value, written back unchanged
};

struct Annotation {
    std::string id;
    std::optional<long long> annotator_id;  // completed_by as a number / its `id`
    std::string annotator_email;            // completed_by.email, or JSON_MIN `annotator` text
    std::string annotator_name;             // display name (set by apply_user_names), may be empty
    bool cancelled = false;
    std::vector<ResultItem> results;

    // Stable annotator key: "Name <email>" / the name / the email when known, else "user <id>",
    // else "annotation <id>".
    std::string annotator() const;
};

// A labeled time interval of one annotation with everything linked to its region.
struct Segment {
    std::string region_id;
    std::string from_name, to_name, type;  // type: "labels" or "timelinelabels"
    double start = 0, end = 0;             // seconds
    std::vector<std::string> labels;
    std::map<std::string, std::vector<std::string>> choices;  // from_name → choices of this region
    std::map<std::string, std::vector<std::string>> texts;    // from_name → texts of this region
};

// Labeled intervals (labels, timelinelabels; one per range) in time order, with the choices and
// texts of the same region (same result id; in JSON_MIN, where ids are lost, the per-region items
// whose start/end equal the interval's).
std::vector<Segment> segments(const Annotation& annotation);
// Choices / texts that belong to no region (task-level answers), by from_name.
std::map<std::string, std::vector<std::string>> task_choices(const Annotation& annotation);
std::map<std::string, std::vector<std::string>> task_texts(const Annotation& annotation);

struct Task {
    std::string id;  // as text ("17"); empty when the export has none
    size_t index = 0;  // 0-based position in the export
    nlohmann::json data = nlohmann::json::object();
    std::string video;  // data.video (or the first data key containing "video"), may be empty
    std::string audio;  // data.audio (or the first data key containing "audio"), may be empty
    std::optional<double> fps;  // data.fps / frameRate / frame_rate, else the config's, else unset
    std::string fps_source;     // where fps came from: "task data", "option", or what apply_frame_rate was told
    double duration = 0;        // media length: data end - start / duration, largest original_length / track
                                // duration / region end seen; 0 = unknown
    std::vector<Annotation> annotations;

    // "task 3 (id 17)" for messages (1-based position).
    std::string describe() const;
    // True when results in frame numbers (timelinelabels, keyframes without time) wait for a frame rate.
    bool needs_fps() const;
};

// Sets the task's frame rate and converts what waited for it: timelinelabels ranges to seconds,
// videorectangle keyframe times to (frame - 1) / fps. `source` is recorded in Task::fps_source.
void apply_frame_rate(Task& task, double fps, const std::string& source);

struct Project {
    ExportFormat format = ExportFormat::Json;
    std::vector<Task> tasks;
    // Export content vidseg does not use or could not read unambiguously, by name (never dropped silently).
    std::vector<std::string> warnings;
    // Distinct annotator keys in first-seen order.
    std::vector<std::string> annotators() const;
};

struct ReadOptions {
    std::optional<ExportFormat> format;  // detected when unset (.csv extension / first character)
    std::optional<double> fps;           // --fps / the label config's <Video frameRate>, for tasks without one
    // Control name → tag ("Choices", "TextArea", "Labels", ...) from the label config: tells a JSON_MIN
    // single answer ("initiator": "Teacher") from a data field. Empty = guessed (see above).
    std::map<std::string, std::string> controls;
    bool include_cancelled = false;      // keep annotations with was_cancelled = true
};

// What the reader needs from a label config (the project's XML, Settings → Labeling Interface → Code).
struct LabelConfigInfo {
    // The rate the editor numbered frames at: a numeric <Video frameRate>, or 24 — Label Studio's default
    // (1.23 editor: `framerate` falls back to "24") — for a <Video> without one; nullopt for a $variable
    // (then each task carries it) or no <Video>.
    std::optional<double> frame_rate;
    bool frame_rate_is_default = false;             // the 24 above
    std::map<std::string, std::string> controls;    // control name → tag name
};
// Throws InputNotFound / InvalidData (XML that does not parse, a frameRate that is not a positive number).
LabelConfigInfo read_label_config(const std::string& path);
LabelConfigInfo parse_label_config(const std::string& xml, const std::string& subject = {});


// Reads an export file. Throws InputNotFound for a missing file, InvalidData (naming the task or
// CSV line and the field) for malformed content, "fps unknown for task N" when timelinelabels
// need a frame rate nobody gave.
Project read_export(const std::string& path, const ReadOptions& options = {});
// The same from text; `subject` names the source in errors.
Project parse_export(const std::string& text, const ReadOptions& options = {}, const std::string& subject = {});

// The numeric frameRate of the first <Video> in a label config (24 when the attribute is absent,
// as in Label Studio), nullopt without <Video> or for a $variable (then tasks must carry fps).
// Throws InvalidData for XML that does not parse.
std::optional<double> video_frame_rate(const std::string& label_config_xml);

// Full JSON export form of a project: [{id, data, annotations: [{id, completed_by, was_cancelled,
// result: [{id, from_name, to_name, type, value, origin}]}]}]. Task ids that are not numbers are
// written as strings.
nlohmann::json to_full_json(const Project& project);

}  // namespace vidseg::annotations
