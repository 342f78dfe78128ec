from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.substitution.models import CaseStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_employment_integrity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DomainEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=40)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('class_id', fields.IntField(null=True)),
                ('session_id', fields.IntField(null=True)),
                ('trainee_id', fields.IntField(null=True)),
                ('instructor_id', fields.IntField(null=True)),
                ('user_id', fields.IntField(null=True)),
                ('institution_id', fields.IntField(null=True)),
                ('district_code', fields.CharField(default='', max_length=6)),
                ('subject_type', fields.CharField(default='', max_length=32)),
                ('subject_id', fields.CharField(default='', max_length=64)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fanned_out_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'domain_event', 'app': 'models', 'indexes': [Index(fields=['fanned_out_at', 'id']), Index(fields=['class_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'A fact (plan submitted, leave decided, session tomorrow…) and the ids it concerns.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubstitutionCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.OneToOneField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='substitution_case', on_delete=OnDelete.CASCADE)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='substitution_cases', on_delete=OnDelete.CASCADE)),
                ('missing_instructor_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('trainees_checked_in', fields.IntField(default=0)),
                ('status', fields.CharEnumField(default=CaseStatus.OPEN, description='OPEN: open\nCONFIRMED: confirmed\nDISMISSED: dismissed', enum_type=CaseStatus, max_length=12)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='substitution_decisions', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'substitution_case', 'app': 'models', 'indexes': [Index(fields=['training_class_id', 'status'])], 'pk_attr': 'id', 'table_description': 'Trainees checked in to a session whose booked instructor never signed in (第十九条).'},
            bases=['Model'],
        ),
    ]
