#include "vidseg/annotations/label_studio_export.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::annotations {

using nlohmann::json;

const char* export_format_name(ExportFormat format) noexcept {
    switch (format) {
        case ExportFormat::Json: return "JSON";
        case ExportFormat::JsonMin: return "JSON_MIN";
        case ExportFormat::Csv: return "CSV";
    }
    return "?";
}

std::string Annotation::annotator() const {
    if (!annotator_name.empty()) return annotator_email.empty() ? annotator_name : annotator_name + " <" + annotator_email + ">";
    if (!annotator_email.empty()) return annotator_email;
    if (annotator_id) return "user " + std::to_string(*annotator_id);
    return "annotation " + id;
}

std::string Task::describe() const {
    std::string s = "task " + std::to_string(index + 1);
    if (!id.empty()) s += " (id " + id + ")";
    return s;
}

namespace {
// Frame ranges → seconds. Checked against Label Studio 1.23.2: the editor numbers frames from 1
// (goToFrame(f) seeks to (f - 1) / fps) and a one-frame region is {f, f}, so {s, e} is
// [(s - 1) / fps, e / fps); tests/python/test_label_studio_roundtrip.py pins this.
void spans_from_frames(ResultItem& r, double fps, double& duration) {
    r.spans.clear();
    for (const auto& [s, e] : r.frame_ranges) {
        const double ts = std::max(0.0, (s - 1) / fps), te = e / fps;
        r.spans.push_back({ts, te});
        duration = std::max(duration, te);
    }
}
}  // namespace

bool Task::needs_fps() const {
    if (fps) return false;
    for (const auto& a : annotations)
        for (const auto& r : a.results)
            if (!r.frame_ranges.empty()) return true;
    return false;
}

void apply_frame_rate(Task& task, double fps, const std::string& source) {
    if (!(fps > 0)) throw Error(ErrorCode::InvalidArgument, "frame rate must be > 0 for " + task.describe());
    task.fps = fps;
    task.fps_source = source;
    for (auto& a : task.annotations)
        for (auto& r : a.results) {
            if (!r.frame_ranges.empty()) spans_from_frames(r, fps, task.duration);
            if (r.track) {
                for (auto& k : r.track->keyframes)
                    if (k.frame > 0) k.time = (k.frame - 1) / fps;
                std::stable_sort(r.track->keyframes.begin(), r.track->keyframes.end(),
                                 [](const TrackKeyframe& x, const TrackKeyframe& y) { return x.time < y.time; });
            }
        }
}

std::vector<std::string> Project::annotators() const {
    std::vector<std::string> out;
    for (const auto& t : tasks)
        for (const auto& a : t.annotations)
            if (std::find(out.begin(), out.end(), a.annotator()) == out.end()) out.push_back(a.annotator());
    return out;
}

namespace {

constexpr double kSameTime = 1e-6;

[[noreturn]] void fail(const std::string& subject, const std::string& message) {
    throw Error(ErrorCode::InvalidData, message, subject);
}

// A missing file is "no such file" (exit 3), as before the shared reader.
std::string read_existing_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "no such file", path);
    return read_text_file(path);
}

std::string id_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return v.dump();
    return {};
}

