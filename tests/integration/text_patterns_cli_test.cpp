// Issue 15 §5 from the command line: `train` on a dataset with train/ and test/ trains on train/ only
// (--split), a text model predicts on a video with --transcript and says what is missing without
// one, per-pattern thresholds are tuned and stored (--threshold overrides), and `features` reads the
// speakers of a WebVTT transcript.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

std::string words(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? " w" : "w") + std::to_string(i);
    return s;
}

// "Q" fragments are fast speech (4 words/s), "L" slow (1 word/s). test/ holds a lesson with a pattern
// ("LEAK") that only training on the test split could learn.
void write_text_dataset(const fs::path& ds) {
    fs::create_directories(ds / "train");
    fs::create_directories(ds / "test");
    std::ofstream out(ds / "train" / "metadata.jsonl");
    for (const std::string lesson : {"a.mp4", "b.mp4", "c.mp4"})
        for (int k = 0; k < 4; ++k) {
            const bool fast = (k + (lesson == "b.mp4")) % 2 == 1;
            const double start = 5 + 20.0 * k;
            out << json{{"file_name", "videos/" + lesson.substr(0, 1) + std::to_string(k) + ".mp4"},
                        {"source_video", lesson}, {"start", start}, {"end", start + 10},
                        {"patterns", {fast ? "Q" : "L"}}, {"transcript", words(fast ? 40 : 10)}}
                       .dump()
                << "\n";
        }
    std::ofstream test(ds / "test" / "metadata.jsonl");
    for (int k = 0; k < 2; ++k)
        test << json{{"file_name", "videos/z" + std::to_string(k) + ".mp4"}, {"source_video", "z.mp4"},
                     {"start", 5 + 20.0 * k}, {"end", 15 + 20.0 * k}, {"patterns", {k ? "LEAK" : "Q"}},
                     {"transcript", words(k ? 10 : 40)}}
                    .dump()
             << "\n";
}

class TextPatternsCli : public ::testing::Test {
protected:
    void SetUp() override {
        write_text_dataset(dir / "ds");
        fs::copy_file(vidseg::test::media("lesson.mp4"), dir / "lesson.mp4");  // 30 s, no transcript beside it
        // Slow speech 2-8 s (1 word/s), fast 12-22 s (4 words/s).
        std::ofstream(dir / "lesson_text.srt") << "1\n00:00:02,000 --> 00:00:08,000\n" << words(6)
                                               << "\n\n2\n00:00:12,000 --> 00:00:22,000\n" << words(40) << "\n";
    }
    std::string model() const { return shell_quote(dir / "text.model"); }
    vidseg::test::TempDir dir;
};

}  // namespace

