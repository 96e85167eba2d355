#include "bench_driver.hpp"

#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/process/args.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

namespace collab::bench {
namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string slurp(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

long status_field_kib(pid_t pid, std::string_view field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with(field)) return std::atol(line.c_str() + field.size());
    return -1;
}

}  // namespace

double cpu_seconds(pid_t pid) {
    const std::string text = slurp("/proc/" + std::to_string(pid) + "/stat");
    // The fields after the command name (which may hold spaces) start after its closing ')'; utime and
    // stime are the 14th and 15th.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    long user = 0, system = 0;
    fields >> user >> system;
    return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double ThreadsCpu::of(std::string_view name) const {
    const auto found = by_name.find(name);
    return found == by_name.end() ? 0 : found->second;
}

ThreadsCpu threads_cpu(pid_t pid) {
    ThreadsCpu cpu;
    std::error_code error;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
        // The first field: nanoseconds spent on a CPU. A thread gone meanwhile reads as empty.
        const double seconds = static_cast<double>(std::atoll(slurp(task.path() / "schedstat").c_str())) / 1e9;
        std::string name = slurp(task.path() / "comm");
        if (!name.empty() && name.back() == '\n') name.pop_back();
        cpu.all += seconds;
        cpu.by_name[name] += seconds;
    }
    return cpu;
}

long rss_kib(pid_t pid) {
    return status_field_kib(pid, "VmRSS:");
}

long peak_rss_kib(pid_t pid) {
    return status_field_kib(pid, "VmHWM:");
}

std::string rss_split(pid_t pid) {
    return mib(rss_kib(pid)) + " (anonymous " + mib(status_field_kib(pid, "RssAnon:")) + ", files " +
           mib(status_field_kib(pid, "RssFile:")) + ")";
}

Latencies summarize(std::vector<double> milliseconds) {
    if (milliseconds.empty()) return {};
    std::sort(milliseconds.begin(), milliseconds.end());
    auto at = [&](double share) {
        return milliseconds[static_cast<std::size_t>(share * static_cast<double>(milliseconds.size() - 1))];
    };
    return {at(0.50), at(0.99), milliseconds.back()};
}

Cores pin_this_process_away(int bot_cpu) {
    Cores cores;
    cores.count = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    cores.bot = bot_cpu >= 0 ? bot_cpu : cores.count - 1;
    if (cores.count < 2) return cores;
    // Threads started from now on (the emulator's) inherit this.
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < cores.count; ++cpu)
        if (cpu != cores.bot) CPU_SET(cpu, &set);
    ::sched_setaffinity(0, sizeof set, &set);
    return cores;
}

namespace {

struct WakeUps {
    Latencies late;  // ms past the millisecond asked for
    double over_2ms_per_second = 0;
};

WakeUps wake_ups_on(int cpu, std::chrono::seconds span) {
    std::vector<double> late;
    std::thread sleeper([&] {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        ::sched_setaffinity(0, sizeof set, &set);
        const auto end = SteadyClock::now() + span;
        for (auto before = SteadyClock::now(); before < end;) {
            std::this_thread::sleep_for(std::chrono::milliseconds{1});
            const auto after = SteadyClock::now();
            late.push_back(std::chrono::duration<double, std::milli>(after - before).count() - 1.0);
            before = after;
        }
    });
    sleeper.join();
    WakeUps found;
    found.over_2ms_per_second =
        static_cast<double>(std::count_if(late.begin(), late.end(), [](double ms) { return ms > 2.0; })) /
        static_cast<double>(span.count());
    found.late = summarize(std::move(late));
    return found;
}

}  // namespace

