// The catalog contract, checked on both backends: the embedded SQLite file and a real PostgreSQL
// server started by the test on loopback (tests/peers/postgres.sh: Debian's initdb + pg_ctl).
// Schema creation and re-opening, users (their interface language), tokens, sessions (a password
// change ending the others), hostile text stored verbatim, job claiming,
// cancellation and re-queueing, leases (renewal, expiry keeping the attempt count, only the holder
// may end, release or report progress on a job), and on PostgreSQL concurrent claims from several
// connections.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "support/test_support.hpp"
#include "vidseg/catalog/catalog.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;

namespace {

using Opener = std::function<std::unique_ptr<catalog::Catalog>()>;

void check_users_tokens_and_hostile_text(const Opener& open) {
    {
        auto c = open();
        const auto anna = c->add_user("anna", catalog::Role::DlUser, "$argon2id$x");
        EXPECT_EQ(anna.name, "anna");
        EXPECT_GT(anna.created, 1700000000);
        EXPECT_EQ(test::thrown_code([&] { c->add_user("anna", catalog::Role::Admin, "h"); }),
                  ErrorCode::InvalidArgument);
        const auto token = c->add_token(anna.id, "x'); DROP TABLE users;--\n\x01", "hash1");
        EXPECT_EQ(c->find_token("hash1")->label, "x'); DROP TABLE users;--\n\x01");
        EXPECT_TRUE(c->revoke_token(anna.id, token.id));
        EXPECT_FALSE(c->revoke_token(anna.id + 1, token.id));
        EXPECT_TRUE(c->find_token("hash1")->revoked);
        c->add_session({"sess", anna.id, "csrf", 4102444800});
        EXPECT_EQ(c->find_session("sess")->csrf_token, "csrf");
        c->remove_session("sess");
        EXPECT_FALSE(c->find_session("sess"));
        // A password change keeps the caller's session and ends the user's others (not other users').
        const auto ben = c->add_user("ben", catalog::Role::DlUser, "h");
        for (const char* id : {"here", "phone", "laptop"}) c->add_session({id, anna.id, "c", 4102444800});
        c->add_session({"bens", ben.id, "c", 4102444800});
        EXPECT_EQ(c->remove_other_sessions(anna.id, "here"), 2);
        EXPECT_TRUE(c->find_session("here"));
        EXPECT_FALSE(c->find_session("phone"));
        EXPECT_FALSE(c->find_session("laptop"));
        EXPECT_TRUE(c->find_session("bens"));
        EXPECT_EQ(c->remove_other_sessions(anna.id, "here"), 0);
        // The interface language: not chosen at first, then kept.
        EXPECT_EQ(anna.language, "");
        c->set_user_language(anna.id, "ru");
        EXPECT_EQ(c->user_by_id(anna.id)->language, "ru");
        EXPECT_EQ(c->user_by_id(ben.id)->language, "");
    }
    auto c = open();  // re-opened: schema kept (no second migration), data kept
    EXPECT_EQ(c->user_count(), 2);
    EXPECT_EQ(c->find_user("anna")->role, catalog::Role::DlUser);
    EXPECT_EQ(c->find_user("anna")->language, "ru");
    EXPECT_EQ(c->users().at(0).language, "ru");
    EXPECT_FALSE(c->find_user("anna' OR '1'='1"));
    c->set_role(c->find_user("anna")->id, catalog::Role::Admin);
    EXPECT_EQ(c->users().at(0).role, catalog::Role::Admin);
}

void check_uploads_videos_and_audit(const Opener& open) {
    auto c = open();
    const auto user = c->add_user("carl", catalog::Role::DlUser, "h");
    c->add_upload({"abc", user.id, 5000000000ull, 10, "l\"esson.mp4", "{}", 1});
    c->set_upload_offset("abc", 4000000000ull);
    EXPECT_EQ(c->find_upload("abc")->offset, 4000000000ull);
    c->remove_upload("abc");
    EXPECT_FALSE(c->find_upload("abc"));
    auto video =
        c->add_video({0, user.id, "lesson.mp4", "carl/task_1/lesson.mp4", 123, "ff", "arriving", "{}", 5});
    EXPECT_GT(video.id, 0);
    c->update_video(video.id, "ready", R"({"duration": 3})");
    EXPECT_EQ(c->find_video_by_key("carl/task_1/lesson.mp4")->state, "ready");
    EXPECT_EQ(c->videos(user.id).size(), 1u);
    EXPECT_EQ(c->videos(0).size(), 1u);
    EXPECT_TRUE(c->videos(user.id + 100).empty());
    c->remove_video(video.id);
    EXPECT_FALSE(c->find_video(video.id));
    c->add_audit({0, 10, user.id, "carl", "login", "user carl", "", "127.0.0.1"});
    c->add_audit({0, 11, 0, "", "upload", "video 1", "x", ""});
    const auto audit = c->audit(1);
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].action, "upload");  // newest first
}

