"""the county evaluation: cycles, self-assessment with evidence, core data, expert panels, consensus

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

import survey_app.models.base

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.JSON(), nullable=False),
    sa.Column('core_template', sa.JSON(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('self_assessment_due', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('scoring_due', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('scoring_started_at', survey_app.models.base.UTCDateTime(), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('created_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_evaluation_cycles_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_cycles')),
    sa.UniqueConstraint('slug', name=op.f('uq_evaluation_cycles_slug'))
    )
    op.create_table('conflict_declarations',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_conflict_declarations_cycle_id_evaluation_cycles')),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_conflict_declarations_expert_id_users')),
    sa.PrimaryKeyConstraint('cycle_id', 'expert_id', 'county_code', name=op.f('pk_conflict_declarations'))
    )
    op.create_table('consensus_decisions',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('point_id', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('scores_seen', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=False),
    sa.Column('decided_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_consensus_decisions_cycle_id_evaluation_cycles')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_consensus_decisions_decided_by_users')),
    sa.PrimaryKeyConstraint('cycle_id', 'county_code', 'point_id', name=op.f('pk_consensus_decisions'))
    )
    op.create_table('core_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('indicator_id', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('updated_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_core_values_cycle_id_evaluation_cycles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_values')),
    sa.UniqueConstraint('cycle_id', 'county_code', 'indicator_id', 'year', name=op.f('uq_core_values_cycle_id'))
    )
    op.create_table('cycle_counties',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_cycle_counties_cycle_id_evaluation_cycles')),
    sa.PrimaryKeyConstraint('cycle_id', 'code', name=op.f('pk_cycle_counties'))
    )
    op.create_table('expert_assignments',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_expert_assignments_cycle_id_evaluation_cycles')),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_expert_assignments_expert_id_users')),
    sa.PrimaryKeyConstraint('cycle_id', 'expert_id', 'indicator_id', name=op.f('pk_expert_assignments'))
    )
    op.create_table('expert_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('point_id', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('highlights', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('submitted_at', survey_app.models.base.UTCDateTime(), nullable=True),
    sa.Column('updated_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_expert_scores_cycle_id_evaluation_cycles')),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], name=op.f('fk_expert_scores_expert_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_scores')),
    sa.UniqueConstraint('cycle_id', 'expert_id', 'county_code', 'point_id', name=op.f('uq_expert_scores_cycle_id'))
    )
    op.create_table('self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('point_id', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('reopened_until', survey_app.models.base.UTCDateTime(), nullable=True),
    sa.Column('updated_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['evaluation_cycles.id'], name=op.f('fk_self_assessments_cycle_id_evaluation_cycles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments')),
    sa.UniqueConstraint('cycle_id', 'county_code', 'point_id', name=op.f('uq_self_assessments_cycle_id'))
    )
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', survey_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessments.id'], name=op.f('fk_evidence_files_assessment_id_self_assessments')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_files_stored_name'))
    )


def downgrade():
    op.drop_table('evidence_files')
    op.drop_table('self_assessments')
    op.drop_table('expert_scores')
    op.drop_table('expert_assignments')
    op.drop_table('cycle_counties')
    op.drop_table('core_values')
    op.drop_table('consensus_decisions')
    op.drop_table('conflict_declarations')
    op.drop_table('evaluation_cycles')
