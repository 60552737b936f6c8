"""What several test modules share: stand-in platform servers and a minimal channel."""
