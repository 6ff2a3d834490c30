"""`survey ...`: the command line for evaluators and staff (messages in Chinese).

A module per command group. Commands import the web app, the database and the QR
library only when they run, so `survey analyze` starts without them.
"""
import click

from survey_app.cli.accounts import user
from survey_app.cli.base import ChineseGroup
from survey_app.cli.campaigns import campaign, channel, links, qr
from survey_app.cli.data import analyze, export
from survey_app.cli.reports import report
from survey_app.cli.system import database, demo, serve, worker


@click.group(cls=ChineseGroup, help="县域教育群众满意度调查系统")
def main():
    pass


for command in (database, user, campaign, channel, links, qr, export, analyze, report, serve, demo, worker):
    main.add_command(command)