std::optional<double> number_of(const json& v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const std::string s = trim(v.get<std::string>());
        if (s.empty()) return std::nullopt;
        try {
            size_t used = 0;
            double d = std::stod(s, &used);
            if (used == s.size() && std::isfinite(d)) return d;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

std::vector<std::string> strings_of(const json& v, const std::string& subject, const std::string& where) {
    std::vector<std::string> out;
    if (v.is_null()) return out;
    if (v.is_string()) return {v.get<std::string>()};
    if (!v.is_array()) fail(subject, where + " must be a list of strings, got " + v.dump());
    for (const auto& e : v) {
        if (!e.is_string()) fail(subject, where + " must be a list of strings, got element " + e.dump());
        out.push_back(e.get<std::string>());
    }
    return out;
}

double required_number(const json& obj, const char* key, const std::string& subject, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) fail(subject, where + " has no '" + key + "'");
    auto n = number_of(*it);
    if (!n) fail(subject, where + "." + key + " must be a number, got " + it->dump());
    return *n;
}

void fill_task_media(Task& task, std::optional<double> config_fps, const std::string& subject) {
    const json& d = task.data;
    auto pick = [&](const char* key) -> std::string {
        if (auto it = d.find(key); it != d.end() && it->is_string()) return it->get<std::string>();
        for (auto it = d.begin(); it != d.end(); ++it)
            if (it.value().is_string() && it.key().find(key) != std::string::npos) return it.value().get<std::string>();
        return {};
    };
    task.video = pick("video");
    task.audio = pick("audio");
    for (const char* key : {"fps", "frameRate", "frame_rate"}) {
        auto it = d.find(key);
        if (it == d.end() || it->is_null()) continue;
        auto n = number_of(*it);
        if (!n || *n <= 0)
            fail(subject, task.describe() + ": data." + key + " must be a positive number, got " + it->dump());
        task.fps = *n;
        task.fps_source = "task data";
        break;
    }
    if (!task.fps && config_fps) {
        task.fps = config_fps;
        task.fps_source = "option";
    }
    // The media's length, when the task says it (prepare: start / end of the segment).
    const auto start = d.find("start"), end = d.find("end");
    if (start != d.end() && end != d.end())
        if (auto s = number_of(*start), e = number_of(*end); s && e && *e > *s)
            task.duration = std::max(task.duration, *e - *s);
    if (auto it = d.find("duration"); it != d.end())
        if (auto v = number_of(*it); v && *v > 0) task.duration = std::max(task.duration, *v);
}

// Parses one result item's value by type. `where` names the task and item for messages.
ResultItem parse_value(ResultItem item, const json& value, Task& task, const std::string& subject,
                       const std::string& where) {
    if (!value.is_object()) fail(subject, where + ": 'value' must be an object");
    item.value = value;
    const std::string& type = item.type;
    if (type == "labels" || (type.size() > 6 && type.ends_with("labels") && value.contains("start") &&
                             value.contains("end") && !value.contains("ranges"))) {
        const double s = required_number(value, "start", subject, where + ": value");
        const double e = required_number(value, "end", subject, where + ": value");
        if (s < 0 || e < s)
            fail(subject, where + ": value start/end must satisfy 0 <= start <= end, got " + std::to_string(s) +
                              " / " + std::to_string(e));
        item.spans.push_back({s, e});
        if (auto it = value.find(type); it != value.end())
            item.labels = strings_of(*it, subject, where + ": value." + type);
        else if (auto it2 = value.find("labels"); it2 != value.end())
            item.labels = strings_of(*it2, subject, where + ": value.labels");
        task.duration = std::max(task.duration, e);
    } else if (type == "timelinelabels") {
        auto ranges = value.find("ranges");
        if (ranges == value.end() || !ranges->is_array())
            fail(subject, where + ": timelinelabels value has no 'ranges' list");
        // Frame numbers; converted to seconds by apply_frame_rate once the task's fps is known.
        for (size_t i = 0; i < ranges->size(); ++i) {
            const std::string w = where + ": ranges[" + std::to_string(i) + "]";
            const json& r = (*ranges)[i];
            if (!r.is_object()) fail(subject, w + " must be an object {start, end}");
            const double s = required_number(r, "start", subject, w);
            const double e = required_number(r, "end", subject, w);
            if (s < 0 || e < s) fail(subject, w + " must satisfy 0 <= start <= end (frame numbers)");
            item.frame_ranges.emplace_back(s, e);
        }
        if (auto it = value.find("timelinelabels"); it != value.end())
            item.labels = strings_of(*it, subject, where + ": value.timelinelabels");
        if (task.fps) spans_from_frames(item, *task.fps, task.duration);
    } else if (type == "videorectangle") {
        item.track = parse_video_track(value, (subject.empty() ? "" : subject + ": ") + where, task.fps);
        item.labels = item.track->labels;
        task.duration = std::max(task.duration, item.track->duration);
    } else if (type == "choices") {
        auto it = value.find("choices");
        if (it == value.end()) fail(subject, where + ": choices value has no 'choices'");
        item.choices = strings_of(*it, subject, where + ": value.choices");
    } else if (type == "textarea") {
        auto it = value.find("text");
        if (it == value.end()) fail(subject, where + ": textarea value has no 'text'");
        item.texts = strings_of(*it, subject, where + ": value.text");
    } else if (type == "taxonomy") {
        // Kept raw.
    }
    // Per-region choices / texts on audio carry the region's start/end; keep them for JSON_MIN linking.
    if ((type == "choices" || type == "textarea") && value.contains("start") && value.contains("end")) {
        auto s = number_of(value["start"]), e = number_of(value["end"]);
        if (s && e) item.spans.push_back({*s, *e});
    }
    if (auto ol = number_of(value.value("original_length", json())); ol) task.duration = std::max(task.duration, *ol);
    return item;
}

Annotation parse_annotation(const json& a, Task& task, size_t ai, const std::string& subject) {
    const std::string where = task.describe() + ", annotations[" + std::to_string(ai) + "]";
    if (!a.is_object()) fail(subject, where + " must be an object");
    Annotation ann;
    ann.id = id_text(a.value("id", json()));
    if (ann.id.empty()) ann.id = std::to_string(ai + 1);
    if (auto it = a.find("completed_by"); it != a.end()) {
        if (it->is_number_integer()) {
            ann.annotator_id = it->get<long long>();
        } else if (it->is_string()) {
            ann.annotator_email = it->get<std::string>();
        } else if (it->is_object()) {
            if (auto id = it->find("id"); id != it->end() && id->is_number_integer()) ann.annotator_id = id->get<long long>();
            if (auto em = it->find("email"); em != it->end() && em->is_string()) ann.annotator_email = em->get<std::string>();
        } else if (!it->is_null()) {
            fail(subject, where + ".completed_by must be a user id, an email or a user object, got " + it->dump());
        }
    }
    if (auto it = a.find("was_cancelled"); it != a.end() && it->is_boolean()) ann.cancelled = it->get<bool>();
    auto res = a.find("result");
    if (res == a.end() || res->is_null()) return ann;
    if (!res->is_array()) fail(subject, where + ".result must be a list");
    for (size_t ri = 0; ri < res->size(); ++ri) {
        const json& r = (*res)[ri];
        std::string w = where + ".result[" + std::to_string(ri) + "]";
        if (!r.is_object()) fail(subject, w + " must be an object");
        ResultItem item;
        item.id = id_text(r.value("id", json()));
        if (!item.id.empty()) w += " (id '" + item.id + "')";
        if (item.id.empty()) item.id = "result-" + std::to_string(ri + 1);
        auto type = r.find("type");
        if (type == r.end() || !type->is_string()) fail(subject, w + " has no 'type'");
        item.type = type->get<std::string>();
        item.from_name = r.value("from_name", std::string());
        item.to_name = r.value("to_name", std::string());
        if (item.type == "relation") continue;  // relations have no value
        auto value = r.find("value");
        if (value == r.end()) fail(subject, w + " has no 'value'");
        ann.results.push_back(parse_value(std::move(item), *value, task, subject, w));
    }
    return ann;
}

Project parse_full(const json& doc, const ReadOptions& options, const std::string& subject) {
    Project project;
    project.format = ExportFormat::Json;
    for (size_t ti = 0; ti < doc.size(); ++ti) {
        const json& t = doc[ti];
        Task task;
        task.index = ti;
        if (!t.is_object()) fail(subject, task.describe() + " must be an object");
        task.id = id_text(t.value("id", json()));
        auto data = t.find("data");
        if (data == t.end() || !data->is_object()) fail(subject, task.describe() + " has no 'data' object");
        task.data = *data;
        fill_task_media(task, options.fps, subject);
        if (auto anns = t.find("annotations"); anns != t.end() && !anns->is_null()) {
            if (!anns->is_array()) fail(subject, task.describe() + ": 'annotations' must be a list");
            for (size_t ai = 0; ai < anns->size(); ++ai) {
                Annotation a = parse_annotation((*anns)[ai], task, ai, subject);
                if (a.cancelled && !options.include_cancelled) continue;
                task.annotations.push_back(std::move(a));
            }
        }
        project.tasks.push_back(std::move(task));
    }
    return project;
}

const std::set<std::string>& min_meta_keys() {
    static const std::set<std::string> keys = {"id", "annotator", "annotation_id", "created_at", "updated_at",
                                               "lead_time", "agreement", "drafts", "predictions", "meta",
                                               "total_annotations", "cancelled_annotations", "total_predictions",
                                               "file_upload", "inner_id", "project", "history"};
    return keys;
}

// The result type of a JSON_MIN region value, or empty when the key is a data field.
std::string min_type_of(const json& v) {
    if (!v.is_object()) return {};
    if (v.contains("ranges")) return "timelinelabels";
    if (v.contains("sequence")) return "videorectangle";
    if (v.contains("choices")) return "choices";
    if (v.contains("text")) return "textarea";
    if (v.contains("start") && v.contains("end")) return "labels";
    return {};
}

// Value keys of Label Studio result types vidseg does not use: a JSON_MIN field holding them is an
// annotation result, not task data, and is reported as such.
bool looks_like_other_result(const json& v) {
    static const std::set<std::string> keys = {"rating", "number", "taxonomy", "rectanglelabels", "keypointlabels",
                                               "polygonlabels", "ellipselabels", "brushlabels", "datetime",
                                               "hypertextlabels", "paragraphlabels", "ranker", "pairwise",
                                               "rectangle", "polygon", "keypoint", "ellipse"};
    auto one = [&](const json& e) {
        return e.is_object() && std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return e.contains(k); });
    };
    if (v.is_array()) return !v.empty() && std::all_of(v.begin(), v.end(), one);
    return one(v);
}

