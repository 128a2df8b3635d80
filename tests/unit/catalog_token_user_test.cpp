// The token check of every API request in one catalog lookup (Catalog::find_token_with_user, a join
// on SQLite): the same token and user as find_token() + user_by_id(), revoked tokens returned as
// revoked (the caller refuses them), unknown hashes and hostile text not found.
#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "vidseg/catalog/catalog.hpp"

using namespace vidseg;

TEST(CatalogTokenUser, OneLookupGivesWhatTheTwoLookupsGive) {
    test::TempDir dir;
    auto c = catalog::open_sqlite_catalog((dir.path() / "catalog.sqlite").string());
    const auto anna = c->add_user("anna", catalog::Role::Admin, "$argon2id$a");
    const auto bob = c->add_user("bob", catalog::Role::DlUser, "$argon2id$b");
    c->add_token(anna.id, "script", "hash-a");
    const auto b = c->add_token(bob.id, "ci", "hash-b");
    c->touch_token(b.id, 1796601600);

    for (const std::string hash : {"hash-a", "hash-b"}) {
        const auto joined = c->find_token_with_user(hash);
        ASSERT_TRUE(joined) << hash;
        const auto token = *c->find_token(hash);
        const auto user = *c->user_by_id(token.user_id);
        EXPECT_EQ(joined->first.id, token.id);
        EXPECT_EQ(joined->first.user_id, token.user_id);
        EXPECT_EQ(joined->first.label, token.label);
        EXPECT_EQ(joined->first.token_hash, hash);
        EXPECT_EQ(joined->first.created, token.created);
        EXPECT_EQ(joined->first.last_used, token.last_used);
        EXPECT_EQ(joined->first.revoked, false);
        EXPECT_EQ(joined->second.id, user.id);
        EXPECT_EQ(joined->second.name, user.name);
        EXPECT_EQ(joined->second.role, user.role);
        EXPECT_EQ(joined->second.password_hash, user.password_hash);
        EXPECT_EQ(joined->second.created, user.created);
    }
    EXPECT_EQ(c->find_token_with_user("hash-b")->first.last_used, 1796601600);
    EXPECT_EQ(c->find_token_with_user("hash-a")->second.role, catalog::Role::Admin);
    EXPECT_EQ(c->find_token_with_user("hash-b")->second.name, "bob");

    ASSERT_TRUE(c->revoke_token(bob.id, b.id));
    EXPECT_TRUE(c->find_token_with_user("hash-b")->first.revoked);
    EXPECT_FALSE(c->find_token_with_user("hash-c"));
    EXPECT_FALSE(c->find_token_with_user("hash-a' OR '1'='1"));
    EXPECT_FALSE(c->find_token_with_user(""));
}