TEST_F(TextPatternsCli, TrainsOnTheTrainSplitOnlyUnlessToldOtherwise) {
    auto r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --epochs 60 --json --out " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out);
    EXPECT_EQ(doc["labels"], json::array({"L", "Q"}));  // no LEAK: test/ was held out
    EXPECT_EQ(doc["videos"], 3);
    EXPECT_EQ(doc["data"], (dir / "ds" / "train").string());
    EXPECT_NE(r.err.find("train/ split only"), std::string::npos) << r.err;

    r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --split all --epochs 5 --json --out " +
                   shell_quote(dir / "all.model"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = json::parse(r.out);
    EXPECT_EQ(doc["labels"], json::array({"L", "LEAK", "Q"}));
    EXPECT_EQ(doc["videos"], 4);

    r = run_vidseg("train --data " + shell_quote(dir / "ds" / "train") + " --split test --out " +
                   shell_quote(dir / "x.model"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--split test: no test/ folder"), std::string::npos) << r.err;
}

TEST_F(TextPatternsCli, TextModelPredictsOnAVideoWithItsTranscript) {
    auto r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --epochs 60 --json --out " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Thresholds tuned per pattern on the validation rows, in the report and the model.
    const auto trained = json::parse(r.out);
    ASSERT_EQ(trained["training"]["thresholds"].size(), 2u) << r.out;
    EXPECT_EQ(trained["training"]["thresholds"][0]["label"], "L");
    for (const auto& t : trained["training"]["thresholds"]) {
        EXPECT_GT(t["threshold"].get<double>(), 0);
        EXPECT_LT(t["threshold"].get<double>(), 1);
    }
    std::ifstream header_in(dir / "text.model");
    std::string header;
    std::getline(header_in, header);
    EXPECT_EQ(json::parse(header)["thresholds"].size(), 2u);

    // No transcript: the message says what is missing and how to supply it.
    r = run_vidseg("predict --model " + model() + " " + shell_quote(dir / "lesson.mp4"));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("reads text columns"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--transcript FILE"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--whisper-backend"), std::string::npos) << r.err;

    r = run_vidseg("predict --json --model " + model() + " --transcript " + shell_quote(dir / "lesson_text.srt") + " " +
                   shell_quote(dir / "lesson.mp4"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto video = json::parse(r.out)["videos"][0];
    EXPECT_EQ(video["rows"], 30);
    bool fast_found = false;
    for (const auto& i : video["intervals"])
        if (i["label"] == "Q") {
            fast_found = true;
            EXPECT_NEAR(i["start"].get<double>(), 12, 1.01) << i.dump();
            EXPECT_NEAR(i["end"].get<double>(), 22, 1.01) << i.dump();
        }
    EXPECT_TRUE(fast_found) << video.dump();

    // --threshold overrides the tuned ones: the lower, the more seconds carry a pattern.
    const auto covered = [&](const std::string& threshold) {
        const auto out = run_vidseg("predict --json" + threshold + " --model " + model() + " --transcript " +
                                    shell_quote(dir / "lesson_text.srt") + " " + shell_quote(dir / "lesson.mp4"));
        EXPECT_EQ(out.exit_code, 0) << out.err;
        double seconds = 0;
        const auto doc = json::parse(out.out);  // kept: a range-for over a temporary's member dangles (C++20)
        for (const auto& i : doc["videos"][0]["intervals"])
            seconds += i["end"].get<double>() - i["start"].get<double>();
        return seconds;
    };
    const double low = covered(" --threshold 0.001"), tuned = covered(""), high = covered(" --threshold 0.999");
    EXPECT_GE(low, tuned);
    EXPECT_LE(high, tuned);
    EXPECT_GT(low, high);
    r = run_vidseg("predict --threshold 1.5 --model " + model() + " " + shell_quote(dir / "lesson.mp4"));
    EXPECT_EQ(r.exit_code, 2) << r.err;

    // A feature file without the text columns: the message says how to get them; --transcript adds them.
    std::ofstream(dir / "sound.features.csv") << "time,x0\n0,1\n1,1\n2,1\n";
    r = run_vidseg("predict --model " + model() + " " + shell_quote(dir / "sound.features.csv"));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("features lack 3 of the model's 3 columns (tokens, words_per_second, speech_coverage)"),
              std::string::npos) << r.err;
    EXPECT_NE(r.err.find("give --transcript FILE"), std::string::npos) << r.err;
    r = run_vidseg("predict --json --model " + model() + " --transcript " + shell_quote(dir / "lesson_text.srt") + " " +
                   shell_quote(dir / "sound.features.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["videos"][0]["rows"], 3);

    // patterns find takes the transcript for the text columns (and the snippets) too.
    r = run_vidseg("patterns find --json --model " + model() + " --transcript " + shell_quote(dir / "lesson_text.srt") +
                   " " + shell_quote(dir / "lesson.mp4"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(json::parse(r.out)["transcript"]["available"].get<bool>());
}

TEST_F(TextPatternsCli, FeaturesReadTheSpeakersOfAWebVttTranscript) {
    std::ofstream(dir / "lesson.vtt") << "WEBVTT\n\n00:00.000 --> 00:04.000\n<v Teacher>why do you think so\n\n"
                                         "00:04.000 --> 00:06.000\n<v Pupil>because it is cold\n";
    const auto r = run_vidseg("features " + shell_quote(dir / "lesson.mp4") + " --no-audio --no-visual --transcript " +
                              shell_quote(dir / "lesson.vtt") + " --out " + shell_quote(dir / "f.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(dir / "f.csv");
    std::string head, row0, row4;
    std::getline(in, head);
    std::getline(in, row0);
    for (int i = 0; i < 4; ++i) std::getline(in, row4);
    EXPECT_EQ(head, "time,tokens,words_per_second,speech_coverage,speaker_main_share,speaker_other_share,speaker_turns");
    const auto last_three = [](const std::string& row) {
        std::vector<double> v;
        std::stringstream s(row);
        for (std::string field; std::getline(s, field, ',');) v.push_back(std::stod(field));
        return std::vector<double>(v.end() - 3, v.end());
    };
    EXPECT_EQ(last_three(row0), (std::vector<double>{1, 0, 0})) << row0;  // the teacher speaks the most
    EXPECT_EQ(last_three(row4), (std::vector<double>{0, 1, 1})) << row4;  // the pupil's turn at 4 s
}

namespace {

// A CSV of utterances: the teacher praises ("молодец", "great job") or presses for reasoning
// ("почему", "why"); the rest is neutral classroom talk.
void write_utterance_table(const fs::path& path, int first_lesson, int lessons) {
    const std::vector<std::string> praise = {"Молодец, отлично!", "Great job, well done", "Умница, молодец"};
    const std::vector<std::string> why = {"Почему ты так думаешь?", "Why do you think so?", "Объясни, почему"};
    const std::vector<std::string> neutral = {"Откройте тетради", "Open your books", "Запишите число",
                                              "Let us read the text", "Решим задачу"};
    std::ofstream out(path);
    out << "lesson,start,end,speaker,text,labels\n";
    for (int l = first_lesson; l < first_lesson + lessons; ++l)
        for (int i = 0; i < 20; ++i) {
            const int k = (i * 7 + l) % 10;
            const std::string text = k < 2 ? praise[std::size_t(i + l) % 3] : k < 4 ? why[std::size_t(i + l) % 3]
                                                                                  : neutral[std::size_t(i + l) % 5];
            out << "lesson" << l << "," << i * 4 << "," << i * 4 + 3 << "," << (i % 4 == 3 ? "Pupil" : "Teacher")
                << ",\"" << text << "\"," << (k < 2 ? "praise" : k < 4 ? "reasoning" : "") << "\n";
        }
}

}  // namespace

TEST_F(TextPatternsCli, TableOfUtterancesTrainsPredictsExplainsAndIsEvaluated) {
    write_utterance_table(dir / "train.csv", 0, 12);
    write_utterance_table(dir / "test.csv", 12, 3);
    auto r = run_vidseg("train --data " + shell_quote(dir / "train.csv") + " --json --out " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out);
    EXPECT_EQ(doc["arch"], "utterance-lr");
    EXPECT_EQ(doc["labels"], json::array({"praise", "reasoning"}));
    EXPECT_EQ(doc["utterances"], 240);
    EXPECT_EQ(doc["training"]["val_lessons"], 2);
    EXPECT_EQ(doc["training"]["thresholds"].size(), 2u);

    // Predict on the held-out table: every lesson, intervals with the words behind them.
    r = run_vidseg("predict --json --model " + model() + " " + shell_quote(dir / "test.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = json::parse(r.out);
    ASSERT_EQ(doc["videos"].size(), 3u);
    EXPECT_EQ(doc["videos"][0]["source"], "lesson12");
    EXPECT_EQ(doc["videos"][0]["utterances"], 20);
    bool praise_explained = false;
    for (const auto& v : doc["videos"])
        for (const auto& i : v["intervals"])
            if (i["label"] == "praise" && !i["top_ngrams"].empty()) {
                const auto word = i["top_ngrams"][0]["ngram"].get<std::string>();
                praise_explained = true;
                EXPECT_TRUE(word.find("молодец") != std::string::npos || word.find("great") != std::string::npos ||
                            word.find("отлично") != std::string::npos || word.find("умница") != std::string::npos ||
                            word.find("done") != std::string::npos || word.find("job") != std::string::npos ||
                            word.find("well") != std::string::npos)
                    << i.dump();
                EXPECT_GT(i["top_ngrams"][0]["weight"].get<double>(), 0);
            }
    EXPECT_TRUE(praise_explained) << r.out;

    // A transcript file and a video with its transcript go through the same model.
    std::ofstream(dir / "praise.srt") << "1\n00:00:05,000 --> 00:00:08,000\nМолодец, отлично!\n";
    r = run_vidseg("predict --json --model " + model() + " " + shell_quote(dir / "praise.srt"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = json::parse(r.out)["videos"][0];
    ASSERT_EQ(doc["intervals"].size(), 1u) << doc.dump();
    EXPECT_EQ(doc["intervals"][0]["label"], "praise");
    EXPECT_EQ(doc["intervals"][0]["start"], 5);
    EXPECT_EQ(doc["intervals"][0]["end"], 8);
    r = run_vidseg("predict --json --model " + model() + " --transcript " + shell_quote(dir / "praise.srt") + " " +
                   shell_quote(dir / "lesson.mp4"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["videos"][0]["rows"], 30);

    // patterns eval: the model and the bag-of-words baseline on the same split.
    r = run_vidseg("patterns eval --json --table " + shell_quote(dir / "test.csv") + " --train " +
                   shell_quote(dir / "train.csv") + " --model " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = json::parse(r.out);
    EXPECT_EQ(doc["test_utterances"], 60);
    EXPECT_GT(doc["model"]["utterances"]["macro_f1"].get<double>(), 0.9) << r.out;
    EXPECT_GT(doc["model"]["grid"]["macro_f1"].get<double>(), 0.8) << r.out;
    EXPECT_TRUE(doc["baseline"]["utterances"].contains("macro_f1"));
    r = run_vidseg("patterns eval --table " + shell_quote(dir / "test.csv"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("needs --train TABLE"), std::string::npos) << r.err;
}

// Issue 15, session 9: `--folds K` chooses the calibration, the thresholds and (among several `--c`) C by
// cross-validation over whole lessons, then fits on every lesson; `--sublinear-tf` is stored in the
// model; bad --c values are usage errors.
TEST_F(TextPatternsCli, CrossValidationChoosesCAndThresholdsOverLessons) {
    write_utterance_table(dir / "train.csv", 0, 12);
    write_utterance_table(dir / "test.csv", 12, 3);
    auto r = run_vidseg("train --data " + shell_quote(dir / "train.csv") +
                        " --folds 3 --c 0.01,1 --sublinear-tf --json --out " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out)["training"];
    EXPECT_EQ(doc["val_lessons"], 0);  // no lesson held out: every lesson is predicted by a model that did not see it
    EXPECT_EQ(doc["train_utterances"], 240);
    EXPECT_EQ(doc["cross_validation"]["folds"], 3);
    ASSERT_EQ(doc["cross_validation"]["c"].size(), 2u) << doc.dump();
    EXPECT_EQ(doc["cross_validation"]["c"][0]["c"], 0.01);
    const double f_small = doc["cross_validation"]["c"][0]["macro_f1"], f_one = doc["cross_validation"]["c"][1]["macro_f1"];
    EXPECT_GT(f_one, 0.9) << doc.dump();  // the cue words separate the patterns on unseen lessons
    EXPECT_EQ(doc["cross_validation"]["chosen_c"], f_small >= f_one ? 0.01 : 1.0);  // a tie keeps the first (smaller) C
    EXPECT_EQ(doc["c"], doc["cross_validation"]["chosen_c"]);
    EXPECT_EQ(doc["sublinear_tf"], true);
    EXPECT_EQ(doc["thresholds"].size(), 2u);
    std::ifstream file(dir / "text.model");
    std::string header, body;
    std::getline(file, header);
    std::getline(file, body);
    EXPECT_EQ(json::parse(body)["lexical"]["sublinear_tf"], true);

    r = run_vidseg("patterns eval --json --table " + shell_quote(dir / "test.csv") + " --train " +
                   shell_quote(dir / "train.csv") + " --model " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(json::parse(r.out)["model"]["utterances"]["macro_f1"].get<double>(), 0.9) << r.out;

    // The console summary in Russian: intervals counted in Russian, the words behind each.
    std::ofstream(dir / "praise.srt") << "1\n00:00:05,000 --> 00:00:08,000\nМолодец, отлично!\n";
    r = run_vidseg("predict --lang ru --model " + model() + " " + shell_quote(dir / "praise.srt"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(": 1 интервал\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(оценка "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  слова: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("молодец"), std::string::npos) << r.out;
    r = run_vidseg("predict --model " + model() + " " + shell_quote(dir / "praise.srt"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(": 1 intervals\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  words: "), std::string::npos) << r.out;

    // Several C values without --folds, a C that is not a positive number, more folds than lessons.
    const std::string train = "train --data " + shell_quote(dir / "train.csv") + " --out " + model();
    r = run_vidseg(train + " --c 0.1,1");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("several --c values need --folds K"), std::string::npos) << r.err;
    r = run_vidseg(train + " --c 0.1,-1 --folds 2");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--c takes positive numbers"), std::string::npos) << r.err;
    r = run_vidseg(train + " --folds 13");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--folds 13 needs at least as many lessons; the table has 12"), std::string::npos) << r.err;
}

// `train --arch crf` on a table: the logistic regression's margins through a chain CRF per pattern, fitted on
// the held-out lessons; predict and eval read it; it needs held-out lessons and a table.
TEST_F(TextPatternsCli, ChainCrfOverUtterancesTrainsAndPredicts) {
    write_utterance_table(dir / "train.csv", 0, 12);
    write_utterance_table(dir / "test.csv", 12, 3);
    auto r = run_vidseg("train --data " + shell_quote(dir / "train.csv") + " --arch crf --json --out " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out);
    EXPECT_EQ(doc["arch"], "utterance-crf");
    EXPECT_EQ(doc["training"]["arch"], "utterance-crf");
    EXPECT_TRUE(doc["training"]["calibration"].empty());  // the chain's unary score is its calibration
    std::ifstream file(dir / "text.model");
    std::string header, body;
    std::getline(file, header);
    std::getline(file, body);
    const auto chain = json::parse(body)["chain"];
    ASSERT_EQ(chain.size(), 2u) << body.substr(0, 200);
    EXPECT_GT(chain[0]["a"].get<double>(), 0);  // a higher margin, a likelier pattern

    r = run_vidseg("predict --json --model " + model() + " " + shell_quote(dir / "test.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = json::parse(r.out);
    EXPECT_EQ(doc["arch"], "utterance-crf");
    ASSERT_EQ(doc["videos"].size(), 3u);
    r = run_vidseg("patterns eval --json --table " + shell_quote(dir / "test.csv") + " --train " +
                   shell_quote(dir / "train.csv") + " --model " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(json::parse(r.out)["model"]["utterances"]["macro_f1"].get<double>(), 0.9) << r.out;

    r = run_vidseg("train --data " + shell_quote(dir / "train.csv") + " --arch crf --folds 3 --json --out " + model());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["training"]["cross_validation"]["folds"], 3);

    r = run_vidseg("train --data " + shell_quote(dir / "train.csv") + " --arch crf --val-fraction 0 --out " + model());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("learns from held-out lessons"), std::string::npos) << r.err;
    r = run_vidseg("train --data " + shell_quote(dir / "train.csv") + " --arch bilstm --out " + model());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--arch linear (the logistic regression) or crf"), std::string::npos) << r.err;
    r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --arch crf --out " + model());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("trains on --data TABLE"), std::string::npos) << r.err;
}
