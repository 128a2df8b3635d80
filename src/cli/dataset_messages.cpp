#include "dataset_messages.hpp"

#include <cstdio>
#include <string>

namespace vidseg::cli {

void print_item_errors(const std::vector<dataset::ItemError>& errors) {
    for (const auto& e : errors) std::fprintf(stderr, "error: %s: %s\n", e.item.c_str(), e.message.c_str());
}

void print_unmatched_labels(const annotations::MatchReport& matches, const Messages& messages) {
    for (const auto& m : matches.unmatched) {
        const std::string closest =
            m.best_candidate.empty() ? messages.text(Msg::WarnNoClosePattern)
                                     : messages.text(Msg::WarnClosestPattern,
                                                     {{"pattern", m.best_candidate},
                                                      {"score", std::to_string(m.best_score).substr(0, 4)}});
        const auto text = messages.text(Msg::WarnUnmatchedLabel, {{"label", m.label}, {"closest", closest}});
        std::fprintf(stderr, "%s\n", messages.text(Msg::Warning, {{"text", text}}).c_str());
    }
}

void print_warnings(const std::vector<std::string>& warnings, const Messages& messages) {
    for (const auto& w : warnings)
        std::fprintf(stderr, "%s\n",
                     messages.text(Msg::Warning, {{"text", messages.from_english(w)}}).c_str());
}

}  // namespace vidseg::cli
