"""tenant: agents' team (state, last sign-in, invitations)

Revision ID: d15c02000002
Revises: d15b01000001
Create Date: 2026-12-03 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd15c02000002'
down_revision: Union[str, Sequence[str], None] = 'd15b01000001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('agent_invitation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agent_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], name=op.f('fk_agent_invitation_agent_id_agent'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_invitation')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_agent_invitation_secret_hash'))
    )
    with op.batch_alter_table('agent_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_invitation_agent_id'), ['agent_id'], unique=False)

    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('disabled_at')

    with op.batch_alter_table('agent_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_invitation_agent_id'))

    op.drop_table('agent_invitation')

