#include "adapters/json/append.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <array>

namespace collab::json_out {
namespace {

// The serializer's output, in pieces through a buffer on the stack: no allocation of its own.
void drain(std::string& out, boost::json::serializer& serializer) {
    std::array<char, 512> buffer;
    while (!serializer.done()) out.append(serializer.read(buffer.data(), buffer.size()));
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
    boost::json::serializer serializer;
    serializer.reset(boost::json::string_view(text.data(), text.size()));
    drain(out, serializer);
}

void append_member(std::string& out, std::string_view key, std::string_view text) {
    append_string(out, key);
    out += ':';
    append_string(out, text);
}

void append_value(std::string& out, const boost::json::value& value) {
    boost::json::serializer serializer;
    serializer.reset(&value);
    drain(out, serializer);
}

void append_value(std::string& out, const boost::json::object& value) {
    boost::json::serializer serializer;
    serializer.reset(&value);
    drain(out, serializer);
}

}  // namespace collab::json_out
