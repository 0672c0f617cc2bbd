import { UsageError } from '../errors.js';

/** One option of the command line. */
export interface OptionSpec {
  /** Without the dashes: `threshold`. */
  readonly name: string;
  readonly short?: string;
  /** What the value is, for messages: `an integer`; undefined for a switch. */
  readonly value?: string;
  readonly repeatable?: boolean;
  /** The commands it applies to. */
  readonly commands: readonly string[];
}

/** An option as it was given, in command-line order. */
export interface OptionToken {
  readonly kind: 'option';
  readonly name: string;
  readonly value: string | undefined;
}

export interface ParsedArgs {
  /** Last value of each option given (a repeatable option: every value, in order). */
  readonly values: ReadonlyMap<string, string | true | readonly string[]>;
  readonly positionals: readonly string[];
  readonly tokens: readonly OptionToken[];
}

/**
 * Parses a command's arguments: `--name value`, `--name=value`, switches, `-` (stdin) and `--`
 * (everything after it is an input). A value may start with a dash (`--threshold -1` gives the
 * value `-1`, which the option's own check then rejects in plain words). Messages say what is
 * wrong and suggest the option meant.
 *
 * @throws {UsageError} for an unknown option, a missing value, a value given to a switch, an
 *   option given twice, or an option of another command
 */
export function parseCommandArgs(
  command: string,
  args: readonly string[],
  specs: readonly OptionSpec[],
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  const values = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  const tokens: OptionToken[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      spec = byName.get(name);
      if (spec === undefined) throw new UsageError(unknownOption(`--${name}`, specs));
    } else {
      spec = byShort.get(arg.slice(1));
      if (spec === undefined) throw new UsageError(unknownOption(arg, specs));
    }
    const flag = `--${spec.name}`;
    if (!spec.commands.includes(command)) {
      throw new UsageError(`${flag} applies to ${spec.commands.join(' and ')}, not to ${command}`);
    }
    let value: string | undefined;
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value (got "${inline}")`);
    } else if (inline !== undefined) value = inline;
    else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`${flag} needs a value: ${spec.value}`);
      if (next.startsWith('--') && next.length > 2) {
        throw new UsageError(`${flag} needs a value (${spec.value}) before the option ${next}`);
      }
      value = next;
      i++;
    }
    tokens.push({ kind: 'option', name: spec.name, value });
    if (spec.repeatable === true) {
      const list = (values.get(spec.name) as string[] | undefined) ?? [];
      list.push(value as string);
      values.set(spec.name, list);
    } else {
      if (values.has(spec.name)) throw new UsageError(`${flag} is given twice; give it once`);
      values.set(spec.name, value ?? true);
    }
  }
  return { values, positionals, tokens };
}

/** "unknown option --treshold (did you mean --threshold?)" */
function unknownOption(given: string, specs: readonly OptionSpec[]): string {
  const close = suggest(
    given.replace(/^-+/, ''),
    specs.map((s) => s.name),
  );
  return `unknown option ${given}${close === undefined ? '' : ` (did you mean --${close}?)`}`;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The closest of `candidates` to `given` (one it starts, or a few typing mistakes away), when close enough to suggest. */
export function suggest(given: string, candidates: readonly string[]): string | undefined {
  if (given.length >= 3) {
    const extended = candidates.filter((c) => c.startsWith(given));
    if (extended.length === 1) return extended[0];
  }
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(given, c);
    if (best === undefined || d < best.distance) best = { name: c, distance: d };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(given.length / 4))
    ? best.name
    : undefined;
}
