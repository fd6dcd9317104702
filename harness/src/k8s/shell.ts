// Shell words for the scripts the pods run: a value from the user (a scenario path, a --set) is
// single-quoted unless it is plainly safe, so no character of it reaches the shell as syntax.

/** `value` as one sh word. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The words as one sh command line. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
