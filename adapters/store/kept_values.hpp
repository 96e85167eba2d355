#pragma once
// Values kept under a short key for a while, for whoever holds the key to recall: what a chat button
// too small for a confirmation token carries is such a key (Discord's custom_id holds 100 characters).

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

#include "core/ports.hpp"

namespace collab::store {

class KeptValues {
public:
    virtual ~KeptValues() = default;
    // Keeps `value` under `key` until `keep_until`. A key already kept keeps its first value.
    virtual boost::asio::awaitable<ApiResult<void>> keep(std::string key, std::string value, TimePoint keep_until) = 0;
    // The value kept under `key`, if its deadline is still ahead of `now`.
    virtual boost::asio::awaitable<ApiResult<std::optional<std::string>>> recall(std::string key, TimePoint now) = 0;
};

}  // namespace collab::store
