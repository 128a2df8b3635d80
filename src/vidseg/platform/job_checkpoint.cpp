#include "vidseg/platform/job_checkpoint.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/dataset/build_manifest.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t artifact_count(const dataset::ManifestItems& items) {
    std::size_t n = 0;
    for (const auto& [item, artifacts] : items) n += artifacts.size();
    return n;
}

std::int64_t modified(const fs::path& file, std::error_code& ec) {
    return static_cast<std::int64_t>(fs::last_write_time(file, ec).time_since_epoch().count());
}

}  // namespace

std::string checkpoint_prefix(std::int64_t job_id) {
    return ".checkpoints/job-" + std::to_string(job_id) + "/";
}

void remove_checkpoint(storage::ObjectStore& store, std::int64_t job_id) {
    for (const auto& object : store.list(checkpoint_prefix(job_id))) store.remove(object.key);
}

JobCheckpoint::JobCheckpoint(JobContext& c, fs::path folder)
    : c_(c), folder_(std::move(folder)), prefix_(checkpoint_prefix(c.job.id)), cancel_(current_cancel_token()) {
    restore();
    thread_ = std::thread([this] { run(); });
}

JobCheckpoint::~JobCheckpoint() {
    stop();
}

void JobCheckpoint::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void JobCheckpoint::restore() {
    std::map<std::string, std::uintmax_t> stored;
    for (const auto& object : c_.store.list(prefix_)) stored[object.key.substr(prefix_.size())] = object.size;
    if (!stored.count(dataset::kJournalName)) return;
    std::string text;
    c_.store.read(prefix_ + dataset::kJournalName, [&](const char* data, std::size_t n) { text.append(data, n); });
    const auto remote = dataset::parse_journal(text);
    const auto local = dataset::parse_journal(read_text(folder_ / dataset::kJournalName));
    if (artifact_count(remote) <= artifact_count(local)) {
        // This machine's folder is as far (the same worker again): keep it; the store already holds
        // the files it lists at these sizes.
        for (const auto& [path, size] : stored) saved_[path] = {size, 0};
        return;
    }
    std::size_t files = 0;
    for (const auto& [item, artifacts] : remote)
        for (const auto& [name, entry] : artifacts) files += entry.files.size();
    c_.progress.begin("fetch checkpoint", static_cast<double>(files));
    std::error_code ec;
    fs::remove_all(folder_, ec);
    fs::create_directories(folder_);
    std::size_t done = 0;
    for (const auto& [item, artifacts] : remote)
        for (const auto& [name, entry] : artifacts)
            for (const auto& file : entry.files) {
                throw_if_cancelled();
                // A file the journal lists but the store lacks is made again by the engine (it checks).
                if (stored.count(file)) {
                    const fs::path local_file = folder_ / file;  // safe relative paths (parse_journal)
                    fs::create_directories(local_file.parent_path());
                    c_.store.get_file(prefix_ + file, local_file);
                    saved_[file] = {fs::file_size(local_file), modified(local_file, ec)};
                }
                c_.progress.update(static_cast<double>(++done));
            }
    write_file_atomic(folder_ / dataset::kJournalName, text);
    saved_journal_size_ = text.size();
    c_.progress.end();
    restored_artifacts_ = artifact_count(remote);
    restored_fragments_ = remote.size();
    c_.log("restored " + std::to_string(restored_artifacts_) + " finished artifact(s) of " +
           std::to_string(restored_fragments_) + " fragment(s) (" + std::to_string(done) +
           " file(s)) from the checkpoint in the store, saved by an earlier attempt");
}

void JobCheckpoint::save() {
    const fs::path journal = folder_ / dataset::kJournalName;
    std::error_code ec;
    const auto size = fs::file_size(journal, ec);
    if (ec || size == saved_journal_size_) return;
    std::string text = read_text(journal);
    text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);  // whole lines only
    if (text.empty() || text.size() == saved_journal_size_) return;
    for (const auto& [item, artifacts] : dataset::parse_journal(text))
        for (const auto& [name, entry] : artifacts)
            for (const auto& file : entry.files) {
                // Stat before reading: a file changed while it was sent differs next time and goes again.
                const fs::path local_file = folder_ / file;
                const auto file_size = fs::file_size(local_file, ec);
                if (ec) continue;
                const auto file_time = modified(local_file, ec);
                const auto it = saved_.find(file);
                if (it != saved_.end() && it->second.first == file_size &&
                    (it->second.second == 0 || it->second.second == file_time))
                    continue;
                c_.store.put_file(prefix_ + file, local_file, {{"job", std::to_string(c_.job.id)}});
                saved_[file] = {file_size, file_time};
            }
    // Last: the journal read before the files, so it vouches only for files already stored.
    auto writer = c_.store.create(prefix_ + dataset::kJournalName);
    writer->write(text.data(), text.size());
    writer->commit();
    saved_journal_size_ = text.size();
}

void JobCheckpoint::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::seconds(1));
        // Cancelled, the lease lost, or the process stopping: the next attempt decides what to keep.
        if (stopping_ || (cancel_ && cancel_->load()) || cancel_requested()) return;
        lock.unlock();
        try {
            save();
        } catch (const std::exception& e) {
            std::error_code ec;
            // The engine moves its folder into place at the end: a save at that moment finds files gone.
            if (!warned_ && fs::exists(folder_, ec)) {
                warned_ = true;
                c_.log(std::string("warning: checkpoint not saved to the store (a resume elsewhere starts "
                                   "earlier): ") +
                       e.what());
            }
        }
        lock.lock();
    }
}

}  // namespace vidseg::platform
