// Reads cg_annotate output on stdin and prints instruction counts per category (see count-instructions.sh).
import { readFileSync } from "node:fs";

const categories = new Map();
const add = (name, count) => categories.set(name, (categories.get(name) ?? 0) + count);
for (const line of readFileSync(0, "utf8").split("\n")) {
  const match = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/.exec(line);
  if (match === null || match[2].includes("PROGRAM TOTALS")) continue;
  const count = Number(match[1].replaceAll(",", ""));
  const fn = match[2];
  if (fn === "???:???") add("generated code", count);
  else if (fn.includes("Builtins_")) add("builtins", count);
  else if (/compiler::|Zone|maglev|CodeGenerator|Turbofan|Pipeline/i.test(fn)) add("compiler", count);
  else if (
    /Scaveng|Mark|Heap|GC|Sweep|Evacuat|Remembered|SlotSet|Compactor|MemoryChunk|Worklist|PagedSpace|NewSpace/.test(fn)
  )
    add("gc", count);
  else if (/malloc|free|memset|memcpy|memmove/.test(fn)) add("libc", count);
  else if (/Parser|Scanner|Bytecode|nterpreter|Preparse/.test(fn)) add("parse/bytecode", count);
  else add("other", count);
}
const total = [...categories.values()].reduce((sum, count) => sum + count, 0);
const line = (name, count) => console.log(`${name.padEnd(18)} ${count.toLocaleString("en-US").padStart(16)}`);
for (const [name, count] of [...categories].sort((a, b) => b[1] - a[1])) line(name, count);
line("total", total);
line("without compiler", total - (categories.get("compiler") ?? 0));
