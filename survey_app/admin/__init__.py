"""The evaluators' workspace (and the administrators' accounts and audit pages).

One blueprint, a module per area; forms beside them in forms.py; templates in templates/admin/.
Views parse the request, call a service (which owns the transaction), and render.
"""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from survey_app.admin import (  # noqa: F401
    accounts,
    campaigns,
    channels,
    monitor,
    questionnaires,
    review,
    setup,
)