void report_wake_ups(Report& report, const Cores& cores, std::chrono::seconds span) {
    report.section("This machine: a thread that only sleeps, 1 ms at a time, " + std::to_string(span.count()) +
                   " s on the bot's core and another (nothing else running)");
    std::vector<std::pair<int, std::string>> measured{{cores.bot, "the bot's core"}};
    if (cores.count > 1) measured.emplace_back((cores.bot + 1) % cores.count, "another core (the generator's)");
    for (const auto& [cpu, whose] : measured) {
        const WakeUps found = wake_ups_on(cpu, span);
        report.row(
            "woken late on " + whose + ", p50 / p99 / max",
            fixed(found.late.p50, 2) + " / " + fixed(found.late.p99, 2) + " / " + fixed(found.late.max, 2) + " ms");
        report.row("  wake-ups more than 2 ms late, per second", fixed(found.over_2ms_per_second, 1));
    }
}

void Report::section(std::string title) {
    rows_.push_back({std::move(title), "", "", true, false});
}

void Report::row(std::string figure, std::string value, std::string target) {
    rows_.push_back({std::move(figure), std::move(value), std::move(target), false, false});
}

void Report::note(std::string text) {
    rows_.push_back({std::move(text), "", "", false, true});
}

void Report::print(std::ostream& out) const {
    std::size_t figure_width = 0, value_width = 0;
    for (const auto& row : rows_) {
        if (row.section || row.note) continue;
        figure_width = std::max(figure_width, row.figure.size());
        if (!row.target.empty()) value_width = std::max(value_width, row.value.size());
    }
    for (const auto& row : rows_) {
        if (row.section) {
            out << "\n" << row.figure << "\n";
        } else if (row.note) {
            out << "  (" << row.figure << ")\n";
        } else {
            out << "  " << std::left << std::setw(static_cast<int>(figure_width)) << row.figure << "  ";
            if (row.target.empty())
                out << row.value;
            else
                out << std::setw(static_cast<int>(value_width)) << row.value << "  target " << row.target;
            out << "\n";
        }
    }
}

std::string fixed(double value, int precision) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(precision) << value;
    return text.str();
}

std::string mib(long kib) {
    return kib < 0 ? "?" : fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB";
}

