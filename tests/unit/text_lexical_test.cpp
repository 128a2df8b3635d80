// Lexical text features and the utterance-level text model (issue 15 §1-§3): hashing, n-grams of
// Russian and English, TF-IDF by hand, pooling onto rows, the sparse logistic regression, tables of
// utterances, and the model end to end (train, explain, save / load, grid projection).
// scikit-learn is the reference of the n-gram / TF-IDF values in tests/python/test_text_lexical.py.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/models/text_evaluation.hpp"
#include "vidseg/models/utterance_model.hpp"
#include "vidseg/text/lexical_vectorizer.hpp"
#include "vidseg/text/ngram_hashing.hpp"
#include "vidseg/text/sparse_logistic.hpp"
#include "vidseg/text/tfidf.hpp"
#include "vidseg/text/utf8_words.hpp"
#include "vidseg/text/utterance_table.hpp"

using namespace vidseg;
using text::SparseRow;

TEST(TextHashing, MurmurHash3KnownValues) {
    EXPECT_EQ(text::murmurhash3_32(""), 0);
    EXPECT_EQ(std::uint32_t(text::murmurhash3_32("", 1)), 0x514E28B7u);
    EXPECT_EQ(std::uint32_t(text::murmurhash3_32("hello")), 0x248BFA47u);
    EXPECT_EQ(std::uint32_t(text::murmurhash3_32("The quick brown fox jumps over the lazy dog")), 0x2E4FF723u);
    // Negative hashes fold by absolute value.
    const auto h = text::murmurhash3_32("The quick brown fox jumps over the lazy dog");
    EXPECT_EQ(text::hashed_column("The quick brown fox jumps over the lazy dog", 1000), std::uint32_t(std::abs(h)) % 1000);
}

TEST(TextNgrams, WordsAreRunsOfTwoOrMoreWordCharactersLowerCased) {
    EXPECT_EQ(text::word_ngrams("Почему ТЫ так думаешь? Ёлка, а I x_y!", 1, 2),
              (std::vector<std::string>{"почему", "ты", "так", "думаешь", "ёлка", "x_y", "почему ты", "ты так",
                                        "так думаешь", "думаешь ёлка", "ёлка x_y"}));
    EXPECT_EQ(text::word_ngrams("Great job, Маша", 2, 2), (std::vector<std::string>{"great job", "job маша"}));
    EXPECT_TRUE(text::word_ngrams("a b c", 1, 1).empty());
}

TEST(TextNgrams, CharacterNgramsInsideWordBoundaries) {
    // " ab ": 2-grams " a", "ab", "b "; 3-grams " ab", "ab "; the 4-gram is the whole padded word, once.
    EXPECT_EQ(text::char_wb_ngrams("AB", 2, 5), (std::vector<std::string>{" a", "ab", "b ", " ab", "ab ", " ab "}));
    EXPECT_EQ(text::char_wb_ngrams("Да  нет", 3, 3), (std::vector<std::string>{" да", "да ", " не", "нет", "ет "}));
}

TEST(TextUtf8, LowerCaseOfRussianAndLatin) {
    EXPECT_EQ(text::encode_utf8(text::lower(text::decode_utf8("ЁЖИК Ärger ÇA"))), "ёжик ärger ça");
    EXPECT_EQ(text::decode_utf8("a\xFF" "b").size(), 3u);  // a stray byte is one U+FFFD
    EXPECT_TRUE(text::is_word_char(U'ж'));
    EXPECT_FALSE(text::is_word_char(U'—'));
    EXPECT_TRUE(text::is_space(U'\u00A0'));
}

