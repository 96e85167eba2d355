#pragma once
// The audit trail's rows, the same in every store: the columns in the order they are written and read.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"

namespace collab::store {

// at_ms, then one column for each text field of AuditEntry, in declaration order.
inline constexpr std::string_view audit_columns =
    "at_ms, platform, team, channel, user_id, email, action, database_name, target, outcome, detail";
inline constexpr std::size_t audit_column_count = 11;

// The SELECT that reads an AuditQuery's rows, newest first: its text parameters in order (the
// database, then the filters asked for), the limit as the one after them. `mark` spells parameter n
// in the store's dialect ("?" for SQLite, "$" for PostgreSQL, both numbered from 1).
struct AuditSelect {
    std::string sql;
    std::vector<std::string> parameters;
};
AuditSelect audit_select(const AuditQuery& query, std::string_view mark);

// The outcome a row names; one this build does not know reads as failed.
AuditOutcome outcome_from(std::string_view text);

}  // namespace collab::store
