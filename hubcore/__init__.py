"""What the hub and hubctl must agree on, without Django: identifiers, tokens, checkpoints and formats."""
