/**
 * Entry point of the `rolloutsim` command (bin/rolloutsim.mjs imports this file).
 */
import { main } from "./program.ts";

// `rolloutsim schema | head`: a closed pipe ends the output quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
