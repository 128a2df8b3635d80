// `vidseg keyframes learn`: a keyframe ranker learned from review decisions (dataset/keyframe_learning.hpp).
#include <cstdio>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/keyframe_learn_options.hpp"

namespace vidseg::cli {

namespace {

double percent(size_t part, size_t whole) {
    return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

int run_keyframes_learn(const ParsedOptions& options, Context& context) {
    const auto config = dataset::keyframes_learn_config(options);
    const auto report = dataset::learn_keyframe_ranker(config);
    if (context.json) {
        auto doc = dataset::to_json(report);
        doc["out"] = config.out.string();
        context.print_json(doc);
        return 0;
    }
    const Messages& m = context.messages;
    const auto& t = report.training;
    std::printf("%s\n", m.text(Msg::KeyframesLearned, {{"decisions", std::to_string(t.choices.size())},
                                                       {"picks", std::to_string(t.picks)},
                                                       {"accepted", std::to_string(t.accepted)},
                                                       {"folders", std::to_string(t.folders)},
                                                       {"out", config.out.string()}})
                             .c_str());
    if (!context.quiet)
        std::printf("%s\n", m.text(Msg::KeyframesNotUsed, {{"excluded", std::to_string(t.excluded)},
                                                           {"undecided", std::to_string(t.undecided)},
                                                           {"off", std::to_string(t.picks_off_candidates)},
                                                           {"single", std::to_string(t.single_candidate)}})
                                 .c_str());
    const auto agreement = [&](Msg line, const dataset::Agreement& a) {
        std::printf("%s\n", m.text(line, {{"decisions", std::to_string(a.decisions)},
                                          {"model", m.number(percent(a.model, a.decisions), 1)},
                                          {"heuristic", m.number(percent(a.heuristic, a.decisions), 1)}})
                                 .c_str());
    };
    agreement(Msg::KeyframesTrainingAgreement, report.training_agreement);
    if (report.evaluated) agreement(Msg::KeyframesHeldOutAgreement, report.held_out_agreement);
    return 0;
}

}  // namespace

Command keyframes_learn_command() {
    auto spec = dataset::keyframes_learn_command_spec();
    spec.options.push_back(language_option());
    return {spec, run_keyframes_learn};
}

}  // namespace vidseg::cli
