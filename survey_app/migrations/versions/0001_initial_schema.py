"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

import survey_app.models.base

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organizer', sa.String(length=200), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=64), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=32), nullable=False),
    sa.Column('questionnaire_snapshot', sa.JSON(), nullable=False),
    sa.Column('opens_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('closes_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('created_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaigns_slug'))
    )
    op.create_table('counties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_counties_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counties')),
    sa.UniqueConstraint('campaign_id', 'code', name=op.f('uq_counties_campaign_id'))
    )
    op.create_table('channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_channels_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_channels_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
    sa.UniqueConstraint('campaign_id', 'code', name=op.f('uq_channels_campaign_id')),
    sa.UniqueConstraint('token', name=op.f('uq_channels_token'))
    )
    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.String(length=32), nullable=False),
    sa.Column('attributes', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.String(length=128), nullable=False),
    sa.Column('started_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=False),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('device_hash', sa.String(length=16), nullable=False),
    sa.Column('ip_hash', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_responses_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_responses_channel_id_channels')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_responses_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses')),
    sa.UniqueConstraint('campaign_id', 'submission_id', name=op.f('uq_responses_campaign_id'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_campaign_device', ['campaign_id', 'device_hash'], unique=False)



def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_campaign_device')

    op.drop_table('responses')
    op.drop_table('channels')
    op.drop_table('counties')
    op.drop_table('campaigns')
