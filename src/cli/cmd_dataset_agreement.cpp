#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "command.hpp"
#include "vidseg/eval/agreement_options.hpp"

namespace vidseg::cli {

namespace {

std::string fmt(double v, const char* f = "%.3f") {
    if (std::isnan(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

int run_dataset_agreement(const ParsedOptions& options, Context& context) {
    const auto run = eval::run_dataset_agreement(options);
    for (const auto& w : run.warnings) context.info("warning: " + w);
    for (const auto& note : run.corpus.notes) context.info(note);
    const auto& corpus = run.corpus;
    const auto& report = run.report;
    const auto& consensus = run.consensus;
    const bool matcher = run.matched_patterns;
    if (context.json) {
        context.print_json(eval::to_json(run));
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

Command dataset_agreement_command() { return {eval::dataset_agreement_command_spec(), run_dataset_agreement}; }

}  // namespace vidseg::cli
