"""result runs of any kind: keyed by (kind, subject, fingerprint) instead of a campaign

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Every run so far is a survey campaign's; its subject is the campaign's slug (slugs never change).
    # result_runs is rebuilt on SQLite: no other table refers to it.
    op.add_column('result_runs', sa.Column('kind', sa.String(length=16), nullable=False, server_default='survey'))
    op.add_column('result_runs', sa.Column('subject', sa.String(length=64), nullable=True))
    op.execute("UPDATE result_runs SET subject = (SELECT slug FROM campaigns WHERE campaigns.id = result_runs.campaign_id)")
    with op.batch_alter_table('result_runs', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None)
        batch_op.alter_column('subject', nullable=False)
        batch_op.alter_column('responses', new_column_name='used')
        batch_op.drop_constraint('uq_result_runs_campaign_id', type_='unique')
        batch_op.drop_constraint('fk_result_runs_campaign_id_campaigns', type_='foreignkey')
        batch_op.drop_column('campaign_id')
        batch_op.create_unique_constraint(batch_op.f('uq_result_runs_kind'), ['kind', 'subject', 'fingerprint'])


def downgrade():
    op.add_column('result_runs', sa.Column('campaign_id', sa.Integer(), nullable=True))
    op.execute("DELETE FROM result_runs WHERE kind <> 'survey'")
    op.execute("UPDATE result_runs SET campaign_id = (SELECT id FROM campaigns WHERE campaigns.slug = result_runs.subject)")
    with op.batch_alter_table('result_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_result_runs_kind'), type_='unique')
        batch_op.alter_column('campaign_id', nullable=False)
        batch_op.alter_column('used', new_column_name='responses')
        batch_op.drop_column('subject')
        batch_op.drop_column('kind')
        batch_op.create_foreign_key('fk_result_runs_campaign_id_campaigns', 'campaigns', ['campaign_id'], ['id'])
        batch_op.create_unique_constraint('uq_result_runs_campaign_id', ['campaign_id', 'fingerprint'])
