// The UI's one way to text: t(key, params) from the catalogue of the current language, and the
// locale's formats for numbers, sizes, dates and durations (Intl). Before login the language comes
// from the remembered choice (localStorage), else the browser's languages, else English; after login
// the user's own choice stored on the server (GET /api/me "language") wins when there is one.
import type { Catalogue, Message, MessageKey, PluralKey } from "./catalogue";
import { en } from "./messages_en";
import { ru } from "./messages_ru";

export const languages = ["en", "ru"] as const;
export type Language = (typeof languages)[number];

export const catalogues: Record<Language, Catalogue> = { en, ru };

const storageKey = "vidseg.lang";
let current: Language = "en";
const listeners = new Set<() => void>();

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (languages as readonly string[]).includes(value);
}

// The first of the browser's languages we speak ("ru-RU" counts as ru).
export function languageFromBrowser(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLanguage(base)) return base;
  }
  return "en";
}

export function initLanguage(): Language {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(storageKey);
  } catch {
    // storage disabled: the browser's language each time
  }
  current = isLanguage(stored) ? stored : languageFromBrowser(navigator.languages ?? [navigator.language]);
  document.documentElement.lang = current;
  return current;
}

export function language(): Language {
  return current;
}

// The language after login: the user's stored choice, else the one already in use (browser / this
// browser's remembered choice).
export function languageAfterLogin(userLanguage: string | null | undefined, inUse: Language): Language {
  return isLanguage(userLanguage) ? userLanguage : inUse;
}

// Switches without redrawing (the caller draws next) and remembers it in this browser, so the login
// page after a logout speaks it too.
export function useLanguage(next: Language): void {
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = next;
}

// Switches and redraws everything (the language switch).
export function setLanguage(next: Language): void {
  useLanguage(next);
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

type Params = Record<string, string | number>;

function fill(text: string, params: Params, lang: Language): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(value, lang) : value;
  });
}

// The text of `key` in `lang` (default: the current language) with its parameters filled in.
export function translate(lang: Language, key: MessageKey, params: Params = {}): string {
  const message: Message = catalogues[lang][key];
  if (typeof message === "string") return fill(message, params, lang);
  const count = typeof params.count === "number" ? params.count : 0;
  const category = new Intl.PluralRules(lang).select(count) as keyof typeof message;
  return fill(message[category] ?? message.other, params, lang);
}

export function t(key: MessageKey, params: Params = {}): string {
  return translate(current, key, params);
}

// A count with its noun in the right plural form: plural("job.fragments", 5) = "5 фрагментов".
export function plural(key: PluralKey, count: number, lang: Language = current): string {
  return translate(lang, key, { count });
}

export function formatNumber(value: number, lang: Language = current, digits = 0): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
}

export function formatPercent(value: number, lang: Language = current): string {
  return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 }).format(value / 100);
}

const sizeUnits = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

// 1536 -> "1.5 kB" / "1,5 кБ" (units of 1024).
export function formatSize(bytes: number, lang: Language = current): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < sizeUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return new Intl.NumberFormat(lang, {
    style: "unit",
    unit: sizeUnits[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

// Seconds -> "1 hr, 2 min, 5 sec" / "1 ч 2 мин 5 с" (whole seconds; under a minute with one decimal).
export function formatDuration(seconds: number, lang: Language = current): string {
  if (!Number.isFinite(seconds) || seconds < 0) return translate(lang, "common.none");
  const unit = (value: number, name: string, digits = 0) =>
    new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "short", maximumFractionDigits: digits }).format(value);
  if (seconds < 60) return unit(Math.round(seconds * 10) / 10, "second", 1);
  const total = Math.round(seconds);
  const parts: string[] = [];
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) parts.push(unit(h, "hour"));
  if (m) parts.push(unit(m, "minute"));
  if (s) parts.push(unit(s, "second"));
  return new Intl.ListFormat(lang, { style: "narrow", type: "unit" }).format(parts);
}

// Unix seconds -> the locale's date and time.
export function formatDate(unixSeconds: number | undefined, lang: Language = current): string {
  if (!unixSeconds) return translate(lang, "common.none");
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(unixSeconds * 1000));
}

// Whether the catalogue has `key` (for names the server may add later, e.g. a new job stage).
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogues[current], key);
}
