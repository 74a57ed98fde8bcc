"""Drives `plc mcp` with the official MCP Python SDK, as an agent's client
would: lists the tools, checks a broken program, applies the fix, runs and
tests programs, reads the reference resource; then sends malformed lines on
a raw pipe and checks that each gets a protocol error while the server
keeps serving. Run by plc/tests/mcp.rs; prints one line per step."""

import asyncio
import json
import subprocess
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

PLC = sys.argv[1]
WORK = sys.argv[2]

BROKEN = """function main() {
    let total = 0;
    for value in list_of(1, 2, 3) {
        total += value;
    }
    print_line("total {}", total);
}
"""

PANICS = """function pick(values: list<i64>, index: i64) returns i64 {
    values[index]
}

function main() {
    print_line("{}", pick(list_of(1, 2), 7));
}
"""

FOREVER = """function main() {
    let_mut_var n = 0;
    loop {
        n += 1;
    }
}
"""

TESTED = """function double(x: i64) returns i64 {
    x * 2
}

test doubles {
    assert_equal(double(2), 4);
}

test wrong_on_purpose {
    assert_equal(double(3), 7);
}
"""


def structured(result):
    assert not result.is_error, f"tool error: {result.content}"
    assert result.structured_content is not None, "no structured output"
    return result.structured_content


def step(name, detail=""):
    print(f"ok {name} {detail}".rstrip(), flush=True)


async def with_sdk():
    server = StdioServerParameters(command=PLC, args=["mcp"], cwd=WORK, env={"NO_COLOR": "1"})
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.server_info.name == "plc", init.server_info
            step("initialize", init.server_info.version)

            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            expected = {"check", "fix", "explain", "reference", "emit", "format", "run", "test", "grammar"}
            assert expected <= set(tools), sorted(tools)
            for name in ("check", "fix", "emit", "format", "run", "test"):
                assert tools[name].input_schema["type"] == "object", tools[name].input_schema
                assert tools[name].output_schema is not None, f"{name} has no output schema"
            step("list_tools", " ".join(sorted(tools)))

            report = structured(await session.call_tool("check", {"source": BROKEN}))
            assert not report["ok"] and report["errors"] >= 1, report
            codes = [d["code"]["code"] for d in report["diagnostics"]]
            assert "PT0007" in codes, codes
            replacements = [
                span.get("suggested_replacement")
                for d in report["diagnostics"]
                for child in d["children"]
                for span in child["spans"]
            ]
            assert "let_mut_var" in replacements, replacements
            assert "main.pt:2:5" in report["rendered"], report["rendered"]
            step("check", f"{report['errors']} error(s): {codes}")

            fixed = structured(await session.call_tool("fix", {"source": BROKEN}))
            assert fixed["remaining"]["ok"], fixed["remaining"]["rendered"]
            assert fixed["edits"] and fixed["edits"][0]["code"] == "PT0007", fixed["edits"]
            program = fixed["files"]["main.pt"]
            assert "let_mut_var total = 0;" in program, program
            step("fix", f"{len(fixed['edits'])} edit(s)")

            ran = structured(await session.call_tool("run", {"source": program}))
            assert ran["phase"] == "run" and ran["success"] and ran["exit_code"] == 0, ran
            assert ran["stdout"] == "total 6\n", ran
            step("run", repr(ran["stdout"]))

            crashed = structured(await session.call_tool("run", {"source": PANICS}))
            assert crashed["phase"] == "run" and not crashed["success"], crashed
            assert crashed["exit_code"] == 101, crashed
            assert "main.pt:2:5" in crashed["stderr"], crashed["stderr"]
            step("run panics at the .pt line", crashed["stderr"].strip().splitlines()[0])

            stopped = structured(
                await session.call_tool("run", {"source": FOREVER, "timeout_seconds": 1})
            )
            assert stopped["timed_out"] and stopped["exit_code"] is None, stopped
            step("run stops at the time limit", f"{stopped['seconds']:.1f} s")

            tested = structured(await session.call_tool("test", {"source": TESTED}))
            assert tested["phase"] == "run" and not tested["success"], tested
            assert "doubles ... ok" in tested["stdout"], tested["stdout"]
            assert "wrong_on_purpose" in tested["stdout"] and "main.pt:10:5" in tested["stdout"], tested["stdout"]
            only = structured(await session.call_tool("test", {"source": TESTED, "args": ["doubles"]}))
            assert only["success"], only
            step("test", "one passes, one fails at its .pt line; a filter runs one")

            failing = structured(await session.call_tool("run", {"source": BROKEN}))
            assert failing["phase"] == "check" and not failing["check"]["ok"], failing
            step("run stops at check")

            emitted = structured(await session.call_tool("emit", {"source": program}))
            assert "fn main()" in emitted["rust"], emitted
            step("emit")

            formatted = structured(
                await session.call_tool("format", {"source": "function main() { print_line(\"hi\"); }\n"})
            )
            assert formatted["changed"] and formatted["files"]["main.pt"] == "function main() {\n    print_line(\"hi\");\n}\n", formatted
            step("format")

            modules = structured(
                await session.call_tool(
                    "run",
                    {
                        "files": {
                            "main.pt": "use_module shapes;\n\nfunction main() {\n    print_line(\"{}\", shapes::square(7));\n}\n",
                            "shapes.pt": "public function square(x: i64) returns i64 {\n    x * x\n}\n",
                        }
                    },
                )
            )
            assert modules["stdout"] == "49\n", modules
            step("run a program with a module")

            on_disk = structured(await session.call_tool("check", {"path": "disk/main.pt"}))
            assert on_disk["ok"], on_disk
            step("check a file on disk")

            explained = await session.call_tool("explain", {"code": "pt0007"})
            assert not explained.is_error and "PT0007" in explained.content[0].text
            unknown = await session.call_tool("explain", {"code": "PT9999"})
            assert unknown.is_error and "not a Parseltongue diagnostic code" in unknown.content[0].text
            step("explain")

            missing = await session.call_tool("check", {})
            assert missing.is_error and "give the program one way" in missing.content[0].text
            nowhere = await session.call_tool("check", {"path": "no/such/file.pt"})
            assert nowhere.is_error and "does not exist" in nowhere.content[0].text
            step("bad arguments are tool errors")

            grammar = await session.call_tool("grammar", {"format": "gbnf"})
            assert "root ::=" in grammar.content[0].text
            step("grammar")

            resources = {str(r.uri) for r in (await session.list_resources()).resources}
            assert "parseltongue://reference" in resources, resources
            reference = await session.read_resource("parseltongue://reference")
            text = reference.contents[0].text
            assert "let_var" in text and "let_mut_var" in text
            step("read the reference resource", f"{len(text)} characters")


