#include "adapters/net/form.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace collab::net {
namespace urls = boost::urls;

std::optional<std::map<std::string, std::string, std::less<>>> form_fields(std::string_view body) {
    // A trailing line break (a body saved to a file, or sent by curl --data-binary) is not a field.
    while (body.ends_with('\n') || body.ends_with('\r')) body.remove_suffix(1);
    // A copy that ends where the body ends: Boost.URL 1.81 decodes the last value past the end of a
    // view into a longer buffer (a trimmed "…&trigger_id=x\n" gave "x\n"), never past a string's end.
    const std::string form(body);
    // Checked first: params_view's own constructor would throw on a malformed body.
    if (!urls::parse_query(form)) return std::nullopt;
    urls::encoding_opts options;
    options.space_as_plus = true;  // HTML forms encode a space as '+'
    std::map<std::string, std::string, std::less<>> fields;
    for (const auto& param : urls::params_view(form, options)) fields.emplace(param.key, param.value);
    return fields;
}

}  // namespace collab::net
