// Load benchmark of the other chat platforms: the built collab-bot driven the way Discord (gateway)
// and Mattermost (slash commands over HTTP) drive it, with the same workload, pinning and figures as
// slack_bench. Prints figures, asserts nothing. Each part starts a bot of its own, with a state
// directory of its own. Usage:
//   platforms_bench [--quick] [--only PARTS] [--commands N] [--in-flight C] [--rate R] [--paced N] [--cpu K]
//                   [--callgrind DIR]
//   --quick      fewer commands everywhere: the whole run in under a minute
//   --only       a comma-separated subset of the parts: discord (INTERACTION_CREATE dispatches on the gateway,
//                answered by interaction callbacks), mattermost (slash-command forms POSTed with the command
//                token, answered in the HTTP response), machine (how late this machine wakes a thread
//                that only sleeps, on each core) (default: all)
//   --commands   commands of the closed-loop run (default 100000; quick 20000)
//   --in-flight  commands (Mattermost: connections) in flight at once in closed loops (default 64)
//   --rate       commands per second of the steady runs (default 1000)
//   --paced      commands of each steady run (default 10000; quick 3000)
//   --cpu        the core the bot is pinned to (default: the last one)
//   --callgrind  every bot runs under callgrind, its whole run written to DIR/callgrind.<pid>
// The workload is the performance issue's mix: `help` and `list my-dedicated-db` alternating, typed
// in turn by the owner (user1@example.com) and an accepted collaborator (user2@example.com), both
// mapped to their accounts under [identities] in the bot's configuration file.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/object.hpp>

#include <iostream>
#include <thread>

#include "bench_driver.hpp"
#include "discord_load.hpp"
#include "mattermost_load.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using namespace collab::bench;
using collab::discord::test::DiscordEmulator;
using collab::mattermost::testing::EmulatorSettings;
using collab::mattermost::testing::MattermostEmulator;

const std::string all_parts = "discord,mattermost,machine";

const std::string discord_owner = "53908232506183680", discord_collaborator = "53908232506183681";
const std::string mattermost_owner = "u1owner0000000000000000000",
                  mattermost_collaborator = "u2collab000000000000000000";

// The targets, printed beside the figures as in slack_bench's Socket Mode part.
const Targets closed_targets{"<= 0.015 ms", "", "<= 16 MiB"};
const Targets steady_targets{"<= 0.03 ms", "p99 <= 2, max <= 5 ms", ""};
constexpr std::size_t warm_up = 1'000;

std::string identities(const std::string& platform, const std::string& owner, const std::string& collaborator) {
    return "[identities]\n\"" + platform + ":" + owner + "\" = \"user1@example.com\"\n\"" + platform + ":" +
           collaborator + "\" = \"user2@example.com\"\n";
}