// What a job reads besides its videos, kept verbatim (quotes and SQL included) by both backends.
constexpr const char* kJobInputs = R"({"review":[{"item":"2","reason":"x'); --"}]})";

// `count` queued prepare jobs of a new user `owner` on video `video`.
std::vector<catalog::Job> add_jobs(catalog::Catalog& c, const std::string& owner, int count,
                                   std::int64_t video) {
    catalog::Job job;
    job.user_id = c.add_user(owner, catalog::Role::DlUser, "h").id;
    job.kind = "prepare";
    job.video_ids = {video};
    job.inputs_json = kJobInputs;
    std::vector<catalog::Job> out;
    for (int i = 0; i < count; ++i) out.push_back(c.add_job(job));
    return out;
}

void check_jobs_claimed_once_cancelled_and_requeued(const Opener& open) {
    auto c = open();
    const auto jobs = add_jobs(*c, "bob", 2, 7);
    const auto& a = jobs[0];
    const auto& b = jobs[1];
    EXPECT_EQ(c->jobs_of_video(7).size(), 2u);
    const auto first = c->claim_job("w1", 100, 130);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->id, a.id);
    EXPECT_EQ(first->state, "running");
    EXPECT_EQ(first->attempts, 1);
    EXPECT_EQ(first->worker, "w1");
    EXPECT_EQ(first->lease_expires, 130);
    EXPECT_EQ(first->inputs_json, kJobInputs);
    const auto second = c->claim_job("w2", 101, 131);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, b.id);
    EXPECT_FALSE(c->claim_job("w1", 102, 132));
    EXPECT_FALSE(c->request_job_cancel(a.id, 103));  // running: flagged for its worker
    EXPECT_TRUE(c->find_job(a.id)->cancel_requested);
    EXPECT_EQ(c->set_job_progress(a.id, "w1", "segments", 10),
              catalog::ProgressWrite::CancelRequested);  // the worker learns of the cancel
    EXPECT_EQ(c->set_job_progress(b.id, "w2", "segments", 42.5), catalog::ProgressWrite::Recorded);
    EXPECT_EQ(c->find_job(b.id)->stage, "segments");
    EXPECT_DOUBLE_EQ(c->find_job(b.id)->progress, 42.5);
    EXPECT_EQ(c->requeue_running_jobs("w2"), 1);  // only w2's job
    EXPECT_EQ(c->find_job(b.id)->state, "queued");
    EXPECT_EQ(c->find_job(a.id)->state, "running");
    EXPECT_FALSE(c->end_job(a.id, "w2", "finished", "", 104));  // not w2's job
    EXPECT_TRUE(c->end_job(a.id, "w1", "cancelled", "cancelled", 104));
    EXPECT_EQ(c->find_job(a.id)->stage, "cancelled");
    EXPECT_FALSE(c->end_job(a.id, "w1", "finished", "", 105));  // ended once only
    EXPECT_TRUE(c->requeue_job(a.id));
    EXPECT_FALSE(c->requeue_job(a.id));  // already queued
    const auto counts = c->job_counts_by_state();
    EXPECT_EQ(counts.at("queued"), 2);
    EXPECT_EQ(counts.at("running"), 0);
    c->add_job_file(a.id, {"tasks.json", "bob/jobs/1/tasks.json", 10});
    c->add_job_file(a.id, {"tasks.json", "bob/jobs/1/tasks.json", 12});  // a re-run replaces it
    ASSERT_EQ(c->job_files(a.id).size(), 1u);
    EXPECT_EQ(c->job_files(a.id)[0].size, 12u);
    c->add_job_log(a.id, 106, "line 'one'");
    EXPECT_EQ(c->job_log(a.id).back().line, "line 'one'");
    c->remove_job(a.id);
    EXPECT_FALSE(c->find_job(a.id));
    EXPECT_TRUE(c->job_files(a.id).empty());
    EXPECT_TRUE(c->job_log(a.id).empty());
}

