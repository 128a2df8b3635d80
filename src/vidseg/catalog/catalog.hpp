// The platform's catalog: accounts, API tokens, browser sessions, uploads in progress, videos, jobs
// with their log and result files, and the audit log. One interface, so that the embedded SQLite
// catalog (sqlite_catalog.hpp) and a shared PostgreSQL one (issue 11, `--db postgresql://`) serve the
// same server and workers. Times are UNIX seconds. Secrets are never stored: tokens and session ids
// only as SHA-256 hex, passwords only as argon2id strings.
//
// Jobs are claimed with claim_job(): one atomic step that moves the oldest queued job to running,
// names the worker and gives it a lease (SQLite: one UPDATE, writers are serialised; PostgreSQL:
// SELECT ... FOR UPDATE SKIP LOCKED, so workers on many machines never wait for each other). The
// worker renews the lease while the job runs (renew_job_lease); a job whose lease ran out (its
// worker died or lost the database) goes back to the queue with requeue_expired_jobs, keeping its
// attempt count, and only the worker holding a job may end or release it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vidseg::catalog {

enum class Role { Admin, DlUser };
const char* role_name(Role role) noexcept;  // "admin", "dl-user"
std::optional<Role> role_from_name(const std::string& name);

struct User {
    std::int64_t id = 0;
    std::string name;
    Role role = Role::DlUser;
    std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
    std::int64_t created = 0;
    std::string language;  // the interface language the user chose: "ru", "en"; "" = not chosen yet
};

struct ApiToken {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string label;
    std::string token_hash;  // SHA-256 hex of the secret
    std::int64_t created = 0;
    std::int64_t last_used = 0;
    bool revoked = false;
};

struct Session {
    std::string id_hash;  // SHA-256 hex of the cookie value
    std::int64_t user_id = 0;
    std::string csrf_token;
    std::int64_t expires = 0;
};

// A tus upload before its last byte arrived; the bytes wait in the server's staging folder.
struct Upload {
    std::string id;  // random hex, the last part of its URL
    std::int64_t user_id = 0;
    std::uint64_t length = 0;
    std::uint64_t offset = 0;
    std::string filename;       // as the client sent it (Upload-Metadata); never used as a path
    std::string metadata_json;  // every Upload-Metadata pair
    std::int64_t created = 0;
};

struct Video {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;  // the client's file name (display only)
    std::string key;   // object key in the store: <user>/task_YYYYMMDD/<safe name>
    std::uint64_t size = 0;
    std::string sha256;     // hex of the whole file
    std::string state;      // "storing" (being copied to the store), "arriving" (arrival
                            // job pending), "ready", "error"
    std::string info_json;  // probe summary, audio/poster keys once the arrival job ran
    std::int64_t created = 0;
};

// state: queued, running, finished, error, cancelled. stage: what the job is doing (the states plus
// prepare, frames, segments, transcribe, assemble while running).
struct Job {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string kind;  // "arrival", "prepare", ...
    std::vector<std::int64_t> video_ids;
    std::string options_json = "{}";  // exactly the options of the matching CLI command
    // What the job reads besides its videos, as data (dataset build: {"annotations": <Label Studio
    // export>, "label_config": "<View>...", "review": [{"item": "3", "decision": "excluded"}]}).
    std::string inputs_json = "{}";
    std::string state = "queued";
    std::string stage = "queued";
    double progress = 0;  // 0..100
    std::string error;
    int attempts = 0;
    std::string worker;
    std::int64_t lease_expires = 0;  // while running: the worker must renew the lease before this
    bool cancel_requested = false;
    std::int64_t created = 0, started = 0, finished = 0;
};

struct JobFile {
    std::string name;  // relative to the job's output ("part_films/segment_0.mp4")
    std::string key;   // object key in the store
    std::uint64_t size = 0;
};

// An episode's intro corrected by hand on the web intros page (issue 12): the boundaries that replace
// the intro detect job's for that video. One per (job, video): a new one replaces it.
struct IntroCorrection {
    std::int64_t job_id = 0;
    std::int64_t video_id = 0;
    double start = 0, end = 0;  // seconds
    std::int64_t user_id = 0;   // who corrected it
    std::int64_t updated = 0;
};

struct JobLogLine {
    std::int64_t time = 0;
    std::string line;
};

struct AuditEntry {
    std::int64_t id = 0;
    std::int64_t time = 0;
    std::int64_t user_id = 0;  // 0 = the system or an unknown user
    std::string user_name;
    std::string action;   // "login", "login-failed", "upload", "delete-video", "role-change", ...
    std::string subject;  // what it concerns ("video 12", "user anna")
    std::string detail;
    std::string ip;
};

// A Label Studio project made from a pattern list and some videos (issue 12): where it lives in
// Label Studio, what state the connection is in (for the UI) and when its annotations were last pulled.
struct LabelStudioProject {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;
    std::int64_t remote_id = 0;  // the project's id in Label Studio (0 while not created there)
    std::vector<std::int64_t> video_ids;
    std::string label_config;   // the labeling config XML given to Label Studio
    std::string patterns_json;  // [{"name", "description"}] of the pattern list
    std::string state = "creating";  // creating, ready, error
    std::string error;               // the last failure (empty when the last call worked)
    std::int64_t task_count = 0;
    std::int64_t webhook_id = 0;  // the project's webhook in Label Studio (0: none)
    std::int64_t last_pull = 0;   // UNIX seconds of the last successful pull (0: never)
    std::int64_t created = 0;
};

