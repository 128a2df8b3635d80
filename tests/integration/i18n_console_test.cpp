// Russian console warnings, the interactive review and the summaries of `intro learn` and `predict`
// (issue 19): the real binary with --lang ru / en. Expected lines are exact; data in them (file names,
// labels, figures, English error causes) comes from the English or --json output of the same inputs.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::media;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

::testing::AssertionResult has_line(const std::string& out, const std::string& line) {
    for (const auto& l : lines_of(out))
        if (l == line) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no line\n  [" << line << "]\nin\n" << out;
}

::testing::AssertionResult contains(const std::string& out, const std::string& text) {
    if (out.find(text) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no\n  [" << text << "]\nin\n" << out;
}

// The first line starting with `head`, without it ("" when none).
std::string rest_of_line(const std::string& out, const std::string& head) {
    for (const auto& l : lines_of(out))
        if (l.starts_with(head)) return l.substr(head.size());
    return {};
}

std::string fixed(double value, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return buf;
}

fs::path series(int i) {
    return vidseg::test::series_dir() / ("ep" + std::to_string(i) + ".mp4");
}

// Why an episode has no intro: English in the library's words, Russian on a Russian console.
std::string russian_reason(const std::string& english) {
    if (english ==
        "shares no audio with any other episode given, nor pictures (another series, or its intro is "
        "missing)")
        return "нет общего звука ни с одним другим эпизодом, нет и общих кадров (другой сериал или в нём нет "
               "заставки)";
    if (english == "shares no audio with any other episode given (another series, or its intro is missing)")
        return "нет общего звука ни с одним другим эпизодом (другой сериал или в нём нет заставки)";
    return "unexpected reason: " + english;
}

}  // namespace

// prepare: the warnings about the input, Russian with --lang ru, unchanged English without.
TEST(I18nConsole, PrepareWarningsInRussian) {
    TempDir tmp;
    struct Case {
        const char* video;
        std::string ru, en;
    };
    for (const Case& c :
         {Case{"video_only.mp4", "предупреждение: в видео нет звуковой дорожки: нет WAV и звуковых признаков",
               "warning: the video has no audio track: no WAV, no audio features"},
          Case{"vfr.mp4",
               "предупреждение: переменная частота кадров: задачи Label Studio получают среднюю частоту",
               "warning: variable frame rate: Label Studio tasks carry the average fps"}}) {
        SCOPED_TRACE(c.video);
        const std::string args =
            "prepare " + shell_quote(media(c.video)) + " --segment 3 --out " + shell_quote(tmp / c.video);
        const auto ru = run_vidseg(args + " --lang ru");
        ASSERT_EQ(ru.exit_code, 0) << ru.err;
        EXPECT_TRUE(has_line(ru.err, c.ru));
        EXPECT_FALSE(contains(ru.err, "warning:"));
        const auto en = run_vidseg(args + " --lang en");
        ASSERT_EQ(en.exit_code, 0) << en.err;
        EXPECT_TRUE(has_line(en.err, c.en));
        const auto quiet = run_vidseg(args + " --lang ru --quiet");
        EXPECT_FALSE(contains(quiet.err, "предупреждение"));
    }
}

