// Load benchmark: the built collab-bot (`--adapter slack`) driven through the Slack emulator the way
// Slack would drive it, with the bot pinned to one core and this process (emulator and load
// generator) on the others. Prints figures, asserts nothing. Each part starts a bot of its own, with
// a state directory of its own. Usage:
//   slack_bench [--quick] [--only PARTS] [--commands N] [--in-flight C] [--rate R] [--paced N]
//               [--changes N] [--growth N] [--cpu K] [--callgrind DIR]
//   --quick      fewer commands everywhere: the whole run in under a minute
//   --only       a comma-separated subset of the parts: socket (closed loop, RSS, steady rate), start,
//                change, scalingo, growth, http, allocations, syscalls, instructions (counted by
//                callgrind, when valgrind is installed), bolt (the same load and start on a Bolt for
//                JavaScript app, when `npm ci --prefix tests/bench/bolt` was run), bare (the same load on
//                bare_socket_client: the bot's transport alone, acknowledging every envelope bare),
//                machine (how late this machine wakes a thread that only sleeps, on each core)
//                (default: all)
//   --commands   commands of the closed-loop run (default 100000; quick 20000)
//   --in-flight  envelopes (requests, in HTTP mode) in flight at once in closed loops (default 64)
//   --rate       commands per second of the steady runs (default 1000)
//   --paced      commands of each steady run (default 10000; quick 3000)
//   --changes    add and remove operations of the change path (default 500; quick 100)
//   --growth     commands of each growth case, and of the allocation and syscall counts (default 20000; quick 4000)
//   --cpu        the core the bot is pinned to (default: the last one)
//   --callgrind  every bot runs under callgrind, its whole run written to DIR/callgrind.<pid> (for
//                scripts/link-order; the figures are then the profiler's, not the bot's)
// The workload is the mix: `help` and `list my-dedicated-db` alternating, typed in turn by the
// owner (U111, user1@example.com) and an accepted collaborator (U222, user2@example.com).

#include <signal.h>
#include <unistd.h>
#include <boost/json/serialize.hpp>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "bench_driver.hpp"
#include "http_load.hpp"

namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace collab::bench;
using collab::slack::test::EmulatorOptions;
using collab::slack::test::SlackEmulator;

const std::string all_parts =
    "socket,start,change,scalingo,growth,http,allocations,syscalls,instructions,bolt,bare,machine";

struct Settings : LoadSettings {
    std::size_t changes = 500;
    std::size_t growth = 20'000;
};

Settings parse(int argc, char** argv) {
    CommandLine line(argc, argv, "slack_bench",
                     "[--quick] [--only " + all_parts +
                         "] [--commands N] [--in-flight C] [--rate R] [--paced N] [--changes N] [--growth N] [--cpu K] "
                         "[--callgrind DIR]",
                     all_parts);
    Settings settings{line.load_settings(20'000, 3'000)};
    if (settings.quick) {
        settings.changes = 100;
        settings.growth = 4'000;
    }
    if (const auto changes = line.number("--changes")) settings.changes = static_cast<std::size_t>(*changes);
    if (const auto growth = line.number("--growth")) settings.growth = static_cast<std::size_t>(*growth);
    line.done();
    return settings;
}

// The emulated workspace of the mix.
EmulatorOptions workspace(std::map<std::string, std::string> emails = {{"U111", "user1@example.com"},
                                                                       {"U222", "user2@example.com"}}) {
    EmulatorOptions options;
    options.emails = std::move(emails);
    options.max_retries = 0;  // every envelope is acknowledged; no deadline timers in the generator
    return options;
}

std::string text_of(const boost::json::object& message) {
    const auto* text = message.if_contains("text");
    return text && text->is_string() ? std::string(text->as_string()) : "";
}

struct Bench {
    Settings settings;
    Cores cores;
    Workdir work;
    Report report;

