#include "vidseg/dataset/dataset_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "vidseg/core/messages.hpp"
#include "vidseg/core/safe_path.hpp"

namespace vidseg::dataset {

namespace {

std::string seconds_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void append_distinct(std::vector<std::string>& to, const std::vector<std::string>& values) {
    for (const auto& v : values)
        if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

// data.lesson as text ("" when absent); a CSV export turns a numeric lesson name ("2024") into a number.
std::string task_lesson(const annotations::Task& task) {
    if (!task.data.is_object()) return {};
    const auto lesson = task.data.find("lesson");
    if (lesson == task.data.end()) return {};
    return lesson->is_string() ? lesson->get<std::string>() : lesson->is_number_integer() ? lesson->dump() : std::string();
}

// The platform video id a task names (data.vidseg_video_id, a number or a numeric string), 0 if none.
long long task_video_id(const annotations::Task& task) {
    if (!task.data.is_object()) return 0;
    const auto id = task.data.find("vidseg_video_id");
    if (id == task.data.end()) return 0;
    if (id->is_number_integer()) return id->get<long long>();
    if (id->is_string()) {
        const std::string text = id->get<std::string>();
        if (!text.empty() && text.size() < 19 && text.find_first_not_of("0123456789") == std::string::npos)
            return std::stoll(text);
    }
    return 0;
}

// Which given video a task's times refer to, and what to add to them (the lesson-time rule in the header).
struct TaskPlacement {
    std::optional<size_t> video;
    double shift = 0;            // seconds added to every time of the task
    bool audio_in_lesson_time = false;  // pre-segment-WAV prepare task: audio `labels` are not shifted
    bool by_id = false;                 // placed by data.vidseg_video_id
    std::vector<size_t> ambiguous;      // two or more videos fit by name and no id decides
};

TaskPlacement place_task(const annotations::Task& task, const std::vector<SourceVideo>& videos) {
    const long long id = task_video_id(task);
    if (id != 0)
        for (size_t v = 0; v < videos.size(); ++v)
            if (videos[v].id == id) return {v, 0, false, true};
    // By name, among the videos the task's id does not rule out; one of them, or none.
    auto by_name = [&](auto&& fits) {
        std::vector<size_t> found;
        for (size_t v = 0; v < videos.size(); ++v)
            if (!(id != 0 && videos[v].id != 0) && fits(videos[v])) found.push_back(v);
        return found;
    };
    const std::string task_file = url_basename(!task.video.empty() ? task.video : task.audio);
    const auto named = by_name([&](const SourceVideo& v) {
        return same_video_name(task_file, std::filesystem::path(v.path).filename().string());
    });
    if (named.size() == 1) return {named.front()};
    if (named.size() > 1) return {std::nullopt, 0, false, false, named};
    // A `vidseg prepare` task: its clip is segment data.segment of lesson data.lesson, starting at data.start.
    const auto& data = task.data;
    if (!data.is_object()) return {};
    const auto start = data.find("start");
    if (start == data.end() || !start->is_number()) return {};
    const std::string lesson_name = task_lesson(task);
    if (lesson_name.empty()) return {};
    const auto lessons = by_name([&](const SourceVideo& v) {
        return std::filesystem::path(v.path).stem().string() == lesson_name;
    });
    if (lessons.size() > 1) return {std::nullopt, 0, false, false, lessons};
    if (lessons.empty()) return {};
    TaskPlacement placement{lessons.front(), start->get<double>()};
    placement.audio_in_lesson_time = same_video_name(url_basename(task.audio), lesson_name + ".wav");
    return placement;
}

// "its video 'lesson.mp4' fits 2 videos: /in/17/lesson.mp4 (video 17) and /in/18/lesson.mp4 (video 18)"
std::string ambiguity(const std::string& task_file, const std::vector<size_t>& fits,
                      const std::vector<SourceVideo>& videos) {
    std::string text = "its video '" + task_file + "' fits " + std::to_string(fits.size()) + " videos: ";
    for (size_t i = 0; i < fits.size(); ++i) {
        const SourceVideo& v = videos[fits[i]];
        text += (i == 0 ? "" : i + 1 == fits.size() ? " and " : ", ") + v.path +
                (v.id != 0 ? " (video " + std::to_string(v.id) + ")" : std::string());
    }
    return text + " by file name, and the task names none of them by data.vidseg_video_id";
}

// "<lesson>_<task>_<ann>_<i>" with every part from the data cleaned (core/safe_path.hpp): ids are taken
// verbatim from the export ("../../x" once wrote outside the dataset); ordinary ids keep their names. Each
// part is bounded (100 bytes), the whole to 200 bytes: room for "_crop.jpg" and temp-file suffixes.
std::string fragment_name(const std::string& lesson, const std::string& task, const std::string& annotation,
                          size_t i) {
    constexpr size_t kMaxFragmentNameBytes = 200;
    return safe_file_name(safe_file_name(lesson) + "_" + safe_file_name(task) + "_" +
                              safe_file_name(annotation) + "_" + std::to_string(i),
                          kMaxFragmentNameBytes);
}

annotations::VideoTrack shifted(annotations::VideoTrack track, double shift, std::optional<double> fps) {
    if (shift == 0) return track;
    const long long frames = fps ? std::llround(shift * *fps) : 0;
    for (auto& k : track.keyframes) {
        k.time += shift;
        k.frame += static_cast<int>(frames);
    }
    if (track.duration > 0) track.duration += shift;
    if (track.frames_count > 0) track.frames_count += static_cast<int>(frames);
    return track;
}

}  // namespace

std::string url_basename(const std::string& url) {
    std::string s = url.substr(0, url.find_first_of("?#"));
    // Label Studio local-files storage: "/data/local-files/?d=<path>" — the file is in the query.
    if (s.ends_with("/data/local-files/") || s.ends_with("/data/local-files")) {
        const auto q = url.find('?');
        const auto d = q == std::string::npos ? std::string::npos : url.find("d=", q);
        if (d != std::string::npos && (url[d - 1] == '?' || url[d - 1] == '&')) {
            s = url.substr(d + 2);
            s = s.substr(0, s.find_first_of("&#"));
        }
    }
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    const auto slash = out.find_last_of("/\\");
    return slash == std::string::npos ? out : out.substr(slash + 1);
}

bool same_video_name(const std::string& task_name, const std::string& video_name) {
    if (task_name.empty() || video_name.empty()) return false;
    if (task_name == video_name) return true;
    return task_name.size() > video_name.size() + 1 && task_name.ends_with("-" + video_name);
}

std::optional<PixelBox> box_to_pixels(const annotations::Box& box, int width, int height) {
    const auto px = [](double percent, int size) {
        return static_cast<int>(std::lround(percent / 100.0 * size));
    };
    int x0 = std::clamp(px(box.x, width), 0, width), y0 = std::clamp(px(box.y, height), 0, height);
    int x1 = std::clamp(px(box.x + box.width, width), 0, width);
    int y1 = std::clamp(px(box.y + box.height, height), 0, height);
    if (x1 <= x0 || y1 <= y0) return std::nullopt;
    return PixelBox{x0, y0, x1 - x0, y1 - y0};
}

DatasetPlan plan_dataset(const annotations::Project& project, std::vector<SourceVideo> videos,
                         const annotations::LabelMatcher& matcher, double test_fraction) {
    DatasetPlan plan;
    plan.videos = std::move(videos);
    std::set<std::string> choice_cols, text_cols, fragment_names;
    std::vector<std::string> all_labels;

    std::map<size_t, std::vector<std::string>> fps_from_video;  // video → tasks read at its probed frame rate
    for (const auto& exported_task : project.tasks) {
        const std::string task_file = url_basename(!exported_task.video.empty() ? exported_task.video : exported_task.audio);
        const TaskPlacement placement = place_task(exported_task, plan.videos);
        const std::optional<size_t> video = placement.video;
        const std::string task_key = exported_task.id.empty() ? std::to_string(exported_task.index + 1) : exported_task.id;
        // Frame numbers of a task without fps: at the placed video's rate.
        std::optional<annotations::Task> with_fps;
        if (!exported_task.fps && video && plan.videos[*video].fps > 0) {
            with_fps = exported_task;
            const SourceVideo& v = plan.videos[*video];
            annotations::apply_frame_rate(*with_fps, v.fps, "video " + std::filesystem::path(v.path).filename().string());
            if (exported_task.needs_fps()) fps_from_video[*video].push_back(exported_task.describe());
        }
        const annotations::Task& task = with_fps ? *with_fps : exported_task;

        for (const auto& ann : task.annotations) {
            size_t unplaced_frames = 0;
            for (const auto& r : ann.results)
                if (!r.frame_ranges.empty() && r.spans.empty()) unplaced_frames += r.frame_ranges.size();
            if (unplaced_frames && video)
                plan.errors.push_back({task.describe() + ", annotation " + ann.id,
                                       std::to_string(unplaced_frames) +
                                           " video interval(s) in frame numbers and no frame rate (no fps in the "
                                           "task data, no --fps, none probed from the video); skipped"});
            const auto segs = annotations::segments(ann);
            if (segs.empty() && !(unplaced_frames && !video)) continue;
            if (!video && !placement.ambiguous.empty()) {
                plan.errors.push_back({task.describe() + ", annotation " + ann.id,
                                       ambiguity(task_file, placement.ambiguous, plan.videos) + "; " +
                                           std::to_string(segs.size() + unplaced_frames) + " interval(s) skipped"});
                continue;
            }
            if (!video) {
                plan.errors.push_back({task.describe() + ", annotation " + ann.id,
                                       "its video '" + (task_file.empty() ? std::string("(none)") : task_file) +
                                           "' is not among the --video files" +
                                           (task.data.is_object() && task.data.contains("lesson")
                                                ? " (nor is its lesson '" +
                                                      (task.data["lesson"].is_string()
                                                           ? task.data["lesson"].get<std::string>()
                                                           : task.data["lesson"].dump()) +
                                                      "')"
                                                : std::string()) +
                                           "; " + std::to_string(segs.size() + unplaced_frames) +
                                           " interval(s) skipped"});
                continue;
            }
            const SourceVideo& src = plan.videos[*video];
            // Task-level choices / texts apply to every interval of the annotation.
            const auto task_choices = annotations::task_choices(ann);
            const auto task_texts = annotations::task_texts(ann);
            for (size_t i = 0; i < segs.size(); ++i) {
                auto seg = segs[i];
                const double shift = placement.audio_in_lesson_time && seg.type == "labels" ? 0 : placement.shift;
                seg.start += shift;
                seg.end += shift;
                const std::string where = task.describe() + ", annotation " + ann.id + ", interval " +
                                          std::to_string(i) + " [" + seconds_text(seg.start) + ", " +
                                          seconds_text(seg.end) + ")";
                if (!(seg.end > seg.start)) {
                    plan.errors.push_back({where, "end <= start"});
                    continue;
                }
                if (seg.start < 0) {
                    plan.errors.push_back({where, "starts before 0"});
                    continue;
                }
                if (src.duration > 0 && seg.end > src.duration + 1e-3) {
                    plan.errors.push_back({where, "ends after the end of the video " + src.path + " (" +
                                                      seconds_text(src.duration) + " s)"});
                    continue;
                }
                DatasetItem item;
                item.video = *video;
                item.task_id = task_key;
                item.annotation_id = ann.id;
                item.name = fragment_name(src.lesson, task_key, ann.id, i);
                // One name, one set of files: a repeated id (or ids crafted to meet after cleaning) is an
                // error.
                if (!fragment_names.insert(item.name).second) {
                    plan.errors.push_back(
                        {where, "its fragment name '" + item.name +
                                    "' is already used by an earlier interval (a repeated task or "
                                    "annotation id?)"});
                    continue;
                }
                item.annotator = ann.annotator();
                // A task found by its video id is that video's lesson (two uploads of one name carry
                // one data.lesson, yet are two lessons).
                item.lesson = placement.by_id ? src.lesson : task_lesson(task);
                if (item.lesson.empty()) item.lesson = src.lesson;
                item.start = seg.start;
                item.end = seg.end;
                item.mid = seg.start + (seg.end - seg.start) / 2;
                item.keyframe_time = item.mid;
                item.labels = seg.labels;
                item.choices = task_choices;
                for (const auto& [k, v] : seg.choices) append_distinct(item.choices[k], v);
                item.texts = task_texts;
                for (const auto& [k, v] : seg.texts) append_distinct(item.texts[k], v);
                for (const auto& [k, v] : item.choices) choice_cols.insert(k);
                for (const auto& [k, v] : item.texts) text_cols.insert(k);
                for (const auto& r : ann.results)
                    if (r.type == "videorectangle" && r.track) {
                        auto track = shifted(*r.track, placement.shift, task.fps);
                        if (auto b = track.box_at(item.mid)) {
                            item.box = *b;
                            item.track = std::move(track);
                            break;
                        }
                    }
                for (const auto& label : item.labels) {
                    all_labels.push_back(label);
                    const auto m = matcher.match(label);
                    if (m.matched()) {
                        if (std::find(item.patterns.begin(), item.patterns.end(), m.pattern_name) ==
                            item.patterns.end()) {
                            item.patterns.push_back(m.pattern_name);
                            item.descriptions.push_back(matcher.patterns()[*m.pattern].description);
                        }
                    } else {
                        item.unmatched.push_back(label);
                    }
                }
                plan.items.push_back(std::move(item));
            }
        }
    }
    for (const auto& [v, tasks] : fps_from_video) {
        std::string names;
        for (size_t i = 0; i < tasks.size() && i < 5; ++i) names += (i ? ", " : "") + tasks[i];
        if (tasks.size() > 5) names += ", ...";
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.3f", plan.videos[v].fps);
        // English (the JSON report, the server's job log); the console shows it translated.
        plan.warnings.push_back(
            Messages().count(Msg::WarnTasksWithoutFps, static_cast<long long>(tasks.size()),
                             {{"tasks", names}, {"rate", rate}, {"video", plan.videos[v].path}}));
    }
    plan.matches = matcher.match_all(all_labels);
    plan.choice_columns.assign(choice_cols.begin(), choice_cols.end());
    plan.text_columns.assign(text_cols.begin(), text_cols.end());

    if (test_fraction > 0) {
        std::set<std::string> lessons_set;
        for (const auto& item : plan.items) lessons_set.insert(item.lesson);
        const std::vector<std::string> lessons(lessons_set.begin(), lessons_set.end());
        if (lessons.size() < 2) {
            plan.warnings.push_back(
                Messages().count(Msg::WarnTestFractionOneLesson, static_cast<long long>(lessons.size())));
        } else {
            const long n = static_cast<long>(lessons.size());
            const long n_test = std::clamp<long>(std::lround(test_fraction * n), 1, n - 1);
            plan.test_lessons.assign(lessons.end() - n_test, lessons.end());
            for (auto& item : plan.items)
                if (std::find(plan.test_lessons.begin(), plan.test_lessons.end(), item.lesson) !=
                    plan.test_lessons.end())
                    item.split = "test";
        }
    }
    return plan;
}

}  // namespace vidseg::dataset
