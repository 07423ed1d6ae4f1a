"""hubctl's subcommands, one module per area; each registers its parsers with add_commands()."""
