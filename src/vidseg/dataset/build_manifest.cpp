#include "vidseg/dataset/build_manifest.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"

namespace fs = std::filesystem;

namespace vidseg::dataset {

namespace {

constexpr const char* kLockName = ".vidseg-lock";
constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t fnv(uint64_t h, const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= kFnvPrime;
    }
    return h;
}

std::string hex64(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

fs::path absolute_normal(fs::path p) {
    p = fs::absolute(p).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    return p;
}

bool all_exist(const fs::path& root, const std::vector<std::string>& files) {
    std::error_code ec;
    for (const auto& f : files)
        if (!fs::is_regular_file(root / f, ec)) return false;
    return !files.empty();
}

// Files of a manifest or journal entry: relative paths of safe names under the dataset root. A manifest
// is read back from the output folder, so a tampered one ("../../x") must not make reuse link or move
// files from or to elsewhere; such an entry is dropped (it only costs a rebuild).
bool safe_files(const std::vector<std::string>& files) {
    return std::all_of(files.begin(), files.end(),
                       [](const std::string& f) { return is_safe_relative_path(f); });
}

// Hard link (same filesystem: instant, same inode and mtime) or copy.
void link_or_copy(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    fs::remove(to, ec);
    fs::create_hard_link(from, to, ec);
    if (!ec) return;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot reuse a file of the previous dataset: " + ec.message(), to.string());
}

}  // namespace

std::string hash_text(const std::string& text) { return hex64(fnv(kFnvOffset, text.data(), text.size())); }

std::string artifact_key(const std::string& kind, int format_version, const std::vector<std::string>& inputs) {
    std::string text = kind + "|v" + std::to_string(format_version);
    for (const auto& i : inputs) text += "|" + i;
    return hash_text(text);
}

std::string key_number(double value) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    return buf;
}

std::string video_fingerprint(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw Error(ErrorCode::InputNotFound, "cannot read: " + ec.message(), path);
    const auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot read", path);
    constexpr uint64_t kSample = 64 * 1024;
    std::string head = std::to_string(size) + "|" + std::to_string(mtime) + "|";
    uint64_t h = fnv(kFnvOffset, head.data(), head.size());
    std::vector<char> buf(kSample);
    for (uint64_t at : {uint64_t{0}, size / 2, size > kSample ? size - kSample : 0}) {
        in.clear();
        in.seekg(static_cast<std::streamoff>(at));
        in.read(buf.data(), static_cast<std::streamsize>(kSample));
        h = fnv(h, buf.data(), static_cast<size_t>(in.gcount()));
    }
    return std::to_string(size) + "-" + hex64(h);
}

ManifestItems read_manifest(const fs::path& path) {
    ManifestItems items;
    std::ifstream in(path, std::ios::binary);
    if (!in) return items;
    try {
        const auto j = nlohmann::json::parse(in);
        for (const auto& [name, arts] : j.at("items").items())
            for (const auto& [art, e] : arts.items()) {
                auto files = e.at("files").get<std::vector<std::string>>();
                if (!safe_files(files)) continue;
                items[name][art] = {e.at("key").get<std::string>(), std::move(files),
                                    e.contains("value") ? e["value"].dump() : std::string()};
            }
    } catch (const nlohmann::json::exception&) {
        return {};  // unreadable: everything is rebuilt
    }
    return items;
}

std::string render_manifest(const ManifestItems& items) {
    nlohmann::ordered_json j;
    j["version"] = 1;
    j["note"] = "written by vidseg dataset build: per fragment and artifact, the hash of its inputs and its files; "
                "unchanged artifacts are reused by the next build";
    j["items"] = nlohmann::ordered_json::object();
    for (const auto& [name, arts] : items)
        for (const auto& [art, e] : arts) {
            j["items"][name][art] = {{"key", e.key}, {"files", e.files}};
            if (!e.value.empty()) j["items"][name][art]["value"] = nlohmann::ordered_json::parse(e.value);
        }
    return j.dump(1) + "\n";
}

fs::path partial_dir_of(const fs::path& destination) {
    const fs::path d = absolute_normal(destination);
    return d.parent_path() / ("." + d.filename().string() + ".vidseg-partial");
}

