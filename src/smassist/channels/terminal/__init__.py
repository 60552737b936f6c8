"""The terminal channel: `smassist chat` and the text rendering of a reply."""
