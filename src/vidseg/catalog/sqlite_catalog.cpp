// The embedded catalog: one SQLite connection guarded by a mutex (the server's request threads and
// job workers share it; every call is short). The schema is versioned with PRAGMA user_version:
// each entry of kMigrations brings the database from version i to i + 1.
#include <mutex>

#include <nlohmann/json.hpp>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/catalog/webhook_deliveries.hpp"
#include "vidseg/catalog/sqlite_db.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::catalog {

const char* role_name(Role role) noexcept {
    return role == Role::Admin ? "admin" : "dl-user";
}

std::optional<Role> role_from_name(const std::string& name) {
    if (name == "admin") return Role::Admin;
    if (name == "dl-user") return Role::DlUser;
    return std::nullopt;
}

namespace {

const char* const kMigrations[] = {
    R"sql(
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                    password_hash TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                         label TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL,
                         last_used INTEGER NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                       csrf_token TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE uploads (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), length INTEGER NOT NULL,
                      upload_offset INTEGER NOT NULL, filename TEXT NOT NULL, metadata TEXT NOT NULL,
                      created INTEGER NOT NULL);
CREATE TABLE videos (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
                     object_key TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
                     state TEXT NOT NULL, info TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), kind TEXT NOT NULL,
                   video_ids TEXT NOT NULL, options TEXT NOT NULL, state TEXT NOT NULL, stage TEXT NOT NULL,
                   progress REAL NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',
                   attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '',
                   cancel_requested INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,
                   started INTEGER NOT NULL DEFAULT 0, finished INTEGER NOT NULL DEFAULT 0);
CREATE INDEX jobs_by_state ON jobs(state, id);
CREATE TABLE job_videos (job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, video_id INTEGER NOT NULL);
CREATE INDEX job_videos_by_video ON job_videos(video_id);
CREATE TABLE job_log (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                      time INTEGER NOT NULL, line TEXT NOT NULL);
CREATE TABLE job_files (job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, name TEXT NOT NULL,
                        object_key TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (job_id, name));
CREATE TABLE audit_log (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, user_id INTEGER NOT NULL,
                        user_name TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
                        detail TEXT NOT NULL, ip TEXT NOT NULL);
)sql",
    // 2: job leases (a worker renews its job's lease; an expired one is queued again).
    "ALTER TABLE jobs ADD COLUMN lease_expires INTEGER NOT NULL DEFAULT 0;",
    // 3: what a job reads besides its videos (dataset build: the Label Studio export, review decisions).
    "ALTER TABLE jobs ADD COLUMN inputs TEXT NOT NULL DEFAULT '{}';",
    // 4: Label Studio projects and every annotator's pulled annotations (issue 12).
    R"sql(
CREATE TABLE label_studio_projects (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                                    name TEXT NOT NULL, remote_id INTEGER NOT NULL DEFAULT 0,
                                    video_ids TEXT NOT NULL, label_config TEXT NOT NULL, patterns TEXT NOT NULL,
                                    state TEXT NOT NULL, error TEXT NOT NULL DEFAULT '',
                                    task_count INTEGER NOT NULL DEFAULT 0, webhook_id INTEGER NOT NULL DEFAULT 0,
                                    last_pull INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);
CREATE INDEX label_studio_projects_by_remote ON label_studio_projects(remote_id);
CREATE TABLE label_studio_annotations (project_id INTEGER NOT NULL REFERENCES label_studio_projects(id)
                                           ON DELETE CASCADE,
                                       remote_id INTEGER NOT NULL, task_id INTEGER NOT NULL,
                                       video_id INTEGER NOT NULL, annotator_id INTEGER NOT NULL,
                                       annotator TEXT NOT NULL, annotation TEXT NOT NULL, task_data TEXT NOT NULL,
                                       source TEXT NOT NULL, missing INTEGER NOT NULL DEFAULT 0,
                                       updated INTEGER NOT NULL, PRIMARY KEY (project_id, remote_id));
)sql",
    // 5: intros corrected by hand on the web intros page.
    R"sql(
