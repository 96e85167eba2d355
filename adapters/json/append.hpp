#pragma once
// JSON written straight onto the end of a string, without building a document for it first: what
// the hot paths (acknowledgements, claims' work) send. The bytes are those Boost.JSON's serializer
// writes for the same value, escapes included.

#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>

namespace collab::json_out {

// `text` as a JSON string, quotes included.
void append_string(std::string& out, std::string_view text);
// `"key":` followed by `text` as a JSON string.
void append_member(std::string& out, std::string_view key, std::string_view text);
// Any Boost.JSON value, serialized in place.
void append_value(std::string& out, const boost::json::value& value);
void append_value(std::string& out, const boost::json::object& value);

}  // namespace collab::json_out
