// Writes manifests as one multi-document YAML file, each document under its comment.
import { Document } from 'yaml';

/** A value and the comment written above it ('' for none; several lines allowed). */
export interface Commented<T> {
  comment: string;
  value: T;
}

/** The documents, separated by '---', the file's header comment first. */
export function manifestsYaml(documents: readonly Commented<object>[], header: string): string {
  const parts = documents.map(({ comment, value }, i) => {
    // Shared objects (labels, mounts) are written out each time: anchors and aliases would puzzle a reader.
    const doc = new Document(value, { aliasDuplicateObjects: false });
    const text = [i === 0 ? header : '', comment].filter(Boolean).join('\n\n');
    if (text) doc.commentBefore = text.split('\n').map((line) => (line ? ` ${line}` : '')).join('\n');
    // Long strings (the shard script, TURN URLs) stay on one line each: easier to read and to diff.
    return doc.toString({ lineWidth: 0 });
  });
  return parts.join('---\n');
}
