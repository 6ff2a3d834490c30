"""Typed SQLAlchemy 2.0 models, a module per aggregate."""
from survey_app.models.base import Base, make_engine, utcnow
from survey_app.models.campaign import Campaign, Channel, County
from survey_app.models.response import FLAG_COLUMNS, Flag, Response, pack, unpack

__all__ = ["Base", "Campaign", "Channel", "County", "FLAG_COLUMNS", "Flag", "Response",
           "make_engine", "pack", "unpack", "utcnow"]
