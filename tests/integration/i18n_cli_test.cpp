// Russian and English console results and reports (issue 19): the real binary with --lang ru / en and
// with LANG=ru_RU.UTF-8 alone. Expected lines are exact; the figures in them (times, confidences) come
// from the --json output of the same inputs, which is language-neutral.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

// vidseg as a user of that locale runs it without --lang: LANG set, LC_ALL and LC_MESSAGES unset
// (run_vidseg itself runs in C.UTF-8, so every other test reads English).
vidseg::test::CommandResult run_vidseg_in_locale(const std::string& lang, const std::string& args) {
    return vidseg::test::run_shell("env -u LC_ALL -u LC_MESSAGES LANG=" + lang + " " +
                                   std::string(VIDSEG_BINARY) + " " + args);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The output holds this exact line.
::testing::AssertionResult has_line(const std::string& out, const std::string& line) {
    const auto lines = lines_of(out);
    if (std::find(lines.begin(), lines.end(), line) != lines.end()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no line\n  [" << line << "]\nin\n" << out;
}

// The output holds a line starting with `head` and ending with `tail` (a duration between them).
::testing::AssertionResult has_line_around(const std::string& out, const std::string& head,
                                           const std::string& tail) {
    for (const auto& l : lines_of(out))
        if (l.size() >= head.size() + tail.size() && l.starts_with(head) && l.ends_with(tail))
            return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no line [" << head << " ... " << tail << "] in\n" << out;
}

std::string fixed(double value, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return buf;
}

std::string series_args() {
    std::string args;
    for (int i = 1; i <= 5; ++i)
        args += " " + shell_quote(vidseg::test::series_dir() / ("ep" + std::to_string(i) + ".mp4"));
    return args;
}

}  // namespace

// Found (ep1-ep4 share an intro) and not found (ep5), in both languages and from the locale alone.
TEST(I18nCli, IntroDetectLinesInRussianAndEnglish) {
    TempDir tmp;
    const std::string args = "intro detect" + series_args() + " --cache " + shell_quote(tmp / "cache");
    const auto js = run_vidseg(args + " --json");
    ASSERT_EQ(js.exit_code, 0) << js.err;
    // Why an episode has no intro: English in --json, translated on a Russian console.
    const std::map<std::string, std::string> reasons = {
        {"shares no audio with any other episode given, nor pictures (another series, or its intro is "
         "missing)",
         "нет общего звука ни с одним другим эпизодом, нет и общих кадров (другой сериал или в нём нет "
         "заставки)"},
        {"shares no audio with any other episode given (another series, or its intro is missing)",
         "нет общего звука ни с одним другим эпизодом (другой сериал или в нём нет заставки)"}};
    std::vector<std::string> ru, en;
    const json doc = json::parse(js.out);
    for (const auto& e : doc["episodes"]) {
        const std::string episode = e["episode"].get<std::string>();
        if (e["intro"].is_null()) {
            ASSERT_TRUE(e.contains("reason")) << e.dump();
            const std::string why = e["reason"].get<std::string>();
            ASSERT_TRUE(reasons.count(why)) << why;
            ru.push_back(episode + ": Заставка не найдена (" + reasons.at(why) + ")");
            en.push_back(episode + ": No intro found (" + why + ")");
            continue;
        }
        const std::string start = fixed(e["intro"][0].get<double>(), 2),
                          end = fixed(e["intro"][1].get<double>(), 2);
        const std::string confirmed = std::to_string(e["confirmations"].get<int>()),
                          confidence = fixed(e["confidence"].get<double>(), 2);
        // ep1-ep4: each confirmed by the 3 others ("из 3 эпизодов": the genitive plural after "из").
        ru.push_back(episode + ": Заставка обнаружена: " + start + "с - " + end + "с (подтверждена " +
                     confirmed + " из 3 эпизодов, уверенность " + confidence + ")");
        en.push_back(episode + ": Intro found: " + start + "s - " + end + "s (confirmed by " + confirmed +
                     " of 3 episodes, confidence " + confidence + ")");
    }
    ASSERT_EQ(ru.size(), 5u);
    EXPECT_TRUE(
        ru[4].starts_with((vidseg::test::series_dir() / "ep5.mp4").string() + ": Заставка не найдена"))
        << ru[4];

    const auto russian = run_vidseg(args + " --lang ru");
    ASSERT_EQ(russian.exit_code, 0) << russian.err;
    EXPECT_EQ(lines_of(russian.out), ru);
    const auto english = run_vidseg(args + " --lang en");
    ASSERT_EQ(english.exit_code, 0) << english.err;
    EXPECT_EQ(lines_of(english.out), en);
    // No flag: the locale decides; C / unset is English (what every other test gets).
    EXPECT_EQ(lines_of(run_vidseg_in_locale("ru_RU.UTF-8", args).out), ru);
    EXPECT_EQ(lines_of(run_vidseg(args).out), en);
    EXPECT_EQ(lines_of(run_vidseg_in_locale("ru_RU.UTF-8", args + " --lang en").out), en);  // the flag wins
    // --json does not change with the language.
    const auto json_ru = run_vidseg_in_locale("ru_RU.UTF-8", args + " --json --lang ru");
    auto a = json::parse(js.out), b = json::parse(json_ru.out);
    a.erase("cache");
    b.erase("cache");
    EXPECT_EQ(a, b);
}

// intro detect --library: a match names its variant, a miss says why, in the language asked for.
TEST(I18nCli, IntroLibraryMatchLinesInRussianAndEnglish) {
    TempDir tmp;
    const auto ep = [](int i) { return (vidseg::test::series_dir() / ("ep" + std::to_string(i) + ".mp4")).string(); };
    const std::string cache = " --cache " + shell_quote(tmp / "cache");
    auto r = run_vidseg("intro learn " + shell_quote(ep(1)) + " " + shell_quote(ep(3)) + " " + shell_quote(ep(4)) +
                        " --out " + shell_quote(tmp / "lib.json") + cache);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string args = "intro detect " + shell_quote(ep(2)) + " " + shell_quote(ep(5)) + " --library " +
                             shell_quote(tmp / "lib.json") + cache;
    const auto js = run_vidseg(args + " --json");
    ASSERT_EQ(js.exit_code, 0) << js.err;
    const json doc = json::parse(js.out);
    const json& found = doc["episodes"][0];
    ASSERT_FALSE(found["intro"].is_null()) << js.out;
    ASSERT_TRUE(doc["episodes"][1]["intro"].is_null()) << js.out;
    const std::string interval_ru = fixed(found["intro"][0].get<double>(), 2) + "с - " +
                                    fixed(found["intro"][1].get<double>(), 2) + "с";
    const std::string interval_en = fixed(found["intro"][0].get<double>(), 2) + "s - " +
                                    fixed(found["intro"][1].get<double>(), 2) + "s";
    const std::string confidence = fixed(found["confidence"].get<double>(), 2);
    EXPECT_EQ(doc["episodes"][1]["reason"], "no intro variant of the library matches its first 900.00 s");
    const auto ru = run_vidseg(args + " --lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err;
    EXPECT_EQ(lines_of(ru.out),
              (std::vector<std::string>{ep(2) + ": Заставка обнаружена: " + interval_ru + " (вариант 0, уверенность " +
                                            confidence + ")",
                                        ep(5) + ": Заставка не найдена (ни один вариант заставки из библиотеки не "
                                                "совпадает с первыми 900.00 с)"}));
    const auto en = run_vidseg(args);
    EXPECT_EQ(lines_of(en.out),
              (std::vector<std::string>{ep(2) + ": Intro found: " + interval_en + " (variant 0, confidence " +
                                            confidence + ")",
                                        ep(5) + ": No intro found (no intro variant of the library matches its "
                                                "first 900.00 s)"}));
}

// prepare: the plural of the segment and clip counts (1 сегмент, 3 сегмента, 6 сегментов) in real output.
TEST(I18nCli, PrepareSummaryInRussianAndEnglish) {
    TempDir tmp;
    const std::string video = media("lesson.mp4").string();
    struct Case {
        int segment;
        std::string segments_ru, clips_ru, segments_en, clips_en;
    };
    for (const Case& c : {Case{30, "1 сегмент", "1 клип", "1 segment", "1 clip"},
                          Case{10, "3 сегмента", "3 клипа", "3 segments", "3 clips"},
                          Case{5, "6 сегментов", "6 клипов", "6 segments", "6 clips"}}) {
        SCOPED_TRACE(c.segment);
        const fs::path out = tmp / ("out" + std::to_string(c.segment));
        const std::string args = "prepare " + shell_quote(video) + " --segment " + std::to_string(c.segment) +
                                 " --mode copy --out " + shell_quote(out);
        const auto ru = run_vidseg(args + " --lang ru");
        ASSERT_EQ(ru.exit_code, 0) << ru.err;
        const std::string length = fixed(c.segment, 1);
        EXPECT_TRUE(has_line_around(
            ru.out, "Подготовлено: " + c.segments_ru + " по " + length + " с из " + video + " за ",
            " с (режим copy)"));
        EXPECT_TRUE(has_line(ru.out, "Результаты в " + out.string() + ":"));
        EXPECT_TRUE(has_line(ru.out, "  part_films/        " + c.clips_ru));
        EXPECT_TRUE(has_line(
            ru.out,
            "  processed_data/    ключевые кадры (segment_<i>_keyframe.jpg), features.jsonl, features.csv"));
        EXPECT_TRUE(has_line(ru.out, "  lesson.wav         полная звуковая дорожка (16000 Гц, каналов: 1)"));
        EXPECT_TRUE(has_line(ru.out, "  tasks.json         задачи Label Studio (импортируйте в проект)"));
        const auto en = run_vidseg_in_locale("C", args + " --lang en");
        ASSERT_EQ(en.exit_code, 0) << en.err;
        EXPECT_TRUE(has_line_around(
            en.out, "Prepared " + c.segments_en + " of " + length + " s from " + video + " in ",
            " s (copy mode)"));
        EXPECT_TRUE(has_line(en.out, "Outputs in " + out.string() + ":"));
        EXPECT_TRUE(has_line(en.out, "  part_films/        " + c.clips_en));
        EXPECT_TRUE(has_line(en.out, "  lesson.wav         full audio track (16000 Hz, 1 ch)"));
    }
    // LANG alone.
    const auto by_locale = run_vidseg_in_locale(
        "ru_RU.UTF-8",
        "prepare " + shell_quote(video) + " --segment 10 --mode copy --out " + shell_quote(tmp / "loc"));
    ASSERT_EQ(by_locale.exit_code, 0) << by_locale.err;
    EXPECT_TRUE(has_line(by_locale.out, "  part_films/        3 клипа")) << by_locale.out;
}

// dataset build: 4 fragments, then a re-run that reuses them; the unmatched label is data (unchanged).
TEST(I18nCli, DatasetBuildSummaryInRussianAndEnglish) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    const std::string args = "dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                             shell_quote(vidseg::test::source_path("tests/data/dataset/lesson_export.json")) +
                             " --out " + shell_quote(out);
    const auto first = run_vidseg(args + " --lang ru");
    ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
    EXPECT_TRUE(has_line_around(
        first.out, "Набор данных собран в " + out.string() + ": 4 фрагмента (с кадрированием: 2) за ", " с"));
    EXPECT_TRUE(has_line(
        first.out,
        "  без изменений из прошлой сборки: 0 фрагментов; создано: 12 файлов, повторно использовано: 0"));
    EXPECT_TRUE(
        has_line(first.out, "  расшифровки: пропущены (нет --whisper-backend; папка transcripts/ пуста)"));
    EXPECT_TRUE(has_line(first.out,
                         "  несопоставленные метки (остались в 'labels', без паттерна): 'Непонятная метка'"));
    // Warnings in Russian too (the label is data; i18n_console_test checks the whole line).
    EXPECT_NE(first.err.find("предупреждение: метка 'Непонятная метка' не совпадает ни с одним паттерном"),
              std::string::npos)
        << first.err;

    const auto again = run_vidseg_in_locale("ru_RU.UTF-8", args);
    ASSERT_EQ(again.exit_code, 0) << again.err << again.out;
    EXPECT_TRUE(has_line(
        again.out,
        "  без изменений из прошлой сборки: 4 фрагмента; создано: 0 файлов, повторно использовано: 12"));

    const auto english = run_vidseg(args + " --lang en");
    ASSERT_EQ(english.exit_code, 0) << english.err;
    EXPECT_TRUE(has_line_around(
        english.out, "Built dataset " + out.string() + ": 4 fragment(s) (2 with a crop) in ", " s"));
    EXPECT_TRUE(has_line(
        english.out, "  4 fragment(s) reused unchanged from an earlier build; 0 file(s) made, 12 reused"));
    EXPECT_TRUE(
        has_line(english.out, "  transcripts: skipped (no --whisper-backend; transcripts/ is empty)"));
    EXPECT_TRUE(
        has_line(english.out, "  unmatched labels (kept in 'labels', no pattern): 'Непонятная метка'"));
}

// Errors: English text with the stable code of --json's error object, the exit code unchanged.
TEST(I18nCli, ErrorsCarryAStableCodeInEveryLanguage) {
    TempDir tmp;
    const auto r = run_vidseg("prepare " + shell_quote(tmp / "missing.mp4") + " --lang ru --out " +
                              shell_quote(tmp / "o"));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err, "vidseg prepare: error[input_not_found]: " + (tmp / "missing.mp4").string() +
                         ": no such file\n");
    const auto j =
        run_vidseg("prepare " + shell_quote(tmp / "missing.mp4") + " --json --out " + shell_quote(tmp / "o"));
    EXPECT_EQ(j.exit_code, 3);
    EXPECT_EQ(json::parse(j.out)["error"]["code"], "input_not_found");
    const auto bad = run_vidseg("intro detect --lang de");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_EQ(bad.err,
              "vidseg intro detect: error[invalid_argument]: option --lang: 'de' is not one of: ru, en\n");
}