Workdir::Workdir() : path_(fs::temp_directory_path() / ("collab-bench-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
}

Workdir::~Workdir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

fs::path Workdir::make(const std::string& name) const {
    const fs::path dir = path_ / name;
    fs::create_directories(dir);
    return dir;
}

BotProcess::BotProcess(const fs::path& state_dir, BotLaunch launch, int cpu)
    : state_dir_(state_dir), counts_file_(state_dir / "allocations") {
    bp::environment env = boost::this_process::environment();
    for (const auto& [name, value] : launch.environment) {
        if (value.empty())
            env.erase(name);
        else
            env[name] = value;
    }
    if (launch.count_allocations) {
        env["LD_PRELOAD"] = COLLAB_ALLOC_COUNTER;
        env["COLLAB_ALLOC_COUNTS"] = counts_file_.string();
    }
    const bool bot = launch.program.empty();
    std::vector<std::string> args = std::move(launch.args);
    if (bot) args.insert(args.end(), {"--state-dir", state_dir.string()});
    if (!launch.config_text.empty()) {
        const fs::path config = state_dir / "collab-bot.toml";
        std::ofstream(config) << launch.config_text;
        args.insert(args.end(), {"--config", config.string()});
    }
    // Pinned before exec, so that start-up runs on the bot's core too.
    auto pin = bp::extend::on_exec_setup = [cpu](auto&) {
        if (cpu < 0) return;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        ::sched_setaffinity(0, sizeof set, &set);
    };
    std::string program = bot ? COLLAB_BOT_BINARY : launch.program;
    if (bot && launch.wrapper.empty() && !callgrind_dir().empty()) {
        launch.wrapper = {"/usr/bin/valgrind", "--tool=callgrind",
                          "--callgrind-out-file=" + (callgrind_dir() / "callgrind.%p").string()};
        traced_ = true;
    }
    if (!launch.wrapper.empty()) {
        args.insert(args.begin(), program);
        args.insert(args.begin(), launch.wrapper.begin() + 1, launch.wrapper.end());
        program = launch.wrapper.front();
    }
    spawned_at_ = SteadyClock::now();
    child_ = bp::child(program, bp::args(args), bp::std_in<bp::null, bp::std_out> bp::null,
                       bp::std_err > (state_dir / "bot.log").string(), env, pin);
}

BotProcess::~BotProcess() {
    stop();
}

std::string BotProcess::log() const {
    return slurp(state_dir_ / "bot.log");
}

std::optional<std::string> BotProcess::wait_for_log(const std::string& pattern,
                                                    std::chrono::milliseconds timeout) const {
    const std::regex wanted(pattern);
    const auto deadline = SteadyClock::now() + timeout;
    do {
        const std::string text = log();
        std::smatch found;
        if (std::regex_search(text, found, wanted)) return found[1].str();
        std::this_thread::sleep_for(10ms);
    } while (SteadyClock::now() < deadline);
    return std::nullopt;
}

AllocationCounts BotProcess::allocations() const {
    AllocationCounts counts;
    std::ifstream in(counts_file_, std::ios::binary);
    in.read(reinterpret_cast<char*>(&counts), sizeof counts);
    return in ? counts : AllocationCounts{};
}

void BotProcess::stop() {
    if (!child_.valid() || !child_.running()) return;
    ::kill(pid(), SIGTERM);
    // Under callgrind the stop is some fifty times slower, and its profile is written at the exit.
    if (!child_.wait_for(traced_ ? 120s : 10s)) child_.terminate();
}

fs::path& BotProcess::callgrind_dir() {
    static fs::path dir;
    return dir;
}

void BotProcess::trace_with_callgrind(fs::path dir) {
    fs::create_directories(dir);
    callgrind_dir() = std::move(dir);
}

std::map<std::string, std::string> socket_mode_environment(const slack::test::SlackEmulator& slack) {
    const slack::test::EmulatorOptions tokens;
    return {{"SLACK_APP_TOKEN", tokens.app_token},
            {"SLACK_BOT_TOKEN", tokens.bot_token},
            {"SLACK_API_URL", slack.api_url()}};
}

void Population::write_seed(const fs::path& file) const {
    std::ofstream out(file);
    out << "bot_account = \"collab-bot@example.com\"\n\n"
        << "[[accounts]]\nemail = \"collab-bot@example.com\"\nusername = \"collab-bot\"\n";
    for (const auto& person : people)
        out << "\n[[accounts]]\nemail = \"" << person.email << "\"\nusername = \""
            << person.email.substr(0, person.email.find('@')) << "\"\n";
    for (const auto& database : databases) {
        out << "\n[[databases]]\nname = \"" << database.name << "\"\nowner = \"" << people[database.owner].email
            << "\"\ndedicated = true\ncollaborators = [\n"
            // The bot reaches only the databases its account is on, as on Scalingo.
            << "  { email = \"collab-bot@example.com\", status = \"accepted\" },\n";
        for (const auto index : database.collaborators)
            out << "  { email = \"" << people[index].email << "\", status = \"accepted\" },\n";
        out << "]\n";
    }
}

std::map<std::string, std::string> Population::emails() const {
    std::map<std::string, std::string> emails;
    for (const auto& person : people) emails[person.user_id] = person.email;
    return emails;
}

Workload help_and_list(std::string database, std::string owner, std::string collaborator) {
    return [list = "list " + database, owner = std::move(owner),
            collaborator = std::move(collaborator)](std::size_t index) {
        return Command{(index / 2) % 2 == 0 ? owner : collaborator, index % 2 == 0 ? "help" : list};
    };
}

std::string filled(std::string text, const std::vector<std::pair<std::string_view, std::string_view>>& values) {
    for (const auto& [marker, value] : values)
        for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size()))
            text.replace(at, marker.size(), value);
    return text;
}

