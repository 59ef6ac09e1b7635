"""Use cases the CLI, the API and the web pages share (one path for each action, not one per face)."""