TEST(I18nCli, HelpListsTheLanguageOption) {
    for (const char* command :
         {"prepare", "dataset build", "intro detect", "patterns find", "intro learn", "predict"}) {
        const auto r = run_vidseg(std::string(command) + " --help");
        EXPECT_EQ(r.exit_code, 0) << command;
        EXPECT_NE(r.out.find("--lang ru|en"), std::string::npos) << command << "\n" << r.out;
    }
}

namespace {

const std::string kEngagement = "🎯 П: Включение в процесс";
const std::string kQuestion =
    "Вопрос учителя <П>";  // pattern names are data: never translated, always escaped

// 200 rows of 1 s: x0/x1 rise over [40, 80) and [120, 150) (kEngagement), x2 over [170, 190) (kQuestion).
void write_features(const fs::path& path) {
    std::ofstream out(path);
    out << "time,x0,x1,x2\n";
    for (int r = 0; r < 200; ++r) {
        const double mid = r + 0.5, wobble = ((r * 7919) % 13) / 13.0 - 0.5;
        const bool a = (mid >= 40 && mid < 80) || (mid >= 120 && mid < 150), q = mid >= 170 && mid < 190;
        out << r << "," << (a ? 3 : 0) + wobble << "," << (a ? 3 : 0) - wobble << ","
            << (q ? 3 : 0) + wobble / 2 << "\n";
    }
}

// Russian plural of a count: "1 интервал", "2 интервала", "5 интервалов" (written out here, not taken
// from the catalogue, so that the test checks it).
std::string russian_intervals(long long n) {
    const long long last = n % 10, last_two = n % 100;
    const char* noun = last == 1 && last_two != 11                                  ? "интервал"
                       : last >= 2 && last <= 4 && (last_two < 12 || last_two > 14) ? "интервала"
                                                                                    : "интервалов";
    return std::to_string(n) + " " + noun;
}

std::string padded(const char* format, const std::string& value) {
    char buf[256];
    std::snprintf(buf, sizeof buf, format, value.c_str());
    return buf;
}

std::string with_comma(std::string number) {
    std::replace(number.begin(), number.end(), '.', ',');
    return number;
}

class I18nPatterns : public ::testing::Test {
  protected:
    void SetUp() override {
        write_features(dir / "lesson.features.csv");
        fs::create_directories(dir / "ds");
        std::ofstream out(dir / "ds" / "metadata.jsonl");
        for (auto [s, e, p] : {std::tuple{40.0, 80.0, kEngagement}, std::tuple{120.0, 150.0, kEngagement},
                               std::tuple{170.0, 190.0, kQuestion}})
            out << json{{"file_name", "videos/x.mp4"},
                        {"patterns", {p}},
                        {"start", s},
                        {"end", e},
                        {"source_video", "lesson.mp4"}}
                       .dump()
                << "\n";
        out.close();
        const auto r =
            run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " +
                       shell_quote(dir / "lesson.features.csv") +
                       " --arch linear --epochs 40 --seed 1 --out " + shell_quote(dir / "m.model"));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string find_args(const std::string& report) const {
        return "patterns find --model " + shell_quote(dir / "m.model") + " " +
               shell_quote(dir / "lesson.features.csv") + " --report " + shell_quote(dir / report);
    }
    TempDir dir;
};

}  // namespace

