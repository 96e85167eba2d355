#include "bench_driver.hpp"

#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <boost/process/args.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>

#include <algorithm>
#include <fstream>
#include <iomanip>
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

void replace_all(std::string& text, std::string_view marker, std::string_view value) {
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + value.size()))
        text.replace(at, marker.size(), value);
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

long rss_kib(pid_t pid) {
    return status_field_kib(pid, "VmRSS:");
}

long peak_rss_kib(pid_t pid) {
    return status_field_kib(pid, "VmHWM:");
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
    if (!child_.wait_for(10s)) child_.terminate();
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

Workload help_and_list(std::string database) {
    return [list = "list " + database](std::size_t index) {
        return Command{(index / 2) % 2 == 0 ? "U111" : "U222", index % 2 == 0 ? "help" : list};
    };
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
    std::string envelope = template_;
    replace_all(envelope, "@@ID@@", envelope_id);
    replace_all(envelope, "@@USER@@", command.user_id);
    replace_all(envelope, "@@TEXT@@", command.text);
    return envelope;
}

SocketModeLoad::SocketModeLoad(slack::test::SlackEmulator& slack, Workload workload, pid_t bot)
    : slack_(slack), workload_(std::move(workload)), bot_(bot), envelopes_(slack) {}

RunFigures SocketModeLoad::closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                                       const std::vector<std::size_t>& checkpoints,
                                       const std::function<void(std::size_t)>& at) {
    const std::size_t base = slack_.ack_count();
    const double bot_before = cpu_seconds(bot_), generator_before = cpu_seconds(::getpid());
    const auto start = SteadyClock::now();
    std::size_t next_checkpoint = 0;
    auto pass_checkpoints = [&] {
        const std::size_t acknowledged = slack_.ack_count() - base;
        for (; next_checkpoint < checkpoints.size() && acknowledged >= checkpoints[next_checkpoint]; ++next_checkpoint)
            if (at) at(checkpoints[next_checkpoint]);
    };
    bool stalled = false;
    for (std::size_t sent = 0; sent < count && !stalled; ++sent) {
        if (sent >= in_flight) stalled = !slack_.wait_for_ack_count(base + sent - in_flight + 1, 30s);
        if (!checkpoints.empty()) pass_checkpoints();
        slack_.deliver(envelopes_.make(prefix + std::to_string(sent), workload_(sent)));
    }
    if (!stalled) slack_.wait_for_ack_count(base + count, 60s);
    pass_checkpoints();
    return collect(prefix, count, base, start, bot_before, generator_before);
}

RunFigures SocketModeLoad::paced(const std::string& prefix, std::size_t count, double rate) {
    std::vector<std::string> frames;
    frames.reserve(count);
    for (std::size_t i = 0; i < count; ++i) frames.push_back(envelopes_.make(prefix + std::to_string(i), workload_(i)));
    const std::size_t base = slack_.ack_count();
    const double bot_before = cpu_seconds(bot_), generator_before = cpu_seconds(::getpid());
    const auto interval = std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(1.0 / rate));
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < count; ++i) {
        std::this_thread::sleep_until(start + interval * static_cast<long>(i));
        slack_.deliver(std::move(frames[i]));
    }
    slack_.wait_for_ack_count(base + count, 60s);
    return collect(prefix, count, base, start, bot_before, generator_before);
}

RunFigures SocketModeLoad::collect(const std::string& prefix, std::size_t count, std::size_t base,
                                   SteadyClock::time_point start, double bot_cpu_before, double generator_cpu_before) {
    RunFigures figures;
    figures.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    figures.bot_cpu = cpu_seconds(bot_) - bot_cpu_before;
    figures.generator_cpu = cpu_seconds(::getpid()) - generator_cpu_before;
    figures.commands = count;
    figures.complete = slack_.ack_count() >= base + count;
    std::vector<double> latencies;
    latencies.reserve(count);
    for (const auto& ack : slack_.acks()) {
        if (!ack.envelope_id.starts_with(prefix)) continue;
        latencies.push_back(std::chrono::duration<double, std::milli>(ack.latency).count());
        figures.answered_in_ack += ack.carried_payload ? 1 : 0;
    }
    figures.ack_ms = summarize(std::move(latencies));
    return figures;
}

}  // namespace collab::bench
