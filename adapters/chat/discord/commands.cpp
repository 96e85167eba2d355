#include "adapters/chat/discord/commands.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace collab::discord {
namespace json = boost::json;

namespace {

constexpr std::size_t max_description = 100;
constexpr std::size_t max_choices = 25;
constexpr int chat_input = 1;
constexpr int sub_command_option = 1;
constexpr int string_option = 3;

// What a usage word stands for, as Discord shows it to someone typing the command.
struct ArgumentMeaning {
    std::string_view usage;  // the word between < > in the usage
    std::string_view name;
    std::string_view description;
    std::size_t max_length = 0;
    bool autocomplete = false;  // suggested from what the person may manage
};

constexpr ArgumentMeaning meanings[] = {
    {"db", "database", "The database's name, as Scalingo shows it", 0, true},
    {"email", "email", "An e-mail address", 254},
    {"command", "command", "The command to explain", 0},
    {"action", "action", "Only the entries of this command", 0},
    {"by", "by", "Only what this e-mail address did", 254},
};

std::string description_of(std::string_view text) {
    if (text.empty()) return "-";
    return text::shortened(text, max_description - 1);
}

// "[<email>…]" -> {"email", optional, repeated}.
struct UsageWord {
    std::string word;
    bool optional = false;
    bool repeated = false;
};

UsageWord read_usage_word(std::string_view word) {
    UsageWord read;
    if (word.starts_with('[') && word.ends_with(']')) {
        read.optional = true;
        word = word.substr(1, word.size() - 2);
    }
    constexpr std::string_view ellipsis = "…";
    if (word.ends_with(ellipsis)) {
        read.repeated = true;
        word.remove_suffix(ellipsis.size());
    }
    if (word.starts_with('<') && word.ends_with('>')) word = word.substr(1, word.size() - 2);
    read.word = text::ascii_lower(word);
    return read;
}

OptionSpec option_for(const UsageWord& word) {
    const auto* meaning = std::find_if(std::begin(meanings), std::end(meanings),
                                       [&](const ArgumentMeaning& m) { return m.usage == word.word; });
    if (meaning == std::end(meanings)) return OptionSpec{word.word, description_of("The " + word.word), !word.optional};
    OptionSpec option{
        std::string(meaning->name), std::string(meaning->description), !word.optional, {}, meaning->max_length};
    option.autocomplete = meaning->autocomplete;
    return option;
}

json::object option_json(const OptionSpec& option) {
    json::object out{{"type", string_option},
                     {"name", option.name},
                     {"description", option.description},
                     {"required", option.required}};
    if (option.max_length > 0) out["max_length"] = option.max_length;
    if (option.autocomplete) out["autocomplete"] = true;
    if (!option.choices.empty()) {
        json::array choices;
        for (const auto& choice : option.choices) choices.push_back(json::object{{"name", choice}, {"value", choice}});
        out["choices"] = std::move(choices);
    }
    return out;
}

}  // namespace

std::vector<OptionSpec> options_of(const CommandSpec& spec) {
    std::vector<OptionSpec> options;
    std::string_view rest = spec.arguments;
    const auto next_word = [&rest] {
        const auto blank = rest.find(' ');
        const std::string_view word = rest.substr(0, blank);
        rest = blank == std::string_view::npos ? std::string_view() : rest.substr(blank + 1);
        return word;
    };
    while (!rest.empty()) {
        const std::string_view raw = next_word();
        // "[by <email>]": one optional option, named by its keyword, whose value follows the keyword.
        if (raw.starts_with('[') && !raw.ends_with(']') && !rest.empty()) {
            const std::string keyword = text::ascii_lower(raw.substr(1));
            next_word();  // the value's own word: the keyword's meaning says what it is
            OptionSpec option = option_for(UsageWord{keyword, true, false});
            option.keyword = keyword;
            options.push_back(std::move(option));
            continue;
        }
        const UsageWord word = read_usage_word(raw);
        if (word.word.empty()) continue;
        // "<email> [<email>…]": Discord has no repeated option, so one option takes them all.
        if (word.repeated && !options.empty() && options.back().name == option_for(word).name) {
            OptionSpec& all = options.back();
            all.name += "s";
            all.description = description_of(all.description + "; several, separated by blanks or commas");
            all.max_length = 0;
            all.several = true;
            continue;
        }
        options.push_back(option_for(word));
    }
    for (auto& option : options) {
        if (option.name == "command") {
            for (const CommandSpec* offered : offered_commands(command_specs()))
                if (option.choices.size() < max_choices) option.choices.emplace_back(offered->name);
        } else if (option.name == "action") {
            // Every command is recorded under its name, a typed confirmation too.
            for (const CommandSpec& any : command_specs())
                if (option.choices.size() < max_choices) option.choices.emplace_back(any.name);
        }
    }
    return options;
}

std::vector<const CommandSpec*> offered_commands(std::span<const CommandSpec> specs) {
    std::vector<const CommandSpec*> offered;
    for (const auto& spec : specs)
        if (spec.listed_in_help) offered.push_back(&spec);
    return offered;
}

json::array registration_body(std::span<const CommandSpec> specs) {
    json::array sub_commands;
    for (const CommandSpec* spec : offered_commands(specs)) {
        json::array options;
        for (const auto& option : options_of(*spec)) options.push_back(option_json(option));
        json::object sub{
            {"type", sub_command_option}, {"name", spec->name}, {"description", description_of(spec->summary)}};
        if (!options.empty()) sub["options"] = std::move(options);
        sub_commands.push_back(std::move(sub));
    }
    return json::array{json::object{{"name", command_name},
                                    {"type", chat_input},
                                    {"description", "Manage who collaborates on Scalingo databases"},
                                    {"options", std::move(sub_commands)}}};
}

std::string command_text(const CommandCall& call) {
    std::string text = call.sub_command;
    const CommandSpec* spec = find_spec(call.sub_command);
    if (spec == nullptr) return text;
    for (const auto& option : options_of(*spec)) {
        const auto given = std::find_if(call.options.begin(), call.options.end(),
                                        [&](const auto& named) { return named.first == option.name; });
        if (given == call.options.end()) continue;
        const std::string& value = given->second;
        if (!option.keyword.empty()) text += " " + option.keyword;
        const bool several_words = value.find_first_of(" \t\n") != std::string::npos;
        text += " " + (several_words && !option.several && value.find('"') == std::string::npos ? "\"" + value + "\""
                                                                                                : value);
    }
    return text;
}

}  // namespace collab::discord
