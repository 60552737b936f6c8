"""Tests of the Slack and Telegram doors."""
