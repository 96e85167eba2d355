#pragma once
// The built binary as an admin starts it for Slack (`collab-bot --adapter slack`, no configuration file,
// the tokens and the Slack address in the environment), against the Slack emulator.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bot_process.hpp"
#include "slack_emulator.hpp"

namespace collab::e2e {

// collab-bot --adapter slack with the tokens and the emulator's address in the environment.
class SlackBot : public RunningBot {
public:
    // `environment`: more variables; an empty value removes the variable.
    SlackBot(const slack::test::SlackEmulator& slack, const StateDir& state, const Environment& environment = {},
             const std::vector<std::string>& extra_args = {})
        : RunningBot(state.path() / "bot.log", with_slack(slack, environment), with_args(state, extra_args)) {}

private:
    static Environment with_slack(const slack::test::SlackEmulator& slack, const Environment& environment) {
        Environment all{{"SLACK_APP_TOKEN", slack::test::EmulatorOptions{}.app_token},
                        {"SLACK_BOT_TOKEN", slack::test::EmulatorOptions{}.bot_token},
                        {"SLACK_API_URL", slack.api_url()}};
        all.insert(all.end(), environment.begin(), environment.end());
        return all;
    }
    static std::vector<std::string> with_args(const StateDir& state, const std::vector<std::string>& extra_args) {
        std::vector<std::string> args{"--adapter", "slack", "--state-dir", state.path().string()};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return args;
    }
};

// The first group of `pattern` in the bot's log, waiting up to 10 s for it to be written.
inline std::string from_log(const RunningBot& bot, const std::string& pattern) {
    const std::regex wanted(pattern);
    std::smatch found;
    for (int i = 0; i < 400; ++i) {
        const std::string log = bot.log();
        if (std::regex_search(log, found, wanted)) return found[1];
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "never logged: " << pattern << "\n" << bot.log();
    return {};
}

// collab-bot in HTTP mode on any free port; `url` is its slash-command request URL, read from its log.
struct HttpModeBot {
    HttpModeBot(const slack::test::SlackEmulator& slack, const StateDir& state, const std::string& signing_secret)
        : bot(slack, state, {{"SLACK_SIGNING_SECRET", signing_secret}, {"SLACK_APP_TOKEN", ""}},
              {"--config", write_config(state)}),
          url(from_log(bot, "request URLs (http://127\\.0\\.0\\.1:[0-9]+/slack/commands)")) {}

    unsigned short port() const {
        const auto colon = url.rfind(':');
        return url.empty() ? 0 : static_cast<unsigned short>(std::stoi(url.substr(colon + 1)));
    }

    SlackBot bot;
    std::string url;

private:
    static std::string write_config(const StateDir& state) {
        const auto file = state.path() / "http.toml";
        std::ofstream(file) << "[slack]\nmode = \"http\"\nhttp_listen = \"127.0.0.1:0\"\n";
        return file.string();
    }
};

}  // namespace collab::e2e
