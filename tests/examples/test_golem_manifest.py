"""examples/agent/golem.yaml is a Golem 1.2.x application manifest that golem-cli 1.2.5
would accept, and it points at this project's files.

golem-cli reads the manifest into serde structs that deny unknown fields
(golem-cli@v1.2.5 `golem-cli/src/model/app_raw.rs`: `Application`, `Component`,
`ComponentProperties`, `ExternalCommand`, `Dependency`); the field sets below are theirs, so
a misspelt key fails here as it would fail `golem app build`.  The YAML is read with PyYAML
from the examples venv (requirements-examples.txt), which `make examples` installs.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from examples.agent.build import AGENT_WORLD, LLM_IMPORT
from examples.cli_tools import TOOLS_VENV
from providers import PROVIDERS
from tests.examples.helpers import needs_tools
from tools.build import Target

MANIFEST = Path(__file__).resolve().parents[2] / "examples" / "agent" / "golem.yaml"
APPLICATION = {"includes", "tempDir", "witDeps", "templates", "components", "dependencies",
               "customCommands", "clean", "httpApi", "profiles"}
COMPONENT = {"template", "profiles", "defaultProfile",
             "sourceWit", "generatedWit", "componentWasm", "linkedWasm", "build",
             "customCommands", "clean", "componentType", "files", "plugins", "env"}
COMMAND = {"command", "dir", "rmdirs", "mkdirs", "sources", "targets"}
DEPENDENCY = {"type", "target", "path", "url"}
DEPENDENCY_TYPES = {"wasm", "wasm-rpc", "static-wasm-rpc"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    python = TOOLS_VENV / "bin" / "python"
    needs_tools(python)
    done = subprocess.run(
        [str(python), "-c", "import json, sys, yaml; "
         "print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", str(MANIFEST)],
        capture_output=True, text=True)
    if "No module named 'yaml'" in done.stderr:
        pytest.skip("PyYAML not in the examples venv: run `make examples`")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_only_fields_golem_cli_1_2_5_knows(manifest):
    assert set(manifest) <= APPLICATION
    (name, component), = manifest["components"].items()
    assert set(component) <= COMPONENT
    for step in component["build"]:
        assert set(step) <= COMMAND
    for dependencies in manifest["dependencies"].values():
        for dependency in dependencies:
            assert set(dependency) <= DEPENDENCY
            assert dependency["type"] in DEPENDENCY_TYPES
            # exactly one source (golem-cli model/app.rs rejects none or several)
            assert sum(key in dependency for key in ("target", "path", "url")) == 1


def test_the_provider_wasm_is_a_wasm_dependency_of_the_agent(manifest):
    (name, _), = manifest["components"].items()
    (dependency,) = manifest["dependencies"][name]
    assert dependency["type"] == "wasm"  # golem-cli >= 1.2.2: composed at the link step
    path = (MANIFEST.parent / dependency["path"]).resolve()
    assert path == Target("openai", "durable").output  # the durable flavour, for Golem
    assert set(manifest["components"][name]["env"]) == {PROVIDERS["openai"].api_key_env}


def test_paths_and_the_build_command_match_the_agent(manifest):
    (name, component), = manifest["components"].items()
    base = MANIFEST.parent
    source_wit = base / component["sourceWit"]
    world = (source_wit / "agent.wit").read_text()
    assert f"import {LLM_IMPORT};" in world
    for deps in manifest["witDeps"]:
        assert (base / deps).resolve() == base.parents[1] / "wit" / "deps"
    (step,) = component["build"]
    args = shlex.split(step["command"])
    assert args[0] == "componentize-py"
    assert args[args.index("--wit-path") + 1] == component["generatedWit"]
    assert args[args.index("--world") + 1] == AGENT_WORLD.split("/")[1].split("@")[0]
    app = args[args.index("componentize") + 1]
    guest = base / args[args.index("--python-path") + 1]
    assert (guest / f"{app}.py").is_file()
    assert args[args.index("--output") + 1] == component["componentWasm"] == step["targets"][0]
