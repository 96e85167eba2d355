#include "adapters/store/local_state.hpp"

#include <algorithm>
#include <functional>

namespace collab::store {
LocalState::LocalState(LocalStateOptions options) : options_(options) {}

boost::asio::awaitable<ApiResult<ClaimState>> LocalState::claim(std::string key, std::string owner, std::string work,
                                                                std::chrono::milliseconds lease) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    forget_past_their_time(now);
    const Digest digest = digest_of(key);
    if (answered(digest)) co_return ClaimState::answered;
    if (auto found = claimed_.find(digest); found != claimed_.end()) {
        Claimed& claimed = found->second;
        if (claimed.lease_until > now) co_return ClaimState::running;
        claimed.owner = std::move(owner);
        claimed.lease_until = now + lease;
        co_return ClaimState::taken_over;
    }
    claimed_.emplace(digest, Claimed{std::move(key), std::move(owner), now + lease, std::move(work), claims_made_++});
    keep_within_capacity();
    co_return ClaimState::won;
}

bool LocalState::answered(Digest digest) const {
    return newer_.digests.contains(digest) || older_.digests.contains(digest);
}

void LocalState::note_answered(Digest digest, std::chrono::steady_clock::time_point now) {
    const std::size_t half = std::max<std::size_t>(1, options_.claim_capacity / 2);
    if (!newer_.digests.empty() &&
        (newer_.digests.size() >= half || now - newer_.first >= options_.remember_answered)) {
        const bool filled = newer_.digests.size() >= half;
        std::swap(newer_, older_);
        newer_.let_go();
        // A generation that filled up foretells the next: its table is made whole at once, rather
        // than doubled step by step, each step holding the old table and the new together.
        if (filled) newer_.digests.reserve(half);
    }
    if (newer_.digests.empty()) newer_.first = now;
    newer_.digests.insert(digest);
    newer_.newest = now;
}

void LocalState::forget_past_their_time(std::chrono::steady_clock::time_point now) {
    // A claim still worked on (or left for a takeover) is kept whatever its age.
    for (Generation* generation : {&older_, &newer_})
        if (!generation->digests.empty() && now - generation->newest >= options_.remember_answered)
            generation->let_go();
}

void LocalState::keep_within_capacity() {
    auto remembered = [&] { return claimed_.size() + newer_.digests.size() + older_.digests.size(); };
    if (remembered() > options_.claim_capacity) older_.let_go();
    if (remembered() > options_.claim_capacity) newer_.let_go();
    while (remembered() > options_.claim_capacity) {
        // Only when the claims still running alone pass the capacity: the oldest goes, and its answer
        // will not be remembered.
        auto oldest = claimed_.begin();
        for (auto it = claimed_.begin(); it != claimed_.end(); ++it)
            if (it->second.order < oldest->second.order) oldest = it;
        claimed_.erase(oldest);
    }
}

boost::asio::awaitable<ApiResult<bool>> LocalState::renew(std::string key, std::string owner,
                                                          std::chrono::milliseconds lease) {
    std::lock_guard lock(mutex_);
    auto found = claimed_.find(digest_of(key));
    if (found == claimed_.end() || found->second.owner != owner) co_return false;
    found->second.lease_until = std::chrono::steady_clock::now() + lease;
    co_return true;
}

boost::asio::awaitable<ApiResult<void>> LocalState::complete(std::string key) {
    std::lock_guard lock(mutex_);
    const Digest digest = digest_of(key);
    if (claimed_.erase(digest) > 0) note_answered(digest, std::chrono::steady_clock::now());
    co_return ApiResult<void>{};
}

boost::asio::awaitable<ApiResult<std::vector<Orphan>>> LocalState::take_over_lapsed(std::string owner,
                                                                                    std::chrono::milliseconds lease,
                                                                                    int limit) {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    std::vector<Orphan> orphans;
    for (auto& [digest, claimed] : claimed_) {
        if (static_cast<int>(orphans.size()) >= limit) break;
        if (claimed.work.empty() || claimed.lease_until > now) continue;
        claimed.owner = owner;
        claimed.lease_until = now + lease;
        orphans.push_back(Orphan{claimed.key, claimed.work});
    }
    co_return orphans;
}

