#include "adapters/chat/discord/proposal_shelf.hpp"

#include "adapters/security/random.hpp"

namespace collab::discord {
namespace {

constexpr std::size_t id_bytes = 16;

// Apart from every other kind of key the shared state keeps.
std::string key_of(const std::string& id) {
    return "discord-proposal\n" + id;
}

}  // namespace

boost::asio::awaitable<ApiResult<std::string>> ProposalShelf::put_away(std::string token, TimePoint expires_at) {
    std::string id = security::random_hex(id_bytes);
    std::string key = key_of(id);
    auto kept = co_await shared_.keep(std::move(key), std::move(token), expires_at);
    if (!kept) co_return std::unexpected(kept.error());
    co_return id;
}

boost::asio::awaitable<ApiResult<std::optional<std::string>>> ProposalShelf::find(std::string id, TimePoint now) {
    std::string key = key_of(id);
    co_return co_await shared_.recall(std::move(key), now);
}

}  // namespace collab::discord