// One annotator's annotation of one task, as Label Studio last delivered it (export or webhook). Every
// annotator's version is kept; a later delivery of the same annotation id replaces it.
struct LabelStudioAnnotation {
    std::int64_t project_id = 0;
    std::int64_t remote_id = 0;       // the annotation's id in Label Studio
    std::int64_t task_id = 0;         // the task's id in Label Studio
    std::int64_t video_id = 0;        // the vidseg video of the task (0: unknown)
    std::int64_t annotator_id = 0;    // Label Studio user id (completed_by)
    std::string annotator;            // e-mail / name when known
    std::string annotation_json;      // the annotation object ({id, completed_by, result, ...})
    std::string task_data_json;       // the task's data object
    std::string source;               // "pull" or "webhook"
    bool missing = false;             // no longer in Label Studio's export (task or annotation deleted there)
    std::int64_t updated = 0;         // UNIX seconds it was stored
};

// What set_job_progress did.
enum class ProgressWrite { Recorded, CancelRequested, NotHeld };

// Worker leases for /metrics: the running jobs each worker holds, and how many times a job went back
// to the queue because its worker's lease expired (requeue_expired_jobs; summed over the jobs in the
// catalog, whichever process re-queued them).
struct LeaseStats {
    std::map<std::string, std::int64_t> leased_by_worker;
    std::int64_t expired_requeued = 0;
};

class Catalog {
  public:
    virtual ~Catalog() = default;

    // Users. add_user throws InvalidArgument when the name exists.
    virtual User add_user(const std::string& name, Role role, const std::string& password_hash) = 0;
    virtual std::optional<User> find_user(const std::string& name) = 0;
    virtual std::optional<User> user_by_id(std::int64_t id) = 0;
    virtual std::vector<User> users() = 0;
    virtual std::int64_t user_count() = 0;
    virtual void set_role(std::int64_t user_id, Role role) = 0;
    virtual void set_password_hash(std::int64_t user_id, const std::string& hash) = 0;
    // The user's interface language ("ru", "en"; checked by the caller), kept across sessions.
    virtual void set_user_language(std::int64_t user_id, const std::string& language) = 0;

    // API tokens.
    virtual ApiToken add_token(std::int64_t user_id, const std::string& label,
                               const std::string& token_hash) = 0;
    virtual std::optional<ApiToken> find_token(const std::string& token_hash) = 0;
    virtual std::vector<ApiToken> tokens(std::int64_t user_id) = 0;
    virtual bool revoke_token(std::int64_t user_id,
                              std::int64_t token_id) = 0;  // false: no such token of the user
    virtual void touch_token(std::int64_t token_id, std::int64_t now) = 0;
    // The token with this hash and its user: the check of every API request. One lookup where the
    // backend can join them (SQLite); otherwise find_token() then user_by_id(). nullopt when either
    // is missing (a revoked token is returned: the caller refuses it).
    virtual std::optional<std::pair<ApiToken, User>> find_token_with_user(const std::string& token_hash) {
        auto token = find_token(token_hash);
        if (!token) return std::nullopt;
        auto user = user_by_id(token->user_id);
        if (!user) return std::nullopt;
        return std::pair{std::move(*token), std::move(*user)};
    }

    // Browser sessions.
    virtual void add_session(const Session& session) = 0;
    virtual std::optional<Session> find_session(const std::string& id_hash) = 0;
    virtual void remove_session(const std::string& id_hash) = 0;
    // Every session of the user but `keep_id_hash` (a password change ends the other browsers'
    // sessions); how many were removed.
    virtual int remove_other_sessions(std::int64_t user_id, const std::string& keep_id_hash) = 0;

    // Uploads in progress.
    virtual void add_upload(const Upload& upload) = 0;
    virtual std::optional<Upload> find_upload(const std::string& id) = 0;
    virtual void set_upload_offset(const std::string& id, std::uint64_t offset) = 0;
    virtual void remove_upload(const std::string& id) = 0;

    // Videos. user_id 0 in videos() = everyone's.
    virtual Video add_video(const Video& video) = 0;
    virtual std::optional<Video> find_video(std::int64_t id) = 0;
    virtual std::optional<Video> find_video_by_key(const std::string& key) = 0;
    virtual std::vector<Video> videos(std::int64_t user_id) = 0;
    virtual void update_video(std::int64_t id, const std::string& state, const std::string& info_json) = 0;
    virtual void remove_video(std::int64_t id) = 0;

