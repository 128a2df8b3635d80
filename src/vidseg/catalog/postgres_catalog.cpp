// The shared catalog in PostgreSQL (libpqxx, only in this file): the same tables and meaning as the
// SQLite catalog, so a server and any number of `vidseg worker` processes on other machines share
// users, uploads and jobs. One connection guarded by a mutex (every call is one short transaction);
// a broken connection is opened again once before the call fails. Every value reaches the server as
// a query parameter, never inside the SQL text.
//
// Schema versions live in the table vidseg_schema; each entry of kMigrations brings the database
// from version i to i + 1, inside one transaction holding an advisory lock, so a server and workers
// starting together migrate it once.
#include <mutex>
#include <type_traits>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/catalog/webhook_deliveries.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::catalog {

namespace {

const char* const kMigrations[] = {
    R"sql(
CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                    password_hash TEXT NOT NULL, created BIGINT NOT NULL);
CREATE TABLE api_tokens (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                         label TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created BIGINT NOT NULL,
                         last_used BIGINT NOT NULL DEFAULT 0, revoked BOOLEAN NOT NULL DEFAULT false);
CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                       csrf_token TEXT NOT NULL, expires BIGINT NOT NULL);
CREATE TABLE uploads (id TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), length BIGINT NOT NULL,
                      upload_offset BIGINT NOT NULL, filename TEXT NOT NULL, metadata TEXT NOT NULL,
                      created BIGINT NOT NULL);
CREATE TABLE videos (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), name TEXT NOT NULL,
                     object_key TEXT NOT NULL UNIQUE, size BIGINT NOT NULL, sha256 TEXT NOT NULL,
                     state TEXT NOT NULL, info TEXT NOT NULL, created BIGINT NOT NULL);
CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), kind TEXT NOT NULL,
                   video_ids TEXT NOT NULL, options TEXT NOT NULL, state TEXT NOT NULL, stage TEXT NOT NULL,
                   progress DOUBLE PRECISION NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',
                   attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '',
                   cancel_requested BOOLEAN NOT NULL DEFAULT false, created BIGINT NOT NULL,
                   started BIGINT NOT NULL DEFAULT 0, finished BIGINT NOT NULL DEFAULT 0,
                   lease_expires BIGINT NOT NULL DEFAULT 0, inputs TEXT NOT NULL DEFAULT '{}');
CREATE INDEX jobs_by_state ON jobs(state, id);
CREATE TABLE job_videos (job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, video_id BIGINT NOT NULL);
CREATE INDEX job_videos_by_video ON job_videos(video_id);
CREATE TABLE job_log (id BIGSERIAL PRIMARY KEY, job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                      time BIGINT NOT NULL, line TEXT NOT NULL);
CREATE INDEX job_log_by_job ON job_log(job_id, id);
CREATE TABLE job_files (job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, name TEXT NOT NULL,
                        object_key TEXT NOT NULL, size BIGINT NOT NULL, PRIMARY KEY (job_id, name));
CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, time BIGINT NOT NULL, user_id BIGINT NOT NULL,
                        user_name TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,
                        detail TEXT NOT NULL, ip TEXT NOT NULL);
)sql",
    // 2: Label Studio projects and every annotator's pulled annotations (issue 12).
    R"sql(
CREATE TABLE label_studio_projects (id BIGSERIAL PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id),
                                    name TEXT NOT NULL, remote_id BIGINT NOT NULL DEFAULT 0,
                                    video_ids TEXT NOT NULL, label_config TEXT NOT NULL, patterns TEXT NOT NULL,
                                    state TEXT NOT NULL, error TEXT NOT NULL DEFAULT '',
                                    task_count BIGINT NOT NULL DEFAULT 0, webhook_id BIGINT NOT NULL DEFAULT 0,
                                    last_pull BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL);
CREATE INDEX label_studio_projects_by_remote ON label_studio_projects(remote_id);
CREATE TABLE label_studio_annotations (project_id BIGINT NOT NULL REFERENCES label_studio_projects(id)
                                           ON DELETE CASCADE,
                                       remote_id BIGINT NOT NULL, task_id BIGINT NOT NULL,
                                       video_id BIGINT NOT NULL, annotator_id BIGINT NOT NULL,
                                       annotator TEXT NOT NULL, annotation TEXT NOT NULL, task_data TEXT NOT NULL,
                                       source TEXT NOT NULL, missing BOOLEAN NOT NULL DEFAULT false,
                                       updated BIGINT NOT NULL, PRIMARY KEY (project_id, remote_id));
)sql",
    // 3: intros corrected by hand on the web intros page.
    R"sql(
