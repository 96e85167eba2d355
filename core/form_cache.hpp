#pragma once
// Forms rendered from keyed replies (plain text, a platform's encoded message), so that a reply seen
// again is not rendered again: a `list` repeated while its database is unchanged costs a lookup.
// Per subject and form only the latest generation is kept, so the cache holds at most one entry per
// subject (a database, a help topic) and form. Used from one thread (the event loop's).

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/render.hpp"

namespace collab {

template <typename Form>
class FormCache {
public:
    // `form` names the rendering and everything besides the reply that it depends on, e.g.
    // "blocks ephemeral" and "blocks in_channel": forms of one reply under different names never mix.
    // A reply without a key is rendered every time.
    template <typename Render>
    std::shared_ptr<const Form> render(const Reply& reply, std::string_view form, Render&& render_form) {
        if (!reply.key) return std::make_shared<const Form>(render_form(reply));
        auto& forms = subjects_[reply.key->subject];
        auto found = forms.find(form);
        if (found != forms.end() && found->second.generation == reply.key->generation) return found->second.form;
        auto rendered = std::make_shared<const Form>(render_form(reply));
        if (found == forms.end()) found = forms.emplace(std::string(form), Entry{}).first;
        found->second = Entry{reply.key->generation, rendered};
        return rendered;
    }

    std::size_t size() const {
        std::size_t count = 0;
        for (const auto& [subject, forms] : subjects_) count += forms.size();
        return count;
    }

private:
    struct Entry {
        std::uint64_t generation = 0;
        std::shared_ptr<const Form> form;
    };
    std::map<std::string, std::map<std::string, Entry, std::less<>>, std::less<>> subjects_;
};

}  // namespace collab
