#pragma once
// The audit trail in a SQLite file of the state directory.

#include <SQLiteCpp/Database.h>

#include <filesystem>

#include "core/ports.hpp"

namespace collab::store {

class SqliteAuditLog final : public AuditLog {
public:
    explicit SqliteAuditLog(const std::filesystem::path& file);  // throws StateError

    boost::asio::awaitable<ApiResult<void>> record(AuditEntry entry) override;
    boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(std::string database, int limit) override;

private:
    SQLite::Database db_;
};

}  // namespace collab::store
