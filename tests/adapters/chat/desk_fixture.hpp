#pragma once
// A Desk over the sandbox, with a recording Outbox in place of a platform: what the Desk and the
// Intake tests share.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../temp_dir.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"

namespace collab::chat {

namespace asio = boost::asio;

// What the Desk sent, by route.
class RecordingOutbox : public Outbox {
public:
    asio::awaitable<void> complete(const Origin& origin, Answer answer) override {
        sent.push_back({"complete", origin.id, std::move(answer)});
        co_return;
    }
    asio::awaitable<void> deliver(const Origin& origin, Answer answer) override {
        sent.push_back({"deliver", origin.id, std::move(answer)});
        co_return;
    }
    asio::awaitable<void> replace_proposal(const Origin& origin, Reply reply) override {
        sent.push_back({"replace_proposal", origin.id, Answer{std::move(reply), Visibility::ephemeral}});
        co_return;
    }
    asio::awaitable<void> post_beside(const Origin& origin, Answer answer) override {
        sent.push_back({"post_beside", origin.id, std::move(answer)});
        co_return;
    }

    struct Sent {
        std::string route;
        std::string id;
        Answer answer;
    };
    std::vector<Sent> sent;
};

class SystemClock final : public WallClock {
public:
    TimePoint now() const override { return Clock::now(); }
};

class DeskTest : public ::testing::Test {
protected:
    Origin from(const std::string& user, const std::string& id) const {
        return Origin{id, Actor{"test", "T1", user, "C1", std::nullopt}, ""};
    }

    // Runs `task` on the Desk's own io_context until everything it started is done.
    template <typename T>
    T on_desk(asio::awaitable<T> task) {
        auto result = asio::co_spawn(io_, std::move(task), asio::use_future);
        io_.restart();
        io_.run();
        return result.get();
    }

    Answer command(const std::string& user, const std::string& text) {
        CommandRequest request{from(user, "cmd-" + std::to_string(++requests_)), text};
        std::shared_ptr<Answered> unwatched;
        return on_desk(desk_.command(std::move(request), false, unwatched));
    }

    void click(const std::string& user, const std::string& token, bool cancel = false) {
        ClickRequest request{from(user, "click-" + std::to_string(++requests_)), token, cancel};
        on_desk(desk_.click(std::move(request), false));
    }

    testing::TempDir dir_;
    sandbox::SandboxStore store_{
        dir_ / "sandbox.sqlite",
        sandbox::parse_seed(testing::read_file(testing::source_file("config/sandbox.toml")), "config/sandbox.toml")};
    sandbox::SandboxApi api_{store_};
    store::SqliteAuditLog audit_{dir_ / "state.sqlite"};
    security::HmacSigner signer_{std::string(32, 'k')};
    directory::StaticDirectory directory_{
        std::map<std::string, std::string>{{"test:U1", "user1@example.com"}, {"test:U2", "user2@example.com"}}};
    SystemClock clock_;
    store::LocalState shared_;
    CommandService service_{api_, directory_, audit_, clock_, signer_, shared_, ServiceSettings{}};
    RecordingOutbox outbox_;
    asio::io_context io_;
    DeskSettings settings_ = [] {
        DeskSettings settings;
        settings.visibility.by_command["list"] = Visibility::in_channel;
        return settings;
    }();
    std::ostringstream log_;  // the Desk's log lines, each as it was written
    Desk desk_{io_.get_executor(), service_, outbox_, settings_, [this] {
                   auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
                   sink->set_pattern("%v");
                   return std::make_shared<spdlog::logger>("desk-test", sink);
               }()};
    int requests_ = 0;
};

}  // namespace collab::chat