def raw_protocol():
    """Malformed lines, on a raw pipe: each gets a JSON-RPC error, and the
    server still answers afterwards."""
    server = subprocess.Popen(
        [PLC, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=WORK
    )

    def send(line):
        server.stdin.write(line + "\n")
        server.stdin.flush()

    def receive():
        line = server.stdout.readline()
        assert line, "the server closed the connection"
        return json.loads(line)

    send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}))
    receive()
    send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    send("{this is not json")
    assert receive()["error"]["code"] == -32700
    send(json.dumps({"jsonrpc": "2.0", "id": 7, "params": 3}))
    reply = receive()
    assert reply["error"]["code"] == -32600 and reply["id"] == 7, reply
    send(json.dumps({"jsonrpc": "2.0", "id": 8, "method": "no/such/method"}))
    assert receive()["error"]["code"] == -32601
    send(json.dumps({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "nope", "arguments": {}}}))
    assert "error" in receive()
    send(json.dumps({"jsonrpc": "2.0", "id": 10, "method": "tools/call", "params": {"name": "check", "arguments": {"source": 5}}}))
    assert receive()["result"]["isError"]
    send(json.dumps({"jsonrpc": "2.0", "id": 11, "method": "tools/list"}))
    assert len(receive()["result"]["tools"]) >= 9
    server.stdin.close()
    assert server.wait(timeout=10) == 0
    step("malformed requests get protocol errors; the server keeps serving")


asyncio.run(with_sdk())
raw_protocol()
print("all steps passed")