void check_leases(const Opener& open) {
    auto c = open();
    const auto jobs = add_jobs(*c, "dora", 2, 1);
    const auto& a = jobs[0];
    const auto& b = jobs[1];
    ASSERT_EQ(c->claim_job("dead", 1000, 1030)->id, a.id);
    ASSERT_EQ(c->claim_job("alive", 1000, 1030)->id, b.id);
    EXPECT_TRUE(c->renew_job_lease(b.id, "alive", 1060));  // the heartbeat of a live worker
    EXPECT_FALSE(c->renew_job_lease(b.id, "dead", 1060));
    EXPECT_EQ(c->lease_stats().leased_by_worker,
              (std::map<std::string, std::int64_t>{{"alive", 1}, {"dead", 1}}));
    EXPECT_EQ(c->lease_stats().expired_requeued, 0);
    EXPECT_TRUE(c->requeue_expired_jobs(1020).empty());                         // no lease over yet
    EXPECT_EQ(c->requeue_expired_jobs(1031), std::vector<std::int64_t>{a.id});  // only the dead one's
    EXPECT_EQ(c->lease_stats().leased_by_worker, (std::map<std::string, std::int64_t>{{"alive", 1}}));
    EXPECT_EQ(c->lease_stats().expired_requeued, 1);
    const auto requeued = c->find_job(a.id);
    EXPECT_EQ(requeued->state, "queued");
    EXPECT_EQ(requeued->worker, "");
    EXPECT_EQ(requeued->attempts, 1);                      // kept
    EXPECT_FALSE(c->renew_job_lease(a.id, "dead", 1090));  // the dead worker lost it
    EXPECT_FALSE(c->end_job(a.id, "dead", "finished", "", 1032));
    // Nor may it report progress on the queued job ...
    EXPECT_EQ(c->set_job_progress(a.id, "dead", "segments", 70), catalog::ProgressWrite::NotHeld);
    EXPECT_EQ(c->find_job(a.id)->stage, "queued");
    const auto again = c->claim_job("alive", 1033, 1063);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->id, a.id);
    EXPECT_EQ(again->attempts, 2);
    // ... nor on the job another worker now runs: nothing written, the holder's progress stays.
    EXPECT_EQ(c->set_job_progress(a.id, "alive", "frames", 20), catalog::ProgressWrite::Recorded);
    EXPECT_EQ(c->set_job_progress(a.id, "dead", "segments", 70), catalog::ProgressWrite::NotHeld);
    EXPECT_EQ(c->find_job(a.id)->stage, "frames");
    EXPECT_DOUBLE_EQ(c->find_job(a.id)->progress, 20);
    EXPECT_FALSE(c->release_job(a.id, "dead"));
    EXPECT_TRUE(c->release_job(a.id, "alive"));  // a stopping worker hands it back
    EXPECT_EQ(c->find_job(a.id)->state, "queued");
    EXPECT_EQ(c->find_job(a.id)->attempts, 2);
    EXPECT_EQ(c->find_job(b.id)->state, "running");
    EXPECT_EQ(c->lease_stats().expired_requeued, 1);  // a release is no expiry
}