    // Jobs. user_id 0 in jobs() = everyone's.
    virtual Job add_job(const Job& job) = 0;
    virtual std::optional<Job> find_job(std::int64_t id) = 0;
    virtual std::vector<Job> jobs(std::int64_t user_id) = 0;
    virtual std::vector<Job> jobs_of_video(std::int64_t video_id) = 0;
    // The oldest queued job, now running on `worker` with a lease until `lease_expires`; attempts + 1.
    virtual std::optional<Job> claim_job(const std::string& worker, std::int64_t now,
                                         std::int64_t lease_expires) = 0;
    // Extends the lease of a job running on `worker`; false when the job is no longer that worker's
    // (its lease ran out and it was queued again, or it was deleted): the worker must stop it.
    virtual bool renew_job_lease(std::int64_t id, const std::string& worker, std::int64_t lease_expires) = 0;
    // Running jobs whose lease ended before `now` back to queued (attempts kept); their ids.
    virtual std::vector<std::int64_t> requeue_expired_jobs(std::int64_t now) = 0;
    // A job `worker` runs back to queued (the worker stops); false when it is not that worker's.
    virtual bool release_job(std::int64_t id, const std::string& worker) = 0;
    // Records the stage and percentage of a job running on `worker`. CancelRequested: a cancel was
    // requested for it (the worker's signal to stop, whichever process asked). NotHeld: nothing
    // written, the job is no longer that worker's (its lease ran out and it was queued again or
    // claimed by another worker, it ended, or it was deleted): the worker must stop it.
    virtual ProgressWrite set_job_progress(std::int64_t id, const std::string& worker,
                                           const std::string& stage, double progress) = 0;
    // Ends a job running on `worker`: state finished / error / cancelled (stage follows the state).
    // False (nothing changed) when the job is no longer that worker's.
    virtual bool end_job(std::int64_t id, const std::string& worker, const std::string& state,
                         const std::string& error, std::int64_t now) = 0;
    // Queued: cancelled at once (true). Running: flags it for its worker (false). Ended: nothing.
    virtual bool request_job_cancel(std::int64_t id, std::int64_t now) = 0;
    // An ended job (error, cancelled, finished) back to queued; false when it is queued or running.
    virtual bool requeue_job(std::int64_t id) = 0;
    // After a restart: every running job of `worker` ("" = every worker) back to queued; how many.
    virtual int requeue_running_jobs(const std::string& worker) = 0;
    virtual void remove_job(std::int64_t id) = 0;
    virtual std::map<std::string, std::int64_t> job_counts_by_state() = 0;
    virtual LeaseStats lease_stats() = 0;

    virtual void add_job_log(std::int64_t job_id, std::int64_t time, const std::string& line) = 0;
    virtual std::vector<JobLogLine> job_log(std::int64_t job_id) = 0;
    virtual void add_job_file(std::int64_t job_id, const JobFile& file) = 0;
    virtual std::vector<JobFile> job_files(std::int64_t job_id) = 0;
    virtual void clear_job_files(std::int64_t job_id) = 0;

    // Intro corrections of an intro detect job (removed with the job).
    virtual void set_intro_correction(const IntroCorrection& correction) = 0;
    virtual std::vector<IntroCorrection> intro_corrections(std::int64_t job_id) = 0;

    // Audit log, newest first.
    virtual void add_audit(const AuditEntry& entry) = 0;
    virtual std::vector<AuditEntry> audit(int limit) = 0;
    // Label Studio projects (user_id 0 in label_studio_projects() = everyone's) and their annotations.
    virtual LabelStudioProject add_label_studio_project(const LabelStudioProject& project) = 0;
    virtual std::optional<LabelStudioProject> find_label_studio_project(std::int64_t id) = 0;
    virtual std::optional<LabelStudioProject> find_label_studio_project_by_remote(std::int64_t remote_id) = 0;
    virtual std::vector<LabelStudioProject> label_studio_projects(std::int64_t user_id) = 0;
    // Stores remote_id, state, error, task_count, webhook_id and last_pull of `project`.
    virtual void update_label_studio_project(const LabelStudioProject& project) = 0;
    // Inserts or replaces the annotation (project_id, remote_id).
    virtual void put_label_studio_annotation(const LabelStudioAnnotation& annotation) = 0;
    virtual std::vector<LabelStudioAnnotation> label_studio_annotations(std::int64_t project_id) = 0;
    // Deletes the project and every annotation pulled for it, in one transaction (the audit log keeps
    // the removal); false when there was no such project.
    virtual bool remove_label_studio_project(std::int64_t id) = 0;
};

// The embedded catalog in a SQLite file (created with its schema when missing; WAL mode).
std::unique_ptr<Catalog> open_sqlite_catalog(const std::string& path);

// The shared catalog in a PostgreSQL database (libpq URL: postgresql://USER@HOST:PORT/DB?...; the
// password from the URL, PGPASSWORD or ~/.pgpass). Migrates the schema when it is older.
std::unique_ptr<Catalog> open_postgres_catalog(const std::string& url);

bool is_postgres_url(const std::string& location);  // postgresql:// or postgres://

// `db` empty: the SQLite catalog at `sqlite_path`; a PostgreSQL URL: that database. Anything else is
// refused (InvalidArgument).
std::unique_ptr<Catalog> open_catalog(const std::string& db, const std::string& sqlite_path);

}  // namespace vidseg::catalog