LocalState::Allowance& LocalState::allowance_of(const std::string& account, int per_minute) {
    auto found = allowances_.find(account);
    // A changed allowance starts a fresh log: the old one counted against another limit.
    if (found != allowances_.end() && found->second.per_minute != per_minute) {
        allowances_.erase(found);
        found = allowances_.end();
    }
    if (found == allowances_.end())
        found =
            allowances_.emplace(account, Allowance{per_minute, net::TokenBucket(per_minute, options_.request_window)})
                .first;
    return found->second;
}

boost::asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> LocalState::take_request(
    std::string account, int per_minute) {
    if (per_minute < 1) co_return std::unexpected(invalid_allowance(per_minute));
    std::lock_guard lock(mutex_);
    co_return allowance_of(account, per_minute).bucket.try_take();
}

boost::asio::awaitable<ApiResult<int>> LocalState::requests_left(std::string account, int per_minute) {
    if (per_minute < 1) co_return std::unexpected(invalid_allowance(per_minute));
    std::lock_guard lock(mutex_);
    // The bucket tells only whether one more request fits: count how many would on a copy of it.
    net::TokenBucket probe = allowance_of(account, per_minute).bucket;
    const auto now = net::TokenBucket::Clock::now();
    int left = 0;
    while (left < per_minute && !probe.try_take(now)) ++left;
    co_return left;
}

boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> LocalState::use_once(std::string key, TokenUse use,
                                                                                TimePoint keep_until) {
    if (options_.durable_tokens != nullptr)
        co_return co_await options_.durable_tokens->use_once(std::move(key), std::move(use), keep_until);
    std::lock_guard lock(mutex_);
    // Past their deadline the marks guard nothing (the token or signature is refused by then).
    while (!used_until_.empty() && used_until_.begin()->first <= use.at) {
        used_.erase(used_until_.begin()->second);
        used_until_.erase(used_until_.begin());
    }
    auto [entry, first] = used_.try_emplace(key, Used{std::move(use), keep_until});
    if (!first) co_return entry->second.use;
    used_until_.emplace(keep_until, std::move(key));
    co_return std::nullopt;
}

boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> LocalState::use_once_written_behind(std::string key,
                                                                                               TokenUse use,
                                                                                               TimePoint keep_until) {
    if (options_.durable_tokens != nullptr)
        co_return co_await options_.durable_tokens->use_once_written_behind(std::move(key), std::move(use), keep_until);
    co_return co_await use_once(std::move(key), std::move(use), keep_until);  // in memory already
}

boost::asio::awaitable<ApiResult<void>> LocalState::forget(std::string key) {
    if (options_.durable_tokens != nullptr) co_return co_await options_.durable_tokens->forget(std::move(key));
    std::lock_guard lock(mutex_);
    auto entry = used_.find(key);
    if (entry == used_.end()) co_return ApiResult<void>{};
    auto [from, to] = used_until_.equal_range(entry->second.keep_until);
    for (auto it = from; it != to; ++it)
        if (it->second == key) {
            used_until_.erase(it);
            break;
        }
    used_.erase(entry);
    co_return ApiResult<void>{};
}

boost::asio::awaitable<ApiResult<void>> LocalState::keep(std::string key, std::string value, TimePoint keep_until) {
    if (options_.durable_values != nullptr)
        co_return co_await options_.durable_values->keep(std::move(key), std::move(value), keep_until);
    std::lock_guard lock(mutex_);
    if (kept_.try_emplace(key, Kept{std::move(value), keep_until}).second)
        kept_until_.emplace(keep_until, std::move(key));
    co_return ApiResult<void>{};
}

boost::asio::awaitable<ApiResult<std::optional<std::string>>> LocalState::recall(std::string key, TimePoint now) {
    if (options_.durable_values != nullptr) co_return co_await options_.durable_values->recall(std::move(key), now);
    std::lock_guard lock(mutex_);
    // Past their deadline the values answer nobody: let them go.
    while (!kept_until_.empty() && kept_until_.begin()->first <= now) {
        kept_.erase(kept_until_.begin()->second);
        kept_until_.erase(kept_until_.begin());
    }
    const auto found = kept_.find(key);
    if (found == kept_.end()) co_return std::nullopt;
    co_return found->second.value;
}

boost::asio::awaitable<ApiResult<void>> LocalState::ping() {
    co_return ApiResult<void>{};
}

}  // namespace collab::store
