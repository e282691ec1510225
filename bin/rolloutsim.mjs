#!/usr/bin/env node
// Entry point for `npx rolloutsim`: registers tsx so the TypeScript sources run directly on Node 20.
import { register } from "tsx/esm/api";

// immer skips its development-time checks in production mode (about 5% of a large run).
process.env.NODE_ENV ??= "production";

register();
await import("../src/cli/main.ts");
