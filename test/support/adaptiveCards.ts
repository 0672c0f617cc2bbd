import { createRequire } from 'node:module';

/**
 * The `adaptivecards` library (Microsoft's JS renderer, pinned 3.0.6). Its `lib/` build is ESM
 * with extension-less imports that Node cannot load, so the UMD bundle in `dist/` is required;
 * parsing and validation need no DOM (only rendering does).
 */
const AdaptiveCards = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as typeof import('adaptivecards');

/**
 * Parses a card with the library, targeting the card's own `version`, and returns every parse
 * warning and validation failure as `phase/event: message` (an empty list when the card is clean).
 * Targeting the declared version makes the library report properties newer than it.
 */
export function adaptiveCardProblems(card: { readonly version?: unknown }): string[] {
  const [major, minor] = String(card.version).split('.').map(Number);
  const context = new AdaptiveCards.SerializationContext(new AdaptiveCards.Version(major, minor));
  const parsed = new AdaptiveCards.AdaptiveCard();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`${e.phase}/${e.event}: ${e.message}`);
  }
  for (const e of parsed.validateProperties().validationEvents)
    problems.push(`${e.phase}/${e.event}: ${e.message}`);
  return problems;
}