ManifestItems parse_journal(const std::string& text) {
    ManifestItems journal;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        try {
            const auto j = nlohmann::json::parse(line);
            if (j.contains("reset")) {
                journal.clear();
                continue;
            }
            auto files = j.at("files").get<std::vector<std::string>>();
            if (!safe_files(files)) continue;
            auto& items = journal[j.at("item").get<std::string>()];
            const std::string artifact = j.at("artifact").get<std::string>();
            const std::string key = j.at("key").get<std::string>();
            if (key.empty()) {  // about to be made again: nothing vouches for its files
                items.erase(artifact);
                continue;
            }
            items[artifact] = {key, std::move(files), j.contains("value") ? j["value"].dump() : std::string()};
        } catch (const nlohmann::json::exception&) {
        }
    }
    for (auto it = journal.begin(); it != journal.end();) it = it->second.empty() ? journal.erase(it) : std::next(it);
    return journal;
}

ResumableStage::ResumableStage(fs::path destination, bool reuse_enabled)
    : destination_(absolute_normal(std::move(destination))) {
    const fs::path parent = destination_.parent_path();
    const std::string name = destination_.filename().string();
    dir_ = parent / ("." + name + ".vidseg-partial");
    old_ = parent / ("." + name + ".vidseg-old");
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot create parent directory: " + ec.message(), parent.string());
    if (fs::exists(destination_) && !fs::is_directory(destination_))
        throw Error(ErrorCode::OutputError, "exists and is not a directory", destination_.string());
    // A crash between the two renames of commit(): the previous dataset is still in old_.
    if (!fs::exists(destination_) && fs::is_directory(old_)) fs::rename(old_, destination_, ec);
    fs::remove_all(old_, ec);
    fs::create_directories(dir_, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot create the work directory: " + ec.message(), dir_.string());

    lock_fd_ = ::open((dir_ / kLockName).c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        if (lock_fd_ >= 0) ::close(lock_fd_);
        lock_fd_ = -1;
        throw Error(ErrorCode::OutputError, "another 'vidseg dataset build' is writing this dataset", dir_.string());
    }

    // Journal of an interrupted run: one {"item","artifact","key","files"} per line.
    {
        std::ifstream journal(dir_ / kJournalName, std::ios::binary);
        std::ostringstream text;
        text << journal.rdbuf();
        journal_ = parse_journal(text.str());
    }
    if (reuse_enabled) {
        previous_ = read_manifest(destination_ / kManifestName);
    } else {
        journal_.clear();
        append_journal({{"reset", true}});  // a torn journal line is skipped; this one clears earlier entries
    }
}

void ResumableStage::append_journal(const nlohmann::json& line) {
    std::ofstream out(dir_ / kJournalName, std::ios::binary | std::ios::app);
    out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out.flush();
    if (!out) throw Error(ErrorCode::OutputError, "cannot write the build journal (disk full?)", dir_.string());
}

ResumableStage::~ResumableStage() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock; the partial dir stays for the next run
}

std::optional<std::vector<std::string>> ResumableStage::reuse(const std::string& item, const std::string& artifact,
                                                              const std::string& key,
                                                              const std::vector<std::string>& files) {
    const std::lock_guard lock(mutex_);
    ++item_artifacts_total_[item];
    auto hit = [&](const std::vector<std::string>& got) {
        current_[item][artifact] = {key, got};
        ++reused_;
        ++item_artifacts_reused_[item];
        return std::optional<std::vector<std::string>>(got);
    };
    if (const auto it = journal_.find(item); it != journal_.end())
        if (const auto a = it->second.find(artifact); a != it->second.end())
            if (a->second.key == key && all_exist(dir_, a->second.files) &&
                (files.empty() || a->second.files.size() == files.size())) {
                if (files.empty() || a->second.files == files) return hit(a->second.files);
                for (size_t i = 0; i < files.size(); ++i)  // same bytes under a new name (split changed)
                    fs::rename(dir_ / a->second.files[i], dir_ / files[i]);
                return hit(files);
            }
    if (const auto it = previous_.find(item); it != previous_.end())
        if (const auto a = it->second.find(artifact); a != it->second.end())
            if (a->second.key == key && all_exist(destination_, a->second.files) &&
                (files.empty() || a->second.files.size() == files.size())) {
                const auto& to = files.empty() ? a->second.files : files;
                for (size_t i = 0; i < to.size(); ++i) link_or_copy(destination_ / a->second.files[i], dir_ / to[i]);
                return hit(to);
            }
    // About to be (re)made: its files in the partial dir will be overwritten, so an older journal
    // entry must not vouch for them any more (an empty key matches nothing).
    if (const auto it = journal_.find(item); it != journal_.end() && it->second.erase(artifact))
        append_journal({{"item", item}, {"artifact", artifact}, {"key", ""}, {"files", nlohmann::json::array()}});
    return std::nullopt;
}

