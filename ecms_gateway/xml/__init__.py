"""XML plumbing shared by the codec and signing: namespaces, the hardened parser, schema validation."""
