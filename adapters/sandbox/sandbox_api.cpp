#include "adapters/sandbox/sandbox_api.hpp"

#include <SQLiteCpp/Exception.h>

namespace collab::sandbox {
namespace asio = boost::asio;
namespace {

// SQLite calls here are short and bounded, so they run on the calling thread.
template <typename F>
auto guarded(F&& read) -> ApiResult<decltype(read())> {
    try {
        return read();
    } catch (const SQLite::Exception& e) {
        return std::unexpected(ApiError{ApiErrorKind::unavailable,
                                        std::string("The sandbox state cannot be read right now (") + e.what() + ")."});
    }
}

}  // namespace

asio::awaitable<ApiResult<Database>> SandboxApi::show_database(std::string name) {
    auto found = guarded([&] { return store_.find_database(name); });
    if (!found) co_return std::unexpected(found.error());
    if (!*found) co_return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
    co_return std::move(**found);
}

asio::awaitable<ApiResult<std::vector<Collaborator>>> SandboxApi::list_collaborators(std::string database) {
    auto exists = guarded([&] { return store_.find_database(database).has_value(); });
    if (!exists) co_return std::unexpected(exists.error());
    if (!*exists) co_return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
    co_return guarded([&] { return store_.collaborators(database); });
}

asio::awaitable<ApiResult<Collaborator>> SandboxApi::invite(std::string database, std::string email) {
    co_return store_.invite(database, email, false);
}

asio::awaitable<ApiResult<void>> SandboxApi::remove(std::string database, std::string collaborator_id) {
    co_return store_.remove(database, collaborator_id);
}

asio::awaitable<ApiResult<Account>> SandboxApi::self() {
    co_return guarded([&] { return store_.bot_account(); });
}

asio::awaitable<ApiResult<std::vector<Database>>> SandboxApi::databases() {
    co_return guarded([&] { return store_.databases(); });
}

}  // namespace collab::sandbox
