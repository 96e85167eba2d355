#include "adapters/net/url.hpp"

// Boost.URL is header-only here: its implementation is compiled once, in this file.
#include <boost/url/src.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace collab::net {
namespace urls = boost::urls;

namespace {

std::unexpected<NetError> bad_url(std::string why) {
    return std::unexpected(NetError{NetErrorKind::bad_url, "not a usable http(s) URL: " + std::move(why), true});
}

// Letters, digits, '-', '.' and '_': anything else (percent-decoded bytes, unicode) is refused,
// so a name reaches the resolver, SNI and the Host header unchanged. IDNs must come as punycode.
bool is_plain_host_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
}

std::string lower_case(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

}  // namespace

std::expected<HttpUrl, NetError> parse_http_url(std::string_view url) {
    const auto parsed = urls::parse_uri(url);
    if (!parsed) return bad_url("it is not an absolute URL");
    const urls::url_view& view = *parsed;

    HttpUrl result;
    if (view.scheme_id() == urls::scheme::https)
        result.origin.tls = true;
    else if (view.scheme_id() != urls::scheme::http)
        return bad_url("the scheme must be http or https");
    // Credentials in a URL end up in logs; the API clients send them as headers instead.
    if (view.has_userinfo()) return bad_url("user name or password in the URL are not supported");

    switch (view.host_type()) {
        case urls::host_type::name:
            result.origin.host = lower_case(view.host_name());
            if (!is_plain_host_name(result.origin.host))
                return bad_url("the host name has characters DNS does not use");
            break;
        case urls::host_type::ipv4:
        case urls::host_type::ipv6: result.origin.host = view.host_address(); break;
        default: return bad_url("the URL has no usable host");
    }

    const std::uint16_t default_port = result.origin.tls ? 443 : 80;
    result.origin.port = default_port;
    if (view.has_port() && !view.port().empty()) {
        // Parsed here: Boost.URL's port_number() wraps values above 65535 around.
        const std::string_view digits = view.port();
        unsigned long port = 0;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (error != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535)
            return bad_url("the port is out of range");
        result.origin.port = static_cast<std::uint16_t>(port);
    }

    const bool ipv6 = view.host_type() == urls::host_type::ipv6;
    result.host_header = ipv6 ? "[" + result.origin.host + "]" : result.origin.host;
    if (result.origin.port != default_port) result.host_header += ":" + std::to_string(result.origin.port);

    // Path and query as given: some servers tell "/x?" from "/x", and re-encoding could change meaning.
    result.target = view.encoded_path().empty() ? "/" : std::string(view.encoded_path());
    if (view.has_query()) result.target += "?" + std::string(view.encoded_query());
    return result;
}

std::string to_string(const Origin& origin) {
    const bool ipv6 = origin.host.find(':') != std::string::npos;
    return std::string(origin.tls ? "https://" : "http://") + (ipv6 ? "[" + origin.host + "]" : origin.host) + ":" +
           std::to_string(origin.port);
}

bool is_ip_literal(std::string_view host) {
    boost::system::error_code error;
    boost::asio::ip::make_address(host, error);
    return !error;
}

}  // namespace collab::net
