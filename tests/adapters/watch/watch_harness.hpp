#pragma once
// The invitation watch with real parts around it: the sandbox seeded from config/sandbox.toml, the
// service that sends invitations through it, a store of invitations (a SQLite file or PostgreSQL), and
// an Announcer that keeps what it was asked to say.

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../run_coroutine.hpp"
#include "../temp_dir.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "core/service.hpp"
#include "core/watch.hpp"

namespace collab::testing {

// What an Announcer was asked to say, as plain text, with where and the person it named.
struct Said {
    std::string where;  // the channel, or "dm:<user id>" for a message to one person
    std::string text;
    std::string mentioned;  // the user id of the mention in its first line
};

class RecordingAnnouncer final : public Announcer {
public:
    // Channels the bot may not post in: a post there is `forbidden`, as Slack's not_in_channel.
    std::vector<std::string> closed_channels;

    boost::asio::awaitable<ApiResult<void>> post(Conversation where, Reply reply) override {
        for (const auto& closed : closed_channels)
            if (closed == where.channel) co_return std::unexpected(ApiError{ApiErrorKind::forbidden, "not_in_channel"});
        keep(where.channel, reply);
        co_return ApiResult<void>{};
    }
    boost::asio::awaitable<ApiResult<void>> tell(Actor person, Reply reply) override {
        keep("dm:" + person.user_id, reply);
        co_return ApiResult<void>{};
    }
    std::vector<Said> said() const {
        std::lock_guard lock(mutex_);
        return said_;
    }

private:
    void keep(const std::string& where, const Reply& reply) {
        std::lock_guard lock(mutex_);
        const auto& mention = reply.lines.front().mention;
        said_.push_back(Said{where, to_plain_text(reply), mention ? mention->id : ""});
    }
    mutable std::mutex mutex_;
    std::vector<Said> said_;
};

// The upstream, counting what the watch asks of it.
class CountingApi final : public CollaboratorsApi {
public:
    explicit CountingApi(CollaboratorsApi& inner) : inner_(inner) {}
    std::atomic<int> lists{0};

    boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) override {
        co_return co_await inner_.show_database(std::move(name));
    }
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override {
        ++lists;
        co_return co_await inner_.list_collaborators(std::move(database));
    }
    boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override {
        co_return co_await inner_.invite(std::move(database), std::move(email));
    }
    boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override {
        co_return co_await inner_.remove(std::move(database), std::move(collaborator_id));
    }
    boost::asio::awaitable<ApiResult<Account>> self() override { co_return co_await inner_.self(); }
    boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() override {
        co_return co_await inner_.databases();
    }

private:
    CollaboratorsApi& inner_;
};

class SystemWallClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

// The inviter: user1, owner of my-dedicated-db, typing in Slack channel C111.
inline Actor inviter() {
    return Actor{"slack", "T111", "U111", "C111", std::nullopt, "user1"};
}

// The sandbox and a service that sends invitations through it, remembering them in `invitations`.
class Sandboxed {
public:
    Sandboxed()
        : store_(dir_ / "sandbox.sqlite",
                 sandbox::parse_seed(read_file(source_file("config/sandbox.toml")), "sandbox.toml")),
          api_(store_),
          counting_(api_),
          directory_(directory::IdentityMap{{"slack:U111", "user1@example.com"}}),
          signer_("0123456789abcdef0123456789abcdef") {}

    CountingApi& api() { return counting_; }
    sandbox::SandboxStore& store() { return store_; }
    const WallClock& clock() const { return clock_; }
    const std::filesystem::path& dir() const { return dir_.path(); }

    // `/collab add <database> <email>` typed by the inviter; the reply's text.
    std::string invite(InvitationLog& invitations, const std::string& database, const std::string& email) {
        return type(invitations, "add " + database + " " + email);
    }
    // `/collab <text>` typed by the inviter; the reply's text.
    std::string type(InvitationLog& invitations, const std::string& text) {
        CommandService service(counting_, directory_, audit_, clock_, signer_, used_, ServiceSettings{}, &invitations);
        ChatRequest request{inviter(), text};
        return to_plain_text(run(service.handle(std::move(request))).reply);
    }
    // The recipient follows the link of the invitation the sandbox mailed.
    void accept(const std::string& email) {
        for (const auto& mail : store_.invitations())
            if (mail.recipient == email && mail.state == "pending") {
                ASSERT_TRUE(store_.accept(mail.token)) << email;
                return;
            }
        FAIL() << "no pending invitation for " << email;
    }
    // Someone revokes the invitation on the dashboard.
    void revoke(const std::string& database, const std::string& email) {
        for (const auto& collaborator : store_.collaborators(database))
            if (collaborator.email == email) {
                ASSERT_TRUE(store_.remove(database, collaborator.id));
                return;
            }
        FAIL() << email << " is not on " << database;
    }

private:
    // An audit trail that keeps nothing: the invitations' store is what these tests look at.
    class NoAudit final : public AuditLog {
    public:
        boost::asio::awaitable<ApiResult<void>> record(AuditEntry) override { co_return ApiResult<void>{}; }
        boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(AuditQuery) override {
            co_return std::vector<AuditEntry>{};
        }
    };

    TempDir dir_;
    sandbox::SandboxStore store_;
    sandbox::SandboxApi api_;
    CountingApi counting_;
    directory::StaticDirectory directory_;
    NoAudit audit_;
    SystemWallClock clock_;
    security::HmacSigner signer_;
    store::LocalState used_;
};

}  // namespace collab::testing
