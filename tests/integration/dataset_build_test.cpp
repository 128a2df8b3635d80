// End-to-end tests of `vidseg dataset build`: the real binary on the generated lesson (640x360,
// 25 fps, 30 s) and the Label Studio exports in tests/data/dataset/; outputs checked with ffprobe
// and by parsing the files.
//
// lesson_export.json: task 11 (lesson.mp4), annotation 1 (anna: [2,6) "🎯 П: Включение в процесс"
// with choice + text, [10,14) "😊 У: Эмоциональный отклик", a videorectangle box x10 y20 w25 h50 %
// over the whole video) and annotation 2 (boris: [4,7) "💖 П: Эмоциональная поддержка", [20,23)
// "Непонятная метка" which matches no pattern). lesson_export_errors.json adds [28,35) (past the end),
// [8,8) (end <= start; intervals are numbered in time order) and task 12 whose video other_lesson.mp4 is not given.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/jsonl_support.hpp"
#include "support/test_support.hpp"
#include "vidseg/dataset/dataset_plan.hpp"

namespace fs = std::filesystem;
using vidseg::test::shell_quote;
using nlohmann::json;
using vidseg::test::read_jsonl;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::TempDir;

namespace {

fs::path data(const std::string& name) { return vidseg::test::source_path("tests/data/dataset") / name; }

long long frame_count(const fs::path& file) {
    auto r = run_shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 " +
                       shell_quote(file));
    return std::stoll(r.out);
}

std::pair<int, int> image_size(const fs::path& file) {
    auto r = run_shell("ffprobe -v error -show_entries stream=width,height -of json " + shell_quote(file));
    auto j = json::parse(r.out);
    return {j["streams"][0]["width"].get<int>(), j["streams"][0]["height"].get<int>()};
}

const json* row_with(const std::vector<json>& rows, double start, const std::string& annotator) {
    for (const auto& r : rows)
        if (r["start"].get<double>() == start && r["annotator"] == annotator) return &r;
    return nullptr;
}

}  // namespace

