#include "discord_load.hpp"

#include <boost/json/object.hpp>

#include <map>

namespace collab::bench {
namespace json = boost::json;

namespace {

class DiscordGateway final : public PushedCommands {
public:
    explicit DiscordGateway(discord::test::DiscordEmulator& discord) : discord_(discord) {}

    // Made from Discord's documented interaction once per person and text, so that the fixture is not
    // read again for every command.
    std::function<void()> prepare(const std::string& id, const Command& command) override {
        auto& made = interactions_[{command.user_id, command.text}];
        if (made.empty()) {
            const auto space = command.text.find(' ');
            std::vector<std::pair<std::string, std::string>> options;
            if (space != std::string::npos) options.emplace_back("database", command.text.substr(space + 1));
            made = discord::test::slash_command("0", command.text.substr(0, space), options, command.user_id);
        }
        json::object interaction = made;
        interaction["id"] = id;
        interaction["token"] = "interaction-token-" + id;
        return [this, interaction = std::move(interaction)]() mutable {
            discord_.dispatch_interaction(std::move(interaction));
        };
    }
    std::size_t answer_count() const override { return discord_.reply_count(); }
    bool wait_for_answer_count(std::size_t count, std::chrono::milliseconds timeout) const override {
        return discord_.wait_for_replies(count, timeout);
    }
    std::vector<Answer> answers(const std::string& prefix) const override {
        std::vector<Answer> found;
        for (const auto& reply : discord_.replies()) {
            const auto index = command_index(reply.interaction_id, prefix);
            if (reply.route != "callback" || !index) continue;
            const auto* type = reply.body.if_contains("type");
            // Type 4 is the answer; type 5 a deferral completed by an edit of @original.
            const double latency = std::chrono::duration<double, std::milli>(reply.after_write).count();
            found.push_back({latency, type && type->is_int64() && type->get_int64() == 4,
                             std::chrono::duration<double, std::milli>(reply.after).count() - latency, *index});
        }
        return found;
    }

private:
    discord::test::DiscordEmulator& discord_;
    std::map<std::pair<std::string, std::string>, json::object> interactions_;
};

}  // namespace

GatewayLoad::GatewayLoad(discord::test::DiscordEmulator& discord, Workload workload, pid_t bot)
    : PushLoad(std::make_unique<DiscordGateway>(discord), std::move(workload), bot) {}

}  // namespace collab::bench
