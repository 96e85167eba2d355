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

// collab-bot --adapter slack as a child process; standard error goes to a file.
class SlackBot {
public:
    // `environment`: more variables; an empty value removes the variable.
    SlackBot(const slack::test::SlackEmulator& slack, const StateDir& state, const Environment& environment = {},
             const std::vector<std::string>& extra_args = {})
        : log_(state.path() / "bot.log") {
        namespace bp = boost::process;
        bp::environment env = boost::this_process::environment();
        env["SLACK_APP_TOKEN"] = slack::test::EmulatorOptions{}.app_token;
        env["SLACK_BOT_TOKEN"] = slack::test::EmulatorOptions{}.bot_token;
        env["SLACK_API_URL"] = slack.api_url();
        for (const auto& [name, value] : environment) {
            if (value.empty())
                env.erase(name);
            else
                env[name] = value;
        }
        std::vector<std::string> args{"--adapter", "slack", "--state-dir", state.path().string()};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        child_ = bp::child(COLLAB_BOT_BINARY, bp::args(args), bp::std_in<bp::null, bp::std_out> bp::null,
                           bp::std_err > log_.string(), env);
    }
    ~SlackBot() {
        if (child_.running()) child_.terminate();
    }
    SlackBot(const SlackBot&) = delete;
    SlackBot& operator=(const SlackBot&) = delete;

    // The exit code, once the process ended within the timeout.
    std::optional<int> wait(std::chrono::seconds timeout = std::chrono::seconds(10)) {
        if (!child_.wait_for(timeout)) return std::nullopt;
        return child_.exit_code();
    }
    void signal(int number) { ::kill(child_.id(), number); }
    bool running() { return child_.running(); }
    std::string log() const { return slurp(log_); }

private:
    std::filesystem::path log_;
    boost::process::child child_;
};

// The first group of `pattern` in the bot's log, waiting up to 10 s for it to be written.
inline std::string from_log(const SlackBot& bot, const std::string& pattern) {
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
