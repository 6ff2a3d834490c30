"""Public pages residents open from a QR code."""
from flask import Blueprint

bp = Blueprint("respond", __name__)

from survey_app.respond import routes  # noqa: F401  (registers the views)
