#include "vidseg/core/language.hpp"

#include <cstdlib>

namespace vidseg {

const char* language_code(Language language) noexcept {
    return language == Language::Russian ? "ru" : "en";
}

std::optional<Language> language_from_locale(std::string_view locale) {
    if (locale.empty()) return std::nullopt;
    // "ru", "ru_RU", "ru_RU.UTF-8", "ru-RU", "ru_RU@euro": the language is what comes before _ - . @
    const std::string_view lang = locale.substr(0, locale.find_first_of("_-.@"));
    if (lang == "ru" || lang == "RU") return Language::Russian;
    return Language::English;
}

Language language_from_environment() {
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(name);
        if (value && *value) return language_from_locale(value).value_or(Language::English);
    }
    return Language::English;
}

OptionSpec language_option() {
    return {.name = "lang",
            .type = OptionType::Choice,
            .help = "Language of printed results and reports (default: LC_ALL, LC_MESSAGES or LANG; "
                    "ru_* -> ru, else en).",
            .choices = {"ru", "en"}};
}

Language chosen_language(const ParsedOptions& options) {
    if (options.given("lang")) return language_from_locale(options.str("lang")).value_or(Language::English);
    return language_from_environment();
}

PluralCategory plural_category(Language language, long long n) noexcept {
    const unsigned long long abs =
        n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
    if (language == Language::English) return abs == 1 ? PluralCategory::One : PluralCategory::Other;
    const auto last = abs % 10, last_two = abs % 100;
    if (last == 1 && last_two != 11) return PluralCategory::One;
    if (last >= 2 && last <= 4 && (last_two < 12 || last_two > 14)) return PluralCategory::Few;
    return PluralCategory::Many;
}

std::size_t plural_form_index(Language language, long long n) noexcept {
    switch (plural_category(language, n)) {
        case PluralCategory::One:
            return 0;
        case PluralCategory::Few:
            return 1;
        case PluralCategory::Many:
            return 2;
        case PluralCategory::Other:
            return 1;
    }
    return 0;
}

std::size_t plural_form_count(Language language) noexcept {
    return language == Language::Russian ? 3 : 2;
}

}  // namespace vidseg
