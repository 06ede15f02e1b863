"""Build the example agent and compose it with every provider component.

    python -m examples.agent.build [--provider openai ...] [--flavour durable|portable ...]

1. `dist/example-agent.wasm`: the agent alone (world `example:agent/agent-with-llm`), built
   with componentize-py through `tools.componentize` like the provider components, so it is
   rebuilt only when its guest code or WIT changes.
2. `dist/examples/agent-<provider>[-portable].wasm`: `wasm-tools compose` plugs the provider
   component (`tools.build`'s target, built first if needed) into the agent's
   `golem:llm/llm@1.0.0` import.  Remade only when either input or the wasm-tools version
   changes (the same inputs-hash stamp as the components).
3. Every composition's imports are checked (`check_imports`): WASI at exactly 0.2.0, plus
   for the durable flavour Golem 1.2's own interfaces (the packages in `wit/golem/`), and no
   `golem:llm` import left (a plug that matched nothing).

The compiled artifacts are cached by the hosts that compile them (runtime/host's
`CompiledComponent` for wasmtime-py, `examples.cli_tools.compile_for_cli` for the wasmtime
CLI), keyed by the wasm's hash, the first time a test runs a composition.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from providers.registry import PROVIDERS
from tools.build import FLAVOURS, Target, build as build_provider
from tools.componentize import (COMPONENTIZE_PY_VERSION, DIST, ROOT, STAGE, build_component,
                                build_if_changed, hash_inputs, python_sources, stage_files)
from tools.wit_deps import GOLEM_PACKAGES, WASI_VERSION

from examples.cli_tools import WASM_TOOLS, file_hash, require_tool, run_tool, tool_version

HERE = Path(__file__).resolve().parent
AGENT_NAME = "example-agent"
AGENT_WASM = DIST / f"{AGENT_NAME}.wasm"
AGENT_WORLD = "example:agent/agent-with-llm@0.1.0"
AGENT_INTERFACE = "example:agent/agent@0.1.0"
LLM_IMPORT = "golem:llm/llm@1.0.0"
OUT = DIST / "examples"


@dataclass(frozen=True)
class Composition:
    """The agent composed with one provider component."""

    provider: str
    flavour: str

    @property
    def plug(self) -> Target:
        return Target(self.provider, self.flavour)

    @property
    def output(self) -> Path:
        suffix = "" if self.flavour == "durable" else "-portable"
        return OUT / f"agent-{self.provider}{suffix}.wasm"


def compositions(providers: tuple[str, ...] = tuple(PROVIDERS),
                 flavours: tuple[str, ...] = FLAVOURS) -> list[Composition]:
    return [Composition(p, f) for p in providers for f in flavours]


# ---- 1. the agent ---------------------------------------------------------------------------

def _guest_sources() -> list[Path]:
    return python_sources(HERE / "guest")


def _wit_sources() -> list[Path]:
    return [HERE / "wit" / "agent.wit", ROOT / "wit" / "golem-llm.wit"]


def _prepare_agent() -> tuple[Path, Path]:
    """The agent's WIT (its world, with golem:llm as a dependency) and its staged guest."""
    wit = STAGE / f"{AGENT_NAME}-wit"
    if wit.exists():
        shutil.rmtree(wit)
    (wit / "deps" / "golem-llm").mkdir(parents=True)
    shutil.copyfile(HERE / "wit" / "agent.wit", wit / "agent.wit")
    shutil.copyfile(ROOT / "wit" / "golem-llm.wit", wit / "deps" / "golem-llm" / "golem-llm.wit")
    stage = stage_files(AGENT_NAME, _guest_sources())
    return wit, stage / HERE.relative_to(ROOT) / "guest"


def build_agent(force: bool = False) -> bool:
    return build_component(
        AGENT_NAME, AGENT_WORLD, "agent",
        inputs=lambda: hash_inputs((COMPONENTIZE_PY_VERSION, AGENT_WORLD),
                                   _guest_sources() + _wit_sources()),
        prepare=_prepare_agent,
        import_names=(f"{LLM_IMPORT}=llm",), force=force)


