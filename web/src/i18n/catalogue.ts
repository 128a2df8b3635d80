// The type of a message catalogue, derived from the English one: every language has exactly its keys,
// a plain text where English has one and plural forms where English has them.
import { en } from "./messages_en";

export type MessageKey = keyof typeof en;
export type PluralCategory = "zero" | "one" | "two" | "few" | "many" | "other";
export type PluralMessage = Partial<Record<PluralCategory, string>> & { other: string };
export type Message = string | PluralMessage;
export type Catalogue = { [K in MessageKey]: (typeof en)[K] extends string ? string : PluralMessage };

// The keys that take {count} and plural forms.
export type PluralKey = { [K in MessageKey]: (typeof en)[K] extends string ? never : K }[MessageKey];
