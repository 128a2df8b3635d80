// The Label Studio connection's pieces that need no Label Studio server: token kinds, client settings, a
// server that is not there, the catalog's Label Studio tables (SQLite; PostgreSQL in
// tests/python/test_platform_postgres.py) and the export rebuilt from stored annotations. The round trip
// with a real Label Studio is tests/python/test_label_studio_platform.py.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/test_support.hpp"
#include "vidseg/catalog/catalog.hpp"
#include "vidseg/labelstudio/label_studio_client.hpp"
#include "vidseg/platform/label_studio_service.hpp"

using namespace vidseg;

namespace {

// A loopback port nothing listens on (bound, then closed).
int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

TEST(LabelStudioClient, TellsPersonalAccessTokensFromLegacyTokens) {
    EXPECT_TRUE(labelstudio::is_personal_access_token(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.n3Xq-_abc"));
    EXPECT_FALSE(labelstudio::is_personal_access_token("0123456789abcdef0123456789abcdef01234567"));
    EXPECT_FALSE(labelstudio::is_personal_access_token("a.b"));
    EXPECT_FALSE(labelstudio::is_personal_access_token("a.b.c.d"));
    EXPECT_FALSE(labelstudio::is_personal_access_token("a..c"));
    EXPECT_FALSE(labelstudio::is_personal_access_token("a.b c.d"));
}

TEST(LabelStudioClient, RefusesBadSettings) {
    EXPECT_EQ(test::thrown_code([] {
                  labelstudio::Client({"ftp://ls.local", "t"});
              }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] {
                  labelstudio::Client({"http://ls.local", ""});
              }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(labelstudio::Client({"http://ls.local:8080//", "t"}).url(), "http://ls.local:8080");
}

TEST(LabelStudioClient, AServerThatIsNotThereIsUnreachable) {
    const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
    for (const std::string token : {"0123456789abcdef0123456789abcdef01234567", "eyJh.eyJ0.sig"}) {
        labelstudio::Client client({url, token, 2, 5});
        try {
            client.whoami();
            FAIL() << "no error for " << token;
        } catch (const labelstudio::LabelStudioError& e) {
            EXPECT_EQ(e.failure(), labelstudio::Failure::Unreachable) << token;
            EXPECT_EQ(e.status(), 0);
            EXPECT_EQ(e.code(), ErrorCode::Unsupported);
            EXPECT_NE(std::string(e.what()).find(url + " is not reachable"), std::string::npos) << e.what();
        }
    }
}

TEST(LabelStudioCatalog, ProjectsAndEveryAnnotatorsVersion) {
    test::TempDir dir;
    auto c = catalog::open_sqlite_catalog((dir / "catalog.sqlite").string());
    const auto anna = c->add_user("anna", catalog::Role::DlUser, "h");
    catalog::LabelStudioProject p;
    p.user_id = anna.id;
    p.name = "Уроки 7А";
    p.video_ids = {3, 4};
    p.label_config = "<View/>";
    p.patterns_json = R"([{"name":"x'); DROP TABLE users;--","description":""}])";
    p.created = 1800000000;
    p = c->add_label_studio_project(p);
    EXPECT_GT(p.id, 0);
    EXPECT_EQ(c->find_label_studio_project(p.id)->state, "creating");
    EXPECT_FALSE(c->find_label_studio_project_by_remote(0));  // not created in Label Studio yet
    p.remote_id = 17;
    p.state = "error";
    p.error = "Label Studio at http://ls is not reachable";
    p.task_count = 2;
    p.last_pull = 1800000100;
    c->update_label_studio_project(p);
    const auto back = c->find_label_studio_project_by_remote(17);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->video_ids, (std::vector<std::int64_t>{3, 4}));
    EXPECT_EQ(back->patterns_json, p.patterns_json);
    EXPECT_EQ(back->error, p.error);
    EXPECT_EQ(back->task_count, 2);
    EXPECT_EQ(back->last_pull, 1800000100);
    EXPECT_EQ(c->label_studio_projects(anna.id).size(), 1u);
    EXPECT_EQ(c->label_studio_projects(anna.id + 1).size(), 0u);
    EXPECT_EQ(c->label_studio_projects(0).size(), 1u);

    // Two annotators of one task; a later delivery of the same annotation replaces it.
    catalog::LabelStudioAnnotation a{
        p.id,      100,   70, 3, 1, "anna@school.test", R"({"id":100,"result":[]})", R"({"video":"v.mp4"})",
        "webhook", false, 1};
    c->put_label_studio_annotation(a);
    a.annotation_json = R"({"id":100,"completed_by":1,"result":[]})";
    a.source = "pull";
    a.missing = true;
    c->put_label_studio_annotation(a);
    c->put_label_studio_annotation({p.id, 101, 70, 3, 2, "boris@school.test",
                                    R"({"id":101,"completed_by":2})", R"({"video":"v.mp4"})", "pull", false,
                                    2});
    const auto stored = c->label_studio_annotations(p.id);
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_EQ(stored[0].annotation_json, a.annotation_json);
    EXPECT_EQ(stored[0].source, "pull");
    EXPECT_TRUE(stored[0].missing);
    EXPECT_EQ(stored[1].annotator, "boris@school.test");

    // As a Label Studio JSON export: one task with both annotations.
    const auto exported = platform::LabelStudioService::export_of(stored);
    ASSERT_EQ(exported.size(), 1u);
    EXPECT_EQ(exported[0]["id"], 70);
    EXPECT_EQ(exported[0]["data"]["video"], "v.mp4");
    ASSERT_EQ(exported[0]["annotations"].size(), 2u);
    EXPECT_EQ(exported[0]["annotations"][1]["completed_by"], 2);
}
