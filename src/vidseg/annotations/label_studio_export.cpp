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
#include "vidseg/core/input_limits.hpp"

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
    if (!annotator_email.empty()) return annotator_email;
    if (annotator_id) return "user " + std::to_string(*annotator_id);
    return "annotation " + id;
}

std::string Task::describe() const {
    std::string s = "task " + std::to_string(index + 1);
    if (!id.empty()) s += " (id " + id + ")";
    return s;
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
        break;
    }
    if (!task.fps && config_fps) task.fps = config_fps;
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
        if (!task.fps)
            fail(subject, "fps unknown for " + task.describe() +
                              ": timelinelabels ranges are frame numbers; put the real fps into the task data "
                              "('fps') or pass the label config's <Video frameRate>");
        for (size_t i = 0; i < ranges->size(); ++i) {
            const std::string w = where + ": ranges[" + std::to_string(i) + "]";
            const json& r = (*ranges)[i];
            if (!r.is_object()) fail(subject, w + " must be an object {start, end}");
            const double s = required_number(r, "start", subject, w);
            const double e = required_number(r, "end", subject, w);
            if (s < 0 || e < s) fail(subject, w + " must satisfy 0 <= start <= end (frame numbers)");
            // Checked against Label Studio 1.23.2: the server exports the editor's ranges verbatim; the editor
            // numbers frames from 1 (goToFrame(f) seeks to (f - 1) / fps) and a one-frame region is {f, f}.
            // tests/python/test_label_studio_roundtrip.py pins this.
            const double ts = std::max(0.0, (s - 1) / *task.fps), te = e / *task.fps;
            item.spans.push_back({ts, te});
            task.duration = std::max(task.duration, te);
        }
        if (auto it = value.find("timelinelabels"); it != value.end())
            item.labels = strings_of(*it, subject, where + ": value.timelinelabels");
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
                                               "file_upload", "inner_id", "project"};
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
    if (v.contains("rectanglelabels")) return "rectanglelabels";
    return {};
}

// One JSON_MIN record (= one annotation of one task). `where` is "record 3" or "line 4".
void add_min_record(Project& project, std::map<std::string, size_t>& task_by_id, const json& rec,
                    const std::string& where, const ReadOptions& options, const std::string& subject) {
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
        bool is_region = false;
        if (v.is_array() && !v.empty()) {
            is_region = std::all_of(v.begin(), v.end(), [](const json& e) { return !min_type_of(e).empty(); });
        } else if (v.is_object() && (v.contains("choices") || v.contains("text"))) {
            is_region = true;
        }
        if (is_region)
            regions.emplace_back(it.key(), &v);
        else if (!task.data.contains(it.key()))
            task.data[it.key()] = v;
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
        for (size_t i = 0; i < values.size(); ++i) {
            ResultItem item;
            item.id = "min-" + std::to_string(++counter);
            item.from_name = name;
            item.type = min_type_of(values[i]);
            if (item.type.empty()) fail(subject, where + ": '" + name + "' is not a region value");
            ann.results.push_back(
                parse_value(std::move(item), values[i], task, subject, where + ": '" + name + "'[" + std::to_string(i) + "]"));
        }
    }
    task.annotations.push_back(std::move(ann));
}

Project parse_min(const json& doc, const ReadOptions& options, const std::string& subject) {
    Project project;
    project.format = ExportFormat::JsonMin;
    std::map<std::string, size_t> task_by_id;
    for (size_t i = 0; i < doc.size(); ++i)
        add_min_record(project, task_by_id, doc[i], "record " + std::to_string(i + 1), options, subject);
    return project;
}

Project parse_csv_export(const std::string& text, const ReadOptions& options, const std::string& subject) {
    auto records = parse_csv(text, ',', subject);
    Project project;
    project.format = ExportFormat::Csv;
    if (records.empty()) return project;
    std::vector<std::string> header;
    for (const auto& f : records.front().fields) header.push_back(trim(f));
    std::map<std::string, size_t> task_by_id;
    for (size_t r = 1; r < records.size(); ++r) {
        const auto& rec = records[r];
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
        add_min_record(project, task_by_id, obj, where, options, subject);
    }
    return project;
}

bool near(double a, double b) { return std::abs(a - b) <= kSameTime; }

}  // namespace

Project parse_export(const std::string& text, const ReadOptions& options, const std::string& subject) {
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

Project read_export(const std::string& path, const ReadOptions& options) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "no such file", path);
    const std::string text = read_limited_file(path);
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
    pugi::xml_document doc;
    auto ok = doc.load_string(label_config_xml.c_str());
    if (!ok) throw Error(ErrorCode::InvalidData, std::string("label config is not valid XML: ") + ok.description());
    auto video = doc.select_node("//Video");
    if (!video) return std::nullopt;
    auto attr = video.node().attribute("frameRate");
    if (!attr) return std::nullopt;
    const std::string v = trim(attr.value());
    if (v.empty() || v.front() == '$') return std::nullopt;
    auto n = number_of(json(v));
    if (!n || *n <= 0) throw Error(ErrorCode::InvalidData, "label config: <Video frameRate> must be a positive number, got '" + v + "'");
    return n;
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
