// The kpic extension's client: starts `kpic lsp` over stdio for `.kpi` files and folds
// items, lists and text blocks.
//
// Everything the editor shows beyond colours (diagnostics, hover, completion,
// navigation, rename, formatting) comes from the language server; this file only finds
// the binary, starts it, restarts it when its setting changes, and says clearly what to
// do when it cannot be found.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { foldingRanges } from "./folding";

/** The client's id: `vscode-languageclient` reads `kpic.trace.server` through it. */
const CLIENT_ID = "kpic";
const CLIENT_NAME = "kpic language server";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(output);

  // Folding on braces, brackets and text blocks needs no server, so it works before
  // (or without) `kpic lsp`.
  context.subscriptions.push(
    vscode.languages.registerFoldingRangeProvider(
      { language: "kpi" },
      {
        provideFoldingRanges(document) {
          return foldingRanges(document.getText()).map(
            (r) => new vscode.FoldingRange(r.start, r.end),
          );
        },
      },
    ),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand("kpic.restartServer", () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("kpic.path")) {
        void restart();
      }
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output?.appendLine(`stopping ${CLIENT_NAME}: ${String(error)}`);
    }
  }
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration("kpic").get<string>("path") || "kpic";
  const binary = locate(configured);
  if (binary === undefined) {
    await notFound(configured);
    return;
  }

  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const serverOptions: ServerOptions = {
    command: binary,
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: cwd ? { cwd } : {},
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "kpi" },
      { scheme: "untitled", language: "kpi" },
    ],
    synchronize: {
      // The server re-reads the catalog and the project file when they change on disk
      // outside the editor (a `git checkout`, `kpic fmt` in a terminal).
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.kpi,kpic.toml}"),
    },
    outputChannel: output,
  };

  const created = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  try {
    await created.start();
    client = created;
  } catch (error) {
    // Found but would not start: not executable, a kpic without `lsp`, or it exited.
    output?.appendLine(`${binary} lsp: ${String(error)}`);
    void vscode.window.showErrorMessage(
      `kpic: could not start the language server with \`${binary} lsp\` (${String(error)}). ` +
        "It needs a kpic that has the `lsp` command; set `kpic.path` to that binary.",
    );
    try {
      await created.dispose();
    } catch {
      // Already stopped.
    }
  }
}

/** Tells the user the binary was not found and offers the setting that fixes it. */
async function notFound(configured: string): Promise<void> {
  const where = isBareName(configured)
    ? `\`${configured}\` was not found on the PATH`
    : `\`${configured}\` does not exist or is not executable`;
  const message =
    `kpic: the language server cannot start: ${where}. Install kpic ` +
    "(`cargo install --locked --path .` in its repository) or set the `kpic.path` " +
    "setting to the kpic binary. Syntax colours work without it.";
  output?.appendLine(message);
  const choice = await vscode.window.showErrorMessage(message, "Open Settings");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "kpic.path");
  }
}

/** A name without a folder in it: looked up on the PATH, as a shell would. */
function isBareName(command: string): boolean {
  return !command.includes("/") && !command.includes("\\");
}

/**
 * The executable `command` names: itself when it has a folder in it (relative to the
 * first workspace folder), else the first match on the PATH (with the PATHEXT
 * extensions on Windows). Undefined when there is none, so that the user sees which
 * setting to change instead of the client's generic "spawn ENOENT".
 */
function locate(command: string): string | undefined {
  const expanded = command.startsWith("~/")
    ? path.join(process.env.HOME ?? "", command.slice(2))
    : command;
  const extensions =
    process.platform === "win32"
      ? ["", ...(process.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").filter((e) => e)]
      : [""];
  if (!isBareName(expanded)) {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const full = path.resolve(base, expanded);
    return extensions.map((ext) => full + ext).find(isExecutable);
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const found = extensions.map((ext) => path.join(dir, expanded + ext)).find(isExecutable);
    if (found) {
      return found;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