// Result type for a plain-string answer under control `name`: from the label config's tag, else
// "choices" / "textarea" as seen in another record's region form, else "choices".
std::string flat_answer_type(const std::string& name, const std::map<std::string, std::string>& config_controls,
                             const std::map<std::string, std::string>& seen_types) {
    if (auto it = config_controls.find(name); it != config_controls.end()) {
        std::string tag = it->second;
        std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
        if (tag == "textarea") return "textarea";
        if (tag == "choices") return "choices";
        return {};  // a control that never has a plain-string value
    }
    if (auto it = seen_types.find(name); it != seen_types.end()) return it->second;
    return "choices";
}

bool is_flat_answer(const json& v) {
    if (v.is_string()) return true;
    return v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
}

bool is_region_value(const json& v) {
    if (v.is_array() && !v.empty())
        return std::all_of(v.begin(), v.end(), [](const json& e) { return !min_type_of(e).empty(); });
    return v.is_object() && (v.contains("choices") || v.contains("text"));
}

// A plain-string JSON_MIN field that could be a flattened single answer: not one of the data keys
// `vidseg prepare` writes, not a URL or path.
bool might_be_answer(const std::string& key, const std::string& value) {
    static const std::set<std::string> data_keys = {"video", "audio", "image", "lesson", "segment", "start",
                                                    "end", "fps", "features", "frameRate", "frame_rate"};
    return !data_keys.count(key) && value.find('/') == std::string::npos && value.find('\\') == std::string::npos;
}

