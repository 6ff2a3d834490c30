"""evaluator workspace: accounts, audit log, login throttling, targets, quotas, review,
pausing campaigns and disabling channels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

import survey_app.models.base

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('user_counties',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_counties_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'county_code', name=op.f('pk_user_counties'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('ip_hash', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index(op.f('ix_audit_events_at'), 'audit_events', ['at'], unique=False)
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip_hash', sa.String(length=16), nullable=False),
    sa.Column('at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_ip_hash_at', 'login_failures', ['ip_hash', 'at'], unique=False)
    op.create_index('ix_login_failures_username_at', 'login_failures', ['username', 'at'], unique=False)
    op.create_table('population_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('variable', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('population', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_population_targets_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_targets')),
    sa.UniqueConstraint('campaign_id', 'county_code', 'variable', 'category', name=op.f('uq_population_targets_campaign_id'))
    )
    op.create_table('quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('attribute', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_quotas_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_quotas_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotas')),
    sa.UniqueConstraint('campaign_id', 'county_id', 'attribute', 'category', name=op.f('uq_quotas_campaign_id'))
    )
    op.create_table('monitor_snapshots',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('last_response_id', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_monitor_snapshots_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_monitor_snapshots'))
    )
    op.create_table('questionnaire_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('created_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_versions')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_questionnaire_versions_key'))
    )
    op.create_table('result_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.String(length=200), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('started_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', survey_app.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_result_runs_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_runs')),
    sa.UniqueConstraint('campaign_id', 'fingerprint', name=op.f('uq_result_runs_campaign_id'))
    )
    op.add_column('campaigns', sa.Column('paused', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('channels', sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('responses', sa.Column('excluded', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('responses', sa.Column('exclusion_reason', sa.String(length=200), nullable=False,
                                         server_default=''))
    op.create_index('ix_responses_campaign_submitted', 'responses', ['campaign_id', 'submitted_at'], unique=False)
    op.create_index('ix_responses_excluded', 'responses', ['campaign_id'], unique=False,
                    sqlite_where=sa.text('excluded = 1'), postgresql_where=sa.text('excluded'))


def downgrade():
    op.drop_index('ix_responses_excluded', table_name='responses')
    op.drop_index('ix_responses_campaign_submitted', table_name='responses')
    with op.batch_alter_table('responses') as batch:
        batch.drop_column('exclusion_reason')
        batch.drop_column('excluded')
    with op.batch_alter_table('channels') as batch:
        batch.drop_column('disabled')
    with op.batch_alter_table('campaigns') as batch:
        batch.drop_column('paused')
    for table in ('result_runs', 'questionnaire_versions', 'monitor_snapshots', 'quotas', 'population_targets', 'login_failures', 'audit_events', 'user_counties', 'users'):
        op.drop_table(table)