CREATE TABLE intro_corrections (job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                                video_id BIGINT NOT NULL, start_seconds DOUBLE PRECISION NOT NULL,
                                end_seconds DOUBLE PRECISION NOT NULL, user_id BIGINT NOT NULL,
                                updated BIGINT NOT NULL, PRIMARY KEY (job_id, video_id));
)sql",
    // 4: the interface language each user chose ('' = not chosen: the web UI follows the browser).
    "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';",
    // 5: how many times each job was queued again because its worker's lease expired (/metrics).
    "ALTER TABLE jobs ADD COLUMN lease_expiries BIGINT NOT NULL DEFAULT 0;",
    // 6: the history of each Label Studio project's webhook deliveries (the newest 50 are kept).
    R"sql(
CREATE TABLE label_studio_webhook_deliveries (id BIGSERIAL PRIMARY KEY,
                                              project_id BIGINT NOT NULL REFERENCES label_studio_projects(id)
                                                  ON DELETE CASCADE,
                                              received BIGINT NOT NULL, action TEXT NOT NULL,
                                              task_id BIGINT NOT NULL, annotation_id BIGINT NOT NULL,
                                              outcome TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX label_studio_webhook_deliveries_by_project ON label_studio_webhook_deliveries(project_id, id);
)sql",
};

constexpr std::int64_t kMigrationLock = 0x76696473656700;  // "vidseg": pg_advisory_xact_lock key
constexpr const char* kNow = "extract(epoch from now())::bigint";

constexpr const char* kUserColumns = "id, name, role, password_hash, created, language";
constexpr const char* kTokenColumns = "id, user_id, label, token_hash, created, last_used, revoked";
constexpr const char* kVideoColumns = "id, user_id, name, object_key, size, sha256, state, info, created";
constexpr const char* kJobColumns =
    "id, user_id, kind, video_ids, options, state, stage, progress, error, attempts, worker, "
    "cancel_requested, created, started, finished, lease_expires, inputs";
constexpr const char* kLabelStudioProjectColumns =
    "id, user_id, name, remote_id, video_ids, label_config, patterns, state, error, task_count, webhook_id, "
    "last_pull, created";
constexpr const char* kLabelStudioAnnotationColumns =
    "project_id, remote_id, task_id, video_id, annotator_id, annotator, annotation, task_data, source, missing, "
    "updated";
constexpr const char* kRequeue =
    "state = 'queued', stage = 'queued', progress = 0, worker = '', lease_expires = 0";

std::string sql(std::initializer_list<const char*> parts) {
    std::string out;
    for (const char* p : parts) out += p;
    return out;
}

std::int64_t i64(const pqxx::field& f) {
    return f.as<std::int64_t>();
}

// The user whose kUserColumns start at column `at` (0, or after another table's columns in a join).
User read_user_at(const pqxx::row& r, pqxx::row::size_type at) {
    return {i64(r[at]),        r[at + 1].c_str(), role_from_name(r[at + 2].c_str()).value_or(Role::DlUser),
            r[at + 3].c_str(), i64(r[at + 4]),    r[at + 5].c_str()};
}

User read_user(const pqxx::row& r) {
    return read_user_at(r, 0);
}

ApiToken read_token(const pqxx::row& r) {
    return {i64(r[0]), i64(r[1]), r[2].c_str(), r[3].c_str(), i64(r[4]), i64(r[5]), r[6].as<bool>()};
}

Video read_video(const pqxx::row& r) {
    return {i64(r[0]),    i64(r[1]),    r[2].c_str(), r[3].c_str(), static_cast<std::uint64_t>(i64(r[4])),
            r[5].c_str(), r[6].c_str(), r[7].c_str(), i64(r[8])};
}

Job read_job(const pqxx::row& r) {
    Job j;
    j.id = i64(r[0]);
    j.user_id = i64(r[1]);
    j.kind = r[2].c_str();
    j.video_ids = nlohmann::json::parse(r[3].c_str()).get<std::vector<std::int64_t>>();
    j.options_json = r[4].c_str();
    j.state = r[5].c_str();
    j.stage = r[6].c_str();
    j.progress = r[7].as<double>();
    j.error = r[8].c_str();
    j.attempts = r[9].as<int>();
    j.worker = r[10].c_str();
    j.cancel_requested = r[11].as<bool>();
    j.created = i64(r[12]);
    j.started = i64(r[13]);
    j.finished = i64(r[14]);
    j.lease_expires = i64(r[15]);
    j.inputs_json = r[16].c_str();
    return j;
}

