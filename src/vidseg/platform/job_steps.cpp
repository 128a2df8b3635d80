#include "vidseg/platform/job_steps.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "vidseg/core/error.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

catalog::Video job_video(JobContext& c, std::size_t index) {
    if (index >= c.job.video_ids.size()) throw Error(ErrorCode::InvalidArgument, "the job names no video");
    auto video = c.catalog.find_video(c.job.video_ids[index]);
    if (!video)
        throw Error(ErrorCode::InputNotFound, "the video was deleted",
                    "video " + std::to_string(c.job.video_ids[index]));
    return *video;
}

fs::path fetch_video(JobContext& c, const catalog::Video& video) {
    c.progress.begin("fetch", 1);
    // One folder per video id: two users' uploads of the same file name in one job (an admin's) are two
    // files, each keeping its name (the dataset build matches tasks to videos by their id first, by this
    // name only when one video has it, and names both videos when a task fits two).
    const fs::path local = c.work_dir / "input" / std::to_string(video.id) /
                           video.key.substr(video.key.rfind('/') + 1);  // a safe name
    fs::create_directories(local.parent_path());
    c.store.get_file(video.key, local);
    // The upload's time, not the fetch's: the intro fingerprint cache keys a file by size, mtime and
    // sampled bytes, so the same video fetched by the next job is found in it.
    std::error_code ec;
    fs::last_write_time(
        local, fs::file_time_type::clock::from_sys(std::chrono::system_clock::from_time_t(video.created)),
        ec);
    c.progress.end();
    c.log("fetched " + video.key + " (" + std::to_string(video.size) + " bytes)");
    return local;
}

catalog::JobFile store_file(JobContext& c, const fs::path& file, const std::string& name,
                            const std::string& key) {
    const auto info = c.store.put_file(key, file, {{"job", std::to_string(c.job.id)}});
    catalog::JobFile out{name, key, info.size};
    c.catalog.add_job_file(c.job.id, out);
    return out;
}

std::size_t store_output_folder(JobContext& c, const fs::path& folder, const std::string& name_prefix) {
    const auto owner = c.catalog.user_by_id(c.job.user_id);
    const std::string prefix = (owner ? owner->name : "unknown") + "/jobs/" + std::to_string(c.job.id) + "/";
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    c.progress.begin("assemble", static_cast<double>(files.size()));
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string name = name_prefix + fs::relative(files[i], folder).generic_string();
        store_file(c, files[i], name, prefix + name);
        c.progress.update(static_cast<double>(i + 1));
    }
    c.progress.end();
    c.log("stored " + std::to_string(files.size()) + " result files under " + prefix);
    return files.size();
}

}  // namespace vidseg::platform