CREATE TABLE intro_corrections (job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                                video_id INTEGER NOT NULL, start_seconds REAL NOT NULL, end_seconds REAL NOT NULL,
                                user_id INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (job_id, video_id));
)sql",
    // 6: the interface language each user chose ('' = not chosen: the web UI follows the browser).
    "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';",
    // 7: how many times each job was queued again because its worker's lease expired (/metrics).
    "ALTER TABLE jobs ADD COLUMN lease_expiries INTEGER NOT NULL DEFAULT 0;",
    // 8: the history of each Label Studio project's webhook deliveries (the newest 50 are kept).
    R"sql(
CREATE TABLE label_studio_webhook_deliveries (id INTEGER PRIMARY KEY,
                                              project_id INTEGER NOT NULL REFERENCES label_studio_projects(id)
                                                  ON DELETE CASCADE,
                                              received INTEGER NOT NULL, action TEXT NOT NULL,
                                              task_id INTEGER NOT NULL, annotation_id INTEGER NOT NULL,
                                              outcome TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX label_studio_webhook_deliveries_by_project ON label_studio_webhook_deliveries(project_id, id);
)sql",
};

constexpr const char* kLabelStudioProjectColumns =
    "id, user_id, name, remote_id, video_ids, label_config, patterns, state, error, task_count, webhook_id, "
    "last_pull, created";
constexpr const char* kLabelStudioAnnotationColumns =
    "project_id, remote_id, task_id, video_id, annotator_id, annotator, annotation, task_data, source, missing, "
    "updated";
constexpr const char* kUserColumns = "id, name, role, password_hash, created, language";
constexpr const char* kVideoColumns = "id, user_id, name, object_key, size, sha256, state, info, created";
constexpr const char* kJobColumns =
    "id, user_id, kind, video_ids, options, state, stage, progress, error, attempts, worker, "
    "cancel_requested, created, started, finished, lease_expires, inputs";

User read_user(const Statement& s) {
    return {s.integer(0), s.text(1),    role_from_name(s.text(2)).value_or(Role::DlUser),
            s.text(3),    s.integer(4), s.text(5)};
}

Video read_video(const Statement& s) {
    return {s.integer(0), s.integer(1), s.text(2), s.text(3),   static_cast<std::uint64_t>(s.integer(4)),
            s.text(5),    s.text(6),    s.text(7), s.integer(8)};
}

Job read_job(const Statement& s) {
    Job j;
    j.id = s.integer(0);
    j.user_id = s.integer(1);
    j.kind = s.text(2);
    j.video_ids = nlohmann::json::parse(s.text(3)).get<std::vector<std::int64_t>>();
    j.options_json = s.text(4);
    j.state = s.text(5);
    j.stage = s.text(6);
    j.progress = s.real(7);
    j.error = s.text(8);
    j.attempts = static_cast<int>(s.integer(9));
    j.worker = s.text(10);
    j.cancel_requested = s.integer(11) != 0;
    j.created = s.integer(12);
    j.started = s.integer(13);
    j.finished = s.integer(14);
    j.lease_expires = s.integer(15);
    j.inputs_json = s.text(16);
    return j;
}

LabelStudioProject read_label_studio_project(const Statement& s) {
    LabelStudioProject p;
    p.id = s.integer(0);
    p.user_id = s.integer(1);
    p.name = s.text(2);
    p.remote_id = s.integer(3);
    p.video_ids = nlohmann::json::parse(s.text(4)).get<std::vector<std::int64_t>>();
    p.label_config = s.text(5);
    p.patterns_json = s.text(6);
    p.state = s.text(7);
    p.error = s.text(8);
    p.task_count = s.integer(9);
    p.webhook_id = s.integer(10);
    p.last_pull = s.integer(11);
    p.created = s.integer(12);
    return p;
}

LabelStudioAnnotation read_label_studio_annotation(const Statement& s) {
    return {s.integer(0), s.integer(1), s.integer(2), s.integer(3),      s.integer(4), s.text(5),
            s.text(6),    s.text(7),    s.text(8),    s.integer(9) != 0, s.integer(10)};
}

