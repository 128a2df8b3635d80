// Tolerant matching of the labels annotators actually used to the pattern list (SPEC §1).
// Real labels carry an emoji and a role prefix ("🎯 П: Включение в процесс"); pattern names carry a
// role suffix and sometimes trailing spaces ("Включение в обучающий процесс П", "Работа в команде ").
//
// Normalisation (normalize_label): UTF-8 decode (invalid bytes dropped); compose и/И + U+0306 → й/Й
// and е/Е + U+0308 → ё/Ё, then fold ё → е; lower-case Latin (ASCII, Latin-1) and Cyrillic
// (U+0400–U+042F); every code point that is not a letter or digit of those scripts (emoji,
// variation selectors, ZWJ, punctuation, symbols, spaces) becomes a separator; whitespace collapsed.
// The role (П = teacher, У = student) is taken from a leading "П:" / "У:" or a trailing single
// word "П" / "У" and removed from the text that is compared.
//
// Matching, in order: (1) aliases (normalised label → pattern name), (2) exact equality of the
// normalised texts, (3) a fuzzy token score (below). A candidate whose role differs from the
// label's (both known) is never taken. A fuzzy best that is within 0.05 of a different second best
// is reported as ambiguous instead of guessed.
//
// Fuzzy score: tokens shorter than 3 characters are dropped (prepositions "в", "с"); token
// similarity s(a, b) = 1 when equal, else the Dice coefficient of character bigrams when >= 0.5,
// else 0; recall = mean over label tokens of the best s against pattern tokens, precision = the
// same the other way; score = 0.7 recall + 0.3 precision (a label usually abbreviates the name:
// "Включение в процесс" ↔ "Включение в обучающий процесс" scores 0.7·1 + 0.3·2/3 = 0.9).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/annotations/pattern_list.hpp"

namespace vidseg::annotations {

// Lower-cases ASCII, Latin-1 and Cyrillic letters of a UTF-8 string; other bytes are copied.
std::string utf8_lower(const std::string& text);
// See above; without role removal the role letters stay in the text.
std::string normalize_label(const std::string& text);

enum class Role { Unknown, Teacher, Student };
struct LabelKey {
    std::string text;  // normalised, role removed
    Role role = Role::Unknown;
};
LabelKey label_key(const std::string& label);

enum class MatchMethod { Alias, Exact, Fuzzy, None };
const char* match_method_name(MatchMethod method) noexcept;

struct LabelMatch {
    std::string label;                   // as given
    std::optional<size_t> pattern;       // index into the matcher's patterns
    std::string pattern_name;            // empty when unmatched
    MatchMethod method = MatchMethod::None;
    double score = 0;                    // 1 for alias / exact
    std::string best_candidate;          // the closest pattern even when unmatched (for the report)
    double best_score = 0;
    std::string reason;                  // why unmatched: "below threshold 0.60 (best ...)", "ambiguous ..."
    bool matched() const { return pattern.has_value(); }
};

struct MatchReport {
    std::vector<LabelMatch> matches;    // one per distinct input label, in input order
    std::vector<LabelMatch> unmatched;  // the subset without a pattern
    // One line per unmatched label with its closest candidate; empty when everything matched.
    std::string summary() const;
};

struct MatcherOptions {
    double threshold = 0.6;                      // minimum fuzzy score
    std::map<std::string, std::string> aliases;  // label → pattern name (both compared normalised)
};

class LabelMatcher {
public:
    // Throws InvalidArgument for an alias whose target is not one of the patterns.
    explicit LabelMatcher(std::vector<Pattern> patterns, MatcherOptions options = {});
    LabelMatch match(const std::string& label) const;
    MatchReport match_all(const std::vector<std::string>& labels) const;
    const std::vector<Pattern>& patterns() const { return patterns_; }

private:
    std::vector<Pattern> patterns_;
    std::vector<LabelKey> keys_;
    MatcherOptions options_;
    std::map<std::string, size_t> alias_index_;  // normalised alias → pattern index
};

}  // namespace vidseg::annotations
