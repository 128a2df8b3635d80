// The short cache of authenticated API tokens (platform/token_cache.hpp): a second request with a token
// does not look it up in the catalog, and every change made through the same process — revoke, role
// change, logout, language — applies to the very next request, not after the cache's time to live.
// "Another process" is simulated by changing the catalog directly, behind the Accounts' back.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/test_support.hpp"
#include "vidseg/catalog/catalog.hpp"
#include "vidseg/platform/accounts.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/token_cache.hpp"

using namespace vidseg;

namespace {

int status_of(platform::Accounts& accounts, const std::string& token) {
    try {
        accounts.authenticate_token(token);
        return 200;
    } catch (const platform::ApiError& e) {
        return e.status();
    }
}

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<catalog::Catalog> catalog =
        catalog::open_sqlite_catalog((dir.path() / "c.sqlite").string());
    platform::Accounts accounts{*catalog, platform::AccountsConfig{.token_cache_seconds = 60}};
    catalog::User anna = accounts.create_user("anna", catalog::Role::DlUser, "anna-secret-pw");
    platform::NewToken token = accounts.create_token(anna, "script");
};

}  // namespace

TEST(AccountsTokenCache, SecondRequestIsAnsweredWithoutTheCatalog) {
    Fixture f;
    EXPECT_EQ(f.accounts.authenticate_token(f.token.secret).user.role, catalog::Role::DlUser);
    // Another process makes anna an admin: within the time to live this one still has her as she was.
    f.catalog->set_role(f.anna.id, catalog::Role::Admin);
    EXPECT_EQ(f.accounts.authenticate_token(f.token.secret).user.role, catalog::Role::DlUser);
    // ... and revokes her token: still known here (the bounded staleness of several processes).
    ASSERT_TRUE(f.catalog->revoke_token(f.anna.id, f.token.record.id));
    EXPECT_EQ(status_of(f.accounts, f.token.secret), 200);
}

TEST(AccountsTokenCache, RevokeInThisProcessTakesEffectAtOnce) {
    Fixture f;
    const auto other = f.accounts.create_token(f.anna, "other script");
    ASSERT_EQ(status_of(f.accounts, f.token.secret), 200);
    ASSERT_EQ(status_of(f.accounts, other.secret), 200);
    f.accounts.revoke_token(f.anna, f.token.record.id);
    EXPECT_EQ(status_of(f.accounts, f.token.secret), 401);
    EXPECT_EQ(status_of(f.accounts, f.token.secret), 401);  // not cached as valid by the failed lookup
    EXPECT_EQ(status_of(f.accounts, other.secret), 200);    // the user's other token stays
    EXPECT_THROW(f.accounts.revoke_token(f.anna, 999), platform::ApiError);
}

TEST(AccountsTokenCache, RoleChangeLanguageAndLogoutInThisProcessTakeEffectAtOnce) {
    Fixture f;
    const auto admin = f.accounts.create_user("root", catalog::Role::Admin, "root-secret-pw");
    const platform::Principal root{admin};
    ASSERT_EQ(f.accounts.authenticate_token(f.token.secret).user.role, catalog::Role::DlUser);
    f.accounts.set_role(root, f.anna.id, catalog::Role::Admin, "127.0.0.1");
    EXPECT_EQ(f.accounts.authenticate_token(f.token.secret).user.role, catalog::Role::Admin);

    const auto before = f.accounts.authenticate_token(f.token.secret).user.language;
    const std::string other = before == "ru" ? "en" : "ru";
    f.accounts.set_language(f.accounts.authenticate_token(f.token.secret), other);
    EXPECT_EQ(f.accounts.authenticate_token(f.token.secret).user.language, other);

    // A change behind the cache, then a logout through this process: the next request reads the catalog.
    f.catalog->set_role(f.anna.id, catalog::Role::DlUser);
    EXPECT_EQ(f.accounts.authenticate_token(f.token.secret).user.role, catalog::Role::Admin);  // cached
    f.accounts.logout(f.accounts.authenticate_token(f.token.secret));
    EXPECT_EQ(f.accounts.authenticate_token(f.token.secret).user.role, catalog::Role::DlUser);
}

TEST(AccountsTokenCache, EntriesExpireAndZeroTurnsTheCacheOff) {
    platform::TokenCache cache(std::chrono::milliseconds(50));
    catalog::User u;
    u.id = 7;
    cache.put("t", {3, u}, cache.generation());
    ASSERT_TRUE(cache.find("t"));
    EXPECT_EQ(cache.find("t")->token_id, 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    EXPECT_FALSE(cache.find("t"));

    // A lookup that overlapped a revoke is not kept (it may have read the token before the revoke).
    const auto generation = cache.generation();
    cache.forget_token(3);
    cache.put("t", {3, u}, generation);
    EXPECT_FALSE(cache.find("t"));

    platform::TokenCache off(std::chrono::milliseconds(0));
    off.put("t", {3, u}, off.generation());
    EXPECT_FALSE(off.find("t"));

    platform::TokenCache bounded(std::chrono::seconds(60), 2);
    bounded.put("a", {1, u}, 0);
    bounded.put("b", {2, u}, 0);
    bounded.put("c", {3, u}, 0);  // full of live entries: emptied, then c kept
    EXPECT_FALSE(bounded.find("a"));
    EXPECT_TRUE(bounded.find("c"));
}
