// Custom markdownlint rules for the repository's Markdown (run by `npm run lint:md` through
// markdownlint-cli2, configured in .markdownlint-cli2.jsonc):
//
// - PS001 code-fence-closed: every fenced code block is closed, and no line inside it looks like
//   a closing fence with text after it ("``` See"). CommonMark does not close a fence on such a
//   line, so the rest of the page renders as code.
// - PS002 relative-links: every relative link or image points at a file or folder that exists,
//   and every #anchor names a heading of the target page (GitHub's heading ids, github-slugger).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';

/** Depth-first walk over micromark tokens. */
function* walk(tokens) {
  for (const token of tokens) {
    yield token;
    yield* walk(token.children);
  }
}

const codeFenceClosed = {
  names: ['PS001', 'code-fence-closed'],
  description: 'Fenced code blocks are closed, and closing fences carry no text',
  tags: ['code'],
  parser: 'micromark',
  function: (params, onError) => {
    for (const token of walk(params.parsers.micromark.tokens)) {
      if (token.type !== 'codeFenced') continue;
      const fences = token.children.filter((c) => c.type === 'codeFencedFence');
      const opening = fences[0];
      const marker = /^\s*(`{3,}|~{3,})/.exec(opening?.text ?? '')?.[1] ?? '```';
      if (fences.length < 2) {
        onError({ lineNumber: token.startLine, detail: `the ${marker} fence opened here is never closed` });
      }
      const inside = params.lines.slice(
        token.startLine,
        fences.length < 2 ? token.endLine : token.endLine - 1,
      );
      for (const [i, line] of inside.entries()) {
        const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
        if (m && m[1][0] === marker[0] && m[1].length >= marker.length && m[2].trim() !== '') {
          onError({
            lineNumber: token.startLine + 1 + i,
            detail: 'a closing fence takes no text after it: this line does not close the block',
            context: line.slice(0, 40),
          });
        }
      }
    }
  },
};

/**
 * GitHub's ids of the headings of a Markdown text (ATX headings outside code blocks) and of its
 * `<a id>` anchors. Also used by test/unit/citations.test.ts for citations in code.
 */
export function headingIds(text) {
  const slugger = new GithubSlugger();
  const ids = new Set();
  let fence;
  for (const line of text.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (f !== undefined) {
      if (fence === undefined) fence = f;
      else if (f[0] === fence[0] && f.length >= fence.length && line.trim() === f) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^ {0,3}#{1,6}\s+(.*?)(\s+#+)?\s*$/.exec(line);
    if (h === null) continue;
    const plain = h[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/`/g, '')
      .replace(/<[^>]+>/g, '')
      .replace(/\\(.)/g, '$1')
      .replace(/(\*\*|__|\*|_)(\S[^*_]*?)\1/g, '$2');
    ids.add(slugger.slug(plain));
  }
  for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(m[1]);
  return ids;
}

const idCache = new Map();
function idsOf(path) {
  if (!idCache.has(path)) idCache.set(path, headingIds(readFileSync(path, 'utf8')));
  return idCache.get(path);
}

const relativeLinks = {
  names: ['PS002', 'relative-links'],
  description: 'Relative links point at files that exist, and anchors at headings that exist',
  tags: ['links'],
  parser: 'micromark',
  function: (params, onError) => {
    const here = resolve(params.name);
    for (const token of walk(params.parsers.micromark.tokens)) {
      if (token.type !== 'resourceDestinationString' && token.type !== 'definitionDestinationString')
        continue;
      const target = token.text;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      const hash = target.indexOf('#');
      const pathPart = decodeURI(hash < 0 ? target : target.slice(0, hash));
      const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const file = pathPart === '' ? here : resolve(dirname(here), pathPart);
      if (!existsSync(file)) {
        onError({ lineNumber: token.startLine, detail: `no such file: ${pathPart}`, context: target });
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!file.endsWith('.md') || statSync(file).isDirectory()) continue;
      if (!idsOf(file).has(anchor)) {
        onError({
          lineNumber: token.startLine,
          detail: `no heading with the id "${anchor}" in ${pathPart === '' ? 'this file' : pathPart}`,
          context: target,
        });
      }
    }
  },
};

export default [codeFenceClosed, relativeLinks];