# ---- 2. the compositions --------------------------------------------------------------------

def compose(composition: Composition, force: bool = False) -> bool:
    """Compose the agent with its provider (both built first if needed); True if remade."""
    build_provider(composition.plug)
    plug = composition.plug.output
    version = tool_version(WASM_TOOLS)

    def make(tmp: Path) -> None:
        started = time.perf_counter()
        run_tool(WASM_TOOLS, "compose", AGENT_WASM, "-d", plug, "-o", tmp)
        print(f"composed {composition.output.relative_to(ROOT)} "
              f"({tmp.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)

    return build_if_changed(
        composition.output,
        lambda: hash_inputs((version, file_hash(AGENT_WASM), file_hash(plug)), ()),
        make, force)


# ---- 3. the import check --------------------------------------------------------------------

# Named interfaces only (`import pkg:ns/iface@version;`).  componentize-py also exports an
# unnamed inline interface, `exports`, with the `init` function it pre-initialises through;
# every componentize-py component has it, Golem 1.2 never calls it, nor should anyone.
_IMPORT = re.compile(r"^\s*import\s+([\w-]+:[\w/.@-]+)\s*;", re.MULTILINE)
_EXPORT = re.compile(r"^\s*export\s+([\w-]+:[\w/.@-]+)\s*;", re.MULTILINE)


def imports_exports(wasm: Path) -> tuple[list[str], list[str]]:
    """A component's imported and exported named interfaces, as `wasm-tools component wit`
    prints its world."""
    wit = run_tool(require_tool(WASM_TOOLS), "component", "wit", wasm)
    return _IMPORT.findall(wit), _EXPORT.findall(wit)


def golem_interface_allowed(name: str) -> bool:
    """An interface of one of Golem 1.2's packages this project builds against (wit/golem/,
    named in tools.wit_deps.GOLEM_PACKAGES as `golem-<pkg>@<version>`)."""
    match = re.fullmatch(r"golem:([a-z-]+)/[a-z-]+@([0-9.]+)", name)
    return bool(match) and f"golem-{match[1]}@{match[2]}" in GOLEM_PACKAGES.values()


def import_problems(imports: list[str], exports: list[str], flavour: str) -> list[str]:
    """Why a composition could not run where its flavour is meant to (empty: it can)."""
    problems = []
    for name in imports:
        if name.startswith("wasi:"):
            if not name.endswith(f"@{WASI_VERSION}"):
                problems.append(f"imports {name}: Golem 1.2 links WASI {WASI_VERSION} only")
        elif name.startswith("golem:llm/"):
            problems.append(f"imports {name}: the provider did not fill the agent's import")
        elif flavour == "durable" and golem_interface_allowed(name):
            continue
        else:
            problems.append(f"imports {name}: not WASI {WASI_VERSION}"
                            + (" nor Golem 1.2" if flavour == "durable" else ""))
    if exports != [AGENT_INTERFACE]:
        problems.append(f"exports {exports}, expected only {AGENT_INTERFACE}")
    return problems


def check_imports(composition: Composition) -> None:
    imports, exports = imports_exports(composition.output)
    problems = import_problems(imports, exports, composition.flavour)
    if problems:
        raise SystemExit(f"{composition.output.relative_to(ROOT)}: " + "; ".join(problems))


def build_all(chosen: list[Composition], force: bool = False) -> list[Composition]:
    """Build the agent once, then compose and check each composition; returns those remade."""
    build_agent(force)
    remade = [c for c in chosen if compose(c, force)]
    for composition in chosen:
        check_imports(composition)
    return remade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", action="append", choices=sorted(PROVIDERS))
    parser.add_argument("--flavour", action="append", choices=FLAVOURS)
    parser.add_argument("--force", action="store_true", help="rebuild even if unchanged")
    args = parser.parse_args(argv)
    chosen = compositions(tuple(args.provider or PROVIDERS), tuple(args.flavour or FLAVOURS))
    started = time.perf_counter()
    remade = build_all(chosen, args.force)
    print(f"examples: {len(chosen)} compositions ({len(remade)} remade), imports checked, "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
