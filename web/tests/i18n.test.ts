// The catalogue is complete in both languages: same keys, same kind (text / plural), same parameters,
// every plural category the language uses; Russian plurals and locale formats give the right words.
import { describe, expect, it } from "vitest";
import type { Message } from "../src/i18n/catalogue";
import {
  catalogues,
  formatDuration,
  formatSize,
  languageAfterLogin,
  languageFromBrowser,
  languages,
  plural,
  translate,
} from "../src/i18n/i18n";

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const texts = (m: Message) => (typeof m === "string" ? [m] : Object.values(m));

describe("message catalogue", () => {
  const [reference, ...others] = languages;
  for (const lang of others) {
    it(`${lang} has exactly the keys of ${reference}`, () => {
      const missing = Object.keys(catalogues[reference]).filter((k) => !(k in catalogues[lang]));
      const extra = Object.keys(catalogues[lang]).filter((k) => !(k in catalogues[reference]));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });
  }
  for (const lang of languages) {
    it(`${lang}: every message is non-empty, of the reference's kind and parameters`, () => {
      const problems: string[] = [];
      for (const [key, ref] of Object.entries(catalogues[reference]) as [string, Message][]) {
        const own = (catalogues[lang] as Record<string, Message | undefined>)[key];
        if (own === undefined) { problems.push(`${key}: missing`); continue; }
        if (typeof own !== typeof ref) problems.push(`${key}: ${typeof own} where ${reference} has ${typeof ref}`);
        for (const text of texts(own)) if (!text.trim()) problems.push(`${key}: empty`);
        const refParams = [...new Set(texts(ref).flatMap(params))].sort();
        for (const text of texts(own)) if (JSON.stringify([...new Set(params(text))].sort()) !== JSON.stringify(refParams)) problems.push(`${key}: parameters ${params(text)} vs ${refParams}`);
        if (typeof own !== "string") {
          const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
          for (const c of categories) if (!(c in own)) problems.push(`${key}: no '${c}' form`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

describe("plurals and formats", () => {
  it("Russian fragments", () => {
    expect([1, 2, 5, 11, 21, 22, 25, 101].map((n) => plural("job.fragments", n, "ru"))).toEqual([
      "1 фрагмент", "2 фрагмента", "5 фрагментов", "11 фрагментов", "21 фрагмент", "22 фрагмента", "25 фрагментов", "101 фрагмент",
    ]);
    expect(plural("jobs.count", 3, "ru")).toBe("3 задания");
    expect(plural("users.count", 1, "ru")).toBe("1 пользователь");
  });
  it("English fragments", () => {
    expect([1, 2, 5].map((n) => plural("job.fragments", n, "en"))).toEqual(["1 fragment", "2 fragments", "5 fragments"]);
  });
  it("numbers inside messages follow the locale", () => {
    expect(plural("job.fragments", 1234, "ru")).toBe("1\u00a0234 фрагмента");
    expect(plural("job.fragments", 1234, "en")).toBe("1,234 fragments");
  });
  it("parameters are filled, unknown ones kept", () => {
    expect(translate("ru", "job.title", { id: "7" })).toBe("Задание 7");
    expect(translate("en", "nav.signedInAs", { name: "anna" })).toBe("Signed in as anna ({role})");
  });
  it("sizes and durations per locale", () => {
    const spaced = (text: string) => text.replace(/\s/g, " ");  // ICU puts (narrow) no-break spaces
    expect(spaced(formatSize(1536, "en"))).toBe("1.5 kB");
    expect(spaced(formatSize(1536, "ru"))).toBe("1,5 кБ");
    expect(spaced(formatDuration(3725, "en"))).toBe("1 hr 2 min 5 sec");
    expect(spaced(formatDuration(3725, "ru"))).toBe("1 ч 2 мин 5 с");
    expect(spaced(formatDuration(12.34, "ru"))).toBe("12,3 с");
  });
  it("language from the browser", () => {
    expect(languageFromBrowser(["ru-RU", "en"])).toBe("ru");
    expect(languageFromBrowser(["de-DE", "en-GB"])).toBe("en");
    expect(languageFromBrowser(["fr"])).toBe("en");
  });
  it("after login the user's stored language wins, else the one in use stays", () => {
    expect(languageAfterLogin("ru", "en")).toBe("ru");
    expect(languageAfterLogin("en", "ru")).toBe("en");
    expect(languageAfterLogin(null, "ru")).toBe("ru");  // not chosen yet: the browser's
    expect(languageAfterLogin(undefined, "en")).toBe("en");
    expect(languageAfterLogin("de", "ru")).toBe("ru");  // nothing the UI speaks
  });
});