TEST_F(I18nPatterns, SummaryAndReportInRussianAndEnglish) {
    const auto ru = run_vidseg(find_args("ru.html") + " --lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err;
    const auto doc = json::parse(read_text(dir / "ru.json"));
    ASSERT_EQ(doc["totals"].size(), 2u) << doc.dump();
    std::vector<std::string> ru_lines = {doc["source"].get<std::string>() + " (" +
                                         fixed(doc["duration"].get<double>() / 60, 1) + " мин)"};
    std::vector<std::string> en_lines = {doc["source"].get<std::string>() + " (" +
                                         fixed(doc["duration"].get<double>() / 60, 1) + " min)"};
    for (const auto& t : doc["totals"]) {
        const std::string name = padded("%-40s", t["label"].get<std::string>()),
                          seconds = padded("%7s", fixed(t["seconds"].get<double>(), 1)),
                          share = padded("%5s", fixed(100 * t["share"].get<double>(), 1));
        const long long n = t["intervals"].get<long long>();
        ru_lines.push_back("  " + name + " " + seconds + " с  " + share + "%  " + russian_intervals(n));
        en_lines.push_back("  " + name + " " + seconds + " s  " + share + "%  " + std::to_string(n) +
                           (n == 1 ? " interval" : " intervals"));
    }
    // The notes are English in report.json and translated on the console.
    EXPECT_EQ(doc["talk"]["note"],
              "the features have no speech_fraction / MFCC columns on a 1 s grid and the lesson "
              "video was not found");
    ru_lines.push_back(
        "  речь: нет данных (в признаках нет столбцов speech_fraction / MFCC с шагом 1 с, а видео "
        "урока не найдено)");
    en_lines.push_back("  talk: not available (" + doc["talk"]["note"].get<std::string>() + ")");
    ru_lines.push_back(
        "  расшифровки: нет (нет --transcript, нет файла расшифровки рядом с уроком (.srt, .vtt, "
        ".transcript.json) и нет --whisper-backend)");
    en_lines.push_back("  transcripts: not available (" + doc["transcript"]["note"].get<std::string>() + ")");
    EXPECT_EQ(lines_of(ru.out), ru_lines);
    // The two patterns were found in 2 and 1 intervals: both Russian forms appear in real output.
    EXPECT_EQ(doc["totals"][0]["intervals"].get<int>() + doc["totals"][1]["intervals"].get<int>(), 3)
        << ru.out;
    EXPECT_NE(ru.err.find("отчёт записан в " + (dir / "ru.html").string() + " (данные в " +
                          (dir / "ru.json").string() + ")"),
              std::string::npos)
        << ru.err;

    const auto by_locale = run_vidseg_in_locale("ru_RU.UTF-8", find_args("loc.html"));
    EXPECT_EQ(lines_of(by_locale.out), ru_lines);
    const auto en = run_vidseg(find_args("en.html"));
    ASSERT_EQ(en.exit_code, 0) << en.err;
    EXPECT_EQ(lines_of(en.out), en_lines);
    // The figures (report.json) are the same in both languages.
    EXPECT_EQ(read_text(dir / "ru.json"), read_text(dir / "en.json"));

    // Report snapshots: lang attribute, translated headings, decimal comma in Russian, pattern names as data.
    const std::string ru_html = read_text(dir / "ru.html"), en_html = read_text(dir / "en.html");
    const std::string minutes = fixed(doc["duration"].get<double>() / 60, 1);
    const json& engagement = doc["totals"][doc["totals"][0]["label"] == kEngagement ? 0 : 1];
    ASSERT_EQ(engagement["label"], kEngagement);
    for (const std::string& piece : std::vector<std::string>{
             std::string("<html lang=\"ru\">"),
             "<title>Паттерны: " + doc["source"].get<std::string>() + "</title>", "<h2>Речь и тишина</h2>",
             "<h2>Итоги по паттернам</h2>", "<h2>Главные сегменты</h2>",
             std::string("<tr><th>паттерн</th><th>секунды</th><th>доля</th><th>интервалы</th><th>средняя "
                         "вероятность</th></tr>"),
             "<p>Модель: linear, 2 паттерна; урок " + with_comma(minutes) +
                 " мин. Кривые: вероятность по строкам в 1 с; заливка: найденные интервалы.</p>",
             "<tr><td>" + kEngagement + "</td><td>" +
                 with_comma(fixed(engagement["seconds"].get<double>(), 1)) + "</td><td>" +
                 with_comma(fixed(100 * engagement["share"].get<double>(), 1)) + "\u00a0%</td>",
             std::string("<td>Вопрос учителя &lt;П&gt;</td>")})
        EXPECT_NE(ru_html.find(piece), std::string::npos) << piece;
    for (const std::string& piece : std::vector<std::string>{
             std::string("<html lang=\"en\">"),
             "<title>Patterns: " + doc["source"].get<std::string>() + "</title>", "<h2>Talk and silence</h2>",
             "<h2>Totals per pattern</h2>", "<h2>Top segments</h2>",
             "<p>Model: linear, 2 patterns; lesson " + minutes +
                 " min. Curves: probability per 1 s row; shaded: detected intervals.</p>",
             "<tr><td>" + kEngagement + "</td><td>" + fixed(engagement["seconds"].get<double>(), 1) +
                 "</td><td>" + fixed(100 * engagement["share"].get<double>(), 1) + "%</td>",
             std::string("<td>Вопрос учителя &lt;П&gt;</td>")})
        EXPECT_NE(en_html.find(piece), std::string::npos) << piece;
    for (const char* english :
         {"Totals per pattern", "Top segments", "Talk and silence", "<th>pattern</th>", "Model:"})
        EXPECT_EQ(ru_html.find(english), std::string::npos) << english;
}
