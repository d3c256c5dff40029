/**
 * Just enough Markdown for the README checks: fenced code blocks with the `snippet` comments
 * above them, links with their line, and the anchors GitHub (and npm) give to headings.
 */

/** What a `<!-- snippet: ... -->` comment right above a code block says about it. */
export interface SnippetMarkers {
  /** `fragment`: not complete code (a class-body excerpt, `...` placeholders); never compiled. */
  fragment: boolean;
  /** `run`: a complete test or program, executed by the suite as printed. */
  run: boolean;
  /**
   * `prelude <code>`: hidden code compiled before the block, for the imports and the names of
   * the app's own (a service, a dialog) the printed code takes for granted.
   */
  prelude?: string;
  /** The line of the prelude comment, for errors in it. */
  preludeLine?: number;
}

export interface CodeBlock {
  /** The info string's language (`ts`, `sh`...), lower-cased; `''` for none. */
  lang: string;
  code: string;
  /** 1-based line of the block's first line of code (the line after the opening fence). */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  markers: SnippetMarkers;
}

export interface MarkdownLink {
  target: string;
  line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SNIPPET_COMMENT = /^<!--\s*snippet:\s*([\s\S]*?)\s*-->$/;

/** The lines of the document outside fenced code, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines = markdown.split('\n');
  const prose: { text: string; line: number }[] = [];
  let fence: string | undefined;
  lines.forEach((text, index) => {
    const opening = FENCE.exec(text);
    if (fence === undefined && opening) {
      fence = opening[1];
      return;
    }
    if (fence !== undefined) {
      if (text.trim().startsWith(fence) && text.trim().replace(/[`~]/g, '') === '') {
        fence = undefined;
      }
      return;
    }
    prose.push({ text, line: index + 1 });
  });
  return prose;
}

/**
 * The `snippet` comments right above line `fenceIndex` (0-based), with only blank lines between
 * them and the block; each may span several lines.
 */
function markersAbove(lines: string[], fenceIndex: number): SnippetMarkers {
  const markers: SnippetMarkers = { fragment: false, run: false };
  const skipBlank = (index: number) => {
    while (index >= 0 && lines[index].trim() === '') index--;
    return index;
  };
  let end = skipBlank(fenceIndex - 1);
  while (end >= 0 && lines[end].trimEnd().endsWith('-->')) {
    let start = end;
    while (start >= 0 && !lines[start].trimStart().startsWith('<!--')) start--;
    if (start < 0) break;
    const comment = SNIPPET_COMMENT.exec(
      lines
        .slice(start, end + 1)
        .join('\n')
        .trim(),
    );
    if (!comment) break;
    const body = comment[1];
    const [word] = body.split(/\s/, 1);
    if (word === 'fragment') markers.fragment = true;
    else if (word === 'run') markers.run = true;
    else if (word === 'prelude') {
      markers.prelude = body.slice('prelude'.length).trim();
      markers.preludeLine = start + 1;
    } else throw new Error(`line ${start + 1}: unknown snippet comment "${word}"`);
    end = skipBlank(start - 1);
  }
  return markers;
}

/** Every fenced code block, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let heading = '';
  for (let index = 0; index < lines.length; index++) {
    const title = HEADING.exec(lines[index]);
    if (title) heading = title[2];
    const opening = FENCE.exec(lines[index]);
    if (!opening) continue;
    const [, fence, lang] = opening;
    const body: string[] = [];
    let close = index + 1;
    while (close < lines.length && !isClosingFence(lines[close], fence)) {
      body.push(lines[close]);
      close++;
    }
    blocks.push({
      lang: lang.toLowerCase(),
      code: body.join('\n'),
      line: index + 2,
      heading,
      markers: markersAbove(lines, index),
    });
    index = close;
  }
  return blocks;
}

function isClosingFence(text: string, fence: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith(fence) && /^[`~]+$/.test(trimmed);
}

/** Removes inline code spans, so that a link or a bracket quoted in code is not read as one. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
}

/**
 * The targets of inline links and images (`[text](target)`), autolinks (`<https://...>`), link
 * reference definitions (`[id]: target`) and HTML `href`s, outside code.
 */
export function links(markdown: string): MarkdownLink[] {
  const found: MarkdownLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = withoutCodeSpans(text);
    const patterns = [
      /\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g,
      /<((?:https?|mailto):[^\s>]+)>/g,
      /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g,
      /\bhref\s*=\s*"([^"]*)"/g,
    ];
    for (const pattern of patterns) {
      for (const match of prose.matchAll(pattern)) found.push({ target: match[1], line });
    }
  }
  return found;
}

/**
 * The anchor GitHub gives a heading: its text without markup, lower-cased, punctuation dropped
 * (hyphens and underscores stay), spaces turned into hyphens.
 */
export function slug(heading: string): string {
  // Code spans are literal text; outside them, links keep their text and HTML tags go.
  const text = heading
    .split(/(`+[^`]*`+)/)
    .map((part, index) =>
      index % 2 === 1
        ? part.replace(/`/g, '')
        : part.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, ''),
    )
    .join('');
  return text
    .replace(/\*/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a document: its headings' slugs (repeats get `-1`, `-2`...) and HTML ids. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const title = HEADING.exec(text);
    if (title) {
      const base = slug(title[2]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      result.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of text.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*"([^"]+)"/g)) {
      result.add(match[1]);
    }
  }
  return result;
}

/**
 * The part of a document under the heading whose text is `heading` (as written, markup
 * included), up to the next heading of the same or a higher level.
 */
export function section(markdown: string, heading: string): { text: string; line: number } {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => {
    const title = HEADING.exec(line);
    return title !== null && title[2] === heading;
  });
  if (start < 0) throw new Error(`No heading "${heading}"`);
  const level = HEADING.exec(lines[start])![1].length;
  let end = start + 1;
  let fence: string | undefined;
  for (; end < lines.length; end++) {
    const opening = FENCE.exec(lines[end]);
    if (fence === undefined && opening) fence = opening[1];
    else if (fence !== undefined && isClosingFence(lines[end], fence)) fence = undefined;
    const title = fence === undefined ? HEADING.exec(lines[end]) : null;
    if (title && title[1].length <= level) break;
  }
  return { text: lines.slice(start, end).join('\n'), line: start + 1 };
}

/**
 * The tables of a text: each as its header cells and rows of cells, trimmed, with `\|` read as
 * a pipe.
 */
export function tables(text: string): { header: string[]; rows: string[][] }[] {
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
  const found: { header: string[]; rows: string[][] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1])) continue;
    const table = { header: cells(lines[i]), rows: [] as string[][] };
    let row = i + 2;
    for (; row < lines.length && lines[row].trim().startsWith('|'); row++) {
      table.rows.push(cells(lines[row]));
    }
    found.push(table);
    i = row;
  }
  return found;
}
