// `vidseg keyframes learn`: a keyframe ranker learned from review decisions (dataset/keyframe_learning.hpp).
#include <cstdio>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/keyframe_learning.hpp"

namespace vidseg::cli {

namespace {

std::string percent(size_t part, size_t whole) {
    return one_decimal(whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
}

int run_keyframes_learn(const ParsedOptions& options, Context& context) {
    dataset::KeyframeLearnConfig config;
    for (const auto& d : options.all("reviews")) config.reviews.emplace_back(d);
    for (const auto& d : options.all("evaluate")) config.evaluate.emplace_back(d);
    if (config.reviews.empty()) throw Error(ErrorCode::InvalidArgument, "missing option --reviews DIR");
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "missing option --out FILE");
    config.out = options.str("out");
    config.read.accepted_weight = options.number("accepted-weight");
    config.training.l2 = options.number("l2");
    const auto report = dataset::learn_keyframe_ranker(config);
    if (context.json) {
        auto doc = dataset::to_json(report);
        doc["out"] = config.out.string();
        context.print_json(doc);
        return 0;
    }
    // English only for now, like `keyframes`' lines: the Russian lines belong in core/messages (left
    // for the merge, whose rebuild of every includer of messages.hpp this branch could not afford).
    const auto& t = report.training;
    std::printf("Learned a keyframe model from %zu review decisions (%zu picked frames, %zu accepted suggestions) "
                "in %zu dataset(s): %s\n",
                t.choices.size(), t.picks, t.accepted, t.folders, config.out.string().c_str());
    if (!context.quiet)
        std::printf("  not used: %zu excluded, %zu without a decision, %zu picks that are no candidate, %zu with one "
                    "candidate\n",
                    t.excluded, t.undecided, t.picks_off_candidates, t.single_candidate);
    const auto agreement = [&](const char* set, const dataset::Agreement& a) {
        std::printf("  %s decisions (%zu): the model takes the reviewer's frame in %s %%, the fixed score in %s %%\n", set,
                    a.decisions, percent(a.model, a.decisions).c_str(), percent(a.heuristic, a.decisions).c_str());
    };
    agreement("training", report.training_agreement);
    if (report.evaluated) agreement("held-out", report.held_out_agreement);
    return 0;
}

}  // namespace

Command keyframes_learn_command() {
    CommandSpec spec{
        .name = "keyframes learn",
        .summary = "Learn the keyframe choice from review decisions (for dataset build --keyframe model:FILE).",
        .description =
            "Reads dataset builds made with --keyframe best (or model:FILE): their review.jsonl (kept/excluded,\n"
            "frames picked in the review) and keyframe_candidates.jsonl (every candidate's scores), and fits a\n"
            "small model that ranks a fragment's candidates like the reviewers did: a picked frame counts fully,\n"
            "a kept fragment without a pick as an accepted suggestion (--accepted-weight), an excluded one not\n"
            "at all. Nothing is decoded again. Prints how often the model and the fixed score take the\n"
            "reviewers' frame, on the training decisions and on --evaluate folders it was not trained on.\n"
            "The model file (JSON, versioned: format vidseg-keyframe-ranker, version 1) is written atomically.",
        .options =
            {
                {.name = "reviews", .type = OptionType::Path,
                 .help = "Dataset build output with review.jsonl and keyframe_candidates.jsonl (required).",
                 .metavar = "DIR", .repeatable = true, .takes_many = true},
                {.name = "evaluate", .type = OptionType::Path,
                 .help = "Held-out dataset build output: agreement is measured there, nothing is learned from it.",
                 .metavar = "DIR", .repeatable = true, .takes_many = true},
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Model file to write (required).",
                 .metavar = "FILE"},
                {.name = "accepted-weight", .type = OptionType::Double, .default_value = "0.5",
                 .help = "Weight of a kept fragment without a pick (the suggested frame accepted); 0 = picks only.",
                 .metavar = "W", .min = 0, .max = 1},
                {.name = "l2", .type = OptionType::Double, .default_value = "0.01",
                 .help = "L2 penalty on the standardised weights (larger = closer to indifferent).", .metavar = "X",
                 .min = 0.000001, .max = 100},
            },
        .examples = "  vidseg keyframes learn --reviews ds_lesson1 ds_lesson2 --out keyframes.model\n"
                    "  vidseg keyframes learn --reviews ds_a ds_b --evaluate ds_c --out keyframes.model --json\n"
                    "  vidseg dataset build --video lesson3.mp4 --annotations export.json --keyframe "
                    "model:keyframes.model --out ds_lesson3",
    };
    return {spec, run_keyframes_learn};
}

}  // namespace vidseg::cli
