#include "dataset_messages.hpp"

#include <cstdio>
#include <string>

namespace vidseg::cli {

void print_item_errors(const std::vector<dataset::ItemError>& errors) {
    for (const auto& e : errors) std::fprintf(stderr, "error: %s: %s\n", e.item.c_str(), e.message.c_str());
}

void print_unmatched_labels(const annotations::MatchReport& matches) {
    for (const auto& m : matches.unmatched) {
        const std::string closest = m.best_candidate.empty()
                                        ? std::string("no close pattern")
                                        : "closest: '" + m.best_candidate + "', score " +
                                              std::to_string(m.best_score).substr(0, 4);
        std::fprintf(stderr, "warning: label '%s' matches no pattern (%s); kept in 'labels'\n", m.label.c_str(),
                     closest.c_str());
    }
}

}  // namespace vidseg::cli