TEST(DatasetBuild, LessonProducesEveryFragment) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                        shell_quote(data("lesson_export.json")) + " --out " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("4 fragment(s) (2 with a crop)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("transcripts: skipped"), std::string::npos) << r.out;
    // The unmatched label is reported by name and the run still succeeds.
    EXPECT_NE(r.err.find("'Непонятная метка' matches no pattern"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("unmatched labels (kept in 'labels', no pattern): 'Непонятная метка'"), std::string::npos)
        << r.out;

    const auto rows = read_jsonl(out / "metadata.jsonl");
    ASSERT_EQ(rows.size(), 4u);
    for (const auto& row : rows) {
        const double start = row["start"], end = row["end"];
        for (const char* col : {"file_name", "image_path", "audio_path"}) {
            const std::string rel = row[col];
            EXPECT_FALSE(rel.starts_with("/") || rel.find("..") != std::string::npos) << rel;
            EXPECT_TRUE(fs::exists(out / rel)) << rel;
        }
        EXPECT_EQ(row["source_video"], "lesson.mp4");
        // Exact clip: interval x 25 frames.
        EXPECT_EQ(frame_count(out / row["file_name"].get<std::string>()), std::llround((end - start) * 25))
            << row["file_name"];
        // Audio: 16 kHz mono, the interval's length.
        auto a = run_shell("ffprobe -v error -show_entries stream=sample_rate,channels:format=duration -of json " +
                           shell_quote(out / row["audio_path"].get<std::string>()));
        auto aj = json::parse(a.out);
        EXPECT_EQ(aj["streams"][0]["sample_rate"], "16000");
        EXPECT_EQ(aj["streams"][0]["channels"], 1);
        EXPECT_NEAR(std::stod(aj["format"]["duration"].get<std::string>()), end - start, 0.01);
        EXPECT_EQ(image_size(out / row["image_path"].get<std::string>()), std::make_pair(640, 360));
    }

    // Annotation 1 has the track: its rows carry a crop of 25% x 50% of 640x360 = 160x180.
    const json* teacher = row_with(rows, 2.0, "anna@school.ru");
    ASSERT_NE(teacher, nullptr);
    EXPECT_EQ((*teacher)["file_name"], "videos/lesson_11_1_0.mp4");
    ASSERT_TRUE((*teacher)["crop_path"].is_string());
    EXPECT_EQ(image_size(out / (*teacher)["crop_path"].get<std::string>()), std::make_pair(160, 180));
    EXPECT_EQ((*teacher)["patterns"], json::array({"Включение в обучающий процесс П"}));
    EXPECT_EQ((*teacher)["labels"], json::array({"🎯 П: Включение в процесс"}));
    ASSERT_EQ((*teacher)["descriptions"].size(), 1u);
    EXPECT_NE((*teacher)["descriptions"][0].get<std::string>().find("вовлекает"), std::string::npos);
    EXPECT_EQ((*teacher)["choice_initiator"], json::array({"Teacher"}));
    EXPECT_EQ((*teacher)["text_action"], json::array({"Учитель задаёт вопрос классу"}));

    const json* student = row_with(rows, 10.0, "anna@school.ru");
    ASSERT_NE(student, nullptr);
    EXPECT_EQ((*student)["patterns"], json::array({"Эмоциональный отклик У"}));
    EXPECT_TRUE((*student)["crop_path"].is_string());

    // Annotation 2 (no track): no crop.
    const json* support = row_with(rows, 4.0, "boris@school.ru");
    ASSERT_NE(support, nullptr);
    EXPECT_TRUE((*support)["crop_path"].is_null());
    EXPECT_EQ((*support)["patterns"], json::array({"Эмоциональная поддержка П"}));
    const json* odd = row_with(rows, 20.0, "boris@school.ru");
    ASSERT_NE(odd, nullptr);
    EXPECT_EQ((*odd)["patterns"], json::array());
    EXPECT_EQ((*odd)["labels"], json::array({"Непонятная метка"}));

    // The audio and keyframe views (audiofolder / imagefolder with metadata_filenames): the same rows in the
    // same order, file_name = the WAV / the keyframe, the clip in video_path, the linked *_path column gone.
    for (const auto& [view, linked] : {std::pair{"metadata_audio.jsonl", "audio_path"},
                                       std::pair{"metadata_images.jsonl", "image_path"}}) {
        const auto view_rows = read_jsonl(out / view);
        ASSERT_EQ(view_rows.size(), rows.size()) << view;
        for (size_t i = 0; i < rows.size(); ++i) {
            EXPECT_EQ(view_rows[i]["file_name"], rows[i][linked]) << view;
            EXPECT_EQ(view_rows[i]["video_path"], rows[i]["file_name"]) << view;
            EXPECT_FALSE(view_rows[i].contains(linked)) << view;
            EXPECT_EQ(view_rows[i]["patterns"], rows[i]["patterns"]) << view;
            EXPECT_EQ(view_rows[i]["crop_path"], rows[i]["crop_path"]) << view;
            EXPECT_EQ(view_rows[i].size(), rows[i].size()) << view;
        }
    }

    // CSV: header + one line per row, lists joined with "; ". Not named metadata.csv: `datasets`
    // rejects a folder with metadata files of two formats.
    EXPECT_FALSE(fs::exists(out / "metadata.csv"));
    const std::string csv = read_text(out / "metadata_table.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
    EXPECT_TRUE(csv.starts_with("file_name,image_path,crop_path,audio_path,patterns,labels,"));
    EXPECT_TRUE(fs::is_directory(out / "transcripts"));
    EXPECT_TRUE(fs::is_empty(out / "transcripts"));

    // Card: YAML header first, with the configs block the Hub reads.
    const std::string card = read_text(out / "README.md");
    ASSERT_TRUE(card.starts_with("---\n"));
    const auto end_header = card.find("\n---\n", 4);
    ASSERT_NE(end_header, std::string::npos);
    const std::string yaml = card.substr(4, end_header - 4 + 1);
    EXPECT_NE(yaml.find("license: cc-by-4.0\n"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("task_categories:\n- video-classification\n"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("language:\n- ru\n- en\n"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("pretty_name: \""), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path:\n    - \"videos/*\"\n    - \"metadata.jsonl\"\n"),
              std::string::npos)
        << yaml;
    EXPECT_EQ(yaml.find("split: test"), std::string::npos) << yaml;
    // Every line of the header is a mapping key, a list item or an indented continuation.
    std::istringstream lines(yaml);
    for (std::string line; std::getline(lines, line);)
        EXPECT_TRUE(line.starts_with("- ") || line.starts_with("  ") || line.find(": ") != std::string::npos ||
                    line.ends_with(":"))
            << line;
    for (const char* section : {"## Structure", "## Usage", "## Classes", "## How it was built"})
        EXPECT_NE(card.find(section), std::string::npos) << section;
    EXPECT_NE(card.find("| Включение в обучающий процесс П | 1 |"), std::string::npos);
    EXPECT_NE(card.find("| Работа в команде У | 0 |"), std::string::npos);
    EXPECT_NE(card.find("Непонятная метка (1)"), std::string::npos);
    // Usage names the audio / keyframe views the way the loaders take them (tests/python/test_hf_datasets.py).
    EXPECT_NE(card.find("load_dataset(\"audiofolder\", data_dir=\"<folder>\", metadata_filenames=[\"metadata_audio.jsonl\"])"),
              std::string::npos);
    EXPECT_NE(card.find("metadata_filenames=[\"metadata_images.jsonl\"]"), std::string::npos);
    // Nothing left over from staging.
    for (const auto& e : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(e.path().filename().string().find(".vidseg-tmp"), std::string::npos) << e.path();
}

TEST(DatasetBuild, PatternsFromXlsxAndLicense) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                        shell_quote(data("lesson_export.json")) + " --patterns " +
                        shell_quote(vidseg::test::source_path("tests/data/patterns.xlsx")) + " --license mit --out " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(read_text(out / "README.md").find("license: mit\n"), std::string::npos);
    const auto rows = read_jsonl(out / "metadata.jsonl");
    // tests/data/patterns.xlsx lists "Эмоциональный отклик У" but no teacher engagement pattern.
    const json* student = row_with(rows, 10.0, "anna@school.ru");
    ASSERT_NE(student, nullptr);
    EXPECT_EQ((*student)["patterns"], json::array({"Эмоциональный отклик У"}));
    const json* teacher = row_with(rows, 2.0, "anna@school.ru");
    ASSERT_NE(teacher, nullptr);
    EXPECT_EQ((*teacher)["patterns"], json::array());
    EXPECT_EQ((*teacher)["labels"], json::array({"🎯 П: Включение в процесс"}));
    EXPECT_NE(r.err.find("label '🎯 П: Включение в процесс' matches no pattern"), std::string::npos) << r.err;
}

TEST(DatasetBuild, BadItemsAreNamedAndNothingIsWritten) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                        shell_quote(data("lesson_export_errors.json")) + " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("task 1 (id 11), annotation 2, interval 3 [28.00, 35.00): ends after the end of the video"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("task 1 (id 11), annotation 2, interval 1 [8.00, 8.00): end <= start"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("task 2 (id 12), annotation 3: its video 'other_lesson.mp4' is not among the --video files"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("Summary: 3 item(s) failed"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out));
}

TEST(DatasetBuild, KeepGoingWritesTheGoodItemsAndStillFails) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset build --keep-going --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                        shell_quote(data("lesson_export_errors.json")) + " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("[28.00, 35.00)"), std::string::npos) << r.err;
    EXPECT_EQ(read_jsonl(out / "metadata.jsonl").size(), 4u);
}

TEST(DatasetBuild, WholeInputErrorsUseTheirExitCodes) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    // Missing video: exit 3, naming it.
    auto r = run_vidseg("dataset build --video " + shell_quote(tmp / "nope.mp4") + " --annotations " +
                        shell_quote(data("lesson_export.json")) + " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("nope.mp4"), std::string::npos) << r.err;
    // Malformed export (end < start; and not JSON at all): exit 7.
    r = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " + shell_quote(data("malformed.json")) +
                   " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("malformed.json"), std::string::npos) << r.err;
    std::ofstream(tmp / "broken.json") << "[{\"id\": 1, \"data\": {";
    r = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " + shell_quote(tmp / "broken.json") +
                   " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    // Missing export: exit 3.
    r = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " + shell_quote(tmp / "none.json") +
                   " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_FALSE(fs::exists(out));
}

TEST(DatasetBuild, TestFractionSplitsByLesson) {
    TempDir tmp;
    fs::copy_file(media("lesson.mp4"), tmp / "lesson_a.mp4");
    fs::copy_file(media("lesson.mp4"), tmp / "lesson_b.mp4");
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset build --video " + shell_quote(tmp / "lesson_a.mp4") + " --video " + shell_quote(tmp / "lesson_b.mp4") +
                        " --annotations " + shell_quote(data("two_lessons.json")) + " --test-fraction 0.2 --out " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto train = read_jsonl(out / "train/metadata.jsonl");
    const auto test = read_jsonl(out / "test/metadata.jsonl");
    EXPECT_EQ(train.size() + test.size(), 3u);
    ASSERT_FALSE(train.empty());
    ASSERT_FALSE(test.empty());
    std::set<std::string> train_lessons, test_lessons;
    for (const auto& row : train) {
        train_lessons.insert(row["source_video"]);
        EXPECT_TRUE(fs::exists(out / "train" / row["file_name"].get<std::string>()));
    }
    for (const auto& row : test) {
        test_lessons.insert(row["source_video"]);
        EXPECT_TRUE(fs::exists(out / "test" / row["file_name"].get<std::string>()));
    }
    EXPECT_EQ(train_lessons, std::set<std::string>{"lesson_a.mp4"});
    EXPECT_EQ(test_lessons, std::set<std::string>{"lesson_b.mp4"});
    const std::string card = read_text(out / "README.md");
    EXPECT_NE(card.find("  - split: train\n    path:\n    - \"train/videos/*\"\n    - \"train/metadata.jsonl\"\n"), std::string::npos) << card;
    EXPECT_NE(card.find("  - split: test\n    path:\n    - \"test/videos/*\"\n    - \"test/metadata.jsonl\"\n"), std::string::npos) << card;
    EXPECT_TRUE(fs::exists(out / "train/metadata_table.csv"));
    EXPECT_EQ(read_jsonl(out / "train/metadata_audio.jsonl").size(), train.size());
    EXPECT_EQ(read_jsonl(out / "test/metadata_images.jsonl").size(), test.size());
    EXPECT_TRUE(fs::is_directory(out / "test/transcripts"));
    EXPECT_FALSE(fs::exists(out / "metadata.jsonl"));
}

TEST(DatasetBuild, TasksMatchVideosByFileName) {
    using vidseg::dataset::same_video_name;
    using vidseg::dataset::url_basename;
    EXPECT_EQ(url_basename("http://minio:9000/ppi/anna/l1/lesson.mp4?X-Amz-Signature=a%2Fb#t=3"), "lesson.mp4");
    EXPECT_EQ(url_basename("/data/local-files/?d=lessons%2Fmy%20lesson.mp4"), "my lesson.mp4");
    EXPECT_EQ(url_basename("http://ls:8080/data/local-files/?d=lessons/lesson.mp4&x=1"), "lesson.mp4");
    EXPECT_EQ(url_basename("/data/upload/1/3f2a1b-my%20lesson.mp4"), "3f2a1b-my lesson.mp4");
    EXPECT_EQ(url_basename("lesson.mp4"), "lesson.mp4");
    EXPECT_TRUE(same_video_name("lesson.mp4", "lesson.mp4"));
    EXPECT_TRUE(same_video_name("3f2a1b-my lesson.mp4", "my lesson.mp4"));
    EXPECT_FALSE(same_video_name("other_lesson.mp4", "lesson.mp4"));
    EXPECT_FALSE(same_video_name("lesson.mp4", "lesson.mkv"));
    EXPECT_FALSE(same_video_name("", "lesson.mp4"));
}

TEST(DatasetBuild, BoxPercentToPixels) {
    using vidseg::dataset::box_to_pixels;
    auto px = box_to_pixels({.x = 10, .y = 20, .width = 25, .height = 50}, 640, 360);
    ASSERT_TRUE(px);
    EXPECT_EQ(px->x, 64);
    EXPECT_EQ(px->y, 72);
    EXPECT_EQ(px->width, 160);
    EXPECT_EQ(px->height, 180);
    // Partly outside: clamped to the frame; wholly outside: none.
    px = box_to_pixels({.x = 90, .y = -10, .width = 20, .height = 30}, 640, 360);
    ASSERT_TRUE(px);
    EXPECT_EQ(px->x, 576);
    EXPECT_EQ(px->y, 0);
    EXPECT_EQ(px->width, 64);
    EXPECT_EQ(px->height, 72);
    EXPECT_FALSE(box_to_pixels({.x = 100, .y = 0, .width = 10, .height = 10}, 640, 360));
}

TEST(DatasetBuild, JsonReport) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset build --json --keep-going --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                        shell_quote(data("lesson_export_errors.json")) + " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc["fragments"], 4);
    EXPECT_EQ(doc["written"], true);
    EXPECT_EQ(doc["errors"].size(), 3u);
    EXPECT_EQ(doc["transcripts"], "skipped");
    ASSERT_EQ(doc["unmatched_labels"].size(), 1u);
    EXPECT_EQ(doc["unmatched_labels"][0]["label"], "Непонятная метка");
}