struct MinRecord {
    json fields;
    std::string where;  // "record 3" or "line 4"
};

// Which JSON_MIN keys are controls (see the header): named by the label config, in region form in
// some record, or differing between the records of one task.
struct MinControls {
    std::set<std::string> names;
    std::map<std::string, std::string> types;  // "choices" / "textarea" seen in region form
};

MinControls find_min_controls(const std::vector<MinRecord>& records, const ReadOptions& options) {
    MinControls c;
    for (const auto& [name, tag] : options.controls) c.names.insert(name);
    std::map<std::string, std::vector<const json*>> by_task;
    std::set<std::string> keys;
    for (const auto& r : records) {
        if (!r.fields.is_object()) continue;  // add_min_record names it
        by_task[id_text(r.fields.value("id", json()))].push_back(&r.fields);
        for (auto it = r.fields.begin(); it != r.fields.end(); ++it) {
            if (min_meta_keys().count(it.key())) continue;
            keys.insert(it.key());
            if (!is_region_value(it.value())) continue;
            c.names.insert(it.key());
            const json& first = it.value().is_array() ? it.value().front() : it.value();
            const std::string type = min_type_of(first);
            if (type == "choices" || type == "textarea") c.types[it.key()] = type;
        }
    }
    for (const auto& [task, recs] : by_task) {
        if (recs.size() < 2) continue;
        for (const auto& k : keys) {
            const auto first = recs.front()->find(k);
            for (const json* r : recs) {
                const auto it = r->find(k);
                const bool differs = (it == r->end()) != (first == recs.front()->end()) ||
                                     (it != r->end() && *it != *first);
                if (differs && (it == r->end() || is_flat_answer(*it)) &&
                    (first == recs.front()->end() || is_flat_answer(*first))) {
                    c.names.insert(k);
                    break;
                }
            }
        }
    }
    return c;
}