    // A Socket Mode bot connected to `slack`, or nothing (said in the report) when it did not connect.
    // The state directory is a new one unless given.
    std::unique_ptr<BotProcess> socket_mode_bot(const std::string& name, SlackEmulator& slack, BotLaunch launch = {},
                                                const fs::path& state = {}) {
        if (launch.program.empty()) launch.args.insert(launch.args.begin(), {"--adapter", "slack"});
        const auto env = socket_mode_environment(slack);
        launch.environment.insert(env.begin(), env.end());
        auto bot = std::make_unique<BotProcess>(state.empty() ? work.make(name) : state, std::move(launch), cores.bot);
        if (slack.wait_for_open_sockets(1, 30s)) return bot;
        report.note(name + ": the bot did not connect; its log:\n" + bot->log());
        return nullptr;
    }

    // The workload once through, answers kept: says in the report when one is not the expected one
    // (a `list` whose answer lacks `expected_in_list`, or an answer without text).
    // An empty `expected_in_list`: any acknowledgement will do (a client that answers nothing).
    void warm_up(SlackEmulator& slack, SocketModeLoad& load, const std::string& name, std::size_t count,
                 const std::string& expected_in_list = "user2@example.com", std::size_t in_flight = 0) {
        slack.keep_ack_payloads(true);
        const std::string prefix = name + "-warm-";
        const auto figures = load.closed_loop(prefix, count, in_flight ? in_flight : settings.in_flight);
        std::size_t wrong = 0;
        for (const auto& ack : slack.acks()) {
            const auto index = command_index(ack.envelope_id, prefix);
            if (!index || expected_in_list.empty()) continue;
            const Command command = load.workload()(*index);
            const std::string text = text_of(ack.payload);
            if (text.empty() || (command.text.starts_with("list") && text.find(expected_in_list) == std::string::npos))
                ++wrong;
        }
        if (!figures.complete || wrong > 0)
            report.note(name + ": " + std::to_string(wrong) + " of " + std::to_string(count) +
                        " warm-up answers were not the expected ones" + (figures.complete ? "" : " (INCOMPLETE)"));
        slack.keep_ack_payloads(false);
    }

    // A run's figures; the targets (of the issue), when given, are printed beside them.
    void run_figures(const std::string& label, const RunFigures& run, const std::string& cpu_target = "",
                     const std::string& latency_target = "") {
        report_run(report, label, run, settings.rate, {cpu_target, latency_target, ""});
    }

    std::string steady_label() const { return collab::bench::steady_label(settings); }

