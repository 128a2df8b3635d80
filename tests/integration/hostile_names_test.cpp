// Issue 14: names taken from data never become paths unchecked. The real binary on crafted but valid
// inputs — Label Studio exports (JSON, JSON_MIN, CSV) whose task / annotation ids are "../../../../x",
// absolute paths, "a\b", newlines, NUL, 10 000 characters, Unicode look-alikes of '/' and '.', ids
// that clean to the same text; a labeled.csv naming keyframes outside --images; episodes and lessons
// with odd file names. Each run writes into a deep folder of a temp dir whose whole tree is listed
// before and after: nothing may appear outside the output folder, and the output must be right.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/jsonl_support.hpp"
#include "support/test_support.hpp"
#include "vidseg/core/safe_path.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::is_safe_relative_path;
using vidseg::safe_file_name;
using vidseg::test::media;
using vidseg::test::read_jsonl;
using vidseg::test::read_text;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

const std::string kLabel = "🎯 П: Включение в процесс";

// Every entry under root (relative, symlinks not followed).
std::set<std::string> tree(const fs::path& root) {
    std::set<std::string> out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
        out.insert(it->path().lexically_relative(root).string());
    return out;
}

// What appeared under root since `before`, outside `inside` (relative to root).
std::vector<std::string> new_outside(const fs::path& root, const std::set<std::string>& before,
                                     const std::string& inside) {
    std::vector<std::string> out;
    for (const auto& e : tree(root))
        if (!before.count(e) && e != inside && !e.starts_with(inside + "/")) out.push_back(e);
    return out;
}

// Ids a hostile export carries; the last three clean to the same text and must stay apart.
std::vector<std::string> hostile_ids() {
    return {"../../../../x", "/abs/path",    "a\\b", "line1\nline2", std::string(10000, 'n'),
            "a\u2215b",      "\uFF0E\uFF0E", "..",   "-rf",          std::string("nul\0id", 6),
            "a/b",           "a_b"};
}

json interval(double start, double end) {
    return {{"start", start}, {"end", end}, {"channel", 0}, {"labels", {kLabel}}};
}

// Full JSON export: one task per id on lesson.mp4, its one annotation carrying the next id, one interval.
json full_export(const std::vector<std::string>& ids) {
    json tasks = json::array();
    for (size_t i = 0; i < ids.size(); ++i) {
        const double start = static_cast<double>(i % 10) * 2;
        tasks.push_back({{"id", ids[i]},
                         {"data", {{"video", "/data/upload/1/lesson.mp4"}, {"fps", 25}}},
                         {"annotations",
                          {{{"id", ids[(i + 1) % ids.size()]},
                            {"completed_by", {{"id", 3}, {"email", "anna@school.ru"}}},
                            {"result",
                             {{{"id", "r1"},
                               {"from_name", "pattern_intervals"},
                               {"to_name", "audio"},
                               {"type", "labels"},
                               {"value", interval(start, start + 1.5)}}}}}}}});
    }
    return tasks;
}

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

// dataset build into tmp/a/b/c/d/e/ds; checks the fragments and that nothing was written elsewhere.
void expect_contained_build(const TempDir& tmp, const fs::path& export_file,
                            const std::vector<std::string>& ids) {
    const fs::path out = tmp / "a/b/c/d/e/ds";
    fs::create_directories(out.parent_path());
    const auto before = tree(tmp.path());
    const auto r =
        run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                   shell_quote(export_file) + " --out " + shell_quote(out) + " --yes");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(new_outside(tmp.path(), before, "a/b/c/d/e/ds"), std::vector<std::string>{});
    EXPECT_FALSE(fs::exists(tmp / "x")) << "the ../ id escaped";

    const auto rows = read_jsonl(out / "metadata.jsonl");
    ASSERT_EQ(rows.size(), ids.size());
    std::set<std::string> names, task_ids;
    for (const auto& row : rows) {
        for (const char* col : {"file_name", "image_path", "audio_path"}) {
            const std::string rel = row[col];
            EXPECT_TRUE(is_safe_relative_path(rel)) << rel;
            EXPECT_TRUE(fs::is_regular_file(out / rel)) << rel;
            EXPECT_GT(fs::file_size(out / rel), 0u) << rel;
        }
        names.insert(row["file_name"].get<std::string>());
        task_ids.insert(row["task_id"].get<std::string>());  // the data keeps the ids as they were
        EXPECT_EQ(row["patterns"], json::array({"Включение в обучающий процесс П"}));
    }
    EXPECT_EQ(names.size(), ids.size()) << "two ids collided after cleaning";
    EXPECT_EQ(task_ids, std::set<std::string>(ids.begin(), ids.end()));
    // Every file name is bounded: the 10 000-character id did not make a 10 000-byte name.
    for (const auto& e : fs::recursive_directory_iterator(out))
        EXPECT_LE(e.path().filename().string().size(), 255u) << e.path();
}

}  // namespace

