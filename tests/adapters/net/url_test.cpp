// Splitting request URLs: pure, no sockets.

#include "adapters/net/url.hpp"

#include <gtest/gtest.h>

namespace collab::net {
namespace {

TEST(ParseHttpUrl, HttpsUrlGivesOriginHostHeaderAndTargetAsWritten) {
    auto url = parse_http_url("https://API.osc-fr1.Scalingo.com/v1/apps?");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(url->origin, (Origin{true, "api.osc-fr1.scalingo.com", 443}));
    EXPECT_EQ(url->host_header, "api.osc-fr1.scalingo.com");
    EXPECT_EQ(url->target, "/v1/apps?");  // the bare "?" stays
}

TEST(ParseHttpUrl, PortAppearsInTheHostHeaderOnlyWhenNotTheDefault) {
    auto custom = parse_http_url("http://127.0.0.1:8080");
    ASSERT_TRUE(custom);
    EXPECT_EQ(custom->origin, (Origin{false, "127.0.0.1", 8080}));
    EXPECT_EQ(custom->host_header, "127.0.0.1:8080");
    EXPECT_EQ(custom->target, "/");

    auto standard = parse_http_url("https://example.com:443/x");
    ASSERT_TRUE(standard);
    EXPECT_EQ(standard->host_header, "example.com");
}

TEST(ParseHttpUrl, Ipv6LiteralIsBracketedOnlyInTheHostHeaderAndFragmentIsDropped) {
    auto url = parse_http_url("http://[::1]:9000/x/y%20z?a=1&b=%2F#section");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(url->origin, (Origin{false, "::1", 9000}));
    EXPECT_EQ(url->host_header, "[::1]:9000");
    EXPECT_EQ(url->target, "/x/y%20z?a=1&b=%2F");
    EXPECT_EQ(to_string(url->origin), "http://[::1]:9000");
}

TEST(ParseHttpUrl, UnusableUrlsAreBadUrlsWithoutEchoingThem) {
    for (const char* text : {"", "/v1/apps", "example.com/v1", "ftp://example.com/", "http://", "http://exa mple.com/",
                             "http://example.com:99999/", "http://h%0D%0Ax.example/",
                             "http://user:hunter2@example.com/", "https://[v1.fe80::1]/"}) {
        auto url = parse_http_url(text);
        ASSERT_FALSE(url) << text;
        EXPECT_EQ(url.error().kind, NetErrorKind::bad_url) << text;
        EXPECT_EQ(url.error().message.find("hunter2"), std::string::npos);
    }
}

TEST(IsIpLiteral, TellsAddressesFromNames) {
    EXPECT_TRUE(is_ip_literal("127.0.0.1"));
    EXPECT_TRUE(is_ip_literal("::1"));
    EXPECT_FALSE(is_ip_literal("localhost"));
    EXPECT_FALSE(is_ip_literal("1.2.3.example"));
}

}  // namespace
}  // namespace collab::net
