#pragma once
// Where a proposal's confirmation token waits for its button: a Discord custom_id holds 100
// characters, fewer than a sealed token needs (it names the database, the address and the
// collaborator record), so the button carries a random id and the token is kept under it in the
// shared state (memory, or PostgreSQL for several instances) until the proposal expires. Any
// instance finds the token by the id; a client can neither read the token nor forge an id that
// names another proposal (128 random bits), and the token itself stays sealed and checked by the
// core as ever (who clicks, where, until when, once).

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

#include "adapters/store/shared_state.hpp"

namespace collab::discord {

class ProposalShelf {
public:
    explicit ProposalShelf(store::SharedState& shared) : shared_(shared) {}

    // Keeps `token` until `expires_at`; the id for the buttons (32 hex digits).
    boost::asio::awaitable<ApiResult<std::string>> put_away(std::string token, TimePoint expires_at);
    // The token kept under `id`; nothing once it expired, or when no proposal had that id.
    boost::asio::awaitable<ApiResult<std::optional<std::string>>> find(std::string id, TimePoint now);

private:
    store::SharedState& shared_;
};

}  // namespace collab::discord
