// The Parseltongue extension: starts `plc lsp` as the language server and
// adds the "Show Generated Rust" and "Restart Language Server" commands.
// Highlighting, snippets and the language configuration are declared in
// package.json.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The generated Rust of a file, as the server's custom request returns it. */
interface GeneratedRust {
  rust: string;
  complete: boolean;
}

/** A client for the server the settings name, not started yet. */
function newClient(): { client: LanguageClient; command: string } {
  const config = vscode.workspace.getConfiguration("parseltongue");
  const command = config.get<string>("server.path", "plc");
  const extraArgs = config.get<string[]>("server.extraArgs", []);
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp", ...extraArgs],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    // Saved files and new, unsaved (untitled) buffers alike.
    documentSelector: [
      { scheme: "file", language: "parseltongue" },
      { scheme: "untitled", language: "parseltongue" },
    ],
  };
  // `parseltongue.trace.server` is read by the client itself (the id is
  // the settings prefix).
  return {
    client: new LanguageClient("parseltongue", "Parseltongue", serverOptions, clientOptions),
    command,
  };
}

/** Starts a fresh server, stopping the running one first. */
async function startServer(): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop().catch(() => undefined);
  }
  const fresh = newClient();
  client = fresh.client;
  try {
    await fresh.client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Parseltongue: could not start \`${fresh.command} lsp\` (${String(error)}). ` +
        "Install plc or set `parseltongue.server.path`.",
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("parseltongue.showGeneratedRust", async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== "parseltongue" || !client) {
        void vscode.window.showInformationMessage("Open a Parseltongue (.pt) file first.");
        return;
      }
      const answer = await client.sendRequest<GeneratedRust | null>("parseltongue/generatedRust", {
        uri: editor.document.uri.toString(),
      });
      if (!answer) {
        void vscode.window.showErrorMessage("The language server could not lower this file.");
        return;
      }
      const header = answer.complete
        ? ""
        : "// The program has errors: this is the Rust of its valid items only.\n";
      const document = await vscode.workspace.openTextDocument({
        language: "rust",
        content: header + answer.rust,
      });
      await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside, true);
    }),
    vscode.commands.registerCommand("parseltongue.restartServer", startServer),
    // A new server path or arguments take effect at once.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (
        event.affectsConfiguration("parseltongue.server.path") ||
        event.affectsConfiguration("parseltongue.server.extraArgs")
      ) {
        void startServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
