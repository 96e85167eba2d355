// The served sandbox's Scalingo-compatible API (handle_route) against a real SQLite sandbox store in a
// temporary directory, as `collab-bot sandbox serve` runs it: routing, authentication, bodies.
//
// Input: one or more requests, separated by a line "===". A request is "METHOD TARGET" on its first
// line, the Authorization header on the second, then the body. An Authorization of "@user1",
// "@user2" or "@collab-bot" stands for a genuine bearer token of that seed account, obtained by the
// token exchange itself, so that the routes behind authentication are reached.
//
// Every input starts from the same freshly seeded state (a copy of one seeded file), so that a
// finding replays alone.

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include "adapters/sandbox/routes.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "bot/config.hpp"

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using namespace collab::sandbox;

namespace {

struct Sandbox {
    fs::path dir;
    fs::path pristine;
    fs::path work;
    Seed seed;
};

const collab::TimePoint now{std::chrono::seconds{1'800'000'000}};

Sandbox& sandbox() {
    static Sandbox instance = [] {
        std::string pattern = (fs::temp_directory_path() / "collab-fuzz-routes-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        Sandbox made{pattern, fs::path(pattern) / "pristine.sqlite", fs::path(pattern) / "work.sqlite",
                     parse_seed(collab::bot::embedded_sandbox_seed(), "embedded sandbox seed")};
        { SandboxStore seeded(made.pristine, made.seed); }  // closed: its WAL is folded into the file
        std::atexit([] { fs::remove_all(sandbox().dir); });
        return made;
    }();
    return instance;
}

std::string_view take_line(std::string_view& text) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    return line;
}

// "Bearer <jwt>" for a seed account, by the exchange a client makes with its API token.
std::string bearer_for(SandboxStore& store, const RouteContext& context, std::string_view email) {
    for (const auto& account : sandbox().seed.accounts) {
        if (account.email != email) continue;
        RouteRequest exchange{http::verb::post, "/v1/tokens/exchange",
                              "Basic " + collab::security::base64_encode(":" + account.api_token), "{}"};
        const RouteResponse response = handle_route(store, exchange, context);
        if (response.status != 200) std::abort();
        return "Bearer " + std::string(boost::json::parse(response.body).at("token").as_string());
    }
    return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Sandbox& box = sandbox();
    // libFuzzer's timeout alarm can interrupt the copy's system call: that is no finding.
    for (std::error_code copy_error;; copy_error.clear()) {
        fs::copy_file(box.pristine, box.work, fs::copy_options::overwrite_existing, copy_error);
        if (!copy_error) break;
        if (copy_error != std::errc::interrupted) std::abort();
    }
    {
        SandboxStore store(box.work, box.seed);
        // The served sandbox seals its bearer tokens with a key of its own: the fuzzer's is fixed.
        static const collab::security::HmacSigner issuer(std::string(32, 'i'));
        const RouteContext context{now, std::chrono::seconds{3600}, "http://127.0.0.1:8080", &issuer};
        std::map<std::string, std::string, std::less<>> bearers;

        std::string_view input(reinterpret_cast<const char*>(data), size);
        while (true) {
            const auto end = input.find("\n===\n");
            std::string_view one = input.substr(0, end);
            const std::string_view request_line = take_line(one);
            const std::string_view authorization = take_line(one);
            const auto space = request_line.find(' ');
            RouteRequest request{http::string_to_verb(request_line.substr(0, space)),
                                 std::string(space == std::string_view::npos ? "" : request_line.substr(space + 1)),
                                 std::string(authorization), std::string(one)};
            if (authorization.starts_with('@')) {
                auto known = bearers.find(authorization.substr(1));
                if (known == bearers.end())
                    known =
                        bearers
                            .emplace(authorization.substr(1),
                                     bearer_for(store, context, std::string(authorization.substr(1)) + "@example.com"))
                            .first;
                request.authorization = known->second;
            }
            const RouteResponse response = handle_route(store, request, context);
            // Every answer but 204 carries a JSON body, the errors included.
            if (response.status != 204 && boost::json::parse(response.body).is_null()) std::abort();
            (void)route_key(request.method, request.target);
            if (end == std::string_view::npos) break;
            input.remove_prefix(end + 5);
        }
    }
    fs::remove(box.work.string() + "-wal");
    fs::remove(box.work.string() + "-shm");
    return 0;
}
