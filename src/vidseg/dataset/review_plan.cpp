#include "vidseg/dataset/review_plan.hpp"

#include "vidseg/dataset/dataset_card.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

std::vector<ReviewItem> review_items(const DatasetPlan& plan, const fs::path& stage_dir) {
    std::vector<ReviewItem> out;
    for (const auto& item : plan.items) {
        ReviewItem r;
        r.id = item.name;
        r.lesson = item.lesson;
        r.start = item.start;
        r.end = item.end;
        r.patterns = item.patterns.empty() ? item.labels : item.patterns;
        r.annotator = item.annotator;
        r.keyframe = (stage_dir / (split_prefix(plan, item) + "images/" + item.name + ".jpg")).string();
        out.push_back(std::move(r));
    }
    return out;
}

void keep_excluded_files(const fs::path& stage_dir, const std::vector<std::string>& files) {
    std::error_code ec;
    for (const auto& f : files) {
        if (!fs::is_regular_file(stage_dir / f, ec)) continue;
        const fs::path to = stage_dir / kExcludedDir / f;
        fs::create_directories(to.parent_path(), ec);
        fs::rename(stage_dir / f, to, ec);
    }
}

void keep_previous_files(const fs::path& previous_dataset, const fs::path& stage_dir,
                         const std::vector<std::string>& files) {
    std::error_code ec;
    for (const auto& f : files) {
        const fs::path to = stage_dir / kExcludedDir / f;
        if (!fs::is_regular_file(previous_dataset / f, ec) || fs::exists(to, ec)) continue;
        fs::create_directories(to.parent_path(), ec);
        std::error_code e2;
        fs::create_hard_link(previous_dataset / f, to, e2);
        if (e2) fs::copy_file(previous_dataset / f, to, fs::copy_options::overwrite_existing, e2);
    }
}

void carry_previous_excluded(const fs::path& previous_dataset, const fs::path& stage_dir) {
    const fs::path from_root = previous_dataset / kExcludedDir;
    std::error_code ec;
    if (!fs::is_directory(from_root, ec)) return;
    for (fs::recursive_directory_iterator it(from_root, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const fs::path to = stage_dir / kExcludedDir / it->path().lexically_relative(from_root);
        if (fs::exists(to)) continue;
        std::error_code e2;
        fs::create_directories(to.parent_path(), e2);
        fs::create_hard_link(it->path(), to, e2);
        if (e2) fs::copy_file(it->path(), to, fs::copy_options::overwrite_existing, e2);
    }
}

}  // namespace vidseg::dataset