// One JSON_MIN record (= one annotation of one task).
void add_min_record(Project& project, std::map<std::string, size_t>& task_by_id, const MinRecord& record,
                    const MinControls& controls, const ReadOptions& options, const std::string& subject,
                    std::map<std::string, std::string>& notes) {
    const json& rec = record.fields;
    const std::string& where = record.where;
    if (!rec.is_object()) fail(subject, where + " must be an object");
    std::string tid = id_text(rec.value("id", json()));
    size_t index;
    if (!tid.empty() && task_by_id.count(tid)) {
        index = task_by_id[tid];
    } else {
        Task t;
        t.index = project.tasks.size();
        t.id = tid;
        index = t.index;
        if (!tid.empty()) task_by_id[tid] = index;
        project.tasks.push_back(std::move(t));
    }
    Task& task = project.tasks[index];
    // Data fields first (fps is needed before the ranges are converted).
    std::vector<std::pair<std::string, const json*>> regions;
    for (auto it = rec.begin(); it != rec.end(); ++it) {
        if (min_meta_keys().count(it.key())) continue;
        const json& v = it.value();
        const bool control = controls.names.count(it.key()) > 0;
        const bool flat = control && is_flat_answer(v);
        if (is_region_value(v) || (flat && !flat_answer_type(it.key(), options.controls, controls.types).empty())) {
            regions.emplace_back(it.key(), &v);
            continue;
        }
        if (flat)
            notes.emplace(it.key(), "export field '" + it.key() + "' (a <" + options.controls.at(it.key()) +
                                        "> control) holds a plain value vidseg cannot read (" +
                                        v.dump().substr(0, 80) + "); ignored");
        else if (looks_like_other_result(v))
            notes.emplace(it.key(), "export field '" + it.key() + "' holds a result vidseg does not use (e.g. " +
                                        v.dump().substr(0, 80) + "); ignored");
        else if (v.is_string() && !control && might_be_answer(it.key(), v.get<std::string>()))
            notes.emplace(it.key() + "#data", it.key());
        if (!task.data.contains(it.key())) task.data[it.key()] = v;
    }
    fill_task_media(task, options.fps, subject);
    Annotation ann;
    ann.id = id_text(rec.value("annotation_id", json()));
    if (ann.id.empty()) ann.id = std::to_string(task.annotations.size() + 1);
    if (auto a = rec.find("annotator"); a != rec.end()) {
        if (a->is_number_integer())
            ann.annotator_id = a->get<long long>();
        else if (a->is_string()) {
            auto n = number_of(*a);
            if (n && std::floor(*n) == *n) ann.annotator_id = static_cast<long long>(*n);
            else ann.annotator_email = a->get<std::string>();
        }
    }
    int counter = 0;
    for (const auto& [name, v] : regions) {
        std::vector<json> values = v->is_array() ? std::vector<json>(v->begin(), v->end()) : std::vector<json>{*v};
        if (is_flat_answer(*v) && values.size() > 1)
            notes.emplace(name + "#flat", "export field '" + name + "': Label Studio flattened single answers of " +
                                              "several regions to a list of strings, which loses which region each " +
                                              "belongs to; read as answers for the whole task");
        for (size_t i = 0; i < values.size(); ++i) {
            ResultItem item;
            item.id = "min-" + std::to_string(++counter);
            item.from_name = name;
            json value = values[i];
            if (value.is_string()) {
                // Label Studio's flattened single choice / text.
                item.type = flat_answer_type(name, options.controls, controls.types);
                value = json{{item.type == "textarea" ? "text" : "choices", json::array({value})}};
            } else {
                item.type = min_type_of(value);
            }
            if (item.type.empty()) fail(subject, where + ": '" + name + "' is not a region value");
            ann.results.push_back(
                parse_value(std::move(item), value, task, subject, where + ": '" + name + "'[" + std::to_string(i) + "]"));
        }
    }
    task.annotations.push_back(std::move(ann));
}

