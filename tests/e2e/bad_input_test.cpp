// Garbage through the built binary: what a careless or hostile person types at the shell, and
// malformed HTTP at `sandbox serve` and at Slack HTTP mode. No crash, no hang, a clear error for
// each, nothing changed, nothing echoed raw (no terminal escape, no bidi character, no megabyte).

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "adapters/chat/slack/signature.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "core/text.hpp"
#include "raw_connection.hpp"
#include "slack_bot_process.hpp"

namespace collab::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using net::test::RawAnswer;
using net::test::RawConnection;

// Text meant for a terminal or a log holds nothing a terminal acts on, no bidi or invisible
// formatting character, and only valid UTF-8.
::testing::AssertionResult inert(const std::string& text) {
    static const std::vector<std::pair<std::string, std::string>> forbidden{
        {"\x1b", "ESC"},      {"\x07", "BEL"},      {"\u009b", "CSI (U+009B)"}, {std::string(1, '\0'), "NUL"},
        {"\u202e", "U+202E"}, {"\u202a", "U+202A"}, {"\u2066", "U+2066"},       {"\u2067", "U+2067"},
        {"\u2069", "U+2069"}, {"\u200e", "U+200E"}, {"\u200f", "U+200F"}};
    for (const auto& [bytes, name] : forbidden) {
        if (auto at = text.find(bytes); at != std::string::npos)
            return ::testing::AssertionFailure()
                   << name << " at byte " << at << ": " << text::printable(text.substr(at > 60 ? at - 60 : 0, 120));
    }
    if (!text::is_valid_utf8(text)) return ::testing::AssertionFailure() << "invalid UTF-8";
    return ::testing::AssertionSuccess();
}

std::string addresses(int count) {
    std::string list;
    for (int i = 0; i < count; ++i) list += " person" + std::to_string(i) + "@example.com";
    return list;
}

