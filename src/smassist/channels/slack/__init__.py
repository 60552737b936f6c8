"""The Slack door: slack-bolt listeners around the platform-neutral core.

- :mod:`.app`: ``build_app(assistant, ...)`` and ``register(app, door)``;
- :mod:`.blocks`: a ``Reply`` as Block Kit plus a plain-text fallback, mrkdwn escaping;
- :mod:`.commands`: ``/smassist`` sub-commands (``@subcommand("name")``);
- :mod:`.admins`: ``SMASSIST_ADMINS`` and ``notify_admins(client, text)``;
- :mod:`.server`: ``serve(args)`` for ``smassist serve slack`` (HTTP or Socket Mode).

Importing this package imports nothing from Slack; its modules do.
"""