Project parse_min_records(const std::vector<MinRecord>& records, ExportFormat format, const ReadOptions& options,
                          const std::string& subject) {
    Project project;
    project.format = format;
    const MinControls controls = find_min_controls(records, options);
    std::map<std::string, size_t> task_by_id;
    std::map<std::string, std::string> notes;
    for (const auto& r : records) add_min_record(project, task_by_id, r, controls, options, subject, notes);
    std::vector<std::string> plain_strings;
    for (const auto& [key, text] : notes) {
        if (key.ends_with("#data")) plain_strings.push_back(text);
        else project.warnings.push_back(text);
    }
    if (!plain_strings.empty() && options.controls.empty()) {
        std::string names;
        for (const auto& n : plain_strings) names += (names.empty() ? "'" : ", '") + n + "'";
        project.warnings.push_back(std::string(export_format_name(format)) + " text fields read as task data: " +
                                   names + " (a single choice or text answer looks the same in this format; "
                                   "give the label config to read such a control as an answer)");
    }
    return project;
}

Project parse_min(const json& doc, const ReadOptions& options, const std::string& subject) {
    std::vector<MinRecord> records;
    for (size_t i = 0; i < doc.size(); ++i) records.push_back({doc[i], "record " + std::to_string(i + 1)});
    return parse_min_records(records, ExportFormat::JsonMin, options, subject);
}

Project parse_csv_export(const std::string& text, const ReadOptions& options, const std::string& subject) {
    auto rows = parse_csv(text, ',', subject);
    if (rows.empty()) {
        Project project;
        project.format = ExportFormat::Csv;
        return project;
    }
    std::vector<std::string> header;
    for (const auto& f : rows.front().fields) header.push_back(trim(f));
    std::vector<MinRecord> records;
    for (size_t r = 1; r < rows.size(); ++r) {
        const auto& rec = rows[r];
        const std::string where = "line " + std::to_string(rec.line);
        if (rec.fields.size() > header.size())
            fail(subject, where + ": " + std::to_string(rec.fields.size()) + " fields, the header has " +
                              std::to_string(header.size()));
        json obj = json::object();
        for (size_t c = 0; c < rec.fields.size(); ++c) {
            const std::string cell = rec.fields[c];
            const std::string t = trim(cell);
            if (t.empty()) continue;
            if (t.front() == '[' || t.front() == '{') {
                try {
                    obj[header[c]] = json::parse(t);
                } catch (const json::exception& e) {
                    fail(subject, where + ", column '" + header[c] + "': not valid JSON (" + e.what() + ")");
                }
            } else if (auto n = number_of(json(t)); n && header[c] != "annotator") {
                obj[header[c]] = (std::floor(*n) == *n && std::abs(*n) < 9e15) ? json(static_cast<long long>(*n)) : json(*n);
            } else {
                obj[header[c]] = cell;
            }
        }
        records.push_back({std::move(obj), where});
    }
    return parse_min_records(records, ExportFormat::Csv, options, subject);
}

bool near(double a, double b) { return std::abs(a - b) <= kSameTime; }

