"""The admin loop: the question log, live reload, reports, admin commands."""
