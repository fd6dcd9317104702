// The page adapters that come with the harness, by the name a scenario gives in `target.page`.
import type { PageAdapter } from './adapter.ts';
import { janusVideoRoom } from './janus-videoroom.ts';
import { referencePage } from './reference.ts';

export const BUILTIN_ADAPTERS: Readonly<Record<string, PageAdapter>> = {
  reference: referencePage,
  'janus-videoroom': janusVideoRoom,
};

/** A `target.page` string naming a module rather than a built-in adapter: './x.ts', '/abs/x.js', 'x.adapter.mjs'. */
export function isModulePath(page: string): boolean {
  return /^\.{0,2}\//.test(page) || /\.(ts|mts|js|mjs)$/.test(page);
}
