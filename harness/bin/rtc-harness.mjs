#!/usr/bin/env node
// Runs the CLI straight from its TypeScript sources, and lets scenario files be TypeScript too:
// no build step for the harness or for the user's scenarios.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