std::size_t occurrences(const std::string& text, const std::string& piece) {
    std::size_t count = 0;
    for (auto at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++count;
    return count;
}

// ---- The shell --------------------------------------------------------------------------------------------

// The seed, with user2's username as a hostile upstream could send it: set the window title, clear
// the screen, and reverse what follows.
const std::string hostile_username = R"(\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eevil)";

std::string hostile_seed() {
    std::ifstream in(std::string(COLLAB_SOURCE_DIR) + "/config/sandbox.toml");
    std::stringstream text;
    text << in.rdbuf();
    return std::regex_replace(text.str(), std::regex("username = \"user2\""),
                              "username = \"" + hostile_username + "\"");
}

class BadInput : public ::testing::TestWithParam<Upstream> {
protected:
    void SetUp() override {
        const auto seed = scratch_.path() / "hostile-seed.toml";
        std::ofstream(seed) << hostile_seed();
        config_ = (scratch_.path() / "bot.toml").string();
        std::ofstream(config_) << "log_level = \"debug\"\n[shell]\nemail = \"user1@example.com\"\n[sandbox]\nseed = \""
                               << seed.string() << "\"\n";
        if (GetParam() == Upstream::over_http) {
            served_ = std::make_unique<ServedSandbox>(served_state_, std::vector<std::string>{"--config", config_});
            ASSERT_TRUE(served_->url().starts_with("http://127.0.0.1:")) << served_->url();
        }
    }

    BotRun bot(const std::string& input) {
        std::vector<std::string> args{"--config", config_, "--state-dir", state_.path().string()};
        if (served_) args.insert(args.end(), {"--provider", "scalingo"});
        return run_bot(args, input, scratch_, served_ ? scalingo_environment(*served_) : Environment{});
    }

    // The sandbox's outbox, wherever its data lives.
    std::string outbox() {
        return run_bot({"sandbox", "invitations", "--config", config_, "--state-dir",
                        (served_ ? served_state_ : state_).path().string()},
                       "", scratch_)
            .out;
    }

    std::string sandbox_log() const { return served_ ? slurp(served_state_.path() / "serve.log") : ""; }

    StateDir scratch_, state_, served_state_;
    std::string config_;
    std::unique_ptr<ServedSandbox> served_;
};

TEST_P(BadInput, AHostileUsernameIsListedInertAndAligned) {
    const BotRun run = bot("/collab list my-dedicated-db\n");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(inert(run.out));
    EXPECT_TRUE(inert(run.err));
    EXPECT_TRUE(inert(sandbox_log()));
    EXPECT_NE(run.out.find(R"(│ \x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil │)"), std::string::npos) << run.out;
    // Every line of the table as wide as the others.
    std::istringstream lines(run.out);
    std::size_t width = 0;
    for (std::string line; std::getline(lines, line);) {
        if (width == 0) width = text::display_width(line);
        EXPECT_EQ(text::display_width(line), width) << line;
    }
}

TEST_P(BadInput, GarbageAtTheShellGetsAClearErrorEachAndChangesNothing) {
    const std::string before = outbox();
    std::vector<std::pair<std::string, std::string>> cases{
        // what is typed, and what the answer says
        {"/collab " + std::string(1 << 20, 'x'), "Unknown command \"" + std::string(80, 'x') + "…\"."},
        {"/collab add my-dedicated-db " + std::string(1 << 20, 'y') + "@example.com",
         "is too long for an e-mail address."},
        {std::string("/collab list my\0db", 18), R"("my\x00db" is not a valid database name)"},
        {std::string("/collab list my-dedicated-db\0; rm -rf /", 39), R"(Unknown option "-rf" for list.)"},
        {"/collab add my-dedicated-db \xff\xfe@example.com", "The command is not valid UTF-8 text."},
        {"/collab \xc0\xaf", "The command is not valid UTF-8 text."},
        {"/collab list \x1b[2J\x1b]0;owned\x07", R"("\x1b[2J\x1b]0;owned\x07" is not a valid database name)"},
        {"/collab add my-dedicated-db evil\x1b[31m@example.com", R"("\x1b" is not allowed before the @.)"},
        {"/collab lis\u202et my-dedicated-db", R"(Unknown command "lis\u202et".)"},
        {"/collab remove my-dedicated-db \u009b31muser2@example.com", R"("\x9b" (U+009B) is not allowed)"},
        {"/collab help \u2066\u2067x\u2069", R"(Unknown command "\u2066\u2067x\u2069".)"},
        {"/collab add my-dedicated-db" + addresses(10'000),
         "add takes at most 10 addresses at a time (10000 were given)"},
        {"/collab add my-dedicated-db user@ex\u0430mple.com", "\"\u0430\" (U+0430) is not allowed in a domain name"},
        {"/collab add my-dedicated-db us\u0435r2@example.com", "\"\u0435\" (U+0435) is not allowed before the @."},
        {"/collab add my-dedicated-db user\uff20example.com", "its \"\uff20\" (U+FF20) only looks like an @."},
        {"/collab add my-dedicated-db user@example\u3002com", "\"\u3002\" (U+3002) is not allowed in a domain name"},
        {"/collab \"confirm", "A quote is left open"},
    };
    std::string input = "/collab list my-dedicated-db\n";
    for (const auto& [typed, answer] : cases) input += typed + "\n";
    input += "/collab list my-dedicated-db\n";

    const auto started = std::chrono::steady_clock::now();
    const BotRun run = bot(input);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(run.exit_code, 0) << run.err.substr(0, 2000);
    EXPECT_LT(took, 10s) << "a bounded wall time for 2 MB of garbage and 10,000 addresses";
    for (const auto& [typed, answer] : cases)
        EXPECT_NE(run.out.find(answer), std::string::npos)
            << "no \"" << answer << "\" for " << text::printable(typed.substr(0, 60));
    EXPECT_EQ(occurrences(run.out, " !     "), cases.size()) << "one error each";

    // Nothing echoed raw or whole, on standard output or in the log.
    EXPECT_TRUE(inert(run.out));
    EXPECT_TRUE(inert(run.err));
    EXPECT_TRUE(inert(sandbox_log()));
    EXPECT_LT(run.out.size(), 64u * 1024) << "a megabyte was echoed back";
    EXPECT_LT(run.err.size(), 64u * 1024) << "a megabyte went into the log";

    // Nothing changed: the same table before and after, no invitation sent.
    const std::size_t first = run.out.find("┌");
    const std::size_t last = run.out.rfind("┌");
    ASSERT_NE(first, last);
    EXPECT_EQ(run.out.substr(first, run.out.find("┘", first) - first),
              run.out.substr(last, run.out.find("┘", last) - last));
    EXPECT_EQ(outbox(), before) << "no invitation went out";
}

TEST_P(BadInput, AConfirmationTokenNeverReachesTheLogWhateverIsTyped) {
    const BotRun proposed = bot("/collab remove my-dedicated-db user2@example.com\n");
    std::smatch found;
    ASSERT_TRUE(std::regex_search(proposed.out, found, std::regex("/collab confirm ([A-Za-z0-9_.-]+)")))
        << proposed.out;
    const std::string token = found[1];
    // Typed right, typed wrong, quoted whole, pasted where an address goes: never logged.
    const BotRun run = bot("/collab confirm " + token + " extra\n/collab \"confirm " + token + "\"\n/collab remove " +
                           "my-dedicated-db " + token + "\n/collab confirm " + token + "\n");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("user2@example.com has been removed"), std::string::npos) << run.out;
    for (const std::string& log : {proposed.err, run.err}) {
        EXPECT_EQ(log.find(token.substr(0, 16)), std::string::npos) << log;
        EXPECT_EQ(log.find(token.substr(token.size() - 16)), std::string::npos) << log;
    }
    // One structured line per decision, the confirmation named by what it confirms.
    EXPECT_EQ(occurrences(run.err, "] decision platform=shell"), 4u) << run.err;
    EXPECT_NE(run.err.find("command=confirm database=my-dedicated-db target=user2@example.com decision=allow"),
              std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("decision=invalid reason=\"the command was typed wrong\""), std::string::npos) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Upstreams, BadInput, ::testing::Values(Upstream::in_process, Upstream::over_http),
                         upstream_name);

// ---- Malformed HTTP ---------------------------------------------------------------------------------------

unsigned short port_of(const std::string& url) {
    const auto colon = url.rfind(':');
    return static_cast<unsigned short>(std::stoi(url.substr(colon + 1)));
}

std::string request(std::string_view method, std::string_view target, std::string_view headers = "",
                    std::string_view body = "") {
    return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
           std::string(headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string body_of(const RawAnswer& answer) {
    const auto end = answer.text.find("\r\n\r\n");
    return end == std::string::npos ? "" : answer.text.substr(end + 4);
}

// What every HTTP test shares: the cases that need no credentials, each a clear 4xx and the server
// going on, and a slow sender that is cut by a timeout while others are answered.
struct Abuse {
    std::string name;
    std::string bytes;
    unsigned status;
};

std::vector<Abuse> malformed_http(std::string_view post_path) {
    const std::string path(post_path);
    return {
        {"oversized headers", request("POST", path, "X-Padding: " + std::string(64 * 1024, 'p') + "\r\n"), 431},
        {"oversized target", request("GET", "/" + std::string(64 * 1024, 'a')), 431},
        {"oversized body", "POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 50000000\r\n\r\n", 413},
        {"oversized chunked body",
         "POST " + path + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n" +
             std::string(0x200000, 'b') + "\r\n0\r\n\r\n",
         413},
        {"not HTTP", "GARBAGE\r\n\r\n", 400},
        {"NUL in a header", std::string("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", 28), 400},
        {"two lengths", "POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
         400},
        {"negative length", "POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400},
        {"path traversal", request("GET", "/../../../../etc/passwd"), 404},
        {"encoded traversal", request("GET", "/%2e%2e/%2e%2e/etc/passwd"), 404},
    };
}

// Each abuse on a connection of its own: its clear 4xx in time, nothing raw in it; and after each,
// `other` (an ordinary request) still answered.
void expect_each_refused(unsigned short port, const std::vector<Abuse>& cases,
                         const std::function<RawAnswer()>& other) {
    for (const auto& abuse : cases) {
        const auto started = std::chrono::steady_clock::now();
        const auto answer = net::test::raw_exchange(port, abuse.bytes);
        EXPECT_EQ(answer.status, abuse.status) << abuse.name << ": " << text::printable(answer.text.substr(0, 300));
        EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << abuse.name;
        EXPECT_TRUE(inert(answer.text)) << abuse.name;
        EXPECT_EQ(other().status, 200u) << "after " << abuse.name;
    }
}

// A sender that trickles a request's head forever; true when the server cut it within `limit`.
bool slow_sender_is_cut(unsigned short port, std::string_view path, std::chrono::seconds limit) {
    RawConnection slow("127.0.0.1", port);
    const auto began = std::chrono::steady_clock::now();
    if (!slow.send("POST " + std::string(path) + " HTTP/1.1\r\nHost: a\r\n")) return false;
    while (std::chrono::steady_clock::now() - began < limit) {
        if (!slow.send("X-Slow: 1\r\n") || slow.closed_within(500ms)) return true;
    }
    return false;
}

TEST(MalformedHttp, TheServedSandboxAnswersEachWithAClear4xxAndGoesOn) {
    StateDir state;
    ServedSandbox served(state);
    const unsigned short port = port_of(served.url());
    // A slow sender, all along: cut by the request timeout (10 s), holding up nobody meanwhile.
    std::atomic<bool> cut = false;
    std::thread slowloris([&] { cut = slow_sender_is_cut(port, "/v1/tokens/exchange", 15s); });

    const auto exchange = [&](const std::string& bytes) { return net::test::raw_exchange(port, bytes); };
    const std::string basic = "Authorization: Basic " +
                              security::base64url_encode(":tk-us-sandbox-user1-0000000000000000000000000000") + "\r\n";
    const auto exchanged = exchange(request("POST", "/v1/tokens/exchange", basic, "{}"));
    ASSERT_EQ(exchanged.status, 200u) << exchanged.text;
    const std::string bearer =
        "Authorization: Bearer " + std::string(json::parse(body_of(exchanged)).at("token").as_string()) + "\r\n";
    const std::string collaborators = "/v1/apps/my-dedicated-db/collaborators";
    const auto listed = exchange(request("GET", collaborators, bearer));
    ASSERT_EQ(listed.status, 200u) << listed.text;

    std::vector<Abuse> cases = malformed_http("/v1/tokens/exchange");
    const std::string forged_signed = "Authorization: Bearer " + security::base64url_encode(R"({"alg":"HS256"})") +
                                      "." + security::base64url_encode(R"({"sub":"x","exp":99999999999})") +
                                      ".c2ln\r\n";
    const std::vector<Abuse> with_credentials{
        {"bad JSON", request("POST", collaborators, bearer, "{\"collaborator\": {\"email\": "), 400},
        {"JSON of the wrong shape", request("POST", collaborators, bearer, "[1,2,3]"), 400},
        {"an address with an escape",
         request("POST", collaborators, bearer, R"({"collaborator":{"email":"x\u001b[2J@example.com"}})"), 422},
        {"a garbage bearer", request("GET", collaborators, "Authorization: Bearer garbage\r\n"), 401},
        {"a signed bearer not ours", request("GET", collaborators, forged_signed), 401},
        {"a wrong API token",
         request("POST", "/v1/tokens/exchange",
                 "Authorization: Basic " + security::base64url_encode(":tk-us-forged") + "\r\n", "{}"),
         401},
        {"no credentials", request("GET", collaborators), 401},
        {"a wrong method", request("DELETE", "/v1/apps", bearer), 405},
        {"a wrong method on collaborators", request("PUT", collaborators, bearer, "{}"), 405},
        {"an app named ..", request("GET", "/v1/apps/%2e%2e/collaborators", bearer), 404},
        {"an app named ../..", request("GET", "/v1/apps/..%2f..%2fetc%2fpasswd/collaborators", bearer), 404},
    };
    cases.insert(cases.end(), with_credentials.begin(), with_credentials.end());
    expect_each_refused(port, cases, [&] { return exchange(request("GET", "/v1/regions")); });
    EXPECT_EQ(body_of(exchange(request("GET", collaborators, bearer))), body_of(listed)) << "nothing changed";

    slowloris.join();
    EXPECT_TRUE(cut) << "a slow sender was never cut";
    EXPECT_EQ(exchange(request("GET", "/v1/regions")).status, 200u);
    EXPECT_TRUE(inert(slurp(state.path() / "serve.log")));
}

// ---- Slack HTTP mode --------------------------------------------------------------------------------------

const std::string signing_secret = "8f742231b10e8888abcd99yyyzzz85a5";

std::string now_timestamp() {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// A POST signed as Slack signs it (or not, with another secret or timestamp).
std::string signed_post(std::string_view path, const std::string& body, const std::string& secret = signing_secret,
                        const std::string& timestamp = now_timestamp()) {
    return request("POST", path,
                   "Content-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: " + timestamp +
                       "\r\nX-Slack-Signature: " + slack::compute_signature(secret, timestamp, body) + "\r\n",
                   body);
}

std::string form_encoded(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
            out += static_cast<char>(c);
        } else {
            char escape[4];
            std::snprintf(escape, sizeof escape, "%%%02X", c);
            out += escape;
        }
    }
    return out;
}

// Each with a trigger id of its own, as Slack's are: a byte-identical signed request is a replay.
std::string slash_command_body(std::string_view text) {
    static std::atomic<int> triggers = 0;
    return "team_id=T111&channel_id=C111&user_id=U111&user_name=someone&command=%2Fcollab&text=" + form_encoded(text) +
           "&response_url=http%3A%2F%2F127.0.0.1%3A9%2Frespond&trigger_id=" + std::to_string(++triggers);
}

TEST(MalformedHttp, SlackHttpModeAnswersEachWithAClear4xxAndGoesOn) {
    slack::test::EmulatorOptions workspace;
    workspace.emails = {{"U111", "user1@example.com"}};
    slack::test::SlackEmulator slack{workspace};
    StateDir state;
    HttpModeBot http_mode(slack, state, signing_secret);
    SlackBot& bot = http_mode.bot;
    ASSERT_NE(http_mode.port(), 0) << bot.log();
    const unsigned short port = http_mode.port();
    const auto exchange = [&](const std::string& bytes) { return net::test::raw_exchange(port, bytes); };
    const auto list = [&] {
        return exchange(signed_post("/slack/commands", slash_command_body("list my-dedicated-db")));
    };
    const auto before = list();
    ASSERT_EQ(before.status, 200u) << before.text << bot.log();
    ASSERT_NE(before.text.find("user2@example.com"), std::string::npos) << before.text;

    const auto outbox = [&] {
        return run_bot({"sandbox", "invitations", "--state-dir", state.path().string()}, "", state).out;
    };
    const std::string sent_before = outbox();

    // A slow sender, all along: cut by the request timeout, holding up nobody meanwhile.
    std::atomic<bool> cut = false;
    std::thread slowloris([&] { cut = slow_sender_is_cut(port, "/slack/commands", 15s); });

    std::vector<Abuse> cases = malformed_http("/slack/commands");
    const std::string stale = std::to_string(std::stoll(now_timestamp()) - 3600);
    const std::string add = slash_command_body("add my-dedicated-db intruder@example.com");
    const std::vector<Abuse> slack_cases{
        {"a forged signature", signed_post("/slack/commands", add, "not-the-secret"), 401},
        {"a stale timestamp", signed_post("/slack/commands", add, signing_secret, stale), 401},
        {"a signature for another body",
         [&] {
             std::string bytes = signed_post("/slack/commands", add);
             return bytes.replace(bytes.find("intruder"), 8, "intrudes");
         }(),
         401},
        {"no signature", request("POST", "/slack/commands", "", add), 401},
        {"an escape sequence in a header",
         request("POST", "/slack/commands", "X-Slack-Request-Timestamp: \x1b[2J\r\nX-Slack-Signature: v0=00\r\n", add),
         400},
        {"a garbage timestamp",
         request("POST", "/slack/commands", "X-Slack-Request-Timestamp: yesterday\r\nX-Slack-Signature: v0=00\r\n",
                 add),
         401},
        {"bad JSON in a signed click", signed_post("/slack/interactive", "payload=%7Bnot+json"), 400},
        {"a signed click of no type", signed_post("/slack/interactive", "payload=%7B%7D"), 400},
        {"a signed body that is no form", signed_post("/slack/commands", std::string("\xff\xfe\0garbage", 10)), 400},
        {"a wrong method", request("GET", "/slack/commands"), 405},
        {"another wrong method", request("PUT", "/slack/interactive", "", "x"), 405},
        {"a traversal to the commands", signed_post("/slack/../slack/commands", add), 404},
        {"an encoded traversal", signed_post("/slack/%2e%2e/slack/commands", add), 404},
    };
    cases.insert(cases.end(), slack_cases.begin(), slack_cases.end());
    expect_each_refused(port, cases, list);

    // Signed garbage in the command itself: a clear answer each, in time, nothing echoed raw.
    const std::vector<std::pair<std::string, std::string>> commands{
        {"add my-dedicated-db" + addresses(10'000), "add takes at most 10 addresses at a time (10000 were given)"},
        {"list \x1b]0;owned\x07\u202e", R"(\\x1b]0;owned\\x07\\u202e)"},
        {"add my-dedicated-db user\uff20example.com", "only looks like an @"},
        {std::string(500'000, 'z'), "Unknown command"},
    };
    for (const auto& [text, expected] : commands) {
        const auto started = std::chrono::steady_clock::now();
        const auto answer = exchange(signed_post("/slack/commands", slash_command_body(text)));
        EXPECT_EQ(answer.status, 200u) << text.substr(0, 40);
        EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "Slack's deadline";
        EXPECT_NE(answer.text.find(expected), std::string::npos) << text::printable(answer.text.substr(0, 400));
        EXPECT_TRUE(inert(answer.text));
        EXPECT_LT(answer.text.size(), 16u * 1024) << "the command was echoed back whole";
    }

    slowloris.join();
    EXPECT_TRUE(cut) << "a slow sender was never cut";
    EXPECT_EQ(body_of(list()), body_of(before)) << "nothing changed";
    ASSERT_TRUE(bot.running()) << bot.log();
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(15s), 0);
    const std::string log = bot.log();
    EXPECT_TRUE(inert(log));
    EXPECT_EQ(log.find(signing_secret), std::string::npos);
    EXPECT_LT(log.size(), 256u * 1024) << "a request went into the log whole";
    EXPECT_EQ(outbox(), sent_before) << "no invitation went out";
}

}  // namespace
}  // namespace collab::e2e