EnvelopeFactory::EnvelopeFactory(const slack::test::SlackEmulator& slack) {
    slack::test::SlashCommandFields fields;
    fields.envelope_id = "@@ID@@";
    fields.user_id = "@@USER@@";
    fields.text = "@@TEXT@@";
    fields.response_url = slack.response_url("@@ID@@");
    template_ = slack::test::slash_command_envelope(fields);
}

// The values are put in as they are: ids and command texts of the bench need no JSON escaping.
std::string EnvelopeFactory::make(const std::string& envelope_id, const Command& command) const {
    return filled(template_, {{"@@ID@@", envelope_id}, {"@@USER@@", command.user_id}, {"@@TEXT@@", command.text}});
}

PushLoad::PushLoad(std::unique_ptr<PushedCommands> platform, Workload workload, pid_t bot)
    : platform_(std::move(platform)), workload_(std::move(workload)), bot_(bot) {}

RunFigures PushLoad::closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                                 const std::vector<std::size_t>& checkpoints,
                                 const std::function<void(std::size_t)>& at) {
    const std::size_t base = platform_->answer_count();
    const double bot_before = cpu_seconds(bot_), generator_before = cpu_seconds(::getpid());
    const auto start = SteadyClock::now();
    std::size_t next_checkpoint = 0;
    auto pass_checkpoints = [&] {
        const std::size_t answered = platform_->answer_count() - base;
        for (; next_checkpoint < checkpoints.size() && answered >= checkpoints[next_checkpoint]; ++next_checkpoint)
            if (at) at(checkpoints[next_checkpoint]);
    };
    bool stalled = false;
    for (std::size_t sent = 0; sent < count && !stalled; ++sent) {
        if (sent >= in_flight) stalled = !platform_->wait_for_answer_count(base + sent - in_flight + 1, 30s);
        if (!checkpoints.empty()) pass_checkpoints();
        platform_->prepare(prefix + std::to_string(sent), workload_(sent))();
    }
    if (!stalled) platform_->wait_for_answer_count(base + count, 60s);
    pass_checkpoints();
    return collect(prefix, count, base, start, bot_before, generator_before);
}

std::optional<std::size_t> command_index(std::string_view id, std::string_view prefix) {
    if (!id.starts_with(prefix)) return std::nullopt;
    const std::string_view number = id.substr(prefix.size());
    std::size_t index = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), index);
    if (error != std::errc{} || end != number.data() + number.size()) return std::nullopt;
    return index;
}

RunFigures PushLoad::paced(const std::string& prefix, std::size_t count, double rate, std::size_t) {
    std::vector<std::function<void()>> deliveries;
    deliveries.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        deliveries.push_back(platform_->prepare(prefix + std::to_string(i), workload_(i)));
    const std::size_t base = platform_->answer_count();
    const double bot_before = cpu_seconds(bot_), generator_before = cpu_seconds(::getpid());
    const auto interval = std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(1.0 / rate));
    std::vector<double> late(count);
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < count; ++i) {
        const auto due = start + interval * static_cast<long>(i);
        std::this_thread::sleep_until(due);
        late[i] = std::chrono::duration<double, std::milli>(SteadyClock::now() - due).count();
        deliveries[i]();
    }
    platform_->wait_for_answer_count(base + count, 60s);
    return collect(prefix, count, base, start, bot_before, generator_before, late);
}

