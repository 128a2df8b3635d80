// The language of what users read (console results, HTML reports): English or Russian, chosen by
// --lang or, without it, by the user's locale. Errors stay English (they carry a stable code instead,
// see error.hpp); --json output is language-neutral.
#pragma once

#include <optional>
#include <string_view>

#include "vidseg/core/options.hpp"

namespace vidseg {

enum class Language { English, Russian };

// "en" / "ru": the value of --lang and the lang attribute of an HTML page.
const char* language_code(Language language) noexcept;

// "en", "ru", and locale names such as "ru_RU.UTF-8", "ru-RU", "en_US", "C"; nullopt for an empty string.
// Any language but Russian is English (the two the program speaks).
std::optional<Language> language_from_locale(std::string_view locale);

// The first non-empty of LC_ALL, LC_MESSAGES, LANG (the POSIX order for messages); English when none is set.
Language language_from_environment();

// --lang ru|en, appended to the option table of every command whose results are translated.
OptionSpec language_option();
// --lang when given, else the environment's language.
Language chosen_language(const ParsedOptions& options);

// CLDR plural categories for whole numbers: English one / other, Russian one / few / many
// (1 фрагмент, 2 фрагмента, 5 фрагментов, 11 фрагментов, 21 фрагмент, 22 фрагмента).
enum class PluralCategory { One, Few, Many, Other };
PluralCategory plural_category(Language language, long long n) noexcept;
// The position of n's form in a message's '|'-separated forms: English one|other, Russian one|few|many.
std::size_t plural_form_index(Language language, long long n) noexcept;
// How many forms a plural message has in the language (2 in English, 3 in Russian).
std::size_t plural_form_count(Language language) noexcept;

}  // namespace vidseg
