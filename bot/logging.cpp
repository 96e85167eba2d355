#include "bot/logging.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

#include "core/format.hpp"
#include "core/text.hpp"

namespace collab::bot {

namespace {

// "[id] rest" -> {id, rest}; a message without the prefix has no id.
std::pair<std::string_view, std::string_view> split_request_id(std::string_view message) {
    if (!message.starts_with('[')) return {{}, message};
    const auto close = message.find("] ");
    if (close == std::string_view::npos || close == 1 ||
        message.substr(1, close - 1).find(' ') != std::string_view::npos)
        return {{}, message};
    return {message.substr(1, close - 1), message.substr(close + 2)};
}

// The whole line as JSON: spdlog's own patterns cannot escape a message.
class JsonLine final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string when = format_rfc3339(msg.time);
        const auto level = spdlog::level::to_string_view(msg.level);
        const std::string line = json_log_line(when, std::string_view(level.data(), level.size()),
                                               std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(line.data(), line.data() + line.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLine>(); }
};

// spdlog's pattern with the message made printable first: whatever a line quotes (a username from
// Scalingo, what someone typed) cannot drive the terminal the log is read on, nor fake a line.
class PrintableText final : public spdlog::formatter {
public:
    PrintableText() : pattern_(std::make_unique<spdlog::pattern_formatter>(pattern)) {}
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        // Most lines have nothing to escape: they are formatted as they are, without a copy.
        if (text::plain_ascii(payload)) {
            pattern_->format(msg, dest);
            return;
        }
        const std::string shown = text::printable(payload);
        spdlog::details::log_msg copy = msg;
        copy.payload = shown;
        pattern_->format(copy, dest);
        // Where the level's colour goes, for a colour sink to read on the message it gave.
        msg.color_range_start = copy.color_range_start;
        msg.color_range_end = copy.color_range_end;
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<PrintableText>(); }

private:
    static constexpr const char* pattern = "%Y-%m-%d %H:%M:%S.%e %^%l%$ %v";
    std::unique_ptr<spdlog::formatter> pattern_;
};

// Standard error through a buffer of its own: a line costs a copy, not a system call.
class BufferedStderr final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    BufferedStderr() : file_(::fdopen(::dup(STDERR_FILENO), "a")) {
        if (file_) ::setvbuf(file_, nullptr, _IOFBF, 64 * 1024);
    }
    ~BufferedStderr() override {
        if (file_) ::fclose(file_);
    }
    BufferedStderr(const BufferedStderr&) = delete;
    BufferedStderr& operator=(const BufferedStderr&) = delete;

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t line;
        formatter_->format(msg, line);
        if (file_) ::fwrite(line.data(), 1, line.size(), file_);
    }
    void flush_() override {
        if (file_) ::fflush(file_);
    }

private:
    std::FILE* file_;
};

}  // namespace

std::string json_log_line(std::string_view time, std::string_view level, std::string_view message) {
    const auto [request_id, text] = split_request_id(message);
    boost::json::object line{{"time", time}, {"level", level}};
    if (!request_id.empty()) line["request_id"] = request_id;
    // JSON escapes control characters itself; the bidi and other invisible ones are made visible too.
    line["message"] = text::printable(text, true);
    return boost::json::serialize(line);
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& level, const std::string& format, bool buffered) {
    std::shared_ptr<spdlog::logger> logger;
    if (buffered) {
        logger = std::make_shared<spdlog::logger>("collab-bot", std::make_shared<BufferedStderr>());
        logger->flush_on(spdlog::level::warn);
    } else {
        logger = spdlog::stderr_color_st("collab-bot");
    }
    logger->set_level(spdlog::level::from_str(level));
    if (format == "json")
        logger->set_formatter(std::make_unique<JsonLine>());
    else
        logger->set_formatter(std::make_unique<PrintableText>());
    return logger;
}

}  // namespace collab::bot
