"""smassist's HTTP front (aiohttp): every HTTP server smassist runs is built on :mod:`.server`."""
