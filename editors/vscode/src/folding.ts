// Folding ranges of a `.kpi` file from its brackets and text blocks, without a server.
//
// Kept free of the `vscode` module so it can be run on its own.

/** A range of lines (0-based, both inclusive) that folds away. */
export interface LineRange {
  start: number;
  end: number;
}

/**
 * The multi-line `{ }`, `[ ]` and `( )` pairs and `"""` text blocks of `text`,
 * skipping strings and `//` comments (a bracket in a comment or a string does not
 * open anything). Each range ends on the line before its closing bracket, so the
 * closing line stays visible, as VS Code's own bracket folding does; a text block
 * folds to its closing quotes.
 */
export function foldingRanges(text: string): LineRange[] {
  const ranges: LineRange[] = [];
  const open: { char: string; line: number }[] = [];
  const closes: Record<string, string> = { "}": "{", "]": "[", ")": "(" };
  let line = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") {
        i++;
      }
    } else if (text.startsWith('"""', i)) {
      const startLine = line;
      i += 3;
      while (i < text.length && !text.startsWith('"""', i)) {
        if (text[i] === "\n") {
          line++;
        }
        i++;
      }
      i += 3;
      if (line > startLine) {
        ranges.push({ start: startLine, end: line });
      }
    } else if (c === '"') {
      // A string ends at its closing quote or, unclosed, at the end of the line.
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== "\n") {
        i += text[i] === "\\" ? 2 : 1;
      }
      if (text[i] === '"') {
        i++;
      }
    } else if (c === "{" || c === "[" || c === "(") {
      open.push({ char: c, line });
      i++;
    } else if (c in closes) {
      // Pop to the matching opener; a stray closer is ignored.
      const at = open.map((o) => o.char).lastIndexOf(closes[c]);
      if (at >= 0) {
        const start = open[at].line;
        open.length = at;
        if (line - 1 > start) {
          ranges.push({ start, end: line - 1 });
        }
      }
      i++;
    } else {
      i++;
    }
  }
  return ranges.sort((a, b) => a.start - b.start || b.end - a.end);
}
