// Snapshot test of the grammar over the shipped catalog (`kpis/`) and the examples
// (`examples/`): every token of every `.kpi` file there, with its scopes, as
// vscode-tmgrammar-snap renders it, compared with `test/catalog/<path>.snap`.
//
// vscode-tmgrammar-snap keeps a snapshot beside its source file and quietly writes a
// new one when it finds none; the catalog's folders must stay free of editor files, so
// the sources are copied with their committed snapshots into a work folder under
// `target/`, and this script fails on a source without a committed snapshot (or a
// snapshot without a source) instead.
//
//   node test/catalog.js            check (what `npm test` runs)
//   node test/catalog.js --update   rewrite the snapshots after a deliberate change;
//                                   read the diff of test/catalog/ before committing it

"use strict";

const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const extension = path.resolve(__dirname, "..");
const root = path.resolve(extension, "..", "..");
const snapshots = path.join(__dirname, "catalog");
const work = process.env.KPIC_VSCODE_WORK
  ? path.resolve(process.env.KPIC_VSCODE_WORK, "catalog")
  : path.join(root, "target", "vscode-grammar-catalog");
const update = process.argv.includes("--update");

/** The `.kpi` files under `dir` (relative to the repository), sorted. */
function kpiFiles(dir) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.name.endsWith(".kpi")) {
        out.push(child);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The committed snapshots, as the source paths they belong to. */
function snapshotSources() {
  const out = [];
  const walk = (rel) => {
    const dir = path.join(snapshots, rel);
    if (!fs.existsSync(dir)) {
      return;
    }
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.name.endsWith(".kpi.snap")) {
        out.push(child.slice(0, -".snap".length));
      }
    }
  };
  walk("");
  return out.sort();
}

function main() {
  const sources = [...kpiFiles("kpis"), ...kpiFiles("examples")];
  const committed = snapshotSources();
  const missing = sources.filter((s) => !committed.includes(s));
  const orphans = committed.filter((s) => !sources.includes(s));
  if (!update && (missing.length > 0 || orphans.length > 0)) {
    for (const s of missing) {
      console.error(`no snapshot for ${s} (expected test/catalog/${s}.snap)`);
    }
    for (const s of orphans) {
      console.error(`snapshot test/catalog/${s}.snap has no source ${s}`);
    }
    console.error("run `npm run test:catalog:update` and read the new snapshots");
    return 1;
  }

  fs.rmSync(work, { recursive: true, force: true });
  for (const s of sources) {
    const target = path.join(work, s);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(root, s), target);
    const snap = path.join(snapshots, s + ".snap");
    if (fs.existsSync(snap) && !update) {
      fs.copyFileSync(snap, target + ".snap");
    }
  }

  const tool = path.join(extension, "node_modules", "vscode-tmgrammar-test", "dist", "snapshot.js");
  const args = [
    tool,
    "--grammar",
    path.join(extension, "syntaxes", "kpi.tmLanguage.json"),
    "--scope",
    "source.kpi",
    ...(update ? ["--updateSnapshot"] : []),
    path.join(work, "**", "*.kpi"),
  ];
  const run = spawnSync(process.execPath, args, { stdio: "inherit", cwd: extension });
  if (run.error) {
    console.error(`could not run vscode-tmgrammar-snap: ${run.error.message}`);
    return 1;
  }
  if (run.status !== 0) {
    console.error(`the grammar's tokens of the catalog changed; the files are in ${work}`);
    return 1;
  }

  if (update) {
    fs.rmSync(snapshots, { recursive: true, force: true });
    for (const s of sources) {
      const target = path.join(snapshots, s + ".snap");
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(work, s + ".snap"), target);
    }
    console.log(`wrote ${sources.length} snapshots under test/catalog/`);
  } else {
    console.log(`${sources.length} catalog files tokenized as in their snapshots`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  return 0;
}

process.exitCode = main();