LabelStudioProject read_label_studio_project(const pqxx::row& r) {
    LabelStudioProject p;
    p.id = i64(r[0]);
    p.user_id = i64(r[1]);
    p.name = r[2].c_str();
    p.remote_id = i64(r[3]);
    p.video_ids = nlohmann::json::parse(r[4].c_str()).get<std::vector<std::int64_t>>();
    p.label_config = r[5].c_str();
    p.patterns_json = r[6].c_str();
    p.state = r[7].c_str();
    p.error = r[8].c_str();
    p.task_count = i64(r[9]);
    p.webhook_id = i64(r[10]);
    p.last_pull = i64(r[11]);
    p.created = i64(r[12]);
    return p;
}

LabelStudioAnnotation read_label_studio_annotation(const pqxx::row& r) {
    return {i64(r[0]),    i64(r[1]),    i64(r[2]),    i64(r[3]),       i64(r[4]),  r[5].c_str(),
            r[6].c_str(), r[7].c_str(), r[8].c_str(), r[9].as<bool>(), i64(r[10])};
}

template <typename T, typename Read>
std::vector<T> read_all(const pqxx::result& rows, Read read) {
    std::vector<T> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(read(row));
    return out;
}

template <typename T, typename Read>
std::optional<T> read_first(const pqxx::result& rows, Read read) {
    if (rows.empty()) return std::nullopt;
    return read(rows[0]);
}

// The URL without its password, for messages.
std::string redacted(const std::string& url) {
    const auto scheme_end = url.find("://");
    const auto at = url.find('@');
    if (scheme_end == std::string::npos || at == std::string::npos) return url;
    const auto colon = url.find(':', scheme_end + 3);
    if (colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon) + ":***" + url.substr(at);
}

class PostgresCatalog final : public Catalog, public WebhookDeliveryLog {
  public:
    explicit PostgresCatalog(std::string url) : url_(std::move(url)) { migrate(); }

