"""What a link's pages need, read in one query per request; questionnaires and blank forms are
built once per process and reused for as long as what they show is unchanged."""
from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy import Text, bindparam, cast, select

from questionnaires import Questionnaire, load_dict
from survey_app import db
from survey_app.models import Campaign, Channel, County
from survey_app.models.campaign import campaign_status
from survey_app.services import submissions


@dataclass(frozen=True)
class Link:
    """A channel's link with its campaign and county, as one request sees them."""

    channel_id: int
    campaign_id: int
    county_id: int
    disabled: bool
    paused: bool
    opens_at: datetime
    closes_at: datetime
    simulated: bool
    organizer: str
    county_name: str
    snapshot: str            # the campaign's questionnaire, as stored (JSON text)
    close_full_quotas: bool  # residents of a full county (or quota cell) are thanked, not served

    def status(self, now: datetime) -> str:
        """The campaign's status, or "disabled" for a link an evaluator switched off."""
        return "disabled" if self.disabled else campaign_status(now, self.opens_at, self.closes_at, self.paused)

    @property
    def questionnaire(self) -> Questionnaire:
        return _questionnaire(self.snapshot)


_FIND = (select(Channel.id, Channel.campaign_id, Channel.county_id, Channel.disabled, Campaign.paused,
                Campaign.opens_at, Campaign.closes_at, Campaign.simulated, Campaign.organizer, County.name,
                cast(Campaign.questionnaire_snapshot, Text), Campaign.close_full_quotas)
         .join(Campaign, Campaign.id == Channel.campaign_id).join(County, County.id == Channel.county_id)
         .where(Channel.token == bindparam("token")))


class Links:
    """Links read in the last few seconds, per process: a pause or a disabled link reaches every
    worker within `seconds`; opening and closing times are compared at every request."""

    MAX_HELD = 10_000

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._held: dict[str, tuple[float, Link]] = {}

    def find(self, token: str) -> Link | None:
        now = time.time()
        held = self._held.get(token)
        if held is not None and held[0] > now:
            return held[1]
        with db.engine().connect() as connection:
            row = connection.execute(_FIND, {"token": token}).first()
        if row is None:
            return None
        link = Link(*row)
        if self.seconds > 0:
            if len(self._held) >= self.MAX_HELD:
                self._held.clear()
            self._held[token] = (now + self.seconds, link)
        return link


@functools.lru_cache(maxsize=64)
def _questionnaire(snapshot: str) -> Questionnaire:
    return load_dict(json.loads(snapshot), source="调查的问卷")


TOKEN_PLACE = "@@form-token@@"      # where each visit's own token goes into a blank form


def blank_form(link: Link, form_token: str, test: bool = False, full_note: str = "") -> str:
    """The empty form page of the link's campaign and county, with this visit's token; in test mode
    with its banner, and with a note of the quota categories already full."""
    return _blank_form(link.snapshot, link.organizer, link.simulated, link.county_name, test, full_note
                       ).replace(TOKEN_PLACE, form_token, 1)


@functools.lru_cache(maxsize=256)
def _blank_form(snapshot: str, organizer: str, simulated: bool, county_name: str, test: bool, full_note: str) -> str:
    return render_form(_questionnaire(snapshot), organizer, simulated, county_name, TOKEN_PLACE, {}, {},
                       test=test, full_note=full_note)


def render_form(questionnaire: Questionnaire, organizer: str, simulated: bool, county_name: str, form_token: str,
                values, errors: dict, notice: str = "", preview: bool = False, test: bool = False,
                full_note: str = "") -> str:
    return render_template(
        "respond/form.html", q=questionnaire, organizer=organizer, simulated=simulated, county_name=county_name,
        conditions=conditions(questionnaire), form_token=form_token, values=values, errors=errors, notice=notice,
        preview=preview, test=test, full_note=full_note, token_field=submissions.TOKEN_FIELD,
        honeypot_field=submissions.HONEYPOT_FIELD)


def conditions(questionnaire: Questionnaire) -> dict:
    """For each conditional attribute: a note for readers and a rule for the page script."""
    conditions = {}
    for attribute in questionnaire.attributes:
        labels, rules = [], []
        for attr_id, allowed in attribute.applies_if:
            parent = questionnaire.attribute(attr_id)
            labels += [o.label for o in parent.options if o.id in allowed]
            rules.append(f"{attr_id}={','.join(sorted(allowed))}")
        conditions[attribute.id] = {"note": f"（{'、'.join(labels)}填写）", "hint": ";".join(rules)}
    return conditions
