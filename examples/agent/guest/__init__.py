"""The agent's guest code: staged alone into the agent component (examples/agent/build.py)."""
