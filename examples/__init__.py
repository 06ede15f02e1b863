"""Examples of using the golem:llm components: `examples/agent/` is a Python agent component
composed with a provider component (README, "The example agent")."""
