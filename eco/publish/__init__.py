"""Publish stage: results out to a person (terminal), a program (JSON) or the working tree."""

from eco.publish.apply import apply_verified
from eco.publish.document import result_document, result_entry
from eco.publish.terminal import render_report

__all__ = ["apply_verified", "render_report", "result_document", "result_entry"]
