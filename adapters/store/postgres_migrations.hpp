#pragma once
// The schema of the bot's state on PostgreSQL, versioned: each connection applies the migrations this
// build knows and the server has not seen, in one transaction under an advisory lock, so instances that
// start together apply each one exactly once.

#include <expected>
#include <string>

#include "adapters/store/postgres_session.hpp"

namespace collab::store {

// Brings the schema to this build's version; the error completes "The bot's database (...) ".
std::expected<void, std::string> migrate(PostgresSession& session);

}  // namespace collab::store