ApiToken read_token(const Statement& s) {
    return {s.integer(0), s.integer(1), s.text(2), s.text(3), s.integer(4), s.integer(5), s.integer(6) != 0};
}

class SqliteCatalog final : public Catalog, public WebhookDeliveryLog {
  public:
    explicit SqliteCatalog(const std::string& path) : db_(path) { migrate(); }

    User add_user(const std::string& name, Role role, const std::string& password_hash) override {
        std::lock_guard lock(mutex_);
        if (lookup_user(name)) throw Error(ErrorCode::InvalidArgument, "a user with this name exists", name);
        Statement s(db_,
                    "INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, unixepoch())");
        s.bind_all(name, std::string(role_name(role)), password_hash).run();
        return *lookup_user(name);
    }
    std::optional<User> find_user(const std::string& name) override {
        std::lock_guard lock(mutex_);
        return lookup_user(name);
    }
    std::optional<User> user_by_id(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        return read_user(s);
    }
    std::vector<User> users() override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id");
        std::vector<User> out;
        while (s.step()) out.push_back(read_user(s));
        return out;
    }
    std::int64_t user_count() override {
        std::lock_guard lock(mutex_);
        Statement s(db_, "SELECT count(*) FROM users");
        s.step();
        return s.integer(0);
    }
    void set_role(std::int64_t user_id, Role role) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE users SET role = ? WHERE id = ?")
            .bind_all(std::string(role_name(role)), user_id)
            .run();
    }
    void set_password_hash(std::int64_t user_id, const std::string& hash) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE users SET password_hash = ? WHERE id = ?").bind_all(hash, user_id).run();
    }
    void set_user_language(std::int64_t user_id, const std::string& language) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE users SET language = ? WHERE id = ?").bind_all(language, user_id).run();
    }

    ApiToken add_token(std::int64_t user_id, const std::string& label,
                       const std::string& token_hash) override {
        std::lock_guard lock(mutex_);
        Statement(
            db_, "INSERT INTO api_tokens (user_id, label, token_hash, created) VALUES (?, ?, ?, unixepoch())")
            .bind_all(user_id, label, token_hash)
            .run();
        return *lookup_token(token_hash);
    }
    std::optional<ApiToken> find_token(const std::string& token_hash) override {
        std::lock_guard lock(mutex_);
        return lookup_token(token_hash);
    }
    std::vector<ApiToken> tokens(std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_,
                    "SELECT id, user_id, label, token_hash, created, last_used, revoked FROM api_tokens "
                    "WHERE user_id = ? ORDER BY id");
        s.bind(1, user_id);
        std::vector<ApiToken> out;
        while (s.step()) out.push_back(read_token(s));
        return out;
    }
    bool revoke_token(std::int64_t user_id, std::int64_t token_id) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND user_id = ?")
            .bind_all(token_id, user_id)
            .run();
        return db_.changes() > 0;
    }
    std::optional<std::pair<ApiToken, User>> find_token_with_user(const std::string& token_hash) override {
        std::lock_guard lock(mutex_);
        Statement s(db_,
                    "SELECT t.id, t.user_id, t.label, t.token_hash, t.created, t.last_used, t.revoked, u.id, "
                    "u.name, u.role, u.password_hash, u.created, u.language FROM api_tokens t JOIN users u ON u.id = t.user_id "
                    "WHERE t.token_hash = ?");
        s.bind(1, token_hash);
        if (!s.step()) return std::nullopt;
        User user{s.integer(7), s.text(8), role_from_name(s.text(9)).value_or(Role::DlUser), s.text(10),
                  s.integer(11), s.text(12)};
        return std::pair{read_token(s), std::move(user)};
    }
    void touch_token(std::int64_t token_id, std::int64_t now) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE api_tokens SET last_used = ? WHERE id = ?").bind_all(now, token_id).run();
    }

    void add_session(const Session& session) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM sessions WHERE expires < unixepoch()").run();
        Statement(db_, "INSERT INTO sessions (id_hash, user_id, csrf_token, expires) VALUES (?, ?, ?, ?)")
            .bind_all(session.id_hash, session.user_id, session.csrf_token, session.expires)
            .run();
    }
    std::optional<Session> find_session(const std::string& id_hash) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, "SELECT id_hash, user_id, csrf_token, expires FROM sessions WHERE id_hash = ?");
        s.bind(1, id_hash);
        if (!s.step()) return std::nullopt;
        return Session{s.text(0), s.integer(1), s.text(2), s.integer(3)};
    }
    void remove_session(const std::string& id_hash) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM sessions WHERE id_hash = ?").bind(1, id_hash).run();
    }
    int remove_other_sessions(std::int64_t user_id, const std::string& keep_id_hash) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?")
            .bind_all(user_id, keep_id_hash)
            .run();
        return db_.changes();
    }

    void add_upload(const Upload& u) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "INSERT INTO uploads (id, user_id, length, upload_offset, filename, metadata, created) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind_all(u.id, u.user_id, static_cast<std::int64_t>(u.length),
                      static_cast<std::int64_t>(u.offset), u.filename, u.metadata_json, u.created)
            .run();
    }
    std::optional<Upload> find_upload(const std::string& id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_,
                    "SELECT id, user_id, length, upload_offset, filename, metadata, created FROM uploads "
                    "WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        return Upload{s.text(0),
                      s.integer(1),
                      static_cast<std::uint64_t>(s.integer(2)),
                      static_cast<std::uint64_t>(s.integer(3)),
                      s.text(4),
                      s.text(5),
                      s.integer(6)};
    }
    void set_upload_offset(const std::string& id, std::uint64_t offset) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE uploads SET upload_offset = ? WHERE id = ?")
            .bind_all(static_cast<std::int64_t>(offset), id)
            .run();
    }
    void remove_upload(const std::string& id) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM uploads WHERE id = ?").bind(1, id).run();
    }

    Video add_video(const Video& v) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "INSERT INTO videos (user_id, name, object_key, size, sha256, state, info, created) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind_all(v.user_id, v.name, v.key, static_cast<std::int64_t>(v.size), v.sha256, v.state,
                      v.info_json, v.created)
            .run();
        Video out = v;
        out.id = db_.last_insert_id();
        return out;
    }
    std::optional<Video> find_video(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kVideoColumns + " FROM videos WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        return read_video(s);
    }
    std::optional<Video> find_video_by_key(const std::string& key) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kVideoColumns + " FROM videos WHERE object_key = ?");
        s.bind(1, key);
        if (!s.step()) return std::nullopt;
        return read_video(s);
    }
    std::vector<Video> videos(std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kVideoColumns +
                             " FROM videos WHERE ? = 0 OR user_id = ? ORDER BY id");
        s.bind_all(user_id, user_id);
        std::vector<Video> out;
        while (s.step()) out.push_back(read_video(s));
        return out;
    }
    void update_video(std::int64_t id, const std::string& state, const std::string& info_json) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE videos SET state = ?, info = ? WHERE id = ?")
            .bind_all(state, info_json, id)
            .run();
    }
    void remove_video(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM videos WHERE id = ?").bind(1, id).run();
    }

    Job add_job(const Job& job) override {
        std::lock_guard lock(mutex_);
        Transaction t(db_);
        Statement(db_,
                  "INSERT INTO jobs (user_id, kind, video_ids, options, state, stage, created, inputs) "
                  "VALUES (?, ?, ?, ?, 'queued', 'queued', ?, ?)")
            .bind_all(job.user_id, job.kind, nlohmann::json(job.video_ids).dump(), job.options_json,
                      job.created, job.inputs_json)
            .run();
        const std::int64_t id = db_.last_insert_id();
        for (auto video : job.video_ids)
            Statement(db_, "INSERT INTO job_videos (job_id, video_id) VALUES (?, ?)")
                .bind_all(id, video)
                .run();
        t.commit();
        return *lookup_job(id);
    }
    std::optional<Job> find_job(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        return lookup_job(id);
    }
    std::vector<Job> jobs(std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        Statement s(
            db_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE ? = 0 OR user_id = ? ORDER BY id");
        s.bind_all(user_id, user_id);
        std::vector<Job> out;
        while (s.step()) out.push_back(read_job(s));
        return out;
    }
    std::vector<Job> jobs_of_video(std::int64_t video_id) override {
        std::lock_guard lock(mutex_);
        Statement s(
            db_, std::string("SELECT ") + kJobColumns +
                     " FROM jobs WHERE id IN (SELECT job_id FROM job_videos WHERE video_id = ?) ORDER BY id");
        s.bind(1, video_id);
        std::vector<Job> out;
        while (s.step()) out.push_back(read_job(s));
        return out;
    }
    std::optional<Job> claim_job(const std::string& worker, std::int64_t now,
                                 std::int64_t lease_expires) override {
        std::lock_guard lock(mutex_);
        // One statement, so two processes on the same file never claim the same job (SQLite
        // serialises writers).
        Statement s(
            db_,
            "UPDATE jobs SET state = 'running', stage = 'prepare', progress = 0, error = '', worker = ?, "
            "started = ?, lease_expires = ?, attempts = attempts + 1 WHERE id = (SELECT id FROM jobs "
            "WHERE state = 'queued' ORDER BY id LIMIT 1) RETURNING id");
        s.bind_all(worker, now, lease_expires);
        if (!s.step()) return std::nullopt;
        const std::int64_t id = s.integer(0);
        s.run();
        return lookup_job(id);
    }
    bool renew_job_lease(std::int64_t id, const std::string& worker, std::int64_t lease_expires) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "UPDATE jobs SET lease_expires = ? WHERE id = ? AND state = 'running' AND worker = ?")
            .bind_all(lease_expires, id, worker)
            .run();
        return db_.changes() > 0;
    }
    std::vector<std::int64_t> requeue_expired_jobs(std::int64_t now) override {
        std::lock_guard lock(mutex_);
        Statement s(db_,
                    "UPDATE jobs SET state = 'queued', stage = 'queued', progress = 0, worker = '', "
                    "lease_expires = 0, lease_expiries = lease_expiries + 1 "
                    "WHERE state = 'running' AND lease_expires < ? RETURNING id");
        s.bind(1, now);
        std::vector<std::int64_t> ids;
        while (s.step()) ids.push_back(s.integer(0));
        return ids;
    }
    bool release_job(std::int64_t id, const std::string& worker) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "UPDATE jobs SET state = 'queued', stage = 'queued', progress = 0, worker = '', "
                  "lease_expires = 0 WHERE id = ? AND state = 'running' AND worker = ?")
            .bind_all(id, worker)
            .run();
        return db_.changes() > 0;
    }
    ProgressWrite set_job_progress(std::int64_t id, const std::string& worker, const std::string& stage,
                                   double progress) override {
        std::lock_guard lock(mutex_);
        Statement s(
            db_,
            "UPDATE jobs SET stage = ?, progress = ? WHERE id = ? AND state = 'running' AND worker = ? "
            "RETURNING cancel_requested");
        s.bind_all(stage, progress, id, worker);
        if (!s.step()) return ProgressWrite::NotHeld;
        const bool cancel = s.integer(0) != 0;
        s.run();
        return cancel ? ProgressWrite::CancelRequested : ProgressWrite::Recorded;
    }
    bool end_job(std::int64_t id, const std::string& worker, const std::string& state,
                 const std::string& error, std::int64_t now) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "UPDATE jobs SET state = ?1, stage = ?1, error = ?2, finished = ?3, lease_expires = 0, "
                  "progress = CASE WHEN ?1 = 'finished' THEN 100 ELSE progress END "
                  "WHERE id = ?4 AND state = 'running' AND worker = ?5")
            .bind_all(state, error, now, id, worker)
            .run();
        return db_.changes() > 0;
    }
    bool request_job_cancel(std::int64_t id, std::int64_t now) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "UPDATE jobs SET state = 'cancelled', stage = 'cancelled', finished = ? "
                  "WHERE id = ? AND state = 'queued'")
            .bind_all(now, id)
            .run();
        if (db_.changes() > 0) return true;
        Statement(db_, "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'")
            .bind(1, id)
            .run();
        return false;
    }
    bool requeue_job(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "UPDATE jobs SET state = 'queued', stage = 'queued', progress = 0, error = '', "
                  "cancel_requested = 0, "
                  "worker = '', started = 0, finished = 0 WHERE id = ? AND state IN ('error', 'cancelled', "
                  "'finished')")
            .bind(1, id)
            .run();
        return db_.changes() > 0;
    }
    int requeue_running_jobs(const std::string& worker) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "UPDATE jobs SET state = 'queued', stage = 'queued', progress = 0, worker = '', "
                  "lease_expires = 0 WHERE state = 'running' AND (?1 = '' OR worker = ?1)")
            .bind(1, worker)
            .run();
        return db_.changes();
    }
    void remove_job(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM jobs WHERE id = ?").bind(1, id).run();
    }
    std::map<std::string, std::int64_t> job_counts_by_state() override {
        std::lock_guard lock(mutex_);
        std::map<std::string, std::int64_t> out;
        for (const char* state : {"queued", "running", "finished", "error", "cancelled"}) out[state] = 0;
        Statement s(db_, "SELECT state, count(*) FROM jobs GROUP BY state");
        while (s.step()) out[s.text(0)] = s.integer(1);
        return out;
    }
    LeaseStats lease_stats() override {
        std::lock_guard lock(mutex_);
        LeaseStats out;
        Statement by_worker(db_, "SELECT worker, count(*) FROM jobs WHERE state = 'running' GROUP BY worker");
        while (by_worker.step()) out.leased_by_worker[by_worker.text(0)] = by_worker.integer(1);
        Statement expired(db_, "SELECT coalesce(sum(lease_expiries), 0) FROM jobs");
        expired.step();
        out.expired_requeued = expired.integer(0);
        return out;
    }

    void add_job_log(std::int64_t job_id, std::int64_t time, const std::string& line) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "INSERT INTO job_log (job_id, time, line) VALUES (?, ?, ?)")
            .bind_all(job_id, time, line)
            .run();
    }
    std::vector<JobLogLine> job_log(std::int64_t job_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, "SELECT time, line FROM job_log WHERE job_id = ? ORDER BY id");
        s.bind(1, job_id);
        std::vector<JobLogLine> out;
        while (s.step()) out.push_back({s.integer(0), s.text(1)});
        return out;
    }
    void add_job_file(std::int64_t job_id, const JobFile& f) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "INSERT OR REPLACE INTO job_files (job_id, name, object_key, size) VALUES (?, ?, ?, ?)")
            .bind_all(job_id, f.name, f.key, static_cast<std::int64_t>(f.size))
            .run();
    }
    std::vector<JobFile> job_files(std::int64_t job_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, "SELECT name, object_key, size FROM job_files WHERE job_id = ? ORDER BY name");
        s.bind(1, job_id);
        std::vector<JobFile> out;
        while (s.step()) out.push_back({s.text(0), s.text(1), static_cast<std::uint64_t>(s.integer(2))});
        return out;
    }
    void clear_job_files(std::int64_t job_id) override {
        std::lock_guard lock(mutex_);
        Statement(db_, "DELETE FROM job_files WHERE job_id = ?").bind(1, job_id).run();
    }

    void set_intro_correction(const IntroCorrection& c) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "INSERT OR REPLACE INTO intro_corrections (job_id, video_id, start_seconds, end_seconds, "
                  "user_id, "
                  "updated) VALUES (?, ?, ?, ?, ?, ?)")
            .bind_all(c.job_id, c.video_id, c.start, c.end, c.user_id, c.updated)
            .run();
    }
    std::vector<IntroCorrection> intro_corrections(std::int64_t job_id) override {
        std::lock_guard lock(mutex_);
        Statement s(
            db_,
            "SELECT job_id, video_id, start_seconds, end_seconds, user_id, updated FROM intro_corrections "
            "WHERE job_id = ? ORDER BY video_id");
        s.bind(1, job_id);
        std::vector<IntroCorrection> out;
        while (s.step())
            out.push_back({s.integer(0), s.integer(1), s.real(2), s.real(3), s.integer(4), s.integer(5)});
        return out;
    }

    void add_audit(const AuditEntry& e) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "INSERT INTO audit_log (time, user_id, user_name, action, subject, detail, ip) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind_all(e.time, e.user_id, e.user_name, e.action, e.subject, e.detail, e.ip)
            .run();
    }
    std::vector<AuditEntry> audit(int limit) override {
        std::lock_guard lock(mutex_);
        Statement s(db_,
                    "SELECT id, time, user_id, user_name, action, subject, detail, ip FROM audit_log "
                    "ORDER BY id DESC LIMIT ?");
        s.bind(1, static_cast<std::int64_t>(limit));
        std::vector<AuditEntry> out;
        while (s.step())
            out.push_back({s.integer(0), s.integer(1), s.integer(2), s.text(3), s.text(4), s.text(5),
                           s.text(6), s.text(7)});
        return out;
    }

    LabelStudioProject add_label_studio_project(const LabelStudioProject& p) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "INSERT INTO label_studio_projects (user_id, name, remote_id, video_ids, label_config, patterns, "
                  "state, error, task_count, webhook_id, last_pull, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind_all(p.user_id, p.name, p.remote_id, nlohmann::json(p.video_ids).dump(), p.label_config,
                      p.patterns_json, p.state, p.error, p.task_count, p.webhook_id, p.last_pull, p.created)
            .run();
        LabelStudioProject out = p;
        out.id = db_.last_insert_id();
        return out;
    }
    std::optional<LabelStudioProject> find_label_studio_project(std::int64_t id) override {
        return first_label_studio_project("id = ?", id);
    }
    std::optional<LabelStudioProject> find_label_studio_project_by_remote(std::int64_t remote_id) override {
        return first_label_studio_project("remote_id = ? AND remote_id <> 0", remote_id);
    }
    std::vector<LabelStudioProject> label_studio_projects(std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kLabelStudioProjectColumns +
                             " FROM label_studio_projects WHERE ? = 0 OR user_id = ? ORDER BY id");
        s.bind_all(user_id, user_id);
        std::vector<LabelStudioProject> out;
        while (s.step()) out.push_back(read_label_studio_project(s));
        return out;
    }
    void update_label_studio_project(const LabelStudioProject& p) override {
        std::lock_guard lock(mutex_);
        Statement(db_,
                  "UPDATE label_studio_projects SET remote_id = ?, state = ?, error = ?, task_count = ?, "
                  "webhook_id = ?, last_pull = ? WHERE id = ?")
            .bind_all(p.remote_id, p.state, p.error, p.task_count, p.webhook_id, p.last_pull, p.id)
            .run();
    }
    void put_label_studio_annotation(const LabelStudioAnnotation& a) override {
        std::lock_guard lock(mutex_);
        Statement(db_, std::string("INSERT OR REPLACE INTO label_studio_annotations (") +
                           kLabelStudioAnnotationColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind_all(a.project_id, a.remote_id, a.task_id, a.video_id, a.annotator_id, a.annotator,
                      a.annotation_json, a.task_data_json, a.source, static_cast<std::int64_t>(a.missing),
                      a.updated)
            .run();
    }
    bool remove_label_studio_project(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        Transaction t(db_);
        Statement(db_, "DELETE FROM label_studio_annotations WHERE project_id = ?").bind(1, id).run();
        Statement(db_, "DELETE FROM label_studio_webhook_deliveries WHERE project_id = ?").bind(1, id).run();
        Statement(db_, "DELETE FROM label_studio_projects WHERE id = ?").bind(1, id).run();
        const bool removed = db_.changes() > 0;
        t.commit();
        return removed;
    }
    std::vector<LabelStudioAnnotation> label_studio_annotations(std::int64_t project_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kLabelStudioAnnotationColumns +
                             " FROM label_studio_annotations WHERE project_id = ? ORDER BY task_id, remote_id");
        s.bind(1, project_id);
        std::vector<LabelStudioAnnotation> out;
        while (s.step()) out.push_back(read_label_studio_annotation(s));
        return out;
    }

    void add_webhook_delivery(const WebhookDelivery& d) override {
        std::lock_guard lock(mutex_);
        Transaction t(db_);
        Statement(db_, "INSERT INTO label_studio_webhook_deliveries (project_id, received, action, task_id, "
                       "annotation_id, outcome, message) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind_all(d.project_id, d.received, d.action, d.task_id, d.annotation_id, d.outcome, d.message)
            .run();
        Statement(db_, "DELETE FROM label_studio_webhook_deliveries WHERE project_id = ? AND id NOT IN (SELECT id "
                       "FROM label_studio_webhook_deliveries WHERE project_id = ? ORDER BY id DESC LIMIT ?)")
            .bind_all(d.project_id, d.project_id, static_cast<std::int64_t>(kWebhookHistory))
            .run();
        t.commit();
    }
    std::vector<WebhookDelivery> webhook_deliveries(std::int64_t project_id) override {
        std::lock_guard lock(mutex_);
        Statement s(db_, "SELECT id, project_id, received, action, task_id, annotation_id, outcome, message FROM "
                         "label_studio_webhook_deliveries WHERE project_id = ? ORDER BY id DESC");
        s.bind(1, project_id);
        std::vector<WebhookDelivery> out;
        while (s.step())
            out.push_back({s.integer(0), s.integer(1), s.integer(2), s.text(3), s.integer(4), s.integer(5), s.text(6),
                           s.text(7)});
        return out;
    }

  private:
    void migrate() {
        Statement version_query(db_, "PRAGMA user_version");
        version_query.step();
        const auto version = version_query.integer(0);
        const auto target = static_cast<std::int64_t>(std::size(kMigrations));
        if (version > target)
            throw Error(ErrorCode::Unsupported,
                        "the catalog has schema version " + std::to_string(version) +
                            ", newer than this vidseg (" + std::to_string(target) + ")",
                        db_.path());
        for (auto v = version; v < target; ++v) {
            Transaction t(db_);
            db_.exec(kMigrations[v]);
            db_.exec("PRAGMA user_version = " + std::to_string(v + 1));
            t.commit();
        }
    }
    std::optional<User> lookup_user(const std::string& name) {
        Statement s(db_, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?");
        s.bind(1, name);
        if (!s.step()) return std::nullopt;
        return read_user(s);
    }
    std::optional<ApiToken> lookup_token(const std::string& hash) {
        Statement s(db_,
                    "SELECT id, user_id, label, token_hash, created, last_used, revoked FROM api_tokens "
                    "WHERE token_hash = ?");
        s.bind(1, hash);
        if (!s.step()) return std::nullopt;
        return read_token(s);
    }
    std::optional<LabelStudioProject> first_label_studio_project(const char* where, std::int64_t key) {
        std::lock_guard lock(mutex_);
        Statement s(db_, std::string("SELECT ") + kLabelStudioProjectColumns + " FROM label_studio_projects WHERE " +
                             where);
        s.bind(1, key);
        if (!s.step()) return std::nullopt;
        return read_label_studio_project(s);
    }
    std::optional<Job> lookup_job(std::int64_t id) {
        Statement s(db_, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        return read_job(s);
    }

    std::mutex mutex_;
    SqliteDb db_;
};

}  // namespace

std::unique_ptr<Catalog> open_sqlite_catalog(const std::string& path) {
    return std::make_unique<SqliteCatalog>(path);
}

WebhookDeliveryLog& webhook_delivery_log(Catalog& catalog) {
    auto* log = dynamic_cast<WebhookDeliveryLog*>(&catalog);
    if (!log) throw Error(ErrorCode::Unsupported, "this catalog keeps no webhook deliveries");
    return *log;
}

bool is_postgres_url(const std::string& location) {
    return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Catalog> open_catalog(const std::string& db, const std::string& sqlite_path) {
    if (db.empty()) return open_sqlite_catalog(sqlite_path);
    if (is_postgres_url(db)) return open_postgres_catalog(db);
    throw Error(ErrorCode::InvalidArgument,
                "the catalog database must be a postgresql:// URL (or nothing: SQLite in the data folder)",
                db);
}

}  // namespace vidseg::catalog
