#!/usr/bin/env python3
"""Drives `kpic lsp` over stdio on a catalog folder and times one-character edits:
from sending textDocument/didChange to receiving the file's publishDiagnostics.

usage: lsp_latency.py KPIC_BINARY CATALOG_DIR [EDITS]
Prints the median, min and max over EDITS edits (default 100), alternately inserting
and deleting one character inside a KPI's name (so every edit is a real re-check).
"""
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

binary, root = sys.argv[1], Path(sys.argv[2]).resolve()
edits = int(sys.argv[3]) if len(sys.argv) > 3 else 100

proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def read():
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            sys.exit("kpic lsp closed its output")
        line = line.strip()
        if not line:
            break
        if line.startswith(b"Content-Length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))


def wait(pred):
    while True:
        m = read()
        if pred(m):
            return m


uri_root = root.as_uri()
send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": uri_root, "capabilities": {}}})
wait(lambda m: m.get("id") == 1)
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

# The edited file: the first one holding a KPI, at its first `name: "`.
path = next(p for p in sorted(root.glob("*.kpi")) if "\nkpi " in p.read_text())
text = path.read_text()
lines = text.split("\n")
line = next(i for i, l in enumerate(lines) if l.strip().startswith('name: "'))
character = lines[line].index('"') + 1
uri = path.as_uri()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "kpi", "version": 1, "text": text}}})
is_mine = lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
wait(is_mine)

times = []
for k in range(edits):
    pos = {"line": line, "character": character}
    if k % 2 == 0:
        change = {"range": {"start": pos, "end": pos}, "text": "x"}
    else:
        end = {"line": line, "character": character + 1}
        change = {"range": {"start": pos, "end": end}, "text": ""}
    t0 = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange",
          "params": {"textDocument": {"uri": uri, "version": k + 2}, "contentChanges": [change]}})
    wait(is_mine)
    times.append((time.perf_counter() - t0) * 1000)

send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
wait(lambda m: m.get("id") == 2)
send({"jsonrpc": "2.0", "method": "exit", "params": None})
proc.wait(timeout=60)
print(f"{root.name}: {edits} edits of {path.name}: median {statistics.median(times):.1f} ms, "
      f"min {min(times):.1f} ms, max {max(times):.1f} ms")
