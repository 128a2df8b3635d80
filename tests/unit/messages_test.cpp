// The message catalogue: plural rules, completeness of both languages, placeholders, number formats,
// and how the language is chosen.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "vidseg/core/language.hpp"
#include "vidseg/core/messages.hpp"

namespace {

using vidseg::Language;
using vidseg::Messages;
using vidseg::Msg;
using vidseg::PluralCategory;

std::set<std::string> placeholders(std::string_view text) {
    std::set<std::string> names;
    for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
        const auto close = text.find('}', i);
        if (close == std::string_view::npos) break;
        names.insert(std::string(text.substr(i + 1, close - i - 1)));
    }
    return names;
}

TEST(Messages, RussianPluralCategories) {
    const auto ru = [](long long n) { return vidseg::plural_category(Language::Russian, n); };
    for (long long n : {1, 21, 31, 101, 121, 1001}) EXPECT_EQ(ru(n), PluralCategory::One) << n;
    for (long long n : {2, 3, 4, 22, 23, 24, 102, 1004}) EXPECT_EQ(ru(n), PluralCategory::Few) << n;
    for (long long n : {0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 100, 111, 112, 114})
        EXPECT_EQ(ru(n), PluralCategory::Many) << n;
}

TEST(Messages, EnglishPluralCategories) {
    EXPECT_EQ(vidseg::plural_category(Language::English, 1), PluralCategory::One);
    for (long long n : {0, 2, 5, 11, 21})
        EXPECT_EQ(vidseg::plural_category(Language::English, n), PluralCategory::Other) << n;
}

TEST(Messages, RussianFragmentForms) {
    const Messages ru(Language::Russian);
    EXPECT_EQ(ru.count(Msg::CountFragments, 1), "1 фрагмент");
    EXPECT_EQ(ru.count(Msg::CountFragments, 2), "2 фрагмента");
    EXPECT_EQ(ru.count(Msg::CountFragments, 5), "5 фрагментов");
    EXPECT_EQ(ru.count(Msg::CountFragments, 11), "11 фрагментов");
    EXPECT_EQ(ru.count(Msg::CountFragments, 21), "21 фрагмент");
    EXPECT_EQ(ru.count(Msg::CountFragments, 22), "22 фрагмента");
    EXPECT_EQ(ru.count(Msg::CountFragments, 0), "0 фрагментов");
    EXPECT_EQ(ru.count(Msg::IntroVariantsOfSeason, 2), "В эпизодах 2 варианта заставки:");
    EXPECT_EQ(ru.count(Msg::IntroConfirmation, 1, {{"confirmed", "1"}, {"confidence", "0.90"}}),
              "(подтверждена 1 из 1 эпизода, уверенность 0.90)");
    EXPECT_EQ(ru.count(Msg::IntroConfirmation, 5, {{"confirmed", "4"}, {"confidence", "0.90"}}),
              "(подтверждена 4 из 5 эпизодов, уверенность 0.90)");
}

TEST(Messages, EnglishForms) {
    const Messages en;
    EXPECT_EQ(en.count(Msg::CountSegments, 1), "1 segment");
    EXPECT_EQ(en.count(Msg::CountSegments, 6), "6 segments");
    EXPECT_EQ(en.count(Msg::CountFragments, 4), "4 fragment(s)");  // as vidseg printed before the catalogue
    EXPECT_EQ(en.count(Msg::IntroConfirmation, 3, {{"confirmed", "3"}, {"confidence", "0.97"}}),
              "(confirmed by 3 of 3 episodes, confidence 0.97)");
    EXPECT_EQ(en.count(Msg::IntroConfirmation, 1, {{"confirmed", "1"}, {"confidence", "0.97"}}),
              "(confirmed by 1 of 1 episode, confidence 0.97)");
}

TEST(Messages, PlaceholdersAreFilled) {
    EXPECT_EQ(Messages(Language::Russian).text(Msg::IntroFound, {{"start", "20.00"}, {"end", "35.00"}}),
              "Заставка обнаружена: 20.00с - 35.00с");
    EXPECT_EQ(Messages().text(Msg::IntroFound, {{"start", "20.00"}, {"end", "35.00"}}),
              "Intro found: 20.00s - 35.00s");
    EXPECT_EQ(Messages(Language::Russian).text(Msg::IntroNotFound), "Заставка не найдена");
    // A value is inserted as it is (data is never read as a placeholder again); a missing one stays visible.
    EXPECT_EQ(Messages().text(Msg::ReportTitle, {{"source", "{n} урок.mp4"}}), "Patterns: {n} урок.mp4");
    EXPECT_EQ(Messages().text(Msg::ReportTitle), "Patterns: {source}");
}