// dataset build --review: the dialogue (listing, answers, help, errors) and the unmatched-label warning.
TEST(I18nConsole, DatasetBuildReviewAndWarningsInRussian) {
    TempDir tmp;
    const std::string export_path =
        vidseg::test::source_path("tests/data/dataset/lesson_export.json").string();
    std::ofstream(tmp / "cmds.txt")
        << "list\nview 1\nx 2,4 учитель не в кадре\nx 9\nkeep 4\nfoo\nhelp\ndone\n";
    const auto build = [&](const std::string& out, const std::string& extra) {
        // No display, no viewer: `view` says how to open the keyframe.
        return run_shell("( env -u DISPLAY -u WAYLAND_DISPLAY -u VIDSEG_IMAGE_VIEWER USER=tester " +
                         std::string(VIDSEG_BINARY) + " dataset build --video " +
                         shell_quote(media("lesson.mp4")) + " --annotations " + shell_quote(export_path) +
                         " --out " + shell_quote(tmp / out) + " --review " + extra + " < " +
                         shell_quote(tmp / "cmds.txt") + " )");
    };
    const auto en = build("en", "--lang en");
    ASSERT_EQ(en.exit_code, 0) << en.err << en.out;
    const auto ru = build("ru", "--lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err << ru.out;

    EXPECT_TRUE(has_line(ru.out, "Просмотр: 4 фрагмента перед записью набора данных:"));
    EXPECT_TRUE(
        contains(ru.out, "\n  2  оставлен  lesson  10.00-14.00  [Эмоциональный отклик У]  anna@school.ru  "));
    EXPECT_TRUE(has_line(ru.out, "4 элемента, исключено: 0"));
    EXPECT_TRUE(has_line(ru.out, "команды:"));
    EXPECT_TRUE(has_line(ru.out, "  quit | q                 прервать: ничего не записывается"));
    const std::string keyframe = rest_of_line(en.out, "review> frame 1 (lesson_11_1_0): ");
    ASSERT_FALSE(keyframe.empty()) << en.out;
    // The same keyframe, in the Russian run's (partial) output folder.
    const std::string keyframe_ru = rest_of_line(ru.out, "просмотр> кадр 1 (lesson_11_1_0): ");
    EXPECT_TRUE(keyframe_ru.ends_with("/images/lesson_11_1_0.jpg")) << ru.out;
    EXPECT_EQ(fs::path(keyframe_ru).filename(), fs::path(keyframe).filename());
    EXPECT_TRUE(has_line(ru.out,
                         "  (нет дисплея или программы просмотра: откройте файл выше; задайте в "
                         "VIDSEG_IMAGE_VIEWER команду, чтобы открывать его отсюда)"));
    EXPECT_TRUE(has_line(ru.out, "просмотр> исключено: 2 элемента; всего исключено 2 из 4"));
    EXPECT_TRUE(
        has_line(ru.out, "просмотр> ошибка: '9': there are only 4 item(s)"));  // the cause stays English
    EXPECT_TRUE(has_line(ru.out, "просмотр> оставлено: 1 элемент; всего исключено 1 из 4"));
    EXPECT_TRUE(has_line(ru.out, "просмотр> неизвестная команда 'foo' (введите help)"));
    EXPECT_TRUE(has_line(ru.out, "просмотр> команды:"));
    EXPECT_TRUE(has_line(ru.out, "просмотр> подтверждено: оставлено 3, исключено 1"));
    // The same session in English is what it always was.
    EXPECT_TRUE(has_line(en.out, "Review of 4 fragment(s) before the dataset is written:"));
    EXPECT_TRUE(has_line(en.out, "4 item(s), 0 excluded"));
    EXPECT_TRUE(has_line(en.out, "review> excluded 2 item(s); 2 of 4 excluded"));
    EXPECT_TRUE(has_line(en.out, "review> kept 1 item(s); 1 of 4 excluded"));
    EXPECT_TRUE(has_line(en.out, "review> confirmed: 3 kept, 1 excluded"));

    // The label that matches no pattern: its name and closest pattern are data.
    const std::string head = "warning: label 'Непонятная метка' matches no pattern (";
    std::string closest = rest_of_line(en.err, head);
    ASSERT_TRUE(closest.ends_with("); kept in 'labels'")) << en.err;
    closest.resize(closest.size() - std::string("); kept in 'labels'").size());
    std::smatch m;
    const std::string closest_ru = closest == "no close pattern" ? "близких паттернов нет"
                                   : std::regex_match(closest, m, std::regex("closest: '(.*)', score (.*)"))
                                       ? "ближайший: '" + m[1].str() + "', сходство " + m[2].str()
                                       : "unexpected: " + closest;
    EXPECT_TRUE(
        has_line(ru.err, "предупреждение: метка 'Непонятная метка' не совпадает ни с одним паттерном (" +
                             closest_ru + "); оставлена в 'labels'"));
    EXPECT_FALSE(contains(ru.err, "warning:"));
}

// intro detect: an unreadable episode is skipped with a warning, the fingerprint cache reports.
TEST(I18nConsole, IntroDetectWarningsInRussian) {
    TempDir tmp;
    const std::string broken = media("not_video.txt").string();
    std::string args = "intro detect " + shell_quote(broken);
    for (int i = 1; i <= 4; ++i) args += " " + shell_quote(series(i));
    const auto en = run_vidseg(args + " --cache " + shell_quote(tmp / "cache-en") + " --lang en");
    ASSERT_EQ(en.exit_code, 0) << en.err;
    const auto ru = run_vidseg(args + " --cache " + shell_quote(tmp / "cache-ru") + " --lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err;
    const std::string cause = rest_of_line(en.err, "warning: skipping '" + broken + "': ");
    ASSERT_FALSE(cause.empty()) << en.err;
    EXPECT_TRUE(has_line(ru.err, "предупреждение: пропускаю '" + broken + "': " + cause));
    // "fingerprint cache DIR: H hit(s), M miss(es)" (DIR: the cache's folder inside --cache).
    const std::string stats = "fingerprint cache " + rest_of_line(en.err, "fingerprint cache ");
    std::smatch m;
    const std::regex pattern(R"(fingerprint cache (.*)cache-en(.*): (\d+) hit\(s\), (\d+) miss\(es\))");
    ASSERT_TRUE(std::regex_match(stats, m, pattern)) << en.err;
    EXPECT_TRUE(has_line(ru.err, "кэш отпечатков " + m[1].str() + "cache-ru" + m[2].str() + ": найдено " +
                                     m[3].str() + ", вычислено " + m[4].str()));
    EXPECT_FALSE(contains(ru.err, "warning:"));
}

// intro learn: the library's variants and episodes with Russian plurals; an episode without the intro.
TEST(I18nConsole, IntroLearnSummaryInRussian) {
    TempDir tmp;
    std::string args = "intro learn";
    for (int i : {1, 2, 3, 5}) args += " " + shell_quote(series(i));
    const auto js = run_vidseg(args + " --out " + shell_quote(tmp / "js.json") + " --json");
    ASSERT_EQ(js.exit_code, 0) << js.err;
    const json doc = json::parse(js.out);
    ASSERT_EQ(doc["variants"].size(), 1u) << js.out;
    const json& variant = doc["variants"][0];
    ASSERT_EQ(variant["episodes"].size(), 3u) << js.out;
    std::string names;
    for (const auto& e : variant["episodes"])
        names += (names.empty() ? "" : ", ") + e["episode"].get<std::string>();
    const std::string length = fixed(variant["length"].get<double>(), 2);

    const fs::path lib_ru = tmp / "ru.json", lib_en = tmp / "en.json";
    const auto ru = run_vidseg(args + " --out " + shell_quote(lib_ru) + " --lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err;
    const auto en = run_vidseg(args + " --out " + shell_quote(lib_en) + " --lang en");
    ASSERT_EQ(en.exit_code, 0) << en.err;
    const auto out_ru = lines_of(ru.out), out_en = lines_of(en.out);
    ASSERT_EQ(out_ru.size(), 3u) << ru.out;
    ASSERT_EQ(out_en.size(), 3u) << en.out;
    EXPECT_EQ(out_ru[0], "Библиотека заставок " + lib_ru.string() + ": 1 вариант заставки (4 эпизода)");
    EXPECT_EQ(out_ru[1], "  вариант 0: " + length + "с, 3 эпизода (" + names + ")");
    EXPECT_EQ(out_en[0], "Learned 1 intro variant from 4 episodes: " + lib_en.string());
    EXPECT_EQ(out_en[1], "  variant 0: " + length + "s, 3 episodes (" + names + ")");
    const std::string head_en = "  no intro: ep5.mp4 (";
    ASSERT_TRUE(out_en[2].starts_with(head_en) && out_en[2].ends_with(")")) << en.out;
    const std::string why = out_en[2].substr(head_en.size(), out_en[2].size() - head_en.size() - 1);
    EXPECT_EQ(out_ru[2], "  без заставки: ep5.mp4 (" + russian_reason(why) + ")");
}

// predict: intervals with Russian plurals and scores; a failed input among good ones.
TEST(I18nConsole, PredictSummaryInRussian) {
    TempDir dir;
    // 120 rows of 1 s: x0 rises over [20, 50) and [80, 100) (label "Вопрос").
    {
        std::ofstream out(dir / "lesson.features.csv");
        out << "time,x0,x1\n";
        for (int r = 0; r < 120; ++r) {
            const double mid = r + 0.5, wobble = ((r * 7919) % 13) / 13.0 - 0.5;
            const bool on = (mid >= 20 && mid < 50) || (mid >= 80 && mid < 100);
            out << r << "," << (on ? 3 : 0) + wobble << "," << (on ? 3 : 0) - wobble << "\n";
        }
        fs::create_directories(dir / "ds");
        std::ofstream meta(dir / "ds" / "metadata.jsonl");
        for (auto [s, e] : {std::pair{20.0, 50.0}, std::pair{80.0, 100.0}})
            meta << json{{"file_name", "videos/x.mp4"},
                         {"patterns", {"Вопрос"}},
                         {"start", s},
                         {"end", e},
                         {"source_video", "lesson.mp4"}}
                        .dump()
                 << "\n";
    }
    const auto trained =
        run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " +
                   shell_quote(dir / "lesson.features.csv") + " --arch linear --epochs 40 --seed 1 --out " +
                   shell_quote(dir / "m.model"));
    ASSERT_EQ(trained.exit_code, 0) << trained.err;
    const std::string args =
        "predict --model " + shell_quote(dir / "m.model") + " " + shell_quote(dir / "lesson.features.csv");
    const auto js = run_vidseg(args + " --json");
    ASSERT_EQ(js.exit_code, 0) << js.err;
    const json video = json::parse(js.out)["videos"][0];
    const auto& intervals = video["intervals"];
    ASSERT_GE(intervals.size(), 1u) << js.out;
    const std::string source = video["source"].get<std::string>();
    const long long n = static_cast<long long>(intervals.size());
    const char* noun = n % 10 == 1 && n % 100 != 11                                   ? "интервал"
                       : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? "интервала"
                                                                                      : "интервалов";
    std::vector<std::string> expected_ru = {source + ": " + std::to_string(n) + " " + noun};
    for (const auto& d : intervals) {
        char line[512];
        std::snprintf(line, sizeof line, "  %9sс - %9sс  %s  (оценка %s)",
                      fixed(d["start"].get<double>(), 2).c_str(), fixed(d["end"].get<double>(), 2).c_str(),
                      d["label"].get<std::string>().c_str(), fixed(d["score"].get<double>(), 2).c_str());
        expected_ru.push_back(line);
    }
    const auto ru = run_vidseg(args + " --lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err;
    EXPECT_EQ(lines_of(ru.out), expected_ru);
    const auto en = run_vidseg(args);
    EXPECT_EQ(lines_of(en.out).at(0), source + ": " + std::to_string(n) + " intervals");

    // One of two inputs is missing: counted in the genitive after "из".
    const std::string two = args + " " + shell_quote(dir / "missing.features.csv");
    const auto failed_ru = run_vidseg(two + " --lang ru");
    EXPECT_EQ(failed_ru.exit_code, 1);
    EXPECT_TRUE(has_line(
        failed_ru.out,
        "не удалось обработать 1 из 2 входных файлов (ничего не записано; --keep-going запишет удачные)"));
    const auto failed_en = run_vidseg(two + " --keep-going");
    EXPECT_TRUE(has_line(failed_en.out, "1 of 2 input(s) failed"));
}

// keyframes learn: the summary lines with Russian decimals, on a --keyframe best build whose review picks
// the last candidate of each fragment (held out: the same folder, so both agreement lines are shown).
TEST(I18nConsole, KeyframesLearnSummaryInRussian) {
    TempDir tmp;
    const fs::path ds = tmp / "ds";
    const auto built = run_vidseg("dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                                  shell_quote(vidseg::test::source_path("tests/data/dataset/lesson_export.json")) +
                                  " --keyframe best --keyframe-candidates 4 --yes --quiet --out " + shell_quote(ds));
    ASSERT_EQ(built.exit_code, 0) << built.err;
    std::string review;
    {
        std::ifstream in(ds / "keyframe_candidates.jsonl");
        for (std::string line; std::getline(in, line);) {
            if (line.empty()) continue;
            const json fragment = json::parse(line);
            review += json{{"item", fragment.at("item")}, {"decision", "kept"},
                           {"keyframe", fragment.at("candidates").back().at("time")}}
                          .dump() +
                      "\n";
        }
    }
    ASSERT_FALSE(review.empty());
    std::ofstream(ds / "review.jsonl") << review;
    const std::string args = "keyframes learn --reviews " + shell_quote(ds) + " --evaluate " + shell_quote(ds);
    const auto js = run_vidseg(args + " --out " + shell_quote(tmp / "js.model") + " --json");
    ASSERT_EQ(js.exit_code, 0) << js.err;
    const json doc = json::parse(js.out);
    const auto& t = doc.at("training");
    const auto n = [](const json& v) { return std::to_string(v.get<long long>()); };
    const auto pct = [](const json& a, const char* who, const char* decimal) {
        const double whole = a.at("decisions").get<double>();
        std::string s = fixed(whole > 0 ? 100.0 * a.at(who).get<double>() / whole : 0.0, 1);
        if (const auto dot = s.find('.'); dot != std::string::npos) s.replace(dot, 1, decimal);
        return s;
    };
    const json& tr = doc.at("training_agreement");
    const json& ho = doc.at("held_out_agreement");

    const fs::path ru_model = tmp / "ru.model", en_model = tmp / "en.model";
    const auto ru = run_vidseg(args + " --out " + shell_quote(ru_model) + " --lang ru");
    ASSERT_EQ(ru.exit_code, 0) << ru.err;
    const auto en = run_vidseg(args + " --out " + shell_quote(en_model) + " --lang en");
    ASSERT_EQ(en.exit_code, 0) << en.err;
    EXPECT_EQ(lines_of(ru.out),
              (std::vector<std::string>{
                  "Модель выбора ключевых кадров обучена на решениях проверяющих: " + n(t.at("decisions")) +
                      " (выбрано кадров " + n(t.at("picks")) + ", принято предложений " + n(t.at("accepted")) +
                      "), датасетов 1: " + ru_model.string(),
                  "  не использованы: исключено 0, без решения 0, выбранных кадров не из кандидатов " +
                      n(t.at("picks_off_candidates")) + ", с одним кандидатом " + n(t.at("single_candidate")),
                  "  решения для обучения (" + n(tr.at("decisions")) + "): модель берёт кадр проверяющего в " +
                      pct(tr, "model", ",") + " %, фиксированная оценка — в " + pct(tr, "heuristic", ",") + " %",
                  "  отложенные решения (" + n(ho.at("decisions")) + "): модель берёт кадр проверяющего в " +
                      pct(ho, "model", ",") + " %, фиксированная оценка — в " + pct(ho, "heuristic", ",") + " %",
              }));
    EXPECT_EQ(lines_of(en.out),
              (std::vector<std::string>{
                  "Learned a keyframe model from " + n(t.at("decisions")) + " review decisions (" + n(t.at("picks")) +
                      " picked frames, " + n(t.at("accepted")) + " accepted suggestions) in 1 dataset(s): " +
                      en_model.string(),
                  "  not used: 0 excluded, 0 without a decision, " + n(t.at("picks_off_candidates")) +
                      " picks that are no candidate, " + n(t.at("single_candidate")) + " with one candidate",
                  "  training decisions (" + n(tr.at("decisions")) + "): the model takes the reviewer's frame in " +
                      pct(tr, "model", ".") + " %, the fixed score in " + pct(tr, "heuristic", ".") + " %",
                  "  held-out decisions (" + n(ho.at("decisions")) + "): the model takes the reviewer's frame in " +
                      pct(ho, "model", ".") + " %, the fixed score in " + pct(ho, "heuristic", ".") + " %",
              }));
    EXPECT_GE(t.at("picks").get<long long>(), 1) << js.out;
}
