from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.notifications.models import Channel, ConsentResult, OutboxStatus, TaskKind, TaskStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_plans_calendar_leave')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsentEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='consent_events', on_delete=OnDelete.CASCADE)),
                ('template_id', fields.CharField(max_length=64)),
                ('event', fields.CharField(max_length=32)),
                ('source', fields.CharField(default='api', max_length=16)),
                ('outbox_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'consent_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The ledger: every consent answer and every use, from the API or the WeChat callback.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmploymentRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='employment_records', on_delete=OnDelete.CASCADE)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', null=True, db_constraint=True, to_field='id', related_name='employment_records', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(description='EMPLOYED: employed\nSELF_EMPLOYED: self_employed\nFURTHER_STUDY: further_study\nUNEMPLOYED: unemployed', enum_type=EmploymentStatus, max_length=16)),
                ('employer', fields.CharField(default='', max_length=200)),
                ('position', fields.CharField(default='', max_length=100)),
                ('start_date', fields.DateField(null=True)),
                ('source', fields.CharEnumField(description='SURVEY: survey\nTRAINEE: trainee\nINSTRUCTOR: instructor\nSITE: site', enum_type=OutcomeSource, max_length=16)),
                ('verified', fields.BooleanField(default=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='employment_records', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'employment_record', 'app': 'models', 'indexes': [Index(fields=['trainee_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'What is known, at one moment, about the employment of a trainee (the latest counts).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HumanTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('kind', fields.CharEnumField(description='PHONE_CALL: phone_call\nHOME_VISIT: home_visit', enum_type=TaskKind, max_length=16)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('assignee', fields.ForeignKeyField('models.Instructor', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(unique=False)),
                ('due_date', fields.DateField()),
                ('status', fields.CharEnumField(default=TaskStatus.OPEN, description='OPEN: open\nDONE: done', enum_type=TaskStatus, max_length=8)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'human_task', 'app': 'models', 'indexes': [Index(fields=['status', 'due_date'])], 'pk_attr': 'id', 'table_description': 'Work for a person (a call, a home visit), kept until done: nothing is silently dropped.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='inbox', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('body', fields.TextField(unique=False)),
                ('page', fields.CharField(default='', max_length=200)),
                ('outbox_id', fields.BigIntField(null=True, unique=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_message', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A message in the in-app inbox of the mini-program (always written, the last fallback).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('channel', fields.CharEnumField(description='SUBSCRIBE: subscribe\nTEMPLATE: template\nINBOX: inbox\nRECRUITMENT: recruitment', enum_type=Channel, max_length=16)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='outbox', on_delete=OnDelete.SET_NULL)),
                ('template_key', fields.CharField(max_length=64)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nFAILED: failed\nFALLBACK: fallback', enum_type=OutboxStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(default='', max_length=64)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('last_errcode', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['user_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One message to send, claimed by a worker, retried with back-off, never sent twice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscriptionConsent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('template_id', fields.CharField(max_length=64)),
                ('remaining', fields.IntField(default=0)),
                ('last_result', fields.CharEnumField(description='ACCEPT: accept\nREJECT: reject\nBAN: ban\nFILTER: filter', enum_type=ConsentResult, max_length=8)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'subscription_consent', 'app': 'models', 'unique_together': (('user', 'template_id'),), 'pk_attr': 'id', 'table_description': 'Per user and template: one-time accepts still unused (each allows exactly one send).'},
            bases=['Model'],
        ),
    ]
