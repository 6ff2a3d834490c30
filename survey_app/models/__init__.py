"""Typed SQLAlchemy 2.0 models, a module per aggregate; packing.py is the one answer codec."""
from survey_app.models.base import Base, make_engine, utcnow
from survey_app.models.campaign import Campaign, Channel, County
from survey_app.models.packing import Flag, pack, unpack
from survey_app.models.response import Response

__all__ = ["Base", "Campaign", "Channel", "County", "Flag", "Response", "make_engine", "pack", "unpack", "utcnow"]
