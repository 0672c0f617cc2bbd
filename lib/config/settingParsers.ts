import { z } from 'zod';

/**
 * How the text of one setting (an app setting or a CLI flag) is read: a zod schema from the
 * trimmed text to the typed value, and what it accepts, in the words an error message uses. One
 * parser per kind of value, shared by the detection knobs, the limits and the app settings.
 */
export interface SettingParser<T> {
  readonly schema: z.ZodType<T, string>;
  readonly accepts: string;
}

/** Digits only, at most ten: wide enough for every range a setting has, too short to lose precision. */
const DIGITS = /^\d{1,10}$/;

/** An integer from `min` to `max` (decimal digits, no sign); `note` says what it means. */
export function integerIn(min: number, max: number, note?: string): SettingParser<number> {
  return {
    schema: z.string().regex(DIGITS).transform(Number).pipe(z.number().int().min(min).max(max)),
    accepts: `an integer from ${min} to ${max}${note === undefined ? '' : ` (${note})`}`,
  };
}

/** One of `values`, as written. */
export function oneOf<const T extends string>(values: readonly T[]): SettingParser<T> {
  return { schema: z.enum(values), accepts: `one of ${values.join(', ')}` };
}

/** Text matching `pattern`. */
export function textMatching(pattern: RegExp, accepts: string): SettingParser<string> {
  return { schema: z.string().regex(pattern), accepts };
}

/** Text that `convert` turns into a value (undefined: not acceptable). */
export function convertedBy<T>(convert: (text: string) => T | undefined, accepts: string): SettingParser<T> {
  return {
    schema: z.string().transform((text, ctx): T => {
      const value = convert(text);
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: accepts });
        return z.NEVER;
      }
      return value;
    }),
    accepts,
  };
}

/** The value of `raw` (trimmed) under `parser`, or undefined when it is not acceptable. */
export function parseSetting<T>(parser: SettingParser<T>, raw: string): T | undefined {
  const result = parser.schema.safeParse(raw.trim());
  return result.success ? result.data : undefined;
}

/** The text of a setting, trimmed; undefined when it is unset or blank. */
export function settingText(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Reads setting `name` from `env` with `parser`: undefined when unset or blank; a value it does
 * not accept adds `NAME="value": expected …` to `issues` and reads as undefined.
 */
export function readSetting<T>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  parser: SettingParser<T>,
  issues: string[],
): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = parseSetting(parser, raw);
  if (value === undefined) issues.push(`${name}=${quoteSetting(raw)}: expected ${parser.accepts}`);
  return value;
}

/** A setting's value as error messages quote it: JSON, cut at 60 characters. */
export function quoteSetting(raw: string): string {
  const cut = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
  return JSON.stringify(cut);
}
