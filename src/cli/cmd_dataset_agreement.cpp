#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "command.hpp"
#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/label_studio_users.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/eval/agreement.hpp"

namespace vidseg::cli {

namespace {

std::string fmt(double v, const char* f = "%.3f") {
    if (std::isnan(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

int run_dataset_agreement(const ParsedOptions& options, Context& context) {
    annotations::ReadOptions read;
    if (options.given("label-config")) {
        const auto info = annotations::read_label_config(options.str("label-config"));
        read.controls = info.controls;
        read.fps = info.frame_rate;
    }
    if (options.given("fps")) read.fps = options.number("fps");
    std::map<long long, annotations::UserInfo> users;
    if (options.given("annotators")) users = annotations::read_users(options.str("annotators"));
    std::vector<eval::NamedExport> exports;
    for (const auto& path : options.positionals()) {
        auto project = annotations::read_export(path, read);
        for (const auto& w : project.warnings) context.info("warning: " + path + ": " + w);
        for (const auto& t : project.tasks)
            if (t.needs_fps())
                throw Error(ErrorCode::InvalidArgument,
                            "fps unknown for " + t.describe() + " of " + path +
                                ": its video timeline labels are frame numbers; pass --fps or --label-config "
                                "(with a numeric <Video frameRate>)");
        annotations::apply_user_names(project, users);
        exports.push_back({path, std::move(project)});
    }

    std::optional<annotations::LabelMatcher> matcher;
    if (options.given("patterns")) matcher.emplace(annotations::read_patterns(options.str("patterns")));
    auto corpus = eval::corpus_from_exports(exports, matcher ? &*matcher : nullptr);
    for (const auto& note : corpus.notes) context.info(note);
    if (corpus.input.annotators.size() < 2) {
        std::string found = corpus.input.annotators.empty() ? "none" : "'" + corpus.input.annotators[0] + "'";
        throw Error(ErrorCode::InvalidArgument,
                    "agreement needs at least two annotators, found " + std::to_string(corpus.input.annotators.size()) +
                        " (" + found + "): give one export in which several people annotated the same task, or "
                        "one export per annotator");
    }
    eval::AgreementOptions opt;
    opt.iou_threshold = options.number("iou");
    opt.bin_seconds = options.number("bin");
    opt.min_kappa = options.number("min-kappa");
    const auto report = eval::compute_agreement(corpus.input, opt);

    std::vector<eval::ConsensusSegment> consensus;
    if (options.given("consensus")) {
        consensus = eval::consensus_segments(corpus.input, report, opt);
        const auto project = eval::consensus_project(corpus, consensus);
        write_file_atomic(options.str("consensus"), annotations::to_full_json(project).dump(2) + "\n");
    }

    if (context.json) {
        auto doc = eval::to_json(report);
        doc["units"] = corpus.input.units.size();
        if (matcher) {
            nlohmann::json unmatched = nlohmann::json::array();
            for (const auto& m : corpus.labels.unmatched)
                unmatched.push_back({{"label", m.label}, {"reason", m.reason}, {"closest", m.best_candidate}});
            doc["unmatched_labels"] = unmatched;
        }
        if (options.given("consensus"))
            doc["consensus"] = {{"path", options.str("consensus")}, {"segments", consensus.size()}};
        context.print_json(doc);
        return 0;
    }
    std::printf("Annotators (%zu): ", report.annotators.size());
    for (size_t i = 0; i < report.annotators.size(); ++i) std::printf("%s%s", i ? ", " : "", report.annotators[i].c_str());
    std::printf("\nUnits: %zu, %zu labelled by two or more annotators (only those are compared), %s kappa over "
                "%.3g-s bins (%lld bins), segments match at IoU >= %.2f\n\n",
                corpus.input.units.size(), report.shared_units, report.method == "cohen" ? "Cohen's" : "Fleiss'",
                report.bin_seconds, report.bins, report.iou_threshold);
    // printf pads by bytes; pad by code points so Cyrillic columns line up.
    auto code_points = [](const std::string& text) {
        size_t n = 0;
        for (unsigned char ch : text) n += (ch & 0xC0) != 0x80;
        return n;
    };
    size_t width = 7;
    for (const auto& p : report.patterns) width = std::max(width, code_points(p.label));
    std::printf("%-*s  %7s  %-15s  %8s  %8s  %7s  %6s  %s\n", static_cast<int>(width), "pattern", "kappa", "band",
                "agree%", "segments", "matched", "shared", "consensus");
    for (const auto& p : report.patterns) {
        const size_t cps = code_points(p.label);
        std::printf("%s%*s  %7s  %-15s  %8s  %8lld  %7lld  %6zu  %s\n", p.label.c_str(), static_cast<int>(width - cps),
                    "", fmt(p.kappa).c_str(), p.band.c_str(), fmt(p.percent_agreement * 100, "%.1f").c_str(),
                    p.segments, p.matched, p.shared_units, p.consensus ? "yes" : "no");
    }
    std::printf("(shared = units labelled by two or more annotators on which the pattern occurs)\n");
    std::printf("\nOverall: kappa %s (%s), percent agreement %s%%\n", fmt(report.overall_kappa).c_str(),
                report.overall_band.c_str(), fmt(report.overall_percent * 100, "%.1f").c_str());
    if (report.pairs.size() > 1)
        for (const auto& pr : report.pairs)
            std::printf("  %s vs %s: kappa %s, agreement %s%%\n", report.annotators[pr.a].c_str(),
                        report.annotators[pr.b].c_str(), fmt(pr.kappa).c_str(),
                        fmt(pr.percent_agreement * 100, "%.1f").c_str());
    std::fflush(stdout);
    if (matcher && !corpus.labels.unmatched.empty())
        context.info("labels that match no pattern (compared as written):\n" + corpus.labels.summary());
    if (options.given("consensus"))
        context.info("consensus: " + std::to_string(consensus.size()) + " segments written to " + options.str("consensus"));
    return 0;
}

}  // namespace

Command dataset_agreement_command() {
    CommandSpec spec{
        .name = "dataset agreement",
        .summary = "Inter-annotator agreement (percent agreement, Cohen's / Fleiss' kappa) of Label Studio exports.",
        .description =
            "Reads one export in which several annotators labeled the same tasks, or one export per annotator\n"
            "(JSON, JSON_MIN or CSV). Segments of two annotators match when they carry the same label and\n"
            "IoU >= --iou. Kappa is computed per label over a time grid of --bin seconds (Cohen's for two\n"
            "annotators, Fleiss' for more). Bands: >= 0.80 excellent, >= 0.60 good, >= 0.40 moderate, else poor.\n"
            "Only tasks that at least two annotators labelled are compared; a pattern that occurs on none of them\n"
            "is 'not enough data' (no kappa). The grid runs to the media's end when the export tells it.\n"
            "--consensus writes matched segments (mean boundaries) of labels with kappa >= --min-kappa as a\n"
            "Label Studio JSON export that imports into the same project (each control's own result type and\n"
            "the annotators' label strings).",
        .positionals = {{.name = "EXPORT", .help = "Label Studio export(s).", .min_count = 1, .max_count = -1}},
        .options = {{.name = "iou", .type = OptionType::Double, .default_value = "0.5",
                     .help = "IoU at which two segments match.", .metavar = "X", .min = 0.01, .max = 1},
                    {.name = "bin", .type = OptionType::Double, .default_value = "1",
                     .help = "Time-grid bin for kappa, seconds.", .metavar = "SECONDS", .min = 0.01, .max = 3600},
                    {.name = "min-kappa", .type = OptionType::Double, .default_value = "0.6",
                     .help = "Labels with kappa below this are left out of the consensus.", .metavar = "K",
                     .min = -1, .max = 1},
                    {.name = "consensus", .type = OptionType::Path, .help = "Write the consensus export here.",
                     .metavar = "OUT.json"},
                    {.name = "patterns", .type = OptionType::Path,
                     .help = "Pattern list (xlsx/csv/txt): labels are matched to pattern names tolerantly.",
                     .metavar = "FILE"},
                    {.name = "fps", .type = OptionType::Double,
                     .help = "Frame rate for timelinelabels of tasks without 'fps' (the config's <Video frameRate>).",
                     .min = 1, .max = 1000},
                    {.name = "label-config", .type = OptionType::Path,
                     .help = "The project's label config XML: numeric <Video frameRate>, control names (JSON_MIN / "
                             "CSV single answers).",
                     .metavar = "FILE"},
                    {.name = "annotators", .type = OptionType::Path,
                     .help = "Users file (Label Studio's GET /api/users saved as JSON: id, first_name, last_name, "
                             "username, email): annotators are shown by name instead of 'user N'.",
                     .metavar = "users.json"}},
        .examples = "  vidseg dataset agreement project-1.json --annotators users.json\n"
                    "  vidseg dataset agreement anna.json boris.json --consensus consensus.json\n"
                    "  vidseg dataset agreement export.json --patterns patterns.xlsx --json",
    };
    return {spec, run_dataset_agreement};
}

}  // namespace vidseg::cli