double ms_since(SteadyClock::time_point start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// Whether an answer is the expected one: any text for help, the collaborator's address for a list.
bool expected_answer(const Command& command, const std::string& text) {
    return !text.empty() && (!command.text.starts_with("list") || text.find("user2@example.com") != std::string::npos);
}

struct Bench {
    LoadSettings settings;
    Cores cores;
    Workdir work;
    Report report;

    // --- Discord ---

    BotLaunch discord_launch(const DiscordEmulator& discord) const {
        BotLaunch launch;
        launch.args = {"--adapter", "discord"};
        launch.environment = {{"DISCORD_BOT_TOKEN", discord.options().bot_token},
                              {"DISCORD_API_URL", discord.api_url()},
                              {"DISCORD_GUILD_ID", ""}};
        launch.config_text = identities("discord", discord_owner, discord_collaborator);
        return launch;
    }

    void discord() {
        report.section("Discord gateway, embedded sandbox: help/list mix, " + std::to_string(settings.in_flight) +
                       " in flight, then " + fixed(settings.rate, 0) + "/s");
        DiscordEmulator discord;
        BotProcess bot(work.make("discord"), discord_launch(discord), cores.bot);
        if (!discord.wait_for_sessions_ready(1, 30s)) {
            report.note("discord: the bot did not connect; its log:\n" + bot.log());
            return;
        }
        GatewayLoad load(discord, help_and_list("my-dedicated-db", discord_owner, discord_collaborator), bot.pid());
        const auto warm = load.closed_loop("discord-warm-", warm_up, settings.in_flight);
        std::size_t wrong = 0;
        for (const auto& reply : discord.replies()) {
            const std::string prefix = "discord-warm-";
            const auto index = command_index(reply.interaction_id, prefix);
            if (reply.route != "callback" || !index) continue;
            const auto* data = reply.body.if_contains("data");
            const auto* content = data && data->is_object() ? data->get_object().if_contains("content") : nullptr;
            const Command command = load.workload()(*index);
            wrong += expected_answer(command, content && content->is_string() ? std::string(content->get_string()) : "")
                         ? 0
                         : 1;
        }
        if (!warm.complete || wrong > 0)
            report.note("discord: " + std::to_string(wrong) + " of " + std::to_string(warm_up) +
                        " warm-up answers were not the expected ones" + (warm.complete ? "" : " (INCOMPLETE)"));
        closed_then_steady(report, load, bot.pid(), "discord", settings, warm_up, closed_targets, steady_targets,
                           {"answer latency (frame written -> callback POST)", "answered in the callback (type 4)"});
        note_violations("discord", discord.violations());
    }

    // Spawn to READY, and to the first command answered, on a state made by an earlier start.
    void discord_starts() {
        report.section("Discord start: process spawn -> gateway session (restarts on an existing state directory)");
        const fs::path state = work.make("discord-start");
        std::vector<double> ready_ms, answer_ms;
        for (int i = 0; i <= starts(); ++i) {
            DiscordEmulator discord;
            BotProcess bot(state, discord_launch(discord), cores.bot);
            const bool ready = discord.wait_for_sessions_ready(1, 30s);
            const double ready_after = ms_since(bot.spawned_at());
            const std::vector<std::pair<std::string, std::string>> database{{"database", "my-dedicated-db"}};
            discord.dispatch_interaction(
                collab::discord::test::slash_command("start" + std::to_string(i), "list", database, discord_owner));
            const bool answered = ready && discord.wait_for_replies(1, 10s);
            if (!answered)
                report.note("discord start " + std::to_string(i) + ": no answer; the bot's log:\n" + bot.log());
            if (i == 0 || !answered) continue;  // the first start makes the state
            ready_ms.push_back(ready_after);
            answer_ms.push_back(ms_since(bot.spawned_at()));
        }
        report_starts(report, "spawn -> READY received", std::move(ready_ms), std::move(answer_ms), "<= 100 ms");
    }

    // --- Mattermost ---

    static const EmulatorSettings& mattermost_server() {
        static const EmulatorSettings server{};
        return server;
    }

    BotLaunch mattermost_launch(const MattermostEmulator& mattermost, unsigned short port) const {
        BotLaunch launch;
        launch.args = {"--adapter", "mattermost"};
        launch.environment = {{"MATTERMOST_URL", mattermost.url()},
                              {"MATTERMOST_COMMAND_TOKEN", mattermost_server().command_token},
                              {"MATTERMOST_BOT_TOKEN", mattermost_server().bot_token},
                              {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:" + std::to_string(port)}};
        launch.config_text = identities("mattermost", mattermost_owner, mattermost_collaborator);
        return launch;
    }

    void mattermost() {
        report.section("Mattermost slash commands, embedded sandbox: help/list mix over " +
                       std::to_string(settings.in_flight) + " kept-alive connections, then " + fixed(settings.rate, 0) +
                       "/s");
        MattermostEmulator mattermost(mattermost_server());
        const unsigned short port = free_loopback_port();
        BotProcess bot(work.make("mattermost"), mattermost_launch(mattermost, port), cores.bot);
        if (!bot.wait_for_log("request URL (http://127\\.0\\.0\\.1:[0-9]+)/mattermost/command", 30s)) {
            report.note("mattermost: the bot did not listen; its log:\n" + bot.log());
            return;
        }
        SlashCommandLoad load(mattermost, mattermost_server().command_token, port,
                              help_and_list("my-dedicated-db", mattermost_owner, mattermost_collaborator), bot.pid());
        load.check_answers([](const Command& command, const std::string& body) {
            // The answer's text is JSON-escaped markdown: the address appears as it is.
            return expected_answer(command, body) && body.find("\"text\"") != std::string::npos;
        });
        const auto warm = load.closed_loop("mattermost-warm-", warm_up, settings.in_flight);
        if (!warm.complete || load.unexpected() > 0)
            report.note("mattermost: " + std::to_string(load.unexpected()) + " of " + std::to_string(warm_up) +
                        " warm-up answers were not the expected ones" + (warm.complete ? "" : " (INCOMPLETE)"));
        load.check_answers({});
        closed_then_steady(report, load, bot.pid(), "mattermost", settings, warm_up, closed_targets, steady_targets,
                           {"answer latency (request written -> HTTP answer)", "answered in the HTTP response"});
        note_violations("mattermost", mattermost.violations());
    }

    // Spawn to the command URL accepting a connection, and to the first command answered.
    void mattermost_starts() {
        report.section("Mattermost start: process spawn -> listening (restarts on an existing state directory)");
        const fs::path state = work.make("mattermost-start");
        std::vector<double> ready_ms, answer_ms;
        for (int i = 0; i <= starts(); ++i) {
            MattermostEmulator mattermost(mattermost_server());
            const unsigned short port = free_loopback_port();
            BotProcess bot(state, mattermost_launch(mattermost, port), cores.bot);
            const bool ready = wait_until_listening(port, 30s);
            const double ready_after = ms_since(bot.spawned_at());
            const auto answer = mattermost.run_command("http://127.0.0.1:" + std::to_string(port), mattermost_owner,
                                                       "c1ops", "list my-dedicated-db");
            const bool answered = ready && answer.status == 200 && expected_answer({"", "list"}, answer.body);
            if (!answered)
                report.note("mattermost start " + std::to_string(i) + ": no answer; the bot's log:\n" + bot.log());
            if (i == 0 || !answered) continue;
            ready_ms.push_back(ready_after);
            answer_ms.push_back(ms_since(bot.spawned_at()));
        }
        report_starts(report, "spawn -> /mattermost/command accepts connections", std::move(ready_ms),
                      std::move(answer_ms), "<= 100 ms");
    }

    static bool wait_until_listening(unsigned short port, std::chrono::milliseconds timeout) {
        boost::asio::io_context io;
        const boost::asio::ip::tcp::endpoint bot(boost::asio::ip::make_address_v4("127.0.0.1"), port);
        const auto deadline = SteadyClock::now() + timeout;
        do {
            boost::asio::ip::tcp::socket socket(io);
            boost::system::error_code error;
            socket.connect(bot, error);
            if (!error) return true;
            std::this_thread::sleep_for(1ms);
        } while (SteadyClock::now() < deadline);
        return false;
    }

    int starts() const { return settings.quick ? 3 : 7; }

    void note_violations(const std::string& platform, const std::vector<std::string>& violations) {
        if (violations.empty()) return;
        report.note(platform + ": the emulator refused " + std::to_string(violations.size()) +
                    " requests, the first: " + violations.front());
    }
};

}  // namespace

int main(int argc, char** argv) {
    CommandLine line(argc, argv, "platforms_bench",
                     "[--quick] [--only " + all_parts +
                         "] [--commands N] [--in-flight C] [--rate R] [--paced N] [--cpu K] "
                         "[--callgrind DIR]",
                     all_parts);
    Bench bench{line.load_settings(20'000, 3'000), {}, {}, {}};
    line.done();
    bench.cores = pin_this_process_away(bench.settings.cpu);
    const auto started = SteadyClock::now();
    std::cout << "collab-bot Discord and Mattermost benchmark: bot pinned to core " << bench.cores.bot << " of "
              << bench.cores.count << ", emulators and load generator on the other"
              << (bench.cores.count > 2 ? "s" : "") << std::endl;
    if (bench.settings.parts.contains("discord")) {
        bench.discord();
        bench.discord_starts();
    }
    if (bench.settings.parts.contains("mattermost")) {
        bench.mattermost();
        bench.mattermost_starts();
    }
    if (bench.settings.parts.contains("machine"))
        report_wake_ups(bench.report, bench.cores, std::chrono::seconds{bench.settings.quick ? 3 : 10});
    bench.report.print(std::cout);
    std::cout << "\n(" << fixed(std::chrono::duration<double>(SteadyClock::now() - started).count(), 0)
              << " s; CPU from /proc/<pid>/stat over each measured window only, start-up excluded)\n";
    return 0;
}
