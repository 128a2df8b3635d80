#include "vidseg/dataset/keyframe_learn_options.hpp"

#include "vidseg/core/error.hpp"

namespace vidseg::dataset {

CommandSpec keyframes_learn_command_spec() {
    return CommandSpec{
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
}

KeyframeLearnConfig keyframes_learn_config(const ParsedOptions& options, bool require_paths) {
    KeyframeLearnConfig config;
    for (const auto& d : options.all("reviews")) config.reviews.emplace_back(d);
    for (const auto& d : options.all("evaluate")) config.evaluate.emplace_back(d);
    if (require_paths && config.reviews.empty()) throw Error(ErrorCode::InvalidArgument, "missing option --reviews DIR");
    if (require_paths && !options.given("out")) throw Error(ErrorCode::InvalidArgument, "missing option --out FILE");
    if (options.given("out")) config.out = options.str("out");
    config.read.accepted_weight = options.number("accepted-weight");
    config.training.l2 = options.number("l2");
    return config;
}

}  // namespace vidseg::dataset
