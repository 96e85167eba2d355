// The executable's own command line: help, version, configuration and state errors.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <fstream>

#include "bot_process.hpp"

namespace collab::e2e {
namespace {

TEST(CommandLine, HelpListsTheOptions) {
    StateDir scratch;
    auto run = run_bot({"--help"}, "", scratch);
    EXPECT_EQ(run.exit_code, 0);
    for (const char* option : {"--config", "--state-dir", "--as", "--version", "sandbox invitations", "sandbox accept"})
        EXPECT_NE(run.out.find(option), std::string::npos) << option;
}

TEST(CommandLine, Version) {
    StateDir scratch;
    auto run = run_bot({"--version"}, "", scratch);
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_TRUE(run.out.starts_with("collab-bot ")) << run.out;
}

TEST(CommandLine, UnknownOptionIsAnError) {
    StateDir scratch;
    auto run = run_bot({"--colour"}, "", scratch);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("Try collab-bot --help"), std::string::npos) << run.err;
}

TEST(CommandLine, TheExampleConfigRunsLikeTheEmbeddedDefault) {
    StateDir state;
    auto run = run_bot({"--config", COLLAB_SOURCE_DIR "/config/collab-bot.toml", "--state-dir", state.path().string()},
                       "/collab whoami\n", state);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("Scalingo account: user1@example.com"), std::string::npos) << run.out;
}

TEST(CommandLine, UnknownConfigKeyStopsTheStartNamingIt) {
    StateDir state;
    const auto config = state.path() / "bot.toml";
    std::ofstream(config) << "[shell]\nemial = \"user1@example.com\"\n";
    auto run = run_bot({"--config", config.string(), "--state-dir", state.path().string()}, "", state);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("unknown key \"shell.emial\""), std::string::npos) << run.err;
}

TEST(CommandLine, AResponsesSettingTheBotCannotHonourStopsTheStartNamingIt) {
    for (const std::string platform : {"discord", "mattermost"}) {
        for (const auto& [setting, message] :
             {std::pair{"lsit = \"in_channel\"", ".responses.lsit: no such command"},
              std::pair{"list = \"public\"", ".responses.list is \"ephemeral\" or \"in_channel\""}}) {
            StateDir state;
            const auto config = state.path() / "bot.toml";
            std::ofstream(config) << "adapter = \"" << platform << "\"\n[" << platform << ".responses]\n"
                                  << setting << "\n";
            auto run = run_bot({"--config", config.string(), "--state-dir", state.path().string()}, "", state);
            EXPECT_EQ(run.exit_code, 2) << platform << ": " << setting;
            EXPECT_NE(run.err.find("bot.toml: " + platform + message), std::string::npos) << run.err;
        }
    }
}

TEST(CommandLine, ABadScalingoUrlStopsTheStartNamingTheSetting) {
    StateDir state;
    auto run = run_bot({"--provider", "scalingo", "--state-dir", state.path().string()}, "/collab whoami\n", state,
                       {{"SCALINGO_API_TOKEN", "tk-us-e2e-url-check"}, {"SCALINGO_API_URL", "htp://api.example.com"}});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("configuration error: SCALINGO_API_URL ([scalingo] api_url, or region) is not a usable "
                           "http(s) URL: the scheme must be http or https"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(run.out, "");
}

TEST(CommandLine, CorruptStateFileIsReportedClearly) {
    StateDir state;
    std::ofstream(state.path() / "sandbox.sqlite") << "this is not a database, it only has the name of one";
    auto run = run_bot({"--state-dir", state.path().string()}, "/collab list my-dedicated-db\n", state);
    EXPECT_EQ(run.exit_code, 2) << "a start-up error";
    EXPECT_NE(run.err.find("sandbox state file " + (state.path() / "sandbox.sqlite").string() + " is damaged"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(run.out, "");
}

TEST(CommandLine, UnwritableStateDirectoryIsReportedClearly) {
    StateDir scratch;
    const auto blocker = scratch.path() / "a-file";
    std::ofstream(blocker) << "x";
    auto run = run_bot({"--state-dir", (blocker / "state").string()}, "", scratch);
    EXPECT_EQ(run.exit_code, 2) << "a start-up error";
    EXPECT_NE(run.err.find("cannot create the state directory"), std::string::npos) << run.err;
}

TEST(CommandLine, ActAsNeedsAValidEmail) {
    StateDir state;
    auto run = run_bot({"--as", "bob", "--state-dir", state.path().string()}, "", state);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("--as: \"bob\" is not an e-mail address"), std::string::npos) << run.err;
}

// A directory opens like an empty file: it must not run on the defaults as if it were one.
TEST(CommandLine, AConfigDirectoryIsRefusedAtStartUp) {
    StateDir state;
    auto run =
        run_bot({"--config", state.path().string(), "--state-dir", state.path().string()}, "/collab whoami\n", state);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("configuration file " + state.path().string() + " is a directory"), std::string::npos)
        << run.err;
    EXPECT_EQ(run.out, "");
}

// Every start-up error exits with the same code, 2, naming what to fix: a CA file, a listen address.
TEST(CommandLine, ABadCaFileIsAStartUpError) {
    StateDir state;
    const auto config = state.path() / "bot.toml";
    std::ofstream(config) << "provider = \"scalingo\"\n[scalingo]\nca_file = \"no-such-ca.pem\"\n";
    auto run = run_bot({"--config", config.string(), "--state-dir", state.path().string()}, "", state,
                       {{"SCALINGO_API_TOKEN", "tk-us-sandbox-user1-0000000000000000000000000000"}});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("scalingo.ca_file: cannot load the CA file"), std::string::npos) << run.err;
}

TEST(CommandLine, AListenAddressInUseIsAStartUpError) {
    StateDir state;
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const std::string listen = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
    auto run = run_bot({"sandbox", "serve", "--listen", listen, "--state-dir", state.path().string()}, "", state);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("sandbox serve: "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(listen), std::string::npos) << run.err;
}

// As a service manager starts it: no terminal, and standard input /dev/null or closed. The shell would
// read the end of input at once and exit 0 as if its work were done; it says what is wrong instead.
TEST(CommandLine, TheShellWithNothingOnStandardInputSaysSoAndDoesNotStart) {
    namespace bp = boost::process;
    StateDir state;
    const std::vector<std::string> args{"--state-dir", state.path().string()};
    const auto log = state.path() / "bot.log";
    for (const std::string input : {"/dev/null", "closed"}) {
        bp::child child = input == "closed"
                              ? bp::child(COLLAB_BOT_BINARY, bp::args(args), bp::std_in.close(), bp::std_out > bp::null,
                                          bp::std_err > log.string())
                              : bp::child(COLLAB_BOT_BINARY, bp::args(args), bp::std_in<bp::null, bp::std_out> bp::null,
                                          bp::std_err > log.string());
        ASSERT_TRUE(ended_within(child, std::chrono::seconds(20))) << input;
        EXPECT_EQ(child.exit_code(), 2) << input;
        const std::string said = slurp(log);
        EXPECT_NE(said.find("the shell adapter reads commands from standard input, which is " + input),
                  std::string::npos)
            << said;
    }
}

}  // namespace
}  // namespace collab::e2e
