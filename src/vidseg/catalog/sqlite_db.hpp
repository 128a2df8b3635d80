// A thin RAII layer over the SQLite C API for the catalog: one connection, prepared statements with
// bound parameters (never SQL text built from values), errors as vidseg::Error naming the database.
//
// Statements are prepared once per connection and kept (SqliteDb's statement cache, keyed by the SQL
// text): preparing was a third of the catalog's CPU under load (3-4 statements per API request). A
// SqliteDb and its cache are used by one thread at a time; the catalog's mutex guarantees it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace vidseg::catalog {

class SqliteDb;

// One use of a prepared statement: borrowed from the connection's cache (reset and unbound again
// when destroyed, which also ends its read transaction), or prepared for this use alone when the
// cached one of the same text is still in use (nested use).
class Statement {
  public:
    Statement(SqliteDb& db, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are numbered from 1 in the order they appear.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bind_null(int index);
    template <typename... Args>
    Statement& bind_all(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    bool step();  // true while a row is available
    void run();   // steps to completion

    std::int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

  private:
    SqliteDb& db_;
    sqlite3_stmt* statement_ = nullptr;
    bool* cached_in_use_ = nullptr;  // the cache entry's flag when borrowed from the cache
};

class SqliteDb {
  public:
    explicit SqliteDb(const std::string& path);  // creates the file; WAL mode, foreign keys on
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec(const std::string& sql);  // statements without parameters (schema, BEGIN/COMMIT)
    std::int64_t last_insert_id() const;
    int changes() const;
    [[noreturn]] void fail(const std::string& what) const;
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }
    std::size_t cached_statements() const { return cache_.size(); }

  private:
    friend class Statement;
    struct CachedStatement {
        sqlite3_stmt* statement = nullptr;
        bool in_use = false;
    };
    sqlite3_stmt* prepare(const std::string& sql, bool keep);

    std::string path_;
    sqlite3* db_ = nullptr;
    // Keyed by SQL text: the catalog's texts are constants, so the cache holds at most one entry per
    // statement of the catalog's code (values are always bound, never part of the text).
    std::unordered_map<std::string, CachedStatement> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (an exception on the way).
class Transaction {
  public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    void commit();

  private:
    SqliteDb& db_;
    bool done_ = false;
};

}  // namespace vidseg::catalog