TEST(HostileNames, DatasetBuildFromFullJsonExportWritesOnlyInsideOut) {
    TempDir tmp;
    const auto ids = hostile_ids();
    write(tmp / "in/export.json", full_export(ids).dump());
    expect_contained_build(tmp, tmp / "in/export.json", ids);
    // The ordinary-looking id keeps its plain name (lesson_<task>_<annotation>_<i>); the ones that
    // collide with it after cleaning get hashed names.
    const auto rows = read_jsonl(tmp / "a/b/c/d/e/ds/metadata.jsonl");
    size_t plain = 0;
    for (const auto& row : rows)
        plain += row["file_name"] == "videos/lesson_a_b_" + safe_file_name("../../../../x") + "_0.mp4";
    EXPECT_EQ(plain, 1u);
}

TEST(HostileNames, DatasetBuildFromJsonMinExportWritesOnlyInsideOut) {
    TempDir tmp;
    const std::vector<std::string> ids = {"../../../../x", "/abs/path", "a\\b", "two\nlines",
                                          std::string(10000, 'm')};
    json records = json::array();
    for (size_t i = 0; i < ids.size(); ++i)
        records.push_back({{"video", "/data/upload/1/lesson.mp4"},
                           {"fps", 25},
                           {"id", ids[i]},
                           {"annotator", "anna@school.ru"},
                           {"annotation_id", ids[(i + 2) % ids.size()]},
                           {"pattern_intervals",
                            {interval(static_cast<double>(i) * 2, static_cast<double>(i) * 2 + 1.5)}}});
    write(tmp / "in/export_min.json", records.dump());
    expect_contained_build(tmp, tmp / "in/export_min.json", ids);
}

TEST(HostileNames, DatasetBuildFromCsvExportWritesOnlyInsideOut) {
    TempDir tmp;
    const std::vector<std::string> ids = {"../../../../x", "/abs/path", "a\\b", "..",
                                          std::string(10000, 'c')};
    std::string csv = "id,annotation_id,annotator,video,fps,pattern_intervals\n";
    const auto quoted = [](const std::string& v) {
        std::string out = "\"";
        for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
    };
    for (size_t i = 0; i < ids.size(); ++i)
        csv += quoted(ids[i]) + "," + quoted(ids[(i + 1) % ids.size()]) +
               ",anna@school.ru,/data/upload/1/lesson.mp4,25," +
               quoted(json::array({interval(static_cast<double>(i) * 2, static_cast<double>(i) * 2 + 1.5)})
                          .dump()) +
               "\n";
    write(tmp / "in/export.csv", csv);
    expect_contained_build(tmp, tmp / "in/export.csv", ids);
}

TEST(HostileNames, DatasetFotoCopiesOnlyKeyframesInsideImagesUnderSafeNames) {
    TempDir tmp;
    const fs::path images = tmp / "in/images";
    fs::create_directories(images);
    // Real JPEG bytes are not needed: foto copies files as they are.
    write(images / "segment_0_keyframe.jpg", "jpeg 0");
    write(images / "odd\nname.jpg", "jpeg newline");
    write(images / "-rf.jpg", "jpeg dash");
    write(images / ".hidden.jpg", "jpeg hidden");
    write(tmp / "secret.jpg", "not for the dataset");
    fs::create_symlink(tmp / "secret.jpg", images / "link_out.jpg");
    std::string csv = "segment,start,end,keyframe,patterns\n";
    csv += "0,0,5,segment_0_keyframe.jpg,Работа в команде\n";
    csv += "1,5,10,\"odd\nname.jpg\",Работа в команде\n";
    csv += "2,10,15,-rf.jpg,Работа в команде\n";
    csv += "3,15,20,.hidden.jpg,Работа в команде\n";
    csv += "4,20,25,../../secret.jpg,Работа в команде\n";
    csv += "5,25,30," + (tmp / "secret.jpg").string() + ",Работа в команде\n";
    csv += "6,30,35,link_out.jpg,Работа в команде\n";
    write(tmp / "in/labeled.csv", csv);
    const fs::path out = tmp / "a/b/c/foto";
    fs::create_directories(out.parent_path());
    const auto before = tree(tmp.path());
    const auto r = run_vidseg("dataset foto --labeled " + shell_quote(tmp / "in/labeled.csv") + " --images " +
                              shell_quote(images) + " --out " + shell_quote(out) + " --keep-going --json");
    ASSERT_EQ(r.exit_code, 1) << r.err
                              << r.out;  // the three rows outside --images failed, the rest were written
    EXPECT_EQ(new_outside(tmp.path(), before, "a/b/c/foto"), std::vector<std::string>{});
    const auto doc = json::parse(r.out);
    ASSERT_EQ(doc["errors"].size(), 3u) << doc.dump(1);
    for (const auto& e : doc["errors"])
        EXPECT_NE(e["message"].get<std::string>().find("not found in"), std::string::npos);

    const auto rows = read_jsonl(out / "metadata.jsonl");
    std::set<std::string> files;
    for (const auto& row : rows) {
        const std::string rel = row["file_name"];
        EXPECT_TRUE(is_safe_relative_path(rel)) << rel;
        files.insert(rel);
    }
    EXPECT_EQ(files, (std::set<std::string>{
                         "images/segment_0_keyframe.jpg", "images/" + safe_file_name("odd\nname.jpg"),
                         "images/" + safe_file_name("-rf.jpg"), "images/" + safe_file_name(".hidden.jpg")}));
    EXPECT_EQ(read_text(out / "images" / safe_file_name("odd\nname.jpg")), "jpeg newline");
    EXPECT_TRUE(safe_file_name("odd\nname.jpg").ends_with(".jpg"));
    for (const auto& e : fs::recursive_directory_iterator(out))
        EXPECT_NE(read_text(e.path()), "not for the dataset") << e.path();
}