void ResumableStage::record(const std::string& item, const std::string& artifact, const std::string& key,
                            const std::vector<std::string>& files) {
    const std::lock_guard lock(mutex_);
    current_[item][artifact] = {key, files, {}};
    ++built_;
    append_journal({{"item", item}, {"artifact", artifact}, {"key", key}, {"files", files}});
}

std::optional<std::string> ResumableStage::reuse_value(const std::string& item, const std::string& artifact,
                                                       const std::string& key) {
    const std::lock_guard lock(mutex_);
    ++item_artifacts_total_[item];
    for (const ManifestItems* source : {&journal_, &previous_}) {
        const auto it = source->find(item);
        if (it == source->end()) continue;
        const auto a = it->second.find(artifact);
        if (a == it->second.end() || a->second.key != key || a->second.value.empty()) continue;
        current_[item][artifact] = a->second;
        ++reused_values_;
        ++item_artifacts_reused_[item];
        return a->second.value;
    }
    return std::nullopt;
}

void ResumableStage::record_value(const std::string& item, const std::string& artifact, const std::string& key,
                                  const std::string& value_json) {
    const std::lock_guard lock(mutex_);
    current_[item][artifact] = {key, {}, value_json};
    append_journal({{"item", item},
                    {"artifact", artifact},
                    {"key", key},
                    {"files", nlohmann::json::array()},
                    {"value", nlohmann::json::parse(value_json)}});
}

void ResumableStage::drop(const std::string& item) {
    const auto it = current_.find(item);
    if (it == current_.end()) return;
    std::error_code ec;
    for (const auto& [art, e] : it->second)
        for (const auto& f : e.files) fs::remove(dir_ / f, ec);
    current_.erase(it);
}

std::vector<std::string> ResumableStage::previous_files(const std::string& item) const {
    std::vector<std::string> files;
    if (const auto it = previous_.find(item); it != previous_.end())
        for (const auto& [art, e] : it->second) files.insert(files.end(), e.files.begin(), e.files.end());
    return files;
}

size_t ResumableStage::reused_items() const {
    size_t n = 0;
    for (const auto& [item, total] : item_artifacts_total_) {
        const auto it = item_artifacts_reused_.find(item);
        if (current_.count(item) && it != item_artifacts_reused_.end() && it->second == total) ++n;
    }
    return n;
}

void ResumableStage::commit(const std::vector<std::string>& keep_extra) {
    std::set<fs::path> keep;
    for (const auto& [item, arts] : current_)
        for (const auto& [art, e] : arts)
            for (const auto& f : e.files) keep.insert((dir_ / f).lexically_normal());
    std::error_code ec;
    // Media files of items that changed name, split or disappeared since the interrupted run.
    std::vector<fs::path> stale;
    for (fs::recursive_directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const fs::path rel = it->path().lexically_relative(dir_);
        const std::string top = rel.begin()->string();
        bool media_dir = false;
        for (const auto& part : rel)
            if (part == "videos" || part == "images" || part == "audio" || part == "transcripts") media_dir = true;
        bool extra = false;
        for (const auto& k : keep_extra)
            if (top == k) extra = true;
        if (media_dir && !extra && !keep.count(it->path().lexically_normal())) stale.push_back(it->path());
    }
    for (const auto& p : stale) fs::remove(p, ec);

    write_file_atomic(dir_ / kManifestName, render_manifest(current_));
    fs::remove(dir_ / kJournalName, ec);
    fs::remove(dir_ / kLockName, ec);

    if (fs::exists(destination_)) {
        fs::rename(destination_, old_, ec);
        if (ec)
            throw Error(ErrorCode::OutputError, "cannot replace previous output: " + ec.message(), destination_.string());
    }
    fs::rename(dir_, destination_, ec);
    if (ec) {
        std::error_code ignored;
        fs::rename(old_, destination_, ignored);
        throw Error(ErrorCode::OutputError, "cannot move output into place: " + ec.message(), destination_.string());
    }
    fs::remove_all(old_, ec);
}

}  // namespace vidseg::dataset
