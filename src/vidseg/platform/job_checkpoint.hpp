// A job's resumable engine outputs kept in the store while it runs, so that an attempt on ANOTHER
// machine continues from them (issue 11: a dead worker's job is queued again after its lease and
// resumes). The work folder of an attempt is local to its machine; what the engine resumes from is a
// dataset build's partial folder (dataset/build_manifest.hpp: the finished artifacts — clips,
// keyframes, WAVs, transcripts, keyframe choices — and the journal vouching for them). `prepare` has
// nothing to resume from (its output appears whole or not at all), transcribe is one request, and an
// intro job's fingerprints are in the worker's cache; so only dataset build jobs checkpoint.
//
// Saving: a thread looks at the journal once a second; when it grew, the files of the artifacts it
// vouches for that are not in the store yet go to `.checkpoints/job-<id>/<path in the folder>`, then
// the journal text read BEFORE them (so the stored journal never vouches for a file not stored).
// Restoring: when the stored journal vouches for more artifacts than the local folder's (another
// machine, or an older attempt here), the local folder is replaced by the stored one before the
// engine opens it. The checkpoint is removed when the job ends (and on retry or deletion).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "vidseg/platform/job_kinds.hpp"

namespace vidseg::platform {

// ".checkpoints/job-<id>/"
std::string checkpoint_prefix(std::int64_t job_id);
// Removes every object of the job's checkpoint (missing: nothing to do).
void remove_checkpoint(storage::ObjectStore& store, std::int64_t job_id);

class JobCheckpoint {
public:
    // Restores `folder` (the engine's partial folder under c.work_dir) from the store when the stored
    // checkpoint is ahead of it, then saves it from a thread until stop() or the job's cancellation.
    JobCheckpoint(JobContext& c, std::filesystem::path folder);
    ~JobCheckpoint();
    JobCheckpoint(const JobCheckpoint&) = delete;
    JobCheckpoint& operator=(const JobCheckpoint&) = delete;

    // Artifacts (and fragments) restored from the store; 0 when the local folder was used.
    std::size_t restored_artifacts() const { return restored_artifacts_; }
    std::size_t restored_fragments() const { return restored_fragments_; }
    // Stops the saving thread (the job's outputs are complete; the runner removes the checkpoint).
    void stop();

private:
    void restore();
    void save();
    void run();

    JobContext& c_;
    std::filesystem::path folder_;
    std::string prefix_;
    const std::atomic<bool>* cancel_ = nullptr;  // the job's token (cancel, lease lost, stopping)
    std::size_t restored_artifacts_ = 0, restored_fragments_ = 0;
    // What the store holds: path in the folder -> (size, modification time; 0 = known by size only).
    std::map<std::string, std::pair<std::uintmax_t, std::int64_t>> saved_;
    std::uintmax_t saved_journal_size_ = 0;
    bool warned_ = false;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace vidseg::platform