RunFigures PushLoad::collect(const std::string& prefix, std::size_t count, std::size_t base,
                             SteadyClock::time_point start, double bot_cpu_before, double generator_cpu_before,
                             const std::vector<double>& late) {
    RunFigures figures;
    figures.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    figures.bot_cpu = cpu_seconds(bot_) - bot_cpu_before;
    figures.generator_cpu = cpu_seconds(::getpid()) - generator_cpu_before;
    figures.commands = count;
    figures.complete = platform_->answer_count() >= base + count;
    std::vector<double> latencies, delays;
    latencies.reserve(count);
    delays.reserve(count);
    for (const auto& answer : platform_->answers(prefix)) {
        latencies.push_back(answer.latency_ms);
        delays.push_back(answer.delay_ms + (answer.index < late.size() ? late[answer.index] : 0.0));
        figures.answered_in_ack += answer.carried ? 1 : 0;
    }
    figures.ack_ms = summarize(std::move(latencies));
    figures.generator_delay = summarize(std::move(delays));
    return figures;
}

namespace {

class SlackSocketMode final : public PushedCommands {
public:
    explicit SlackSocketMode(slack::test::SlackEmulator& slack) : slack_(slack), envelopes_(slack) {}

    std::function<void()> prepare(const std::string& id, const Command& command) override {
        return [this, frame = envelopes_.make(id, command)]() mutable { slack_.deliver(std::move(frame)); };
    }
    std::size_t answer_count() const override { return slack_.ack_count(); }
    bool wait_for_answer_count(std::size_t count, std::chrono::milliseconds timeout) const override {
        return slack_.wait_for_ack_count(count, timeout);
    }
    std::vector<Answer> answers(const std::string& prefix) const override {
        std::vector<Answer> found;
        for (const auto& ack : slack_.acks())
            if (const auto index = command_index(ack.envelope_id, prefix))
                found.push_back({std::chrono::duration<double, std::milli>(ack.latency).count(), ack.carried_payload,
                                 std::chrono::duration<double, std::milli>(ack.queued).count(), *index});
        return found;
    }

private:
    slack::test::SlackEmulator& slack_;
    EnvelopeFactory envelopes_;
};

}  // namespace

SocketModeLoad::SocketModeLoad(slack::test::SlackEmulator& slack, Workload workload, pid_t bot)
    : PushLoad(std::make_unique<SlackSocketMode>(slack), std::move(workload), bot) {}

CommandLine::CommandLine(int argc, char** argv, std::string program, std::string usage, std::string all_parts)
    : program_(std::move(program)), usage_(std::move(usage)), all_parts_(std::move(all_parts)) {
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--quick") {
            quick_ = true;
            continue;
        }
        if (i + 1 >= argc) this->usage(name + " needs a value");
        given_[name] = argv[++i];
    }
}

void CommandLine::usage(const std::string& problem) const {
    std::cerr << program_ << ": " << problem << "\nUsage: " << program_ << " " << usage_ << "\n";
    std::exit(2);
}

std::optional<double> CommandLine::number(const std::string& name) {
    const auto found = given_.find(name);
    if (found == given_.end()) return std::nullopt;
    const std::string text = found->second;
    given_.erase(found);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || value < 0) usage(name + " takes a number, not \"" + text + "\"");
    return value;
}

LoadSettings CommandLine::load_settings(std::size_t quick_commands, std::size_t quick_paced) {
    LoadSettings settings;
    settings.quick = quick_;
    if (quick_) {
        settings.commands = quick_commands;
        settings.paced = quick_paced;
    }
    auto count = [&](const std::string& name, std::size_t& into) {
        if (const auto value = number(name)) into = static_cast<std::size_t>(*value);
    };
    count("--commands", settings.commands);
    count("--in-flight", settings.in_flight);
    settings.in_flight = std::max<std::size_t>(1, settings.in_flight);
    if (const auto rate = number("--rate")) settings.rate = std::max(1.0, *rate);
    count("--paced", settings.paced);
    if (const auto cpu = number("--cpu")) settings.cpu = static_cast<int>(*cpu);
    if (const auto found = given_.find("--callgrind"); found != given_.end()) {
        BotProcess::trace_with_callgrind(fs::absolute(found->second));
        given_.erase(found);
    }
    std::string only = all_parts_;
    if (const auto found = given_.find("--only"); found != given_.end()) {
        only = found->second;
        given_.erase(found);
    }
    const auto known = [&](const std::string& part) {
        std::istringstream all(all_parts_);
        for (std::string one; std::getline(all, one, ',');)
            if (one == part) return true;
        return false;
    };
    std::istringstream list(only);
    for (std::string part; std::getline(list, part, ',');) {
        if (!known(part)) usage("unknown part \"" + part + "\"");
        settings.parts.insert(part);
    }
    return settings;
}

