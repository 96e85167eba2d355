#include "core/ports.hpp"

namespace collab {

boost::asio::awaitable<ApiResult<CachedSnapshot>> CollaboratorsApi::snapshot(std::string database) {
    auto info = co_await show_database(database);
    if (!info) co_return std::unexpected(info.error());
    auto collaborators = co_await list_collaborators(database);
    if (!collaborators) co_return std::unexpected(collaborators.error());
    DatabaseSnapshot state{std::move(*info), std::move(*collaborators)};
    co_return CachedSnapshot{std::make_shared<const DatabaseSnapshot>(std::move(state)), 0};
}

boost::asio::awaitable<std::vector<ApiResult<CachedSnapshot>>> CollaboratorsApi::snapshots(
    std::vector<std::string> databases) {
    std::vector<ApiResult<CachedSnapshot>> read;
    read.reserve(databases.size());
    for (auto& database : databases) read.push_back(co_await snapshot(std::move(database)));
    co_return read;
}

}  // namespace collab
