#!/usr/bin/env node
// The `tongban` executable. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/agent/cli/main.js';

await main();