    User add_user(const std::string& name, Role role, const std::string& password_hash) override {
        return in_transaction([&](pqxx::work& tx) {
            try {
                return read_user(tx.exec_params1(
                    sql({"INSERT INTO users (name, role, password_hash, created) VALUES ($1, $2, $3, ", kNow,
                         ") RETURNING ", kUserColumns}),
                    name, std::string(role_name(role)), password_hash));
            } catch (const pqxx::unique_violation&) {
                throw Error(ErrorCode::InvalidArgument, "a user with this name exists", name);
            }
        });
    }
    std::optional<User> find_user(const std::string& name) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<User>(
                tx.exec_params(sql({"SELECT ", kUserColumns, " FROM users WHERE name = $1"}), name),
                read_user);
        });
    }
    std::optional<User> user_by_id(std::int64_t id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<User>(
                tx.exec_params(sql({"SELECT ", kUserColumns, " FROM users WHERE id = $1"}), id), read_user);
        });
    }
    std::vector<User> users() override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<User>(tx.exec(sql({"SELECT ", kUserColumns, " FROM users ORDER BY id"})),
                                  read_user);
        });
    }
    std::int64_t user_count() override {
        return in_transaction([&](pqxx::work& tx) { return i64(tx.exec1("SELECT count(*) FROM users")[0]); });
    }
    void set_role(std::int64_t user_id, Role role) override {
        execute("UPDATE users SET role = $1 WHERE id = $2", std::string(role_name(role)), user_id);
    }
    void set_password_hash(std::int64_t user_id, const std::string& hash) override {
        execute("UPDATE users SET password_hash = $1 WHERE id = $2", hash, user_id);
    }
    void set_user_language(std::int64_t user_id, const std::string& language) override {
        execute("UPDATE users SET language = $1 WHERE id = $2", language, user_id);
    }

    ApiToken add_token(std::int64_t user_id, const std::string& label,
                       const std::string& token_hash) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_token(tx.exec_params1(
                sql({"INSERT INTO api_tokens (user_id, label, token_hash, created) VALUES ($1, $2, $3, ",
                     kNow, ") RETURNING ", kTokenColumns}),
                user_id, label, token_hash));
        });
    }
    std::optional<ApiToken> find_token(const std::string& token_hash) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<ApiToken>(
                tx.exec_params(sql({"SELECT ", kTokenColumns, " FROM api_tokens WHERE token_hash = $1"}),
                               token_hash),
                read_token);
        });
    }
    // One query (a round trip to the server) for the check of every API request, as SQLite does.
    std::optional<std::pair<ApiToken, User>> find_token_with_user(const std::string& token_hash) override {
        return in_transaction([&](pqxx::work& tx) -> std::optional<std::pair<ApiToken, User>> {
            const auto rows = tx.exec_params(
                "SELECT t.id, t.user_id, t.label, t.token_hash, t.created, t.last_used, t.revoked, u.id, u.name, "
                "u.role, u.password_hash, u.created, u.language FROM api_tokens t JOIN users u ON u.id = t.user_id "
                "WHERE t.token_hash = $1",
                token_hash);
            if (rows.empty()) return std::nullopt;
            return std::pair{read_token(rows[0]), read_user_at(rows[0], 7)};
        });
    }
    std::vector<ApiToken> tokens(std::int64_t user_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<ApiToken>(tx.exec_params(sql({"SELECT ", kTokenColumns,
                                                          " FROM api_tokens WHERE user_id = $1 ORDER BY id"}),
                                                     user_id),
                                      read_token);
        });
    }
    bool revoke_token(std::int64_t user_id, std::int64_t token_id) override {
        return execute("UPDATE api_tokens SET revoked = true WHERE id = $1 AND user_id = $2", token_id,
                       user_id) > 0;
    }
    void touch_token(std::int64_t token_id, std::int64_t now) override {
        execute("UPDATE api_tokens SET last_used = $1 WHERE id = $2", now, token_id);
    }

    void add_session(const Session& s) override {
        in_transaction([&](pqxx::work& tx) {
            tx.exec(sql({"DELETE FROM sessions WHERE expires < ", kNow}));
            tx.exec_params(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, expires) VALUES ($1, $2, $3, $4)",
                s.id_hash, s.user_id, s.csrf_token, s.expires);
        });
    }
    std::optional<Session> find_session(const std::string& id_hash) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<Session>(
                tx.exec_params(
                    "SELECT id_hash, user_id, csrf_token, expires FROM sessions WHERE id_hash = $1", id_hash),
                [](const pqxx::row& r) {
                    return Session{r[0].c_str(), i64(r[1]), r[2].c_str(), i64(r[3])};
                });
        });
    }
    void remove_session(const std::string& id_hash) override {
        execute("DELETE FROM sessions WHERE id_hash = $1", id_hash);
    }
    int remove_other_sessions(std::int64_t user_id, const std::string& keep_id_hash) override {
        return static_cast<int>(
            execute("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2", user_id, keep_id_hash));
    }

    void add_upload(const Upload& u) override {
        execute(
            "INSERT INTO uploads (id, user_id, length, upload_offset, filename, metadata, created) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            u.id, u.user_id, static_cast<std::int64_t>(u.length), static_cast<std::int64_t>(u.offset),
            u.filename, u.metadata_json, u.created);
    }
    std::optional<Upload> find_upload(const std::string& id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<Upload>(
                tx.exec_params("SELECT id, user_id, length, upload_offset, filename, metadata, created "
                               "FROM uploads WHERE id = $1",
                               id),
                [](const pqxx::row& r) {
                    return Upload{r[0].c_str(),
                                  i64(r[1]),
                                  static_cast<std::uint64_t>(i64(r[2])),
                                  static_cast<std::uint64_t>(i64(r[3])),
                                  r[4].c_str(),
                                  r[5].c_str(),
                                  i64(r[6])};
                });
        });
    }
    void set_upload_offset(const std::string& id, std::uint64_t offset) override {
        execute("UPDATE uploads SET upload_offset = $1 WHERE id = $2", static_cast<std::int64_t>(offset), id);
    }
    void remove_upload(const std::string& id) override { execute("DELETE FROM uploads WHERE id = $1", id); }

    Video add_video(const Video& v) override {
        Video out = v;
        out.id = in_transaction([&](pqxx::work& tx) {
            return i64(
                tx.exec_params1("INSERT INTO videos (user_id, name, object_key, size, sha256, state, "
                                "info, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                                v.user_id, v.name, v.key, static_cast<std::int64_t>(v.size), v.sha256,
                                v.state, v.info_json, v.created)[0]);
        });
        return out;
    }
    std::optional<Video> find_video(std::int64_t id) override { return select_videos_first("id = $1", id); }
    std::optional<Video> find_video_by_key(const std::string& key) override {
        return select_videos_first("object_key = $1", key);
    }
    std::vector<Video> videos(std::int64_t user_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<Video>(tx.exec_params(sql({"SELECT ", kVideoColumns,
                                                       " FROM videos WHERE $1::bigint = 0 OR user_id = "
                                                       "$1::bigint ORDER BY id"}),
                                                  user_id),
                                   read_video);
        });
    }
    void update_video(std::int64_t id, const std::string& state, const std::string& info_json) override {
        execute("UPDATE videos SET state = $1, info = $2 WHERE id = $3", state, info_json, id);
    }
    void remove_video(std::int64_t id) override { execute("DELETE FROM videos WHERE id = $1", id); }

    Job add_job(const Job& job) override {
        return in_transaction([&](pqxx::work& tx) {
            const auto stored = read_job(tx.exec_params1(
                sql({"INSERT INTO jobs (user_id, kind, video_ids, options, state, stage, created, inputs) "
                     "VALUES ($1, $2, $3, $4, 'queued', 'queued', $5, $6) RETURNING ",
                     kJobColumns}),
                job.user_id, job.kind, nlohmann::json(job.video_ids).dump(), job.options_json, job.created,
                job.inputs_json));
            for (auto video : job.video_ids)
                tx.exec_params("INSERT INTO job_videos (job_id, video_id) VALUES ($1, $2)", stored.id, video);
            return stored;
        });
    }
    std::optional<Job> find_job(std::int64_t id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<Job>(
                tx.exec_params(sql({"SELECT ", kJobColumns, " FROM jobs WHERE id = $1"}), id), read_job);
        });
    }
    std::vector<Job> jobs(std::int64_t user_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<Job>(
                tx.exec_params(sql({"SELECT ", kJobColumns,
                                    " FROM jobs WHERE $1::bigint = 0 OR user_id = $1::bigint ORDER BY id"}),
                               user_id),
                read_job);
        });
    }
    std::vector<Job> jobs_of_video(std::int64_t video_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<Job>(
                tx.exec_params(
                    sql({"SELECT ", kJobColumns,
                         " FROM jobs WHERE id IN (SELECT job_id FROM job_videos WHERE video_id = $1) "
                         "ORDER BY id"}),
                    video_id),
                read_job);
        });
    }
    std::optional<Job> claim_job(const std::string& worker, std::int64_t now,
                                 std::int64_t lease_expires) override {
        // SKIP LOCKED: a job another worker is claiming right now is passed over, not waited for,
        // and never handed out twice.
        return in_transaction([&](pqxx::work& tx) {
            return read_first<Job>(
                tx.exec_params(
                    sql({"UPDATE jobs SET state = 'running', stage = 'prepare', progress = 0, error = '', "
                         "worker = $1, started = $2, lease_expires = $3, attempts = attempts + 1 "
                         "WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1 "
                         "FOR UPDATE SKIP LOCKED) RETURNING ",
                         kJobColumns}),
                    worker, now, lease_expires),
                read_job);
        });
    }
    bool renew_job_lease(std::int64_t id, const std::string& worker, std::int64_t lease_expires) override {
        return execute(
                   "UPDATE jobs SET lease_expires = $1 WHERE id = $2 AND state = 'running' AND worker = $3",
                   lease_expires, id, worker) > 0;
    }
    std::vector<std::int64_t> requeue_expired_jobs(std::int64_t now) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<std::int64_t>(
                tx.exec_params(sql({"UPDATE jobs SET ", kRequeue,
                                    ", lease_expiries = lease_expiries + 1 "
                                    "WHERE state = 'running' AND lease_expires < $1 RETURNING id"}),
                               now),
                [](const pqxx::row& r) { return i64(r[0]); });
        });
    }
    bool release_job(std::int64_t id, const std::string& worker) override {
        return execute(sql({"UPDATE jobs SET ", kRequeue,
                            " WHERE id = $1 AND state = 'running' AND worker = $2"}),
                       id, worker) > 0;
    }
    ProgressWrite set_job_progress(std::int64_t id, const std::string& worker, const std::string& stage,
                                   double progress) override {
        return in_transaction([&](pqxx::work& tx) {
            const auto rows = tx.exec_params(
                "UPDATE jobs SET stage = $1, progress = $2 WHERE id = $3 AND state = 'running' AND worker = "
                "$4 "
                "RETURNING cancel_requested",
                stage, progress, id, worker);
            if (rows.empty()) return ProgressWrite::NotHeld;
            return rows[0][0].as<bool>() ? ProgressWrite::CancelRequested : ProgressWrite::Recorded;
        });
    }
    bool end_job(std::int64_t id, const std::string& worker, const std::string& state,
                 const std::string& error, std::int64_t now) override {
        return execute(
                   "UPDATE jobs SET state = $1::text, stage = $1::text, error = $2, finished = $3, "
                   "lease_expires = 0, progress = CASE WHEN $1::text = 'finished' THEN 100 ELSE progress END "
                   "WHERE id = $4 AND state = 'running' AND worker = $5",
                   state, error, now, id, worker) > 0;
    }
    bool request_job_cancel(std::int64_t id, std::int64_t now) override {
        return in_transaction([&](pqxx::work& tx) {
            if (tx.exec_params("UPDATE jobs SET state = 'cancelled', stage = 'cancelled', finished = $1 "
                               "WHERE id = $2 AND state = 'queued'",
                               now, id)
                    .affected_rows() > 0)
                return true;
            tx.exec_params("UPDATE jobs SET cancel_requested = true WHERE id = $1 AND state = 'running'", id);
            return false;
        });
    }
    bool requeue_job(std::int64_t id) override {
        return execute(
                   "UPDATE jobs SET state = 'queued', stage = 'queued', progress = 0, error = '', "
                   "cancel_requested = false, worker = '', started = 0, finished = 0, lease_expires = 0 "
                   "WHERE id = $1 AND state IN ('error', 'cancelled', 'finished')",
                   id) > 0;
    }
    int requeue_running_jobs(const std::string& worker) override {
        return static_cast<int>(
            execute(sql({"UPDATE jobs SET ", kRequeue,
                         " WHERE state = 'running' AND ($1::text = '' OR worker = $1::text)"}),
                    worker));
    }
    void remove_job(std::int64_t id) override { execute("DELETE FROM jobs WHERE id = $1", id); }
    std::map<std::string, std::int64_t> job_counts_by_state() override {
        return in_transaction([&](pqxx::work& tx) {
            std::map<std::string, std::int64_t> out;
            for (const char* state : {"queued", "running", "finished", "error", "cancelled"}) out[state] = 0;
            for (const auto& r : tx.exec("SELECT state, count(*) FROM jobs GROUP BY state"))
                out[r[0].c_str()] = i64(r[1]);
            return out;
        });
    }
    LeaseStats lease_stats() override {
        return in_transaction([&](pqxx::work& tx) {
            LeaseStats out;
            for (const auto& r :
                 tx.exec("SELECT worker, count(*) FROM jobs WHERE state = 'running' GROUP BY worker"))
                out.leased_by_worker[r[0].c_str()] = i64(r[1]);
            out.expired_requeued =
                i64(tx.exec1("SELECT coalesce(sum(lease_expiries), 0)::bigint FROM jobs")[0]);
            return out;
        });
    }

    void add_job_log(std::int64_t job_id, std::int64_t time, const std::string& line) override {
        execute("INSERT INTO job_log (job_id, time, line) VALUES ($1, $2, $3)", job_id, time, line);
    }
    std::vector<JobLogLine> job_log(std::int64_t job_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<JobLogLine>(
                tx.exec_params("SELECT time, line FROM job_log WHERE job_id = $1 ORDER BY id", job_id),
                [](const pqxx::row& r) {
                    return JobLogLine{i64(r[0]), r[1].c_str()};
                });
        });
    }
    void add_job_file(std::int64_t job_id, const JobFile& f) override {
        execute(
            "INSERT INTO job_files (job_id, name, object_key, size) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (job_id, name) DO UPDATE SET object_key = excluded.object_key, size = excluded.size",
            job_id, f.name, f.key, static_cast<std::int64_t>(f.size));
    }
    std::vector<JobFile> job_files(std::int64_t job_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<JobFile>(
                tx.exec_params("SELECT name, object_key, size FROM job_files WHERE job_id = $1 ORDER BY name",
                               job_id),
                [](const pqxx::row& r) {
                    return JobFile{r[0].c_str(), r[1].c_str(), static_cast<std::uint64_t>(i64(r[2]))};
                });
        });
    }
    void clear_job_files(std::int64_t job_id) override {
        execute("DELETE FROM job_files WHERE job_id = $1", job_id);
    }

    void set_intro_correction(const IntroCorrection& c) override {
        execute(
            "INSERT INTO intro_corrections (job_id, video_id, start_seconds, end_seconds, user_id, updated) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, video_id) DO UPDATE SET "
            "start_seconds = excluded.start_seconds, end_seconds = excluded.end_seconds, "
            "user_id = excluded.user_id, updated = excluded.updated",
            c.job_id, c.video_id, c.start, c.end, c.user_id, c.updated);
    }
    std::vector<IntroCorrection> intro_corrections(std::int64_t job_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<IntroCorrection>(
                tx.exec_params("SELECT job_id, video_id, start_seconds, end_seconds, user_id, updated "
                               "FROM intro_corrections WHERE job_id = $1 ORDER BY video_id",
                               job_id),
                [](const pqxx::row& r) {
                    return IntroCorrection{i64(r[0]),         i64(r[1]), r[2].as<double>(),
                                           r[3].as<double>(), i64(r[4]), i64(r[5])};
                });
        });
    }

    void add_audit(const AuditEntry& e) override {
        execute(
            "INSERT INTO audit_log (time, user_id, user_name, action, subject, detail, ip) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            e.time, e.user_id, e.user_name, e.action, e.subject, e.detail, e.ip);
    }
    std::vector<AuditEntry> audit(int limit) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<AuditEntry>(
                tx.exec_params(
                    "SELECT id, time, user_id, user_name, action, subject, detail, ip FROM audit_log "
                    "ORDER BY id DESC LIMIT $1",
                    limit),
                [](const pqxx::row& r) {
                    return AuditEntry{i64(r[0]),    i64(r[1]),    i64(r[2]),    r[3].c_str(),
                                      r[4].c_str(), r[5].c_str(), r[6].c_str(), r[7].c_str()};
                });
        });
    }

    LabelStudioProject add_label_studio_project(const LabelStudioProject& p) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_label_studio_project(tx.exec_params1(
                sql({"INSERT INTO label_studio_projects (user_id, name, remote_id, video_ids, label_config, patterns, "
                     "state, error, task_count, webhook_id, last_pull, created) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                     "$8, $9, $10, $11, $12) RETURNING ",
                     kLabelStudioProjectColumns}),
                p.user_id, p.name, p.remote_id, nlohmann::json(p.video_ids).dump(), p.label_config, p.patterns_json,
                p.state, p.error, p.task_count, p.webhook_id, p.last_pull, p.created));
        });
    }
    std::optional<LabelStudioProject> find_label_studio_project(std::int64_t id) override {
        return first_label_studio_project("id = $1", id);
    }
    std::optional<LabelStudioProject> find_label_studio_project_by_remote(std::int64_t remote_id) override {
        return first_label_studio_project("remote_id = $1 AND remote_id <> 0 ORDER BY id LIMIT 1", remote_id);
    }
    std::vector<LabelStudioProject> label_studio_projects(std::int64_t user_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<LabelStudioProject>(
                tx.exec_params(sql({"SELECT ", kLabelStudioProjectColumns,
                                    " FROM label_studio_projects WHERE $1 = 0 OR user_id = $1 ORDER BY id"}),
                               user_id),
                read_label_studio_project);
        });
    }
    void update_label_studio_project(const LabelStudioProject& p) override {
        execute(
            "UPDATE label_studio_projects SET remote_id = $1, state = $2, error = $3, task_count = $4, "
            "webhook_id = $5, last_pull = $6 WHERE id = $7",
            p.remote_id, p.state, p.error, p.task_count, p.webhook_id, p.last_pull, p.id);
    }
    void put_label_studio_annotation(const LabelStudioAnnotation& a) override {
        execute(sql({"INSERT INTO label_studio_annotations (", kLabelStudioAnnotationColumns,
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (project_id, remote_id) DO "
                     "UPDATE SET task_id = EXCLUDED.task_id, video_id = EXCLUDED.video_id, annotator_id = "
                     "EXCLUDED.annotator_id, annotator = EXCLUDED.annotator, annotation = EXCLUDED.annotation, "
                     "task_data = EXCLUDED.task_data, source = EXCLUDED.source, missing = EXCLUDED.missing, "
                     "updated = EXCLUDED.updated"}),
                a.project_id, a.remote_id, a.task_id, a.video_id, a.annotator_id, a.annotator, a.annotation_json,
                a.task_data_json, a.source, a.missing, a.updated);
    }
    bool remove_label_studio_project(std::int64_t id) override {
        return in_transaction([&](pqxx::work& tx) {
            tx.exec_params("DELETE FROM label_studio_annotations WHERE project_id = $1", id);
            tx.exec_params("DELETE FROM label_studio_webhook_deliveries WHERE project_id = $1", id);
            return tx.exec_params("DELETE FROM label_studio_projects WHERE id = $1", id).affected_rows() > 0;
        });
    }
    std::vector<LabelStudioAnnotation> label_studio_annotations(std::int64_t project_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<LabelStudioAnnotation>(
                tx.exec_params(sql({"SELECT ", kLabelStudioAnnotationColumns,
                                    " FROM label_studio_annotations WHERE project_id = $1 ORDER BY task_id, remote_id"}),
                               project_id),
                read_label_studio_annotation);
        });
    }

    void add_webhook_delivery(const WebhookDelivery& d) override {
        in_transaction([&](pqxx::work& tx) {
            tx.exec_params("INSERT INTO label_studio_webhook_deliveries (project_id, received, action, task_id, "
                           "annotation_id, outcome, message) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                           d.project_id, d.received, d.action, d.task_id, d.annotation_id, d.outcome, d.message);
            tx.exec_params("DELETE FROM label_studio_webhook_deliveries WHERE project_id = $1 AND id NOT IN (SELECT id "
                           "FROM label_studio_webhook_deliveries WHERE project_id = $1 ORDER BY id DESC LIMIT $2)",
                           d.project_id, static_cast<std::int64_t>(kWebhookHistory));
        });
    }
    std::vector<WebhookDelivery> webhook_deliveries(std::int64_t project_id) override {
        return in_transaction([&](pqxx::work& tx) {
            return read_all<WebhookDelivery>(
                tx.exec_params("SELECT id, project_id, received, action, task_id, annotation_id, outcome, message "
                               "FROM label_studio_webhook_deliveries WHERE project_id = $1 ORDER BY id DESC",
                               project_id),
                [](const pqxx::row& r) {
                    return WebhookDelivery{i64(r[0]),         i64(r[1]),         i64(r[2]),        r[3].c_str(),
                                           i64(r[4]),         i64(r[5]),         r[6].c_str(),     r[7].c_str()};
                });
        });
    }

  private:
    // Runs f(transaction) and commits, under the connection's mutex. A lost connection is opened
    // again and f run once more (f is one transaction: it either committed or not at all, except in
    // the rare "in doubt" case reported as an error). Database errors become vidseg::Error.
    template <typename F>
    auto in_transaction(F&& f) -> std::invoke_result_t<F, pqxx::work&> {
        using Result = std::invoke_result_t<F, pqxx::work&>;
        std::lock_guard lock(mutex_);
        for (int attempt = 0;; ++attempt) {
            try {
                if (!connection_ || !connection_->is_open())
                    connection_ = std::make_unique<pqxx::connection>(url_);
                pqxx::work tx(*connection_);
                if constexpr (std::is_void_v<Result>) {
                    f(tx);
                    tx.commit();
                    return;
                } else {
                    Result result = f(tx);
                    tx.commit();
                    return result;
                }
            } catch (const pqxx::broken_connection& e) {
                connection_.reset();
                if (attempt == 0) continue;
                throw Error(ErrorCode::Unsupported,
                            std::string("PostgreSQL server not reachable: ") + e.what(), redacted(url_));
            } catch (const pqxx::data_exception& e) {
                throw Error(ErrorCode::InvalidArgument,
                            std::string("value refused by PostgreSQL: ") + e.what());
            } catch (const pqxx::in_doubt_error& e) {
                connection_.reset();
                throw Error(ErrorCode::Internal, std::string("PostgreSQL commit in doubt: ") + e.what());
            } catch (const pqxx::failure& e) {
                throw Error(ErrorCode::Internal, std::string("PostgreSQL: ") + e.what(), redacted(url_));
            }
        }
    }

    // One statement in its own transaction; the number of rows it changed.
    template <typename... Args>
    std::int64_t execute(const std::string& statement, const Args&... args) {
        return in_transaction([&](pqxx::work& tx) {
            return static_cast<std::int64_t>(tx.exec_params(statement, args...).affected_rows());
        });
    }

    template <typename Key>
    std::optional<Video> select_videos_first(const char* where, const Key& key) {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<Video>(
                tx.exec_params(sql({"SELECT ", kVideoColumns, " FROM videos WHERE ", where}), key),
                read_video);
        });
    }

    std::optional<LabelStudioProject> first_label_studio_project(const char* where, std::int64_t key) {
        return in_transaction([&](pqxx::work& tx) {
            return read_first<LabelStudioProject>(
                tx.exec_params(sql({"SELECT ", kLabelStudioProjectColumns, " FROM label_studio_projects WHERE ", where}),
                               key),
                read_label_studio_project);
        });
    }

    void migrate() {
        const auto target = static_cast<std::int64_t>(std::size(kMigrations));
        in_transaction([&](pqxx::work& tx) {
            tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
            tx.exec("CREATE TABLE IF NOT EXISTS vidseg_schema (version INTEGER NOT NULL)");
            const auto rows = tx.exec("SELECT version FROM vidseg_schema");
            const std::int64_t version = rows.empty() ? 0 : i64(rows[0][0]);
            if (version > target)
                throw Error(ErrorCode::Unsupported,
                            "the catalog has schema version " + std::to_string(version) +
                                ", newer than this vidseg (" + std::to_string(target) + ")",
                            redacted(url_));
            for (auto v = version; v < target; ++v) tx.exec(kMigrations[v]);
            if (rows.empty())
                tx.exec_params("INSERT INTO vidseg_schema (version) VALUES ($1)", target);
            else if (version != target)
                tx.exec_params("UPDATE vidseg_schema SET version = $1", target);
        });
    }

    std::string url_;
    std::mutex mutex_;
    std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace

std::unique_ptr<Catalog> open_postgres_catalog(const std::string& url) {
    return std::make_unique<PostgresCatalog>(url);
}

}  // namespace vidseg::catalog
