"""The read-only admin console: ``smassist serve admin``.

A few server-rendered pages (Jinja2 with autoescaping, on aiohttp, no
JavaScript) over the question log and the knowledge base, for the admins who
curate the base without a shell on the server: the usage report with its
charts, the knowledge gaps with the YAML block to paste, the entries with their
figures and sources, and the version served with its problems.

- :mod:`.views`: what each page shows, as plain data (no aiohttp, no HTML);
- :mod:`.app`: the aiohttp application (routes, access, language, rendering);
- :mod:`.server`: ``serve(args)``, the command.
"""