void CommandLine::done() const {
    if (!given_.empty()) usage("unknown option " + given_.begin()->first);
}

void report_run(Report& report, const std::string& label, const RunFigures& run, double rate, const Targets& targets,
                const RunWording& wording) {
    const std::string incomplete = run.complete ? "" : " (INCOMPLETE)";
    report.row(label + ": commands/s", fixed(run.per_second(), 0) + incomplete);
    report.row(label + ": bot CPU per command", fixed(run.bot_ms_per_command(), 4) + " ms", targets.cpu);
    if (!targets.latency.empty() || run.per_second() < rate * 1.5) {
        report.row(
            label + ": " + wording.latency + " p50 / p99 / max",
            fixed(run.ack_ms.p50, 2) + " / " + fixed(run.ack_ms.p99, 2) + " / " + fixed(run.ack_ms.max, 2) + " ms",
            targets.latency);
        // Not the bot's, and left out of the figure above: a generator sharing its core with the
        // emulator's threads is sometimes late.
        report.row(label + ": generator's delay before the write p99 / max",
                   fixed(run.generator_delay.p99, 2) + " / " + fixed(run.generator_delay.max, 2) + " ms");
    }
    report.row(label + ": " + wording.answered,
               std::to_string(run.answered_in_ack) + " of " + std::to_string(run.commands));
    report.row(
        label + ": generator CPU per command (this process)",
        fixed(run.generator_cpu * 1000.0 / static_cast<double>(std::max<std::size_t>(1, run.commands)), 4) + " ms");
}

std::string steady_label(const LoadSettings& settings) {
    return "steady " + fixed(settings.rate, 0) + "/s, " + std::to_string(settings.paced);
}

void closed_then_steady(Report& report, Load& load, pid_t bot, const std::string& name, const LoadSettings& settings,
                        std::size_t warmed, const Targets& closed, const Targets& steady, const RunWording& wording) {
    std::map<std::size_t, std::string> rss;
    const auto closed_run = load.closed_loop(name + "-closed-", settings.commands, settings.in_flight,
                                             {10'000, 100'000}, [&](std::size_t done) { rss[done] = rss_split(bot); });
    report_run(report, "closed loop, " + std::to_string(settings.commands), closed_run, settings.rate, closed, wording);
    for (const auto& [done, split] : rss) report.row("RSS after " + std::to_string(done) + " commands", split);
    const auto paced = load.paced(name + "-paced-", settings.paced, settings.rate, settings.in_flight);
    report_run(report, steady_label(settings), paced, settings.rate, steady, wording);
    report.row("peak RSS over " + std::to_string(settings.commands + settings.paced + warmed) + " commands",
               mib(peak_rss_kib(bot)), closed.peak_rss);
}

void report_starts(Report& report, const std::string& ready_label, std::vector<double> ready_ms,
                   std::vector<double> answer_ms, const std::string& ready_target) {
    const std::size_t starts = ready_ms.size();
    const auto ready = summarize(std::move(ready_ms)), answer = summarize(std::move(answer_ms));
    report.row(ready_label + ", median / max of " + std::to_string(starts),
               fixed(ready.p50, 1) + " / " + fixed(ready.max, 1) + " ms", ready_target);
    report.row("spawn -> first command answered, median / max",
               fixed(answer.p50, 1) + " / " + fixed(answer.max, 1) + " ms");
}

unsigned short free_loopback_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address_v4("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

}  // namespace collab::bench