// Intro corrections (web intros page): one per (job, video), replaced by a newer one, kept across a
// re-open, removed with their job.
void check_intro_corrections(const Opener& open) {
    std::int64_t job_id = 0;
    {
        auto c = open();
        const auto user = c->add_user("ivan", catalog::Role::DlUser, "h");
        catalog::Job job;
        job.user_id = user.id;
        job.kind = "intro detect";
        job.video_ids = {4, 5};
        job_id = c->add_job(job).id;
        EXPECT_TRUE(c->intro_corrections(job_id).empty());
        c->set_intro_correction({job_id, 5, 3.25, 9.5, user.id, 100});
        c->set_intro_correction({job_id, 4, 1.0, 2.0, user.id, 101});
        c->set_intro_correction({job_id, 5, 3.0, 9.75, user.id, 102});  // replaces the first
    }
    auto c = open();
    const auto corrections = c->intro_corrections(job_id);
    ASSERT_EQ(corrections.size(), 2u);
    EXPECT_EQ(corrections[0].video_id, 4);
    EXPECT_EQ(corrections[1].video_id, 5);
    EXPECT_DOUBLE_EQ(corrections[1].start, 3.0);
    EXPECT_DOUBLE_EQ(corrections[1].end, 9.75);
    EXPECT_EQ(corrections[1].updated, 102);
    EXPECT_EQ(corrections[1].user_id, c->find_user("ivan")->id);
    c->remove_job(job_id);
    EXPECT_TRUE(c->intro_corrections(job_id).empty());
}

// Each check on its own empty catalog: fresh_catalog() gives an opener of a new one (called
// again, the opener re-opens that same catalog).
// A Label Studio project removed: its row and every annotation pulled for it go, in one step; another
// project's rows stay; removing it again removes nothing.
void check_label_studio_removal(const Opener& open) {
    auto c = open();
    const auto owner = c->add_user("lena", catalog::Role::DlUser, "h");
    std::vector<std::int64_t> ids;
    for (const char* name : {"kept", "removed"}) {
        catalog::LabelStudioProject p;
        p.user_id = owner.id;
        p.name = name;
        p.video_ids = {1};
        p.created = 1700000000;
        const auto stored = c->add_label_studio_project(p);
        ids.push_back(stored.id);
        for (std::int64_t a = 1; a <= 3; ++a) {
            catalog::LabelStudioAnnotation annotation;
            annotation.project_id = stored.id;
            annotation.remote_id = a;
            annotation.task_id = 10 + a;
            annotation.annotation_json = "{}";
            annotation.task_data_json = "{}";
            annotation.source = "pull";
            c->put_label_studio_annotation(annotation);
        }
    }
    EXPECT_TRUE(c->remove_label_studio_project(ids[1]));
    EXPECT_FALSE(c->find_label_studio_project(ids[1]));
    EXPECT_TRUE(c->label_studio_annotations(ids[1]).empty());
    EXPECT_EQ(c->label_studio_projects(0).size(), 1u);
    EXPECT_EQ(c->find_label_studio_project(ids[0])->name, "kept");
    EXPECT_EQ(c->label_studio_annotations(ids[0]).size(), 3u);
    EXPECT_FALSE(c->remove_label_studio_project(ids[1]));
}

void check_contract(const std::function<Opener()>& fresh_catalog) {
    for (const auto& check :
         {check_users_tokens_and_hostile_text, check_uploads_videos_and_audit,
          check_jobs_claimed_once_cancelled_and_requeued, check_leases, check_intro_corrections,
          check_label_studio_removal}) {
        check(fresh_catalog());
        if (::testing::Test::HasFatalFailure()) return;
    }
}

// A PostgreSQL server for the duration of a test: a new database per call of fresh_database().
class PostgresServer {
  public:
    PostgresServer() {
        const auto start = test::run_shell("bash " + test::shell_quote(script()) + " start " +
                                           test::shell_quote(dir_.path()));
        if (start.exit_code != 0) throw std::runtime_error("PostgreSQL did not start: " + start.err);
        url_ = start.out.substr(0, start.out.find('\n'));
        const auto colon = url_.rfind(':');
        port_ = url_.substr(colon + 1, url_.rfind('/') - colon - 1);
    }
    ~PostgresServer() {
        test::run_shell("bash " + test::shell_quote(script()) + " stop " + test::shell_quote(dir_.path()));
    }
    // The URL of a new empty database.
    std::string fresh_database() {
        const std::string name = "contract_" + std::to_string(++databases_);
        const auto made = test::run_shell("psql -q -h 127.0.0.1 -p " + port_ +
                                          " -U vidseg -d vidseg -c 'CREATE DATABASE " + name + "'");
        if (made.exit_code != 0) throw std::runtime_error("CREATE DATABASE failed: " + made.err);
        return "postgresql://vidseg@127.0.0.1:" + port_ + "/" + name;
    }
    const std::string& url() const { return url_; }