    // Closed loop with RSS checkpoints, then the steady rate, on one bot (or the Bolt app, or the bare
    // client: no targets, and for the bare client no answer to check).
    void socket_mode(const std::string& name, const BotLaunch& launch, bool targets, bool answers = true) {
        SlackEmulator slack(workspace());
        auto bot = socket_mode_bot(name, slack, launch);
        if (!bot) return;
        SocketModeLoad load(slack, help_and_list("my-dedicated-db"), bot->pid());
        warm_up(slack, load, name, 1'000, answers ? "user2@example.com" : "");
        const Targets closed = targets ? Targets{"<= 0.015 ms", "", "<= 16 MiB"} : Targets{};
        const Targets steady = targets ? Targets{"<= 0.03 ms", "p99 <= 2, max <= 5 ms", ""} : Targets{};
        closed_then_steady(report, load, bot->pid(), name, settings, 1'000, closed, steady);
    }

    // Spawn to hello, and to the first command answered (users.info included), on a state made by an
    // earlier start (a restart, not a first run).
    void start(const std::string& name, const BotLaunch& launch, bool targets) {
        const fs::path state = work.make(name);
        std::vector<double> hello_ms, answer_ms;
        const int starts = settings.quick ? 3 : 7;
        for (int i = 0; i <= starts; ++i) {
            SlackEmulator slack(workspace());
            auto bot = socket_mode_bot(name, slack, launch, state);
            if (!bot) return;
            EnvelopeFactory envelopes(slack);
            const std::string id = name + "-" + std::to_string(i);
            slack.deliver(envelopes.make(id, {"U111", "list my-dedicated-db"}));
            const auto ack = slack.wait_for_ack(id, 10s);
            const auto life = slack.socket_life(0);
            if (i == 0 || !ack || !life) continue;  // the first start makes the state
            hello_ms.push_back(std::chrono::duration<double, std::milli>(life->hello - bot->spawned_at()).count());
            answer_ms.push_back(
                std::chrono::duration<double, std::milli>(ack->sent + ack->latency - bot->spawned_at()).count());
        }
        report_starts(report, "spawn -> Socket Mode hello sent", std::move(hello_ms), std::move(answer_ms),
                      targets ? "<= 100 ms" : "");
    }

    // The same load and start on a Bolt for JavaScript app, when node and its packages are there.
    void bolt() {
        report.section("Bolt for JavaScript 5.1 app (tests/bench/bolt/app.js), the same Socket Mode load");
        const fs::path app = fs::path(COLLAB_BENCH_SOURCE_DIR) / "bolt";
        if (!fs::exists("/usr/bin/node") || !fs::exists(app / "node_modules/@slack/bolt")) {
            report.note("bolt: skipped; it needs node, and `npm ci --prefix tests/bench/bolt`");
            return;
        }
        BotLaunch launch;
        launch.program = "/usr/bin/node";
        launch.args = {(app / "app.js").string()};
        socket_mode("bolt", launch, false);
        start("bolt-start", launch, false);
    }

    // The floor: the same load on a client made of the bot's transport alone.
    void bare() {
        report.section("bare_socket_client (the bot's transport alone: decode, acknowledge bare), the same load");
        BotLaunch launch;
        launch.program = COLLAB_BARE_CLIENT;
        socket_mode("bare", launch, false, false);
    }

    static std::string bench_address(std::size_t i) { return "bench-" + std::to_string(i) + "@example.com"; }

    // `add` of `count` new addresses (from the `first`th), one at a time: how many were not added.
    static std::size_t add_addresses(SlackEmulator& slack, EnvelopeFactory& envelopes, std::size_t count,
                                     std::size_t first = 0) {
        std::size_t failed = 0;
        for (std::size_t i = first; i < first + count; ++i) {
            const std::string id = "add-" + std::to_string(i);
            slack.deliver(envelopes.make(id, {"U111", "add my-dedicated-db " + bench_address(i)}));
            const auto ack = slack.wait_for_ack(id, 10s);
            if (!ack || text_of(ack->payload).find(bench_address(i)) == std::string::npos) ++failed;
        }
        return failed;
    }

    // `remove` of the addresses add_addresses added, each confirmed by a click: how many failed.
    static std::size_t remove_addresses(SlackEmulator& slack, EnvelopeFactory& envelopes, std::size_t count,
                                        std::size_t first = 0) {
        std::size_t failed = 0;
        for (std::size_t i = first; i < first + count; ++i) {
            const std::string id = "remove-" + std::to_string(i);
            slack.deliver(envelopes.make(id, {"U111", "remove my-dedicated-db " + bench_address(i)}));
            const auto proposal = slack.wait_for_ack(id, 10s);
            const std::string token =
                proposal ? collab::slack::test::button_value(proposal->payload, "collab_confirm") : "";
            collab::slack::test::ButtonClickFields click;
            click.envelope_id = "click-" + std::to_string(i);
            click.action_id = "collab_confirm";
            click.value = token;
            click.response_url = slack.response_url(click.envelope_id);
            slack.deliver(collab::slack::test::button_click_envelope(click));
            if (token.empty() || !slack.wait_for_posts("respond/" + click.envelope_id, 1, 10s)) ++failed;
        }
        return failed;
    }

    // `add` of new addresses, then `remove` of each confirmed by a click, one at a time, in rounds: the
    // median round is printed, so that a burst of other work on the machine moves one round, not the
    // figure. The sandbox's own storage (its SQLite file, on the thread it names collab-sandbox) is
    // measured apart: the target is the rest, the bot's share (its audit trail included).
    void change() {
        report.section("Change path, embedded sandbox (median of " + std::to_string(change_rounds) + " rounds)");
        SlackEmulator slack(workspace());
        auto bot = socket_mode_bot("change", slack);
        if (!bot) return;
        SocketModeLoad load(slack, help_and_list("my-dedicated-db"), bot->pid());
        warm_up(slack, load, "change", 200);
        slack.keep_ack_payloads(true);
        EnvelopeFactory envelopes(slack);
        const std::size_t count = std::max<std::size_t>(1, settings.changes / change_rounds);
        const double per = 1000.0 / static_cast<double>(count);
        struct Round {
            double bot = 0, sandbox = 0, audit = 0;  // ms per operation; audit is part of bot
        };
        auto measured = [&](auto&& operations) {
            const ThreadsCpu before = threads_cpu(bot->pid());
            operations();
            const ThreadsCpu after = threads_cpu(bot->pid());
            auto spent = [&](std::string_view thread) { return (after.of(thread) - before.of(thread)) * per; };
            const double sandbox = spent("collab-sandbox");
            return Round{(after.all - before.all) * per - sandbox, sandbox,
                         spent("collab-audit") + spent("collab-checkpt")};
        };
        std::vector<Round> adds, removes;
        std::size_t failed = 0;
        for (std::size_t round = 0; round < change_rounds; ++round) {
            adds.push_back(measured([&] { failed += add_addresses(slack, envelopes, count, round * count); }));
            removes.push_back(measured([&] { failed += remove_addresses(slack, envelopes, count, round * count); }));
        }
        auto median_round = [](std::vector<Round> rounds) {
            std::sort(rounds.begin(), rounds.end(), [](const Round& a, const Round& b) { return a.bot < b.bot; });
            return rounds[rounds.size() / 2];
        };
        auto print = [&](const std::string& operation, const Round& round) {
            report.row(operation + ": bot CPU per operation, the sandbox's storage apart", fixed(round.bot, 3) + " ms",
                       "<= 0.1 ms");
            report.row("  of which the audit trail's threads (its writer, its checkpoints)",
                       fixed(round.audit, 3) + " ms");
            report.row("  the sandbox's storage (its thread) in that round", fixed(round.sandbox, 3) + " ms");
        };
        if (!threads_cpu(bot->pid()).by_name.contains("collab-audit"))
            report.note("change: the bot has no thread named collab-audit; the audit trail's share reads 0");
        print("add of a new address", median_round(adds));
        print("remove + confirming click", median_round(removes));
        report.row("operations", std::to_string(count) + " of each per round, " + std::to_string(failed) + " failed");
        slack.keep_ack_payloads(false);
    }
    static constexpr std::size_t change_rounds = 5;

    // The bot's Scalingo client against `collab-bot sandbox serve` on loopback.
    void scalingo() {
        report.section("--provider scalingo against `collab-bot sandbox serve` (the bot acts as user1)");
        const fs::path served_state = work.make("served");
        BotLaunch serve;
        serve.args = {"sandbox", "serve"};
        BotProcess sandbox(served_state, std::move(serve), -1);
        const auto url = sandbox.wait_for_log("regional APIs at (http://[^ \\n]+)");
        if (!url) {
            report.note("scalingo: the sandbox did not serve; its log:\n" + sandbox.log());
            return;
        }
        SlackEmulator slack(workspace());
        BotLaunch launch;
        launch.args = {"--provider", "scalingo"};
        launch.environment = {{"SCALINGO_API_URL", *url},
                              {"SCALINGO_AUTH_URL", *url},
                              {"SCALINGO_API_TOKEN", "tk-us-sandbox-user1-0000000000000000000000000000"}};
        launch.config_text = "[health]\nlisten = \"127.0.0.1:0\"\n";
        auto bot = socket_mode_bot("scalingo", slack, launch);
        if (!bot) return;
        const auto port = bot->wait_for_log("health and metrics at http://127\\.0\\.0\\.1:([0-9]+)");
        auto upstream = [&] {
            // collab_upstream_requests_total{status="…"} N, summed over the statuses.
            const std::string metrics = port ? http_get(static_cast<unsigned short>(std::stoi(*port)), "/metrics") : "";
            const std::regex series("collab_upstream_requests_total\\{[^}]*\\} ([0-9.e+]+)");
            double total = 0;
            for (auto it = std::sregex_iterator(metrics.begin(), metrics.end(), series); it != std::sregex_iterator();
                 ++it)
                total += std::stod((*it)[1].str());
            return static_cast<long>(total);
        };
        SocketModeLoad load(slack, help_and_list("my-dedicated-db"), bot->pid());
        warm_up(slack, load, "scalingo", 200);
        const long before = upstream();
        const auto closed = load.closed_loop("sc-closed-", settings.commands / 5, settings.in_flight);
        run_figures("closed loop, " + std::to_string(settings.commands / 5), closed, "<= 0.015 ms");
        const auto paced = load.paced("sc-paced-", settings.paced, settings.rate);
        run_figures(steady_label(), paced, "<= 0.03 ms", "p99 <= 2, max <= 5 ms");
        const long after = upstream();
        report.row("upstream requests served during both runs", port ? std::to_string(after - before) : "?",
                   "0 (answers from the cache)");
        report.note("the cache keeps a collaborator list for scalingo.collaborators_cache_seconds (default 10 s)");
        report.row("peak RSS", mib(peak_rss_kib(bot->pid())));
    }

    // How the cost grows with the data: one generated seed per case.
    void growth() {
        report.section("Growth (generated sandbox seeds; " + std::to_string(settings.growth) + " commands each, " +
                       std::to_string(settings.in_flight) + " in flight unless said)");
        auto base_people = [] {
            return std::vector<Person>{{"U111", "user1@example.com"}, {"U222", "user2@example.com"}};
        };
        {
            Population many_collaborators{base_people(), {{"my-dedicated-db", 0, {1}}}};
            for (std::size_t i = 0; i < 499; ++i) {
                many_collaborators.people.push_back(
                    {"UC" + std::to_string(i), "c" + std::to_string(i) + "@example.com"});
                many_collaborators.databases[0].collaborators.push_back(many_collaborators.people.size() - 1);
            }
            // Fewer in flight: 64 answers of this size outgrow what the bot lets wait for a slow socket.
            growth_case("500 collaborators on my-dedicated-db, 8 in flight", "growth-collaborators", many_collaborators,
                        help_and_list("my-dedicated-db"), 200, "user2@example.com", 8);
        }
        {
            Population databases{base_people(), {}};
            for (std::size_t i = 0; i < 1'000; ++i) databases.databases.push_back({"db-" + std::to_string(i), 0, {1}});
            auto workload = [](std::size_t index) {
                return Command{(index / 2) % 2 == 0 ? "U111" : "U222",
                               index % 2 == 0 ? "help" : "list db-" + std::to_string((index / 2) % 1'000)};
            };
            growth_case("1,000 databases, lists spread over them", "growth-databases", databases, workload, 2'000,
                        "user2@example.com", settings.in_flight);
        }
        {
            // 10,000 people in teams of ten, one database each: person 10k owns db-k, 10k+1…10k+9 collaborate.
            Population people;
            for (std::size_t i = 0; i < 10'000; ++i)
                people.people.push_back({"UP" + std::to_string(i), "p" + std::to_string(i) + "@example.com"});
            for (std::size_t team = 0; team < 1'000; ++team) {
                SeedDatabase database{"db-" + std::to_string(team), team * 10, {}};
                for (std::size_t member = 1; member < 10; ++member)
                    database.collaborators.push_back(team * 10 + member);
                people.databases.push_back(std::move(database));
            }
            auto workload = [](std::size_t index) {
                const std::size_t person = (index / 2) % 10'000;
                return Command{"UP" + std::to_string(person),
                               index % 2 == 0 ? "help" : "list db-" + std::to_string(person / 10)};
            };
            growth_case("10,000 people (1,000 databases of 10), each typing in turn", "growth-people", people, workload,
                        20'000, "@example.com", settings.in_flight);
        }
    }

    void growth_case(const std::string& label, const std::string& name, const Population& population,
                     const Workload& workload, std::size_t warm, const std::string& expected_in_list,
                     std::size_t in_flight) {
        SlackEmulator slack(workspace(population.emails()));
        const fs::path state = work.make(name);
        population.write_seed(state / "seed.toml");
        BotLaunch seeded;
        seeded.config_text = "[sandbox]\nseed = \"seed.toml\"\n";
        auto bot = socket_mode_bot(name, slack, std::move(seeded));
        if (!bot) return;
        SocketModeLoad load(slack, workload, bot->pid());
        // Every person seen once (users.info), every database read once.
        warm_up(slack, load, name, warm, expected_in_list, in_flight);
        // The largest answer (a `list`), and the messages that followed answers through their response_url.
        std::size_t largest = 0, blocks = 0, lists = 0;
        for (const auto& ack : slack.acks()) {
            const std::string prefix = name + "-warm-";
            const auto index = command_index(ack.envelope_id, prefix);
            if (!index || ack.payload.empty()) continue;
            lists += workload(*index).text.starts_with("list") ? 1 : 0;
            const std::size_t size = boost::json::serialize(ack.payload).size();
            if (size <= largest) continue;
            largest = size;
            const auto* found = ack.payload.if_contains("blocks");
            blocks = found && found->is_array() ? found->as_array().size() : 0;
        }
        const std::size_t follow_ups = slack.posts("respond/" + name + "-warm-").size();
        const auto run = load.closed_loop(name + "-", settings.growth, in_flight);
        report.row(label + ": bot CPU per command",
                   fixed(run.bot_ms_per_command(), 4) + " ms" + (run.complete ? "" : " (INCOMPLETE)"));
        report.row(label + ": commands/s", fixed(run.per_second(), 0));
        report.row(label + ": RSS after / peak", mib(rss_kib(bot->pid())) + " / " + mib(peak_rss_kib(bot->pid())));
        report.row(label + ": largest answer", fixed(static_cast<double>(largest) / 1024.0, 1) + " KiB in " +
                                                   std::to_string(blocks) + " blocks; " + std::to_string(follow_ups) +
                                                   " follow-up messages for " + std::to_string(lists) + " lists");
    }

    // The same mix through HTTP mode: signed requests over kept-alive loopback connections.
    void http_mode() {
        report.section("HTTP mode (signed requests over loopback, " + std::to_string(settings.in_flight) +
                       " kept-alive connections)");
        SlackEmulator slack(workspace());
        const std::string secret = "8f742231b10e8888abcd99yyyzzz85a5";
        BotLaunch launch;
        launch.args = {"--adapter", "slack"};
        launch.environment = socket_mode_environment(slack);
        launch.environment["SLACK_APP_TOKEN"] = "";
        launch.environment["SLACK_SIGNING_SECRET"] = secret;
        launch.config_text = "[slack]\nmode = \"http\"\nhttp_listen = \"127.0.0.1:0\"\n";
        BotProcess bot(work.make("http"), std::move(launch), cores.bot);
        const auto port = bot.wait_for_log("request URLs http://127\\.0\\.0\\.1:([0-9]+)/slack/commands", 30s);
        if (!port) {
            report.note("http: the bot did not listen; its log:\n" + bot.log());
            return;
        }
        HttpModeLoad load({static_cast<unsigned short>(std::stoi(*port)), secret, slack.response_url("")},
                          help_and_list("my-dedicated-db"), bot.pid());
        load.closed_loop("http-warm-", 1'000, settings.in_flight);
        const std::size_t count = settings.commands / 5;
        run_figures("closed loop, " + std::to_string(count),
                    load.closed_loop("http-closed-", count, settings.in_flight));
        run_figures(steady_label(), load.paced("http-paced-", settings.paced, settings.rate, settings.in_flight), "",
                    "p99 <= 2, max <= 5 ms");
        report.row("peak RSS", mib(peak_rss_kib(bot.pid())));
    }

    // Instructions the bot executes per command, counted by callgrind: unlike CPU time, untouched by
    // whatever else the machine runs. The mix, then the change path; each window is zeroed and dumped
    // with callgrind_control, and the dumps are left in the state directory for callgrind_annotate.
    void instructions() {
        report.section("Instructions (the bot under valgrind --tool=callgrind), closed loop");
        if (!fs::exists("/usr/bin/valgrind") || !fs::exists("/usr/bin/callgrind_control")) {
            report.note("instructions: skipped, valgrind is not installed");
            return;
        }
        SlackEmulator slack(workspace());
        BotLaunch traced;
        const fs::path state = work.make("instructions");
        traced.wrapper = {"/usr/bin/valgrind", "--tool=callgrind",
                          "--callgrind-out-file=" + (state / "callgrind.out").string()};
        auto bot = socket_mode_bot("instructions", slack, std::move(traced), state);
        if (!bot) return;
        SocketModeLoad load(slack, help_and_list("my-dedicated-db"), bot->pid());
        warm_up(slack, load, "instructions", 500, "user2@example.com", 8);
        const std::string pid = std::to_string(bot->pid());
        // A command takes effect when the bot next runs: the load that follows wakes it.
        auto zero = [&] {
            return bp::child("/usr/bin/callgrind_control", bp::args({"--zero", pid}), bp::std_out > bp::null);
        };
        // Each dump is copied to the working directory as slack_bench.callgrind.<window>: the state
        // directory goes at the end of the run.
        auto dumped = [&](bp::child& zeroing, const std::string& window) {
            zeroing.wait();
            bp::child dump("/usr/bin/callgrind_control", bp::args({"--dump", pid}), bp::std_out > bp::null);
            dump.wait();
            const auto [total, file] = last_dump(state);
            std::error_code ignored;
            fs::copy_file(file, "slack_bench.callgrind." + window, fs::copy_options::overwrite_existing, ignored);
            return total;
        };
        const std::size_t count = std::max<std::size_t>(100, settings.growth / 4);
        auto zeroing = zero();
        const auto run = load.closed_loop("instructions-", count, settings.in_flight);
        const double per_command = static_cast<double>(dumped(zeroing, "mix")) / static_cast<double>(run.commands);
        report.row("instructions per command (" + std::to_string(run.commands) + " commands)", fixed(per_command, 0));

        slack.keep_ack_payloads(true);
        EnvelopeFactory envelopes(slack);
        const std::size_t changes = std::max<std::size_t>(20, settings.changes / 5);
        zeroing = zero();
        std::size_t failed = add_addresses(slack, envelopes, changes);
        const double per_add = static_cast<double>(dumped(zeroing, "add")) / static_cast<double>(changes);
        zeroing = zero();
        failed += remove_addresses(slack, envelopes, changes);
        const double per_remove = static_cast<double>(dumped(zeroing, "remove")) / static_cast<double>(changes);
        report.row("instructions per add (" + std::to_string(changes) + ", SQLite included)", fixed(per_add, 0));
        report.row("instructions per remove + click (SQLite included)", fixed(per_remove, 0));
        if (failed > 0) report.note("instructions: " + std::to_string(failed) + " changes failed");
        report.note(
            "profiles: slack_bench.callgrind.{mix,add,remove} in the working directory, for callgrind_annotate");
        slack.keep_ack_payloads(false);
    }

    // The instruction count ("summary:" or "totals:") of the newest callgrind dump in `dir`, and its file.
    static std::pair<long long, fs::path> last_dump(const fs::path& dir) {
        fs::path newest;
        int newest_number = -1;
        for (const auto& entry : fs::directory_iterator(dir)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with("callgrind.out.")) continue;
            const int number = std::atoi(name.substr(name.rfind('.') + 1).c_str());
            if (number > newest_number) {
                newest_number = number;
                newest = entry.path();
            }
        }
        std::ifstream in(newest);
        for (std::string line; std::getline(in, line);)
            if (line.starts_with("summary:") || line.starts_with("totals:"))
                return {std::atoll(line.c_str() + line.find(':') + 1), newest};
        return {0, newest};
    }

    // malloc-family calls per command, counted by the preloaded counting allocator.
    void allocations() {
        report.section("Allocations (counting allocator preloaded into the bot), closed loop");
        SlackEmulator slack(workspace());
        BotLaunch counted;
        counted.count_allocations = true;
        auto bot = socket_mode_bot("allocations", slack, std::move(counted));
        if (!bot) return;
        SocketModeLoad load(slack, help_and_list("my-dedicated-db"), bot->pid());
        warm_up(slack, load, "allocations", 1'000);
        const auto before = bot->allocations();
        const auto run = load.closed_loop("alloc-", settings.growth, settings.in_flight);
        const auto after = bot->allocations();
        if (after.allocations == 0) {
            report.note("allocations: the counting allocator reported nothing");
            return;
        }
        const double count = static_cast<double>(run.commands);
        report.row("allocations per command",
                   fixed(static_cast<double>(after.allocations - before.allocations) / count, 1));
        report.row("frees per command", fixed(static_cast<double>(after.frees - before.frees) / count, 1));
    }

    // System calls per command, counted by `strace -c -f` attached to the bot for the window only.
    void syscalls() {
        report.section("System calls (strace -c -f attached for the window), closed loop");
        if (!fs::exists("/usr/bin/strace")) {
            report.note("syscalls: skipped, strace is not installed");
            return;
        }
        SlackEmulator slack(workspace());
        auto bot = socket_mode_bot("syscalls", slack);
        if (!bot) return;
        SocketModeLoad load(slack, help_and_list("my-dedicated-db"), bot->pid());
        warm_up(slack, load, "syscalls", 1'000);
        const fs::path summary = bot->state_dir() / "strace.txt", messages = bot->state_dir() / "strace.log";
        bp::child strace("/usr/bin/strace",
                         bp::args({"-c", "-f", "-o", summary.string(), "-p", std::to_string(bot->pid())}),
                         bp::std_out > bp::null, bp::std_err > messages.string());
        for (int i = 0; i < 500; ++i) {
            std::ifstream in(messages);
            const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            if (text.find("attached") != std::string::npos) break;
            std::this_thread::sleep_for(10ms);
        }
        const auto run = load.closed_loop("strace-", settings.growth, settings.in_flight);
        ::kill(strace.id(), SIGINT);
        strace.wait();
        // strace's table: "% time seconds usecs/call calls [errors] syscall", then a "total" row.
        std::ifstream in(summary);
        std::vector<std::pair<long, std::string>> by_call;
        long total = 0;
        for (std::string line; std::getline(in, line);) {
            std::istringstream fields(line);
            std::vector<std::string> words{std::istream_iterator<std::string>(fields),
                                           std::istream_iterator<std::string>()};
            if (words.size() < 5 || !std::isdigit(static_cast<unsigned char>(words[0][0]))) continue;
            const long calls = std::atol(words[3].c_str());
            if (words.back() == "total")
                total = calls;
            else
                by_call.emplace_back(calls, words.back());
        }
        std::sort(by_call.rbegin(), by_call.rend());
        const double count = static_cast<double>(run.commands);
        report.row("system calls per command", fixed(static_cast<double>(total) / count, 2));
        std::string top;
        for (std::size_t i = 0; i < std::min<std::size_t>(5, by_call.size()); ++i)
            top += (i ? ", " : "") + by_call[i].second + " " + fixed(static_cast<double>(by_call[i].first) / count, 2);
        report.row("the most frequent, per command", top);
        report.note("under strace the bot runs far slower: only the counts mean something here");
    }
};

}  // namespace

int main(int argc, char** argv) {
    Bench bench{parse(argc, argv), {}, {}, {}};
    bench.cores = pin_this_process_away(bench.settings.cpu);
    const auto started = SteadyClock::now();
    std::cout << "collab-bot Slack benchmark: bot pinned to core " << bench.cores.bot << " of " << bench.cores.count
              << ", emulator and load generator on the other" << (bench.cores.count > 2 ? "s" : "") << std::endl;
    const auto& parts = bench.settings.parts;
    if (parts.contains("socket")) {
        bench.report.section("Socket Mode, embedded sandbox: help/list mix, " +
                             std::to_string(bench.settings.in_flight) + " in flight, then " +
                             fixed(bench.settings.rate, 0) + "/s");
        bench.socket_mode("socket", {}, true);
    }
    if (parts.contains("start")) {
        bench.report.section("Start: process spawn -> connected (restarts on an existing state directory)");
        bench.start("start", {}, true);
    }
    if (parts.contains("change")) bench.change();
    if (parts.contains("scalingo")) bench.scalingo();
    if (parts.contains("growth")) bench.growth();
    if (parts.contains("http")) bench.http_mode();
    if (parts.contains("allocations")) bench.allocations();
    if (parts.contains("syscalls")) bench.syscalls();
    if (parts.contains("instructions")) bench.instructions();
    if (parts.contains("bolt")) bench.bolt();
    if (parts.contains("bare")) bench.bare();
    if (parts.contains("machine"))
        report_wake_ups(bench.report, bench.cores, std::chrono::seconds{bench.settings.quick ? 3 : 10});
    bench.report.print(std::cout);
    std::cout << "\n(" << fixed(std::chrono::duration<double>(SteadyClock::now() - started).count(), 0)
              << " s; CPU from /proc/<pid>/stat over each measured window only, start-up excluded)\n";
    return 0;
}
