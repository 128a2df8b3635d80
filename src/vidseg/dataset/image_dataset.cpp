#include "vidseg/dataset/image_dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "vidseg/annotations/labeled_csv.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

std::string metadata_line(const ImageDatasetItem& item) {
    nlohmann::ordered_json row;
    row["file_name"] = item.file_name;
    row["patterns"] = item.patterns;
    row["labels"] = item.labels;
    return row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ImageDatasetReport build_image_dataset(const ImageDatasetConfig& config) {
    if (config.out_dir.empty()) throw Error(ErrorCode::InvalidArgument, "--out is required");
    if (config.images_dir.empty()) throw Error(ErrorCode::InvalidArgument, "--images is required");
    if (config.labeled_csv.empty()) throw Error(ErrorCode::InvalidArgument, "--labeled is required");
    const auto table = annotations::read_labeled_csv(config.labeled_csv);
    std::error_code ec;
    if (!fs::is_directory(config.images_dir, ec))
        throw Error(ErrorCode::InputNotFound, "images directory not found", config.images_dir);
    auto patterns = config.patterns_path.empty() ? annotations::default_patterns()
                                                 : annotations::read_patterns(config.patterns_path);
    const annotations::LabelMatcher matcher(std::move(patterns));

    ImageDatasetReport report;
    report.rows = table.rows.size();
    report.out_dir = config.out_dir;

    std::vector<std::string> all_labels;
    for (const auto& row : table.rows)
        for (const auto& l : row.patterns) all_labels.push_back(l);
    report.matches = matcher.match_all(all_labels);
    std::map<std::string, const annotations::LabelMatch*> by_label;
    for (const auto& m : report.matches.matches) by_label[m.label] = &m;

    std::map<std::string, size_t> by_name;  // output file name → item index
    const fs::path images(config.images_dir);
    for (const auto& row : table.rows) {
        const std::string item = "line " + std::to_string(row.line) + " (" +
                                 (row.keyframe.empty() ? std::string("no keyframe") : row.keyframe) + ")";
        if (row.keyframe.empty()) {
            report.errors.push_back({item, "the row has no keyframe"});
            continue;
        }
        // The keyframe as a path under --images, else its file name there; never a file elsewhere
        // ("/etc/passwd", "../../secret.jpg" or a symlink out of --images would be copied into the dataset).
        fs::path source = images / row.keyframe;
        if (!fs::is_regular_file(source, ec) || !lies_under(images, source))
            source = images / fs::path(row.keyframe).filename();
        if (!fs::is_regular_file(source, ec) || !lies_under(images, source)) {
            report.errors.push_back({item, "keyframe '" + row.keyframe + "' not found in " + images.string()});
            continue;
        }
        const std::string name = safe_file_name(source.filename().string());
        auto [it, inserted] = by_name.try_emplace(name, report.items.size());
        if (inserted) {
            ImageDatasetItem fresh;
            fresh.file_name = "images/" + name;
            fresh.source = source.string();
            report.items.push_back(std::move(fresh));
        } else if (!fs::equivalent(report.items[it->second].source, source, ec)) {
            report.errors.push_back({item, "keyframe '" + source.string() + "' has the same file name as '" +
                                               report.items[it->second].source + "'"});
            continue;
        }
        auto& out = report.items[it->second];
        out.lines.push_back(row.line);
        for (const auto& label : row.patterns) {
            const auto* m = by_label.at(label);
            if (m->matched())
                add_unique(out.patterns, m->pattern_name);
            else
                add_unique(out.labels, label);
        }
    }

    if (report.items.empty() || (!report.errors.empty() && !config.keep_going)) return report;

    AtomicOutputDir out(config.out_dir);
    const fs::path image_dir = out.staging() / "images";
    fs::create_directories(image_dir, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot create directory: " + ec.message(), image_dir.string());
    std::string metadata;
    for (const auto& item : report.items) {
        const fs::path dest = join_under(out.staging(), item.file_name);
        if (!fs::copy_file(item.source, dest, fs::copy_options::overwrite_existing, ec) || ec)
            throw Error(ErrorCode::OutputError, "cannot copy keyframe: " + ec.message(), item.source);
        metadata += metadata_line(item) + "\n";
    }
    write_file_atomic(out.staging() / "metadata.jsonl", metadata);
    out.commit();
    report.written = true;
    return report;
}

nlohmann::json to_json(const ImageDatasetReport& report) {
    nlohmann::json doc;
    doc["out_dir"] = report.out_dir;
    doc["written"] = report.written;
    doc["rows"] = report.rows;
    doc["items"] = nlohmann::json::array();
    for (const auto& i : report.items)
        doc["items"].push_back({{"file_name", i.file_name}, {"source", i.source}, {"patterns", i.patterns},
                                {"labels", i.labels}, {"lines", i.lines}});
    doc["errors"] = nlohmann::json::array();
    for (const auto& e : report.errors) doc["errors"].push_back({{"item", e.item}, {"message", e.message}});
    doc["unmatched_labels"] = nlohmann::json::array();
    for (const auto& m : report.matches.unmatched)
        doc["unmatched_labels"].push_back({{"label", m.label}, {"closest", m.best_candidate}, {"score", m.best_score}});
    return doc;
}

}  // namespace vidseg::dataset
