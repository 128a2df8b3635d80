// The SQLite layer's statement cache (src/vidseg/catalog/sqlite_db.hpp): a statement is prepared once
// per connection and reused; reuse must not carry bindings or an open read transaction over, a nested
// use of the same text gets its own statement, and a failed step leaves the cached one usable.
#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "vidseg/catalog/sqlite_db.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;
using catalog::SqliteDb;
using catalog::Statement;

namespace {

std::int64_t count_rows(SqliteDb& db) {
    Statement s(db, "SELECT count(*) FROM t");
    s.step();
    return s.integer(0);
}

}  // namespace

TEST(SqliteStatementCache, ReusesOneStatementPerTextWithoutStaleBindings) {
    test::TempDir dir;
    SqliteDb db((dir.path() / "c.sqlite").string());
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    const auto before = db.cached_statements();
    for (int i = 0; i < 50; ++i)
        Statement(db, "INSERT INTO t (name) VALUES (?)").bind(1, "n" + std::to_string(i)).run();
    EXPECT_EQ(db.cached_statements(), before + 1);
    EXPECT_EQ(count_rows(db), 50);
    // The next use binds nothing: the parameter is NULL again, not the last use's "n49".
    Statement(db, "INSERT INTO t (name) VALUES (?)").run();
    Statement nulls(db, "SELECT count(*) FROM t WHERE name IS NULL");
    ASSERT_TRUE(nulls.step());
    EXPECT_EQ(nulls.integer(0), 1);
}

TEST(SqliteStatementCache, NestedUseOfTheSameTextGetsItsOwnStatement) {
    test::TempDir dir;
    SqliteDb db((dir.path() / "c.sqlite").string());
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
    db.exec("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')");
    const std::string sql = "SELECT name FROM t WHERE id >= ? ORDER BY id";
    Statement outer(db, sql);
    outer.bind(1, std::int64_t{1});
    std::string pairs;
    while (outer.step()) {
        Statement inner(db, sql);  // the cached one is still stepping: a private statement
        inner.bind(1, std::int64_t{3});
        ASSERT_TRUE(inner.step());
        pairs += outer.text(0) + inner.text(0) + " ";
    }
    EXPECT_EQ(pairs, "ac bc cc ");
}

TEST(SqliteStatementCache, AReturnedStatementEndsItsReadTransaction) {
    test::TempDir dir;
    const auto path = (dir.path() / "c.sqlite").string();
    SqliteDb reader(path);
    reader.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
    reader.exec("INSERT INTO t (name) VALUES ('a'), ('b')");
    {
        Statement partial(reader, "SELECT name FROM t ORDER BY id");
        ASSERT_TRUE(partial.step());  // one row of two read, then given back to the cache
    }
    SqliteDb writer(path);
    writer.exec("INSERT INTO t (name) VALUES ('c')");
    // Had the cached statement kept its read transaction, the reader would still see its old snapshot.
    EXPECT_EQ(count_rows(reader), 3);
    Statement again(reader, "SELECT name FROM t ORDER BY id");
    ASSERT_TRUE(again.step());
    EXPECT_EQ(again.text(0), "a");
}

TEST(SqliteStatementCache, AFailedStepLeavesTheCachedStatementUsable) {
    test::TempDir dir;
    SqliteDb db((dir.path() / "c.sqlite").string());
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    const std::string sql = "INSERT INTO t (name) VALUES (?)";
    Statement(db, sql).bind(1, std::string("x")).run();
    EXPECT_EQ(test::thrown_code([&] { Statement(db, sql).bind(1, std::string("x")).run(); }),
              ErrorCode::InvalidArgument);
    Statement(db, sql).bind(1, std::string("y")).run();
    EXPECT_EQ(count_rows(db), 2);
}