// Result types read into segments, tracks and answers; others are named in the warnings.
void note_unused_results(Project& project) {
    static const std::set<std::string> used = {"labels", "timelinelabels", "videorectangle", "choices", "textarea"};
    std::map<std::pair<std::string, std::string>, size_t> unused;  // (type, from_name) → results
    for (const auto& t : project.tasks)
        for (const auto& a : t.annotations)
            for (const auto& r : a.results)
                if (!used.count(r.type)) ++unused[{r.type, r.from_name}];
    for (const auto& [key, n] : unused)
        project.warnings.push_back("result type '" + key.first + "' of control '" + key.second + "' (" +
                                   std::to_string(n) + " result(s)) is not used by vidseg; ignored");
}

Project parse_any(const std::string& text, const ReadOptions& options, const std::string& subject);

}  // namespace

Project parse_export(const std::string& text, const ReadOptions& options, const std::string& subject) {
    Project project = parse_any(text, options, subject);
    note_unused_results(project);
    return project;
}

namespace {

Project parse_any(const std::string& text, const ReadOptions& options, const std::string& subject) {
    std::optional<ExportFormat> format = options.format;
    size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (!format) {
        if (first == std::string::npos) fail(subject, "empty export");
        format = (text[first] == '[' || text[first] == '{') ? ExportFormat::Json : ExportFormat::Csv;
    }
    if (*format == ExportFormat::Csv) {
        std::string body = text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
        return parse_csv_export(body, options, subject);
    }
    json doc;
    try {
        doc = json::parse(first == std::string::npos ? text : text.substr(first));
    } catch (const json::exception& e) {
        fail(subject, std::string("not valid JSON: ") + e.what());
    }
    if (doc.is_object()) doc = json::array({doc});  // a single task
    if (!doc.is_array()) fail(subject, "a Label Studio export must be a list of tasks");
    bool full = options.format == ExportFormat::Json;
    bool min = options.format == ExportFormat::JsonMin;
    if (!full && !min) {
        // Full exports have tasks with a `data` object; JSON_MIN records are flat.
        full = std::any_of(doc.begin(), doc.end(),
                           [](const json& t) { return t.is_object() && t.contains("data") && t["data"].is_object(); });
        min = !full;
    }
    return full ? parse_full(doc, options, subject) : parse_min(doc, options, subject);
}

}  // namespace

Project read_export(const std::string& path, const ReadOptions& options) {
    const std::string text = read_existing_file(path);
    ReadOptions o = options;
    if (!o.format) {
        std::string ext = std::filesystem::path(path).extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (ext == ".csv") o.format = ExportFormat::Csv;
    }
    return parse_export(text, o, path);
}

std::vector<Segment> segments(const Annotation& annotation) {
    std::vector<Segment> out;
    for (const auto& item : annotation.results) {
        if (item.type != "labels" && item.type != "timelinelabels") continue;
        for (const auto& span : item.spans) {
            Segment s;
            s.region_id = item.id;
            s.from_name = item.from_name;
            s.to_name = item.to_name;
            s.type = item.type;
            s.start = span.start;
            s.end = span.end;
            s.labels = item.labels;
            for (const auto& other : annotation.results) {
                if (&other == &item || (other.type != "choices" && other.type != "textarea")) continue;
                bool linked = other.id == item.id;
                if (!linked && other.id.starts_with("min-") && other.spans.size() == 1)
                    linked = near(other.spans[0].start, span.start) && near(other.spans[0].end, span.end);
                if (!linked) continue;
                auto& dst = other.type == "choices" ? s.choices[other.from_name] : s.texts[other.from_name];
                const auto& src = other.type == "choices" ? other.choices : other.texts;
                dst.insert(dst.end(), src.begin(), src.end());
            }
            out.push_back(std::move(s));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Segment& a, const Segment& b) {
        return a.start != b.start ? a.start < b.start : a.end < b.end;
    });
    return out;
}

