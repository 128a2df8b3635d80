#include <gtest/gtest.h>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;
using namespace vidseg::annotations;

namespace {
// The eight names of SPEC §1, as an Excel file holds them (one with a trailing space).
std::vector<Pattern> spec_patterns() {
    return {{"Разнообразие форм работы П", ""},     {"Эмоциональная поддержка П", ""},
            {"Включение в обучающий процесс П", ""}, {"Связь с личным опытом П", ""},
            {"Включенность в процесс У", ""},       {"Работа в команде ", ""},
            {"Эмоциональный отклик У", ""},         {"Решение учебной задачи У", ""}};
}
}  // namespace

TEST(LabelMatcher, Normalisation) {
    EXPECT_EQ(utf8_lower("ВКЛЮЧЕНИЕ Ёж ABC Ünï"), "включение ёж abc ünï");
    EXPECT_EQ(normalize_label("🎯 П: Включение  в процесс!"), "п включение в процесс");
    // Decomposed й (и + U+0306) and ё (е + U+0308) compose; ё folds to е.
    EXPECT_EQ(normalize_label("Личны\xD0\xB8\xCC\x86 опыт"), "личный опыт");
    EXPECT_EQ(normalize_label("Учёба"), normalize_label("Учеба"));
    EXPECT_EQ(normalize_label("Уче\xCC\x88ба"), "учеба");
    auto k = label_key("😊 У: Эмоциональный отклик");
    EXPECT_EQ(k.text, "эмоциональный отклик");
    EXPECT_EQ(k.role, Role::Student);
    k = label_key("Включение в обучающий процесс П");
    EXPECT_EQ(k.text, "включение в обучающий процесс");
    EXPECT_EQ(k.role, Role::Teacher);
    k = label_key("Работа в команде ");
    EXPECT_EQ(k.text, "работа в команде");
    EXPECT_EQ(k.role, Role::Unknown);
}

TEST(LabelMatcher, RealLabelsMatchTheEightPatterns) {
    LabelMatcher m(spec_patterns());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"🎯 П: Включение в процесс", "Включение в обучающий процесс П"},
        {"😊 У: Эмоциональный отклик", "Эмоциональный отклик У"},
        {"💖 П: Эмоциональная поддержка", "Эмоциональная поддержка П"},
        {"🔄 П: Разнообразие форм работы", "Разнообразие форм работы П"},
        {"🔗 П: Связь с личным опытом", "Связь с личным опытом П"},
        {"🙋 У: Включенность в процесс", "Включенность в процесс У"},
        {"👥 У: Работа в команде", "Работа в команде "},
        {"🧩 У: Решение учебной задачи", "Решение учебной задачи У"},
        {"Эмоциональная поддержка П", "Эмоциональная поддержка П"},
        {"эмоциональный ОТКЛИК у", "Эмоциональный отклик У"},
    };
    for (const auto& [label, pattern] : cases) {
        auto r = m.match(label);
        EXPECT_TRUE(r.matched()) << label << ": " << r.reason;
        EXPECT_EQ(r.pattern_name, pattern) << label;
    }
    auto r = m.match("🎯 П: Включение в процесс");
    EXPECT_EQ(r.method, MatchMethod::Fuzzy);
    EXPECT_NEAR(r.score, 0.9, 1e-9);  // 0.7 · 1 + 0.3 · 2/3
    EXPECT_EQ(m.match("😊 У: Эмоциональный отклик").method, MatchMethod::Exact);
}

TEST(LabelMatcher, RoleMismatchIsNeverTaken) {
    LabelMatcher m(spec_patterns());
    // Teacher-role wording of a student pattern: the student pattern is excluded by the role.
    auto r = m.match("У: Эмоциональная поддержка");
    EXPECT_NE(r.pattern_name, "Эмоциональная поддержка П");
}

TEST(LabelMatcher, ReportsWhatItCannotMatch) {
    LabelMatcher m(spec_patterns());
    auto report = m.match_all({"🎯 П: Включение в процесс", "🔥 Шум в классе", "🎯 П: Включение в процесс", "✅"});
    ASSERT_EQ(report.matches.size(), 3u);  // duplicates collapsed
    ASSERT_EQ(report.unmatched.size(), 2u);
    EXPECT_EQ(report.unmatched[0].label, "🔥 Шум в классе");
    EXPECT_NE(report.unmatched[0].reason.find("no pattern scores >= 0.60"), std::string::npos);
    EXPECT_EQ(report.unmatched[1].reason, "no letters or digits to compare");
    const std::string summary = report.summary();
    EXPECT_NE(summary.find("unmatched label '🔥 Шум в классе'"), std::string::npos) << summary;
}

TEST(LabelMatcher, AliasesAndAmbiguity) {
    MatcherOptions o;
    o.aliases["🔥 Шум в классе"] = "Работа в команде";
    LabelMatcher m(spec_patterns(), o);
    auto r = m.match("🔥 ШУМ в классе");
    EXPECT_EQ(r.method, MatchMethod::Alias);
    EXPECT_EQ(r.pattern_name, "Работа в команде ");
    o.aliases["x"] = "No such pattern";
    try {
        LabelMatcher bad(spec_patterns(), o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
    // Two equally close candidates: reported, not guessed.
    LabelMatcher amb({{"Работа в парах", ""}, {"Работа в группах", ""}});
    auto a = amb.match("Работа");
    EXPECT_FALSE(a.matched());
    EXPECT_NE(a.reason.find("ambiguous"), std::string::npos) << a.reason;
}