// Completeness beyond the static_asserts in messages.cpp (every key once per table, plural forms fit):
// both texts non-empty, the same placeholders in both languages and in every plural form, and a
// Russian text that is really Russian wherever the English one has words.
TEST(Messages, EveryMessageIsCompleteInBothLanguages) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(Msg::Count); ++i) {
        const auto id = static_cast<Msg>(i);
        const auto en = vidseg::message_template(Language::English, id);
        const auto ru = vidseg::message_template(Language::Russian, id);
        EXPECT_FALSE(en.empty()) << i;
        EXPECT_FALSE(ru.empty()) << i;
        EXPECT_EQ(placeholders(en), placeholders(ru)) << i << ": " << en << " / " << ru;
        if (vidseg::is_plural_message(id)) {
            EXPECT_TRUE(placeholders(en).count("n")) << i << ": a plural message shows its count";
            auto others = placeholders(en);
            others.erase("n");
            // Every form keeps every placeholder: no form drops a value.
            for (long long n : {1, 2, 5}) {
                EXPECT_EQ(placeholders(Messages(Language::English).count(id, n)), others) << i << " n=" << n;
                EXPECT_EQ(placeholders(Messages(Language::Russian).count(id, n)), others) << i << " n=" << n;
            }
        }
        // The same text in both languages only for a line that is file names and data alone.
        if (en == ru)
            EXPECT_NE(std::string(en).find('/'), std::string::npos) << i << ": untranslated: " << en;
    }
}

// Explanations the library keeps in English (report.json, --json) are shown translated.
TEST(Messages, FromEnglishTranslatesStoredExplanations) {
    const Messages en, ru(Language::Russian);
    const std::string method =
        en.text(Msg::TalkMethod,
                {{"ms", "1000"},
                 {"threshold", "20.0%"},
                 {"verdict", en.text(Msg::TalkGroupsNotApart, {{"separation", "1.2"}, {"minimum", "3"}})}});
    const std::string translated = ru.from_english(method);
    EXPECT_TRUE(translated.starts_with("Речь: строки по 1000 мс,")) << translated;
    EXPECT_NE(translated.find("не меньше 20.0%"), std::string::npos) << translated;
    EXPECT_NE(translated.find("Группы не различаются явно (разделение 1.2 < 3 или слишком мало речи)"),
              std::string::npos)
        << translated;
    EXPECT_EQ(en.from_english(method), method);
    EXPECT_EQ(ru.from_english(en.text(Msg::NoteAudioNotAnalysed, {{"cause", "no such file"}})),
              "звук урока не удалось проанализировать: no such file");  // the cause is the error's (English)
    EXPECT_EQ(ru.from_english(en.text(Msg::ReasonNoAudioSeveralSeries, {{"count", "2"}})),
              "нет звука, а в папке эпизоды 2 сериалов: нельзя определить, к какому он относится");
    EXPECT_EQ(ru.from_english(en.count(Msg::CountSegments, 22)), "22 сегмента");
    EXPECT_EQ(ru.from_english("something vidseg never says"), "something vidseg never says");
    EXPECT_EQ(ru.from_english(""), "");
}

TEST(Messages, NumbersPerLanguage) {
    EXPECT_EQ(Messages().number(12.345, 1), "12.3");
    EXPECT_EQ(Messages(Language::Russian).number(12.345, 1), "12,3");
    EXPECT_EQ(Messages().percent(0.125), "12.5%");
    EXPECT_EQ(Messages(Language::Russian).percent(0.125), "12,5\u00a0%");
}

TEST(Messages, LanguageFromLocale) {
    EXPECT_EQ(vidseg::language_from_locale("ru_RU.UTF-8"), Language::Russian);
    EXPECT_EQ(vidseg::language_from_locale("ru"), Language::Russian);
    EXPECT_EQ(vidseg::language_from_locale("ru-RU"), Language::Russian);
    EXPECT_EQ(vidseg::language_from_locale("en_US.UTF-8"), Language::English);
    EXPECT_EQ(vidseg::language_from_locale("C"), Language::English);
    EXPECT_EQ(vidseg::language_from_locale("de_DE"), Language::English);
    EXPECT_EQ(vidseg::language_from_locale(""), std::nullopt);
    EXPECT_STREQ(vidseg::language_code(Language::Russian), "ru");
    EXPECT_STREQ(vidseg::language_code(Language::English), "en");
}

