// The embedded SQLite catalog: schema creation and re-opening, users, tokens, job claiming,
// cancellation and re-queueing, hostile text stored verbatim.
#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "vidseg/catalog/catalog.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;

TEST(Catalog, UsersTokensAndHostileText) {
    vidseg::test::TempDir dir;
    const auto path = (dir / "catalog.sqlite").string();
    {
        auto c = catalog::open_sqlite_catalog(path);
        const auto anna = c->add_user("anna", catalog::Role::DlUser, "$argon2id$x");
        EXPECT_EQ(anna.name, "anna");
        EXPECT_THROW(c->add_user("anna", catalog::Role::Admin, "h"), Error);
        const auto token = c->add_token(anna.id, "x'); DROP TABLE users;--\n\x01", "hash1");
        EXPECT_EQ(c->find_token("hash1")->label, "x'); DROP TABLE users;--\n\x01");
        EXPECT_TRUE(c->revoke_token(anna.id, token.id));
        EXPECT_FALSE(c->revoke_token(anna.id + 1, token.id));
        EXPECT_TRUE(c->find_token("hash1")->revoked);
    }
    auto c = catalog::open_sqlite_catalog(path);  // re-opened: schema kept, data kept
    EXPECT_EQ(c->user_count(), 1);
    EXPECT_EQ(c->find_user("anna")->role, catalog::Role::DlUser);
    EXPECT_FALSE(c->find_user("anna' OR '1'='1"));
}

TEST(Catalog, JobsAreClaimedOnceCancelledAndRequeued) {
    vidseg::test::TempDir dir;
    auto c = catalog::open_sqlite_catalog((dir / "catalog.sqlite").string());
    const auto user = c->add_user("bob", catalog::Role::DlUser, "h");
    catalog::Job job;
    job.user_id = user.id;
    job.kind = "prepare";
    job.video_ids = {7};
    const auto a = c->add_job(job);
    const auto b = c->add_job(job);
    EXPECT_EQ(c->jobs_of_video(7).size(), 2u);
    const auto first = c->claim_job("w1", 100);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->id, a.id);
    EXPECT_EQ(first->state, "running");
    EXPECT_EQ(first->attempts, 1);
    const auto second = c->claim_job("w2", 101);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, b.id);
    EXPECT_FALSE(c->claim_job("w1", 102));
    EXPECT_FALSE(c->request_job_cancel(a.id, 103));  // running: flagged for its worker
    EXPECT_TRUE(c->find_job(a.id)->cancel_requested);
    EXPECT_TRUE(c->set_job_progress(a.id, "segments", 10));  // the worker learns of the cancel
    EXPECT_FALSE(c->set_job_progress(b.id, "segments", 42.5));
    EXPECT_EQ(c->find_job(b.id)->stage, "segments");
    EXPECT_EQ(c->requeue_running_jobs("w2"), 1);  // only w2's job
    EXPECT_EQ(c->find_job(b.id)->state, "queued");
    EXPECT_EQ(c->find_job(a.id)->state, "running");
    c->end_job(a.id, "cancelled", "cancelled", 104);
    EXPECT_EQ(c->find_job(a.id)->stage, "cancelled");
    EXPECT_TRUE(c->requeue_job(a.id));
    EXPECT_FALSE(c->requeue_job(a.id));  // already queued
    const auto counts = c->job_counts_by_state();
    EXPECT_EQ(counts.at("queued"), 2);
    EXPECT_EQ(counts.at("running"), 0);
    c->add_job_file(a.id, {"tasks.json", "bob/jobs/1/tasks.json", 10});
    EXPECT_EQ(c->job_files(a.id).size(), 1u);
    c->remove_job(a.id);
    EXPECT_FALSE(c->find_job(a.id));
    EXPECT_TRUE(c->job_files(a.id).empty());
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
    EXPECT_EQ(c->claim_job("w", 1)->inputs_json.substr(0, 15), R"({"annotations":)");
}
