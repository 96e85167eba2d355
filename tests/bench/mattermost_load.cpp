#include "mattermost_load.hpp"

#include <algorithm>
#include <map>
#include <memory>

namespace collab::bench {

namespace {

// The server's form for each person and text, made once by the emulator (which registers a
// response_url for each form it makes: the bench's answers never need one), then given the command's
// own trigger id: the bot takes a request it has seen before for a retry.
HttpCommandMaker slash_commands(mattermost::testing::MattermostEmulator& mattermost, const std::string& command_token) {
    auto forms = std::make_shared<std::map<std::pair<std::string, std::string>, std::string>>();
    return
        [&mattermost, forms, authorization = "Token " + command_token](const std::string& id, const Command& command) {
            auto& form = (*forms)[{command.user_id, command.text}];
            if (form.empty()) form = mattermost.command_form(command.user_id, "c1ops", command.text);
            constexpr std::string_view field = "&trigger_id=";
            const auto value = form.find(field) + field.size();
            // Ids are letters, digits and '-': nothing to encode.
            std::string body = form.substr(0, value) + id + form.substr(std::min(form.size(), form.find('&', value)));
            return HttpCommand{"/mattermost/command",
                               {{"Accept", "application/json"},
                                {"Content-Type", "application/x-www-form-urlencoded"},
                                {"Authorization", authorization}},
                               std::move(body)};
        };
}

}  // namespace

SlashCommandLoad::SlashCommandLoad(mattermost::testing::MattermostEmulator& mattermost,
                                   const std::string& command_token, unsigned short port, Workload workload, pid_t bot)
    : HttpLoad(port, slash_commands(mattermost, command_token), std::move(workload), bot) {}

}  // namespace collab::bench