  private:
    static std::filesystem::path script() { return test::source_path("tests/peers/postgres.sh"); }
    test::TempDir dir_;
    std::string url_, port_;
    int databases_ = 0;
};

}  // namespace

TEST(Catalog, SqliteContract) {
    test::TempDir dir;
    int made = 0;
    check_contract([&]() -> Opener {
        const auto path = (dir / ("catalog" + std::to_string(++made) + ".sqlite")).string();
        return [path] { return catalog::open_sqlite_catalog(path); };
    });
}

TEST(Catalog, PostgresContractAndConcurrentClaims) {
    PostgresServer server;
    check_contract([&]() -> Opener {
        const auto url = server.fresh_database();
        return [url] { return catalog::open_postgres_catalog(url); };
    });
    if (HasFatalFailure()) return;

    // 4 workers, each with its own connection, claim 60 jobs at once: every job exactly once.
    const auto url = server.fresh_database();
    add_jobs(*catalog::open_postgres_catalog(url), "eve", 60, 1);
    std::mutex mutex;
    std::multiset<std::int64_t> claimed;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&, w] {
            auto c = catalog::open_postgres_catalog(url);
            const std::string name = "w" + std::to_string(w);
            while (auto job = c->claim_job(name, 1, 100)) {
                EXPECT_TRUE(c->end_job(job->id, name, "finished", "", 2));
                std::lock_guard lock(mutex);
                claimed.insert(job->id);
            }
        });
    for (auto& t : workers) t.join();
    EXPECT_EQ(claimed.size(), 60u);
    EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()).size(), 60u);
    auto c = catalog::open_postgres_catalog(url);
    EXPECT_EQ(c->job_counts_by_state().at("finished"), 60);
    for (const auto& job : c->jobs(0)) EXPECT_EQ(job.attempts, 1) << "job " << job.id;
}

TEST(Catalog, PostgresUnreachableIsAClearError) {
    const int port = test::free_loopback_port();
    const auto error = test::thrown_error([&] {
        catalog::open_postgres_catalog("postgresql://vidseg:secret@127.0.0.1:" + std::to_string(port) + "/x");
    });
    EXPECT_EQ(error.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(error.what()).find("PostgreSQL server not reachable"), std::string::npos)
        << error.what();
    EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos)
        << error.what();  // password hidden
}

// A job's inputs (dataset build: the export and review decisions as data) are kept verbatim; a job
// without any has "{}" (schema version 2 added the column).
TEST(Catalog, JobInputsAreKept) {
    vidseg::test::TempDir dir;
    const auto path = (dir / "catalog.sqlite").string();
    std::int64_t with_inputs = 0, without = 0;
    {
        auto c = catalog::open_sqlite_catalog(path);
        const auto user = c->add_user("erin", catalog::Role::DlUser, "h");
        catalog::Job job;
        job.user_id = user.id;
        job.kind = "dataset build";
        job.video_ids = {1};
        job.inputs_json = R"({"annotations":[{"id":1}],"review":[{"item":"2","reason":"x'); --"}]})";
        with_inputs = c->add_job(job).id;
        job.inputs_json = "{}";
        without = c->add_job(job).id;
    }
    auto c = catalog::open_sqlite_catalog(path);
    EXPECT_EQ(c->find_job(with_inputs)->inputs_json,
              R"({"annotations":[{"id":1}],"review":[{"item":"2","reason":"x'); --"}]})");
    EXPECT_EQ(c->find_job(without)->inputs_json, "{}");
    EXPECT_EQ(c->claim_job("w", 1, 100)->inputs_json.substr(0, 15), R"({"annotations":)");
}