TEST(TextTfidf, SmoothIdfAndL2NormAsByHand) {
    // Documents: {aa: 2, bb: 1}, {bb: 1, cc: 1}. n = 2: idf(aa) = idf(cc) = ln(3/2) + 1, idf(bb) = 1.
    const std::vector<SparseRow> counts = {{{0, 1}, {2, 1}}, {{1, 2}, {1, 1}}};
    const auto w = text::TfidfWeights::fit(counts);
    const double rare = std::log(1.5) + 1;
    EXPECT_DOUBLE_EQ(w.idf(0), rare);
    EXPECT_DOUBLE_EQ(w.idf(1), 1.0);
    EXPECT_DOUBLE_EQ(w.idf(7), std::log(3.0) + 1);  // a column no document has
    const auto row = w.apply(counts[0]);
    const double norm = std::sqrt(4 * rare * rare + 1);
    ASSERT_EQ(row.index, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_NEAR(row.value[0], 2 * rare / norm, 1e-6);
    EXPECT_NEAR(row.value[1], 1 / norm, 1e-6);
    const auto back = text::TfidfWeights::from_json(w.to_json(), "m");
    EXPECT_DOUBLE_EQ(back.idf(0), rare);
}

TEST(TextPooling, UtteranceRowsWeighByTheShareOfTheRowTheyFill) {
    const std::vector<timeline::TranscriptSegment> segments = {{0.5, 1.5, "a", {}, ""}, {1.5, 2.0, "b", {}, ""}};
    const std::vector<SparseRow> rows = {{{3}, {1.f}}, {{3, 4}, {1.f, 2.f}}};
    const auto pooled = text::pool_rows(segments, rows, {0, 1, 2}, 1.0);
    ASSERT_EQ(pooled.size(), 3u);
    EXPECT_EQ(pooled[0].index, (std::vector<std::uint32_t>{3}));
    EXPECT_FLOAT_EQ(pooled[0].value[0], 0.5f);
    EXPECT_EQ(pooled[1].index, (std::vector<std::uint32_t>{3, 4}));
    EXPECT_FLOAT_EQ(pooled[1].value[0], 1.0f);  // 0.5 of "a" + 0.5 of "b"
    EXPECT_FLOAT_EQ(pooled[1].value[1], 1.0f);
    EXPECT_TRUE(pooled[2].index.empty());
}

TEST(TextSparseLogistic, LearnsSeparableLabelsWithClassWeights) {
    // Column 0 -> label A (rare: 1 row in 10), column 1 -> label B, column 2 noise on every row.
    std::vector<SparseRow> rows;
    std::vector<std::uint8_t> y;
    for (int i = 0; i < 400; ++i) {
        const bool a = i % 10 == 0, b = i % 2 == 1;
        SparseRow r;
        if (a) r.index.push_back(0), r.value.push_back(1.f);
        if (b) r.index.push_back(1), r.value.push_back(1.f);
        r.index.push_back(2), r.value.push_back(1.f);
        rows.push_back(r);
        y.push_back(a);
        y.push_back(b);
    }
    text::LogisticOptions o;
    const auto m = text::SparseLogistic::train(rows, y, 2, 3, o);
    EXPECT_FLOAT_EQ(m.class_weights()[0], 5.f);  // balanced: 400 rows / (2 x 40 positives)
    EXPECT_TRUE(m.converged());
    EXPECT_GT(m.predict({{0, 2}, {1.f, 1.f}})[0], 0.9f);
    EXPECT_LT(m.predict({{2}, {1.f}})[0], 0.1f);
    EXPECT_GT(m.predict({{1, 2}, {1.f, 1.f}})[1], 0.9f);
    const auto back = text::SparseLogistic::from_json(m.to_json(), "m");
    EXPECT_EQ(back.predict({{0, 2}, {1.f, 1.f}}), m.predict({{0, 2}, {1.f, 1.f}}));
    EXPECT_THROW(text::SparseLogistic::train(rows, {1, 0}, 2, 3, o), Error);
}

namespace {

// Lessons where the teacher praises ("молодец", "great job") or asks why; other talk is neutral.
std::vector<text::LessonUtterances> generated_lessons(int count) {
    const std::vector<std::string> praise = {"Молодец, отлично!", "Great job, well done", "Умница, так держать",
                                             "Excellent work, молодец"};
    const std::vector<std::string> question = {"Почему ты так думаешь?", "Why do you think so?",
                                               "Объясни, почему это верно", "How do you know that?"};
    const std::vector<std::string> neutral = {"Откройте тетради", "Open your books at page ten", "Запишите число",
                                              "Let us read the text", "Сейчас мы решим задачу", "Take a pencil"};
    std::vector<text::LessonUtterances> out;
    for (int l = 0; l < count; ++l) {
        text::LessonUtterances lesson{"lesson" + std::to_string(l), {}, true};
        for (int i = 0; i < 24; ++i) {
            text::Utterance u;
            u.lesson = lesson.lesson;
            u.segment = {double(i) * 3, double(i) * 3 + 2.5, {}, {}, i % 5 == 4 ? "Pupil" : "Teacher"};
            const int k = (i * 7 + l) % 12;
            if (k < 2) u.segment.text = praise[std::size_t(i + l) % praise.size()], u.labels = {"praise"};
            else if (k < 5) u.segment.text = question[std::size_t(i + 2 * l) % question.size()], u.labels = {"question"};
            else u.segment.text = neutral[std::size_t(i + l) % neutral.size()];
            lesson.utterances.push_back(u);
        }
        out.push_back(lesson);
    }
    return out;
}

}  // namespace

TEST(TextUtteranceModel, LearnsWordsOfPatternsExplainsAndRoundTrips) {
    const auto lessons = generated_lessons(10);
    models::UtteranceTrainOptions o;
    o.lexical.n_features = 1u << 12;
    const auto m = models::UtteranceModel::train(lessons, o);
    EXPECT_EQ(m.labels(), (std::vector<std::string>{"praise", "question"}));
    EXPECT_EQ(m.training()["val_lessons"], 2);

    const std::vector<timeline::TranscriptSegment> lesson = {{0, 2, "Откройте тетради", {}, ""},
                                                             {2, 4, "Молодец, отлично!", {}, ""},
                                                             {4, 6, "Почему ты так думаешь?", {}, ""}};
    const auto p = m.predict_utterances(lesson);
    ASSERT_EQ(p.size(), 6u);
    EXPECT_LT(p[0], m.thresholds()[0]);
    EXPECT_GE(p[2], m.thresholds()[0]);  // praise
    EXPECT_GE(p[5], m.thresholds()[1]);  // question
    EXPECT_LT(p[4], p[2]);

    const auto words = m.explain(lesson, {2, 4}, "praise", 3);
    ASSERT_FALSE(words.empty());
    EXPECT_TRUE(words[0].ngram == "молодец" || words[0].ngram == "отлично" || words[0].ngram == "молодец отлично")
        << words[0].ngram;

    // On the grid: rows 2-3 s and 3-4 s are praise, 4-6 s question; nothing is said after 6 s.
    const auto grid = m.predict("l", lesson, 8, 1.0);
    ASSERT_EQ(grid.times.size(), 8u);
    ASSERT_EQ(grid.detections.size(), 2u);
    EXPECT_EQ(grid.detections[0].label, "praise");
    EXPECT_DOUBLE_EQ(grid.detections[0].span.start, 2);
    EXPECT_DOUBLE_EQ(grid.detections[0].span.end, 4);
    EXPECT_EQ(grid.detections[1].label, "question");
    EXPECT_DOUBLE_EQ(grid.detections[1].span.end, 6);
    EXPECT_FLOAT_EQ(grid.probabilities[7 * 2], 0.f);

    vidseg::test::TempDir dir;
    m.save(dir / "t.model");
    EXPECT_TRUE(models::UtteranceModel::is_text_model_file(dir / "t.model"));
    const auto back = models::UtteranceModel::load(dir / "t.model");
    EXPECT_EQ(back.predict_utterances(lesson), p);
    EXPECT_EQ(back.thresholds(), m.thresholds());

    // Scored on held-out lessons, next to the bag-of-words baseline.
    const auto test = generated_lessons(13);
    const std::vector<text::LessonUtterances> held_out(test.begin() + 10, test.end());
    const auto ours = models::evaluate_text_model(m, held_out);
    EXPECT_GT(ours.utterances.macro_f1, 0.9);
    EXPECT_GT(ours.grid.macro_f1, 0.8);
    const auto baseline = models::train_bag_of_words_baseline(lessons);
    EXPECT_EQ(baseline.labels(), m.labels());
    EXPECT_GT(models::evaluate_text_model(baseline, held_out).utterances.macro_f1, 0.5);
}

// The default thresholds are the balanced boundary (margin 0) on the calibrated scale — the decisions of
// scikit-learn's LogisticRegression(class_weight="balanced") at 0.5 —, not cuts tuned on held-out
// training lessons, which share the training lessons' phrasing (bench/RESULTS.md, session 10).
TEST(TextUtteranceModel, ThresholdsAreTheBalancedBoundaryUnlessTuned) {
    const auto lessons = generated_lessons(10);
    models::UtteranceTrainOptions o;
    o.lexical.n_features = 1u << 12;
    const auto m = models::UtteranceModel::train(lessons, o);
    EXPECT_EQ(m.training()["thresholds_tuned"], false);
    ASSERT_EQ(m.training()["thresholds"].size(), 2u);
    for (std::size_t l = 0; l < m.labels().size(); ++l) {
        double boundary = 0.5;  // the logistic of margin 0 without a calibration
        for (const auto& c : m.training()["calibration"])
            if (c["label"] == m.labels()[l]) boundary = 1 / (1 + std::exp(c["b"].get<double>()));
        EXPECT_DOUBLE_EQ(m.thresholds()[l], boundary) << m.labels()[l];
        EXPECT_EQ(m.training()["thresholds"][l]["tuned"], false);
        EXPECT_GT(m.training()["thresholds"][l]["val_f1"].get<double>(), 0.9);  // F1 at that boundary
    }
    EXPECT_FALSE(m.training()["calibration"].empty());

    o.tune_thresholds = true;
    const auto tuned = models::UtteranceModel::train(lessons, o);
    EXPECT_EQ(tuned.training()["thresholds_tuned"], true);
    for (const auto& t : tuned.training()["thresholds"]) EXPECT_EQ(t["tuned"], true);
}

TEST(TextUtteranceTable, CsvWithOrderSpeakersAndLabels) {
    vidseg::test::TempDir dir;
    std::ofstream(dir / "t.csv") << "Урок;Порядок;Кто;Реплика;Паттерны\n"
                                    "b;2;T;Почему?;question\n"
                                    "a;1;T;\"Молодец; отлично\";praise | emotional support\n"
                                    "b;1;S;Потому что;\n"
                                    "\n";
    text::TableColumns c;
    c.lesson = "Урок";
    c.order = "Порядок";
    c.speaker = "Кто";
    c.text = "Реплика";
    c.labels = "Паттерны";
    const auto lessons = text::read_utterance_table((dir / "t.csv").string(), c);
    ASSERT_EQ(lessons.size(), 2u);
    EXPECT_EQ(lessons[0].lesson, "b");
    EXPECT_FALSE(lessons[0].timed);
    ASSERT_EQ(lessons[0].utterances.size(), 2u);
    EXPECT_EQ(lessons[0].utterances[0].segment.text, "Потому что");  // order 1 first
    EXPECT_EQ(lessons[0].utterances[0].segment.speaker, "S");
    EXPECT_DOUBLE_EQ(lessons[0].utterances[1].segment.start, 1);
    EXPECT_DOUBLE_EQ(lessons[0].utterances[1].segment.end, 2);
    EXPECT_EQ(lessons[1].utterances[0].segment.text, "Молодец; отлично");
    EXPECT_EQ(lessons[1].utterances[0].labels, (std::vector<std::string>{"praise", "emotional support"}));

    // The default names are not in this table: the message lists what it has.
    try {
        text::read_utterance_table((dir / "t.csv").string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidData);
        EXPECT_NE(e.cause().find("no column 'lesson' in the header (columns: Урок, Порядок, Кто, Реплика, Паттерны"),
                  std::string::npos)
            << e.cause();
    }
    std::ofstream(dir / "bad.csv") << "lesson,start,end,text\nx,1,zero,hi\n";
    try {
        text::read_utterance_table((dir / "bad.csv").string());
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(e.cause().find("line 2: end 'zero' is not a number"), std::string::npos) << e.cause();
    }
}
