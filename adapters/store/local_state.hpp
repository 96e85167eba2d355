#pragma once
// SharedState for a bot that runs as one instance: everything in memory, nothing shared. Claims are
// remembered within a bound (a re-delivery arrives within minutes, so the oldest keys are the ones to
// forget): never more than the capacity's worth, and an answered one for `remember_answered` at least
// (the capacity permitting) and twice that at most. An answered claim keeps only a 64-bit digest of
// its key, in one of two generations that are let go whole, so that remembering the capacity's worth
// costs about a megabyte, not a string, a node and a place in a queue each. Each account's request
// allowance is a sliding log of send times, and used tokens and kept values are kept until their own deadline, in the
// durable stores given (the bot's SQLite file) or else in memory (a restart forgets them: a confirmation's claims still
// name the collaborator record, so a replay after a restart cannot reach a re-invited person). Leases behave as in
// PostgreSQL, so that instances sharing one object (tests) see the same contract.

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "adapters/net/backoff.hpp"
#include "adapters/store/key_digest.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::store {

struct LocalStateOptions {
    // Envelope ids remembered at most; past this the oldest go first, answered ones a generation at a
    // time (at least the newest half of the capacity's worth is kept), running ones one at a time.
    std::size_t claim_capacity = 100'000;
    // How long an answered request's key is remembered at least (the capacity permitting); twice as long
    // at most. Slack delivers a request again at most three times, the last about five minutes after
    // the first; past that it is forgotten, so that the memory follows the rate of requests rather
    // than their number.
    std::chrono::milliseconds remember_answered{std::chrono::minutes{10}};
    // The rolling window an allowance is counted over (Scalingo counts per minute; shorter in tests).
    std::chrono::milliseconds request_window{std::chrono::minutes{1}};
    // Where used confirmations and access requests are marked, when they must outlive the process (the
    // SQLite state file); null: here, in memory.
    UsedTokens* durable_tokens = nullptr;
    // Where the proposals Discord's buttons name by a short key are kept, when the buttons must keep
    // working across a restart (the SQLite state file); null: here, in memory.
    KeptValues* durable_values = nullptr;
};

class LocalState final : public SharedState {
public:
    explicit LocalState(LocalStateOptions options = {});

    boost::asio::awaitable<ApiResult<ClaimState>> claim(std::string key, std::string owner, std::string work,
                                                        std::chrono::milliseconds lease) override;
    boost::asio::awaitable<ApiResult<bool>> renew(std::string key, std::string owner,
                                                  std::chrono::milliseconds lease) override;
    boost::asio::awaitable<ApiResult<void>> complete(std::string key) override;
    boost::asio::awaitable<ApiResult<std::vector<Orphan>>> take_over_lapsed(std::string owner,
                                                                            std::chrono::milliseconds lease,
                                                                            int limit) override;
    boost::asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> take_request(std::string account,
                                                                                             int per_minute) override;
    boost::asio::awaitable<ApiResult<int>> requests_left(std::string account, int per_minute) override;
    boost::asio::awaitable<ApiResult<void>> ping() override;
    bool hands_over_work() const override { return false; }
    boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once(std::string key, TokenUse use,
                                                                        TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once_written_behind(std::string key, TokenUse use,
                                                                                       TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<void>> forget(std::string key) override;
    boost::asio::awaitable<ApiResult<void>> keep(std::string key, std::string value, TimePoint keep_until) override;
    boost::asio::awaitable<ApiResult<std::optional<std::string>>> recall(std::string key, TimePoint now) override;

private:
    struct Allowance {
        int per_minute;
        net::TokenBucket bucket;
    };
    using Digest = KeyDigest;
    using DigestHash = KeyDigestHash;
    struct Claimed {
        std::string key;
        std::string owner;
        std::chrono::steady_clock::time_point lease_until;
        std::string work;
        std::uint64_t order = 0;  // the how-manieth claim
    };
    // Answered claims, by the time of their answers.
    struct Generation {
        boost::unordered_flat_set<Digest, DigestHash> digests;
        std::chrono::steady_clock::time_point first{};
        std::chrono::steady_clock::time_point newest{};
        void let_go() { digests.clear(); }  // keeps its table, for the next generation
    };
    Allowance& allowance_of(const std::string& account, int per_minute);
    bool answered(Digest digest) const;
    void note_answered(Digest digest, std::chrono::steady_clock::time_point now);
    // Lets go of a generation whose newest answer is remember_answered old.
    void forget_past_their_time(std::chrono::steady_clock::time_point now);
    // Lets go of the oldest past the capacity: the older generation, then the newer, then the claims
    // still running, oldest first.
    void keep_within_capacity();

    LocalStateOptions options_;
    // Callers may run on more than one thread; every call is short, so one lock is enough.
    std::mutex mutex_;
    // Claims not answered yet (their work may still be taken over), and those answered: the newer
    // generation takes the answers until it holds half the capacity or spans remember_answered, and
    // then becomes the older, whose answers are let go.
    boost::unordered_flat_map<Digest, Claimed, DigestHash> claimed_;
    std::uint64_t claims_made_ = 0;
    Generation newer_;
    Generation older_;
    std::unordered_map<std::string, Allowance> allowances_;
    struct Used {
        TokenUse use;
        TimePoint keep_until;
    };
    std::unordered_map<std::string, Used> used_;
    std::multimap<TimePoint, std::string> used_until_;  // the keys of used_, soonest forgotten first
    struct Kept {
        std::string value;
        TimePoint keep_until;
    };
    std::unordered_map<std::string, Kept> kept_;
    std::multimap<TimePoint, std::string> kept_until_;  // the keys of kept_, soonest forgotten first
};

}  // namespace collab::store
