"""Answering: routing a question, conversation state, reply building, texts."""