TEST(HostileNames, IntroSidecarsOfOddlyNamedEpisodesStayInTheirFolders) {
    TempDir tmp;
    const std::vector<std::string> names = {"-rf ep1", "ep2\nnewline", ".hidden ep3", "ep4 \u2215 x"};
    std::string args;
    for (size_t i = 0; i < names.size(); ++i) {
        const fs::path link = tmp / "in" / (names[i] + ".mp4");
        fs::create_directories(link.parent_path());
        fs::create_symlink(vidseg::test::series_dir() / ("ep" + std::to_string(i + 1) + ".mp4"), link);
        args += " " + shell_quote(link);
    }
    const auto before = tree(tmp.path());
    const auto r =
        run_vidseg("intro detect" + args + " --no-cache --audio-only --edl " + shell_quote(tmp / "out/edl") +
                   " --chapters " + shell_quote(tmp / "out/chapters"));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(new_outside(tmp.path(), before, "out"), std::vector<std::string>{});
    std::set<std::string> edl, chapters, expected_edl, expected_chapters;
    for (const auto& e : fs::directory_iterator(tmp / "out/edl")) edl.insert(e.path().filename().string());
    for (const auto& e : fs::directory_iterator(tmp / "out/chapters"))
        chapters.insert(e.path().filename().string());
    for (const auto& n : names) {
        expected_edl.insert(safe_file_name(n) + ".edl");
        expected_chapters.insert(safe_file_name(n) + ".ffmetadata");
        EXPECT_NE(safe_file_name(n), n);
    }
    EXPECT_EQ(edl, expected_edl);
    EXPECT_EQ(chapters, expected_chapters);
    // Every episode shares the intro: each EDL holds one skip ("start end 3").
    for (const auto& n : expected_edl) {
        double s = 0, e = 0;
        int action = -1;
        EXPECT_EQ(std::sscanf(read_text(tmp / "out/edl" / n).c_str(), "%lf %lf %d", &s, &e, &action), 3) << n;
        EXPECT_EQ(action, 3);
        EXPECT_GT(e, s);
    }
}

TEST(HostileNames, PrepareOfAnOddlyNamedVideoWritesOnlyIntoItsFolder) {
    TempDir tmp;
    const std::string stem = "-lesson\nname";
    const fs::path video = tmp / "in" / (stem + ".mp4");
    fs::create_directories(video.parent_path());
    fs::create_symlink(media("lesson.mp4"), video);
    const auto before = tree(tmp.path());
    const auto r = run_vidseg("prepare " + shell_quote(video) + " --segment 10 --mode copy");  // default OUT
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const std::string out = "in/" + safe_file_name(stem + "_prepared");
    EXPECT_EQ(new_outside(tmp.path(), before, out), std::vector<std::string>{});
    const fs::path wav = tmp / out / (safe_file_name(stem) + ".wav");
    EXPECT_TRUE(fs::is_regular_file(wav)) << wav;
    EXPECT_GT(fs::file_size(wav), 44u);
    EXPECT_TRUE(fs::is_regular_file(tmp / out / "part_films/segment_0.mp4"));
    for (const auto& e : fs::recursive_directory_iterator(tmp / out)) {
        const std::string name = e.path().filename().string();
        EXPECT_EQ(name.find('\n'), std::string::npos) << name;
        EXPECT_NE(name.front(), '-') << name;
    }
}