// LC_ALL wins over LC_MESSAGES over LANG; an empty variable counts as unset.
TEST(Messages, LanguageFromEnvironment) {
    struct Saved {
        const char* name;
        std::string value;
        bool set;
    };
    std::vector<Saved> saved;
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(name);
        saved.push_back({name, v ? v : "", v != nullptr});
    }
    ::unsetenv("LC_ALL");
    ::unsetenv("LC_MESSAGES");
    ::unsetenv("LANG");
    EXPECT_EQ(vidseg::language_from_environment(), Language::English);
    ::setenv("LANG", "ru_RU.UTF-8", 1);
    EXPECT_EQ(vidseg::language_from_environment(), Language::Russian);
    ::setenv("LC_MESSAGES", "en_GB.UTF-8", 1);
    EXPECT_EQ(vidseg::language_from_environment(), Language::English);
    ::setenv("LC_ALL", "ru_RU.UTF-8", 1);
    EXPECT_EQ(vidseg::language_from_environment(), Language::Russian);
    ::setenv("LC_ALL", "", 1);
    EXPECT_EQ(vidseg::language_from_environment(), Language::English);
    for (const auto& s : saved) {
        if (s.set)
            ::setenv(s.name, s.value.c_str(), 1);
        else
            ::unsetenv(s.name);
    }
}

}  // namespace

// The library's warnings are English (JSON, the server's job log); the console shows them translated,
// with Russian plurals and the data (paths, causes) as they are.
TEST(Messages, LibraryWarningsAreTranslatedOnTheConsole) {
    const Messages en, ru(Language::Russian);
    EXPECT_EQ(
        ru.from_english(en.text(
            Msg::WarnSoundPastPicture,
            {{"past", "2.5"}, {"picture", "10"}, {"sound", "12.5"}, {"what", en.text(Msg::WhatSegments)}})),
        "звук продолжается ещё 2.5 с после конца изображения (изображение заканчивается на 10 с, звук — на "
        "12.5 с): сегменты покрывают только изображение; 'vidseg audio' извлекает весь звук");
    EXPECT_EQ(
        ru.from_english(en.count(Msg::WarnTasksWithoutFps, 2,
                                 {{"tasks", "7, 9"}, {"rate", "25.000"}, {"video", "/v/a.mp4"}})),
        "2 задачи без fps (7, 9): номера кадров прочитаны при 25.000 кадр/с (из /v/a.mp4); если у <Video> "
        "проекта нет frameRate, Label Studio нумеровал их при 24 кадр/с: укажите --label-config или --fps");
    EXPECT_EQ(
        ru.from_english(en.count(Msg::WarnTestFractionOneLesson, 1)),
        "--test-fraction: фрагменты есть только в 1 уроке; урок не делится, поэтому всё попадает в train");
    EXPECT_EQ(ru.from_english(en.text(Msg::WarnCacheNotWritten, {{"cause", "disk full"}})),
              "не удалось записать кэш отпечатков: disk full");
    EXPECT_EQ(
        ru.from_english(en.text(Msg::WarnCacheEntryIgnored, {{"path", "/c/ab.fp"}, {"why", "bad magic"}})),
        "запись кэша отпечатков /c/ab.fp пропущена (bad magic); вычисляю заново");
    EXPECT_EQ(ru.from_english(en.text(Msg::WarnNoAudioTrack)),
              "в видео нет звуковой дорожки: нет WAV и звуковых признаков");
    // Summaries: plural forms of the counts.
    EXPECT_EQ(ru.count(Msg::PredictFailed, 1, {{"failed", "1"}, {"rest", ""}}),
              "не удалось обработать 1 из 1 входного файла");
    EXPECT_EQ(ru.count(Msg::PredictFailed, 5, {{"failed", "2"}, {"rest", ""}}),
              "не удалось обработать 2 из 5 входных файлов");
    EXPECT_EQ(ru.count(Msg::PredictIntervals, 22, {{"source", "a.csv"}}), "a.csv: 22 интервала");
    EXPECT_EQ(en.count(Msg::PredictIntervals, 1, {{"source", "a.csv"}}), "a.csv: 1 intervals");  // as always
    EXPECT_EQ(ru.count(Msg::CountIntroVariants, 5), "5 вариантов заставки");
    EXPECT_EQ(ru.count(Msg::CountEpisodes, 21), "21 эпизод");
    EXPECT_EQ(ru.count(Msg::CountEpisodes, 3), "3 эпизода");
    EXPECT_EQ(ru.text(Msg::Warning, {{"text", "x"}}), "предупреждение: x");
}
