#include "adapters/sandbox/sandbox_api.hpp"

#include <SQLiteCpp/Exception.h>

#include <functional>

namespace collab::sandbox {
namespace asio = boost::asio;
namespace {

template <typename F>
auto guarded(F&& read) -> ApiResult<decltype(read())> {
    try {
        return read();
    } catch (const SQLite::Exception& e) {
        return std::unexpected(ApiError{ApiErrorKind::unavailable,
                                        std::string("The sandbox state cannot be read right now (") + e.what() + ")."});
    }
}

ApiError not_found() {
    return ApiError{ApiErrorKind::not_found, "app not found"};
}

}  // namespace

SandboxApi::SandboxApi(SandboxStore& store)
    : store_(store),
      worker_(store_, ApiError{ApiErrorKind::unavailable, "The request to the sandbox was cancelled."}) {}

asio::awaitable<ApiResult<Database>> SandboxApi::show_database(std::string name) {
    std::function<ApiResult<Database>(SandboxStore&)> work =
        [name = std::move(name)](SandboxStore& store) -> ApiResult<Database> {
        auto found = guarded([&] { return store.find_database(name); });
        if (!found) return std::unexpected(found.error());
        if (!*found) return std::unexpected(not_found());
        return std::move(**found);
    };
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<std::vector<Collaborator>>> SandboxApi::list_collaborators(std::string database) {
    using List = std::vector<Collaborator>;
    std::function<ApiResult<List>(SandboxStore&)> work =
        [database = std::move(database)](SandboxStore& store) -> ApiResult<List> {
        auto exists = guarded([&] { return store.find_database(database).has_value(); });
        if (!exists) return std::unexpected(exists.error());
        if (!*exists) return std::unexpected(not_found());
        return guarded([&] { return store.collaborators(database); });
    };
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<Collaborator>> SandboxApi::invite(std::string database, std::string email) {
    std::function<ApiResult<Collaborator>(SandboxStore&)> work = [database = std::move(database),
                                                                  email = std::move(email)](SandboxStore& store) {
        return store.invite(database, email, false);
    };
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<void>> SandboxApi::remove(std::string database, std::string collaborator_id) {
    std::function<ApiResult<void>(SandboxStore&)> work =
        [database = std::move(database), collaborator_id = std::move(collaborator_id)](SandboxStore& store) {
            return store.remove(database, collaborator_id);
        };
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<Account>> SandboxApi::self() {
    std::function<ApiResult<Account>(SandboxStore&)> work = [](SandboxStore& store) {
        return guarded([&] { return store.bot_account(); });
    };
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<std::vector<Database>>> SandboxApi::databases() {
    using List = std::vector<Database>;
    std::function<ApiResult<List>(SandboxStore&)> work = [](SandboxStore& store) {
        return guarded([&] { return store.databases(); });
    };
    co_return co_await worker_.call(std::move(work));
}

}  // namespace collab::sandbox
