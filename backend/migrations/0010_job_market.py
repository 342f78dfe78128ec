from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.occupations import Education
from backend.employment.models import ApplicationStatus, Deactivation, SyncStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_evaluation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobIndexState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('epoch', fields.CharField(max_length=32)),
                ('seq', fields.BigIntField(default=0)),
            ],
            options={'table': 'job_index_state', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The change counter of the posting index: readers reload rows changed after their seq.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobPosting',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=32)),
                ('external_id', fields.CharField(max_length=64)),
                ('title', fields.CharField(max_length=200)),
                ('employer', fields.CharField(max_length=200)),
                ('district_code', fields.CharField(max_length=6)),
                ('address', fields.CharField(default='', max_length=300)),
                ('occupation_code', fields.CharField(max_length=16)),
                ('occupation_name', fields.CharField(default='', max_length=100)),
                ('salary_min', fields.IntField(default=0)),
                ('salary_max', fields.IntField(default=0)),
                ('education', fields.CharEnumField(default=Education.NONE, description='NONE: none\nJUNIOR_MIDDLE: junior_middle\nHIGH_SCHOOL: high_school\nJUNIOR_COLLEGE: junior_college\nBACHELOR: bachelor\nMASTER: master\nDOCTOR: doctor', enum_type=Education, max_length=16)),
                ('experience_years', fields.SmallIntField(default=0)),
                ('headcount', fields.IntField(default=1)),
                ('description', fields.TextField(default='', unique=False)),
                ('url', fields.CharField(default='', max_length=500)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('site_updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
                ('deactivated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deactivation', fields.CharEnumField(null=True, description='REMOVED: removed\nEXPIRED: expired\nVANISHED: vanished', enum_type=Deactivation, max_length=16)),
                ('content_hash', fields.CharField(max_length=40)),
                ('terms', fields.TextField(default='{}', unique=False)),
                ('doc_len', fields.IntField(default=0)),
                ('change_seq', fields.BigIntField(default=0, db_index=True)),
                ('seen_run_id', fields.IntField(null=True)),
                ('first_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_posting', 'app': 'models', 'unique_together': (('external_id', 'source'),), 'indexes': [Index(fields=['active', 'expires_at'])], 'pk_attr': 'id', 'table_description': 'A posting of the recruitment site, unique by source and external id, with its index terms.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='job_applications', on_delete=OnDelete.CASCADE)),
                ('posting', fields.ForeignKeyField('models.JobPosting', source_field='posting_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('message', fields.CharField(default='', max_length=300)),
                ('status', fields.CharEnumField(default=ApplicationStatus.PENDING, description='PENDING: pending\nDELIVERED: delivered\nFAILED: failed', enum_type=ApplicationStatus, max_length=16)),
                ('site_reference', fields.CharField(default='', max_length=64)),
                ('submission', fields.IntField(default=1)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_application', 'app': 'models', 'unique_together': (('trainee', 'posting'),), 'pk_attr': 'id', 'table_description': 'A resume delivery of a trainee to one posting, forwarded through the outbox.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.OneToOneField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='job_profile', on_delete=OnDelete.CASCADE)),
                ('desired_occupations', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('districts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('salary_floor', fields.IntField(null=True)),
                ('education', fields.CharEnumField(null=True, description='NONE: none\nJUNIOR_MIDDLE: junior_middle\nHIGH_SCHOOL: high_school\nJUNIOR_COLLEGE: junior_college\nBACHELOR: bachelor\nMASTER: master\nDOCTOR: doctor', enum_type=Education, max_length=16)),
                ('major', fields.CharField(default='', max_length=100)),
                ('skills', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('intention', fields.TextField(default='', unique=False)),
                ('currently_employed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'job_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a trainee looks for: occupations, districts, salary floor, education, skills.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobPush',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='job_pushes', on_delete=OnDelete.CASCADE)),
                ('posting', fields.ForeignKeyField('models.JobPosting', source_field='posting_id', db_constraint=True, to_field='id', related_name='pushes', on_delete=OnDelete.CASCADE)),
                ('pushed_on', fields.DateField()),
                ('score', fields.FloatField(default=0)),
                ('outbox_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'job_push', 'app': 'models', 'unique_together': (('trainee', 'posting'),), 'indexes': [Index(fields=['trainee_id', 'pushed_on'])], 'pk_attr': 'id', 'table_description': 'A posting pushed to a trainee: never the same posting to the same trainee twice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobSyncCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(unique=True, max_length=32)),
                ('changes_cursor', fields.CharField(default='', max_length=200)),
                ('removed_cursor', fields.CharField(default='', max_length=200)),
                ('lease_owner', fields.CharField(default='', max_length=64)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'job_sync_cursor', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Where the next incremental sync of a source resumes, and who holds the sync lease.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobSyncRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=32)),
                ('full', fields.BooleanField(default=False)),
                ('status', fields.CharEnumField(default=SyncStatus.RUNNING, description='RUNNING: running\nSUCCEEDED: succeeded\nPARTIAL: partial\nFAILED: failed', enum_type=SyncStatus, max_length=16)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('pages', fields.IntField(default=0)),
                ('fetched', fields.IntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('updated', fields.IntField(default=0)),
                ('unchanged', fields.IntField(default=0)),
                ('removed', fields.IntField(default=0)),
                ('expired', fields.IntField(default=0)),
                ('vanished', fields.IntField(default=0)),
                ('errors', fields.IntField(default=0)),
                ('retries', fields.IntField(default=0)),
                ('error_samples', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('message', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'job_sync_run', 'app': 'models', 'indexes': [Index(fields=['source', 'started_at'])], 'pk_attr': 'id', 'table_description': 'The log of one sync run: what was fetched, added, changed, removed, and what failed.'},
            bases=['Model'],
        ),
    ]