namespace {
std::map<std::string, std::vector<std::string>> unlinked(const Annotation& annotation, const char* type) {
    std::set<std::string> region_ids;
    std::vector<timeline::Interval> region_spans;
    for (const auto& item : annotation.results)
        if (item.type == "labels" || item.type == "timelinelabels" || item.type == "videorectangle") {
            region_ids.insert(item.id);
            region_spans.insert(region_spans.end(), item.spans.begin(), item.spans.end());
        }
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& item : annotation.results) {
        if (item.type != type || region_ids.count(item.id)) continue;
        if (item.id.starts_with("min-") && item.spans.size() == 1 &&
            std::any_of(region_spans.begin(), region_spans.end(), [&](const timeline::Interval& r) {
                return near(r.start, item.spans[0].start) && near(r.end, item.spans[0].end);
            }))
            continue;
        auto& dst = out[item.from_name];
        const auto& src = item.type == "choices" ? item.choices : item.texts;
        dst.insert(dst.end(), src.begin(), src.end());
    }
    return out;
}
}  // namespace

std::map<std::string, std::vector<std::string>> task_choices(const Annotation& annotation) {
    return unlinked(annotation, "choices");
}
std::map<std::string, std::vector<std::string>> task_texts(const Annotation& annotation) {
    return unlinked(annotation, "textarea");
}

std::optional<double> video_frame_rate(const std::string& label_config_xml) {
    return parse_label_config(label_config_xml).frame_rate;
}

LabelConfigInfo parse_label_config(const std::string& xml, const std::string& subject) {
    pugi::xml_document doc;
    auto ok = doc.load_string(xml.c_str());
    if (!ok) throw Error(ErrorCode::InvalidData, std::string("label config is not valid XML: ") + ok.description(), subject);
    LabelConfigInfo info;
    // Controls are the tags with both `name` and `toName`.
    for (const auto& node : doc.select_nodes("//*[@name and @toName]"))
        info.controls[node.node().attribute("name").value()] = node.node().name();
    auto video = doc.select_node("//Video");
    if (!video) return info;
    auto attr = video.node().attribute("frameRate");
    if (!attr) {
        info.frame_rate = 24.0;
        info.frame_rate_is_default = true;
        return info;
    }
    const std::string v = trim(attr.value());
    if (v.empty() || v.front() == '$') return info;
    auto n = number_of(json(v));
    if (!n || *n <= 0)
        throw Error(ErrorCode::InvalidData, "label config: <Video frameRate> must be a positive number, got '" + v + "'",
                    subject);
    info.frame_rate = n;
    return info;
}


LabelConfigInfo read_label_config(const std::string& path) {
    return parse_label_config(read_existing_file(path), path);
}

json to_full_json(const Project& project) {
    json tasks = json::array();
    for (const auto& t : project.tasks) {
        json task = json::object();
        if (!t.id.empty()) {
            auto n = number_of(json(t.id));
            task["id"] = (n && std::floor(*n) == *n) ? json(static_cast<long long>(*n)) : json(t.id);
        }
        task["data"] = t.data;
        json anns = json::array();
        for (const auto& a : t.annotations) {
            json ann = json::object();
            auto n = number_of(json(a.id));
            ann["id"] = (n && std::floor(*n) == *n) ? json(static_cast<long long>(*n)) : json(a.id);
            if (!a.annotator_email.empty()) {
                ann["completed_by"] = json{{"email", a.annotator_email}};
                if (a.annotator_id) ann["completed_by"]["id"] = *a.annotator_id;
            } else if (a.annotator_id) {
                ann["completed_by"] = *a.annotator_id;
            }
            ann["was_cancelled"] = a.cancelled;
            json result = json::array();
            for (const auto& r : a.results)
                result.push_back({{"id", r.id}, {"from_name", r.from_name}, {"to_name", r.to_name},
                                  {"type", r.type}, {"value", r.value}, {"origin", "manual"}});
            ann["result"] = std::move(result);
            anns.push_back(std::move(ann));
        }
        task["annotations"] = std::move(anns);
        task["predictions"] = json::array();
        tasks.push_back(std::move(task));
    }
    return tasks;
}

}  // namespace vidseg::annotations
