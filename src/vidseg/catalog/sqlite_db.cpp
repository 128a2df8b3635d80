#include "vidseg/catalog/sqlite_db.hpp"

#include <sqlite3.h>

#include "vidseg/core/error.hpp"

namespace vidseg::catalog {

SqliteDb::SqliteDb(const std::string& path) : path_(path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(ErrorCode::OutputError, "cannot open the catalog: " + message, path);
    }
    // Another process (`vidseg users add` beside a running server) may hold the write lock briefly.
    sqlite3_busy_timeout(db_, 10000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
}

SqliteDb::~SqliteDb() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.statement);
    sqlite3_close_v2(db_);
}

sqlite3_stmt* SqliteDb::prepare(const std::string& sql, bool keep) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1),
                           keep ? SQLITE_PREPARE_PERSISTENT : 0, &statement, nullptr) != SQLITE_OK)
        fail("cannot prepare '" + sql + "'");
    return statement;
}

void SqliteDb::fail(const std::string& what) const {
    throw Error(ErrorCode::OutputError, "catalog: " + what + ": " + sqlite3_errmsg(db_), path_);
}

void SqliteDb::exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw Error(ErrorCode::OutputError, "catalog: " + text, path_);
    }
}

std::int64_t SqliteDb::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}
int SqliteDb::changes() const {
    return sqlite3_changes(db_);
}

Statement::Statement(SqliteDb& db, const std::string& sql) : db_(db) {
    auto it = db.cache_.find(sql);
    if (it == db.cache_.end())
        it = db.cache_.emplace(sql, SqliteDb::CachedStatement{db.prepare(sql, true)}).first;
    if (it->second.in_use) {
        statement_ = db.prepare(sql, false);
        return;
    }
    statement_ = it->second.statement;
    cached_in_use_ = &it->second.in_use;  // unordered_map nodes do not move when it grows
    *cached_in_use_ = true;
}

Statement::~Statement() {
    if (!cached_in_use_) {
        sqlite3_finalize(statement_);
        return;
    }
    // Back to the cache: reset ends the statement's read (or write) transaction at once, as finalize did.
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    *cached_in_use_ = false;
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) db_.fail("bind");
    return *this;
}
Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) db_.fail("bind");
    return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
    if (sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK)
        db_.fail("bind");
    return *this;
}
Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(statement_, index) != SQLITE_OK) db_.fail("bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (rc == SQLITE_CONSTRAINT)
        throw Error(ErrorCode::InvalidArgument, std::string("catalog: ") + sqlite3_errmsg(db_.handle()));
    db_.fail("step");
}

void Statement::run() {
    while (step()) {
    }
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(statement_, column);
}
double Statement::real(int column) const {
    return sqlite3_column_double(statement_, column);
}
std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(statement_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(statement_, column)))
             : std::string{};
}
bool Statement::is_null(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Transaction::Transaction(SqliteDb& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
        }
    }
}
void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace vidseg::catalog
